"""Where runs are kept: the run index and LangGraph's checkpoints.

SQLite (`$TOOLPATH_HOME/runs.sqlite`, the default) or PostgreSQL (`TOOLPATH_DB=
postgresql://...`, LangGraph's Postgres checkpointer beside a `toolpath_runs` table), so
that several processes, on one machine or several, start, list and resume the same runs.
`toolpath serve` keeps one more table there, `toolpath_serve_runs` (`ServeRuns`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from toolpath.planners.database import advisory_lock, connect_postgres, migrate
from toolpath.tools.extras import require

_SQLITE_RUNS = """
CREATE TABLE IF NOT EXISTS toolpath_runs (
    run_id TEXT PRIMARY KEY, request TEXT NOT NULL, created REAL NOT NULL,
    status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', cost REAL NOT NULL DEFAULT 0
)
"""
_SERVE_RUNS = """CREATE TABLE IF NOT EXISTS toolpath_serve_runs (
    run_id TEXT PRIMARY KEY, interactive INTEGER NOT NULL, pid INTEGER NOT NULL,
    host TEXT NOT NULL DEFAULT ''
)"""  # the same on SQLite and PostgreSQL
RUN_MIGRATIONS = [
    """CREATE TABLE IF NOT EXISTS toolpath_runs (
    run_id TEXT PRIMARY KEY, request TEXT NOT NULL, created DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
    cost DOUBLE PRECISION NOT NULL DEFAULT 0
)""",
    "CREATE INDEX IF NOT EXISTS toolpath_runs_created ON toolpath_runs (created DESC)",
    _SERVE_RUNS,
]
_KEYS = ("run_id", "request", "created", "status", "reason", "cost")
CHECKPOINT_SETUP_LOCK = 0x6C616E67  # advisory lock around the checkpointer's migrations


class RunIndex:
    """The runs' rows (id, request, status, reason, cost) on SQLite or PostgreSQL."""

    def __init__(self, conn: Any, postgres: bool) -> None:
        self.conn, self.postgres = conn, postgres
        self._mark = "%s" if postgres else "?"

    def execute(self, sql: str, params: tuple[Any, ...]) -> Any:
        """One statement, `?` placeholders on either database, committed."""
        sql = sql.replace("?", self._mark)
        if self.postgres:
            return self.conn.execute(sql, params)
        with self.conn:
            return self.conn.execute(sql, params)

    def begin(self, run_id: str, request: str, created: float) -> None:
        self.execute(
            "INSERT INTO toolpath_runs (run_id, request, created, status, reason, cost) "
            "VALUES (?, ?, ?, 'running', '', 0) ON CONFLICT (run_id) DO UPDATE SET "
            "request = excluded.request, created = excluded.created, status = 'running', "
            "reason = '', cost = 0",
            (run_id, request, created),
        )

    def update(self, run_id: str, status: str, reason: str, cost: float) -> None:
        self.execute(
            "UPDATE toolpath_runs SET status = ?, reason = ?, cost = ? WHERE run_id = ?",
            (status, reason, cost, run_id),
        )

    def row(self, run_id: str) -> dict[str, Any] | None:
        found = self.execute(
            f"SELECT {', '.join(_KEYS)} FROM toolpath_runs WHERE run_id = ?", (run_id,)
        ).fetchone()
        return None if found is None else dict(zip(_KEYS, found, strict=True))

    def recent(self, limit: int) -> list[dict[str, Any]]:
        rows = self.execute(
            f"SELECT {', '.join(_KEYS)} FROM toolpath_runs ORDER BY created DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [dict(zip(_KEYS, row, strict=True)) for row in rows]

    def fail(self, run_id: str, reason: str) -> None:
        """Mark a run failed (its cost as it was)."""
        self.execute(
            "UPDATE toolpath_runs SET status = 'failed', reason = ? WHERE run_id = ?",
            (reason, run_id),
        )

    def close(self) -> None:
        self.conn.close()


class ServeRuns:
    """`toolpath serve`'s table beside the index: which runs a server started, on which
    host and process, and whether they pause for approval."""

    def __init__(self, index: RunIndex) -> None:
        self.index = index

    def claim(self, run_id: str, interactive: bool, pid: int, host: str) -> None:
        """Record that process `pid` on `host` drives the run now."""
        self.index.execute(
            "INSERT INTO toolpath_serve_runs (run_id, interactive, pid, host) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (run_id) DO UPDATE SET interactive = excluded.interactive, "
            "pid = excluded.pid, host = excluded.host",
            (run_id, int(interactive), pid, host),
        )

    def interactive(self, run_id: str) -> bool:
        found = self.index.execute(
            "SELECT interactive FROM toolpath_serve_runs WHERE run_id = ?", (run_id,)
        ).fetchone()
        return bool(found and found[0])

    def running(self) -> list[tuple[str, int, str]]:
        """(run id, pid, host) of each server-started run whose index status is running."""
        rows = self.index.execute(
            "SELECT s.run_id, s.pid, s.host FROM toolpath_serve_runs s JOIN toolpath_runs r "
            "ON r.run_id = s.run_id WHERE r.status = 'running' ORDER BY r.created",
            (),
        ).fetchall()
        return [(run_id, int(pid), host) for run_id, pid, host in rows]


def open_run_store(home: Path, serde: Any, url: str | None) -> tuple[RunIndex, Any, list[Any]]:
    """The run index, the checkpointer and its own connections to close (besides the
    index's): PostgreSQL at `url`, else SQLite under `home`."""
    if url is None:
        from langgraph.checkpoint.sqlite import SqliteSaver

        conn = sqlite3.connect(str(home / "runs.sqlite"), check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(_SQLITE_RUNS)
        _create_sqlite_serve_runs(conn)
        conn.commit()
        return RunIndex(conn, postgres=False), SqliteSaver(conn, serde=serde), []
    require("langgraph.checkpoint.postgres", "postgres")
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    index_conn = connect_postgres(url)
    migrate(index_conn, "runs", RUN_MIGRATIONS)
    saver_conn = connect_postgres(url, prepare_threshold=0, row_factory=dict_row)
    saver = PostgresSaver(saver_conn, serde=serde)
    with advisory_lock(index_conn, CHECKPOINT_SETUP_LOCK):  # its migrations, one at a time
        saver.setup()
    return RunIndex(index_conn, postgres=True), saver, [saver_conn]


def _create_sqlite_serve_runs(conn: sqlite3.Connection) -> None:
    """The serve table; one made before it had `host` gains the column."""
    conn.execute(_SERVE_RUNS)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(toolpath_serve_runs)")}
    if "host" not in columns:
        conn.execute("ALTER TABLE toolpath_serve_runs ADD COLUMN host TEXT NOT NULL DEFAULT ''")
