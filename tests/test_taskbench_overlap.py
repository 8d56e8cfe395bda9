"""The overlap measure: a scored sample counts when a demonstration has its tool set (and,
for the graph, its links too); the slice and the folds are measured on the shipped data."""

from __future__ import annotations

import pytest

from toolpath.evals.taskbench.loader import DomainSplit, TaskBenchSample
from toolpath.evals.taskbench.overlap import domain_overlap, shared


def sample(sample_id: str, tools: list[str], links: list[tuple[str, str]]) -> TaskBenchSample:
    nodes = [{"task": tool, "arguments": []} for tool in tools]
    edges = [{"source": s, "target": t} for s, t in links]
    return TaskBenchSample(sample_id, "chain", "r", [], nodes, edges, record={})


def test_tool_set_and_graph_are_told_apart() -> None:
    samples = {
        "a": sample("a", ["OCR", "Summarize"], [("OCR", "Summarize")]),
        "b": sample("b", ["Summarize", "OCR"], [("Summarize", "OCR")]),  # same tools, other way
        "c": sample("c", ["Translate"], []),
        "d": sample("d", ["OCR", "Summarize"], [("OCR", "Summarize")]),
    }
    split = DomainSplit(eval_ids=["a", "c"], demo_ids=["b", "d"])
    assert shared(split, samples) == {"scored": 2, "same_tool_set": 50.0, "same_graph": 50.0}
    only_reversed = DomainSplit(eval_ids=["a"], demo_ids=["b", "c"])
    assert shared(only_reversed, samples) == {
        "scored": 1,
        "same_tool_set": 100.0,
        "same_graph": 0.0,
    }


@pytest.mark.taskbench_data
@pytest.mark.parametrize("folds", [3, 5])
def test_every_pool_sample_is_scored_once(folds: int) -> None:
    out = domain_overlap("dailylifeapis", folds)
    assert len(out["folds"]) == folds
    assert out["slice"]["scored"] == 100
    assert sum(f["scored"] for f in out["folds"]) == 108  # the dailylifeapis pool
