"""Printing run events and summaries in the terminal (rich), for run, demo and chat."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from toolpath.agent.events import RunEvent
from toolpath.agent.run.state import RunSummary
from toolpath.planners.plan import Plan, ToolPath


def plan_table(plan: Plan, title: str = "plan") -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("#", "capability", "arguments", "after"):
        table.add_column(column)
    for task in plan.subtasks:
        args = ", ".join(f"{a.name}={a.value}" if a.name else str(a.value) for a in task.arguments)
        parents = ", ".join(map(str, plan.parents(task.id))) or "-"
        table.add_row(str(task.id), task.capability, args[:70], parents)
    return table


def path_table(path: ToolPath, title: str = "tool path") -> Table:
    title = (
        f"{title}: expected cost {path.expected_cost:.1f}s, "
        f"expected quality {path.expected_quality:.2f} (alpha {path.alpha:g})"
    )
    table = Table(title=title, title_justify="left")
    for column in ("sub-task", "capability", "tools", "exp. cost s", "exp. quality"):
        table.add_column(column)
    for step in path.steps:
        table.add_row(
            str(step.subtask),
            step.capability,
            " -> ".join(step.tools),
            f"{step.expected_cost:.1f}",
            f"{step.expected_quality:.2f}",
        )
    return table


class EventPrinter:
    """Prints each event as it arrives; pass `printer.on_event` to the runner."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def on_event(self, event: RunEvent) -> None:
        print_event(self.console, event)


def print_event(console: Console, event: RunEvent) -> None:
    kind = event.kind
    if kind == "plan_made":
        label = "plan" if event.depth == 0 else f"refined plan (depth {event.depth})"
        console.print(plan_table(event.plan, label))
    elif kind == "path_chosen":
        console.print(path_table(event.path))
    elif kind == "step_started":
        console.print(f"[dim]  > sub-task {event.subtask}: {event.tool} ...[/dim]")
    elif kind == "step_finished" and event.error:
        console.print(f"  [yellow]! sub-task {event.subtask}: {event.error}[/yellow]")
    elif kind == "verdict":
        mark = "[green]pass[/green]" if event.ok else "[red]FAIL[/red]"
        console.print(f"  {mark} sub-task {event.subtask} {event.tool}: {event.reason}")
    elif kind == "replanned":
        what = (
            f"re-decomposing sub-task {event.redecomposed}"
            if event.redecomposed is not None
            else "searching again"
        )
        console.print(f"[magenta]replan[/magenta]: {what} ({event.reason})")
    elif kind == "run_finished":
        colour = {"succeeded": "green", "failed": "red"}.get(event.status, "yellow")
        console.print(
            f"[bold {colour}]{event.status}[/bold {colour}]: {event.reason} "
            f"(cost {event.cost:.1f}s)"
        )


def print_summary(console: Console, summary: RunSummary) -> None:
    """The final metrics and outputs after the event stream."""
    result: dict[str, Any] = summary.result or {}
    metrics = result.get("metrics") or {}
    if metrics:
        table = Table(title="final metrics", title_justify="left")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for name, value in metrics.items():
            table.add_row(name, f"{value:.3f}")
        console.print(table)
    for subtask, output in (result.get("outputs") or {}).items():
        console.print(f"result of sub-task {subtask}: {output}")
    for note in summary.notes:
        console.print(f"[dim]note: {note}[/dim]")
    console.print(
        f"run {summary.run_id}: {summary.status} after {len(summary.steps)} steps, "
        f"{summary.replans} replans, cost {summary.cost:.1f}s"
    )
