"""Task files, artifacts, and a run killed with SIGKILL mid-merge that resumes cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safetensors.torch import load_file

from test_agent_tools import ToyEvaluator, build_registry, make_zoo
from toolpath.agent.run import AgentRunner, ArtifactStore, TaskFileError, load_task_file
from toolpath.agent.run.task import parse_task_yaml

HERE = Path(__file__).parent


# -- task files ---------------------------------------------------------------------------
def test_good_task_file(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "request: merge addition and reversal\nalpha: 0.2\nbudget: 100\n"
        "checks:\n  - metric: accuracy\n    dataset: d.jsonl\n    threshold: 0.9\n"
    )
    task = load_task_file(path)
    assert task.alpha == 0.2 and task.checks[0].threshold == 0.9


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("alpha: 0.5\n", "line 1: field 'request'"),
        ("request: x\nalpha: 3\n", "line 2: field 'alpha'"),
        (
            "request: x\nchecks:\n  - metric: accuracy\n    dataset: d\n    threshold: -1\n",
            "line 5: field 'checks.0.threshold'",
        ),
        (
            "request: x\nchecks:\n  - metric: f1\n    dataset: d\n    threshold: 1\n",
            "line 3: field 'checks.0.metric'",
        ),
        ("request: x\nbudjet: 3\n", "line 2: field 'budjet'"),
        ("request: x\nlimits: {max_replans: many}\n", "field 'limits.max_replans'"),
        ("request: [unclosed\n", "invalid YAML"),
        ("- just a list\n", "a task file is a mapping"),
    ],
)
def test_bad_task_files_name_field_and_line(text, needle):
    with pytest.raises(TaskFileError) as error:
        parse_task_yaml(text, "t.yaml")
    assert needle in str(error.value)


def test_missing_task_file(tmp_path):
    with pytest.raises(TaskFileError, match="cannot read task file"):
        load_task_file(tmp_path / "nope.yaml")


# -- artifacts ----------------------------------------------------------------------------
def test_artifact_put_is_idempotent_and_atomic(tmp_path):
    store = ArtifactStore(tmp_path)
    calls = []

    def produce(out: Path):
        calls.append(1)
        (out / "w.bin").write_bytes(b"abc")
        return {"path": str(out)}

    first = store.put("k1", "t", produce)
    second = store.put("k1", "t", produce)
    assert calls == [1] and first.value == second.value
    assert first.value["path"].endswith("objects/k1/out")
    assert store.verify(first)

    def crash(out: Path):
        (out / "half.bin").write_bytes(b"partial")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.put("k2", "t", crash)
    assert store.get("k2") is None and not any(store.tmp.iterdir())


# -- crash and resume ---------------------------------------------------------------------
def _wait_for(path: Path, text: str, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared in {path}")


def test_sigkill_mid_merge_then_resume(tmp_path):
    zoo, home, log = tmp_path / "zoo", tmp_path / "home", tmp_path / "calls.log"
    make_zoo(zoo)
    env = {**os.environ, "TOOLPATH_TEST_LOG": str(log), "SLOW_MERGE": "60"}
    script = [sys.executable, str(HERE / "test_agent_tools.py"), str(home), str(zoo)]
    process = subprocess.Popen(script, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(log, "merge_sum start", 60)
        time.sleep(0.5)  # the merge has written a partial file
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    store = ArtifactStore(home / "artifacts")
    leftovers = list(store.tmp.iterdir())
    assert leftovers, "the killed merge should have left its temp dir"
    assert all(store.get(p.name.split(".")[0]) is None for p in leftovers)
    before = log.read_text().splitlines()

    os.environ["TOOLPATH_TEST_LOG"] = str(log)
    try:
        runner = AgentRunner(registry=build_registry(zoo), home=home, evaluator=ToyEvaluator())
        assert runner.list_runs()[0]["status"] == "running"
        summary = runner.resume("crash-run")
    finally:
        del os.environ["TOOLPATH_TEST_LOG"]
    assert summary.status == "succeeded", summary.reason
    after = log.read_text().splitlines()[len(before) :]
    assert after == ["merge_sum start", "merge_sum end"]  # nothing finished was redone
    assert not any(store.tmp.iterdir())
    merged = Path(summary.result["outputs"]["2"])
    assert load_file(str(merged / "model.safetensors"))["w"].tolist()[:2] == [1.0, 1.0]
    artifact = store.get(merged.parent.name)
    assert artifact is not None and store.verify(artifact)
    assert runner.list_runs()[0]["status"] == "succeeded"
    json.dumps(summary.public())


def test_example_task_files_are_valid():
    examples = sorted((HERE.parent / "examples").glob("*.yaml"))
    assert examples
    for path in examples:
        task = load_task_file(path)
        assert all(not str(v).startswith("~") for v in task.inputs.get("model_dirs", []))


def _integrity(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _run_to_the_end(home: Path, zoo: Path, run_id: str) -> dict:
    """Resume a killed run in this process (start it again when the kill came before the
    run was recorded); its public summary."""
    runner = AgentRunner(registry=build_registry(zoo), home=home, evaluator=ToyEvaluator())
    try:
        if any(r["run_id"] == run_id for r in runner.list_runs()):
            summary = runner.resume(run_id)
            if summary.status != "succeeded":  # killed again before its first checkpoint
                summary = runner.resume(run_id)
        else:
            script = [sys.executable, str(HERE / "test_agent_tools.py"), str(home), str(zoo)]
            env = {**os.environ, "TOOLPATH_TEST_RUN_ID": run_id}
            done = subprocess.run(script, env=env, capture_output=True, text=True, check=True)
            return json.loads(done.stdout.splitlines()[-1])
        return summary.public()
    finally:
        runner.close()


@pytest.mark.slow
def test_kill_9_at_random_points_in_20_runs_loses_nothing(tmp_path):
    """`toolpath run`'s runner killed with SIGKILL at a random moment (seeded), 20 times:
    every run resumes to the result of an unkilled run, no artifact is partial, and both
    SQLite files pass PRAGMA integrity_check."""
    import random

    zoo = tmp_path / "zoo"
    make_zoo(zoo)
    reference = _run_to_the_end(tmp_path / "reference", zoo, "loop-ref")
    assert reference["status"] == "succeeded"
    rng = random.Random(17)
    script = [sys.executable, str(HERE / "test_agent_tools.py")]
    runs, interrupted = int(os.environ.get("KILL_LOOP_RUNS", "20")), 0
    for i in range(runs):
        home, run_id = tmp_path / f"home-{i}", f"loop-{i}"
        env = {**os.environ, "TOOLPATH_TEST_RUN_ID": run_id, "SLOW_MERGE": "1"}
        process = subprocess.Popen(
            [*script, str(home), str(zoo)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 8.0))  # from start-up to past the end of the run
        process.send_signal(signal.SIGKILL)
        interrupted += process.wait() == -signal.SIGKILL
        summary = _run_to_the_end(home, zoo, run_id)
        assert summary["status"] == "succeeded", (i, summary)
        assert summary["result"]["metrics"] == reference["result"]["metrics"], i
        store = ArtifactStore(home / "artifacts")
        assert not any(store.tmp.iterdir()), f"run {i}: a temp dir was left behind"
        for path in (home / "runs.sqlite", home / "estimates.sqlite"):
            assert _integrity(path) == "ok", (i, path)
    assert interrupted >= runs // 2, f"only {interrupted} of {runs} kills hit a live run"
