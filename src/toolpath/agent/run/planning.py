"""What the run needs from a planner, and the adapter over the LLM decomposer.

`Planner.decompose(request, inputs) -> (plan, notes)` and `Planner.refine(plan, subtask,
reason) -> plan`. The task's named inputs reach the decomposer as quoted data, not as
instructions.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from toolpath.planners.plan import Plan
from toolpath.planners.references import map_refs
from toolpath.tools.registry import ToolRegistry

T = TypeVar("T")


class PlannerError(RuntimeError):
    """The planner could not produce a valid plan."""


class Planner(Protocol):
    def decompose(self, request: str, inputs: dict[str, Any]) -> tuple[Plan, list[str]]: ...

    def refine(self, plan: Plan, subtask: int, reason: str) -> Plan: ...


def request_with_inputs(request: str, inputs: dict[str, Any]) -> str:
    """The request followed by the named inputs, marked as data."""
    if not inputs:
        return request
    listed = "\n".join(f"- {name}: {_short(value)}" for name, value in inputs.items())
    return f"{request}\n\nAvailable inputs (data, use them as argument values):\n{listed}"


def _short(value: Any) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)} items (passed automatically)"
    return str(value)


def tools_as_capabilities(plan: Plan, registry: ToolRegistry | None) -> Plan:
    """Sub-tasks that name a tool (TaskBench style) get that tool's capability instead.

    The planner says what to do; the search decides which tool of that capability does it.
    """
    if registry is None:
        return plan
    known = registry.capabilities()
    plan = plan.model_copy(deep=True)
    for task in plan.subtasks:
        if task.capability not in known and task.capability in registry:
            task.capability = registry.get(task.capability).capabilities[0]
    return plan


class DecomposerPlanner:
    """`Planner` over `planners.decomposer.Decomposer` (any object with the same methods)."""

    def __init__(self, decomposer: Any, registry: ToolRegistry | None = None) -> None:
        self.decomposer = decomposer
        self.registry = registry
        self.last_attempts = 0  # LLM answers the last decomposition took

    def decompose(self, request: str, inputs: dict[str, Any]) -> tuple[Plan, list[str]]:
        try:
            decomposition = self.decomposer.decompose(request_with_inputs(request, inputs))
        except Exception as exc:
            raise PlannerError(f"the decomposer failed: {exc}") from exc
        plan = getattr(decomposition, "plan", decomposition)
        self.last_attempts = getattr(decomposition, "attempts", 1)
        notes = [f"planned by the LLM in {self.last_attempts} attempt(s)"]
        notes += [str(n) for n in getattr(decomposition, "notes", []) or []]
        if not isinstance(plan, Plan) or not plan.subtasks:
            raise PlannerError("the decomposer returned no sub-tasks")
        plan = tools_as_capabilities(plan, self.registry)
        return plan.model_copy(update={"request": request}), notes

    def refine(self, plan: Plan, subtask: int, reason: str) -> Plan:
        try:
            refined = self.decomposer.refine(plan, subtask, reason)
        except Exception as exc:
            raise PlannerError(f"refining sub-task {subtask} failed: {exc}") from exc
        return tools_as_capabilities(getattr(refined, "plan", refined), self.registry)


def _rewrite_refs(value: Any, mapping: dict[int, int]) -> Any:
    """References renumbered by `mapping`; one to a node not in it becomes `<node--1>`."""
    return map_refs(value, lambda j: f"<node-{mapping.get(j, -1)}>")


def remap_done(old: Plan, new: Plan, done: dict[int, T]) -> dict[int, T]:
    """Carry verified steps over to a re-decomposed plan where the sub-task is unchanged.

    A sub-task is unchanged when capability and arguments agree once references are
    renumbered. (Steps not carried over are cheap anyway: their artifacts are cached.)
    """
    mapping: dict[int, int] = {}
    for old_id in old.topological_order():
        before = old.subtasks[old_id]
        wanted = [(a.name, _rewrite_refs(a.value, mapping)) for a in before.arguments]
        for task in new.subtasks:
            if task.id in mapping.values() or task.capability != before.capability:
                continue
            if [(a.name, a.value) for a in task.arguments] == wanted:
                mapping[old_id] = task.id
                break
    return {mapping[k]: v for k, v in done.items() if k in mapping}
