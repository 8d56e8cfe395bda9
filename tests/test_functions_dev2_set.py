"""The second development question set of `toolpath bench functions` (functions_dev2.yaml):
10 questions per category, unique ids and texts, functions of its own (none shared with the
first development set or the blind held-out and fresh sets, which are only loaded here,
never shown), and every accepted answer names an offered function and validates against
its JSON schema. No LLM."""

from __future__ import annotations

import pytest

from question_set_checks import check_first_answer, check_library, check_question, concrete
from toolpath.evals import functions_bench as bench

DEV2_SET = "functions_dev2.yaml"
DEV2 = bench.load_questions(bench.question_file(DEV2_SET))
BY_ID = {q.id: q for q in DEV2}


def _other_sets() -> list[bench.Question]:
    return [
        q
        for name in (bench.DEV_SET, bench.HELDOUT_SET, bench.FRESH_SET)
        for q in bench.load_questions(bench.question_file(name))
    ]


def test_the_second_dev_set_has_ten_questions_per_category() -> None:
    counts = {c: sum(q.category == c for q in DEV2) for c in bench.CATEGORIES}
    assert counts == dict.fromkeys(bench.CATEGORIES, 10)
    assert len(BY_ID) == len(DEV2) == 50
    for q in DEV2:
        prefix = f"dev2-{q.category.replace('_', '-')}-"
        assert q.id.startswith(prefix) and q.id.removeprefix(prefix).isdigit(), q.id
    texts = [q.question.casefold() for q in DEV2]
    assert len(set(texts)) == len(texts), "a question text is repeated"


def test_nothing_is_shared_with_the_other_sets() -> None:
    # Only booleans are asserted so that a failure shows nothing of the blind sets.
    others = _other_sets()
    shared_ids = bool({q.id for q in others} & set(BY_ID))
    shared_texts = bool(
        {q.question.casefold() for q in others} & {q.question.casefold() for q in DEV2}
    )
    old_functions = {f["name"] for q in others for f in q.functions}
    shared_functions = bool(old_functions & {f["name"] for q in DEV2 for f in q.functions})
    assert not shared_ids, "an id is used by another set"
    assert not shared_texts, "a question text is in another set"
    assert not shared_functions, "the second dev set must use new functions"


def test_it_has_about_thirty_functions_each_offered_and_called() -> None:
    check_library(bench.question_file(DEV2_SET), DEV2)
    offered = {f["name"] for q in DEV2 for f in q.functions}
    called = {c["name"] for q in DEV2 for alt in q.answers for c in alt}
    assert 28 <= len(offered) <= 34
    assert called == offered, f"offered but never called: {sorted(offered - called)}"


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
