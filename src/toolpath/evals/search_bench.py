"""`toolpath bench search`: A* against exhaustive enumeration and uniform-cost search.

Instances are seeded and random: sub-task DAGs of 3-12 nodes, 5-50 candidate tools each,
random costs and qualities, typed inputs and outputs (some candidates need a converter
chain or are infeasible), and a budget on some instances. A* must match the exhaustive
optimum wherever enumeration is feasible; its node expansions are compared with uniform-
cost search (the same search with a zero heuristic) on the same instances.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import time
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import track
from rich.table import Table

from toolpath.evals.provenance import provenance
from toolpath.planners.estimates import EstimateStore
from toolpath.planners.plan import Argument, Plan, SubTask
from toolpath.planners.search import SearchProblem, ToolIndex, astar, exhaustive_search
from toolpath.tools.spec import CostPrior, ToolSpec

TYPES = ("text", "image", "audio", "table", "model")
ENUMERATION_LIMIT = 1_000_000


@dataclass
class Instance:
    plan: Plan
    tools: list[ToolSpec]
    budget: float | None


def random_plan(rng: random.Random, n_nodes: int, capabilities: list[str]) -> Plan:
    """A random DAG: each node may depend on up to two earlier nodes."""
    subtasks = []
    for i in range(n_nodes):
        parents = rng.sample(range(i), k=min(i, rng.choice((0, 1, 1, 2))))
        args = [Argument(value=f"<node-{p}>") for p in parents] or [Argument(value="input")]
        subtasks.append(SubTask(id=i, capability=capabilities[i], arguments=args))
    return Plan(request="random instance", subtasks=subtasks)


def random_tool(rng: random.Random, name: str, capability: str) -> ToolSpec:
    typed = rng.random() < 0.6
    return ToolSpec(
        name=name,
        doc=f"random tool for {capability}",
        inputs=[rng.choice(TYPES)] if typed else [],
        outputs=[rng.choice(TYPES)],
        capabilities=[capability],
        cost=CostPrior(seconds=round(rng.uniform(0.1, 100.0), 3)),
        quality=round(rng.uniform(0.3, 0.999), 3),
    )


def random_instance(
    rng: random.Random, max_nodes: int = 12, max_candidates: int | None = None
) -> Instance:
    """One seeded instance with converters that make some typed candidates feasible.

    Half the instances draw 5-12 candidates per sub-task and half 5-50, so that many
    stay small enough to enumerate.
    """
    max_candidates = max_candidates or rng.choice((12, 50))
    n_nodes = rng.randint(3, max_nodes)
    capabilities = [f"cap{i}" for i in range(n_nodes)]
    tools = [
        random_tool(rng, f"{cap}_tool{j}", cap)
        for cap in capabilities
        for j in range(rng.randint(5, max_candidates))
    ]
    tools += [random_tool(rng, f"convert{j}", "convert") for j in range(rng.randint(0, 4))]
    tools = [t for t in tools if not (t.capabilities == ["convert"] and not t.inputs)]
    budget = None
    if rng.random() < 0.3:
        budget = round(rng.uniform(20.0, 60.0) * n_nodes, 1)
    return Instance(random_plan(rng, n_nodes, capabilities), tools, budget)


def problem_for(instance: Instance, alpha: float) -> SearchProblem:
    return SearchProblem(
        instance.plan,
        instance.tools,
        EstimateStore(),
        alpha=alpha,
        budget=instance.budget,
        given={"text"},
    )


def enumeration_size(problem: SearchProblem) -> int:
    return math.prod(max(1, len(problem.candidates(t))) for t in problem.plan.subtasks)


def compare_instance(instance: Instance, alpha: float) -> dict:
    """A*, UCS and (when small enough) exhaustive search on one instance."""
    a_star = astar(problem_for(instance, alpha))
    ucs = astar(problem_for(instance, alpha), use_heuristic=False)
    row = {
        "astar_expanded": a_star.stats.expanded,
        "ucs_expanded": ucs.stats.expanded,
        "checked": False,
        "optimal": None,
    }
    problem = problem_for(instance, alpha)
    if enumeration_size(problem) <= ENUMERATION_LIMIT:
        exact = exhaustive_search(problem, limit=10 * ENUMERATION_LIMIT)
        row["checked"] = True
        row["optimal"] = _same_optimum(a_star.path, exact.path) and _same_optimum(
            ucs.path, exact.path
        )
    return row


def _same_optimum(found, exact) -> bool:
    if found is None or exact is None:
        return found is None and exact is None
    return math.isclose(found.weight, exact.weight, rel_tol=1e-9, abs_tol=1e-9)


def large_catalogue(rng: random.Random, n_tools: int = 10_000, n_subtasks: int = 10):
    """A 10-sub-task plan over a catalogue of `n_tools` tools in 200 capabilities."""
    capabilities = [f"cap{i}" for i in range(200)]
    tools = [random_tool(rng, f"tool{i}", capabilities[i % 200]) for i in range(n_tools)]
    plan = random_plan(rng, n_subtasks, rng.sample(capabilities, n_subtasks))
    return plan, tools


def time_large(runs: int, seed: int) -> dict[str, list[float]]:
    """Milliseconds over a 10,000-tool catalogue: a search with all set-up included (the
    catalogue's ToolIndex built inside), the ToolIndex alone, and a search that reuses
    the index (as repeated searches over one catalogue do; the plan's set-up included)."""
    times: dict[str, list[float]] = {"cold": [], "index": [], "reused": []}
    for run in range(runs):
        plan, tools = large_catalogue(random.Random(seed + run))
        started = time.perf_counter()
        cold = astar(SearchProblem(plan, tools, EstimateStore(), alpha=0.5, given={"text"}))
        times["cold"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        index = ToolIndex(tools)
        times["index"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        reused = astar(SearchProblem(plan, index, EstimateStore(), alpha=0.5, given={"text"}))
        times["reused"].append((time.perf_counter() - started) * 1000)
        if (cold.path is None) != (reused.path is None) or (
            cold.path is not None and not _same_optimum(cold.path, reused.path)
        ):
            raise AssertionError(f"run {run}: a reused index changed the optimum")
    return times


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def run_benchmark(
    instances: int = 300, seed: int = 0, large_runs: int = 20, progress: bool = False
) -> dict:
    rng = random.Random(seed)
    rows = []
    steps = range(instances)
    for _ in track(steps, description="search instances") if progress else steps:
        rows.append(compare_instance(random_instance(rng), alpha=rng.choice((0.0, 0.3, 0.7, 1.0))))
    checked = [r for r in rows if r["checked"]]
    large = time_large(large_runs, seed)
    return {
        "instances": instances,
        "checked_by_enumeration": len(checked),
        "optimal_rate": sum(r["optimal"] for r in checked) / len(checked) if checked else None,
        "expansions_ratio_vs_ucs": sum(r["astar_expanded"] for r in rows)
        / sum(r["ucs_expanded"] for r in rows),
        "median_instance_expansions_ratio": statistics.median(
            r["astar_expanded"] / r["ucs_expanded"] for r in rows
        ),
        "p50_ms_10k_tools": statistics.median(large["cold"]),
        "p90_ms_10k_tools": _p90(large["cold"]),
        "p50_ms_10k_tools_index_reused": statistics.median(large["reused"]),
        "p50_ms_10k_tools_index_build": statistics.median(large["index"]),
        "provenance": provenance(),
    }


def _print_table(result: dict) -> None:
    table = Table(title="A* tool-path search")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if key == "provenance":
            continue
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    Console().print(table)


def search_command(
    instances: Annotated[int, typer.Option(help="random instances to check")] = 300,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    large_runs: Annotated[int, typer.Option(help="timed searches over 10,000 tools")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """A* vs exhaustive enumeration and uniform-cost search; timing at 10,000 tools."""
    result = run_benchmark(instances, seed, large_runs, progress=not as_json)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        _print_table(result)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    bench_app.command("search")(search_command)
