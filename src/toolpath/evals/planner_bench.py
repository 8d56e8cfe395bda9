"""`toolpath bench planner`: seconds per plan cold and warm, tokens/s and peak RAM.

One process, side by side: the model load, a cold plan (nothing cached), the same
request again (whole prompt cached) and a different request over the same catalogue
(the system message with the tool docs cached). Token rates are llama.cpp's own timings
(prompt evaluation and generation measured separately).
"""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from toolpath.evals.provenance import provenance

EXAMPLE = (
    "I have example.jpg; describe it in words, translate the description into French "
    "and read it aloud"
)
OTHER = "Generate an image of 'a red car on a beach' and then detect the objects in it"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _row(label: str, decomposer: Any, llm: Any, request: str) -> dict[str, Any]:
    started = time.perf_counter()
    result = decomposer.decompose(request)
    seconds = time.perf_counter() - started
    timings = getattr(llm, "last_timings", {}) or {}
    return {
        "run": label,
        "seconds": round(seconds, 2),
        "prompt_tokens": result.usage.prompt_tokens,
        "cached_tokens": result.usage.cached_tokens,
        "completion_tokens": result.usage.completion_tokens,
        "prompt_tok_s": round(timings.get("prompt_per_second", 0.0), 1),
        "gen_tok_s": round(timings.get("predicted_per_second", 0.0), 1),
        "attempts": result.attempts,
        "tools": [t.capability for t in result.plan.subtasks],
    }


def run_bench(
    catalog_ref: str = "taskbench:huggingface",
    llm_name: str | None = None,
    demos: int = 3,
    data_dir: Path | None = None,
) -> dict[str, Any]:
    """Measure load, cold and warm planning in this process."""
    from toolpath.agent.llm import ensure_model, get_backend
    from toolpath.agent.run.planner_setup import build_decomposer, taskbench_pool
    from toolpath.tools.catalogs.resolve import load_catalog

    catalog = load_catalog(catalog_ref, data_dir)
    examples = taskbench_pool(catalog, data_dir) if catalog.name.startswith("taskbench:") else []
    started = time.perf_counter()
    if (llm_name or os.environ.get("TOOLPATH_LLM", "embedded")) == "embedded":
        ensure_model()
    model_file_s = time.perf_counter() - started
    started = time.perf_counter()
    llm = get_backend(llm_name)
    load_s = time.perf_counter() - started
    decomposer = build_decomposer(llm, catalog, examples=examples, k_demos=demos)
    rows = [
        _row("cold", decomposer, llm, EXAMPLE),
        _row("warm, same request", decomposer, llm, EXAMPLE),
        _row("warm, other request", decomposer, llm, OTHER),
    ]
    cold, warm = rows[0]["seconds"], rows[1]["seconds"]
    return {
        "catalog": catalog.name,
        "demos": demos,
        "threads": getattr(llm, "threads", None),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "model_file_seconds": round(model_file_s, 2),
        "model_load_seconds": round(load_s, 2),
        "runs": rows,
        "cold_over_warm": round(cold / warm, 2) if warm else None,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "provenance": provenance(),
    }


def bench_planner(
    catalog: Annotated[str, typer.Option("--catalog")] = "taskbench:huggingface",
    llm: Annotated[str | None, typer.Option("--llm", help="embedded | openai")] = None,
    demos: Annotated[int, typer.Option("--demos", min=0)] = 3,
    data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Planner latency (cold vs warm prompt cache), tokens/s and peak RAM."""
    report = run_bench(catalog, llm, demos, data_dir)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    table = Table(title=f"planner on {report['catalog']} ({report['demos']} demos)")
    columns = ("run", "seconds", "prompt_tokens", "cached_tokens", "completion_tokens")
    for column in (*columns, "prompt_tok_s", "gen_tok_s", "tools"):
        table.add_column(column)
    for row in report["runs"]:
        table.add_row(
            *(str(row[c]) for c in columns),
            str(row["prompt_tok_s"]),
            str(row["gen_tok_s"]),
            ", ".join(row["tools"]),
        )
    console = Console()
    console.print(table)
    console.print(
        f"model file {report['model_file_seconds']} s, load {report['model_load_seconds']} s, "
        f"cold/warm {report['cold_over_warm']}x, peak RSS {report['peak_rss_mb']} MB, "
        f"{report['threads']} threads, load average {report['load_average_1m']}"
    )


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    bench_app.command("planner")(bench_planner)
