"""Where a planner loses points: each scored sample in one failure class, plus the tools
most often missed or added. Read beside the scores to see what to improve."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from toolpath.evals.taskbench.loader import TaskBenchDomain
from toolpath.evals.taskbench.metrics import (
    EMPTY_PLAN,
    NormalisedPlan,
    UnparsableLabel,
    UnparsablePrediction,
    normalise_pair,
)

# In the order a sample is tested against them; the first that fits is its class.
CLASSES = (
    "unparsable",
    "missing_tools",
    "extra_tools",
    "wrong_tools",
    "wrong_links",
    "wrong_arguments",
    "exact",
)
TOP = 5


def failure_class(label: NormalisedPlan, predicted: NormalisedPlan, known: set[str]) -> str:
    """The first class in `CLASSES` (after `unparsable`) that fits the pair."""
    wanted, given = set(label.names) & known, set(predicted.names) & known
    if given < wanted:
        return "missing_tools"
    if given > wanted:
        return "extra_tools"
    if given != wanted:
        return "wrong_tools"
    if label.links != predicted.links:
        return "wrong_links"
    if label.task_arg_values != predicted.task_arg_values:
        return "wrong_arguments"
    return "exact"


def failure_breakdown(
    domain: TaskBenchDomain, predictions: Mapping[str, Any], sample_ids: Iterable[str]
) -> dict[str, Any]:
    """`{"classes": {class: count}, "missed_tools": [[name, n]], "added_tools": [...]}`."""
    known = set(domain.tool_index())
    samples = domain.by_id()
    classes: Counter[str] = Counter(dict.fromkeys(CLASSES, 0))
    missed: Counter[str] = Counter()
    added: Counter[str] = Counter()
    for sample_id in sample_ids:
        sample = samples[sample_id]
        try:
            label, predicted = normalise_pair(sample.label, predictions.get(sample_id), domain)
        except UnparsableLabel:
            continue
        except UnparsablePrediction:
            classes["unparsable"] += 1
            label, predicted = normalise_pair(sample.label, EMPTY_PLAN, domain)
        else:
            classes[failure_class(label, predicted, known)] += 1
        missed.update(set(label.names) - set(predicted.names))
        added.update((set(predicted.names) & known) - set(label.names))
    return {
        "classes": dict(classes),
        "missed_tools": [list(item) for item in missed.most_common(TOP)],
        "added_tools": [list(item) for item in added.most_common(TOP)],
    }
