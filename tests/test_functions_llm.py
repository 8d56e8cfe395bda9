"""The real embedded model on a few questions of `toolpath bench functions`: one call with
typed arguments, parallel calls, and no call when no function fits."""

from __future__ import annotations

import pytest

from toolpath.agent.llm import embedded_model
from toolpath.evals import functions_bench as bench

pytestmark = pytest.mark.llm

IDS = ("simple-17", "parallel-07", "irrelevance-09")


@pytest.fixture(scope="module")
def model():
    return embedded_model()


@pytest.mark.parametrize("question_id", IDS)
def test_toolpath_answers_the_question(model, question_id: str) -> None:
    question = next(q for q in bench.load_questions() if q.id == question_id)
    calls, info = bench.toolpath_calls(model, question, bench.DEFAULT_VARIANT)
    assert bench.is_correct(question, calls), (calls, info)
