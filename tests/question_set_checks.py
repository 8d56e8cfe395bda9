"""Shared checks of `toolpath bench functions` question sets (held-out, fresh and dev2): the
function library is valid and used, and each accepted call validates against its schema."""

from __future__ import annotations

import copy
import itertools
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from toolpath.evals.functions_bench import Question, is_correct


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


def check_question(question: Question, *, irrelevance_offers_one: bool = False) -> None:
    """The question offers what its category needs (one function for simple and parallel,
    3-5 for multiple, several otherwise, or one for irrelevance where the set allows it)
    and every accepted answer has the category's shape and validates."""
    schemas = {f["name"]: closed(f["parameters"]) for f in question.functions}
    offered = len(question.functions)
    assert offered == len(schemas), "a function is offered twice"
    if question.category in ("simple", "parallel"):
        assert offered == 1
    elif not (question.category == "irrelevance" and irrelevance_offers_one):
        assert offered >= 2
    if question.category == "multiple":
        assert 3 <= offered <= 5
    assert question.answers, "no accepted answer"
    if question.category == "irrelevance":
        assert question.answers == [[]]
        return
    for alternative in question.answers:
        assert alternative, "only irrelevance questions accept no call"
        names = [c["name"] for c in alternative]
        if question.category in ("simple", "multiple"):
            assert len(alternative) == 1
        if question.category == "parallel":
            assert 2 <= len(alternative) <= 4 and len(set(names)) == 1
        if question.category == "parallel_multiple":
            assert 2 <= len(set(names)) <= 3 and len(alternative) >= 2
        check_calls(alternative, schemas)


def check_first_answer(question: Question) -> None:
    """The scorer accepts the first accepted answer in either order, and not a part of it."""
    answer = question.answers[0]
    bare = [{"name": c["name"], "arguments": concrete(c.get("args", {}))[0]} for c in answer]
    assert is_correct(question, bare)
    assert is_correct(question, list(reversed(bare)))
    if question.category != "irrelevance":
        assert not is_correct(question, [])
        assert not is_correct(question, bare[:-1])
