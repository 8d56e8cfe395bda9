"""`toolpath run TASK` and `toolpath runs list | show RUN_ID | resume RUN_ID`.

Exit status: 0 when the run succeeded, 1 when it failed or stopped at a limit, 2 on a
bad task, file or option (reported in one line before anything runs).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from toolpath.agent.run.render import EventPrinter, print_event, print_summary
from toolpath.agent.run.state import RunSummary
from toolpath.agent.run.task import TaskFileError, TaskSpec, load_task_file
from toolpath.tools.extras import require

log = logging.getLogger(__name__)
# The decomposer's notes of each attempt (its repairs and the problems fed back).
PLANNER_NOTE = re.compile(r"^attempt \d+: ")

runs_app = typer.Typer(help="Inspect and resume durable runs.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="print the result as JSON")]
HomeOption = Annotated[
    Path | None, typer.Option("--home", help="run store (default: $TOOLPATH_HOME or ~/.toolpath)")
]
LlmOption = Annotated[
    str | None, typer.Option("--llm", help="LLM backend: embedded (default) or openai")
]
ModelOption = Annotated[
    str | None, typer.Option("--model-path", help="a GGUF file for the embedded backend")
]


def _checked_executor(value: str | None) -> str | None:
    """The --executor value (or $TOOLPATH_EXECUTOR) checked before any work starts."""
    from toolpath.agent.run.executor import executor_kind

    try:
        executor_kind(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return value


ExecutorOption = Annotated[
    str | None,
    typer.Option(
        "--executor",
        callback=_checked_executor,
        help="where steps run: local (default) or ray ($RAY_ADDRESS, else a local Ray); "
        "also $TOOLPATH_EXECUTOR",
    ),
]
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="write a self-contained HTML report here")
]


def fail(message: str, code: int = 2) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def read_task(task: str) -> TaskSpec:
    """A task file (.yaml/.yml) or the request itself."""
    if task.endswith((".yaml", ".yml")) or Path(task).is_file():
        return load_task_file(task)
    return TaskSpec(request=task)


def with_overrides(spec: TaskSpec, alpha: float | None, budget: float | None) -> TaskSpec:
    update: dict[str, Any] = {}
    if alpha is not None:
        if not 0 <= alpha <= 1:
            raise ValueError(f"--alpha must be in [0, 1], got {alpha}")
        update["alpha"] = alpha
    if budget is not None:
        if budget < 0:
            raise ValueError(f"--budget must be >= 0, got {budget}")
        update["budget"] = budget
    return spec.model_copy(update=update)


def condensed(summary: RunSummary) -> RunSummary:
    """The summary to print: the planner's per-attempt notes are logged at INFO (-v) and
    shown as a count; the stored run keeps them all."""
    planner = [n for n in summary.notes if PLANNER_NOTE.match(n)]
    if not planner:
        return summary
    for note in planner:
        log.info("planner: %s", note)
    hint = "" if log.isEnabledFor(logging.INFO) else " (toolpath -v lists them)"
    count = f"{len(planner)} repair/feedback note(s) while planning{hint}"
    others = [n for n in summary.notes if not PLANNER_NOTE.match(n)]
    return summary.model_copy(update={"notes": [*others, count]})


def finish(
    summary: RunSummary,
    runner: Any,
    as_json: bool,
    report: Path | None,
    console: Console,
    extra: dict[str, Any] | None = None,
) -> None:
    """Print the result, write the report, exit with the run's status (`extra` goes into
    the JSON beside the summary)."""
    if report is not None:
        from toolpath.agent.run.report import write_report

        write_report(report, summary, runner.events(summary.run_id))
    if as_json:
        typer.echo(json.dumps({**summary.public(), **(extra or {})}, indent=2, default=str))
    else:
        print_summary(console, condensed(summary))
        if report is not None:
            console.print(f"report: {report}")
    raise typer.Exit(0 if summary.status == "succeeded" else 1)


def run(
    task: Annotated[str, typer.Argument(help="the request in quotes, or a task file (YAML)")],
    alpha: Annotated[
        float | None, typer.Option("--alpha", help="0 = quality only, 1 = cost only")
    ] = None,
    budget: Annotated[float | None, typer.Option("--budget", help="max cost in seconds")] = None,
    llm: LlmOption = None,
    model_path: ModelOption = None,
    as_json: JsonOption = False,
    report: ReportOption = None,
    home: HomeOption = None,
    planner: Annotated[
        str,
        typer.Option(
            "--planner",
            help="direct (default for runs: the graph planner is measured on TaskBench, not "
            "yet on the library) or graph (step matcher + A* re-choose the LLM's tools)",
        ),
    ] = "direct",
    executor: ExecutorOption = None,
) -> None:
    """Plan, search, execute and verify a task; exit 0 only when it succeeds."""
    require("langgraph", "agent")
    from toolpath.agent.run.factory import make_runner

    try:
        spec = with_overrides(read_task(task), alpha, budget)
    except (TaskFileError, ValueError) as exc:
        raise fail(str(exc)) from exc
    console = Console(stderr=as_json)
    printer = None if as_json else EventPrinter(console).on_event
    try:
        runner = make_runner(
            llm_name=llm,
            model_path=model_path,
            home=home,
            on_event=printer,
            catalog=spec.catalog,
            planner=planner,
            executor=executor,
        )
        runner.check_paths(spec)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    summary = runner.start(spec)
    finish(summary, runner, as_json, report, console)


def _runner(home: Path | None, llm: str | None = None, model_path: str | None = None, **kw):
    require("langgraph", "agent")
    from toolpath.agent.run.factory import make_runner

    return make_runner(llm_name=llm, model_path=model_path, home=home, **kw)


@runs_app.command("list")
def list_runs(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """The most recent runs with their status."""
    from toolpath.agent.run.runner import AgentRunner, default_home
    from toolpath.tools.registry import ToolRegistry

    runner = AgentRunner(registry=ToolRegistry(), home=home or default_home())
    rows = runner.list_runs()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"runs in {runner.home}")
    for column in ("run id", "status", "cost s", "request", "reason"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["run_id"],
            row["status"],
            f"{row['cost']:.1f}",
            row["request"][:50],
            row["reason"][:60],
        )
    Console().print(table)


@runs_app.command("show")
def show_run(
    run_id: str,
    home: HomeOption = None,
    as_json: JsonOption = False,
    report: ReportOption = None,
) -> None:
    """A run's events, steps and result."""
    from toolpath.agent.run.runner import AgentRunner, UnknownRunError, default_home
    from toolpath.tools.registry import ToolRegistry

    runner = AgentRunner(registry=ToolRegistry(), home=home or default_home())
    try:
        summary = runner.show(run_id)
        events = runner.events(run_id)
    except UnknownRunError as exc:
        raise fail(str(exc)) from exc
    if report is not None:
        from toolpath.agent.run.report import write_report

        write_report(report, summary, events)
    if as_json:
        typer.echo(json.dumps(summary.public(), indent=2, default=str))
        return
    console = Console()
    for event in events:
        print_event(console, event)
    print_summary(console, condensed(summary))


@runs_app.command("resume")
def resume_run(
    run_id: str,
    home: HomeOption = None,
    llm: LlmOption = None,
    model_path: ModelOption = None,
    as_json: JsonOption = False,
    report: ReportOption = None,
    executor: ExecutorOption = None,
) -> None:
    """Continue a run from its last checkpoint; finished steps are not redone."""
    from toolpath.agent.run.runner import UnknownRunError

    console = Console(stderr=as_json)
    printer = None if as_json else EventPrinter(console).on_event
    runner = _runner(home, llm, model_path, on_event=printer, executor=executor)
    try:
        summary = runner.resume(run_id)
    except UnknownRunError as exc:
        raise fail(str(exc)) from exc
    finish(summary, runner, as_json, report, console)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.command("run")(run)
    app.add_typer(runs_app, name="runs")
