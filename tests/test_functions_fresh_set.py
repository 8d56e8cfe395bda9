"""The fresh (third) question set of `toolpath bench functions` (functions_fresh.yaml): 12
questions per category, unique ids, new functions, and every accepted answer names an
offered function and validates against its JSON schema. No LLM."""

from __future__ import annotations

import pytest

from question_set_checks import check_calls, check_library, closed, concrete
from toolpath.evals import functions_bench as bench

FRESH_SET = "functions_fresh.yaml"
FRESH = bench.load_questions(bench.question_file(FRESH_SET))
BY_ID = {q.id: q for q in FRESH}


def test_the_fresh_set_has_twelve_new_questions_per_category() -> None:
    counts = {c: sum(q.category == c for q in FRESH) for c in bench.CATEGORIES}
    assert counts == dict.fromkeys(bench.CATEGORIES, 12)
    assert len(BY_ID) == len(FRESH) == 60
    for q in FRESH:
        prefix = f"fresh-{q.category.replace('_', '-')}-"
        assert q.id.startswith(prefix) and q.id.removeprefix(prefix).isdigit(), q.id
    older = bench.load_questions() + bench.load_questions(bench.question_file(bench.HELDOUT_SET))
    assert not {q.id for q in older} & set(BY_ID)
    assert not {q.question.casefold() for q in older} & {q.question.casefold() for q in FRESH}
    old_functions = {f["name"] for q in older for f in q.functions}
    new_functions = {f["name"] for q in FRESH for f in q.functions}
    assert not old_functions & new_functions, "the fresh set must use new functions"


def test_every_function_of_the_library_is_a_valid_schema_and_used() -> None:
    check_library(bench.question_file(FRESH_SET), FRESH)


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_every_accepted_answer_names_an_offered_function_and_validates(
    question_id: str,
) -> None:
    question = BY_ID[question_id]
    schemas = {f["name"]: closed(f["parameters"]) for f in question.functions}
    offered = len(question.functions)
    assert offered == len(schemas), "a function is offered twice"
    assert offered == 1 if question.category in ("simple", "parallel") else offered >= 2
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
            assert 2 <= len(set(names)) <= 3
        check_calls(alternative, schemas)


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_the_first_answer(question_id: str) -> None:
    question = BY_ID[question_id]
    answer = question.answers[0]
    bare = [{"name": c["name"], "arguments": concrete(c.get("args", {}))[0]} for c in answer]
    assert bench.is_correct(question, bare)
    assert bench.is_correct(question, list(reversed(bare)))
    if question.category != "irrelevance":
        assert not bench.is_correct(question, [])
        assert not bench.is_correct(question, bare[:-1])
