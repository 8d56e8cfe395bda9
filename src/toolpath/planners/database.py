"""The shared database: PostgreSQL when `TOOLPATH_DB=postgresql://...`, else SQLite files.

Several processes (serve replicas, controllers on several machines) share runs,
checkpoints and the learned estimates through one PostgreSQL database; SQLite under
`$TOOLPATH_HOME` stays the embedded default. Each part of toolpath that keeps tables there
lists its schema as numbered migrations; `migrate` applies the ones a database lacks, in
order, under an advisory lock, and records them in `toolpath_schema`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from toolpath.tools.extras import require

DB_ENV = "TOOLPATH_DB"
_SCHEMA_TABLE = """
CREATE TABLE IF NOT EXISTS toolpath_schema (
    component TEXT PRIMARY KEY, version INTEGER NOT NULL
)
"""
_LOCK_ID = 0x746F6F6C  # pg_advisory_xact_lock key for migrations ("tool")


def database_url(url: str | None = None) -> str | None:
    """`url`, else $TOOLPATH_DB, when it names a PostgreSQL database; None: SQLite."""
    chosen = url if url is not None else os.environ.get(DB_ENV, "")
    if not chosen:
        return None
    if not is_postgres(chosen):
        raise ValueError(f"{DB_ENV} must be a postgresql:// URL, got {chosen!r}")
    return chosen


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def connect_postgres(url: str, **kwargs: Any) -> Any:
    """An autocommit psycopg connection (each statement its own transaction)."""
    psycopg = require("psycopg", "postgres")
    return psycopg.connect(url, autocommit=True, **kwargs)


def migrate(conn: Any, component: str, migrations: list[str]) -> int:
    """Apply the migrations `component` has not had yet (one transaction, serialised
    across processes by an advisory lock); return the schema version now."""
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        cursor.execute(_SCHEMA_TABLE)
        cursor.execute("SELECT version FROM toolpath_schema WHERE component = %s", (component,))
        row = cursor.fetchone()
        version = 0 if row is None else int(_first(row))
        for statement in migrations[version:]:
            cursor.execute(statement)
        cursor.execute(
            "INSERT INTO toolpath_schema (component, version) VALUES (%s, %s) "
            "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
            (component, len(migrations)),
        )
    return len(migrations)


def _first(row: Any) -> Any:
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


@contextmanager
def advisory_lock(
    conn: Any, key: int, *, poll: float = 0.05, timeout: float = 600.0
) -> Iterator[None]:
    """Hold session advisory lock `key` on `conn` (autocommit) for the block.

    Taken by polling `pg_try_advisory_lock`, never by blocking in `pg_advisory_lock`: a
    session blocked there holds a snapshot, and a CREATE INDEX CONCURRENTLY that the
    holder runs on another connection (LangGraph's checkpointer migrations) waits for every
    older snapshot in the database. The holder would wait for the waiter, which waits for
    the holder, through two connections of one process: a deadlock PostgreSQL cannot see.
    Between polls the waiter holds nothing. TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not _first(conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"advisory lock {key:#x} still held by another session")
        time.sleep(poll)
    try:
        yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
