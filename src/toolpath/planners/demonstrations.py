"""Which solved examples go into the prompt: the most similar requests, re-ranked by how much
of what each example does the new request asks for.

A small model copies its demonstrations: asked for the colour of a car in a photo, it
planned five tools, four of them its demonstrations' and not asked for. Word overlap
alone picks examples that share the request's nouns ("image", "audio") but do other
things with them. So each of the most similar examples is scored by its similarity
(relative to the best one) plus how well the request supports its tools: per tool, the step
matcher's largest p(tool | clause) over the request's clauses, counted in full from
`SUPPORT_FLOOR` up; the mean over the example's tools. An example whose every tool the
request asks for rises above a closer one that brings tools nobody asked for.

Opt-in (`toolpath eval taskbench --demo-rerank support`): it chose demonstrations with the
label's exact tool set more often on the pool folds, but the plans did not score better
(see the README's "Which demonstrations").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from toolpath.planners.alignment import node_tools
from toolpath.planners.decomposer import Example
from toolpath.planners.graph_planner import request_clauses
from toolpath.planners.matcher import StepMatcher

# Chosen offline on the pool folds of all three TaskBench domains (the share of the
# demonstrations' tools in the label; never the evaluation slices).
SUPPORT_FLOOR = 0.05
SUPPORT_WEIGHT = 1.0
CANDIDATES = 20


def request_support(request: str, matcher: StepMatcher) -> dict[str, float]:
    """Per tool, its largest p(tool | clause) over the request's clauses (the whole request
    when it has no clause of two words or more)."""
    clauses = request_clauses(request) or [request]
    probs = np.exp(matcher.log_probs(clauses)).max(axis=0)
    return dict(zip(matcher.names, probs.tolist(), strict=True))


def tools_supported(
    tools: Sequence[str], support: dict[str, float], floor: float = SUPPORT_FLOOR
) -> float:
    """The mean over `tools` of min(1, support / floor); 0 for no tools."""
    if not tools:
        return 0.0
    return float(np.mean([min(1.0, support.get(tool, 0.0) / floor) for tool in tools]))


@dataclass(frozen=True)
class SupportRanking:
    """Re-ranks retrieved examples: similarity / best similarity + `weight` x the share of
    their tools the request supports from `floor` up (`tools_supported`)."""

    matcher: StepMatcher
    weight: float = SUPPORT_WEIGHT
    floor: float = SUPPORT_FLOOR

    def order(
        self, request: str, tools: Sequence[Sequence[str]], scores: Sequence[float]
    ) -> list[int]:
        """Positions of the candidates, best first (ties keep the retrieval order)."""
        support = request_support(request, self.matcher)
        best = max((s for s in scores if s > 0), default=1.0)
        total = [
            score / best + self.weight * tools_supported(used, support, self.floor)
            for used, score in zip(tools, scores, strict=True)
        ]
        return sorted(range(len(total)), key=lambda k: -total[k])


def demo_selector(
    pool: Sequence[Example],
    method: str = "bm25",
    ranking: SupportRanking | None = None,
    on_choice: Callable[[list[int]], None] | None = None,
) -> Callable[[str, int], list[Example]]:
    """Picks the k pool examples most similar to a request (`method`: bm25, dense or
    hybrid), never the request itself (it would hand over the answer), re-ranked by
    `ranking` when given; `on_choice` hears the pool positions chosen."""
    from toolpath.tools.retrieval import DemoRetriever

    retriever = DemoRetriever([example.request for example in pool], method)
    tools = [node_tools(example.task_nodes) for example in pool] if ranking is not None else []

    def select(request: str, k: int) -> list[Example]:
        depth = max(CANDIDATES, k + 2) if ranking is not None else k + 2
        found = [
            (index, score)
            for index, score in retriever.search(request, depth)
            if pool[index].request.strip() != request.strip()
        ]
        if ranking is not None and found:
            order = ranking.order(request, [tools[i] for i, _ in found], [s for _, s in found])
            found = [found[position] for position in order]
        chosen = [index for index, _ in found[:k]]
        if on_choice is not None:
            on_choice(chosen)
        return [pool[index] for index in chosen]

    return select
