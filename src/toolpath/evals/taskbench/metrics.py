"""TaskBench's metrics, computed as its reference `evaluate.py` computes them.

See ../shared/docs/TASKBENCH_METRICS.md. Two views are reported:

- `reference`: the reference scorer's numbers. A prediction it cannot parse is dropped.
- `strict` (toolpath's headline): an unparsable prediction is scored as an empty plan, and a
  malformed argument of a parsable prediction earns nothing (see below).

Quirks of the reference kept on purpose, so that numbers stay comparable:

- Resource mode links run from node j's normalised name to node i's name *as written*
  (`_` is replaced in node names but not in a link's target).
- An argument the reference cannot read (an empty dict, a number, a list of non-strings,
  a `<node-j>` with no `>` after it or an index out of range) repeats the previous argument
  built in the same sample; the label is read before the prediction, so a prediction's
  first malformed argument copies the label's last one. `reference` keeps that; `strict`
  drops the malformed argument instead. With no argument before it, it is dropped in both
  (the reference would reuse one from whichever sample it happened to read before).
- The predicted steps are joined with "\\n"; steps given as objects use their `task`,
  `step`, `id`, `step_name` or `description` field, and anything unreadable is scored
  as its Python `str()` (an empty list becomes "[]").
- ROUGE is the plain mean of per-sample F-measures (the reference's bootstrap median
  estimates the same mean).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import Levenshtein

from toolpath.evals.taskbench.loader import RESOURCE, SPLITS, TaskBenchDomain, TaskBenchSample
from toolpath.planners.media import content_type

STEP_FIELDS = ("task", "step", "id", "step_name")
METRICS = ("n_f1", "e_f1", "t_f1", "v_f1", "ned", "rouge1", "rouge2")
ALL = "all"
REPEAT, DROP = "repeat", "drop"
EMPTY_PLAN: dict[str, Any] = {"task_steps": [], "task_nodes": [], "task_links": []}


class UnparsablePrediction(ValueError):
    """The reference scorer cannot read this prediction."""


class UnparsableLabel(ValueError):
    """The reference scorer cannot read this label (the sample is left out)."""


class _MalformedArgument(Exception):
    pass


@dataclass(frozen=True)
class NormalisedPlan:
    """A plan reduced to what the metrics compare."""

    names: tuple[str, ...]
    links: frozenset[tuple[Any, Any]]
    task_args: frozenset[str]
    task_arg_values: frozenset[str]
    steps_text: str


@dataclass
class _ArgumentMemory:
    """The reference's `new_argument` variable, which outlives a failed argument."""

    last: dict[str, Any] | None = None


def steps_text(steps: Any) -> str:
    """The predicted steps joined by newlines, read the way the reference reads them."""
    try:
        first = steps[0]
        if isinstance(first, str):
            return "\n".join(steps)
        key = next((k for k in STEP_FIELDS if k in first), "description")
        return "\n".join(step[key] for step in steps)
    except Exception:
        return str(steps)


def _resource_argument(
    argument: Any, index: int, names: list[str], output_types: Mapping[str, str]
) -> tuple[dict[str, Any] | None, str | None]:
    """(typed argument, name of the node it refers to or None); (None, None) for itself."""
    if isinstance(argument, dict):
        argument = next(iter(argument.values()))  # empty dict: malformed
    if isinstance(argument, list):
        argument = " ".join(argument)
    if not isinstance(argument, str):
        raise _MalformedArgument
    if "<node-" not in argument:
        return {"name": content_type(argument), "value": argument}, None
    start = argument.index("<node-") + len("<node-")
    end = argument.index(">")
    source = int(argument[start:end])
    if source == index:
        return None, None
    source_name = names[source]
    return {"name": output_types.get(source_name, "other"), "value": source_name}, source_name


def _resource_nodes(
    nodes: list[Any],
    names: list[str],
    output_types: Mapping[str, str],
    memory: _ArgumentMemory,
    malformed: str,
    is_label: bool,
) -> tuple[list[list[dict[str, Any]]], list[tuple[str, Any]]]:
    """Each node's typed arguments, and the links its `<node-j>` references make."""
    all_arguments: list[list[dict[str, Any]]] = []
    links: list[tuple[str, Any]] = []
    for index, node in enumerate(nodes):
        raw_arguments = node["arguments"] if is_label else node.get("arguments", [])
        typed_arguments = []
        for argument in raw_arguments:
            try:
                typed, source = _resource_argument(argument, index, names, output_types)
            except Exception:
                if malformed == DROP or memory.last is None:
                    continue
                typed_arguments.append(memory.last)
                continue
            if typed is None:  # self-reference: dropped
                continue
            if source is not None:
                links.append((source, node["task"]))
            memory.last = typed
            typed_arguments.append(typed)
        all_arguments.append(typed_arguments)
    return all_arguments, links


def _normalise(
    plan: Any,
    domain: TaskBenchDomain,
    memory: _ArgumentMemory,
    malformed: str,
    is_label: bool,
) -> NormalisedPlan:
    steps = "\n".join(plan["task_steps"]) if is_label else steps_text(plan["task_steps"])
    nodes = plan["task_nodes"]
    names = [node["task"] for node in nodes]
    if domain.mode == RESOURCE:
        names = [name.replace("_", " ") for name in names]
        arguments, links = _resource_nodes(
            nodes, names, domain.output_types(), memory, malformed, is_label
        )
    else:
        arguments = [node["arguments"] if is_label else node.get("arguments", []) for node in nodes]
        links = [(link["source"], link["target"]) for link in plan["task_links"]]
    task_args, task_arg_values = set(), set()
    for task, node_arguments in zip(names, arguments, strict=True):
        for argument in node_arguments:
            task_args.add(f"{task}-{argument['name']}")
            task_arg_values.add(f"{task}-{argument['name']}-{argument['value']}")
    if not all(isinstance(name, str) for name in names):
        raise TypeError("a node's task is not a string")
    return NormalisedPlan(
        tuple(names), frozenset(links), frozenset(task_args), frozenset(task_arg_values), steps
    )


def normalise_pair(
    label: Mapping[str, Any], prediction: Any, domain: TaskBenchDomain, malformed: str = REPEAT
) -> tuple[NormalisedPlan, NormalisedPlan]:
    """Normalise a label and a prediction of one sample (label first, as the reference does).

    Raises UnparsableLabel or UnparsablePrediction where the reference would drop the sample.
    """
    memory = _ArgumentMemory()
    try:
        label_plan = _normalise(label, domain, memory, REPEAT, is_label=True)
    except Exception as exc:
        raise UnparsableLabel(f"{type(exc).__name__}: {exc}") from exc
    try:
        if not isinstance(prediction, Mapping):
            raise TypeError(f"prediction is a {type(prediction).__name__}, not an object")
        predicted_plan = _normalise(prediction, domain, memory, malformed, is_label=False)
    except Exception as exc:
        raise UnparsablePrediction(f"{type(exc).__name__}: {exc}") from exc
    return label_plan, predicted_plan


def unscorable_label_ids(domain: TaskBenchDomain) -> list[str]:
    """Ids of samples whose label the reference scorer cannot read (it drops them)."""
    unscorable = []
    for sample in domain.samples:
        try:
            normalise_pair(sample.label, EMPTY_PLAN, domain)
        except UnparsableLabel:
            unscorable.append(sample.id)
    return unscorable


@lru_cache(maxsize=1)
def _rouge_scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=False)


def micro_f1(tp: int, fp: int, fn: int) -> float:
    """2TP / (2TP + FP + FN); 0 when TP is 0."""
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _set_f1(pairs: list[tuple[frozenset[Any], frozenset[Any]]]) -> float:
    tp = fp = fn = 0
    for gold, predicted in pairs:
        tp += len(gold & predicted)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    return micro_f1(tp, fp, fn)


def score_plans(
    pairs: list[tuple[NormalisedPlan, NormalisedPlan]],
    tool_index: Mapping[str, int],
    report_edges: bool = True,
) -> dict[str, Any]:
    """The metrics over (label, prediction) pairs, pooled; None everywhere for no pairs."""
    if not pairs:
        return {**dict.fromkeys(METRICS), "samples": 0}
    known = frozenset(tool_index)
    nodes = [(frozenset(g.names) & known, frozenset(p.names) & known) for g, p in pairs]
    similarity = [
        Levenshtein.ratio(
            [tool_index.get(name, 0) for name in p.names],
            [tool_index.get(name, 0) for name in g.names],
        )
        for g, p in pairs
    ]
    scorer = _rouge_scorer()
    rouge = [scorer.score(g.steps_text, p.steps_text) for g, p in pairs]
    return {
        "n_f1": _set_f1(nodes),
        "e_f1": _set_f1([(g.links, p.links) for g, p in pairs]) if report_edges else None,
        "t_f1": _set_f1([(g.task_args, p.task_args) for g, p in pairs]),
        "v_f1": _set_f1([(g.task_arg_values, p.task_arg_values) for g, p in pairs]),
        "ned": 1 - math.fsum(similarity) / len(similarity),
        "rouge1": math.fsum(r["rouge1"].fmeasure for r in rouge) / len(rouge),
        "rouge2": math.fsum(r["rouge2"].fmeasure for r in rouge) / len(rouge),
        "samples": len(pairs),
    }


@dataclass
class TaskBenchScores:
    """Scores of one predictions file on one domain, per split, in both views."""

    domain: str
    reference: dict[str, dict[str, Any]]
    strict: dict[str, dict[str, Any]]
    unparsable_ids: list[str] = field(default_factory=list)
    unparsable_reasons: dict[str, str] = field(default_factory=dict)
    missing_ids: list[str] = field(default_factory=list)
    label_errors: dict[str, str] = field(default_factory=dict)

    @property
    def unparsable(self) -> int:
        return len(self.unparsable_ids)

    def to_json(self) -> dict[str, Any]:
        """`{"domain", "reference": {split: metrics}, "strict": {...}, "unparsable"}`."""
        return {
            "domain": self.domain,
            "reference": self.reference,
            "strict": self.strict,
            "unparsable": self.unparsable,
        }


def _by_split(
    typed_pairs: list[tuple[str, tuple[NormalisedPlan, NormalisedPlan]]],
    tool_index: Mapping[str, int],
) -> dict[str, dict[str, Any]]:
    scores = {ALL: score_plans([pair for _, pair in typed_pairs], tool_index)}
    for split in SPLITS:
        chosen = [pair for kind, pair in typed_pairs if kind == split]
        scores[split] = score_plans(chosen, tool_index, report_edges=split != "single")
    return scores


def score_predictions(
    domain: TaskBenchDomain,
    predictions: Mapping[str, Any],
    sample_ids: Iterable[str] | None = None,
) -> TaskBenchScores:
    """Score `predictions` (sample id -> predicted plan) against the domain's labels.

    Only samples that have a prediction are scored (as the reference does); `sample_ids`
    restricts the labels considered (default: all of the domain's samples).
    """
    samples = domain.by_id()
    wanted: list[TaskBenchSample] = (
        list(domain.samples) if sample_ids is None else [samples[i] for i in sample_ids]
    )
    reference, strict = [], []
    scores = TaskBenchScores(domain=domain.name, reference={}, strict={})
    for sample in wanted:
        if sample.id not in predictions:
            scores.missing_ids.append(sample.id)
            continue
        prediction = predictions[sample.id]
        try:
            reference.append((sample.type, normalise_pair(sample.label, prediction, domain)))
            strict.append((sample.type, normalise_pair(sample.label, prediction, domain, DROP)))
        except UnparsableLabel as exc:
            scores.label_errors[sample.id] = str(exc)
        except UnparsablePrediction as exc:
            scores.unparsable_ids.append(sample.id)
            scores.unparsable_reasons[sample.id] = str(exc)
            strict.append((sample.type, normalise_pair(sample.label, EMPTY_PLAN, domain, DROP)))
    tool_index = domain.tool_index()
    scores.reference = _by_split(reference, tool_index)
    scores.strict = _by_split(strict, tool_index)
    return scores
