"""`toolpath plan "request"`: decompose a request over a catalogue and search its tool path.

Demonstrations: for a TaskBench catalogue the domain's labelled samples (the development
pool) are the pool, retrieved by similarity to the request (BM25 by default); any
catalogue can be given a pool with `--demo-file` (JSON lines in TaskBench's format).
Large catalogues are narrowed to the most relevant tools with the tool retriever.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from toolpath.agent.cli.tools_cmd import CatalogOption, DataDirOption, catalog_or_exit
from toolpath.agent.run.planner_setup import (
    DEFAULT_DEMOS,
    DEFAULT_PLANNER,
    build_decomposer,
    capability_plan,
    examples_for,
)
from toolpath.planners.decomposer import Decomposition, DecompositionError
from toolpath.planners.search import SearchResult, search_path

PlannerOption = Annotated[
    str,
    typer.Option(
        "--planner",
        help="graph: the LLM writes the steps, a step matcher + A* over the tool graph picks "
        "the tools; direct: the LLM's tools as written",
    ),
]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plan_report(
    decomposition: Decomposition, search: SearchResult | None, seconds: float
) -> dict[str, Any]:
    """TaskBench's prediction format plus the tool path and what planning cost."""
    usage = decomposition.usage
    return {
        **decomposition.taskbench,
        "path": search.path.model_dump(mode="json") if search and search.path else None,
        "search": None if search is None else {"found": search.found, "reason": search.reason},
        "planner": {
            "attempts": decomposition.attempts,
            "notes": decomposition.notes,
            "prompt_tokens": usage.prompt_tokens,
            "cached_tokens": usage.cached_tokens,
            "completion_tokens": usage.completion_tokens,
            "llm_seconds": round(usage.seconds, 3),
            "seconds": round(seconds, 3),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
        },
    }


def _show(decomposition: Decomposition, search: SearchResult | None, seconds: float) -> None:
    console = Console()
    plan = decomposition.plan
    if not plan.subtasks:
        console.print(f"no call: {decomposition.reason or 'no tool fits the request'}")
    table = Table(title=f"plan: {len(plan.subtasks)} sub-tasks")
    for column in ("#", "step", "tool", "arguments", "after"):
        table.add_column(column)
    for task in plan.subtasks:
        args = ", ".join(
            f"{a.name}={a.value}" if a.name else json.dumps(a.value, ensure_ascii=False)
            for a in task.arguments
        )
        after = ", ".join(map(str, plan.parents(task.id)))
        table.add_row(str(task.id), task.description, task.capability, args, after)
    console.print(table)
    if search is not None and search.path is not None:
        path = Table(title=f"tool path (alpha={search.path.alpha:g})")
        for column in ("#", "tools", "cost s", "quality"):
            path.add_column(column)
        for step in search.path.steps:
            path.add_row(
                str(step.subtask),
                " -> ".join(step.tools),
                f"{step.expected_cost:.2f}",
                f"{step.expected_quality:.2f}",
            )
        console.print(path)
        console.print(
            f"expected cost {search.path.expected_cost:.2f} s, "
            f"quality {search.path.expected_quality:.3f}"
        )
    elif search is not None:
        console.print(f"[yellow]no tool path:[/yellow] {search.reason}")
    usage = decomposition.usage
    console.print(
        f"[dim]planned in {seconds:.1f} s ({decomposition.attempts} attempt(s), "
        f"{usage.prompt_tokens} prompt tokens of which {usage.cached_tokens} cached, "
        f"{usage.completion_tokens} written; peak RSS {_peak_rss_mb():.0f} MB)[/dim]"
    )


def _fail(message: str, code: int = 1) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def plan_command(
    request: Annotated[str, typer.Argument(help="what to do, in words")],
    catalog: CatalogOption = "library",
    data_dir: DataDirOption = None,
    llm: Annotated[
        str | None, typer.Option("--llm", help="embedded | openai (default: $TOOLPATH_LLM)")
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="another GGUF for the embedded backend")
    ] = None,
    demos: Annotated[int, typer.Option("--demos", min=0, help="solved examples shown")] = (
        DEFAULT_DEMOS
    ),
    demo_file: Annotated[
        Path | None, typer.Option("--demo-file", help="JSON lines of solved examples")
    ] = None,
    retrieval: Annotated[
        str, typer.Option("--retrieval", help="bm25 | dense | hybrid (demos, tools)")
    ] = "bm25",
    alpha: Annotated[
        float, typer.Option("--alpha", min=0.0, max=1.0, help="0: quality only, 1: cost only")
    ] = 0.5,
    max_retries: Annotated[int, typer.Option("--max-retries", min=0)] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="TaskBench prediction + path")] = False,
    planner: PlannerOption = DEFAULT_PLANNER,
) -> None:
    """Decompose REQUEST into a sub-task DAG and pick its tool path."""
    started = time.perf_counter()
    loaded = catalog_or_exit(catalog, data_dir)
    try:
        examples = examples_for(loaded, data_dir, demo_file)
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc
    from toolpath.agent.llm import LLMError, ModelFileError, get_backend

    try:
        chat = get_backend(llm, model_path=str(model) if model else None)
    except (LLMError, ModelFileError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc
    try:
        decomposer = build_decomposer(
            chat,
            loaded,
            examples=examples,
            k_demos=demos,
            retrieval=retrieval,
            max_retries=max_retries,
            planner=planner,
        )
    except ValueError as exc:
        raise _fail(str(exc), 2) from exc
    try:
        decomposition = decomposer.decompose(request)
    except DecompositionError as exc:
        raise _fail(str(exc)) from exc
    except (RuntimeError, ValueError) as exc:
        raise _fail(f"planning failed: {exc}") from exc
    search = None
    if decomposition.plan.subtasks:  # no call at all: no path to search (the reason says why)
        plan = capability_plan(decomposition.plan, loaded)
        search = search_path(plan, loaded.tools, alpha=alpha)
    seconds = time.perf_counter() - started
    if as_json:
        report = plan_report(decomposition, search, seconds)
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _show(decomposition, search, seconds)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.command("plan")(plan_command)
