"""Durable runs: start, resume, list and show, over a SQLite checkpointer.

Everything a run keeps lives under one home directory (`$TOOLPATH_HOME`, default
`~/.toolpath`): `runs.sqlite` (LangGraph checkpoints and the run index), `artifacts/`
(step outputs) and `estimates.sqlite` (what the system learned about its tools, shared
by all runs).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.types import Command

from toolpath.agent.events import RunEvent, parse_event
from toolpath.agent.llm.settings import config_roots
from toolpath.agent.run.artifacts import ArtifactStore
from toolpath.agent.run.executor import Executor, make_executor
from toolpath.agent.run.graph import RunGraph
from toolpath.agent.run.planning import Planner
from toolpath.agent.run.run_store import open_run_store
from toolpath.agent.run.state import (
    CHECKPOINT_TYPES,
    STATE_VERSION,
    RunState,
    RunSummary,
    summary_of,
)
from toolpath.agent.run.task import TaskSpec
from toolpath.agent.run.verifier import LibraryEvaluator, MetricEvaluator, Verifier
from toolpath.planners.database import database_url
from toolpath.planners.estimates import EstimateStore
from toolpath.planners.plan import Plan, ToolPath
from toolpath.planners.solved import SolvedStore
from toolpath.tools.registry import ToolRegistry
from toolpath.tools.workspace import Workspace, default_roots

SHARED_STALE_SECONDS = 24 * 3600.0


class UnknownRunError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class RunStateVersionError(UnknownRunError):
    """The run was checkpointed by an older toolpath whose state this one cannot continue.

    A subclass of UnknownRunError, so every front end that reports an unknown run reports
    this one too; `runs list` and `runs show` still read such a run."""


def new_run_id() -> str:
    """A run id that sorts by start time: YYYYmmdd-HHMMSS- and 6 random hex digits."""
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def default_home() -> Path:
    return Path(os.environ.get("TOOLPATH_HOME", Path.home() / ".toolpath"))


class AgentRunner:
    """Runs tasks as checkpointed LangGraph threads (one thread per run id)."""

    def __init__(
        self,
        *,
        registry: ToolRegistry,
        planner: Planner | None = None,
        llm: Any = None,
        home: str | Path | None = None,
        estimates: EstimateStore | None = None,
        evaluator: MetricEvaluator | None = None,
        on_event: Callable[[RunEvent], None] | None = None,
        interactive: bool = False,
        workspace: Workspace | None = None,
        solved: SolvedStore | None = None,
        executor: str | None = None,
        database: str | None = None,
    ) -> None:
        """`executor`: local or ray (None: $TOOLPATH_EXECUTOR, else local); `database`: a
        postgresql:// URL for runs, checkpoints and estimates (None: $TOOLPATH_DB, else
        SQLite files in the home)."""
        self.solved = solved
        self.home = Path(home) if home is not None else default_home()
        self.home.mkdir(parents=True, exist_ok=True)
        if workspace is None:
            workspace = Workspace.of(default_roots(self.home) + config_roots())
        self.workspace = workspace
        self.registry = registry
        self.llm = llm
        self.evaluator = evaluator if evaluator is not None else LibraryEvaluator()
        self.on_event = on_event
        self.store = ArtifactStore(self.home / "artifacts")
        self.database = database_url(database)
        self.estimates = estimates or EstimateStore(self.database or self.home / "estimates.sqlite")
        serde = JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINT_TYPES)
        self.index, self.checkpointer, self._connections = open_run_store(
            self.home, serde, self.database
        )
        self.conn = self.index.conn
        self.graph_builder = RunGraph(
            registry=registry,
            estimates=self.estimates,
            store=self.store,
            planner=planner,
            verifier_for=self._verifier_for,
            interactive=interactive,
            workspace=workspace,
            executor=make_executor(executor, registry, self.store),
        )
        self.graph = self.graph_builder.compile(self.checkpointer)

    def check_paths(self, task: TaskSpec) -> None:
        """Refuse a task whose path inputs or check files lie outside the workspace (before
        anything runs); tool arguments are checked again at each step."""
        workspace = self.workspace.with_roots(task.roots)
        path_params = {name for spec in self.registry for name in spec.paths}
        for name, value in task.inputs.items():
            for item in [value] if isinstance(value, str) else value:
                if name in path_params:
                    workspace.check(item, f"task input {name!r}:")
        for check in task.checks:
            for item in filter(None, (check.dataset, check.reference)):
                workspace.check(item, f"check {check.label()!r}:")

    def _verifier_for(self, task: TaskSpec) -> Verifier:
        return Verifier(
            request=task.request, llm=self.llm, evaluator=self.evaluator, judge=task.judge
        )

    @staticmethod
    def _config(run_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": run_id}, "recursion_limit": 10_000}

    # -- running ----------------------------------------------------------------------------
    def start(self, task: TaskSpec, run_id: str | None = None) -> RunSummary:
        """Run a task to its end (or to an approval interrupt) and return its summary.

        Raises PathPolicyError when the task names a path outside the workspace."""
        self.check_paths(task)
        run_id = run_id or new_run_id()
        self.index.begin(run_id, task.request, time.time())
        initial = dict(RunState(run_id=run_id, task=task))  # every channel, models as they are
        return self._drive(run_id, initial, task)

    def resume(self, run_id: str, answer: Any = None) -> RunSummary:
        """Continue a run from its last checkpoint (after a crash or an approval pause)."""
        snapshot = self.snapshot(run_id)
        if not snapshot.values:
            raise UnknownRunError(f"unknown run {run_id!r}")
        # alone (SQLite, local steps) every temp folder is a killed run's; shared with other
        # controllers or Ray workers, only day-old ones are sure to be
        shared = self.database is not None or type(self.graph_builder.executor) is not Executor
        self.store.clean_stale(older_than=SHARED_STALE_SECONDS if shared else 0.0)
        if not snapshot.next:
            if snapshot.values.get("status"):  # it finished
                return summary_of(snapshot.values)
            # killed while its first checkpoint was written: nothing ran, start it again
            task = snapshot.values["task"]
            return self._drive(run_id, dict(RunState(run_id=run_id, task=task)), task)
        version = snapshot.values.get("version", 1)
        if version != STATE_VERSION:
            raise RunStateVersionError(
                f"run {run_id!r} was checkpointed by an older toolpath (run state version "
                f"{version}, this one reads {STATE_VERSION}) and cannot be resumed; "
                f"'toolpath runs show {run_id}' still shows it; run its task again"
            )
        task = snapshot.values["task"]
        payload = Command(resume=answer) if snapshot.interrupts else None
        return self._drive(run_id, payload, task)

    def _drive(self, run_id: str, payload: Any, task: TaskSpec) -> RunSummary:
        self.graph_builder.deadline = time.monotonic() + task.limits.max_wall_seconds
        config = self._config(run_id)
        for update in self.graph.stream(payload, config, stream_mode="updates"):
            self._emit(update)
        snapshot = self.graph.get_state(config)
        summary = summary_of(snapshot.values)
        if snapshot.interrupts:
            summary.status, summary.reason = "paused", "waiting for approval"
        self._index(summary)
        if summary.status == "succeeded":
            self._keep_solved(snapshot.values)
        return summary

    def _keep_solved(self, values: dict[str, Any]) -> None:
        """A verified plan becomes a solved sample of its catalogue (the tools that served
        each sub-task in place of capabilities), for the step matcher and demonstrations."""
        plan, path = values.get("plan"), values.get("path")
        if self.solved is None or plan is None or path is None:
            return
        plan = Plan.model_validate(plan).model_copy(deep=True)
        served = {step.subtask: step.tools[-1] for step in ToolPath.model_validate(path).steps}
        for task in plan.subtasks:
            task.capability = served.get(task.id, task.capability)
        self.solved.add(plan)

    def _emit(self, update: dict[str, Any]) -> None:
        if self.on_event is None:
            return
        for node_update in update.values():
            if not isinstance(node_update, dict):
                continue
            for data in node_update.get("events", []) or []:
                self.on_event(parse_event(data))

    def _index(self, summary: RunSummary) -> None:
        self.index.update(summary.run_id, summary.status, summary.reason, summary.cost)

    # -- inspecting -------------------------------------------------------------------------
    def list_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        return self.index.recent(limit)

    def run_row(self, run_id: str) -> dict[str, Any] | None:
        """One run's index row (id, request, status, reason, cost), None when unknown."""
        return self.index.row(run_id)

    def snapshot(self, run_id: str) -> Any:
        """The run's latest checkpoint as LangGraph reads it (no values when unknown)."""
        return self.graph.get_state(self._config(run_id))

    def values(self, run_id: str) -> dict[str, Any]:
        snapshot = self.snapshot(run_id)
        if not snapshot.values:
            raise UnknownRunError(f"unknown run {run_id!r}")
        return dict(snapshot.values)

    def show(self, run_id: str) -> RunSummary:
        return summary_of(self.values(run_id))

    def events(self, run_id: str) -> list[RunEvent]:
        return [parse_event(data) for data in self.values(run_id).get("events", [])]

    def close(self) -> None:
        self.index.close()
        for conn in self._connections:
            conn.close()
        self.estimates.close()
