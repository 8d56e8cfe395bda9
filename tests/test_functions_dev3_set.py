"""The third development question set of `toolpath bench functions` (functions_dev3.yaml):
40 questions weighted toward picking the right function among several close ones (16
multiple, 6 simple, 8 irrelevance, 5 parallel, 5 parallel_multiple), unique ids and texts,
functions of its own (none shared with the first and second development sets or the blind
held-out and fresh sets, which are only loaded here, never shown), and every accepted
answer names an offered function and validates against its JSON schema. No LLM."""

from __future__ import annotations

import pytest

from question_set_checks import (
    check_calls,
    check_first_answer,
    check_library,
    check_question,
    closed,
    concrete,
)
from toolpath.evals import functions_bench as bench

DEV3_SET = "functions_dev3.yaml"
DEV3 = bench.load_questions(bench.question_file(DEV3_SET))
BY_ID = {q.id: q for q in DEV3}
COUNTS = {"simple": 6, "multiple": 16, "parallel": 5, "parallel_multiple": 5, "irrelevance": 8}


def _other_sets() -> list[bench.Question]:
    return [
        q
        for name in (bench.DEV_SET, bench.HELDOUT_SET, bench.FRESH_SET, "functions_dev2.yaml")
        for q in bench.load_questions(bench.question_file(name))
    ]


def _family(name: str) -> str:
    return name.split("_", 1)[0]


def test_the_third_dev_set_is_weighted_toward_multiple() -> None:
    assert set(COUNTS) == set(bench.CATEGORIES)
    counts = {c: sum(q.category == c for q in DEV3) for c in bench.CATEGORIES}
    assert counts == COUNTS
    assert len(BY_ID) == len(DEV3) == 40
    for q in DEV3:
        prefix = f"dev3-{q.category.replace('_', '-')}-"
        assert q.id.startswith(prefix) and q.id.removeprefix(prefix).isdigit(), q.id
    texts = [q.question.casefold() for q in DEV3]
    assert len(set(texts)) == len(texts), "a question text is repeated"


def test_nothing_is_shared_with_the_other_sets() -> None:
    # Only booleans are asserted so that a failure shows nothing of the blind sets.
    others = _other_sets()
    shared_ids = bool({q.id for q in others} & set(BY_ID))
    shared_texts = bool(
        {q.question.casefold() for q in others} & {q.question.casefold() for q in DEV3}
    )
    old_functions = {f["name"] for q in others for f in q.functions}
    shared_functions = bool(old_functions & {f["name"] for q in DEV3 for f in q.functions})
    assert not shared_ids, "an id is used by another set"
    assert not shared_texts, "a question text is in another set"
    assert not shared_functions, "the third dev set must use new functions"


def test_it_has_about_thirty_functions_each_offered_and_called() -> None:
    check_library(bench.question_file(DEV3_SET), DEV3)
    offered = {f["name"] for q in DEV3 for f in q.functions}
    called = {c["name"] for q in DEV3 for alt in q.answers for c in alt}
    assert 25 <= len(offered) <= 35
    assert called == offered, f"offered but never called: {sorted(offered - called)}"


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_every_accepted_answer_names_an_offered_function_and_validates(
    question_id: str,
) -> None:
    question = BY_ID[question_id]
    offered = len(question.functions)
    if question.category != "multiple":
        check_question(question)
        if question.category == "irrelevance":
            assert 2 <= offered <= 5
        return
    # multiple: 4-8 functions (more than the shared check allows), one call each answer.
    schemas = {f["name"]: closed(f["parameters"]) for f in question.functions}
    assert offered == len(schemas), "a function is offered twice"
    assert 4 <= offered <= 8
    assert question.answers, "no accepted answer"
    for alternative in question.answers:
        assert len(alternative) == 1
        check_calls(alternative, schemas)


@pytest.mark.parametrize(
    "question_id", sorted(i for i, q in BY_ID.items() if q.category in ("multiple", "irrelevance"))
)
def test_the_offered_functions_are_close_ones(question_id: str) -> None:
    """A multiple question offers, beside the right function, another of its family (same
    first name word: flight_live_status beside flight_offers_search); an irrelevance
    question's functions are of at most two families, on the subject of the request."""
    question = BY_ID[question_id]
    families = [_family(f["name"]) for f in question.functions]
    if question.category == "irrelevance":
        assert len(set(families)) <= 2
        return
    right = {_family(c["name"]) for alt in question.answers for c in alt}
    assert len(right) == 1
    assert families.count(right.pop()) >= 2


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_the_first_answer(question_id: str) -> None:
    check_first_answer(BY_ID[question_id])


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_every_listed_variant_and_optional_value(question_id: str) -> None:
    """Each accepted spelling of each call (the others as first written) and each call
    with all its optional arguments is scored right; an invented argument is not."""
    question = BY_ID[question_id]
    answer = question.answers[0]
    first = [{"name": c["name"], "arguments": concrete(c.get("args", {}))[0]} for c in answer]
    for i, call in enumerate(answer):
        variants = concrete(call.get("args", {})) + [
            {**concrete(call.get("args", {}))[0], **extra}
            for extra in concrete(call.get("optional", {}))
        ]
        for arguments in variants:
            calls = [*first[:i], {"name": call["name"], "arguments": arguments}, *first[i + 1 :]]
            assert bench.is_correct(question, calls), (call["name"], arguments)
        invented = {**first[i]["arguments"], "not_a_parameter": 1}
        calls = [*first[:i], {"name": call["name"], "arguments": invented}, *first[i + 1 :]]
        assert not bench.is_correct(question, calls)
