"""`toolpath bench merge-quality`: every merge method on the zoo's experts, side by side.

For each group of experts (every pair, and all experts together) and each merge method,
merge with tools.merging, evaluate the merged model on each of the group's tasks with
tools.evaluation, and divide by the expert's own accuracy on the same examples. The
table (normalised accuracy per task and on average, merge seconds), its cost-quality
Pareto front and a plot go into a report; the per-method pass rates become the merge
tools' quality priors (tools/merging/quality_priors.json), the way CoSTA* seeds its
search from a benchmark table.

With `--executor ray` (or $TOOLPATH_EXECUTOR=ray) each (method, expert set) cell runs as
one Ray task: it reads the zoo from its path, merges into a scratch folder under
$TOOLPATH_HOME (a path every node must see, as for the agent's steps), writes its row as
JSON there and returns that file's path; no tensor goes through Ray's object store. The
rows are put back in the cells' order, whatever order the tasks finish in, so the
numbers are those of the local run (the merge seconds are measured, not reproduced).
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from toolpath.evals.provenance import provenance
from toolpath.tools.files import atomic_write_json, atomic_write_text
from toolpath.tools.merging.fast_ties import one_torch_thread
from toolpath.tools.merging.method_registry import MERGE_METHODS
from toolpath.tools.merging.priors import QUALITY_PRIORS as PRIORS_PATH
from toolpath.tools.zoo import TASKS, ZooManifest, build_zoo, default_zoo_dir, load_zoo

DEFAULT_REPORT_DIR = Path("reports") / "merge_quality"
DEFAULT_THRESHOLD = 0.9
RANDOM_METHODS = {m.name for m in MERGE_METHODS.values() if m.stochastic}
ADAMERGING_TEXTS = 64
Cell = tuple[str, tuple[str, ...]]  # (method, expert set)
RowCallback = Callable[[dict[str, Any]], None]


def expert_groups(tasks: list[str], pairs: bool = True, everything: bool = True) -> list[tuple]:
    """Every pair of tasks, then all tasks together (when there are more than two)."""
    groups: list[tuple[str, ...]] = list(itertools.combinations(tasks, 2)) if pairs else []
    if everything and len(tasks) > 2:
        groups.append(tuple(tasks))
    return groups


def applicable(method: str, n_experts: int) -> bool:
    """Whether a method merges `n_experts` experts (from its registry entry): a method that
    takes one model besides the base blends exactly two (the first stands for the base)."""
    low, high = MERGE_METHODS[method].models
    if high == 1:
        return n_experts == 2
    return n_experts >= low and (high is None or n_experts <= high)


def merge_inputs(
    method: str, group: tuple[str, ...], zoo: ZooManifest, expert_acc: dict[str, float]
) -> tuple[list[Path], Path | None, dict[str, Any]]:
    """The models, base and parameters of one merge (library defaults otherwise)."""
    experts = [zoo.experts[task].path for task in group]
    base = zoo.base.path
    params: dict[str, Any] = {}
    entry = MERGE_METHODS[method]
    if entry.models[1] == 1:  # a blend of the two experts themselves
        return experts[1:], experts[0], dict(entry.defaults)
    if method in RANDOM_METHODS:
        params["seed"] = 0
    if method == "metrics_weighted":
        params["scores"] = [expert_acc[task] for task in group]
    if method == "adamerging":
        rng = random.Random("adamerging")
        streams = [TASKS[task].examples(rng) for task in group]
        params["texts"] = [
            next(s)[0] for _ in range(ADAMERGING_TEXTS // len(group)) for s in streams
        ]
    return experts, (None if method == "linear" else base), params


def _evaluate(model: Path, zoo: ZooManifest, tasks: tuple[str, ...], limit: int) -> dict:
    from toolpath.tools.evaluation import accuracy

    return {
        task: accuracy(
            model, zoo.eval_sets[task], limit=limit, batch_size=100, max_new_tokens=8
        ).accuracy
        for task in tasks
    }


def run_merge(
    method: str,
    group: tuple[str, ...],
    zoo: ZooManifest,
    expert_acc: dict[str, float],
    limit: int,
    workdir: Path,
) -> dict[str, Any]:
    """One merge, evaluated: a row of the table."""
    from toolpath.tools.evaluation import normalized_accuracy
    from toolpath.tools.merging import merge_models

    row: dict[str, Any] = {"method": method, "experts": list(group)}
    useless = [t for t in group if expert_acc[t] <= 0]
    if useless:
        return {**row, "error": f"expert {useless[0]} scores 0: normalised accuracy undefined"}
    models, base, params = merge_inputs(method, group, zoo, expert_acc)
    out = workdir / f"{method}-{'-'.join(group)}"
    _remove_tree(out)  # what a killed attempt at this cell left
    try:
        result = merge_models(method, models, out, base=base, params=params)
        acc = _evaluate(out, zoo, group, limit)
    except Exception as exc:  # a method failing is a result of the benchmark, not a crash
        return {**row, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        _remove_tree(out)
    normalised = normalized_accuracy(acc, {t: expert_acc[t] for t in group})
    return {
        **row,
        "accuracy": {t: round(v, 4) for t, v in acc.items()},
        "normalized_accuracy": {t: round(v, 4) for t, v in normalised.items()},
        "mean_normalized_accuracy": round(statistics.fmean(normalised.values()), 4),
        "min_normalized_accuracy": round(min(normalised.values()), 4),
        "seconds": round(result.seconds, 3),
    }


def sweep_cells(groups: list[tuple[str, ...]], methods: list[str]) -> list[Cell]:
    """The sweep's (method, expert set) cells in the report's order: group by group."""
    return [(m, g) for g in groups for m in methods if applicable(m, len(g))]


def local_rows(
    cells: list[Cell],
    zoo: ZooManifest,
    expert_acc: dict[str, float],
    limit: int,
    workdir: Path,
    on_row: RowCallback | None = None,
) -> list[dict[str, Any]]:
    """The cells' rows, merged one after another in this process."""
    rows = []
    for method, group in cells:
        rows.append(run_merge(method, group, zoo, expert_acc, limit, workdir))
        if on_row is not None:
            on_row(rows[-1])
    return rows


def cell_row_file(
    method: str,
    group: list[str],
    zoo_json: str,
    expert_acc: dict[str, float],
    limit: int,
    workdir: str,
) -> str:
    """In a Ray worker: one cell merged and evaluated as `local_rows` does it; the path of
    its row, written as JSON under `workdir`."""
    zoo = ZooManifest.model_validate_json(zoo_json)
    with one_torch_thread():  # tiny models merge faster so, and steadily under load
        row = run_merge(method, tuple(group), zoo, expert_acc, limit, Path(workdir))
    path = Path(workdir, "rows", f"{method}-{'-'.join(group)}.json")
    atomic_write_json(path, row)
    return str(path)


def ray_rows(
    cells: list[Cell],
    zoo: ZooManifest,
    expert_acc: dict[str, float],
    limit: int,
    workdir: Path,
    on_row: RowCallback | None = None,
) -> list[dict[str, Any]]:
    """The cells' rows, one Ray task per cell: `on_row` as each finishes, the rows by cell."""
    from toolpath.agent.run.ray_executor import default_retries, ensure_ray, remote_function

    ray = ensure_ray()
    task = remote_function(cell_row_file).options(num_cpus=1, max_retries=default_retries())
    zoo_json = zoo.model_dump_json()
    cell_of = {
        task.remote(method, list(group), zoo_json, expert_acc, limit, str(workdir)): (method, group)
        for method, group in cells
    }
    rows: dict[Cell, dict[str, Any]] = {}
    pending = list(cell_of)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        row = json.loads(Path(ray.get(done[0])).read_text(encoding="utf-8"))
        rows[cell_of[done[0]]] = row
        if on_row is not None:
            on_row(row)
    return [rows[cell] for cell in cells]


def _scratch_parent(kind: str) -> Path | None:
    """Where the sweep's scratch folder goes: the system's temp folder locally, under
    $TOOLPATH_HOME (shared by the nodes) on Ray."""
    if kind == "local":
        return None
    from toolpath.agent.run.runner import default_home

    parent = default_home() / "tmp"
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def _remove_tree(path: Path) -> None:
    import shutil

    if path.exists():
        shutil.rmtree(path, ignore_errors=True)


def method_summary(rows: list[dict[str, Any]], threshold: float) -> dict[str, dict[str, Any]]:
    """Per method: mean normalised accuracy, mean seconds, pass rate, per number of experts."""
    summary: dict[str, dict[str, Any]] = {}
    for method in dict.fromkeys(r["method"] for r in rows):
        done = [r for r in rows if r["method"] == method and "error" not in r]
        if not done:
            continue
        by_n: dict[str, dict[str, float]] = {}
        for n in sorted({len(r["experts"]) for r in done}):
            subset = [r for r in done if len(r["experts"]) == n]
            by_n[str(n)] = _stats(subset, threshold)
        summary[method] = {**_stats(done, threshold), "by_num_experts": by_n}
    return summary


def _stats(rows: list[dict[str, Any]], threshold: float) -> dict[str, float]:
    passed = sum(r["mean_normalized_accuracy"] >= threshold for r in rows)
    return {
        "mean_normalized_accuracy": round(
            statistics.fmean(r["mean_normalized_accuracy"] for r in rows), 4
        ),
        "seconds": round(statistics.fmean(r["seconds"] for r in rows), 3),
        "pass_rate": round(passed / len(rows), 4),
        # Beta(1, 1) prior updated by the passes: never exactly 0 or 1.
        "quality": round((passed + 1) / (len(rows) + 2), 4),
        "n": len(rows),
    }


def pareto_front(summary: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Methods no other method beats on both cost (seconds) and quality, cheapest first."""
    points = [
        {
            "method": m,
            "seconds": s["seconds"],
            "mean_normalized_accuracy": s["mean_normalized_accuracy"],
        }
        for m, s in summary.items()
    ]

    def dominated(p: dict[str, Any]) -> bool:
        return any(
            q["seconds"] <= p["seconds"]
            and q["mean_normalized_accuracy"] >= p["mean_normalized_accuracy"]
            and (q["seconds"], q["mean_normalized_accuracy"])
            != (p["seconds"], p["mean_normalized_accuracy"])
            for q in points
        )

    return sorted((p for p in points if not dominated(p)), key=lambda p: p["seconds"])


def priors_document(summary: dict[str, dict[str, Any]], threshold: float, zoo: ZooManifest) -> dict:
    """The quality-priors file: `quality` (method -> prior) is what tools.merging reads."""
    return {
        "source": "toolpath bench merge-quality (evals/merge_quality_bench.py), zoo experts",
        "threshold": threshold,
        "definition": "P(mean normalised accuracy of the merge >= threshold), Beta(1,1)-smoothed",
        "zoo_fingerprint": zoo.fingerprint,
        "quality": {m: s["quality"] for m, s in summary.items()},
        "by_num_experts": {
            m: {n: v["quality"] for n, v in s["by_num_experts"].items()} for m, s in summary.items()
        },
    }


def run_merge_quality(
    zoo: ZooManifest,
    *,
    methods: list[str] | None = None,
    groups: list[tuple[str, ...]] | None = None,
    limit: int = 100,
    threshold: float = DEFAULT_THRESHOLD,
    on_row: RowCallback | None = None,
    executor: str | None = None,
) -> dict[str, Any]:
    """The whole benchmark: rows, per-method summary, Pareto front, priors document.
    `executor`: local (default) or ray, one Ray task per cell ($TOOLPATH_EXECUTOR)."""
    from toolpath.agent.run.executor import executor_kind
    from toolpath.tools.merging import METHODS

    kind = executor_kind(executor)
    methods = list(methods or METHODS)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown merge method {unknown[0]!r}; known: {', '.join(METHODS)}")
    groups = groups or expert_groups(list(zoo.experts))
    start = time.perf_counter()
    with one_torch_thread():
        expert_acc = {
            task: _evaluate(zoo.experts[task].path, zoo, (task,), limit)[task]
            for task in sorted({t for g in groups for t in g})
        }
        sweep = ray_rows if kind == "ray" else local_rows
        prefix, parent = "toolpath-merge-quality-", _scratch_parent(kind)
        with tempfile.TemporaryDirectory(prefix=prefix, dir=parent) as tmp:
            rows = sweep(sweep_cells(groups, methods), zoo, expert_acc, limit, Path(tmp), on_row)
    summary = method_summary(rows, threshold)
    made = provenance()
    return {
        "executor": kind,
        "zoo": str(zoo.root),
        "limit": limit,
        "threshold": threshold,
        "expert_accuracy": expert_acc,
        "rows": rows,
        "summary": summary,
        "pareto": pareto_front(summary),
        "priors": {**priors_document(summary, threshold, zoo), "provenance": made},
        "seconds": round(time.perf_counter() - start, 1),
        "provenance": made,
    }


def svg_plot(summary: dict[str, dict[str, Any]], pareto: list[dict[str, Any]]) -> str:
    """A scatter of merge seconds against mean normalised accuracy, Pareto front drawn."""
    width, height, pad = 640, 420, 60
    xs = [s["seconds"] for s in summary.values()] or [1.0]
    ys = [s["mean_normalized_accuracy"] for s in summary.values()] or [1.0]
    x_lo, x_hi = 0.0, max(xs) * 1.1
    y_lo, y_hi = min(0.0, min(ys)), max(1.05, max(ys) * 1.05)

    def sx(x: float) -> float:
        return pad + (x - x_lo) / (x_hi - x_lo or 1) * (width - 2 * pad)

    def sy(y: float) -> float:
        return height - pad - (y - y_lo) / (y_hi - y_lo or 1) * (height - 2 * pad)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="black"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="black"/>',
        f'<text x="{width / 2}" y="{height - 20}" text-anchor="middle">merge seconds (mean)</text>',
        f'<text x="15" y="{height / 2}" transform="rotate(-90 15 {height / 2})" '
        'text-anchor="middle">mean normalised accuracy</text>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 0.9, 1.0):
        y = sy(tick)
        dash = ' stroke-dasharray="4 3"' if tick == 0.9 else ""
        parts.append(
            f'<line x1="{pad}" y1="{y:.1f}" x2="{width - pad}" y2="{y:.1f}" stroke="#ccc"{dash}/>'
        )
        parts.append(f'<text x="{pad - 5}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
    for i in range(5):
        x_value = x_hi * i / 4
        parts.append(
            f'<text x="{sx(x_value):.1f}" y="{height - pad + 15}" text-anchor="middle">'
            f"{x_value:.1f}</text>"
        )
    front = " ".join(
        f"{sx(p['seconds']):.1f},{sy(p['mean_normalized_accuracy']):.1f}" for p in pareto
    )
    if front:
        parts.append(
            f'<polyline points="{front}" fill="none" stroke="#d62728" stroke-width="1.5"/>'
        )
    on_front = {p["method"] for p in pareto}
    for method, s in summary.items():
        x, y = sx(s["seconds"]), sy(s["mean_normalized_accuracy"])
        colour = "#d62728" if method in on_front else "#1f77b4"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
        parts.append(f'<text x="{x + 6:.1f}" y="{y - 6:.1f}">{method}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def markdown_report(result: dict[str, Any]) -> str:
    """The report: the rows, the per-method summary and the Pareto front."""
    lines = [
        "# Merge quality on the zoo's experts",
        "",
        f"Zoo: `{result['zoo']}`; {result['limit']} held-out examples per task; "
        f"pass threshold {result['threshold']:.0%} of the experts' accuracy; "
        f"benchmark took {result['seconds']:.0f} s. Produced by `toolpath bench merge-quality`.",
        "",
        "Expert accuracy on the same examples: "
        + ", ".join(f"{t} {a:.0%}" for t, a in sorted(result["expert_accuracy"].items())),
        "",
        "## Per method",
        "",
        "| method | mean normalised acc. | pass rate | quality prior | by #experts | seconds | n |",
        "|---|---|---|---|---|---|---|",
    ]
    for method, s in result["summary"].items():
        by_n = ", ".join(
            f"{n}: {v['mean_normalized_accuracy']:.2f}" for n, v in s["by_num_experts"].items()
        )
        lines.append(
            f"| {method} | {s['mean_normalized_accuracy']:.3f} | {s['pass_rate']:.0%} | "
            f"{s['quality']:.2f} | {by_n} | {s['seconds']:.2f} | {s['n']} |"
        )
    lines += [
        "",
        "Pareto front (cheapest first): "
        + ", ".join(
            f"{p['method']} ({p['seconds']:.2f} s, {p['mean_normalized_accuracy']:.3f})"
            for p in result["pareto"]
        ),
        "",
        "![cost against quality](pareto.svg)",
        "",
        "## Every merge",
        "",
        "| experts | method | normalised accuracy per task | mean | seconds |",
        "|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        experts = " + ".join(row["experts"])
        if "error" in row:
            lines.append(f"| {experts} | {row['method']} | error: {row['error'][:80]} | | |")
            continue
        per_task = ", ".join(f"{t} {v:.2f}" for t, v in row["normalized_accuracy"].items())
        lines.append(
            f"| {experts} | {row['method']} | {per_task} | {row['mean_normalized_accuracy']:.3f} | "
            f"{row['seconds']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def write_report(result: dict[str, Any], report_dir: Path) -> Path:
    """Write report.md, pareto.svg and result.json into `report_dir`; return report.md."""
    atomic_write_text(report_dir / "pareto.svg", svg_plot(result["summary"], result["pareto"]))
    atomic_write_json(report_dir / "result.json", result)
    report = report_dir / "report.md"
    atomic_write_text(report, markdown_report(result))
    return report


def print_table(result: dict[str, Any]) -> None:
    console = Console()
    table = Table(title=f"merge quality ({result['limit']} examples per task)")
    for column in ("experts", "method", "normalised accuracy per task", "mean", "seconds"):
        table.add_column(column)
    front = {p["method"] for p in result["pareto"]}
    for row in result["rows"]:
        experts = "+".join(row["experts"])
        if "error" in row:
            table.add_row(experts, row["method"], f"[red]{row['error'][:60]}[/red]", "", "")
            continue
        per_task = " ".join(f"{t[:4]} {v:.2f}" for t, v in row["normalized_accuracy"].items())
        mean = row["mean_normalized_accuracy"]
        style = "green" if mean >= result["threshold"] else "red"
        method = f"[bold]{row['method']}[/bold]" if row["method"] in front else row["method"]
        table.add_row(
            experts, method, per_task, f"[{style}]{mean:.3f}[/{style}]", f"{row['seconds']:.2f}"
        )
    console.print(table)
    console.print(
        "Pareto front: "
        + ", ".join(
            f"{p['method']} ({p['seconds']:.2f} s, {p['mean_normalized_accuracy']:.3f})"
            for p in result["pareto"]
        )
    )


def _parse_groups(text: str | None, tasks: list[str]) -> list[tuple[str, ...]] | None:
    if not text:
        return None
    groups = []
    for part in text.split(";"):
        group = tuple(t.strip() for t in part.split("+") if t.strip())
        for task in group:
            if task not in tasks:
                raise ValueError(
                    f"unknown task {task!r} in --groups; the zoo has {', '.join(tasks)}"
                )
        if len(group) < 2:
            raise ValueError(f"group {part!r} in --groups needs at least two tasks")
        groups.append(group)
    return groups


def merge_quality_command(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    zoo_dir: Annotated[
        Path | None, typer.Option("--zoo", help="zoo directory (built if missing)")
    ] = None,
    mini: Annotated[bool, typer.Option("--mini", help="use (and build) the mini zoo")] = False,
    methods: Annotated[
        str | None, typer.Option("--methods", help="comma-separated methods")
    ] = None,
    groups: Annotated[
        str | None, typer.Option("--groups", help="e.g. 'addition+reversal;sorting+counting'")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="examples per task")] = 100,
    threshold: Annotated[float, typer.Option("--threshold", min=0.0, max=1.0)] = DEFAULT_THRESHOLD,
    report_dir: Annotated[Path, typer.Option("--report-dir")] = DEFAULT_REPORT_DIR,
    write_priors: Annotated[bool, typer.Option("--write-priors/--no-write-priors")] = True,
    executor: Annotated[
        str | None,
        typer.Option(
            "--executor",
            help="where the merges run: local (default) or ray, one Ray task per (method, "
            "expert set) ($RAY_ADDRESS, else a local Ray); also $TOOLPATH_EXECUTOR",
        ),
    ] = None,
) -> None:
    """Merge the zoo's experts with every method; table, Pareto front, report and priors."""
    from toolpath.agent.run.executor import executor_kind

    root = zoo_dir if zoo_dir is not None else default_zoo_dir()
    err = Console(stderr=True)
    try:
        executor = executor_kind(executor)  # a bad value fails before the zoo is built
        try:
            zoo = load_zoo(root)
        except FileNotFoundError:
            zoo = build_zoo(root, mini=mini, progress=not as_json)
        chosen = [m.strip() for m in methods.split(",")] if methods else None
        parsed = _parse_groups(groups, list(zoo.experts))
        result = run_merge_quality(
            zoo,
            methods=chosen,
            groups=parsed,
            limit=limit,
            threshold=threshold,
            on_row=None if as_json else lambda r: err.print(_row_line(r)),
            executor=executor,
        )
    except (OSError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    report = write_report(result, report_dir)
    if write_priors:
        atomic_write_json(PRIORS_PATH, result["priors"])
    if as_json:
        keys = ("rows", "pareto", "summary", "expert_accuracy", "limit", "threshold", "seconds")
        keys = (*keys, "executor", "provenance")
        typer.echo(json.dumps({k: result[k] for k in keys}, indent=2))
        return
    print_table(result)
    Console().print(f"report: {report}" + (f"; priors: {PRIORS_PATH}" if write_priors else ""))


def _row_line(row: dict[str, Any]) -> str:
    head = f"{row['method']:>16} {'+'.join(row['experts'])}"
    if "error" in row:
        return f"{head}: [red]{row['error'][:100]}[/red]"
    return f"{head}: {row['mean_normalized_accuracy']:.3f} in {row['seconds']:.2f} s"


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    bench_app.command("merge-quality")(merge_quality_command)
