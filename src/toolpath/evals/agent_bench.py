"""`toolpath bench agent`: replanning against the strategies a user would try instead.

A suite of merge tasks over small real "models" (safetensors vectors): each skill's expert
is a shared base plus a task vector on the skill's own coordinates plus small noise on
all coordinates; a model's accuracy on a skill is the share of the skill's coordinates
it reproduces within a tolerance, normalised by the expert's own (1.0). Four merge tools,
with failures injected:

- merge_first (cheap, high prior): keeps the first expert only -> misses the threshold;
- merge_fast (cheap): crashes on tasks marked flaky;
- merge_sum (task arithmetic): exact when the noise is small, misses when it adds up;
- merge_trim (TIES-like, dearest): trims the noise first -> passes.

Strategies over the same tasks: toolpath (verify, forbid, search again) and no_replan (the
first path only), each in its own fresh home; toolpath_second_pass runs the same tasks
again with the estimates toolpath learned in its first pass (a fresh artifact store, so
nothing is a cache hit: the saving is the learned estimates' alone). Baselines without
the agent: greedy (merge methods in order of their cost prior, stop at the first that
passes verification), random (a random order, stop at the first pass, averaged over
seeds) and exhaustive (every method, success when any passes). The baselines are scored
from one execution of every (task, method) pair: the tools are deterministic, so a
strategy's cost is the cost of the executions its order reaches.

Cost is the sum of the tools' declared cost priors over the tool executions made (the
tools themselves take milliseconds), so the ratios do not depend on the machine's load
(the agent's tools sleep their declared cost, so the costs learned from measured seconds
agree with it); wall seconds are reported beside for the agent's runs.
"""

from __future__ import annotations

import json
import logging
import random
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from toolpath.evals.provenance import provenance

TOLERANCE = 0.05
DIM_PER_SKILL = 32
# Each tool sleeps its declared cost, so the costs the estimate store learns from
# measured seconds agree with the declared ones (plus milliseconds of tensor I/O).
TIME_SCALE = 1.0
RANDOM_SEEDS = 20
BASELINES = ("greedy", "random", "exhaustive")
STRATEGIES = ("toolpath", "toolpath_second_pass", "no_replan", *BASELINES)

logger = logging.getLogger(__name__)


def _torch():
    import torch
    from safetensors.torch import load_file, save_file

    return torch, load_file, save_file


def _save(out: Path, vector: Any) -> None:
    _, _, save_file = _torch()
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps({"model_type": "bench-vector"}))
    save_file({"w": vector.contiguous()}, str(out / "model.safetensors"))


def _load(path: str | Path) -> Any:
    _, load_file, _ = _torch()
    return load_file(str(Path(path) / "model.safetensors"))["w"]


def make_task(root: Path, index: int, rng: random.Random) -> dict[str, Any]:
    """Experts, eval sets and the task's checks; some tasks are flaky or noisy."""
    torch, _, _ = _torch()
    k = rng.choice([2, 2, 3])
    noise = rng.choice([0.0, 0.0, 0.02, 0.2])
    flaky = rng.random() < 0.4
    dim = DIM_PER_SKILL * k
    generator = torch.Generator().manual_seed(index)
    base = torch.randn(dim, generator=generator)
    folder = root / f"task{index}{'-flaky' if flaky else ''}"
    _save(folder / "base", base)
    skills = []
    for s in range(k):
        delta = noise * torch.randn(dim, generator=generator)
        start = s * DIM_PER_SKILL
        delta[start : start + DIM_PER_SKILL] += 1.0 + torch.rand(DIM_PER_SKILL, generator=generator)
        expert = folder / f"skill{s}"
        _save(expert, base + delta)
        probe = {"coords": list(range(start, start + DIM_PER_SKILL))}
        (expert / "eval.json").write_text(json.dumps(probe))
        skills.append(str(expert))
    return {"folder": str(folder), "skills": skills, "base": str(folder / "base"), "k": k}


class VectorEvaluator:
    """Share of a skill's coordinates the model reproduces within TOLERANCE of its expert."""

    def accuracy(self, model_dir: str, dataset: str) -> float:
        expert = Path(dataset).parent
        coords = json.loads(Path(dataset).read_text())["coords"]
        model, reference = _load(model_dir), _load(expert)
        close = (model[coords] - reference[coords]).abs() < TOLERANCE
        return float(close.float().mean())

    def proxy(self, model_dir: str, dataset: str, threshold: float) -> tuple[str, None]:
        return "full", None


def build_registry(calls: list[str], sleep: bool = True):
    from toolpath.tools.registry import ToolRegistry, tool
    from toolpath.tools.spec import CostPrior

    torch, _, _ = _torch()
    registry = ToolRegistry()

    def log(name: str) -> None:
        calls.append(name)
        if sleep and name in registry:
            time.sleep(registry.get(name).cost.seconds * TIME_SCALE)

    @tool(
        capabilities=["retrieve_experts"],
        outputs=["model"],
        cost=0.05,
        quality=0.95,
        registry=registry,
    )
    def find_expert(path: str) -> list[dict[str, Any]]:
        """Look up one expert model directory."""
        log("find_expert")
        if not (Path(path) / "model.safetensors").is_file():
            raise FileNotFoundError(f"no expert at {path}")
        return [{"path": path, "score": 1.0}]

    def merge_tool(name: str, cost: float, quality: float, doc: str, combine):
        def merge(models: list[str], base: str, out: str) -> dict[str, Any]:
            log(name)
            vectors = [_load(m) for m in models]
            _save(Path(out), combine(_load(base), vectors, base))
            return {"path": out}

        merge.__name__ = name
        tool(
            capabilities=["merge_models"],
            inputs=["model"],
            outputs=["model"],
            cost=CostPrior(seconds=cost),
            quality=quality,
            doc=doc,
            registry=registry,
        )(merge)

    def first(base, vectors, _):
        return vectors[0]

    def fast(base, vectors, base_path):
        if "-flaky" in base_path:
            raise RuntimeError("merge_fast crashed (injected failure)")
        return base + torch.stack([v - base for v in vectors]).sum(0)

    def summed(base, vectors, _):
        return base + torch.stack([v - base for v in vectors]).sum(0)

    def trimmed(base, vectors, _):
        deltas = torch.stack([v - base for v in vectors])
        deltas = torch.where(deltas.abs() > 0.5, deltas, torch.zeros_like(deltas))
        return base + deltas.sum(0)

    merge_tool("merge_first", 0.05, 0.92, "Keep the first model (cheapest).", first)
    merge_tool("merge_fast", 0.075, 0.9, "Task arithmetic, fast path.", fast)
    merge_tool("merge_sum", 0.2, 0.8, "Task arithmetic: base plus summed task vectors.", summed)
    merge_tool("merge_trim", 0.5, 0.75, "Trim small task-vector entries, then sum.", trimmed)
    return registry


def task_spec(task: dict[str, Any], threshold: float, max_replans: int) -> Any:
    from toolpath.agent.run.task import TaskSpec
    from toolpath.planners.plan import Argument, Plan, SubTask

    subtasks = [
        SubTask(id=i, capability="retrieve_experts", arguments=[Argument(value=p)])
        for i, p in enumerate(task["skills"])
    ]
    refs = [Argument(value=f"<node-{i}>") for i in range(len(subtasks))]
    subtasks.append(SubTask(id=len(subtasks), capability="merge_models", arguments=refs))
    checks = [
        {
            "name": f"skill{i}",
            "metric": "normalized_accuracy",
            "dataset": str(Path(p) / "eval.json"),
            "reference": p,
            "threshold": threshold,
            "proxy": False,
        }
        for i, p in enumerate(task["skills"])
    ]
    return TaskSpec(
        request=f"merge {task['k']} experts",
        alpha=0.7,
        inputs={"base": task["base"]},
        roots=[task["folder"]],  # the task's models live in the bench's temporary folder
        given=["model"],
        checks=checks,
        plan=Plan(subtasks=subtasks),
        limits={"max_replans": max_replans, "max_depth": 0},
        judge=False,
    )


def _prior_cost(registry: Any, calls: list[str]) -> float:
    return sum(registry.get(name).cost.seconds for name in calls)


def run_agent(
    tasks: list[dict[str, Any]],
    home: Path,
    threshold: float,
    replans: int,
    estimates: Path | None = None,
) -> dict[str, Any]:
    """Every task through the agent in `home`; `estimates` reuses another run's estimate file."""
    from toolpath.agent.run.runner import AgentRunner
    from toolpath.planners.estimates import EstimateStore

    calls: list[str] = []
    registry = build_registry(calls)
    store = EstimateStore(estimates) if estimates is not None else None
    runner = AgentRunner(registry=registry, home=home, evaluator=VectorEvaluator(), estimates=store)
    successes, started = 0, time.perf_counter()
    for task in tasks:
        summary = runner.start(task_spec(task, threshold, replans))
        successes += summary.status == "succeeded"
    runner.close()
    return _row(successes, len(tasks), _prior_cost(registry, calls), time.perf_counter() - started)


def method_outcomes(
    tasks: list[dict[str, Any]], home: Path, threshold: float
) -> tuple[list[dict[str, bool]], list[float], dict[str, float]]:
    """Run every merge method once on every task (no sleeping: the cost is the prior).

    Returns per task {method: passed verification} (a crash does not pass), per task the
    cost of looking up its experts, and each method's cost prior.
    """
    calls: list[str] = []
    registry = build_registry(calls, sleep=False)
    evaluator = VectorEvaluator()
    merges = registry.with_capability("merge_models")
    outcomes: list[dict[str, bool]] = []
    lookups: list[float] = []
    for number, task in enumerate(tasks):
        finder = registry.get("find_expert")
        models = [finder.invoke({"path": p})[0]["path"] for p in task["skills"]]
        lookups.append(finder.cost.seconds * len(models))
        passed: dict[str, bool] = {}
        for spec in merges:
            out = home / f"{number}-{spec.name}"
            try:
                spec.invoke({"models": models, "base": task["base"], "out": str(out)})
            except Exception as error:  # an injected crash: the method fails this task
                logger.debug("%s failed on task %d: %s", spec.name, number, error)
                passed[spec.name] = False
                continue
            scores = [evaluator.accuracy(str(out), str(Path(p) / "eval.json")) for p in models]
            passed[spec.name] = min(scores) >= threshold
        outcomes.append(passed)
    costs = {spec.name: spec.cost.seconds for spec in merges}
    return outcomes, lookups, costs


def first_pass(
    order: list[str], passed: dict[str, bool], costs: dict[str, float]
) -> tuple[bool, float]:
    """Try methods in `order` until one passes: (succeeded, cost of the methods run)."""
    spent = 0.0
    for name in order:
        spent += costs[name]
        if passed[name]:
            return True, spent
    return False, spent


def score_baselines(
    outcomes: list[dict[str, bool]],
    lookups: list[float],
    costs: dict[str, float],
    seeds: int = RANDOM_SEEDS,
) -> dict[str, dict[str, Any]]:
    """greedy, random (mean over `seeds` seeds) and exhaustive from the outcome table."""
    total = len(outcomes)
    lookup = sum(lookups)
    greedy_order = sorted(costs, key=lambda name: (costs[name], name))
    greedy = [first_pass(greedy_order, passed, costs) for passed in outcomes]
    rows = {
        "greedy": _row(sum(ok for ok, _ in greedy), total, lookup + sum(c for _, c in greedy)),
        "exhaustive": _row(
            sum(any(passed.values()) for passed in outcomes),
            total,
            lookup + sum(costs.values()) * total,
        ),
    }
    successes, spent = [], []
    for seed in range(seeds):
        rng = random.Random(seed)
        runs = [first_pass(rng.sample(greedy_order, len(costs)), p, costs) for p in outcomes]
        successes.append(sum(ok for ok, _ in runs))
        spent.append(lookup + sum(c for _, c in runs))
    rows["random"] = _row(sum(successes) / seeds, total, sum(spent) / seeds)
    rows["random"]["seeds"] = seeds
    rows["random"]["total_cost_range"] = [round(min(spent), 3), round(max(spent), 3)]
    return rows


def _row(successes: float, total: int, cost: float, wall: float | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "successes": round(successes, 3),
        "success_rate": round(successes / max(total, 1), 4),
        "total_cost": round(cost, 3),
        "mean_cost": round(cost / max(total, 1), 4),
    }
    if wall is not None:
        row["wall_seconds"] = round(wall, 2)
    return row


def run_bench(
    n_tasks: int = 12, seed: int = 0, threshold: float = 0.9, seeds: int = RANDOM_SEEDS
) -> dict[str, Any]:
    """Every strategy over the same `n_tasks` tasks; `seeds` orders for the random baseline."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="toolpath-bench-agent-") as tmp:
        root = Path(tmp)
        tasks = [make_task(root / "tasks", i, rng) for i in range(n_tasks)]
        first = run_agent(tasks, root / "toolpath", threshold, replans=6)
        second = run_agent(
            tasks,
            root / "toolpath-second",
            threshold,
            replans=6,
            estimates=root / "toolpath" / "estimates.sqlite",
        )
        result: dict[str, Any] = {
            "toolpath": first,
            "toolpath_second_pass": second,
            "no_replan": run_agent(tasks, root / "no_replan", threshold, replans=0),
        }
        outcomes, lookups, costs = method_outcomes(tasks, root / "baselines", threshold)
        result.update(score_baselines(outcomes, lookups, costs, seeds))
    result["tasks"] = n_tasks
    result["seed"] = seed
    result["threshold"] = threshold
    result["method_costs"] = costs
    base = result["toolpath"]["total_cost"]
    for name in STRATEGIES[1:]:
        other = result[name]["total_cost"]
        result[name]["cost_ratio_vs_toolpath"] = round(other / base, 3) if base else None
    result["second_pass_saving"] = round(first["total_cost"] - second["total_cost"], 3)
    result["provenance"] = provenance()
    return result


def bench_agent(
    tasks: Annotated[int, typer.Option("--tasks", help="number of merge tasks")] = 12,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    threshold: Annotated[float, typer.Option("--threshold")] = 0.9,
    seeds: Annotated[
        int, typer.Option("--seeds", help="random orders averaged for the random baseline")
    ] = RANDOM_SEEDS,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """toolpath (first and second pass) vs no replanning, greedy, random order and
    exhaustive: successes, mean and total cost."""
    from rich.console import Console
    from rich.table import Table

    result = run_bench(tasks, seed, threshold, seeds)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"bench agent: {tasks} merge tasks with injected failures")
    columns = ("strategy", "successes", "mean cost", "total cost", "cost / toolpath", "wall s")
    for column in columns:
        table.add_column(column)
    for name in STRATEGIES:
        row = result[name]
        ratio = row.get("cost_ratio_vs_toolpath")
        wall = row.get("wall_seconds")
        table.add_row(
            name,
            f"{row['successes']:g}/{tasks}",
            f"{row['mean_cost']:.3f}",
            f"{row['total_cost']:.2f}",
            "1.00" if name == "toolpath" else f"{ratio:.2f}" if ratio is not None else "-",
            f"{wall:.1f}" if wall is not None else "-",
        )
    Console().print(table)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    bench_app.command("agent")(bench_agent)
