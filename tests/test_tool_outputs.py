"""Tools declare their output (`output_schema`) and which field flows on (`flows`)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from toolpath.agent.run.executor import flowing_value, main_value, substitute
from toolpath.tools.library import library_registry
from toolpath.tools.registry import ToolRegistry, tool
from toolpath.tools.spec import ToolSpec

LIBRARY = [spec for spec in library_registry() if spec.fn.__module__.startswith("toolpath.tools")]

# One output of each library tool, as it returns it (what flows on must not change).
SAMPLES: dict[str, Any] = {
    "merge": {"out": "/a/merged", "method": "ties", "seconds": 1.0, "card": {}},
    "compose_adapters": {"out": "/a/adapter", "combination_type": "linear"},
    "lorahub_compose": {"out": "/a/adapter", "weights": [0.5], "loss": 1.0, "base_loss": 2.0},
    "apply_lora_adapter": {"out": "/a/model"},
    "evaluate_model": {"accuracy": 0.5, "n": 2, "correct": 1, "seconds": 0.1, "kind": "x"},
    "proxy_evaluate": {"decision": "pass", "accuracy": 0.9, "n": 5, "threshold": 0.5},
    "evaluate_perplexity": {"perplexity": 3.2},
    "normalize_accuracy": {"normalized": {"a": 1.0}, "mean": 1.0},
    "evaluate_retrieval": {"n": 2.0, "recall@5": 1.0},
    "search_index": [{"id": "d#0", "score": 1.0, "text": "t"}],
    "retrieve_documents": [{"id": "d#0", "score": 1.0, "text": "t"}],
    "retrieve_experts": [{"path": "/e/1", "score": 0.9}, {"path": "/e/2", "score": 0.1}],
    "retrieve_adapters": [{"path": "/l/1", "score": 0.9}],
    "retrieve_tools": [{"name": "merge_ties", "score": 0.9}],
    "retrieve_demos": [{"score": 0.9, "user_request": "do it", "tool_nodes": []}],
}


def _sample(name: str) -> Any:
    return SAMPLES["merge" if name.startswith("merge_") else name]


def test_library_is_loaded():
    assert len(LIBRARY) >= 20
    assert {"merge_ties", "build_index", "evaluate_model", "retrieve_experts"} <= {
        spec.name for spec in LIBRARY
    }


@pytest.mark.parametrize("spec", LIBRARY, ids=lambda spec: spec.name)
def test_every_library_tool_declares_its_output(spec: ToolSpec):
    assert spec.declares_output, f"{spec.name}: pass output_schema= (and flows=) to @tool"
    assert spec.output_schema["type"] in ("object", "array")


@pytest.mark.parametrize(
    "spec", [s for s in LIBRARY if s.name != "build_index"], ids=lambda spec: spec.name
)
def test_declared_flow_matches_the_old_guess(spec: ToolSpec):
    output = _sample(spec.name)
    assert flowing_value(output, spec) == main_value(output)


def test_build_index_hands_on_its_folder():
    """The guess found no path key here and passed the whole dict; the declaration fixes it."""
    spec = library_registry().get("build_index")
    output = {"index_dir": "/i", "method": "bm25", "added": 1, "total": 1}
    assert flowing_value(output, spec) == "/i"


def test_field_reference_names_another_field():
    registry = library_registry()
    outputs = {0: SAMPLES["merge"], 1: SAMPLES["retrieve_experts"]}
    producers = {0: registry.get("merge_ties"), 1: registry.get("retrieve_experts")}
    assert substitute("<node-0>", outputs, producers) == "/a/merged"
    assert substitute("<node-0>.method", outputs, producers) == "ties"
    assert substitute("<node-1>.score", outputs, producers) == [0.9, 0.1]
    assert substitute("in <node-1>", outputs, producers) == "in /e/1, /e/2"
    # a suffix that is no field stays text
    assert substitute("<node-0>.txt", outputs, producers) == "/a/merged.txt"


def test_undeclared_tool_falls_back_to_the_guess_with_a_warning(caplog):
    registry = ToolRegistry()

    @tool(capabilities=["x"], registry=registry, name="user_tool_without_schema")
    def user_tool(path: str) -> dict[str, Any]:
        """A user's tool."""
        return {"path": path, "size": 1}

    spec = registry.get("user_tool_without_schema")
    assert not spec.declares_output
    with caplog.at_level(logging.WARNING, logger="toolpath.agent.run.executor"):
        assert substitute("<node-0>", {0: {"path": "/p", "size": 1}}, {0: spec}) == "/p"
    assert "user_tool_without_schema declares no output_schema" in caplog.text


def test_flows_must_be_a_field_of_the_schema():
    schema = {"type": "object", "properties": {"out": {"type": "string"}}}
    with pytest.raises(ValueError, match="not a field"):
        ToolSpec(name="t", doc="d", output_schema=schema, flows="path")
    with pytest.raises(ValueError, match="needs an output_schema"):
        ToolSpec(name="t", doc="d", flows="out")


def test_declared_field_missing_from_the_output_is_an_error():
    spec = library_registry().get("apply_lora_adapter")
    with pytest.raises(KeyError, match="out"):
        flowing_value({"path": "/x"}, spec)


def test_mcp_schema_carries_object_output_schemas():
    registry = library_registry()
    merge = registry.get("merge_ties").mcp_schema()
    assert merge["outputSchema"]["properties"]["out"]["type"] == "string"
    assert "outputSchema" not in registry.get("search_index").mcp_schema()  # an array
