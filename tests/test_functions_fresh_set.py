"""The fresh (third) question set of `toolpath bench functions` (functions_fresh.yaml): 12
questions per category, unique ids, new functions, and every accepted answer names an
offered function and validates against its JSON schema. No LLM."""

from __future__ import annotations

import pytest

from question_set_checks import check_first_answer, check_library, check_question
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
    check_question(BY_ID[question_id])


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_the_first_answer(question_id: str) -> None:
    check_first_answer(BY_ID[question_id])
