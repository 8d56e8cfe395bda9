"""A* search for the cheapest tool path that is expected to pass verification.

Each option o for a sub-task s (a tool, preceded by the preparation chain its inputs
need) has the additive weight

    w(o, s) = alpha * c(o, s) / c_ref + (1 - alpha) * (-log q(o, s))

so a path's weight is the sum over its sub-tasks, and minimising it maximises the
product of qualities when alpha = 0 and minimises the total cost when alpha = 1. The
heuristic, the sum over the remaining sub-tasks of their cheapest candidate's weight
(types ignored), never overestimates and is consistent, so the first goal popped is
optimal. States that agree on the position and on the output types still needed
downstream are merged (without a budget) or pruned by (weight, cost) dominance (with one).

A forbidden pair (tool, s) bars the tool as the one that serves sub-task s (the last of
an option's chain, the tool whose output the verifier judged); it may still be a
preparation step in s's chain, where it only converts an input type.
"""

from __future__ import annotations

import heapq
import itertools
import math
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel

from toolpath.planners.estimates import EstimateStore
from toolpath.planners.plan import PathStep, Plan, SubTask, ToolPath
from toolpath.tools.resources import TEXT, type_of_literal
from toolpath.tools.spec import ToolSpec

MAX_CHAIN = 3


@dataclass(frozen=True)
class Option:
    """One way to serve a sub-task: `tools` (chain..., tool) with summed cost and weight."""

    tools: tuple[str, ...]
    cost: float
    quality: float
    weight: float
    outputs: frozenset[str]


class SearchStats(BaseModel):
    expanded: int = 0
    generated: int = 0
    seconds: float = 0.0


class SearchResult(BaseModel):
    """The optimal path, or None with the reason (and the sub-task) when none exists."""

    path: ToolPath | None
    stats: SearchStats
    reason: str | None = None
    stuck_subtask: int | None = None

    @property
    def found(self) -> bool:
        return self.path is not None


@dataclass(order=True)
class _Node:
    f: float
    tiebreak: int
    g: float = field(compare=False)
    cost: float = field(compare=False)
    depth: int = field(compare=False)
    choice: Option | None = field(compare=False)
    parent: _Node | None = field(compare=False)
    outputs: tuple[frozenset[str], ...] = field(compare=False)  # per topological position


class SearchProblem:
    """A plan, the tools, the estimates and the user's preferences, ready to search."""

    def __init__(
        self,
        plan: Plan,
        tools: Iterable[ToolSpec],
        estimates: EstimateStore | None = None,
        *,
        alpha: float = 0.5,
        budget: float | None = None,
        forbidden: Iterable[tuple[str, int]] = (),
        done: dict[int, str] | None = None,
        given: Iterable[str] | None = None,
        cost_ref: float | None = None,
    ) -> None:
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        if budget is not None and budget < 0:
            raise ValueError(f"budget must be >= 0, got {budget}")
        self.plan = plan.validate_plan()
        self.specs = {spec.name: spec for spec in tools}
        self.estimates = estimates or EstimateStore()
        self.alpha, self.budget = alpha, budget
        self.forbidden = set(forbidden)
        self.done = dict(done or {})
        self.order = plan.topological_order()
        self.position = {node: i for i, node in enumerate(self.order)}
        self.parents = {task.id: plan.parents(task.id) for task in plan.subtasks}
        self.given = frozenset(given) if given is not None else self._given_types()
        self._by_capability = self._index_capabilities()
        self.cost_ref = cost_ref or self._median_cost()
        self._options_cache: dict[tuple[int, frozenset[str]], list[Option]] = {}
        self._producers_cache: dict[frozenset[str], dict[str, Option]] = {}
        self._converters = [spec for spec in self.specs.values() if spec.inputs and spec.outputs]
        self._converter_options: dict[str, Option] = {}
        self._consumers = self._cheapest_converters()
        self.min_weight, self.min_cost = self._lower_bounds()
        # Which topological positions a state must remember: those with children later on.
        self.last_use = {
            self.position[p]: max(self.position[c] for c in self._children(p))
            for p in self.position
            if self._children(p)
        }

    # -- set-up -------------------------------------------------------------------------
    def _children(self, node: int) -> list[int]:
        return [c for c, parents in self.parents.items() if node in parents]

    def _given_types(self) -> frozenset[str]:
        literals = {
            type_of_literal(str(arg.value))
            for task in self.plan.subtasks
            for arg in task.arguments
            if isinstance(arg.value, str) and not arg.references()
        }
        return frozenset({TEXT, *literals})

    def _index_capabilities(self) -> dict[str, list[ToolSpec]]:
        index: dict[str, list[ToolSpec]] = {}
        for spec in self.specs.values():
            for capability in spec.capabilities:
                index.setdefault(capability, []).append(spec)
        return index

    def candidates(self, task: SubTask) -> list[ToolSpec]:
        """Tools that can serve the sub-task (capability matches, not forbidden)."""
        if task.id in self.done:
            return [self.specs[self.done[task.id]]]
        return [
            spec
            for spec in self._by_capability.get(task.capability, [])
            if (spec.name, task.id) not in self.forbidden
        ]

    def _median_cost(self) -> float:
        costs = [
            self.estimates.cost(spec, task.capability, task.scale)
            for task in self.plan.subtasks
            for spec in self.candidates(task)
        ]
        positive = [c for c in costs if c > 0]
        return statistics.median(positive) if positive else 1.0

    def weight(self, cost: float, quality: float) -> float:
        quality = min(max(quality, 1e-12), 1.0)
        return self.alpha * cost / self.cost_ref + (1 - self.alpha) * -math.log(quality)

    def _single(self, spec: ToolSpec, task: SubTask) -> Option:
        if task.id in self.done:
            return Option((spec.name,), 0.0, 1.0, 0.0, frozenset(spec.outputs))
        return self._weighed(spec, task.capability, task.scale)

    def _weighed(self, spec: ToolSpec, capability: str, scale: float = 0.0) -> Option:
        cost = self.estimates.cost(spec, capability, scale)
        quality = self.estimates.quality(spec, capability)
        return Option(
            (spec.name,), cost, quality, self.weight(cost, quality), frozenset(spec.outputs)
        )

    def _lower_bounds(self) -> tuple[list[float], list[float]]:
        """Suffix sums (by topological position) of the cheapest weight and cost."""
        weights, costs = [], []
        for node in self.order:
            task = self.plan.subtasks[node]
            singles = [self._single(spec, task) for spec in self.candidates(task)]
            weights.append(min((o.weight for o in singles), default=math.inf))
            costs.append(min((o.cost for o in singles), default=math.inf))
        suffix_w = [*list(itertools.accumulate(reversed(weights)))[::-1], 0.0]
        suffix_c = [*list(itertools.accumulate(reversed(costs)))[::-1], 0.0]
        return suffix_w, suffix_c

    # -- options ------------------------------------------------------------------------
    def _producers(self, available: frozenset[str]) -> dict[str, Option]:
        """Cheapest chain (up to MAX_CHAIN tools) producing each type from `available`.

        A Dijkstra over types: a converter fires once all its input types are settled.
        """
        if available in self._producers_cache:
            return self._producers_cache[available]
        best = {kind: Option((), 0.0, 1.0, 0.0, frozenset()) for kind in available}
        waiting = {spec.name: len(set(spec.inputs)) for spec in self._converters}
        heap = [(0.0, kind) for kind in available]
        settled: set[str] = set()
        while heap:
            _, kind = heapq.heappop(heap)
            if kind in settled:
                continue
            settled.add(kind)
            for spec in self._consumers.get(kind, []):
                waiting[spec.name] -= 1
                if waiting[spec.name]:
                    continue
                prep = _combine([best[k] for k in dict.fromkeys(spec.inputs)])
                if len(prep.tools) + 1 > MAX_CHAIN:
                    continue
                option = _combine([prep, self._converter_option(spec)])
                for out in spec.outputs:
                    if out not in settled and (out not in best or option.weight < best[out].weight):
                        best[out] = option
                        heapq.heappush(heap, (option.weight, out))
        self._producers_cache[available] = best
        return best

    def _cheapest_converters(self) -> dict[str, list[ToolSpec]]:
        """Converters by input type; of single-input ones only the cheapest per (in, out)."""
        single: dict[tuple[str, str], ToolSpec] = {}
        consumers: dict[str, list[ToolSpec]] = {}
        for spec in self._converters:
            if len(set(spec.inputs)) > 1:
                for kind in set(spec.inputs):
                    consumers.setdefault(kind, []).append(spec)
                continue
            for out in spec.outputs:
                key = (spec.inputs[0], out)
                weight = self._converter_option(spec).weight
                if key not in single or weight < self._converter_option(single[key]).weight:
                    single[key] = spec
        for (kind, _), spec in single.items():
            listed = consumers.setdefault(kind, [])
            if all(other.name != spec.name for other in listed):
                listed.append(spec)
        return consumers

    def _converter_option(self, spec: ToolSpec) -> Option:
        """A tool used as preparation, weighed on its own first capability."""
        if spec.name not in self._converter_options:
            self._converter_options[spec.name] = self._weighed(spec, spec.capabilities[0])
        return self._converter_options[spec.name]

    def options(self, task: SubTask, available: frozenset[str]) -> list[Option]:
        """Every feasible option for the sub-task given the types available to it."""
        key = (task.id, available)
        if key in self._options_cache:
            return self._options_cache[key]
        result = []
        for spec in self.candidates(task):
            option = self._single(spec, task)
            missing = [kind for kind in spec.inputs if kind not in available]
            if missing and task.id not in self.done:
                producers = self._producers(available)
                if any(kind not in producers for kind in missing):
                    continue
                prep = _combine([producers[kind] for kind in missing])
                option = _combine([prep, option])
            result.append(option)  # `candidates` left out the forbidden tools
        result.sort(key=lambda o: o.weight)
        self._options_cache[key] = result
        return result

    def available_at(self, node: int, outputs: tuple[frozenset[str], ...]) -> frozenset[str]:
        kinds = set(self.given)
        for parent in self.parents[node]:
            kinds |= outputs[self.position[parent]]
        return frozenset(kinds)

    # -- results ------------------------------------------------------------------------
    def to_path(self, choices: list[Option]) -> ToolPath:
        steps = [
            PathStep(
                subtask=node,
                capability=self.plan.subtasks[node].capability,
                tools=list(option.tools),
                expected_cost=option.cost,
                expected_quality=option.quality,
                weight=option.weight,
            )
            for node, option in zip(self.order, choices, strict=True)
        ]
        return ToolPath(
            steps=steps,
            alpha=self.alpha,
            expected_cost=sum(s.expected_cost for s in steps),
            expected_quality=math.prod(s.expected_quality for s in steps),
            weight=sum(s.weight for s in steps),
        )

    def state_key(self, depth: int, outputs: tuple[frozenset[str], ...]) -> tuple:
        live = tuple(outputs[i] for i in range(depth) if self.last_use.get(i, -1) >= depth)
        return (depth, live)

    def no_candidate(self) -> SearchResult | None:
        for node in self.order:
            task = self.plan.subtasks[node]
            if not self.candidates(task):
                return SearchResult(
                    path=None,
                    stats=SearchStats(),
                    stuck_subtask=node,
                    reason=f"no tool left for sub-task {node} ({task.capability!r})",
                )
        return None


def _combine(options: list[Option]) -> Option:
    tools = tuple(t for o in options for t in o.tools)
    outputs = options[-1].outputs if options else frozenset()
    return Option(
        tools,
        sum(o.cost for o in options),
        math.prod(o.quality for o in options),
        sum(o.weight for o in options),
        outputs,
    )


def astar(problem: SearchProblem, *, use_heuristic: bool = True) -> SearchResult:
    """Optimal path by A* (or uniform-cost search when `use_heuristic` is False)."""
    started = time.perf_counter()
    blocked = problem.no_candidate()
    if blocked is not None:
        return blocked
    stats = SearchStats()
    n = len(problem.order)
    h = problem.min_weight if use_heuristic else [0.0] * (n + 1)
    counter = itertools.count()
    root = _Node(h[0], next(counter), 0.0, 0.0, 0, None, None, ())
    frontier = [root]
    seen: dict[tuple, list[tuple[float, float]]] = {}
    while frontier:
        node = heapq.heappop(frontier)
        key = problem.state_key(node.depth, node.outputs)
        if _dominated(seen.get(key, []), node, problem.budget is not None):
            continue
        seen.setdefault(key, []).append((node.g, node.cost))
        stats.expanded += 1
        if node.depth == n:
            stats.seconds = time.perf_counter() - started
            return SearchResult(path=problem.to_path(_choices(node)), stats=stats)
        for child in _children(problem, node, h, counter):
            stats.generated += 1
            heapq.heappush(frontier, child)
    stats.seconds = time.perf_counter() - started
    reason = "no path fits the budget" if problem.budget is not None else "no feasible path"
    return SearchResult(path=None, stats=stats, reason=reason + " (input types or budget)")


def _dominated(entries: list[tuple[float, float]], node: _Node, with_budget: bool) -> bool:
    if not with_budget:
        return bool(entries)
    return any(g <= node.g and c <= node.cost for g, c in entries)


def _children(problem: SearchProblem, node: _Node, h: list[float], counter) -> list[_Node]:
    task_id = problem.order[node.depth]
    task = problem.plan.subtasks[task_id]
    available = problem.available_at(task_id, node.outputs)
    children = []
    for option in problem.options(task, available):
        cost = node.cost + option.cost
        if problem.budget is not None and cost + problem.min_cost[node.depth + 1] > problem.budget:
            continue
        g = node.g + option.weight
        children.append(
            _Node(
                g + h[node.depth + 1],
                next(counter),
                g,
                cost,
                node.depth + 1,
                option,
                node,
                (*node.outputs, option.outputs),
            )
        )
    return children


def _choices(node: _Node) -> list[Option]:
    choices = []
    while node.choice is not None:
        choices.append(node.choice)
        node = node.parent  # type: ignore[assignment]
    return choices[::-1]


def exhaustive_search(problem: SearchProblem, limit: int = 1_000_000) -> SearchResult:
    """Reference: enumerate every combination of options (for small instances only)."""
    started = time.perf_counter()
    stats = SearchStats()
    best: tuple[float, list[Option]] | None = None
    n = len(problem.order)

    def visit(depth: int, outputs: tuple, chosen: list[Option], cost: float, g: float) -> None:
        nonlocal best
        if stats.expanded >= limit:
            raise OverflowError(f"more than {limit} partial paths; too large to enumerate")
        stats.expanded += 1
        if depth == n:
            if best is None or g < best[0]:
                best = (g, list(chosen))
            return
        task_id = problem.order[depth]
        available = problem.available_at(task_id, outputs)
        for option in problem.options(problem.plan.subtasks[task_id], available):
            if problem.budget is not None and cost + option.cost > problem.budget:
                continue
            chosen.append(option)
            visit(
                depth + 1, (*outputs, option.outputs), chosen, cost + option.cost, g + option.weight
            )
            chosen.pop()

    visit(0, (), [], 0.0, 0.0)
    stats.seconds = time.perf_counter() - started
    if best is None:
        return SearchResult(path=None, stats=stats, reason="no feasible path")
    return SearchResult(path=problem.to_path(best[1]), stats=stats)


def search_path(plan: Plan, tools: Iterable[ToolSpec], **kwargs) -> SearchResult:
    """Build the problem and run A*; keyword arguments go to `SearchProblem`."""
    estimates = kwargs.pop("estimates", None)
    return astar(SearchProblem(plan, tools, estimates, **kwargs))
