"""A* search for the cheapest tool path that is expected to pass verification.

Each option o for a sub-task s (a tool, preceded by the preparation chain its inputs
need) has the additive weight

    w(o, s) = alpha * c(o, s) / c_ref + (1 - alpha) * (-log q(o, s))

so a path's weight is the sum over its sub-tasks, and minimising it maximises the
product of qualities when alpha = 0 and minimises the total cost when alpha = 1.

The heuristic sums one lower bound per remaining sub-task: where the sub-task's parents
are decided, the weight of its cheapest option given the types they produce (exact);
otherwise its cheapest candidate plus the cheapest preparation (any chain length) of the
input types that no choice of the parents can supply. Each bound only rises as parents
get decided, so the heuristic never overestimates and is consistent, and the first goal
popped is optimal. States that agree on the position and on the output types still
needed downstream are merged (without a budget) or pruned by (weight, cost) dominance
(with one); among one node's children only the cheapest per resulting state (the
(weight, cost) front with a budget) is generated.

A `ToolIndex` holds what depends on the catalogue alone (tools by capability, cost and
quality priors as arrays, converters by (input, output) type); build it once and pass it
instead of the tools to reuse it across searches. Weights are computed as arrays.

A forbidden pair (tool, s) bars the tool as the one that serves sub-task s (the last of
an option's chain, the tool whose output the verifier judged); it may still be a
preparation step in s's chain, where it only converts an input type.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from toolpath.planners.estimates import EstimateStore, prior_qualities
from toolpath.planners.plan import PathStep, Plan, SubTask, ToolPath
from toolpath.tools.resources import TEXT, type_of_literal
from toolpath.tools.spec import ToolSpec

V = TypeVar("V")

MAX_CHAIN = 3
INF = math.inf


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


class _Node:
    __slots__ = ("choice", "cost", "depth", "g", "outputs", "parent")

    def __init__(self, g, cost, depth, choice, parent, outputs) -> None:
        self.g: float = g
        self.cost: float = cost
        self.depth: int = depth
        self.choice: Option | None = choice
        self.parent: _Node | None = parent
        self.outputs: tuple[frozenset[str], ...] = outputs  # per topological position


class ToolIndex:
    """What depends on the catalogue alone, built once and reused by every search over it.

    Tools by capability (rows), cost and quality priors as arrays, and the converters
    (tools with inputs and outputs, usable as preparation steps): single-input ones grouped
    by (input type, output type), multi-input ones listed. It reads the specs once: build a
    new one when the catalogue's tools change.
    """

    def __init__(self, tools: Iterable[ToolSpec]) -> None:
        self.specs: dict[str, ToolSpec] = {spec.name: spec for spec in tools}
        self.listed = list(self.specs.values())
        self.row: dict[str, int] = {}
        self.by_capability: dict[str, list[int]] = {}
        self.first_capability: list[str] = []
        self.multi_input: list[int] = []
        seconds, per_unit, priors = [], [], []
        groups: dict[tuple[str, str], list[int]] = {}
        for i, spec in enumerate(self.listed):  # one pass: catalogues have 10,000s of tools
            self.row[spec.name] = i
            cost, capabilities, inputs = spec.cost, spec.capabilities, spec.inputs
            seconds.append(cost.seconds)
            per_unit.append(cost.per_unit)
            priors.append(spec.quality)
            self.first_capability.append(capabilities[0] if capabilities else "")
            for capability in capabilities:
                self.by_capability.setdefault(capability, []).append(i)
            if not inputs or not spec.outputs:
                continue
            if len(inputs) > 1 and len(set(inputs)) > 1:
                self.multi_input.append(i)
                continue
            for out in spec.outputs:
                groups.setdefault((inputs[0], out), []).append(i)
        self.seconds, self.per_unit = np.array(seconds), np.array(per_unit)
        self.prior = prior_qualities(np.array(priors))
        self.converter_groups = {key: np.array(rows) for key, rows in groups.items()}
        self._outputs: dict[int, frozenset[str]] = {}

    def outputs(self, row: int) -> frozenset[str]:
        if row not in self._outputs:
            self._outputs[row] = frozenset(self.listed[row].outputs)
        return self._outputs[row]

    def estimated(
        self, rows: list[int] | None, capability: str, scale: float, held: dict
    ) -> tuple[np.ndarray, np.ndarray]:
        """(expected cost, quality) of `rows` on `capability` at `scale`, from the priors
        and the `held` estimates; rows None: every tool on its first capability, scale 0."""
        if rows is None:
            cost, quality = self.seconds.copy(), self.prior.copy()
            position = self.row
        else:
            cost = self.seconds[rows] + self.per_unit[rows] * max(scale, 0.0)
            quality = self.prior[rows]
            position = {self.listed[row].name: i for i, row in enumerate(rows)} if held else {}
        for (tool, on), estimate in held.items():
            i = position.get(tool)
            if i is None or on != (capability if rows is not None else self.first_capability[i]):
                continue
            cost[i] *= estimate.cost_multiplier
            quality[i] = estimate.quality
        return cost, quality


class SearchProblem:
    """A plan, the tools, the estimates and the user's preferences, ready to search."""

    def __init__(
        self,
        plan: Plan,
        tools: Iterable[ToolSpec] | ToolIndex,
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
        self.index = tools if isinstance(tools, ToolIndex) else ToolIndex(tools)
        self.specs = self.index.specs
        self.estimates = estimates or EstimateStore()
        self.alpha, self.budget = alpha, budget
        self.forbidden = set(forbidden)
        self.done = dict(done or {})
        self.order = plan.topological_order()
        self.position = {node: i for i, node in enumerate(self.order)}
        self.parents = {task.id: plan.parents(task.id) for task in plan.subtasks}
        self.given = frozenset(given) if given is not None else self._given_types()
        self._held = self.estimates.held()
        self._rows = {task.id: self._candidate_rows(task) for task in plan.subtasks}
        self._costs = {task.id: self._candidate_estimates(task) for task in plan.subtasks}
        self.cost_ref = cost_ref or self._median_cost()
        self._singles = {task.id: self._weigh_candidates(task) for task in plan.subtasks}
        self._consumers, self._converter_options = self._cheapest_converters()
        self._options_cache: dict[tuple[int, frozenset[str]], list[Option]] = {}
        self._moves_cache: dict[tuple[int, frozenset[str]], list[Option]] = {}
        self._producers_cache: dict[frozenset[str], dict[str, Option]] = {}
        self._distances_cache: dict[tuple, dict[str, float]] = {}
        # Which topological positions a state must remember: those with children later on.
        self.last_use = {
            self.position[p]: max(self.position[c] for c in self._children(p))
            for p in self.position
            if self._children(p)
        }
        self.min_cost = self._min_costs()
        self._lam = 0.0
        self._valuations = self._choose_valuations()
        self._bounds = [self._forest_bounds(a, b) for a, b in self._valuations]

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

    def _candidate_rows(self, task: SubTask) -> list[int]:
        if task.id in self.done:
            return [self.index.row[self.done[task.id]]]
        rows = self.index.by_capability.get(task.capability, [])
        barred = {name for name, sub in self.forbidden if sub == task.id}
        if not barred:
            return rows
        return [row for row in rows if self.index.listed[row].name not in barred]

    def candidates(self, task: SubTask) -> list[ToolSpec]:
        """Tools that can serve the sub-task (capability matches, not forbidden)."""
        return [self.index.listed[row] for row in self._rows[task.id]]

    def _candidate_estimates(self, task: SubTask) -> tuple[np.ndarray, np.ndarray]:
        rows = self._rows[task.id]
        return self.index.estimated(rows, task.capability, task.scale, self._held)

    def _median_cost(self) -> float:
        costs = np.concatenate([cost for cost, _ in self._costs.values()] or [np.zeros(0)])
        positive = costs[costs > 0]
        return float(np.median(positive)) if positive.size else 1.0

    def weight(self, cost: float, quality: float) -> float:
        quality = min(max(quality, 1e-12), 1.0)
        return self.alpha * cost / self.cost_ref + (1 - self.alpha) * -math.log(quality)

    def weights(self, cost: np.ndarray, quality: np.ndarray) -> np.ndarray:
        """`weight` for arrays (the search's own weights all come from here)."""
        surprisal = -np.log(np.clip(quality, 1e-12, 1.0))
        return self.alpha * cost / self.cost_ref + (1 - self.alpha) * surprisal

    def _weigh_candidates(self, task: SubTask) -> list[tuple[Option, list[str]]]:
        """Each candidate alone (no preparation), with the input types it needs."""
        rows = self._rows[task.id]
        listed = self.index.listed
        if task.id in self.done:
            row = rows[0]
            return [(Option((listed[row].name,), 0.0, 1.0, 0.0, self.index.outputs(row)), [])]
        cost, quality = self._costs[task.id]
        weight = self.weights(cost, quality)
        columns = zip(rows, cost.tolist(), quality.tolist(), weight.tolist(), strict=True)
        return [
            (Option((listed[row].name,), c, q, w, self.index.outputs(row)), listed[row].inputs)
            for row, c, q, w in columns
        ]

    def _min_costs(self) -> list[float]:
        """Suffix sums (by topological position) of the cheapest candidate cost."""
        costs = [min((o.cost for o, _ in self._singles[node]), default=INF) for node in self.order]
        return _suffix_sums(costs)

    # -- preparation chains ---------------------------------------------------------------
    def _cheapest_converters(self) -> tuple[dict[str, list[int]], dict[int, Option]]:
        """Converters by input type: every multi-input one; of single-input ones only the
        cheapest per (input, output) type pair. Each weighed on its first capability."""
        index = self.index
        cost, quality = index.estimated(None, "", 0.0, self._held)
        weight = self.weights(cost, quality)
        consumers: dict[str, list[int]] = {}
        for row in index.multi_input:
            for kind in set(index.listed[row].inputs):
                consumers.setdefault(kind, []).append(row)
        for (kind, _), rows in index.converter_groups.items():
            row = int(rows[np.argmin(weight[rows])])
            listed = consumers.setdefault(kind, [])
            if row not in listed:
                listed.append(row)
        used = {row for rows in consumers.values() for row in rows}
        options = {
            row: Option(
                (index.listed[row].name,),
                float(cost[row]),
                float(quality[row]),
                float(weight[row]),
                index.outputs(row),
            )
            for row in used
        }
        return consumers, options

    def _producers(self, available: frozenset[str]) -> dict[str, Option]:
        """Cheapest chain (up to MAX_CHAIN tools) producing each type from `available`."""
        if available not in self._producers_cache:

            def extend(row: int, inputs: list[Option]) -> Option | None:
                prep = _combine(inputs)
                if len(prep.tools) + 1 > MAX_CHAIN:
                    return None
                return _combine([prep, self._converter_options[row]])

            start = Option((), 0.0, 1.0, 0.0, frozenset())
            self._producers_cache[available] = self._settle_types(
                available, start, extend, lambda option: option.weight
            )
        return self._producers_cache[available]

    def _distances(
        self, available: frozenset[str], a: float = 1.0, b: float = 0.0
    ) -> dict[str, float]:
        """Lower bounds on preparing each type from `available` (chains of any length),
        each converter valued a * weight + b * cost."""
        key = (available, a, b)
        if key not in self._distances_cache:

            def extend(row: int, inputs: list[float]) -> float:
                converter = self._converter_options[row]
                return sum(inputs) + a * converter.weight + b * converter.cost

            self._distances_cache[key] = self._settle_types(available, 0.0, extend, float)
        return self._distances_cache[key]

    def _settle_types(
        self,
        available: frozenset[str],
        start: V,
        extend: Callable[[int, list[V]], V | None],
        priority: Callable[[V], float],
    ) -> dict[str, V]:
        """A Dijkstra over types: each available type is worth `start`; a converter fires
        once all its input types are settled, bringing its outputs `extend(row, inputs)`
        (None: it may not fire); each type keeps the value of lowest `priority`."""
        best = dict.fromkeys(available, start)
        waiting: dict[int, int] = {}
        heap = [(0.0, kind) for kind in available]
        settled: set[str] = set()
        listed = self.index.listed
        while heap:
            _, kind = heapq.heappop(heap)
            if kind in settled:
                continue
            settled.add(kind)
            for row in self._consumers.get(kind, []):
                spec = listed[row]
                waiting[row] = waiting.get(row, len(set(spec.inputs))) - 1
                if waiting[row]:
                    continue
                value = extend(row, [best[k] for k in dict.fromkeys(spec.inputs)])
                if value is None:
                    continue
                for out in spec.outputs:
                    if out not in settled and (
                        out not in best or priority(value) < priority(best[out])
                    ):
                        best[out] = value
                        heapq.heappush(heap, (priority(value), out))
        return best

    # -- options ------------------------------------------------------------------------
    def options(self, task: SubTask, available: frozenset[str]) -> list[Option]:
        """Every feasible option for the sub-task given the types available to it."""
        key = (task.id, available)
        if key in self._options_cache:
            return self._options_cache[key]
        result = []
        for option, inputs in self._singles[task.id]:
            missing = [kind for kind in inputs if kind not in available]
            if missing:
                producers = self._producers(available)
                if any(kind not in producers for kind in missing):
                    continue
                option = _combine([*(producers[kind] for kind in missing), option])
            result.append(option)  # `candidates` left out the forbidden tools
        result.sort(key=lambda o: o.weight)
        self._options_cache[key] = result
        return result

    def moves(self, task_id: int, available: frozenset[str]) -> list[Option]:
        """The options worth expanding: per resulting state (the outputs when a later
        sub-task reads them, else one state), the cheapest, or with a budget the
        (weight, cost) front."""
        key = (task_id, available)
        if key in self._moves_cache:
            return self._moves_cache[key]
        live = self.position[task_id] in self.last_use
        lowest: dict[frozenset[str] | None, float] = {}
        kept = []
        for option in self.options(self.plan.subtasks[task_id], available):
            state = option.outputs if live else None
            if state in lowest and (self.budget is None or option.cost >= lowest[state]):
                continue
            lowest[state] = option.cost
            kept.append(option)
        self._moves_cache[key] = kept
        return kept

    # -- heuristic ----------------------------------------------------------------------
    def _choose_valuations(self) -> list[tuple[float, float]]:
        """What the forest relaxation bounds, as (a, b) in a * weight + b * cost: the
        weight; with a budget also the cost (to prune) and, when it helps at the root,
        weight + lam * cost (a Lagrangian bound: with the remaining budget R, any path
        that fits weighs at least its bound - lam * R)."""
        if self.budget is None:
            return [(1.0, 0.0)]
        self._lam = self._best_multiplier()
        return [(1.0, 0.0), (0.0, 1.0)] + ([(1.0, self._lam)] if self._lam else [])

    def _best_multiplier(self, steps: int = 14) -> float:
        """The lam maximising the Lagrangian bound at the root (concave in lam; a golden
        section search over log lam); 0.0 when it does not beat the plain bound."""

        def at_root(lam: float) -> float:
            roots = self._forest_bounds(1.0, lam)[0]
            return sum(table[None] for _, table in roots) - lam * self.budget

        plain = at_root(0.0)
        if not (0 < plain < INF) or not self.budget:
            return 0.0
        low, high = math.log(plain / self.budget) - 7.0, math.log(plain / self.budget) + 7.0
        ratio = (math.sqrt(5) - 1) / 2
        for _ in range(steps):
            left, right = high - ratio * (high - low), low + ratio * (high - low)
            if at_root(math.exp(left)) < at_root(math.exp(right)):
                low = left
            else:
                high = right
        lam = math.exp((low + high) / 2)
        return lam if at_root(lam) > plain else 0.0

    def _forest_bounds(self, a: float = 1.0, b: float = 0.0) -> list[list[tuple[int | None, dict]]]:
        """Per topological depth, the heuristic's terms: (position of the designated parent
        or None, its table of bounds by that parent's outputs), options valued a * weight +
        b * cost.

        The relaxation: each sub-task keeps one designated parent (its latest); the output
        types of its other parents may be any their candidates produce, and preparation
        chains may be of any length. Each option then values no more than in the search,
        and the relaxed plan is a forest, solved exactly bottom-up: M_j(t) = the cheapest
        value of sub-task j and its designated descendants when its designated parent
        outputs t. From a state at depth D the bound sums M_j(t) over the undecided
        sub-tasks whose designated parent is decided (or who have none).
        """
        designated = {
            node: max(self.parents[node], key=self.position.__getitem__, default=None)
            for node in self.order
        }
        kids: dict[int, list[int]] = {node: [] for node in self.order}
        for node, parent in designated.items():
            if parent is not None:
                kids[parent].append(node)
        produced = {
            node: {option.outputs for option, _ in self._singles[node]} for node in self.order
        }
        tables: dict[int, dict] = {}
        for node in reversed(self.order):
            parent = designated[node]
            others = set(self.given)
            for other in self.parents[node]:
                if other != parent:
                    others.update(*produced[other])
            keys = produced[parent] if parent is not None else {None}
            tables[node] = {
                key: self._subtree_bound(
                    node, frozenset(others | (key or set())), kids[node], tables, (a, b)
                )
                for key in keys
            }
        terms: list[list[tuple[int | None, dict]]] = []
        for depth in range(len(self.order) + 1):
            terms.append([])
            for node in self.order[depth:]:
                parent = designated[node]
                if parent is None or self.position[parent] < depth:
                    where = None if parent is None else self.position[parent]
                    terms[-1].append((where, tables[node]))
        return terms

    def _subtree_bound(
        self,
        node: int,
        available: frozenset[str],
        kids: list[int],
        tables: dict,
        valuation: tuple[float, float],
    ) -> float:
        """Cheapest relaxed value of `node` given `available`, plus its designated
        children's tables at the outputs of the option chosen."""
        a, b = valuation
        dist = self._distances(available, a, b)
        best = INF
        below: dict[frozenset[str], float] = {}
        for option, inputs in self._singles[node]:
            value = a * option.weight + b * option.cost
            for kind in inputs:
                if kind not in available:
                    value += dist.get(kind, INF)
            if value >= best:
                continue
            if option.outputs not in below:
                below[option.outputs] = sum(tables[kid][option.outputs] for kid in kids)
            best = min(best, value + below[option.outputs])
        return best

    def bound_sums(self, depth: int, outputs: tuple[frozenset[str], ...]) -> list[float]:
        """The forest bounds (one per valuation) of the sub-tasks from `depth` on."""
        sums = []
        for terms in self._bounds:
            total = 0.0
            for where, table in terms[depth]:
                total += table[None if where is None else outputs[where]]
            sums.append(total)
        return sums

    def bound_from_sums(self, sums: list[float], cost: float) -> float:
        """The heuristic from `bound_sums` at a state that has spent `cost`; INF when even
        the cheapest completion exceeds the budget."""
        slack = 1 - 1e-12  # float sums in another order must not overestimate
        h = sums[0] * slack
        if self.budget is None:
            return h
        room = self.budget - cost
        if sums[1] * slack > room:
            return INF
        if len(sums) > 2:
            lagrange = sums[2] - self._lam * room
            h = max(h, lagrange - 1e-12 * (sums[2] + self._lam * abs(room)))
        return h

    def heuristic(
        self, depth: int, outputs: tuple[frozenset[str], ...], cost: float = 0.0
    ) -> float:
        """Lower bound on the weight of the sub-tasks from topological position `depth` on,
        given the outputs chosen before it and the cost spent (see `_forest_bounds`)."""
        return self.bound_from_sums(self.bound_sums(depth, outputs), cost)

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


def _suffix_sums(values: list[float]) -> list[float]:
    return [*reversed([*itertools.accumulate(reversed(values))]), 0.0]


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
    heuristic = problem.heuristic if use_heuristic else _no_heuristic
    counter = itertools.count()
    root = _Node(0.0, 0.0, 0, None, None, ())
    # Ties on f go to the deeper node (fewer expansions), then first come.
    frontier = [(heuristic(0, ()), 0, next(counter), root)]
    seen: dict[tuple, list[tuple[float, float]]] = {}
    with_budget = problem.budget is not None
    while frontier:
        f, _, _, node = heapq.heappop(frontier)
        if f == INF:
            break
        key = problem.state_key(node.depth, node.outputs)
        if _dominated(seen.get(key, []), node, with_budget):
            continue
        seen.setdefault(key, []).append((node.g, node.cost))
        stats.expanded += 1
        if node.depth == n:
            stats.seconds = time.perf_counter() - started
            return SearchResult(path=problem.to_path(_choices(node)), stats=stats)
        for child_f, child in _children(problem, node, use_heuristic):
            stats.generated += 1
            heapq.heappush(frontier, (child_f, -child.depth, next(counter), child))
    stats.seconds = time.perf_counter() - started
    reason = "no path fits the budget" if problem.budget is not None else "no feasible path"
    return SearchResult(path=None, stats=stats, reason=reason + " (input types or budget)")


def _no_heuristic(depth: int, outputs: tuple[frozenset[str], ...], cost: float = 0.0) -> float:
    return 0.0


def _dominated(entries: list[tuple[float, float]], node: _Node, with_budget: bool) -> bool:
    if not with_budget:
        return bool(entries)
    return any(g <= node.g and c <= node.cost for g, c in entries)


def _children(
    problem: SearchProblem, node: _Node, use_heuristic: bool
) -> list[tuple[float, _Node]]:
    depth = node.depth
    task_id = problem.order[depth]
    available = problem.available_at(task_id, node.outputs)
    rest = problem.min_cost[depth + 1]
    sums: dict[frozenset[str], list[float]] = {}  # children with equal outputs share them
    children = []
    for option in problem.moves(task_id, available):
        cost = node.cost + option.cost
        if problem.budget is not None and cost + rest > problem.budget:
            continue
        outputs = (*node.outputs, option.outputs)
        h = 0.0
        if use_heuristic:
            if option.outputs not in sums:
                sums[option.outputs] = problem.bound_sums(depth + 1, outputs)
            h = problem.bound_from_sums(sums[option.outputs], cost)
            if h == INF:
                continue
        g = node.g + option.weight
        children.append((g + h, _Node(g, cost, depth + 1, option, node, outputs)))
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
