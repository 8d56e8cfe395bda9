"""The run as a LangGraph `StateGraph` over the typed `RunState` (drawn in the README).

    decompose -> search -> approve -> execute (one Send per ready sub-task, in parallel)
                   |  ^                  |
                refine |                 judge -> learn -> route
                       +-----------------------------------+ -> next wave | finish

`judge` runs the verifier on the wave's outcomes (step records, verified outputs,
forbidden pairs), `learn` updates the tool estimates from the verdicts, and `route`
decides: done, search again after a failure, or the next wave. Every node that chooses
where the run goes returns `Command(goto=...)` through one router, `RunGraph.goto`.

Every loop is bounded: searches after a failure (`max_replans`), nested re-decompositions
(`max_depth`), tool executions (`max_steps`), the cost budget and the wall time. The
final state's `status` is `succeeded`, `failed` (no plan or no path can do the task) or
`stopped` (a limit was reached), and `reason` says why.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Overwrite, Send, interrupt

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
from toolpath.agent.run.executor import Executor, StepOutcome, flowing_value
from toolpath.agent.run.planning import Planner, PlannerError, remap_done
from toolpath.agent.run.state import (
    DoneRecord,
    Judgement,
    RunState,
    StepJob,
    StepRecord,
    Stuck,
)
from toolpath.agent.run.task import CheckSpec, TaskSpec
from toolpath.agent.run.verifier import JUDGE_ERROR, Verifier
from toolpath.planners.estimates import EstimateStore
from toolpath.planners.plan import Plan, PlanValidationError, SubTask
from toolpath.planners.search import SearchProblem, ToolIndex, astar
from toolpath.tools.registry import ToolRegistry
from toolpath.tools.resources import TEXT, type_of_literal
from toolpath.tools.spec import ToolSpec
from toolpath.tools.workspace import Workspace

# the nodes; WAVE is no node: the router turns it into one Send to EXECUTE per ready sub-task
DECOMPOSE, SEARCH, REFINE, APPROVE = "decompose", "search", "refine", "approve"
EXECUTE, JUDGE, LEARN, ROUTE, FINISH = "execute", "judge", "learn", "route", "finish"
WAVE = "next wave"
Update = dict[str, Any]


def _event(run_id: str, event: Any) -> dict[str, Any]:
    event.run_id = run_id
    return event.model_dump(mode="json")


def _stop(status: str, reason: str) -> Update:
    return {"status": status, "reason": reason}


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
        executor: Executor | None = None,
    ) -> None:
        self.registry = registry
        self.workspace = workspace
        self.estimates = estimates
        self.executor = executor if executor is not None else Executor(registry, store)
        self.planner = planner
        self.verifier_for = verifier_for
        self.interactive = interactive
        self.deadline = time.monotonic() + 1e9

    @cached_property
    def tool_index(self) -> ToolIndex:
        """The search's index of the runnable tools, built on the first search and reused by
        every later one (replans included): the registry does not change during a run."""
        return ToolIndex(spec for spec in self.registry if spec.runnable)

    def compile(self, checkpointer: Any = None):
        graph = StateGraph(RunState)
        graph.add_node(DECOMPOSE, self.decompose, destinations=(SEARCH, FINISH))
        graph.add_node(SEARCH, self.search, destinations=(APPROVE, REFINE, FINISH))
        graph.add_node(REFINE, self.refine, destinations=(SEARCH, FINISH))
        graph.add_node(APPROVE, self.approve, destinations=(EXECUTE, SEARCH, FINISH))
        graph.add_node(EXECUTE, self.execute, input_schema=StepJob)
        graph.add_node(JUDGE, self.judge)
        graph.add_node(LEARN, self.learn)
        graph.add_node(ROUTE, self.route, destinations=(EXECUTE, SEARCH, FINISH))
        graph.add_node(FINISH, self.finish)
        graph.add_edge(START, DECOMPOSE)
        graph.add_edge(EXECUTE, JUDGE)
        graph.add_edge(JUDGE, LEARN)
        graph.add_edge(LEARN, ROUTE)
        graph.add_edge(FINISH, END)
        return graph.compile(checkpointer=checkpointer)

    # -- the router -------------------------------------------------------------------------
    def goto(self, state: RunState, update: Update, then: str = FINISH) -> Command:
        """Where the run goes after a node: to FINISH once a status is set, else to `then`
        (SEARCH, REFINE, APPROVE, or WAVE: one Send per ready sub-task, FINISH if none)."""
        if update.get("status") or state.status:
            return Command(update=update, goto=FINISH)
        if then == WAVE:
            return Command(update=update, goto=self.wave(state) or FINISH)
        return Command(update=update, goto=then)

    def wave(self, state: RunState) -> list[Send]:
        """One Send to EXECUTE per sub-task not yet done whose parents are all verified."""
        plan, path, done = state.plan, state.path, state.done
        assert plan is not None and path is not None
        sends = []
        for subtask in plan.subtasks:
            parents = plan.parents(subtask.id)
            if subtask.id in done or any(p not in done for p in parents):
                continue
            job = StepJob(
                run_id=state.run_id,
                subtask=subtask,
                step=path.step_for(subtask.id),
                defaults=state.task.inputs,
                roots=state.task.roots,
                inputs={p: done[p].output for p in parents} | _referenced_outputs(subtask, done),
                producers={p: done[p].tool for p in [*parents, *subtask.references()] if p in done},
            )
            sends.append(Send(EXECUTE, job))
        return sends

    def _limit_reached(self, state: RunState) -> str | None:
        task = state.task
        if time.monotonic() > self.deadline:
            return f"wall-time limit of {task.limits.max_wall_seconds:g}s reached"
        if task.budget is not None and state.cost > task.budget:
            return f"cost budget {task.budget:g}s spent ({state.cost:.1f}s)"
        if state.executions >= task.limits.max_steps:
            return f"step limit of {task.limits.max_steps} executions reached"
        return None

    # -- planning ---------------------------------------------------------------------------
    def decompose(self, state: RunState) -> Command:
        if state.plan is not None:
            return self.goto(state, {}, SEARCH)
        task = state.task
        notes: list[str] = []
        try:
            if task.plan is not None:
                plan = task.plan.model_copy(update={"request": task.request})
                notes.append("plan given by the task file")
            elif self.planner is None:
                return self.goto(
                    state, _stop("failed", "no planner (LLM backend) to decompose the request")
                )
            else:
                plan, notes = self.planner.decompose(task.request, task.inputs)
            plan.validate_plan(self.registry.capabilities())
        except (PlannerError, PlanValidationError) as exc:
            return self.goto(state, _stop("failed", f"could not decompose the request: {exc}"))
        update = {
            "plan": plan,
            "depth": 0,
            "notes": notes,
            "events": [_event(state.run_id, PlanMade(plan=plan, depth=0))],
        }
        return self.goto(state, update, SEARCH)

    def search(self, state: RunState) -> Command:
        limit = self._limit_reached(state)
        if limit:
            return self.goto(state, _stop("stopped", limit))
        task, plan = state.task, state.plan
        assert plan is not None
        budget = None if task.budget is None else max(task.budget - state.cost, 0.0)
        problem = SearchProblem(
            plan,
            self.tool_index,
            self.estimates,
            alpha=task.alpha,
            budget=budget,
            forbidden=list(state.forbidden),
            done={sub: record.tool for sub, record in state.done.items()},
            given=given_types(plan, task),
        )
        result = astar(problem)
        if result.path is not None:
            event = PathChosen(path=result.path, expanded=result.stats.expanded)
            update = {"path": result.path, "events": [_event(state.run_id, event)]}
            return self.goto(state, update, APPROVE)
        if result.stuck_subtask is not None:
            stuck = Stuck(subtask=result.stuck_subtask, reason=result.reason or "")
            return self.goto(state, {"path": None, "stuck": stuck}, REFINE)
        status = "stopped" if task.budget is not None else "failed"
        return self.goto(state, _stop(status, result.reason or "no feasible tool path"))

    def refine(self, state: RunState) -> Command:
        task, plan = state.task, state.plan
        assert plan is not None
        stuck = state.stuck or Stuck(subtask=0, reason="")
        reason = stuck.reason
        if state.depth >= task.limits.max_depth:
            limit = f"{reason}; re-decomposition depth limit {task.limits.max_depth} reached"
            return self.goto(state, _stop("stopped", limit))
        if self.planner is None:
            return self.goto(
                state, _stop("failed", f"{reason}; no planner to decompose it more finely")
            )
        try:
            finer = self.planner.refine(plan, stuck.subtask, reason)
            finer.validate_plan(self.registry.capabilities())
        except (PlannerError, PlanValidationError) as exc:
            return self.goto(state, _stop("failed", f"{reason}; finer decomposition failed: {exc}"))
        forbidden = [
            (tool, new) for tool, old in state.forbidden for new in _same_subtask(plan, finer, old)
        ]
        events = [
            _event(
                state.run_id, Replanned(reason=reason, forbidden=[], redecomposed=stuck.subtask)
            ),
            _event(state.run_id, PlanMade(plan=finer, depth=state.depth + 1)),
        ]
        update = {
            "plan": finer,
            "depth": state.depth + 1,
            "done": Overwrite(remap_done(plan, finer, state.done)),
            "forbidden": Overwrite(forbidden),
            "redecompositions": state.redecompositions + 1,
            "events": events,
        }
        return self.goto(state, update, SEARCH)

    def approve(self, state: RunState) -> Command:
        """Pause for a person (chat) before the first execution; they may change alpha/budget."""
        if not self.interactive or state.approved:
            return self.goto(state, {}, WAVE)
        shown = {"plan": _json(state.plan), "path": _json(state.path)}
        if state.path is not None:  # tools that change things outside toolpath (MCP tools)
            used = [tool for step in state.path.steps for tool in step.tools]
            changing = [t for t in used if t in self.registry and self.registry.get(t).changes]
            shown["changes"] = list(dict.fromkeys(changing))
        answer = interrupt(shown)
        answer = answer if isinstance(answer, dict) else {"approve": bool(answer)}
        if answer.get("approve", False):
            return self.goto(state, {"approved": True}, WAVE)
        changes = {k: answer[k] for k in ("alpha", "budget") if k in answer}
        if changes:
            task = TaskSpec.model_validate(state.task.model_dump() | changes)
            return self.goto(state, {"task": task}, SEARCH)
        return self.goto(state, _stop("stopped", "the plan was not approved"))

    # -- one wave ---------------------------------------------------------------------------
    def execute(self, job: StepJob) -> Update:
        started = _event(job.run_id, StepStarted(subtask=job.subtask.id, tool=job.step.tool))
        workspace = self.workspace
        if workspace is not None:
            workspace = workspace.with_roots(job.roots)
        outcome = self.executor.run(
            job.subtask, job.step, job.inputs, job.defaults, workspace, job.producers
        )
        outcome = StepOutcome.model_validate(outcome.model_dump(mode="json"))  # as checkpointed
        finished = StepFinished(
            subtask=outcome.subtask,
            tool=outcome.tool,
            seconds=outcome.seconds,
            output=outcome.output,
            error=outcome.error,
        )
        return {
            "outcomes": {outcome.subtask: outcome},
            "events": [started, _event(job.run_id, finished)],
        }

    def judge(self, state: RunState) -> Update:
        """Verify the wave's outcomes: a step record and a Verdict event each, the cost,
        the outputs that passed and the (tool, sub-task) pairs that failed."""
        verifier: Verifier = self.verifier_for(state.task)
        judged = [
            self._judge_one(state, verifier, state.outcomes[k]) for k in sorted(state.outcomes)
        ]
        passed = [j for j in judged if j.ok]
        return {
            "outcomes": Overwrite({}),
            "judged": judged,
            "steps": [self._record(state, j) for j in judged],
            "events": [_event(state.run_id, _verdict_event(j)) for j in judged],
            "done": {j.outcome.subtask: _done(j) for j in passed},
            "forbidden": [(j.outcome.tool, j.outcome.subtask) for j in judged if not j.ok],
            "cost": state.cost + sum(j.outcome.seconds + j.verify_seconds for j in judged),
            "executions": state.executions + len(judged),
        }

    def _judge_one(self, state: RunState, verifier: Verifier, outcome: StepOutcome) -> Judgement:
        assert state.plan is not None
        subtask = state.plan.subtasks[outcome.subtask]
        spec = self.registry.get(outcome.tool)
        checks = applicable_checks(
            state.task.checks, state.plan, subtask, spec.outputs, self.registry
        )
        started = time.perf_counter()
        verdict = verifier.verify(outcome, subtask, spec, checks)
        return Judgement(
            outcome=outcome,
            ok=verdict.ok,
            reason=verdict.reason,
            kind=verdict.kind,
            checks=verdict.checks,
            metrics=verdict.metrics,
            verify_seconds=time.perf_counter() - started,  # checking is part of the price
        )

    def _record(self, state: RunState, judged: Judgement) -> StepRecord:
        assert state.plan is not None and state.path is not None
        outcome = judged.outcome
        step = state.path.step_for(outcome.subtask)
        return StepRecord(
            subtask=outcome.subtask,
            capability=state.plan.subtasks[outcome.subtask].capability,
            tool=outcome.tool,
            tools=outcome.tools,
            ok=judged.ok,
            reason=judged.reason,
            verdict=judged.kind,
            seconds=round(outcome.seconds, 4),
            verify_seconds=round(judged.verify_seconds, 4),
            cached=outcome.cached,
            artifact=outcome.artifact,
            checks=judged.checks,
            metrics=judged.metrics,
            expected_cost=step.expected_cost,
            expected_quality=step.expected_quality,
        )

    def learn(self, state: RunState) -> Update:
        """Update each tool's estimates from the wave's verdicts: the sub-task's tool from
        the step's verdict, each preparation tool from its own (it ran and handed on a
        value). A tool that could not take its arguments, or a step the judge could not
        judge, says nothing about quality; a cached outcome was counted when it ran."""
        assert state.plan is not None
        events = []
        for judged in state.judged:
            outcome = judged.outcome
            if outcome.argument_error or judged.kind == JUDGE_ERROR or outcome.cached:
                continue
            subtask = state.plan.subtasks[outcome.subtask]
            for name, ok, seconds in outcome.tool_verdicts(judged.ok):
                spec = self.registry.get(name)
                capability = subtask.capability if name == outcome.tool else spec.capabilities[0]
                estimate = self.estimates.record(
                    spec, capability, ok, seconds if ok else None, subtask.scale
                )
                updated = EstimateUpdated(
                    tool=name,
                    capability=capability,
                    quality=estimate.quality,
                    cost_multiplier=estimate.cost_multiplier,
                )
                events.append(_event(state.run_id, updated))
        return {"events": events}

    def route(self, state: RunState) -> Command:
        """After a wave: finish when every sub-task passed, search again after a failure
        (up to `max_replans`), else the next wave; any limit reached stops the run."""
        assert state.plan is not None
        limits = state.task.limits
        failed = [j for j in state.judged if not j.ok]
        update: Update = {}
        then = WAVE
        if len(state.done) == len(state.plan.subtasks):
            update = _stop("succeeded", "every sub-task passed verification")
        elif failed:
            failures = [
                f"sub-task {j.outcome.subtask} ({j.outcome.tool}): {j.reason}" for j in failed
            ]
            if state.replans >= limits.max_replans:
                last = f"replan limit {limits.max_replans} reached; last failure: {failures[-1]}"
                update = _stop("stopped", last)
            else:
                pairs = [(j.outcome.tool, j.outcome.subtask) for j in failed]
                replanned = Replanned(reason="; ".join(failures), forbidden=pairs)
                update = {"replans": state.replans + 1, "events": [_event(state.run_id, replanned)]}
                then = SEARCH
        if not update.get("status"):
            limit = self._limit_reached(state)
            if limit:
                update |= _stop("stopped", limit)
        return self.goto(state, update, then)

    def finish(self, state: RunState) -> Update:
        status = state.status or "failed"
        reason = state.reason or "the run ended without a reason"
        result = final_result(state, self.executor.registry.find)
        event = RunFinished(status=status, reason=reason, cost=state.cost, result=result)
        return {
            "status": status,
            "reason": reason,
            "result": result,
            "events": [_event(state.run_id, event)],
        }


def mermaid() -> str:
    """The run graph as LangGraph draws it (`get_graph().draw_mermaid()`), as in the README."""
    with tempfile.TemporaryDirectory() as scratch:
        graph = RunGraph(
            registry=ToolRegistry(),
            estimates=EstimateStore(),
            store=ArtifactStore(Path(scratch)),
            planner=None,
            verifier_for=None,
        )
        return graph.compile().get_graph().draw_mermaid()


def _json(value: Any) -> Any:
    return None if value is None else value.model_dump(mode="json")


def _verdict_event(judged: Judgement) -> Verdict:
    return Verdict(
        subtask=judged.outcome.subtask,
        tool=judged.outcome.tool,
        ok=judged.ok,
        reason=judged.reason,
        checks=judged.checks,
        verdict=judged.kind,
    )


def _done(judged: Judgement) -> DoneRecord:
    outcome = judged.outcome
    return DoneRecord(
        tool=outcome.tool, output=outcome.output, artifact=outcome.artifact, metrics=judged.metrics
    )


def given_types(plan: Plan, task: TaskSpec) -> set[str]:
    """Types available before any step: text, literal files, and what the task's inputs give."""
    literals = {
        type_of_literal(str(arg.value))
        for sub in plan.subtasks
        for arg in sub.arguments
        if isinstance(arg.value, str) and not arg.references()
    }
    return {TEXT, *literals, *task.given}


def _referenced_outputs(subtask: SubTask, done: dict[int, DoneRecord]) -> dict[int, Any]:
    return {ref: done[ref].output for ref in subtask.references() if ref in done}


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


def final_result(
    state: RunState, spec_of: Callable[[str], ToolSpec | None] = lambda name: None
) -> dict[str, Any]:
    """The values flowing from the plan's sinks (`spec_of` gives each tool's spec) and the
    metrics measured along the way."""
    if state.plan is None:
        return {"outputs": {}, "metrics": {}}
    plan, done = state.plan, state.done
    parents = {src for src, _ in plan.edges()}
    outputs = {
        str(task.id): flowing_value(done[task.id].output, spec_of(done[task.id].tool))
        for task in plan.subtasks
        if task.id not in parents and task.id in done
    }
    metrics: dict[str, float] = {}
    for record in done.values():
        metrics.update(record.metrics)
    return {"outputs": outputs, "metrics": metrics}
