"""Graph-constrained tool choice: the LLM writes the steps and how they connect, the
matcher and an A* over the tool graph choose each step's tool.

After "Can Graph Learning Improve Planning in LLM-based Agents?" (Wu et al., NeurIPS 2024):
a small model is decent at saying what the steps are and weak at choosing among dozens of
tools and wiring them. Here each node of the model's plan gets the tool that minimises

    w(t, i) = -log p(t | step i)  -  bonus * [t is the tool the model named for step i]

summed over the nodes, subject to every edge of the plan being an edge the tool graph
allows (resource types, or the catalogue's declared links). The A* visits the nodes in
topological order; its heuristic, the sum of each remaining node's smallest weight with
the edges ignored, never overestimates, so the first complete assignment popped is the
optimal one, and every plan it returns is a valid sub-graph of the tool graph.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from toolpath.planners.graph import ToolGraph
from toolpath.planners.matcher import StepMatcher
from toolpath.planners.plan import Plan

DEFAULT_LLM_BONUS = 2.0
MAX_EXPANSIONS = 200_000


@dataclass(frozen=True)
class ToolChoice:
    """The chosen tool per node (plan order), its total weight and the nodes changed."""

    tools: list[str]
    weight: float
    changed: list[int]
    expanded: int


def node_weights(
    plan: Plan, matcher: StepMatcher, llm_bonus: float = DEFAULT_LLM_BONUS
) -> np.ndarray:
    """w(t, i) for every node i of the plan and every tool t of the matcher."""
    steps = [task.description or task.capability for task in plan.subtasks]
    weights = -matcher.log_probs(steps)
    index = {name: k for k, name in enumerate(matcher.names)}
    for i, task in enumerate(plan.subtasks):
        if task.capability in index:
            weights[i, index[task.capability]] -= llm_bonus
    return weights


def choose_tools(
    plan: Plan, weights: np.ndarray, names: Sequence[str], graph: ToolGraph
) -> ToolChoice | None:
    """The minimum-weight tool per node such that every plan edge is a graph edge; None
    when no assignment satisfies the edges (or the search exceeds its bound)."""
    order = plan.topological_order()
    parents = {node: plan.parents(node) for node in order}
    check_edges = graph.graph.number_of_edges() > 0
    best_rest = np.concatenate([np.cumsum(weights[order].min(axis=1)[::-1])[::-1], [0.0]])
    ranked = {node: np.argsort(weights[node]) for node in order}
    counter = itertools.count()
    heap: list[tuple[float, int, float, tuple[int, ...]]] = [
        (float(best_rest[0]), next(counter), 0.0, ())
    ]
    expanded = 0
    while heap and expanded < MAX_EXPANSIONS:
        _, _, g, chosen = heapq.heappop(heap)
        depth = len(chosen)
        if depth == len(order):
            return _result(plan, order, chosen, names, g, expanded)
        expanded += 1
        node = order[depth]
        assigned = {order[d]: names[t] for d, t in enumerate(chosen)}
        for tool in ranked[node]:
            name = names[tool]
            if check_edges and not all(graph.allows(assigned[p], name) for p in parents[node]):
                continue
            cost = g + float(weights[node, tool])
            heapq.heappush(
                heap, (cost + float(best_rest[depth + 1]), next(counter), cost, (*chosen, tool))
            )
    return None


def _result(
    plan: Plan,
    order: list[int],
    chosen: tuple[int, ...],
    names: Sequence[str],
    weight: float,
    expanded: int,
) -> ToolChoice:
    tools = [""] * len(order)
    for node, tool in zip(order, chosen, strict=True):
        tools[node] = names[tool]
    changed = [i for i, t in enumerate(plan.subtasks) if t.capability != tools[i]]
    return ToolChoice(tools=tools, weight=weight, changed=changed, expanded=expanded)


def apply_choice(plan: Plan, choice: ToolChoice) -> Plan:
    """A copy of the plan with the chosen tools."""
    plan = plan.model_copy(deep=True)
    for task, tool in zip(plan.subtasks, choice.tools, strict=True):
        task.capability = tool
    return plan


# -- training pairs from solved samples ------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.lower()).strip()


def align_steps(steps: Sequence[str], tools: Sequence[str]) -> list[int | None]:
    """For each step, the index of the node (tool) it describes, or None.

    TaskBench lists `task_nodes` in no particular order, so steps are matched to nodes by
    content: a step that names a node's tool takes the first such node not yet taken
    (longest names first, so "Image-to-Image" is not read as "Image"); the leftovers pair
    up in order."""
    taken: set[int] = set()
    aligned: list[int | None] = []
    by_length = sorted(range(len(tools)), key=lambda k: -len(tools[k]))
    for step in steps:
        text = _norm(step)
        match = next((k for k in by_length if k not in taken and _norm(tools[k]) in text), None)
        if match is not None:
            taken.add(match)
        aligned.append(match)
    free = iter(k for k in range(len(tools)) if k not in taken)
    return [a if a is not None else next(free, None) for a in aligned]


def solved_pairs(
    samples: Iterable[tuple[Sequence[str], Sequence[str]]],
) -> list[tuple[str, str]]:
    """(step text, tool) pairs from solved samples given as (task_steps, node tools)."""
    pairs = []
    for steps, tools in samples:
        for step, node in zip(steps, align_steps(steps, tools), strict=True):
            if node is not None:
                pairs.append((step, tools[node]))
    return pairs


def alignment_agreement(
    samples: Iterable[tuple[Sequence[str], Sequence[str], Sequence[tuple[str, str]]]],
) -> float | None:
    """Share of labelled links (source tool, target tool) whose aligned source step comes
    before the aligned target step: how well the step alignment agrees with the links."""
    agree = total = 0
    for steps, tools, links in samples:
        position = {}
        for s, node in enumerate(align_steps(steps, tools)):
            if node is not None:
                position.setdefault(tools[node], s)
        for source, target in links:
            if source in position and target in position:
                total += 1
                agree += position[source] < position[target]
    return agree / total if total else None


class GraphToolChooser:
    """Re-chooses the tools of a parsed plan (see the module docstring); the decomposer's
    `tool_chooser`. Returns the plan and notes on what changed."""

    def __init__(
        self, matcher: StepMatcher, graph: ToolGraph, llm_bonus: float = DEFAULT_LLM_BONUS
    ) -> None:
        self.matcher, self.graph, self.llm_bonus = matcher, graph, llm_bonus

    def __call__(self, plan: Plan) -> tuple[Plan, list[str]]:
        if not plan.subtasks or plan.problems():  # structure first: ids, references, cycles
            return plan, []
        weights = node_weights(plan, self.matcher, self.llm_bonus)
        choice = choose_tools(plan, weights, self.matcher.names, self.graph)
        if choice is None:
            return plan, ["graph choice: no tools fit the plan's edges; kept the model's"]
        notes = [
            f"graph choice: node {i} {plan.subtasks[i].capability} -> {choice.tools[i]}"
            for i in choice.changed
        ]
        return apply_choice(plan, choice), notes
