"""Shared state in a real PostgreSQL (started here; skipped, with the reason, when it cannot
start): concurrent estimate updates from two processes all count; two processes run
tasks on one database, a run killed in one is resumed by another, and the estimates
reflect every verdict of both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("psycopg")
pytest.importorskip("langgraph.checkpoint.postgres")

from pg_helpers import PostgresUnavailable, start_postgres
from test_agent_tools import ToyEvaluator, build_registry, make_zoo, merge_plan
from toolpath.agent.run import AgentRunner
from toolpath.agent.run.run_store import (
    CHECKPOINT_SETUP_LOCK,
    RUN_MIGRATIONS,
    ServeRuns,
    open_run_store,
)
from toolpath.planners.estimates import PRIOR_STRENGTH, EstimateStore
from toolpath.planners.search import SearchProblem, astar

HERE = Path(__file__).parent
RECORDS = 60
_RECORDER = textwrap.dedent(
    """
    import sys
    from toolpath.planners.estimates import EstimateStore
    from toolpath.tools.spec import ToolSpec
    target, count, tool, every = sys.argv[1:5]
    store = EstimateStore(target)
    spec = ToolSpec(name=tool, doc="d", quality=0.5)
    for i in range(int(count)):  # every `every`-th verdict fails
        store.record(spec, "merge_models", ok=i % int(every) != 0, seconds=1.0)
    store.close()
    """
)


def _record(target: str, count: int, tool: str = "shared_tool", every: int = 3) -> Any:
    """A process recording `count` verdicts for `tool` on merge_models (started, not waited)."""
    command = [sys.executable, "-c", _RECORDER, target, str(count), tool, str(every)]
    return subprocess.Popen(command)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL could not start: {exc}")
    yield server.url
    server.stop()


def _fresh(database: str, name: str) -> str:
    """A new empty database on the server, for one test."""
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return database.rsplit("/", 1)[0] + f"/{name}"


def _record_concurrently(target: str) -> None:
    processes = [_record(target, RECORDS) for _ in range(2)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_two_processes_updating_one_estimate_lose_no_update(database, tmp_path, backend):
    target = _fresh(database, "estimates_db") if backend == "postgres" else str(tmp_path / "e.db")
    _record_concurrently(target)
    store = EstimateStore(target)
    estimate = store.held()[("shared_tool", "merge_models")]
    failures = 2 * len(range(0, RECORDS, 3))
    assert estimate.observations == 2 * RECORDS
    assert estimate.failures == pytest.approx(0.5 * PRIOR_STRENGTH + failures)
    assert estimate.successes == pytest.approx(0.5 * PRIOR_STRENGTH + 2 * RECORDS - failures)
    store.close()


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_a_search_sees_verdicts_another_process_recorded_since_start_up(
    database, tmp_path, backend
):
    target = _fresh(database, "learn_db") if backend == "postgres" else str(tmp_path / "e.db")
    store = EstimateStore(target)  # this process's store, open before the other one records
    tools = build_registry(tmp_path / "zoo")

    def merge_tool() -> str:
        plan = merge_plan(["addition", "reversal"])
        result = astar(SearchProblem(plan, tools, store, alpha=0.0))
        assert result.path is not None
        return result.path.steps[-1].tools[-1]

    assert merge_tool() == "merge_first"  # the better quality prior
    assert _record(target, 8, tool="merge_first", every=1).wait(timeout=60) == 0  # all fail
    assert merge_tool() == "merge_sum"
    assert store.held()[("merge_first", "merge_models")].failures == pytest.approx(
        0.5 * PRIOR_STRENGTH + 8
    )
    store.close()


def test_a_process_waiting_to_set_up_checkpoints_does_not_block_the_one_setting_up(database):
    """The two-process hang: B waited in pg_advisory_lock (holding a snapshot) while A,
    holding that lock on one connection, ran LangGraph's CREATE INDEX CONCURRENTLY on
    another, which waits for every older snapshot: a deadlock PostgreSQL cannot see. This
    test is A (a lock connection and a migration connection), open_run_store in a thread B."""
    import psycopg
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    url = _fresh(database, "setup_db")
    holder, builder = (psycopg.connect(url, autocommit=True) for _ in range(2))
    holder.execute("SELECT pg_advisory_lock(%s)", (CHECKPOINT_SETUP_LOCK,))
    builder.execute("CREATE TABLE setup_probe (x INTEGER)")
    opened: list[Any] = []
    waiter = threading.Thread(
        target=lambda: opened.append(open_run_store(Path("."), JsonPlusSerializer(), url))
    )
    waiter.start()
    try:
        _wait_until(lambda: _schema_version(builder, "runs") == len(RUN_MIGRATIONS))
        time.sleep(0.5)  # B is at the set-up lock now
        builder.execute("SET statement_timeout = '10s'")
        builder.execute("CREATE INDEX CONCURRENTLY setup_probe_x ON setup_probe (x)")
    finally:
        holder.execute("SELECT pg_advisory_unlock(%s)", (CHECKPOINT_SETUP_LOCK,))
        waiter.join(timeout=30)
    index, _, connections = opened[0]
    for conn in [index.conn, *connections, holder, builder]:
        conn.close()


def _schema_version(conn: Any, component: str) -> int:
    if conn.execute("SELECT to_regclass('toolpath_schema')").fetchone()[0] is None:
        return 0
    row = conn.execute(
        "SELECT version FROM toolpath_schema WHERE component = %s", (component,)
    ).fetchone()
    return 0 if row is None else row[0]


def _wait_until(check: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_serve_runs_table_on_either_database(database, tmp_path, backend):
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    url = _fresh(database, "serve_table_db") if backend == "postgres" else None
    index, _, connections = open_run_store(tmp_path, JsonPlusSerializer(), url)
    serve = ServeRuns(index)
    for run_id, created in (("r1", 1.0), ("r2", 2.0), ("r3", 3.0)):
        index.begin(run_id, "merge", created)
    serve.claim("r1", True, 11, "host-a")
    serve.claim("r2", False, 12, "host-a")
    serve.claim("r1", False, 13, "host-b")  # resumed elsewhere: the latest claim counts
    index.update("r2", "succeeded", "", 1.5)
    index.fail("r3", "boom")
    assert serve.running() == [("r1", 13, "host-b")]
    assert not serve.interactive("r1") and not serve.interactive("nope")
    assert index.row("r3")["status"] == "failed" and index.row("r3")["reason"] == "boom"
    for conn in [index.conn, *connections]:
        conn.close()


def test_serve_starts_lists_approves_and_reads_runs_on_postgres(database, tmp_path):
    """`toolpath serve` (the scripted app, a real uvicorn process) with TOOLPATH_DB: its runs
    live in PostgreSQL, where another process with another home reads them."""
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("fastapi")
    from serve_helpers import scripted_env, scripted_server, wait_for
    from test_agent_tools import merge_task

    url = _fresh(database, "serve_db")
    env = scripted_env(tmp_path, TOOLPATH_DB=url)
    zoo = tmp_path / "zoo"
    task = merge_task(zoo, ["addition", "reversal"], roots=[str(zoo)], request="merge them")
    with scripted_server(env) as (base, _):

        def state(run_id: str, status: str) -> dict | None:
            data = httpx.get(f"{base}/runs/{run_id}").json()
            return data if data["status"] == status else None

        plain = httpx.post(f"{base}/runs", json=task).json()["run_id"]
        paused = httpx.post(f"{base}/runs?approve_first=true", json=task).json()["run_id"]
        shown = wait_for(lambda: state(paused, "paused"), timeout=60)
        assert shown["pending"]["plan"]["subtasks"][-1]["capability"] == "merge_models"
        assert httpx.post(f"{base}/runs/{paused}/approve", json={"approve": True}).is_success
        for run_id in (plain, paused):
            done = wait_for(lambda r=run_id: state(r, "succeeded"), timeout=60)
            assert done["request"] == "merge them" and done["steps"]
        listed = {row["run_id"]: row["status"] for row in httpx.get(f"{base}/runs").json()["runs"]}
        assert listed == {plain: "succeeded", paused: "succeeded"}
    assert not (tmp_path / "home" / "runs.sqlite").exists()
    elsewhere = AgentRunner(registry=build_registry(zoo), home=tmp_path / "other", database=url)
    assert {row["run_id"] for row in elsewhere.list_runs()} == {plain, paused}
    assert elsewhere.show(paused).status == "succeeded"
    elsewhere.close()


def _script(home: Path, zoo: Path, *extra: str) -> list[str]:
    return [sys.executable, str(HERE / "test_agent_tools.py"), str(home), str(zoo), *extra]


def _wait_for(path: Path, line: str, count: int, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if path.exists() and path.read_text().splitlines().count(line) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"{line!r} never appeared {count} times in {path}")


def test_two_processes_share_runs_checkpoints_and_estimates(database, tmp_path):
    url = _fresh(database, "runs_db")
    zoo, log = tmp_path / "zoo", tmp_path / "calls.log"
    make_zoo(zoo)
    env = {**os.environ, "TOOLPATH_DB": url, "TOOLPATH_TEST_LOG": str(log)}
    # process A runs one task to its end while process B is killed in the middle of its merge
    first = subprocess.Popen(
        _script(tmp_path / "a", zoo),
        env={**env, "TOOLPATH_TEST_RUN_ID": "run-a"},
        stdout=subprocess.DEVNULL,
    )
    second = subprocess.Popen(
        _script(tmp_path / "b", zoo),
        env={**env, "TOOLPATH_TEST_RUN_ID": "run-b", "SLOW_MERGE": "60"},
        stdout=subprocess.DEVNULL,
    )
    try:
        assert first.wait(timeout=120) == 0
        _wait_for(log, "merge_sum start", 2, 60)  # A's merge and B's
        time.sleep(0.3)
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait()
    # a third process (this one, its own home) sees both runs and finishes B's
    runner = AgentRunner(
        registry=build_registry(zoo), home=tmp_path / "c", evaluator=ToyEvaluator(), database=url
    )
    statuses = {row["run_id"]: row["status"] for row in runner.list_runs()}
    assert statuses == {"run-a": "succeeded", "run-b": "running"}
    before = log.read_text().splitlines()
    os.environ["TOOLPATH_TEST_LOG"] = str(log)
    try:
        resumed = runner.resume("run-b")
        again = runner.resume("run-a")  # finished: its summary, nothing run
    finally:
        del os.environ["TOOLPATH_TEST_LOG"]
    assert resumed.status == again.status == "succeeded", resumed.reason
    assert log.read_text().splitlines()[len(before) :] == ["merge_sum start", "merge_sum end"]
    assert {row["status"] for row in runner.list_runs()} == {"succeeded"}
    # every verdict of both runs counts. merge_first fails wherever it runs; whether run B
    # tries it depends on whether run A's failure was recorded before B searched (timing)
    held = runner.estimates.held()
    tried = [s for run in (resumed, again) for s in run.steps if s.tool == "merge_first"]
    assert tried and not any(s.ok for s in tried)
    assert held[("merge_first", "merge_models")].failures == pytest.approx(0.1 * 4 + len(tried))
    assert held[("merge_sum", "merge_models")].observations == 2
    assert held[("find_expert", "retrieve_experts")].observations == 4
    runner.close()
