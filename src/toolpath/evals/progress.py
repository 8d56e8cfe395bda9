"""A progress bar for long benchmark runs (rich), shared by the evals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(
    total: int, enabled: bool, description: str = "planning"
) -> Iterator[Callable[[str], None]]:
    """A bar with elapsed time and ETA; yields an `advance(status)` callback (a no-op when
    disabled or when there is nothing to do)."""
    if not enabled or total == 0:
        yield lambda status: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(description, total=total, status="")
        yield lambda status: progress.update(task, advance=1, status=status)
