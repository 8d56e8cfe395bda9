"""The fresh question sets of `toolpath bench functions` written by helpers that saw neither
the planner's code nor any model output (functions_fresh3.yaml ... functions_fresh28.yaml,
`--set fresh3` ... `--set fresh28`): 60 questions each, 12 per category, unique ids and
texts, 30-40 functions of their own (none shared with any other set, which are only loaded
here, never shown), each offered and called; every accepted answer names an offered
function and validates against its JSON schema, and the scorer accepts each listed
variant. No LLM."""

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

SETS = {
    "fresh3": bench.FRESH3_SET, "fresh4": bench.FRESH4_SET, "fresh5": bench.FRESH5_SET,
    "fresh6": bench.FRESH6_SET, "fresh7": bench.FRESH7_SET, "fresh8": bench.FRESH8_SET,
    "fresh9": bench.FRESH9_SET, "fresh10": bench.FRESH10_SET, "fresh11": bench.FRESH11_SET,
    "fresh12": bench.FRESH12_SET, "fresh13": bench.FRESH13_SET,
    "fresh14": bench.FRESH14_SET, "fresh15": bench.FRESH15_SET, "fresh16": bench.FRESH16_SET,
    "fresh17": bench.FRESH17_SET, "fresh18": bench.FRESH18_SET, "fresh19": bench.FRESH19_SET,
    "fresh20": bench.FRESH20_SET, "fresh21": bench.FRESH21_SET, "fresh22": bench.FRESH22_SET,
    "fresh23": bench.FRESH23_SET, "fresh24": bench.FRESH24_SET, "fresh25": bench.FRESH25_SET,
    "fresh26": bench.FRESH26_SET, "fresh27": bench.FRESH27_SET,
    "fresh28": bench.FRESH28_SET,
}  # fmt: skip
QUESTIONS = {key: bench.load_questions(bench.question_file(name)) for key, name in SETS.items()}
EVERY_SET = (
    bench.DEV_SET, "functions_dev2.yaml", "functions_dev3.yaml", bench.HELDOUT_SET,
    bench.FRESH_SET, bench.FRESH2_SET, *SETS.values(),
)  # fmt: skip


@pytest.mark.parametrize("key", SETS)
def test_the_set_is_registered_with_twelve_questions_per_category(key: str) -> None:
    questions = QUESTIONS[key]
    assert bench.QUESTION_SETS[key] == SETS[key]
    check_counts(questions, dict.fromkeys(bench.CATEGORIES, 12), key)
    assert len({q.id for q in questions}) == len(questions) == 60


@pytest.mark.parametrize("key", SETS)
def test_nothing_is_shared_with_the_other_sets(key: str) -> None:
    check_nothing_shared(QUESTIONS[key], shipped(*(s for s in EVERY_SET if s != SETS[key])))


@pytest.mark.parametrize("key", SETS)
def test_its_functions_are_its_own_each_offered_and_called(key: str) -> None:
    check_functions_used(bench.question_file(SETS[key]), QUESTIONS[key], (30, 40))


@pytest.mark.parametrize(
    "question", [q for questions in QUESTIONS.values() for q in questions], ids=lambda q: q.id
)
def test_every_answer_validates_and_the_scorer_accepts_its_variants(
    question: bench.Question,
) -> None:
    check_question(question, multiple_offers=(3, 6))
    check_first_answer(question)
    check_variants(question)
