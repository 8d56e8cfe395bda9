"""The run as a LangGraph `StateGraph`.

    decompose -> search -> approve -> execute (one Send per ready sub-task, in parallel)
              ^    |  \\                    |
              |    |   refine (no candidate left: finer decomposition, bounded depth)
              |    v                        v
              +--- verify <-----------------+ -> next wave | search again | finish

Every loop is bounded: searches after a failure (`max_replans`), nested re-decompositions
(`max_depth`), tool executions (`max_steps`), the cost budget and the wall time. The
final state's `status` is `succeeded`, `failed` (no plan or no path can do the task) or
`stopped` (a limit was reached), and `reason` says why.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.types import Overwrite, Send, interrupt

from toolpath.agent.events import (
    EstimateUpdated,
    PathChosen,
    PlanMade,
    Replanned,
    RunFinished,
    StepFinished,
    StepStarted,
    Verdict,
)
from toolpath.agent.run.artifacts import ArtifactStore
from toolpath.agent.run.executor import Executor, StepOutcome, main_value
from toolpath.agent.run.planning import Planner, PlannerError, remap_done
from toolpath.agent.run.state import RunState, StepRecord
from toolpath.agent.run.task import CheckSpec, TaskSpec
from toolpath.agent.run.verifier import JUDGE_ERROR, Verifier
from toolpath.planners.estimates import EstimateStore
from toolpath.planners.plan import PathStep, Plan, PlanValidationError, SubTask, ToolPath
from toolpath.planners.search import SearchProblem, astar
from toolpath.tools.registry import ToolRegistry
from toolpath.tools.resources import TEXT, type_of_literal
from toolpath.tools.workspace import Workspace


def _event(run_id: str, event: Any) -> dict[str, Any]:
    event.run_id = run_id
    return event.model_dump(mode="json")


class RunGraph:
    """Builds the compiled graph; nodes close over the tools, estimates and planner."""

    def __init__(
        self,
        *,
        registry: ToolRegistry,
        estimates: EstimateStore,
        store: ArtifactStore,
        planner: Planner | None,
        verifier_for: Any,
        interactive: bool = False,
        workspace: Workspace | None = None,
    ) -> None:
        self.registry = registry
        self.workspace = workspace
        self.estimates = estimates
        self.executor = Executor(registry, store)
        self.planner = planner
        self.verifier_for = verifier_for
        self.interactive = interactive
        self.deadline = time.monotonic() + 1e9

    def compile(self, checkpointer: Any = None):
        graph = StateGraph(RunState)
        graph.add_node("decompose", self.decompose)
        graph.add_node("search", self.search)
        graph.add_node("refine", self.refine)
        graph.add_node("approve", self.approve)
        graph.add_node("execute", self.execute)
        graph.add_node("verify", self.verify)
        graph.add_node("finish", self.finish)
        graph.add_edge(START, "decompose")
        graph.add_conditional_edges("decompose", self.after_decompose, ["search", "finish"])
        graph.add_conditional_edges("search", self.after_search, ["approve", "refine", "finish"])
        graph.add_conditional_edges("refine", self.after_decompose, ["search", "finish"])
        graph.add_conditional_edges("approve", self.dispatch, ["execute", "search", "finish"])
        graph.add_edge("execute", "verify")
        graph.add_conditional_edges("verify", self.after_verify, ["execute", "search", "finish"])
        graph.add_edge("finish", END)
        return graph.compile(checkpointer=checkpointer)

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def task_of(state: RunState) -> TaskSpec:
        return TaskSpec.model_validate(state["task"])

    def _limit_reached(self, state: RunState) -> str | None:
        task = self.task_of(state)
        if time.monotonic() > self.deadline:
            return f"wall-time limit of {task.limits.max_wall_seconds:g}s reached"
        if task.budget is not None and state.get("cost", 0.0) > task.budget:
            return f"cost budget {task.budget:g}s spent ({state.get('cost', 0.0):.1f}s)"
        if state.get("executions", 0) >= task.limits.max_steps:
            return f"step limit of {task.limits.max_steps} executions reached"
        return None

    def _stop(self, status: str, reason: str) -> dict[str, Any]:
        return {"status": status, "reason": reason}

    # -- nodes ------------------------------------------------------------------------------
    def decompose(self, state: RunState) -> dict[str, Any]:
        if state.get("plan"):
            return {}
        task = self.task_of(state)
        notes: list[str] = []
        try:
            if task.plan is not None:
                plan = task.plan.model_copy(update={"request": task.request})
                notes.append("plan given by the task file")
            elif self.planner is None:
                return self._stop("failed", "no planner (LLM backend) to decompose the request")
            else:
                plan, notes = self.planner.decompose(task.request, task.inputs)
            plan.validate_plan(self.registry.capabilities())
        except (PlannerError, PlanValidationError) as exc:
            return self._stop("failed", f"could not decompose the request: {exc}")
        return {
            "plan": plan.model_dump(mode="json"),
            "depth": 0,
            "notes": notes,
            "events": [_event(state["run_id"], PlanMade(plan=plan, depth=0))],
        }

    def search(self, state: RunState) -> dict[str, Any]:
        limit = self._limit_reached(state)
        if limit:
            return self._stop("stopped", limit)
        task = self.task_of(state)
        plan = Plan.model_validate(state["plan"])
        budget = None if task.budget is None else max(task.budget - state.get("cost", 0.0), 0.0)
        done = {int(k): v["tool"] for k, v in state.get("done", {}).items()}
        problem = SearchProblem(
            plan,
            [spec for spec in self.registry if spec.runnable],
            self.estimates,
            alpha=task.alpha,
            budget=budget,
            forbidden=[(tool, int(sub)) for tool, sub in state.get("forbidden", [])],
            done=done,
            given=given_types(plan, task),
        )
        result = astar(problem)
        if result.path is None:
            if result.stuck_subtask is not None:
                return {
                    "route": "refine",
                    "path": None,
                    "stuck": {"subtask": result.stuck_subtask, "reason": result.reason},
                }
            status = "stopped" if task.budget is not None else "failed"
            return self._stop(status, result.reason or "no feasible tool path")
        event = PathChosen(path=result.path, expanded=result.stats.expanded)
        return {
            "route": "run",
            "path": result.path.model_dump(mode="json"),
            "events": [_event(state["run_id"], event)],
        }

    def refine(self, state: RunState) -> dict[str, Any]:
        task = self.task_of(state)
        stuck = state.get("stuck") or {}
        subtask, reason = int(stuck.get("subtask", 0)), str(stuck.get("reason", ""))
        depth = state.get("depth", 0)
        if depth >= task.limits.max_depth:
            return self._stop(
                "stopped", f"{reason}; re-decomposition depth limit {task.limits.max_depth} reached"
            )
        if self.planner is None:
            return self._stop("failed", f"{reason}; no planner to decompose it more finely")
        plan = Plan.model_validate(state["plan"])
        try:
            finer = self.planner.refine(plan, subtask, reason)
            finer.validate_plan(self.registry.capabilities())
        except (PlannerError, PlanValidationError) as exc:
            return self._stop("failed", f"{reason}; finer decomposition failed: {exc}")
        done = remap_done(plan, finer, state.get("done", {}))
        forbidden = [
            [tool, new]
            for tool, old in state.get("forbidden", [])
            for new in _same_subtask(plan, finer, int(old))
        ]
        events = [
            _event(
                state["run_id"],
                Replanned(reason=reason, forbidden=[], redecomposed=subtask),
            ),
            _event(state["run_id"], PlanMade(plan=finer, depth=depth + 1)),
        ]
        return {
            "plan": finer.model_dump(mode="json"),
            "depth": depth + 1,
            "done": Overwrite(done),
            "forbidden": Overwrite(forbidden),
            "redecompositions": state.get("redecompositions", 0) + 1,
            "events": events,
        }

    def approve(self, state: RunState) -> dict[str, Any]:
        """Pause for a person (chat) before the first execution; they may change alpha/budget."""
        if not self.interactive or state.get("approved"):
            return {}
        answer = interrupt({"plan": state.get("plan"), "path": state.get("path")})
        answer = answer if isinstance(answer, dict) else {"approve": bool(answer)}
        if answer.get("approve", False):
            return {"approved": True, "route": "run"}
        if "alpha" in answer or "budget" in answer:
            task = dict(state["task"])
            task.update({k: answer[k] for k in ("alpha", "budget") if k in answer})
            return {"task": task, "route": "research"}
        return self._stop("stopped", "the plan was not approved")

    def execute(self, payload: dict[str, Any]) -> dict[str, Any]:
        task = SubTask.model_validate(payload["task"])
        step = PathStep.model_validate(payload["step"])
        inputs = {int(k): v for k, v in payload["inputs"].items()}
        run_id = payload["run_id"]
        started = _event(run_id, StepStarted(subtask=task.id, tool=step.tool))
        workspace = self.workspace
        if workspace is not None:
            workspace = workspace.with_roots(payload.get("roots", []))
        outcome = self.executor.run(task, step, inputs, payload.get("defaults"), workspace)
        finished = StepFinished(
            subtask=task.id,
            tool=step.tool,
            seconds=outcome.seconds,
            output=outcome.output,
            error=outcome.error,
        )
        return {
            "outcomes": {str(task.id): outcome.model_dump(mode="json")},
            "events": [started, _event(run_id, finished)],
        }

    def verify(self, state: RunState) -> dict[str, Any]:
        task = self.task_of(state)
        plan = Plan.model_validate(state["plan"])
        path = ToolPath.model_validate(state["path"])
        verifier: Verifier = self.verifier_for(task)
        run_id = state["run_id"]
        update: dict[str, Any] = {"outcomes": Overwrite({}), "done": {}, "forbidden": []}
        events, steps = [], []
        cost = state.get("cost", 0.0)
        failures = []
        for key in sorted(state.get("outcomes", {}), key=int):
            outcome = StepOutcome.model_validate(state["outcomes"][key])
            subtask = plan.subtasks[outcome.subtask]
            step = path.step_for(outcome.subtask)
            spec = self.registry.get(outcome.tool)
            checks = applicable_checks(task.checks, plan, subtask, spec.outputs, self.registry)
            judged = time.perf_counter()
            verdict = verifier.verify(outcome, subtask, spec, checks)
            verify_seconds = time.perf_counter() - judged
            cost += outcome.seconds + verify_seconds  # checking is part of the price
            events.append(
                _event(
                    run_id,
                    Verdict(
                        subtask=subtask.id,
                        tool=outcome.tool,
                        ok=verdict.ok,
                        reason=verdict.reason,
                        checks=verdict.checks,
                        verdict=verdict.kind,
                    ),
                )
            )
            # a tool that could not take its arguments, or a step the judge could not judge,
            # is forbidden here, not judged worse; a cached outcome was counted when it ran
            no_evidence = outcome.argument_error or verdict.kind == JUDGE_ERROR or outcome.cached
            for name in [] if no_evidence else outcome.tools:
                tool_spec = self.registry.get(name)
                capability = (
                    subtask.capability if name == outcome.tool else tool_spec.capabilities[0]
                )
                seconds = outcome.seconds if outcome.ok else None
                estimate = self.estimates.record(
                    tool_spec, capability, verdict.ok, seconds, subtask.scale
                )
                updated = EstimateUpdated(
                    tool=name,
                    capability=capability,
                    quality=estimate.quality,
                    cost_multiplier=estimate.cost_multiplier,
                )
                events.append(_event(run_id, updated))
            steps.append(
                StepRecord(
                    subtask=subtask.id,
                    capability=subtask.capability,
                    tool=outcome.tool,
                    tools=outcome.tools,
                    ok=verdict.ok,
                    reason=verdict.reason,
                    verdict=verdict.kind,
                    seconds=round(outcome.seconds, 4),
                    verify_seconds=round(verify_seconds, 4),
                    cached=outcome.cached,
                    artifact=outcome.artifact,
                    checks=verdict.checks,
                    metrics=verdict.metrics,
                    expected_cost=step.expected_cost,
                    expected_quality=step.expected_quality,
                ).model_dump(mode="json")
            )
            if verdict.ok:
                update["done"][key] = {
                    "tool": outcome.tool,
                    "output": outcome.output,
                    "artifact": outcome.artifact,
                    "metrics": verdict.metrics,
                }
            else:
                update["forbidden"].append([outcome.tool, subtask.id])
                failures.append(f"sub-task {subtask.id} ({outcome.tool}): {verdict.reason}")
        update |= {
            "cost": cost,
            "executions": state.get("executions", 0) + len(steps),
            "steps": steps,
        }
        done_now = {**state.get("done", {}), **update["done"]}
        if len(done_now) == len(plan.subtasks):
            update |= self._stop("succeeded", "every sub-task passed verification")
        elif failures:
            replans = state.get("replans", 0)
            forbidden = [tuple(pair) for pair in update["forbidden"]]
            if replans < task.limits.max_replans:
                replanned = Replanned(reason="; ".join(failures), forbidden=forbidden)
                events.append(_event(run_id, replanned))
                update["replans"] = replans + 1
                update["route"] = "research"
            else:
                update |= self._stop(
                    "stopped",
                    f"replan limit {task.limits.max_replans} reached; last failure: {failures[-1]}",
                )
        else:
            update["route"] = "run"
        if not update.get("status"):
            limit = self._limit_reached(
                {**state, **{"cost": cost, "executions": update["executions"]}}
            )
            if limit:
                update |= self._stop("stopped", limit)
        update["events"] = events
        return update

    def finish(self, state: RunState) -> dict[str, Any]:
        status = state.get("status") or "failed"
        reason = state.get("reason") or "the run ended without a reason"
        result = final_result(state)
        event = RunFinished(
            status=status, reason=reason, cost=state.get("cost", 0.0), result=result
        )
        return {
            "status": status,
            "reason": reason,
            "result": result,
            "events": [_event(state["run_id"], event)],
        }

    # -- routing ----------------------------------------------------------------------------
    def after_decompose(self, state: RunState) -> str:
        return "finish" if state.get("status") else "search"

    def after_search(self, state: RunState) -> str:
        if state.get("status"):
            return "finish"
        return "refine" if state.get("route") == "refine" else "approve"

    def after_verify(self, state: RunState) -> Any:
        if state.get("status"):
            return "finish"
        if state.get("route") == "research":
            return "search"
        return self.dispatch(state)

    def dispatch(self, state: RunState) -> Any:
        """One Send per sub-task whose parents are all verified."""
        if state.get("status"):
            return "finish"
        if state.get("route") == "research":
            return "search"
        plan = Plan.model_validate(state["plan"])
        path = ToolPath.model_validate(state["path"])
        done = state.get("done", {})
        sends = []
        for subtask in plan.subtasks:
            parents = plan.parents(subtask.id)
            if str(subtask.id) in done or any(str(p) not in done for p in parents):
                continue
            payload = {
                "run_id": state["run_id"],
                "task": subtask.model_dump(mode="json"),
                "step": path.step_for(subtask.id).model_dump(mode="json"),
                "defaults": state["task"].get("inputs", {}),
                "roots": state["task"].get("roots", []),
                "inputs": {str(p): done[str(p)]["output"] for p in parents}
                | _referenced_outputs(subtask, done),
            }
            sends.append(Send("execute", payload))
        return sends or "finish"


def given_types(plan: Plan, task: TaskSpec) -> set[str]:
    """Types available before any step: text, literal files, and what the task's inputs give."""
    literals = {
        type_of_literal(str(arg.value))
        for sub in plan.subtasks
        for arg in sub.arguments
        if isinstance(arg.value, str) and not arg.references()
    }
    return {TEXT, *literals, *task.given}


def _referenced_outputs(subtask: SubTask, done: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {str(ref): done[str(ref)]["output"] for ref in subtask.references() if str(ref) in done}


def _same_subtask(old: Plan, new: Plan, old_id: int) -> list[int]:
    if old_id >= len(old.subtasks):
        return []
    before = old.subtasks[old_id]
    return [
        task.id
        for task in new.subtasks
        if task.capability == before.capability and task.arguments == before.arguments
    ]


def applicable_checks(
    checks: list[CheckSpec],
    plan: Plan,
    subtask: SubTask,
    outputs: list[str],
    registry: ToolRegistry,
) -> list[CheckSpec]:
    """The task checks that judge this step.

    A check with `subtask` set judges that sub-task. Otherwise it judges a step whose tool
    outputs the check's type when no later sub-task consumes this one's output (the step
    makes the result).
    """
    children = {dst for src, dst in plan.edges() if src == subtask.id}
    chosen = []
    for check in checks:
        if check.subtask is not None:
            if check.subtask == subtask.id:
                chosen.append(check)
        elif check.applies_to in outputs and not children:
            chosen.append(check)
    return chosen


def final_result(state: RunState) -> dict[str, Any]:
    """The outputs of the plan's sinks and the metrics measured along the way."""
    plan_data = state.get("plan")
    done = state.get("done", {})
    if not plan_data:
        return {"outputs": {}, "metrics": {}}
    plan = Plan.model_validate(plan_data)
    parents = {src for src, _ in plan.edges()}
    outputs = {
        str(task.id): main_value(done[str(task.id)]["output"])
        for task in plan.subtasks
        if task.id not in parents and str(task.id) in done
    }
    metrics: dict[str, float] = {}
    for record in done.values():
        metrics.update(record.get("metrics", {}))
    return {"outputs": outputs, "metrics": metrics}
