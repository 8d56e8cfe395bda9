"""Solved samples of a catalogue: every run that passes verification is kept, so the step
matcher (and the demonstrations) improve with use; `toolpath planner train` retrains on them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolpath.planners.alignment import node_tools
from toolpath.planners.plan import Plan
from toolpath.tools.jsonl import append_jsonl

log = logging.getLogger(__name__)


class SolvedStore:
    """JSON lines in TaskBench's format, one file per catalogue under `folder`."""

    def __init__(self, folder: Path, catalog: str) -> None:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in catalog)
        self.path = Path(folder) / f"{safe}.jsonl"

    @classmethod
    def in_home(cls, home: Path, catalog: str) -> SolvedStore:
        """The store a toolpath home keeps for a catalogue (`<home>/solved/`)."""
        return cls(Path(home) / "solved", catalog)

    def add(self, plan: Plan) -> None:
        """Keep a verified plan (appended and flushed: a crash loses at most this line)."""
        record = {
            "user_request": plan.request,
            "task_steps": [t.description or t.capability for t in plan.subtasks],
            "task_nodes": [
                {"task": t.capability, "arguments": [a.model_dump() for a in t.arguments]}
                for t in plan.subtasks
            ],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        append_jsonl(self.path, record, default=str)

    def records(self) -> Iterator[dict[str, Any]]:
        """The kept samples; a torn or foreign line is skipped with a warning."""
        if not self.path.is_file():
            return
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                record = json.loads(line)
                if isinstance(record, dict) and isinstance(record.get("task_nodes"), list):
                    yield record
                    continue
            except json.JSONDecodeError:
                pass
            log.warning("%s line %d is not a solved sample; skipped", self.path, number)

    def training_pairs(
        self,
    ) -> tuple[list[tuple[list[str], list[str]]], list[tuple[str, list[str]]]]:
        """From one read of the kept samples: (task_steps, node tools) per sample, the
        matcher's training input, and (request, node tools), what the request cues are
        learned from."""
        records = list(self.records())
        tools = [node_tools(r["task_nodes"]) for r in records]
        steps = [[str(s) for s in r.get("task_steps") or []] for r in records]
        requests = [str(r.get("user_request", "")) for r in records]
        return list(zip(steps, tools, strict=True)), list(zip(requests, tools, strict=True))

    def steps_and_tools(self) -> list[tuple[list[str], list[str]]]:
        """(task_steps, node tools) per kept sample: the matcher's training input."""
        return self.training_pairs()[0]
