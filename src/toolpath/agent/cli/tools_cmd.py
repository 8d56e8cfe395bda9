"""`toolpath tools list`: the tools of a catalogue, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from toolpath.tools.catalogs.resolve import LIBRARY, load_catalog
from toolpath.tools.catalogs.taskbench import TaskBenchDataError

tools_app = typer.Typer(help="Inspect tool catalogues.", no_args_is_help=True)

CatalogOption = Annotated[
    str, typer.Option("--catalog", help="'library', 'taskbench:<domain>' or FILE.json")
]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="TaskBench data (default: $TOOLPATH_TASKBENCH_DIR)"),
]


def catalog_or_exit(ref: str, data_dir: Path | None):
    """Load a catalogue or exit with status 2 and a one-line error."""
    try:
        return load_catalog(ref, data_dir)
    except (TaskBenchDataError, ValueError, FileNotFoundError) as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


@tools_app.command("list")
def list_tools(
    catalog: CatalogOption = LIBRARY,
    data_dir: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the tools of a catalogue with their types, capabilities and priors."""
    loaded = catalog_or_exit(catalog, data_dir)
    if as_json:
        rows = [spec.model_dump(mode="json") for spec in loaded.tools]
        typer.echo(json.dumps({"catalog": loaded.name, "tools": rows}, indent=2))
        return
    table = Table(title=f"{loaded.name}: {len(loaded.tools)} tools")
    for column in ("name", "inputs -> outputs", "capabilities", "cost s", "quality"):
        table.add_column(column)
    for spec in loaded.tools:
        params = ", ".join(spec.parameters.get("properties", {}))
        io = (
            f"{', '.join(spec.inputs)} -> {', '.join(spec.outputs)}"
            if spec.inputs or spec.outputs
            else f"({params})"
        )
        table.add_row(
            spec.name,
            io,
            ", ".join(spec.capabilities),
            f"{spec.cost.seconds:g}",
            f"{spec.quality:.2f}",
        )
    Console().print(table)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    app.add_typer(tools_app, name="tools")
