"""Import TaskBench tool graphs (huggingface, multimedia, dailylifeapis) as catalogues.

TaskBench (Shen et al. 2023, microsoft/JARVIS, MIT licence) is not shipped with toolpath.
Its data directory is found, in order, from an explicit path, the env var
`TOOLPATH_TASKBENCH_DIR`, or `../shared/taskbench/` beside the repository.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from toolpath.tools.catalogs.catalog import Catalog, CatalogLink
from toolpath.tools.spec import ToolSpec

DOMAINS = ("huggingface", "multimedia", "dailylifeapis")
ENV_VAR = "TOOLPATH_TASKBENCH_DIR"
_SHARED = Path("shared") / "taskbench"
_HOW_TO_GET = (
    "TaskBench data comes from the public TaskBench release (microsoft/JARVIS, folder "
    "taskbench/, MIT licence; data set microsoft/Taskbench). Put each domain's "
    "tool_desc.json, graph_desc.json and data.jsonl in <dir>/<domain>/ and pass "
    f"--data-dir <dir> or set {ENV_VAR}."
)
# TaskBench parameter types -> JSON schema fragments.
_PARAM_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "float": {"type": "number"},
    "boolean": {"type": "boolean"},
}


class TaskBenchDataError(RuntimeError):
    """The TaskBench data directory is missing or malformed."""


def default_data_dirs() -> list[Path]:
    """Where toolpath looks without --data-dir or the env var: `shared/taskbench` beside the
    source checkout toolpath runs from (when it does), then in the working directory and
    each folder above it (`../shared/taskbench` from a clone beside `shared/`)."""
    places = []
    checkout = next(
        (p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file()), None
    )
    if checkout is not None:
        places.append(checkout.parent / _SHARED)
    cwd = Path.cwd().resolve()
    places += [folder / _SHARED for folder in (cwd, *cwd.parents)]
    return list(dict.fromkeys(places))


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """Where the TaskBench data lives: explicit path, then env var, then the defaults."""
    if data_dir is not None:
        candidates, origin = [Path(data_dir)], "--data-dir"
    elif os.environ.get(ENV_VAR):
        candidates, origin = [Path(os.environ[ENV_VAR])], ENV_VAR
    else:
        candidates, origin = default_data_dirs(), "the default locations"
    found = next((c for c in candidates if c.is_dir()), None)
    if found is None:
        listed = ", ".join(repr(str(c)) for c in candidates[:4])
        raise TaskBenchDataError(
            f"TaskBench data directory not found (from {origin}: {listed}). " + _HOW_TO_GET
        )
    return found


def domain_dir(domain: str, data_dir: str | Path | None = None) -> Path:
    if domain not in DOMAINS:
        raise TaskBenchDataError(
            f"unknown TaskBench domain {domain!r}; choose one of {', '.join(DOMAINS)}"
        )
    path = resolve_data_dir(data_dir) / domain
    if not path.is_dir():
        raise TaskBenchDataError(
            f"no folder for domain {domain!r} at {str(path)!r}. " + _HOW_TO_GET
        )
    return path


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise TaskBenchDataError(f"missing file {str(path)!r}. " + _HOW_TO_GET)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TaskBenchDataError(
            f"{str(path)!r} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from exc


def _field(node: dict[str, Any], key: str, path: Path, index: int) -> Any:
    if key not in node:
        raise TaskBenchDataError(f"{str(path)!r}: node {index} has no {key!r} field")
    return node[key]


def _parameters_schema(params: list[dict[str, Any]]) -> dict[str, Any]:
    properties = {
        p["name"]: {
            **_PARAM_TYPES.get(p.get("type", "string"), {"type": "string"}),
            "description": p.get("desc", ""),
        }
        for p in params
    }
    return {"type": "object", "properties": properties, "required": list(properties)}


def _resource_parameters(inputs: list[str]) -> dict[str, Any]:
    """Resource-style tools take a positional list of arguments, one per input."""
    return {
        "type": "object",
        "properties": {
            "arguments": {
                "type": "array",
                "items": {"type": "string"},
                "description": "inputs in order ("
                + ", ".join(inputs)
                + "); '<node-j>' names the output of step j",
            }
        },
        "required": ["arguments"],
    }


def _spec_from_node(node: dict[str, Any], path: Path, index: int) -> ToolSpec:
    name = _field(node, "id", path, index)
    doc = _field(node, "desc", path, index)
    if "parameters" in node:  # dailylifeapis: named parameters, no resource types
        return ToolSpec(name=name, doc=doc, parameters=_parameters_schema(node["parameters"]))
    inputs = _field(node, "input-type", path, index)
    outputs = _field(node, "output-type", path, index)
    return ToolSpec(
        name=name,
        doc=doc,
        inputs=inputs,
        outputs=outputs,
        parameters=_resource_parameters(inputs),
    )


# The graph planner's LLM bonus where a domain's pool folds chose another than the default
# (nested cross-validation over the five folds' recorded first answers, session 29:
# `python reports/taskbench/folds/session29/bonus_recheck.py`): on huggingface the model's
# own tool names helped on no fold, and leaving them out raised e-F1 on the held-out folds
# by 2.2 pooled; multimedia's choice (1.0) lost 1.2 held out, so it keeps the default.
_MODEL_TOOL_BONUS = {"huggingface": 0.0}


def load_taskbench_catalog(domain: str, data_dir: str | Path | None = None) -> Catalog:
    """The tools and the tool graph of one TaskBench domain."""
    folder = domain_dir(domain, data_dir)
    tools_path, graph_path = folder / "tool_desc.json", folder / "graph_desc.json"
    tool_nodes = _read_json(tools_path)
    graph = _read_json(graph_path)
    if not isinstance(tool_nodes, dict) or not isinstance(tool_nodes.get("nodes"), list):
        raise TaskBenchDataError(f"{str(tools_path)!r}: expected {{'nodes': [...]}}")
    if not isinstance(graph, dict) or not isinstance(graph.get("links"), list):
        raise TaskBenchDataError(
            f"{str(graph_path)!r}: expected {{'nodes': [...], 'links': [...]}}"
        )
    specs = [_spec_from_node(node, tools_path, i) for i, node in enumerate(tool_nodes["nodes"])]
    known = {spec.name for spec in specs}
    links = []
    for i, link in enumerate(graph["links"]):
        source, target = (
            _field(link, "source", graph_path, i),
            _field(link, "target", graph_path, i),
        )
        if source not in known or target not in known:
            raise TaskBenchDataError(
                f"{str(graph_path)!r}: link {i} ({source!r} -> {target!r}) names an unknown tool"
            )
        links.append(CatalogLink(source=source, target=target, type=link.get("type", "complete")))
    style = "named" if domain == "dailylifeapis" else "resource"
    return Catalog(
        name=f"taskbench:{domain}",
        tools=specs,
        links=links,
        argument_style=style,
        model_tool_bonus=_MODEL_TOOL_BONUS.get(domain),
    )
