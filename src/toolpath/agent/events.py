"""Run events: one typed stream that the CLI, reports and UIs all consume."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from toolpath.planners.plan import Plan, ToolPath


class _Event(BaseModel):
    run_id: str = ""
    at: float = Field(default_factory=time.time)


class PlanMade(_Event):
    kind: Literal["plan_made"] = "plan_made"
    plan: Plan
    depth: int = 0


class PathChosen(_Event):
    kind: Literal["path_chosen"] = "path_chosen"
    path: ToolPath
    expanded: int = 0


class StepStarted(_Event):
    kind: Literal["step_started"] = "step_started"
    subtask: int
    tool: str


class StepFinished(_Event):
    kind: Literal["step_finished"] = "step_finished"
    subtask: int
    tool: str
    seconds: float
    output: Any = None
    error: str | None = None


class Verdict(_Event):
    kind: Literal["verdict"] = "verdict"
    subtask: int
    tool: str
    ok: bool
    reason: str
    checks: list[str] = Field(default_factory=list)
    verdict: str | None = None  # the verdict kind (verifier.PASSED, JUDGE_ERROR, ...)


class EstimateUpdated(_Event):
    kind: Literal["estimate_updated"] = "estimate_updated"
    tool: str
    capability: str
    quality: float
    cost_multiplier: float


class Replanned(_Event):
    kind: Literal["replanned"] = "replanned"
    reason: str
    forbidden: list[tuple[str, int]] = Field(default_factory=list)
    redecomposed: int | None = None


class RunFinished(_Event):
    kind: Literal["run_finished"] = "run_finished"
    status: Literal["succeeded", "failed", "stopped"]
    reason: str
    cost: float = 0.0
    result: Any = None


RunEvent = Annotated[
    PlanMade
    | PathChosen
    | StepStarted
    | StepFinished
    | Verdict
    | EstimateUpdated
    | Replanned
    | RunFinished,
    Field(discriminator="kind"),
]
run_event_adapter: TypeAdapter[RunEvent] = TypeAdapter(RunEvent)


def parse_event(data: dict[str, Any] | str) -> RunEvent:
    """Rebuild an event from its JSON (dict or string) form."""
    if isinstance(data, str):
        return run_event_adapter.validate_json(data)
    return run_event_adapter.validate_python(data)


def has_finished(events: list[dict[str, Any]]) -> bool:
    """The events (their JSON form) hold the run's `run_finished`: its finish step has run."""
    return any(event.get("kind") == "run_finished" for event in events)
