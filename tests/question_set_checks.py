"""Shared checks of `toolpath bench functions` question sets (held-out, fresh sets, dev2, dev3): the
function library is valid and used, and each accepted call validates against its schema."""

from __future__ import annotations

import copy
import itertools
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from toolpath.evals.functions_bench import (
    CATEGORIES,
    Question,
    is_correct,
    load_questions,
    question_file,
)


def shipped(*names: str) -> list[Question]:
    """The questions of the shipped question sets `names`, in order."""
    return [q for name in names for q in load_questions(question_file(name))]


def family(function_name: str) -> str:
    """A function's family: its name's first word (flight_live_status: flight)."""
    return function_name.split("_", 1)[0]


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


def check_question(
    question: Question,
    *,
    irrelevance_offers_one: bool = False,
    multiple_offers: tuple[int, int] = (3, 5),
) -> None:
    """The question offers what its category needs (one function for simple and parallel,
    `multiple_offers` for multiple, several otherwise, or one for irrelevance where the set
    allows it) and every accepted answer has the category's shape and validates."""
    schemas = {f["name"]: closed(f["parameters"]) for f in question.functions}
    offered = len(question.functions)
    assert offered == len(schemas), "a function is offered twice"
    if question.category in ("simple", "parallel"):
        assert offered == 1
    elif not (question.category == "irrelevance" and irrelevance_offers_one):
        assert offered >= 2
    if question.category == "multiple":
        assert multiple_offers[0] <= offered <= multiple_offers[1]
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


def check_ids_and_texts(questions: list[Question], tag: str) -> None:
    """Ids read `<tag>-<category>-NN` (category with dashes); no question text repeats."""
    for q in questions:
        prefix = f"{tag}-{q.category.replace('_', '-')}-"
        assert q.id.startswith(prefix) and q.id.removeprefix(prefix).isdigit(), q.id
    texts = [q.question.casefold() for q in questions]
    assert len(set(texts)) == len(texts), "a question text is repeated"


def check_nothing_shared(questions: list[Question], others: list[Question]) -> None:
    """No id, question text or function name of `questions` is in `others`. Only booleans
    are asserted, so a failure shows nothing of a blind set."""
    shared_ids = bool({q.id for q in others} & {q.id for q in questions})
    shared_texts = bool(
        {q.question.casefold() for q in others} & {q.question.casefold() for q in questions}
    )
    old_functions = {f["name"] for q in others for f in q.functions}
    shared_functions = bool(old_functions & {f["name"] for q in questions for f in q.functions})
    assert not shared_ids, "an id is used by another set"
    assert not shared_texts, "a question text is in another set"
    assert not shared_functions, "the set must use new functions"


def check_variants(question: Question) -> None:
    """Each accepted spelling of each call (the others as first written) and each call
    with all its optional arguments is scored right; an invented argument is not."""
    answer = question.answers[0]
    first = [{"name": c["name"], "arguments": concrete(c.get("args", {}))[0]} for c in answer]
    for i, call in enumerate(answer):
        variants = concrete(call.get("args", {})) + [
            {**concrete(call.get("args", {}))[0], **extra}
            for extra in concrete(call.get("optional", {}))
        ]
        for arguments in variants:
            calls = [*first[:i], {"name": call["name"], "arguments": arguments}, *first[i + 1 :]]
            assert is_correct(question, calls), (call["name"], arguments)
        invented = {**first[i]["arguments"], "not_a_parameter": 1}
        calls = [*first[:i], {"name": call["name"], "arguments": invented}, *first[i + 1 :]]
        assert not is_correct(question, calls)


def check_counts(questions: list[Question], counts: dict[str, int], tag: str) -> None:
    """The set has `counts` questions per category, unique ids (`tag`-...) and texts."""
    assert set(counts) == set(CATEGORIES)
    assert {c: sum(q.category == c for q in questions) for c in CATEGORIES} == counts
    check_ids_and_texts(questions, tag)


def check_functions_used(
    source: Traversable, questions: list[Question], bounds: tuple[int, int]
) -> None:
    """The library is valid (`check_library`), offers `bounds` functions in all, and each
    offered function is called by some accepted answer."""
    check_library(source, questions)
    offered = {f["name"] for q in questions for f in q.functions}
    called = {c["name"] for q in questions for alt in q.answers for c in alt}
    assert bounds[0] <= len(offered) <= bounds[1]
    assert called == offered, f"offered but never called: {sorted(offered - called)}"
