"""The second development question set of `toolpath bench functions` (functions_dev2.yaml):
10 questions per category, unique ids and texts, functions of its own (none shared with the
first development set or the blind held-out and fresh sets, which are only loaded here,
never shown), and every accepted answer names an offered function and validates against
its JSON schema. No LLM."""

from __future__ import annotations

import pytest

from question_set_checks import (
    check_counts,
    check_first_answer,
    check_functions_used,
    check_nothing_shared,
    check_question,
    check_variants,
    shipped,
)
from toolpath.evals import functions_bench as bench

DEV2_SET = "functions_dev2.yaml"
DEV2 = bench.load_questions(bench.question_file(DEV2_SET))
BY_ID = {q.id: q for q in DEV2}


def test_the_second_dev_set_has_ten_questions_per_category() -> None:
    check_counts(DEV2, dict.fromkeys(bench.CATEGORIES, 10), "dev2")
    assert len(BY_ID) == len(DEV2) == 50


def test_nothing_is_shared_with_the_other_sets() -> None:
    check_nothing_shared(DEV2, shipped(bench.DEV_SET, bench.HELDOUT_SET, bench.FRESH_SET))


def test_it_has_about_thirty_functions_each_offered_and_called() -> None:
    check_functions_used(bench.question_file(DEV2_SET), DEV2, (28, 34))


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_every_accepted_answer_names_an_offered_function_and_validates(
    question_id: str,
) -> None:
    check_question(BY_ID[question_id], irrelevance_offers_one=True)


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_the_first_answer(question_id: str) -> None:
    check_first_answer(BY_ID[question_id])


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_every_listed_variant_and_optional_value(question_id: str) -> None:
    """Each accepted spelling of each call (the others as first written) and each call
    with all its optional arguments is scored right; an invented argument is not."""
    check_variants(BY_ID[question_id])
