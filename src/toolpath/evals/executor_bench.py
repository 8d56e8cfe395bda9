"""`toolpath bench executor`: one sweep of merge tasks on the local executor and on Ray.

The tasks and tools are those of `bench agent` (experts as safetensors vectors, four
merge tools with injected crashes and misses, each tool sleeping its declared cost): every
task goes through the agent (decompose, search, execute, verify, replan) once with
`--executor local` and once with `--executor ray`, each in a fresh home. Reported: the
sweep's wall seconds on each, the per-step overhead (the executor's wall seconds for a
step less the seconds its tools ran: for Ray, the task submission, scheduling, JSON in
and out and the artifact lookup), the Ray start-up, and whether the results are identical:
per task the status, every step's (sub-task, tool, verdict), the metrics, and the content
digests of every file of the final artifact.

Before the sweep each executor warms up: Ray loads the tool registry (and with it torch)
in one worker per CPU of the cluster, then one warm-up task runs; those seconds are
reported apart. Without the workers' warm-up, a worker the warm-up task did not reach
paid its first import (about 1.7 s) inside the sweep.
"""

from __future__ import annotations

import json
import logging
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from toolpath.agent.run.executor import EXECUTORS
from toolpath.evals.agent_bench import VectorEvaluator, build_registry, make_task, task_spec
from toolpath.evals.provenance import provenance

log = logging.getLogger(__name__)


def _timed(executor: Any, overheads: list[float]) -> None:
    """Wrap the executor's `run` to record each step's wall seconds beyond its tools'."""
    inner = executor.run

    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        outcome = inner(*args, **kwargs)
        own = sum(s for s in outcome.ran if s is not None)
        overheads.append(max(time.perf_counter() - started - own, 0.0))
        return outcome

    executor.run = run


def _result(summary: Any) -> dict[str, Any]:
    """What must be identical across executors (paths differ: each has its own store)."""
    final = None
    passed = [s for s in summary.steps if s.ok and s.artifact]
    if summary.status == "succeeded" and passed:
        manifest = Path(passed[-1].artifact, "artifact.json")
        final = json.loads(manifest.read_text())["files"]
    return {
        "status": summary.status,
        "steps": [[s.subtask, s.tool, s.verdict] for s in summary.steps],
        "metrics": summary.result.get("metrics", {}),
        "files": final,
    }


def run_sweep(
    kind: str, tasks: list[dict[str, Any]], home: Path, threshold: float
) -> dict[str, Any]:
    """The warm-up task, then the sweep, on one executor."""
    from toolpath.agent.run.runner import AgentRunner

    runner = AgentRunner(
        registry=build_registry([]), home=home, evaluator=VectorEvaluator(), executor=kind
    )
    overheads: list[float] = []
    _timed(runner.graph_builder.executor, overheads)
    started = time.perf_counter()
    workers = runner.graph_builder.executor.warm_up()
    runner.start(task_spec(tasks[0], threshold, 3), run_id="warm-up")
    warm_up = time.perf_counter() - started
    overheads.clear()
    results, started = [], time.perf_counter()
    for index, task in enumerate(tasks[1:]):
        summary = runner.start(task_spec(task, threshold, 3), run_id=f"task{index}")
        results.append(_result(summary))
    wall = time.perf_counter() - started
    runner.close()
    return {
        "warm_up_seconds": round(warm_up, 3),
        "workers_warmed": workers,
        "sweep_wall_seconds": round(wall, 3),
        "steps": len(overheads),
        "step_overhead_ms_median": round(1000 * statistics.median(overheads), 2),
        "step_overhead_ms_mean": round(1000 * statistics.fmean(overheads), 2),
        "step_overhead_ms_max": round(1000 * max(overheads), 2),
        "successes": sum(r["status"] == "succeeded" for r in results),
        "results": results,
    }


def run_bench(tasks: int = 8, seed: int = 0, threshold: float = 0.9) -> dict[str, Any]:
    """The same tasks (plus one warm-up) on both executors; Ray started here, timed."""
    from toolpath.agent.run.ray_executor import ensure_ray

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="toolpath-executor-bench-") as scratch:
        root = Path(scratch)
        specs = [make_task(root / "tasks", i, rng) for i in range(tasks + 1)]
        started = time.perf_counter()
        ray = ensure_ray()
        ray_start = time.perf_counter() - started
        runs = {kind: run_sweep(kind, specs, root / kind, threshold) for kind in EXECUTORS}
    local, remote = runs["local"], runs["ray"]
    identical = local.pop("results") == remote.pop("results")
    return {
        "tasks": tasks,
        "seed": seed,
        "threshold": threshold,
        "ray_cluster": {
            "address": ray.get_runtime_context().gcs_address,
            "cpus": ray.cluster_resources().get("CPU"),
            "start_seconds": round(ray_start, 3),
        },
        "local": local,
        "ray": remote,
        "results_identical": identical,
        "ray_overhead_ms_per_step": round(
            remote["step_overhead_ms_median"] - local["step_overhead_ms_median"], 2
        ),
        "provenance": provenance(),
    }


def bench_executor(
    tasks: Annotated[int, typer.Option("--tasks", help="merge tasks in the sweep")] = 8,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    threshold: Annotated[float, typer.Option("--threshold")] = 0.9,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """The same sweep on the local executor and on Ray: wall time, per-step overhead,
    and whether the results are identical."""
    from rich.console import Console
    from rich.table import Table

    from toolpath.tools.extras import require

    require("ray", "ray")
    require("langgraph", "agent")
    result = run_bench(tasks, seed, threshold)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"bench executor: {tasks} merge tasks (+1 warm-up)")
    columns = ("executor", "sweep wall s", "steps", "overhead ms median", "mean", "successes")
    for column in columns:
        table.add_column(column)
    for kind in EXECUTORS:
        row = result[kind]
        table.add_row(
            kind,
            f"{row['sweep_wall_seconds']:.2f}",
            str(row["steps"]),
            f"{row['step_overhead_ms_median']:.1f}",
            f"{row['step_overhead_ms_mean']:.1f}",
            f"{row['successes']}/{tasks}",
        )
    console = Console()
    console.print(table)
    console.print(f"results identical: {result['results_identical']}")


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    bench_app.command("executor")(bench_executor)
