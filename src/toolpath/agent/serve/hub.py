"""The server's runs: started and resumed in threads, read back from the run store.

Every run is an ordinary durable run in `$TOOLPATH_HOME/runs.sqlite` (the CLI's `toolpath
runs list` sees it). The hub adds one table, `toolpath_serve_runs`, naming the runs this
server started (and whether they pause for approval), so that after a restart it resumes
the ones a dead server left running, and never a run another process is driving.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import psutil

from toolpath.agent.run.runner import AgentRunner, UnknownRunError, new_run_id
from toolpath.agent.run.state import RunSummary
from toolpath.agent.run.task import TaskSpec
from toolpath.agent.serve.backend import ServeBackend
from toolpath.agent.serve.errors import APIError
from toolpath.agent.serve.llm_queue import LLMQueue, current_label
from toolpath.tools.registry import ToolRegistry

log = logging.getLogger(__name__)

_SERVE_TABLE = """
CREATE TABLE IF NOT EXISTS toolpath_serve_runs (
    run_id TEXT PRIMARY KEY, interactive INTEGER NOT NULL, pid INTEGER NOT NULL
)
"""
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
        with self._lock, self.reader.conn:
            self.reader.conn.execute(_SERVE_TABLE)

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
        """Resume the runs a server that is gone left running; returns their ids."""
        with self._lock:
            rows = self.reader.conn.execute(
                "SELECT s.run_id, s.pid FROM toolpath_serve_runs s JOIN toolpath_runs r "
                "ON r.run_id = s.run_id WHERE r.status = 'running'"
            ).fetchall()
        resumed = []
        for run_id, pid in rows:
            if pid == os.getpid() or psutil.pid_exists(pid) or self.is_live(run_id):
                continue
            try:
                self.resume(run_id)
                resumed.append(run_id)
            except (APIError, UnknownRunError) as exc:
                log.warning("run %s not resumed: %s", run_id, exc)
        return resumed

    # -- the serve table --------------------------------------------------------------------
    def _remember(self, run_id: str, interactive: bool) -> None:
        with self._lock, self.reader.conn:
            self.reader.conn.execute(
                "INSERT OR REPLACE INTO toolpath_serve_runs VALUES (?, ?, ?)",
                (run_id, int(interactive), os.getpid()),
            )

    def _interactive(self, run_id: str) -> bool:
        with self._lock:
            row = self.reader.conn.execute(
                "SELECT interactive FROM toolpath_serve_runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        return bool(row and row[0])

    def _mark_failed(self, run_id: str, reason: str) -> None:
        with self._lock, self.reader.conn:
            self.reader.conn.execute(
                "UPDATE toolpath_runs SET status = 'failed', reason = ? WHERE run_id = ?",
                (reason, run_id),
            )

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
        with self._lock:
            snapshot = self.reader.graph.get_state(self.reader._config(run_id))
        interrupts = list(getattr(snapshot, "interrupts", ()) or ())
        return interrupts[0].value if interrupts else None

    def status(self, run_id: str) -> dict[str, Any]:
        """A run's summary, its index status (paused, running ...) and live details."""
        from toolpath.agent.run.state import summary_of

        if self.is_live(run_id) and not self.events(run_id):
            return {"run_id": run_id, "status": "running", "steps": []} | self._live_info(run_id)
        values = self.values(run_id)
        summary = summary_of(values)
        row = self.index_row(run_id) or {}
        status = summary.status
        live = self.is_live(run_id)
        if status == "running" and not live and row.get("status") in ("paused", "failed"):
            status = row["status"]
        data = summary.public() | {"status": status, "request": values["task"].request}
        data |= {"plan": summary.plan, "path": summary.path, "pending": self.pending(run_id)}
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
