"""The run's state as LangGraph channels, and the summary every front end prints.

All values are plain JSON data so the SQLite checkpoint holds them as they are.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from pydantic import BaseModel, Field

STATUSES = ("succeeded", "failed", "stopped")


def merge_dicts(left: dict | None, right: dict | None) -> dict:
    return {**(left or {}), **(right or {})}


def union_pairs(left: list | None, right: list | None) -> list:
    seen = [list(pair) for pair in left or []]
    for pair in right or []:
        if list(pair) not in seen:
            seen.append(list(pair))
    return seen


class RunState(TypedDict, total=False):
    """One run. `done` maps a sub-task id (str) to its verified step record."""

    run_id: str
    task: dict[str, Any]
    plan: dict[str, Any] | None
    depth: int
    path: dict[str, Any] | None
    route: str
    stuck: dict[str, Any] | None
    approved: bool
    done: Annotated[dict[str, dict[str, Any]], merge_dicts]
    forbidden: Annotated[list[list[Any]], union_pairs]
    outcomes: Annotated[dict[str, dict[str, Any]], merge_dicts]
    steps: Annotated[list[dict[str, Any]], operator.add]
    events: Annotated[list[dict[str, Any]], operator.add]
    replans: int
    redecompositions: int
    executions: int
    cost: float
    status: str | None
    reason: str | None
    result: Any
    notes: Annotated[list[str], operator.add]


class StepRecord(BaseModel):
    """One executed and judged step (a sub-task may have several, one per attempt)."""

    subtask: int
    capability: str
    tool: str
    tools: list[str]
    ok: bool
    reason: str
    verdict: str | None = None  # kind: passed, tool_error, check_failed, judge_error, ...
    seconds: float = 0.0
    verify_seconds: float = 0.0
    cached: bool = False
    artifact: str | None = None
    checks: list[str] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)
    expected_cost: float | None = None
    expected_quality: float | None = None


class RunSummary(BaseModel):
    """The machine-readable result of `toolpath run --json` and `toolpath demo --json`."""

    run_id: str
    status: str
    reason: str
    steps: list[StepRecord]
    replans: int
    cost: float
    result: Any = None
    redecompositions: int = 0
    plan: dict[str, Any] | None = None
    path: dict[str, Any] | None = None
    notes: list[str] = Field(default_factory=list)

    def verdicts(self) -> dict[str, int]:
        """Steps per verdict kind (judge errors counted apart from tool and check failures)."""
        counts: dict[str, int] = {}
        for step in self.steps:
            if step.verdict:
                counts[step.verdict] = counts.get(step.verdict, 0) + 1
        return counts

    def public(self) -> dict[str, Any]:
        """The JSON shape of the issue: run_id, status, reason, steps, replans, cost, result."""
        data = self.model_dump(mode="json")
        return {
            key: data[key]
            for key in ("run_id", "status", "reason", "steps", "replans", "cost", "result")
        } | {
            "redecompositions": self.redecompositions,
            "notes": self.notes,
            "verdicts": self.verdicts(),
        }


def summary_of(values: dict[str, Any]) -> RunSummary:
    """The summary of a run from its (final or current) state values."""
    return RunSummary(
        run_id=values.get("run_id", ""),
        status=values.get("status") or "running",
        reason=values.get("reason") or "",
        steps=[StepRecord.model_validate(step) for step in values.get("steps", [])],
        replans=values.get("replans", 0),
        cost=round(values.get("cost", 0.0), 4),
        result=values.get("result"),
        redecompositions=values.get("redecompositions", 0),
        plan=values.get("plan"),
        path=values.get("path"),
        notes=values.get("notes", []),
    )
