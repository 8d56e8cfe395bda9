"""`toolpath zoo build` and `toolpath zoo list`: the project's offline model zoo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from toolpath.tools.zoo import ZOO_DIR_ENV, ZooManifest, build_zoo, default_zoo_dir, load_zoo

zoo_app = typer.Typer(help="Build and inspect the offline model zoo.", no_args_is_help=True)

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help=f"zoo directory (default: ${ZOO_DIR_ENV} or the user cache)"),
]


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def _table(manifest: ZooManifest) -> Table:
    tasks = list(manifest.tasks)
    title = f"zoo at {manifest.root} ({'mini, ' if manifest.mini else ''}built in "
    table = Table(title=f"{title}{manifest.build_seconds:.0f} s)")
    for column in ("model", "kind", "task", "params", *tasks):
        table.add_column(column, justify="right" if column in tasks else "left")
    for model in manifest.models:
        cells = []
        for task in tasks:
            value = model.accuracy.get(task)
            text = "-" if value is None else f"{value:.0%}"
            cells.append(f"[bold]{text}[/bold]" if task == model.task else text)
        table.add_row(model.name, model.kind, model.task or "", f"{model.parameters:,}", *cells)
    return table


@zoo_app.command("build")
def build(
    dir: DirOption = None,
    mini: Annotated[bool, typer.Option("--mini", help="the tiny test zoo (seconds)")] = False,
    seed: Annotated[int, typer.Option("--seed", help="random seed")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bars")] = False,
) -> None:
    """Build the zoo (cached: a second build with the same recipe does nothing)."""
    try:
        manifest = build_zoo(dir, mini=mini, progress=not quiet, seed=seed)
    except (OSError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    Console().print(_table(manifest))


@zoo_app.command("list")
def list_models(
    dir: DirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Show the zoo's models, their tasks and accuracies, and its eval sets."""
    root = dir if dir is not None else default_zoo_dir()
    try:
        manifest = load_zoo(root)
    except (OSError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(manifest.model_dump(mode="json"), indent=2))
        return
    console = Console()
    console.print(_table(manifest))
    for task, path in manifest.eval_sets.items():
        console.print(f"eval set {task}: {path}")


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.add_typer(zoo_app, name="zoo")
