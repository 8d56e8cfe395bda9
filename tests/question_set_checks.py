"""Shared checks of `toolpath bench functions` question sets (held-out and fresh): the
function library is valid and used, and each accepted call validates against its schema."""

from __future__ import annotations

import copy
import itertools
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from toolpath.evals.functions_bench import Question


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with `additionalProperties: false` on every object with properties, so
    a misspelt argument name (at any depth) fails validation."""
    schema = copy.deepcopy(schema)
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return schema


def concrete(value: Any) -> list[Any]:
    """Every concrete value an accepted value stands for (each choice of each `any`)."""
    if isinstance(value, dict) and set(value) == {"any"}:
        return [v for choice in value["any"] for v in concrete(choice)]
    if isinstance(value, list):
        return [list(c) for c in itertools.product(*(concrete(v) for v in value))]
    if isinstance(value, dict):
        keys = list(value)
        return [
            dict(zip(keys, c, strict=True))
            for c in itertools.product(*(concrete(value[k]) for k in keys))
        ]
    return [value]


def check_library(source: Traversable, questions: list[Question]) -> None:
    """Every function of the set's library is described, a valid schema, and offered."""
    library = yaml.safe_load(source.read_text(encoding="utf-8"))["functions"]
    assert {f["name"] for q in questions for f in q.functions} == set(library)
    for name, spec in library.items():
        assert spec["description"], name
        Draft202012Validator.check_schema(spec["parameters"])
        assert set(spec["parameters"].get("required", [])) <= set(spec["parameters"]["properties"])


def check_calls(alternative: list[dict[str, Any]], schemas: dict[str, dict[str, Any]]) -> None:
    """Each accepted call names an offered function, gives its required parameters, and
    validates against its (closed) schema with and without the optional values."""
    for call in alternative:
        assert set(call) <= {"name", "args", "optional"}
        assert call["name"] in schemas, f"{call['name']} is not offered"
        schema = schemas[call["name"]]
        args, optional = call.get("args", {}), call.get("optional", {})
        assert not set(args) & set(optional)
        assert set(schema.get("required", [])) <= set(args)
        validator = Draft202012Validator(schema)
        for arguments in concrete({**args, **optional}) + concrete(args):
            errors = [e.message for e in validator.iter_errors(arguments)]
            assert not errors, f"{call['name']} {arguments}: {errors}"
