"""`toolpath chat`: ask for a task, review its plan and path, approve or adjust, follow it.

Each task is a durable thread (the run id): the run pauses before its first execution
(a LangGraph interrupt) and shows the plan with its expected cost and quality; answer
`y` to run it, `alpha=0.2` or `budget=60` to search again with another preference, `n`
to drop it. `/runs` lists the threads, `/resume RUN_ID` continues one (also after a
crash), `/quit` leaves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.prompt import Prompt

from toolpath.agent.cli.run_cmd import HomeOption, LlmOption, ModelOption, condensed, read_task
from toolpath.agent.run.render import EventPrinter, print_summary
from toolpath.agent.run.state import RunSummary
from toolpath.agent.run.task import TaskFileError
from toolpath.tools.extras import require

HELP = (
    "Type a task (or a task file). Before it runs you will see the plan: answer y to run, "
    "alpha=A / budget=B to search again, n to drop. /runs, /resume RUN_ID, /quit."
)


def parse_answer(text: str) -> dict[str, Any] | None:
    """`y` -> approve; `alpha=0.3 budget=50` -> new preferences; `n` -> reject; else None."""
    text = text.strip().lower()
    if text in ("y", "yes", "ok", "run", ""):
        return {"approve": True}
    if text in ("n", "no", "stop"):
        return {"approve": False}
    answer: dict[str, Any] = {}
    for part in text.replace(",", " ").split():
        key, _, value = part.partition("=")
        if key not in ("alpha", "budget") or not value:
            return None
        try:
            number = float(value)
        except ValueError:
            return None
        if key == "alpha" and not 0 <= number <= 1:
            return None
        answer[key] = number
    return answer or None


def _review(runner: Any, summary: RunSummary, console: Console) -> RunSummary:
    """Ask until the paused run is approved, changed or dropped; follow it to its end."""
    while summary.status == "paused":
        reply = Prompt.ask("[bold]run this plan?[/bold] [y / n / alpha=A budget=B]", default="y")
        answer = parse_answer(reply)
        if answer is None:
            console.print("[yellow]answer y, n, or alpha=0..1 and/or budget=SECONDS[/yellow]")
            continue
        summary = runner.resume(summary.run_id, answer)
    print_summary(console, condensed(summary))
    return summary


def _list(runner: Any, console: Console) -> None:
    for row in runner.list_runs(limit=10):
        console.print(f"{row['run_id']}  {row['status']:<9}  {row['request'][:60]}")


def chat(
    home: HomeOption = None,
    llm: LlmOption = None,
    model_path: ModelOption = None,
    alpha: Annotated[float, typer.Option("--alpha", help="default preference")] = 0.5,
) -> None:
    """An interactive session: plan, approve or adjust, run, see the result."""
    require("langgraph", "agent")
    from toolpath.agent.run.factory import make_runner

    console = Console()
    runner = make_runner(
        llm_name=llm,
        model_path=model_path,
        home=home,
        on_event=EventPrinter(console).on_event,
        interactive=True,
    )
    console.print(f"[bold]toolpath chat[/bold] ({runner.home}). {HELP}")
    while True:
        try:
            line = Prompt.ask("[bold cyan]task[/bold cyan]").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            break
        if line == "/runs":
            _list(runner, console)
            continue
        if line.startswith("/resume"):
            run_id = line.partition(" ")[2].strip()
            try:
                _review(runner, runner.resume(run_id), console)
            except KeyError as exc:
                console.print(f"[red]{exc}[/red]")
            continue
        try:
            task = read_task(line) if Path(line).suffix in (".yaml", ".yml") else None
        except TaskFileError as exc:
            console.print(f"[red]{exc}[/red]")
            continue
        if task is None:
            from toolpath.agent.run.task import TaskSpec

            task = TaskSpec(request=line, alpha=alpha)
        _review(runner, runner.start(task), console)
    console.print("bye")


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.command("chat")(chat)
