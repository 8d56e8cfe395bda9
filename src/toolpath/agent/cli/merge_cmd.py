"""`toolpath merge`: merge model directories with one of the merging methods."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from toolpath.tools.merging import METHODS, MergeParameterError, PreflightError, merge_models

# The choices of --method: the merge methods' registry (tools/merging/method_registry.py).
Method = Enum("Method", {name: name for name in METHODS}, type=str)


def parse_value(text: str) -> Any:
    """A --param value: JSON when it parses (numbers, lists, true/false), else a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if "," in text:
            return [parse_value(part) for part in text.split(",")]
        return text


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs into a params dict; values as in parse_value."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"--param {pair!r}: expected key=value", param_hint="--param")
        params[key.strip()] = parse_value(value.strip())
    return params


def merge(
    ctx: typer.Context,
    method: Annotated[Method, typer.Option("--method", "-m", help="the merge method")],
    models: Annotated[list[Path], typer.Option("--models", help="input model directories")],
    out: Annotated[Path, typer.Option("--out", help="output model directory")],
    base: Annotated[Path | None, typer.Option("--base", help="base model directory")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="key=value (repeatable; lists as 0.3,0.7 or JSON)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Merge models (safetensors HF directories) with METHOD into OUT, atomically.

    `--models A1 A2 ...` takes several directories after one flag (or repeat the flag).
    """
    stray = [arg for arg in ctx.args if arg.startswith("-")]
    if stray:
        raise typer.BadParameter(f"unknown option(s) {' '.join(stray)}")
    models = [*models, *(Path(arg) for arg in ctx.args)]
    params = parse_params(param or [])
    console = Console(stderr=True)
    try:
        result = merge_models(
            method.value, models, out, base=base, params=params, progress=not as_json
        )
    except (PreflightError, MergeParameterError, FileNotFoundError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    summary = {
        "out": str(result.out),
        "method": result.method,
        "seconds": round(result.seconds, 3),
        "params": result.params,
        "card": result.card,
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    table = Table(title=f"merged with {method.value} in {result.seconds:.2f} s")
    table.add_column("role")
    table.add_column("path")
    table.add_column("content hash")
    for entry in result.card["inputs"]:
        digest = entry.get("blake3") or entry.get("sha256") or ""
        table.add_row(entry["role"], entry["path"], digest[:16])
    table.add_row("output", str(result.out), "")
    Console().print(table)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    # Extra positional words after `--models A1` are further models: `--models A1 A2 ...`.
    app.command("merge", context_settings={"allow_extra_args": True})(merge)
