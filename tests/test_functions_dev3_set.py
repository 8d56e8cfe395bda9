"""The third development question set of `toolpath bench functions` (functions_dev3.yaml):
40 questions weighted toward picking the right function among several close ones (16
multiple, 6 simple, 8 irrelevance, 5 parallel, 5 parallel_multiple), unique ids and texts,
functions of its own (none shared with the first and second development sets or the blind
held-out and fresh sets, which are only loaded here, never shown), and every accepted
answer names an offered function and validates against its JSON schema. No LLM."""

from __future__ import annotations

import pytest

from question_set_checks import (
    check_counts,
    check_first_answer,
    check_functions_used,
    check_nothing_shared,
    check_question,
    check_variants,
    family,
    shipped,
)
from toolpath.evals import functions_bench as bench

DEV3_SET = "functions_dev3.yaml"
DEV3 = bench.load_questions(bench.question_file(DEV3_SET))
BY_ID = {q.id: q for q in DEV3}
COUNTS = {"simple": 6, "multiple": 16, "parallel": 5, "parallel_multiple": 5, "irrelevance": 8}


def test_the_third_dev_set_is_weighted_toward_multiple() -> None:
    check_counts(DEV3, COUNTS, "dev3")
    assert len(BY_ID) == len(DEV3) == 40


def test_nothing_is_shared_with_the_other_sets() -> None:
    check_nothing_shared(
        DEV3, shipped(bench.DEV_SET, bench.HELDOUT_SET, bench.FRESH_SET, "functions_dev2.yaml")
    )


def test_it_has_about_thirty_functions_each_offered_and_called() -> None:
    check_functions_used(bench.question_file(DEV3_SET), DEV3, (25, 35))


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_every_accepted_answer_names_an_offered_function_and_validates(
    question_id: str,
) -> None:
    question = BY_ID[question_id]
    check_question(question, multiple_offers=(4, 8))  # more functions than the shared default
    if question.category == "irrelevance":
        assert 2 <= len(question.functions) <= 5


@pytest.mark.parametrize(
    "question_id", sorted(i for i, q in BY_ID.items() if q.category in ("multiple", "irrelevance"))
)
def test_the_offered_functions_are_close_ones(question_id: str) -> None:
    """A multiple question offers, beside the right function, another of its family (same
    first name word: flight_live_status beside flight_offers_search); an irrelevance
    question's functions are of at most two families, on the subject of the request."""
    question = BY_ID[question_id]
    families = [family(f["name"]) for f in question.functions]
    if question.category == "irrelevance":
        assert len(set(families)) <= 2
        return
    right = {family(c["name"]) for alt in question.answers for c in alt}
    assert len(right) == 1
    assert families.count(right.pop()) >= 2


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_the_first_answer(question_id: str) -> None:
    check_first_answer(BY_ID[question_id])


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_every_listed_variant_and_optional_value(question_id: str) -> None:
    """Each accepted spelling of each call (the others as first written) and each call
    with all its optional arguments is scored right; an invented argument is not."""
    check_variants(BY_ID[question_id])
