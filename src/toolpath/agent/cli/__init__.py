"""The `toolpath` command line: one typer app; command groups register into it.

Groups defined in agent/ are imported here; groups defined in evals/ (benchmarks,
TaskBench) register through the `toolpath.commands` entry points, so agent/ never
imports evals/.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Annotated

import typer
from rich.markup import escape

from toolpath.agent.cli import (
    chat_cmd,
    demo_cmd,
    mcp_cmd,
    merge_cmd,
    plan_cmd,
    planner_cmd,
    run_cmd,
    serve_cmd,
    tools_cmd,
    zoo_cmd,
)
from toolpath.agent.cli.logs import configure_logging
from toolpath.tools.extras import MissingExtraError, missing_extra

log = logging.getLogger(__name__)

app = typer.Typer(
    name="toolpath",
    help="Plan, search and run tool paths; merge, retrieve and evaluate models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def global_options(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, help="-v: INFO logs, -vv: DEBUG (or env TOOLPATH_LOG)"
        ),
    ] = 0,
) -> None:
    """Plan, search and run tool paths; merge, retrieve and evaluate models."""
    configure_logging(verbose)


bench_app = typer.Typer(help="Benchmarks of toolpath itself.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

ENTRY_POINT_GROUP = "toolpath.commands"


def load_plugins() -> list[str]:
    """Register the command groups declared as entry points; return the failures.

    A group whose extra is not installed gets a stand-in command that says which extra
    to install (entry point names are `GROUP-COMMAND`, e.g. `eval-taskbench`).
    """
    failures = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry.load()(app, bench_app)
        except Exception as exc:  # a broken plugin must not take the whole CLI down
            missing = missing_extra(exc)
            if missing is not None:
                register_unavailable(entry.name, missing)
                log.debug("command group %r: %s", entry.name, missing)
                continue
            failures.append(f"{entry.name}: {exc}")
            log.warning("command group %r failed to load: %s", entry.name, exc)
    return failures


def register_unavailable(name: str, missing: MissingExtraError) -> None:
    """`toolpath GROUP COMMAND ...` that only reports the missing extra (exit status 2)."""
    group, _, command = name.partition("-")

    def unavailable() -> None:
        raise missing

    # escaped: the help is rich markup, where [eval] would read as a tag
    unavailable.__doc__ = escape(f"Unavailable: pip install 'toolpath[{missing.extra}]'.")
    settings = {"allow_extra_args": True, "ignore_unknown_options": True}
    if group == "bench":
        bench_app.command(command, context_settings=settings, add_help_option=False)(unavailable)
        return
    sub = typer.Typer(help=unavailable.__doc__)
    sub.command(command, context_settings=settings, add_help_option=False)(unavailable)
    app.add_typer(sub, name=group)


for group in (
    demo_cmd,
    run_cmd,
    chat_cmd,
    plan_cmd,
    planner_cmd,
    tools_cmd,
    merge_cmd,
    zoo_cmd,
    serve_cmd,
    mcp_cmd,
):
    group.register(app, bench_app)
load_plugins()


def main(argv: list[str] | None = None) -> None:
    """The console script. A missing optional extra ends in one line and exit status 2."""
    try:
        app(args=argv)
    except ImportError as exc:
        missing = missing_extra(exc)
        if missing is None:
            raise
        typer.echo(f"toolpath: error: {missing}", err=True)
        raise SystemExit(2) from None
