"""Import a JSON list of OpenAI-style function specs as a catalogue (bring your own tools).

Each entry is either `{"name", "description", "parameters"}` or the tools-API wrapping
`{"type": "function", "function": {...}}`; `parameters` is a JSON schema object. Such
tools take named arguments typed by their JSON schema (`typed_arguments`: the planner
makes function calls, see planners.function_calls), are planned and not run, and
declare no links (the planner then does not constrain the order of calls by types).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.spec import ToolSpec


class FunctionCatalogError(ValueError):
    """The function-spec file is missing or malformed."""


def _unwrap(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise FunctionCatalogError(f"{where}: expected an object, got {type(entry).__name__}")
    if entry.get("type") == "function" and isinstance(entry.get("function"), dict):
        return entry["function"]
    return entry


def _spec(entry: dict[str, Any], where: str) -> ToolSpec:
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise FunctionCatalogError(f"{where}: missing 'name'")
    parameters = entry.get("parameters") or {"type": "object", "properties": {}}
    if not isinstance(parameters, dict) or parameters.get("type", "object") != "object":
        raise FunctionCatalogError(f"{where} ({name}): 'parameters' must be a JSON schema object")
    parameters = {"type": "object", "properties": {}, **parameters}
    if not isinstance(parameters["properties"], dict):
        raise FunctionCatalogError(f"{where} ({name}): 'parameters.properties' must be an object")
    try:
        return ToolSpec(name=name, doc=str(entry.get("description", "")), parameters=parameters)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"]
        raise FunctionCatalogError(f"{where} ({name!r}): {message}") from exc


def function_specs(entries: Any, source: str = "functions") -> list[ToolSpec]:
    """ToolSpecs from an already-parsed list of function specs."""
    if isinstance(entries, dict):  # {"tools": [...]} or {"functions": [...]}
        entries = entries.get("tools", entries.get("functions"))
    if not isinstance(entries, list):
        raise FunctionCatalogError(f"{source}: expected a JSON list of function specs")
    specs = [_spec(_unwrap(e, f"{source}[{i}]"), f"{source}[{i}]") for i, e in enumerate(entries)]
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise FunctionCatalogError(f"{source}: function {spec.name!r} is defined twice")
        seen.add(spec.name)
    if not specs:
        raise FunctionCatalogError(f"{source}: the list of functions is empty")
    return specs


def load_function_catalog(path: str | Path) -> Catalog:
    """A catalogue of named-argument tools from a JSON file of OpenAI function specs."""
    path = Path(path)
    if not path.is_file():
        raise FunctionCatalogError(f"function catalogue {str(path)!r} does not exist")
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FunctionCatalogError(f"{str(path)!r} is not valid JSON: {exc}") from exc
    specs = function_specs(entries, str(path))
    return function_catalog(specs, f"functions:{path.stem}")


def function_catalog(specs: list[ToolSpec], name: str = "functions") -> Catalog:
    """A catalogue of OpenAI functions: named, typed arguments and no links."""
    return Catalog(name=name, tools=specs, links=None, argument_style="named", typed_arguments=True)
