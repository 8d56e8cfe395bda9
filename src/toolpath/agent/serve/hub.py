"""The server's runs: started and resumed in threads, read back from the run store.

Every run is an ordinary durable run in the run store (`$TOOLPATH_HOME/runs.sqlite`, or
PostgreSQL with `TOOLPATH_DB`; the CLI's `toolpath runs list` sees it). The store's serve
table (`ServeRuns`) names the runs a server started, on which host and process (and
whether they pause for approval), so that after a restart it resumes the ones a dead
server on this host left running, and never a run another process is driving.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

import psutil

from toolpath.agent.events import has_finished
from toolpath.agent.run.run_store import ServeRuns
from toolpath.agent.run.runner import AgentRunner, UnknownRunError, new_run_id
from toolpath.agent.run.state import RunSummary, summary_of
from toolpath.agent.run.task import TaskSpec
from toolpath.agent.serve.backend import ServeBackend
from toolpath.agent.serve.errors import APIError
from toolpath.agent.serve.llm_queue import LLMQueue, current_label
from toolpath.tools.registry import ToolRegistry

log = logging.getLogger(__name__)

Work = Callable[[AgentRunner], RunSummary]


class RunHub:
    """Starts, resumes and reads runs; at most `max_active` run at once."""

    def __init__(self, backend: ServeBackend, max_active: int = 4) -> None:
        self.backend = backend
        self.llm = LLMQueue(backend.llm)
        self.max_active = max_active
        self.reader = AgentRunner(registry=ToolRegistry(), home=backend.home)
        self._lock = threading.Lock()
        self._live: dict[str, threading.Thread] = {}
        self.serve_runs = ServeRuns(self.reader.index)
        self.host = socket.gethostname()

    # -- starting and resuming ------------------------------------------------------------
    def start(self, task: TaskSpec, interactive: bool = False) -> str:
        """Start a run in the background; returns its id (the task's paths checked first)."""
        run_id = new_run_id()
        self._remember(run_id, interactive)
        self._launch(run_id, interactive, lambda runner: runner.start(task, run_id), task)
        return run_id

    def resume(self, run_id: str, answer: Any = None) -> None:
        """Continue a run (an approval answer for a paused one) in the background."""
        if self.is_live(run_id):
            raise APIError(409, f"run {run_id!r} is running", "run_active")
        self.values(run_id)  # unknown -> 404
        interactive = self._interactive(run_id)
        self._remember(run_id, interactive)
        self._launch(run_id, interactive, lambda runner: runner.resume(run_id, answer))

    def _launch(self, run_id: str, interactive: bool, work: Work, task: Any = None) -> None:
        with self._lock:
            active = sum(thread.is_alive() for thread in self._live.values())
            if active >= self.max_active:
                raise APIError(429, f"{active} runs are active (limit {self.max_active})", "busy")
            runner = self.backend.runner_for(self.llm, None, interactive)
            if task is not None:
                try:
                    runner.check_paths(task)
                except ValueError:
                    runner.close()
                    raise
            thread = threading.Thread(
                target=self._drive, args=(run_id, runner, work), daemon=True, name=run_id
            )
            self._live[run_id] = thread
            thread.start()

    def _drive(self, run_id: str, runner: AgentRunner, work: Work) -> None:
        current_label.set(run_id)
        try:
            summary = work(runner)
            log.info("run %s: %s (%s)", run_id, summary.status, summary.reason)
        except Exception as exc:  # the run's thread must end cleanly and say why
            log.exception("run %s failed", run_id)
            self._mark_failed(run_id, f"{type(exc).__name__}: {exc}")
        finally:
            runner.close()
            with self._lock:
                self._live.pop(run_id, None)

    def recover(self) -> list[str]:
        """Resume the runs a server on this host that is gone left running; their ids.
        (Another host's server cannot be checked from here: `toolpath runs resume`.)"""
        with self._lock:
            rows = self.serve_runs.running()
        resumed = []
        for run_id, pid, host in rows:
            if host not in ("", self.host) or not self._orphaned(run_id, pid):
                continue
            try:
                self.resume(run_id)
                resumed.append(run_id)
            except (APIError, UnknownRunError) as exc:
                log.warning("run %s not resumed: %s", run_id, exc)
        return resumed

    def _orphaned(self, run_id: str, pid: int) -> bool:
        return pid != os.getpid() and not psutil.pid_exists(pid) and not self.is_live(run_id)

    # -- the serve table --------------------------------------------------------------------
    def _remember(self, run_id: str, interactive: bool) -> None:
        with self._lock:
            self.serve_runs.claim(run_id, interactive, os.getpid(), self.host)

    def _interactive(self, run_id: str) -> bool:
        with self._lock:
            return self.serve_runs.interactive(run_id)

    def _mark_failed(self, run_id: str, reason: str) -> None:
        with self._lock:
            self.reader.index.fail(run_id, reason)

    # -- reading ----------------------------------------------------------------------------
    def is_live(self, run_id: str) -> bool:
        with self._lock:
            thread = self._live.get(run_id)
            return thread is not None and thread.is_alive()

    def values(self, run_id: str) -> dict[str, Any]:
        with self._lock:
            try:
                return self.reader.values(run_id)
            except UnknownRunError as exc:
                raise APIError(404, str(exc), "run_not_found") from exc

    def index_row(self, run_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self.reader.run_row(run_id)

    def list_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._lock:
            rows = self.reader.list_runs(limit=limit)
        return [row | self._live_info(row["run_id"]) for row in rows]

    def _live_info(self, run_id: str) -> dict[str, Any]:
        return {"live": self.is_live(run_id), "queue_position": self.llm.position(run_id)}

    def pending(self, run_id: str) -> Any:
        """What a paused run shows for approval (plan and path), else None."""
        return self._checkpoint(run_id)[1]

    def _checkpoint(self, run_id: str) -> tuple[dict[str, Any], Any]:
        """The run's state ({} when unknown) and what it waits for approval on (None when
        nothing): one read of its latest checkpoint."""
        with self._lock:
            snapshot = self.reader.snapshot(run_id)
        interrupts = list(getattr(snapshot, "interrupts", ()) or ())
        return dict(snapshot.values or {}), interrupts[0].value if interrupts else None

    def status(self, run_id: str) -> dict[str, Any]:
        """A run's summary, its index status (paused, running ...) and live details."""
        live = self.is_live(run_id)
        values, pending = self._checkpoint(run_id)
        if not values and not live:
            raise APIError(404, f"unknown run {run_id!r}", "run_not_found")
        if live and not values.get("events"):  # started, not checkpointed yet
            return {"run_id": run_id, "status": "running", "steps": []} | self._live_info(run_id)
        summary = summary_of(values)
        row = self.index_row(run_id) or {}
        status = summary.status
        if live and not has_finished(values.get("events", [])):  # finish not run yet
            status = "running"
        if status == "running" and not live and row.get("status") in ("paused", "failed"):
            status = row["status"]
        data = summary.public() | {"status": status, "request": values["task"].request}
        data |= {"plan": summary.plan, "path": summary.path, "pending": pending}
        data |= {"alpha": values["task"].alpha, "budget": values["task"].budget}
        if row.get("status") == "failed" and status == "failed" and not summary.reason:
            data["reason"] = row.get("reason", "")
        return data | self._live_info(run_id)

    def events(self, run_id: str) -> list[dict[str, Any]]:
        """The run's events so far ([] for a run started but not yet checkpointed)."""
        try:
            return list(self.values(run_id).get("events", []))
        except APIError:
            if self.is_live(run_id):
                return []
            raise

    def close(self) -> None:
        with self._lock:
            self.reader.close()
