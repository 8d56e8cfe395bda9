"""The fourth fresh blind question set of `toolpath bench functions` (functions_fresh4.yaml,
`--set fresh4`), written by a helper that saw neither the planner's code nor any model
output: 60 questions, 12 per category, unique ids and texts, 30-40 functions of its own
(none shared with the other sets, fresh3 included, which are only loaded here, never
shown), each offered and called; every accepted answer names an offered function and
validates against its JSON schema, and the scorer accepts each listed variant. No LLM."""

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

FRESH4 = bench.load_questions(bench.question_file(bench.FRESH4_SET))
BY_ID = {q.id: q for q in FRESH4}
OTHER_SETS = (
    bench.DEV_SET, "functions_dev2.yaml", "functions_dev3.yaml", bench.HELDOUT_SET,
    bench.FRESH_SET, bench.FRESH2_SET, bench.FRESH3_SET,
)  # fmt: skip


def test_the_set_is_registered_with_twelve_questions_per_category() -> None:
    assert bench.QUESTION_SETS["fresh4"] == bench.FRESH4_SET
    check_counts(FRESH4, dict.fromkeys(bench.CATEGORIES, 12), "fresh4")
    assert len(BY_ID) == len(FRESH4) == 60


def test_nothing_is_shared_with_the_other_sets() -> None:
    check_nothing_shared(FRESH4, shipped(*OTHER_SETS))


def test_its_functions_are_its_own_each_offered_and_called() -> None:
    check_functions_used(bench.question_file(bench.FRESH4_SET), FRESH4, (30, 40))


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_every_answer_validates_and_the_scorer_accepts_its_variants(question_id: str) -> None:
    question = BY_ID[question_id]
    check_question(question, multiple_offers=(3, 6))
    check_first_answer(question)
    check_variants(question)
