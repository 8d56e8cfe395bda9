"""`toolpath planner train`: train (or load) the graph planner's step matcher for a catalogue.

The solved samples are the TaskBench domain's labelled samples for a `taskbench:` catalogue,
a `--demo-file`, or else the verified runs kept in `$TOOLPATH_HOME/solved/`. Training is
cached under a hash of catalogue + samples + matcher version; `plan`, `run` and
`eval taskbench` train on first use, so this command only does it ahead of time.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from toolpath.agent.cli.tools_cmd import CatalogOption, DataDirOption, catalog_or_exit
from toolpath.agent.run.planner_setup import example_steps, examples_for

planner_app = typer.Typer(help="The graph planner's step matcher.", no_args_is_help=True)


@planner_app.command("train")
def train_command(
    catalog: CatalogOption = "library",
    data_dir: DataDirOption = None,
    demo_file: Annotated[
        Path | None, typer.Option("--demo-file", help="JSON lines of solved examples")
    ] = None,
    fine_tune: Annotated[
        bool,
        typer.Option(
            "--fine-tune", help="also fine-tune the encoder (minutes; the planner then uses it)"
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Train the step -> tool matcher on the catalogue's solved samples (cached)."""
    from toolpath.planners.alignment import alignment_agreement, solved_pairs
    from toolpath.planners.matcher import cached_matcher, matcher_path

    loaded = catalog_or_exit(catalog, data_dir)
    try:
        examples = examples_for(loaded, data_dir, demo_file)
    except (FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    steps = example_steps(examples)
    pairs = solved_pairs(steps)
    started = time.perf_counter()
    matcher = cached_matcher(loaded.tools, pairs, fine_tune=fine_tune)
    links = [
        (s, t, [(str(k.get("source")), str(k.get("target"))) for k in e.task_links])
        for (s, t), e in zip(steps, examples, strict=True)
    ]
    report = {
        "catalog": loaded.name,
        "solved_samples": len(examples),
        "training_pairs": len(pairs),
        "alignment_agrees_with_links": alignment_agreement(links),
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "matcher": str(matcher_path(loaded.tools, pairs, fine_tuned=matcher.encoder is not None)),
        "trained": matcher.trained_pairs > 0,
        "fine_tuned_encoder": str(matcher.encoder) if matcher.encoder else None,
    }
    if as_json:
        typer.echo(json.dumps(report))
        return
    agree = report["alignment_agrees_with_links"]
    Console().print(
        f"{loaded.name}: {len(pairs)} (step, tool) pairs from {len(examples)} solved samples"
        f" (alignment agrees with {'-' if agree is None else f'{100 * agree:.1f}%'} of the"
        f" links); {report['seconds']} s, peak RSS {report['peak_rss_mb']} MB;"
        f" matcher: {report['matcher']}"
    )


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.add_typer(planner_app, name="planner")
