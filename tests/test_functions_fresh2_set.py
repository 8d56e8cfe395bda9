"""The second fresh blind question set of `toolpath bench functions` (functions_fresh2.yaml,
`--set fresh2`): 60 questions, 12 per category, unique ids and texts, about thirty functions
of its own (none shared with the dev, dev2, dev3, held-out and fresh sets, which are only
loaded here, never shown), each offered and called; every accepted answer names an offered
function and validates against its JSON schema, and an argument left unmentioned is accepted
only at the default its description states. No LLM."""

from __future__ import annotations

import re
from typing import Any

import pytest

from question_set_checks import (
    check_counts,
    check_first_answer,
    check_functions_used,
    check_nothing_shared,
    check_question,
    check_variants,
    concrete,
    family,
    shipped,
)
from toolpath.evals import functions_bench as bench

FRESH2 = bench.load_questions(bench.question_file(bench.FRESH2_SET))
BY_ID = {q.id: q for q in FRESH2}
COUNTS = dict.fromkeys(bench.CATEGORIES, 12)
OTHER_SETS = (
    bench.DEV_SET, "functions_dev2.yaml", "functions_dev3.yaml", bench.HELDOUT_SET,
    bench.FRESH_SET,
)  # fmt: skip
_DEFAULT = re.compile(r"\bdefault ([A-Za-z0-9_.]+)")


def _stated_default(spec: dict[str, Any]) -> str | None:
    """The default a parameter's description states ("default 30" -> "30"), if any."""
    match = _DEFAULT.search(spec.get("description", ""))
    return match.group(1) if match else None


def _as_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_the_set_is_registered_as_fresh2() -> None:
    assert bench.QUESTION_SETS["fresh2"] == bench.FRESH2_SET == "functions_fresh2.yaml"


def test_the_set_has_twelve_questions_per_category() -> None:
    check_counts(FRESH2, COUNTS, "fresh2")
    assert len(BY_ID) == len(FRESH2) == 60


def test_nothing_is_shared_with_the_other_sets() -> None:
    check_nothing_shared(FRESH2, shipped(*OTHER_SETS))


def test_it_has_about_thirty_functions_each_offered_and_called() -> None:
    check_functions_used(bench.question_file(bench.FRESH2_SET), FRESH2, (25, 35))


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_every_accepted_answer_names_an_offered_function_and_validates(
    question_id: str,
) -> None:
    question = BY_ID[question_id]
    check_question(question, multiple_offers=(3, 8))
    if question.category == "irrelevance":
        assert 2 <= len(question.functions) <= 5
        assert len({family(f["name"]) for f in question.functions}) <= 2


def test_about_half_the_multiple_questions_offer_a_same_family_distractor() -> None:
    """Beside the right function, about half the multiple questions offer another of its
    family (same first name word); the others offer functions of other families only."""
    close = 0
    for question in (q for q in FRESH2 if q.category == "multiple"):
        right = {family(c["name"]) for alt in question.answers for c in alt}
        assert len(right) == 1
        close += [family(f["name"]) for f in question.functions].count(right.pop()) >= 2
    assert 5 <= close <= 7


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_unmentioned_arguments_are_accepted_only_at_their_stated_defaults(
    question_id: str,
) -> None:
    """Each optional value is the default the parameter's description states, and every
    parameter with a stated default that the answer does not require is accepted at that
    default (except a default of 'today', whose date only a request can give)."""
    question = BY_ID[question_id]
    properties = {f["name"]: f["parameters"]["properties"] for f in question.functions}
    for alternative in question.answers:
        for call in alternative:
            params = properties[call["name"]]
            args, optional = call.get("args", {}), call.get("optional", {})
            for name, value in optional.items():
                default = _stated_default(params[name])
                assert default is not None, (call["name"], name)
                if default == "today":
                    continue
                assert default in {_as_text(v) for v in concrete(value)}, (call["name"], name)
            for name, spec in params.items():
                default = _stated_default(spec)
                if default is not None and default != "today" and name not in args:
                    assert name in optional, (call["name"], name)


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_the_first_answer(question_id: str) -> None:
    check_first_answer(BY_ID[question_id])


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_every_listed_variant_and_optional_value(question_id: str) -> None:
    check_variants(BY_ID[question_id])
