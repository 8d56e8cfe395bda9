"""The graph planner on TaskBench: a step matcher trained on the demonstration pool, and
an offline replay that scores direct and graph tool choice on the same first answers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolpath.evals.taskbench.loader import DomainSplit, TaskBenchDomain, TaskBenchSample
from toolpath.evals.taskbench.metrics import ALL, score_predictions
from toolpath.planners.alignment import node_tools, solved_pairs
from toolpath.planners.cues import DEFAULT_MIN_COUNT, DEFAULT_MIN_SHARE, RequestCues
from toolpath.planners.graph_planner import GraphToolChooser, chooser_for
from toolpath.planners.llm import ScriptedChatModel
from toolpath.planners.matcher import StepMatcher, cached_matcher

DIRECT = "direct: first answer + repair"
GRAPH = "graph: first answer + matcher/A* tool choice + repair"


def pool_steps(samples: Sequence[TaskBenchSample]) -> list[tuple[list[str], list[str]]]:
    """(task_steps, node tools) of solved samples: what the step matcher trains on."""
    return [(s.task_steps, node_tools(s.task_nodes)) for s in samples]


def pool_requests(samples: Sequence[TaskBenchSample]) -> list[tuple[str, list[str]]]:
    """(request, node tools) of solved samples: what the request cues are learned from."""
    return [(s.user_request, node_tools(s.task_nodes)) for s in samples]


def pool_cues(
    domain: TaskBenchDomain,
    split: DomainSplit,
    min_count: int = DEFAULT_MIN_COUNT,
    min_share: float = DEFAULT_MIN_SHARE,
) -> RequestCues:
    """The request cues learned from the demonstration pool of `split` only."""
    by_id = domain.by_id()
    pool = pool_requests([by_id[i] for i in split.demo_ids])
    return RequestCues.from_solved(pool, min_count, min_share)


def pool_matcher(
    domain: TaskBenchDomain, split: DomainSplit, tools: Sequence[Any], cache: Path | None = None
) -> StepMatcher:
    """The matcher trained on the demonstration pool of `split` only."""
    by_id = domain.by_id()
    pool = pool_steps([by_id[i] for i in split.demo_ids])
    return cached_matcher(tools, solved_pairs(pool), cache)


def graph_chooser(
    domain: TaskBenchDomain, split: DomainSplit, data_dir: str | Path | None = None
) -> GraphToolChooser:
    """The graph planner's tool chooser for a domain, trained on `split`'s pool."""
    from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

    by_id = domain.by_id()
    catalog = load_taskbench_catalog(domain.name, data_dir)
    pool = [by_id[i] for i in split.demo_ids]
    chooser = chooser_for(catalog, pool_steps(pool), requests=pool_requests(pool))
    if chooser is None:
        raise ValueError(f"taskbench:{domain.name} has no tool graph to choose tools on")
    return chooser


def replay_first_answers(
    domain: TaskBenchDomain,
    records: dict[str, dict[str, Any]],
    ids: list[str],
    split: DomainSplit,
    data_dir: str | Path | None = None,
    choosers: dict[str, GraphToolChooser | None] | None = None,
) -> dict[str, dict[str, Any]] | None:
    """Strict scores of the first answers planned again offline (no LLM call), per tool
    chooser (default: none = direct, and the graph planner's). None without first answers."""
    from toolpath.planners.decomposer import Decomposer, DecompositionError
    from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

    raws = {i: (records[i].get("toolpath") or {}).get("first_raw") for i in ids}
    if not ids or any(raw is None for raw in raws.values()):
        return None
    catalog = load_taskbench_catalog(domain.name, data_dir)
    if choosers is None:
        choosers = {DIRECT: None, GRAPH: graph_chooser(domain, split, data_dir)}
    variants = {}
    for name, chooser in choosers.items():
        graph = chooser.graph if chooser is not None else None
        predictions = {}
        for i in ids:
            llm = ScriptedChatModel([raws[i]])
            planner = Decomposer(llm, catalog, graph=graph, max_retries=0, tool_chooser=chooser)
            try:
                predictions[i] = planner.decompose(records[i]["user_request"]).taskbench
            except DecompositionError:
                predictions[i] = None
        variants[name] = score_predictions(domain, predictions, ids).strict[ALL]
    return variants
