"""ToolSpec, the @tool decorator, the registry and schema export."""

import pytest
from pydantic import BaseModel, ValidationError

from toolpath.tools.registry import ToolRegistry, UnknownToolError, tool
from toolpath.tools.spec import CostPrior, ToolSpec


class ScaleParams(BaseModel):
    factor: float
    label: str = "x"


def test_tool_from_signature_validates_and_calls() -> None:
    registry = ToolRegistry()

    @tool(
        capabilities=["add"],
        inputs=["text"],
        outputs=["text"],
        cost=2.5,
        quality=0.9,
        registry=registry,
    )
    def add(a: int, b: int = 1) -> int:
        """Add two integers."""
        return a + b

    spec = registry.get("add")
    assert spec.doc == "Add two integers."
    assert spec.cost == CostPrior(seconds=2.5)
    assert spec.parameters["required"] == ["a"]
    assert spec.invoke({"a": "2", "b": 3}) == 5  # pydantic coerces "2"
    with pytest.raises(ValidationError):
        spec.invoke({"b": 3})


def test_tool_taking_a_pydantic_model() -> None:
    registry = ToolRegistry()

    @tool(capabilities=["scale"], registry=registry)
    def scale(params: ScaleParams) -> str:
        """Scale by a factor."""
        return f"{params.label}*{params.factor}"

    spec = registry.get("scale")
    assert set(spec.parameters["properties"]) == {"factor", "label"}
    assert spec.invoke({"factor": 2}) == "x*2.0"


def test_openai_and_mcp_export() -> None:
    spec = ToolSpec(name="t", doc="Does t.", parameters={"type": "object", "properties": {}})
    schema = spec.openai_schema()
    assert schema["type"] == "function"
    assert schema["function"]["name"] == "t"
    assert schema["function"]["description"] == "Does t."
    assert spec.mcp_schema()["inputSchema"] == spec.parameters
    assert spec.capabilities == ["t"]  # a tool with no capability serves its own name


def test_registry_errors() -> None:
    registry = ToolRegistry([ToolSpec(name="merge_ties", doc="d")])
    with pytest.raises(ValueError, match="already registered"):
        registry.add(ToolSpec(name="merge_ties", doc="d"))
    with pytest.raises(UnknownToolError, match="did you mean 'merge_ties'"):
        registry.get("merge_tie")


def test_spec_validation() -> None:
    with pytest.raises(ValidationError, match="resource type"):
        ToolSpec(name="t", doc="d", inputs=["Not A Type!"])
    with pytest.raises(ValidationError):
        ToolSpec(name="t", doc="d", quality=1.5)
    with pytest.raises(ValueError, match="needs a doc"):
        tool(capabilities=["x"], registry=ToolRegistry())(lambda: None)


def test_catalogue_tool_cannot_run() -> None:
    with pytest.raises(RuntimeError, match="cannot be run"):
        ToolSpec(name="t", doc="d").invoke({})


def test_cost_prior_scales() -> None:
    assert CostPrior(seconds=1, per_unit=10, unit="billion_params").expected(0.5) == 6.0
