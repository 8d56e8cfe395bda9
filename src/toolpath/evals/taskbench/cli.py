"""`toolpath eval taskbench`: plan TaskBench samples and score them, or score any predictions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from toolpath.evals.taskbench.loader import (
    DEFAULT_EVAL_SIZE,
    TaskBenchDataError,
    TaskBenchDomain,
    load_domain,
)
from toolpath.evals.taskbench.metrics import ALL, TaskBenchScores, score_predictions
from toolpath.evals.taskbench.report import COLUMNS, HEADERS, combined_markdown
from toolpath.tools.jsonl import iter_jsonl

EVAL_HELP = "Evaluate toolpath on public benchmarks."


class PredictionsFileError(ValueError):
    """A predictions file cannot be read."""


def read_predictions(path: Path) -> dict[str, Any]:
    """Sample id -> predicted plan from a JSONL file.

    A line is TaskBench's format `{"id", ..., "result": {...}}` or a flat prediction
    `{"id", "task_steps", "task_nodes", "task_links"}`; a later line for the same id wins.
    """
    if not path.is_file():
        raise PredictionsFileError(f"predictions file {str(path)!r} does not exist")
    predictions: dict[str, Any] = {}
    try:
        for line_no, record in iter_jsonl(path):
            if "id" not in record:
                raise PredictionsFileError(f'{str(path)!r} line {line_no} has no "id"')
            predictions[str(record["id"])] = record.get("result", record)
    except ValueError as exc:
        raise PredictionsFileError(str(exc)) from exc
    return predictions


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}"


def print_scores(scores: TaskBenchScores) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for view in ("strict", "reference"):
        table = Table(title=f"TaskBench {scores.domain}: {view} (percent; NED lower is better)")
        for header in ("split", *HEADERS, "samples"):
            table.add_column(header, justify="right" if header != "split" else "left")
        rows = getattr(scores, view)
        for split, row in rows.items():
            table.add_row(split, *(_pct(row[c]) for c in COLUMNS), str(row["samples"]))
        console.print(table)
    console.print(
        f"unparsable predictions: {scores.unparsable}; labels without a prediction: "
        f"{len(scores.missing_ids)}"
    )


def _opt(flag: str, help_text: str) -> Any:
    return typer.Option(flag, help=help_text)


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def check_ids_match(path: Path, domain: TaskBenchDomain, predictions: dict[str, Any]) -> None:
    """Refuse a predictions file none of whose ids is a sample of `domain`."""
    if not predictions:
        raise PredictionsFileError(f"{str(path)!r} has no predictions")
    if predictions.keys() & domain.by_id().keys():
        return
    shown = ", ".join(repr(i) for i in list(predictions)[:5])
    more = f" (and {len(predictions) - 5} more)" if len(predictions) > 5 else ""
    raise PredictionsFileError(
        f"no prediction id in {str(path)!r} is a sample of domain {domain.name!r}: "
        f"{shown}{more}; wrong --domain or wrong file?"
    )


def _score_command(predictions: Path, domain: str, data_dir: Path | None, as_json: bool) -> None:
    try:
        loaded = load_domain(domain, data_dir)
        read = read_predictions(predictions)
        check_ids_match(predictions, loaded, read)
        scores = score_predictions(loaded, read)
    except (TaskBenchDataError, PredictionsFileError) as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(scores.to_json()))
    else:
        print_scores(scores)


def _combine_command(reports: list[Path]) -> None:
    loaded = []
    for path in reports:
        try:
            loaded.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            _fail(f"cannot read report {str(path)!r}: {exc}")
    typer.echo(combined_markdown(loaded), nl=False)


def taskbench(
    domain: Annotated[
        str | None, _opt("--domain", "huggingface, multimedia or dailylifeapis")
    ] = None,
    score: Annotated[Path | None, _opt("--score", "Score this predictions JSONL and stop.")] = None,
    split: Annotated[str, _opt("--split", "all, single, chain or dag")] = ALL,
    limit: Annotated[int | None, _opt("--limit", "Plan at most N samples.")] = None,
    offset: Annotated[int, _opt("--offset", "Skip the first K selected samples.")] = 0,
    llm: Annotated[str, _opt("--llm", "LLM backend: embedded or openai.")] = "embedded",
    demos: Annotated[int, _opt("--demos", "Solved examples in each prompt.")] = 0,
    demo_retrieval: Annotated[str, _opt("--demo-retrieval", "bm25, dense or hybrid")] = "bm25",
    demo_rerank: Annotated[
        str,
        _opt("--demo-rerank", "none, or support (by how much of their tools the request asks for)"),
    ] = "none",
    repair: Annotated[bool, _opt("--repair/--no-repair", "Graph-aware plan repair.")] = True,
    max_retries: Annotated[int, _opt("--max-retries", "Re-asks after an invalid plan.")] = 2,
    eval_size: Annotated[int, _opt("--eval-size", "Size of the evaluation slice.")] = (
        DEFAULT_EVAL_SIZE
    ),
    out: Annotated[Path | None, _opt("--out", "Output folder (resumes if it exists).")] = None,
    data_dir: Annotated[Path | None, _opt("--data-dir", "TaskBench data directory.")] = None,
    combine: Annotated[
        list[Path] | None, _opt("--combine", "Tabulate these report.json files and stop.")
    ] = None,
    planner: Annotated[
        str, _opt("--planner", "graph (steps by the LLM, tools by the matcher + A*) or direct")
    ] = "graph",
    fold: Annotated[
        str | None,
        _opt("--fold", "K/N: score fold K of the demonstration pool (cross-validation)."),
    ] = None,
    workers: Annotated[
        int, _opt("--workers", "Samples planned at once (an OpenAI-compatible server with slots).")
    ] = 1,
    base_url: Annotated[
        list[str] | None,
        _opt(
            "--base-url",
            "An OpenAI-compatible endpoint for --llm openai; repeat it to spread the workers "
            "over several (worker i uses the i-th, mod their number); also "
            "$TOOLPATH_OPENAI_BASE_URLS, comma-separated.",
        ),
    ] = None,
    as_json: Annotated[bool, _opt("--json", "Print JSON instead of tables.")] = False,
    quiet: Annotated[bool, _opt("--quiet", "No progress bar.")] = False,
) -> None:
    """Plan TaskBench samples with toolpath and score them beside the published leaderboard."""
    if combine:
        _combine_command(combine)
        return
    if domain is None:
        _fail("--domain is required (huggingface, multimedia or dailylifeapis)")
    if score is not None:
        _score_command(score, domain, data_dir, as_json)
        return
    _run_command(
        domain=domain,
        out=out,
        split=split,
        limit=limit,
        offset=offset,
        llm=llm,
        demos=demos,
        demo_method=demo_retrieval,
        demo_rerank=demo_rerank,
        repair=repair,
        max_retries=max_retries,
        eval_size=eval_size,
        data_dir=data_dir,
        planner=planner,
        fold=fold,
        workers=workers,
        base_urls=base_url,
        as_json=as_json,
        quiet=quiet,
    )


def default_out(domain: str, demos: int, repair: bool) -> Path:
    return Path("taskbench-runs") / f"{domain}-demos{demos}{'' if repair else '-norepair'}"


def _run_command(*, as_json: bool, quiet: bool, out: Path | None, **settings: Any) -> None:
    from toolpath.evals.provenance import RunSettingsError
    from toolpath.evals.taskbench.report import render_markdown
    from toolpath.evals.taskbench.runner import RunConfig, run_taskbench

    out = out or default_out(settings["domain"], settings["demos"], settings["repair"])
    config = RunConfig(out=out, **settings)
    try:
        result = run_taskbench(config, show_progress=not quiet and not as_json)
    except (TaskBenchDataError, RunSettingsError, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result.report))
    else:
        typer.echo(render_markdown(result.report))
        typer.echo(f"predictions and report in {str(out)!r}")


def _eval_group(app: typer.Typer) -> typer.Typer:
    """The `eval` group of `app`, created if no other module made it yet."""
    for group in app.registered_groups:
        if group.name == "eval" and group.typer_instance is not None:
            return group.typer_instance
    eval_app = typer.Typer(help=EVAL_HELP, no_args_is_help=True)
    app.add_typer(eval_app, name="eval")
    return eval_app


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `toolpath eval taskbench`."""
    _eval_group(app).command("taskbench")(taskbench)
