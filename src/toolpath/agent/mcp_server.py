"""`toolpath mcp serve`: toolpath's planner, runs and tools as an MCP server (mcp 2.x).

Tools (each with input and output schemas): `plan` (request + catalogue -> the plan and
tool path as JSON), `run` (a request or a YAML task -> run id and result, with a progress
notification per run event), `runs_list`, `run_show`, `merge`, `evaluate`, `retrieve`.
The blocking work runs on worker threads; progress goes back through the request's
context. In `run`, a tool that changes things (an MCP tool marked so) is not used unless
the call allows it (`allow_changes`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from toolpath.agent.events import RunEvent
from toolpath.agent.run.runner import AgentRunner, UnknownRunError, default_home
from toolpath.agent.run.state import RunSummary
from toolpath.agent.run.task import TaskFileError, TaskSpec, parse_task_yaml
from toolpath.agent.serve.llm_queue import LLMQueue
from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.registry import ToolRegistry
from toolpath.tools.spec import ToolArgumentError

log = logging.getLogger(__name__)

RunnerFor = Callable[[Any, Callable[[RunEvent], None] | None, str], AgentRunner]


class PlanResult(BaseModel):
    """A plan in TaskBench's format, the tool path the search chose, and why if none."""

    task_steps: list[str] = Field(default_factory=list)
    task_nodes: list[dict[str, Any]] = Field(default_factory=list)
    task_links: list[dict[str, Any]] = Field(default_factory=list)
    path: dict[str, Any] | None = None
    reason: str = ""
    attempts: int = 0


class RunResult(BaseModel):
    """A finished (or stopped) run: the summary `toolpath run --json` prints."""

    run_id: str
    status: str
    reason: str
    steps: list[dict[str, Any]] = Field(default_factory=list)
    replans: int = 0
    redecompositions: int = 0
    cost: float = 0.0
    result: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class RunRow(BaseModel):
    run_id: str
    request: str
    status: str
    reason: str
    cost: float
    created: float


class RunList(BaseModel):
    runs: list[RunRow]


class ToolOutput(BaseModel):
    """What a library tool returned (JSON)."""

    output: Any


def _result(summary: RunSummary) -> RunResult:
    return RunResult.model_validate(summary.public())


class McpBackend:
    """What the MCP tools do, apart from the protocol: an LLM, the runs home, and how to
    make a runner and load a catalogue (tests put a scripted LLM and small tools here)."""

    def __init__(
        self,
        *,
        llm: Any = None,
        home: Path | None = None,
        runner_for: RunnerFor | None = None,
        catalog_for: Callable[[str], Catalog] | None = None,
    ) -> None:
        if llm is None:
            from toolpath.agent.run.factory import LazyChatModel

            llm = LazyChatModel()
        self.llm = LLMQueue(llm)  # plans and runs take turns at the one LLM, call by call
        self.home = Path(home) if home is not None else default_home()
        self.runner_for = runner_for or self._default_runner
        self.catalog_for = catalog_for or _load_catalog
        self._run_slot = threading.Lock()  # one run at a time: merges are memory-heavy

    def _default_runner(self, llm: Any, on_event: Any, catalog: str) -> AgentRunner:
        from toolpath.agent.run.factory import make_runner

        return make_runner(llm=llm, home=self.home, on_event=on_event, catalog=catalog)

    def plan(self, request: str, catalog: str, alpha: float) -> PlanResult:
        from toolpath.agent.run.planner_setup import build_decomposer, capability_plan, examples_for
        from toolpath.planners.search import search_path

        loaded = self.catalog_for(catalog)
        decomposer = build_decomposer(self.llm, loaded, examples=examples_for(loaded, None, None))
        decomposition = decomposer.decompose(request)
        found = None
        if decomposition.plan.subtasks:
            plan = capability_plan(decomposition.plan, loaded)
            found = search_path(plan, loaded.tools, alpha=alpha)
        taskbench = decomposition.taskbench
        return PlanResult(
            task_steps=taskbench.get("task_steps", []),
            task_nodes=taskbench.get("task_nodes", []),
            task_links=taskbench.get("task_links", []),
            path=found.path.model_dump(mode="json") if found and found.path else None,
            reason=decomposition.reason or (found.reason or "" if found else ""),
            attempts=decomposition.attempts,
        )

    def run(
        self, task: TaskSpec, on_event: Callable[[RunEvent], None], allow_changes: bool
    ) -> RunSummary:
        runner = self.runner_for(self.llm, on_event, task.catalog)
        try:
            if not allow_changes:
                guard_changes(runner.registry)
            with self._run_slot:
                return runner.start(task)
        finally:
            runner.close()

    def _reader(self) -> AgentRunner:
        return AgentRunner(registry=ToolRegistry(), home=self.home)

    def runs_list(self, limit: int) -> RunList:
        runner = self._reader()
        try:
            return RunList(runs=[RunRow(**row) for row in runner.list_runs(limit)])
        finally:
            runner.close()

    def run_show(self, run_id: str) -> RunResult:
        runner = self._reader()
        try:
            return _result(runner.show(run_id))
        finally:
            runner.close()


class ApprovalRequired(ToolArgumentError):
    """A tool that changes things was not allowed by the call (no estimate is lowered)."""


def guard_changes(registry: ToolRegistry) -> None:
    """Tools that change things refuse to run (the step fails, the run replans or stops
    with the reason) unless the call allowed them."""
    for spec in [spec for spec in registry if spec.changes]:

        def refuse(*_: Any, name: str = spec.name, **__: Any) -> Any:
            raise ApprovalRequired(
                f"tool {name} changes things and needs approval: call run with allow_changes"
            )

        registry.add(spec.model_copy(update={"fn": refuse, "params_model": None}), replace=True)


def _load_catalog(ref: str) -> Catalog:
    from toolpath.tools.catalogs.resolve import load_catalog

    return load_catalog(ref)


def _task(request: str, task_yaml: str, catalog: str, alpha: float | None) -> TaskSpec:
    if bool(request.strip()) == bool(task_yaml.strip()):
        raise ToolError("give either 'request' or 'task_yaml'")
    try:
        task = parse_task_yaml(task_yaml, "task_yaml") if task_yaml.strip() else None
    except TaskFileError as exc:
        raise ToolError(str(exc)) from exc
    if task is None:
        task = TaskSpec(request=request, catalog=catalog)
    return task if alpha is None else task.model_copy(update={"alpha": alpha})


async def _in_thread(fn: Callable[[], Any]) -> Any:
    try:
        return await anyio.to_thread.run_sync(fn)
    except (UnknownRunError, ValueError, RuntimeError, OSError) as exc:
        raise ToolError(f"{type(exc).__name__}: {exc}") from exc


def build_server(backend: McpBackend, *, library: bool = True) -> MCPServer:
    """The MCP server over a backend (`library`: also merge/evaluate/retrieve)."""
    server = MCPServer(
        "toolpath",
        instructions="Plan and run tasks over tool catalogues; merge, evaluate and retrieve.",
        log_level="WARNING",
    )

    @server.tool()
    async def plan(request: str, catalog: str = "library", alpha: float = 0.5) -> PlanResult:
        """Decompose a request into a DAG of tool calls over a catalogue ('library',
        'taskbench:<domain>', a functions .json, 'mcp:<command>', 'mcp+http://...') and
        choose the tool path."""
        return await _in_thread(lambda: backend.plan(request, catalog, alpha))

    @server.tool()
    async def run(
        ctx: Context,
        request: str = "",
        task_yaml: str = "",
        catalog: str = "library",
        alpha: float | None = None,
        allow_changes: bool = False,
    ) -> RunResult:
        """Plan, execute and verify a task (a request, or a YAML task file's text); reports
        progress per run event; tools that change things are used only with
        allow_changes."""
        task = _task(request, task_yaml, catalog, alpha)
        count = 0

        def on_event(event: RunEvent) -> None:
            nonlocal count
            count += 1
            message = f"{event.kind}: {_event_text(event)}"
            try:
                anyio.from_thread.run(ctx.report_progress, count, None, message)
            except Exception as exc:  # a client gone away must not stop the run
                log.debug("progress not sent: %s", exc)

        summary = await _in_thread(lambda: backend.run(task, on_event, allow_changes))
        return _result(summary)

    @server.tool()
    async def runs_list(limit: int = 20) -> RunList:
        """The most recent runs with their status."""
        return await _in_thread(lambda: backend.runs_list(limit))

    @server.tool()
    async def run_show(run_id: str) -> RunResult:
        """One run's steps, verdicts and result."""
        return await _in_thread(lambda: backend.run_show(run_id))

    if library:
        _library_tools(server, backend.home)
    return server


def _event_text(event: RunEvent) -> str:
    data = event.model_dump(mode="json", exclude={"kind", "run_id", "time"})
    keep = {k: v for k, v in data.items() if k in ("subtask", "tool", "ok", "reason", "status")}
    return ", ".join(f"{k}={v}" for k, v in keep.items())[:200]


def _library_tools(server: MCPServer, home: Path) -> None:
    """merge, evaluate and retrieve: the library's tools, their paths confined to the
    workspace (the run home, toolpath's caches, the working directory, configured roots)."""

    def call(name: str, arguments: dict[str, Any]) -> ToolOutput:
        from toolpath.agent.llm.settings import config_roots
        from toolpath.agent.run.artifacts import to_jsonable
        from toolpath.tools.library import library_registry
        from toolpath.tools.workspace import Workspace, default_roots

        spec = library_registry().get(name)
        given = {k: v for k, v in arguments.items() if v is not None}
        Workspace.of(default_roots(home) + config_roots()).check_arguments(spec, given)
        return ToolOutput(output=to_jsonable(spec.invoke(given)))

    @server.tool()
    async def merge(
        models: list[str],
        out: str,
        method: str = "ties",
        base: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> ToolOutput:
        """Merge model folders into `out` with a method (ties, task_arithmetic, linear,
        slerp, dare_ties, dare_linear, breadcrumbs, model_stock, della, ...)."""
        arguments = {"models": models, "out": out, "base": base, "params": params}
        return await _in_thread(lambda: call(f"merge_{method}", arguments))

    @server.tool()
    async def evaluate(model_dir: str, dataset: str, limit: int | None = None) -> ToolOutput:
        """Accuracy of a model folder on a labelled JSONL dataset."""
        arguments = {"model_dir": model_dir, "dataset": dataset, "limit": limit}
        return await _in_thread(lambda: call("evaluate_model", arguments))

    @server.tool()
    async def retrieve(
        query: str, paths: list[str], kind: str = "documents", k: int = 3
    ) -> ToolOutput:
        """The `k` best matches of `query`: kind 'documents' (text files or folders in
        `paths`) or 'experts' (model folders in `paths`)."""
        if kind == "experts":
            name, arguments = "retrieve_experts", {"task": query, "model_dirs": paths, "k": k}
        elif kind == "documents":
            name, arguments = "retrieve_documents", {"query": query, "paths": paths, "k": k}
        else:
            raise ToolError(f"kind must be 'documents' or 'experts', got {kind!r}")
        return await _in_thread(lambda: call(name, arguments))
