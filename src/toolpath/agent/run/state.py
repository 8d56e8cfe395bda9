"""The run's state as typed LangGraph channels, and the summary every front end prints.

Each channel holds a pydantic model (the task, plan, path, step records, ...) or plain
data; a model is validated once, where a node makes it or where the checkpoint is read,
and the nodes use it as it is. Sub-tasks are keyed by their int id.

The checkpoint stores each model as its class name and fields, so the checkpointer is
told which classes it may rebuild (`CHECKPOINT_TYPES`). `STATE_VERSION` is written into
every run; a checkpoint written by toolpath before it (the untyped `dict[str, Any]`
state) can still be listed and shown, but not resumed (`RunStateVersionError` in
`runner`).
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from pydantic import BaseModel, Field

from toolpath.agent.run.executor import StepOutcome
from toolpath.agent.run.task import TaskSpec
from toolpath.planners.plan import PathStep, Plan, SubTask, ToolPath

STATUSES = ("succeeded", "failed", "stopped")
STATE_VERSION = 2  # 1: the untyped dict state of toolpath before the typed channels


def merge_dicts(left: dict | None, right: dict | None) -> dict:
    return {**(left or {}), **(right or {})}


def union_pairs(left: list | None, right: list | None) -> list[tuple[str, int]]:
    """Forbidden (tool, sub-task) pairs, each once, in the order they were added."""
    seen: list[tuple[str, int]] = []
    for tool, subtask in [*(left or []), *(right or [])]:
        if (tool, int(subtask)) not in seen:
            seen.append((tool, int(subtask)))
    return seen


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


class DoneRecord(BaseModel):
    """A sub-task that passed verification: the tool that did it and what it made."""

    tool: str
    output: Any = None
    artifact: str | None = None
    metrics: dict[str, float] = Field(default_factory=dict)


class Stuck(BaseModel):
    """The sub-task no tool can serve any more, for `refine` to decompose more finely."""

    subtask: int
    reason: str


class Judgement(BaseModel):
    """One step of the last wave as the verifier judged it (judge -> learn -> route)."""

    outcome: StepOutcome
    ok: bool
    reason: str
    kind: str
    checks: list[str] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)
    verify_seconds: float = 0.0


class StepJob(BaseModel):
    """What `execute` gets for one sub-task (the payload of its `Send`)."""

    run_id: str
    subtask: SubTask
    step: PathStep
    defaults: dict[str, Any] = Field(default_factory=dict)
    roots: list[str] = Field(default_factory=list)
    inputs: dict[int, Any] = Field(default_factory=dict)
    producers: dict[int, str] = Field(
        default_factory=dict, description="the tool that made each of `inputs`"
    )


class RunState(BaseModel):
    """One run. The annotated channels merge what parallel `execute` nodes write."""

    version: int = STATE_VERSION
    run_id: str
    task: TaskSpec
    plan: Plan | None = None
    depth: int = 0
    path: ToolPath | None = None
    stuck: Stuck | None = None
    approved: bool = False
    done: Annotated[dict[int, DoneRecord], merge_dicts] = Field(default_factory=dict)
    forbidden: Annotated[list[tuple[str, int]], union_pairs] = Field(default_factory=list)
    outcomes: Annotated[dict[int, StepOutcome], merge_dicts] = Field(default_factory=dict)
    judged: list[Judgement] = Field(default_factory=list)
    steps: Annotated[list[StepRecord], operator.add] = Field(default_factory=list)
    events: Annotated[list[dict[str, Any]], operator.add] = Field(default_factory=list)
    notes: Annotated[list[str], operator.add] = Field(default_factory=list)
    replans: int = 0
    redecompositions: int = 0
    executions: int = 0
    cost: float = 0.0
    status: str | None = None
    reason: str | None = None
    result: dict[str, Any] | None = None


CHECKPOINT_TYPES = [
    (cls.__module__, cls.__name__)
    for cls in (
        TaskSpec,
        Plan,
        ToolPath,
        StepOutcome,
        StepRecord,
        DoneRecord,
        Stuck,
        Judgement,
        StepJob,
    )
]


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


def _as_json(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def summary_of(values: dict[str, Any]) -> RunSummary:
    """The summary of a run from its (final or current) state values, of any state version."""
    return RunSummary(
        run_id=values.get("run_id", ""),
        status=values.get("status") or "running",
        reason=values.get("reason") or "",
        steps=[StepRecord.model_validate(_as_json(step)) for step in values.get("steps", [])],
        replans=values.get("replans", 0),
        cost=round(values.get("cost", 0.0), 4),
        result=values.get("result"),
        redecompositions=values.get("redecompositions", 0),
        plan=_as_json(values.get("plan")),
        path=_as_json(values.get("path")),
        notes=values.get("notes", []),
    )
