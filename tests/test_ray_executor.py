"""Steps on a local Ray cluster (loopback, 2 CPUs): the same verdicts as the local executor,
the resources a tool declares, and a worker SIGKILLed mid-step retried with no partial
artifact. One cluster for the module (conftest's `ray_cluster`: it takes seconds to start)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from safetensors.torch import load_file  # noqa: E402

from test_agent_tools import (  # noqa: E402
    ToyEvaluator,
    build_registry,
    make_zoo,
    merge_plan,
    merge_task,
    write_model,
)
from toolpath.agent.run import AgentRunner, TaskSpec  # noqa: E402
from toolpath.agent.run.artifacts import MANIFEST, Artifact  # noqa: E402
from toolpath.agent.run.executor import executor_kind  # noqa: E402
from toolpath.agent.run.ray_executor import RayExecutor, step_resources  # noqa: E402
from toolpath.tools.registry import ToolRegistry, tool  # noqa: E402
from toolpath.tools.spec import ToolResources  # noqa: E402


@pytest.fixture()
def zoo(tmp_path: Path) -> Path:
    make_zoo(tmp_path / "zoo")
    return tmp_path / "zoo"


def _task(zoo: Path) -> TaskSpec:
    data = merge_task(zoo, ["addition", "reversal"], alpha=0.0, limits={"max_replans": 3})
    data["plan"] = merge_plan(["addition", "reversal"]).model_dump()
    return TaskSpec.model_validate(data)


def _run(tmp_path: Path, registry: ToolRegistry, zoo: Path, executor: str, home: str):
    runner = AgentRunner(
        registry=registry, home=tmp_path / home, evaluator=ToyEvaluator(), executor=executor
    )
    return runner, runner.start(_task(zoo), run_id="r1")


def _objects_are_whole(home: Path) -> list[Artifact]:
    """Every stored artifact has its manifest and every file it recorded, unchanged."""
    from toolpath.agent.run.artifacts import ArtifactStore

    store = ArtifactStore(home / "artifacts")
    artifacts = []
    for folder in sorted(store.objects.iterdir()):
        manifest = folder / MANIFEST
        assert manifest.is_file(), f"{folder} has no manifest"
        artifact = Artifact.model_validate_json(manifest.read_text())
        assert store.verify(artifact), f"{folder} differs from its manifest"
        artifacts.append(artifact)
    return artifacts


def test_executor_is_chosen_by_option_then_environment(monkeypatch) -> None:
    monkeypatch.setenv("TOOLPATH_EXECUTOR", "ray")
    assert executor_kind(None) == "ray"
    assert executor_kind("local") == "local"
    monkeypatch.delenv("TOOLPATH_EXECUTOR")
    assert executor_kind(None) == "local"
    with pytest.raises(ValueError, match="local, ray"):
        executor_kind("dask")
    chain = [ToolResources(cpus=2), ToolResources(cpus=1, gpus=1, memory_gb=0.5)]
    assert step_resources(chain) == {"num_cpus": 2, "num_gpus": 1, "memory": 2**29}


@pytest.mark.parametrize("args", [["demo", "--no-llm"], ["runs", "resume", "some-run"]])
def test_a_bad_executor_is_one_line_before_any_work(args, monkeypatch, tmp_path) -> None:
    from typer.testing import CliRunner

    from toolpath.agent.cli import app

    monkeypatch.setenv("TOOLPATH_HOME", str(tmp_path))
    result = CliRunner().invoke(app, [*args, "--executor", "dask"])
    assert result.exit_code == 2 and "local, ray" in result.output
    assert "Traceback" not in result.output and not any(tmp_path.iterdir())


def test_ray_gives_the_local_verdicts_through_artifact_references(ray_cluster, tmp_path, zoo):
    local, expected = _run(tmp_path, build_registry(zoo), zoo, "local", "local")
    runner, summary = _run(tmp_path, build_registry(zoo), zoo, "ray", "ray")
    assert isinstance(runner.graph_builder.executor, RayExecutor)
    assert summary.status == expected.status == "succeeded"
    verdicts = [(s.subtask, s.tool, s.ok, s.verdict) for s in summary.steps]
    assert verdicts == [(s.subtask, s.tool, s.ok, s.verdict) for s in expected.steps]
    assert summary.result["metrics"] == expected.result["metrics"]
    model = Path(summary.result["outputs"]["2"])  # a path in the Ray run's own store
    assert model.is_relative_to(tmp_path / "ray" / "artifacts" / "objects")
    local_model = Path(expected.result["outputs"]["2"])
    assert load_file(str(model / "model.safetensors"))["w"].tolist() == (
        load_file(str(local_model / "model.safetensors"))["w"].tolist()
    )

    # the learned estimates are the controller's, as with the local executor
    def counts(held):
        return {key: (e.successes, e.failures, e.observations) for key, e in held.items()}

    assert counts(runner.estimates.held()) == counts(local.estimates.held())


def test_a_step_gets_the_resources_its_tool_declares(ray_cluster, tmp_path):
    registry = ToolRegistry()

    @tool(
        capabilities=["probe"],
        resources=ToolResources(cpus=2, memory_gb=0.25),
        registry=registry,
    )
    def probe(note: str, out: str) -> dict:
        """Report the Ray resources assigned to this call."""
        import ray as worker_ray

        assigned = worker_ray.get_runtime_context().get_assigned_resources()
        Path(out, "note.txt").write_text(note)
        return {"path": out, "cpus": assigned.get("CPU"), "pid": os.getpid()}

    plan = {
        "request": "probe",
        "subtasks": [
            {"id": 0, "capability": "probe", "arguments": [{"name": "note", "value": "hello"}]}
        ],
    }
    runner = AgentRunner(registry=registry, home=tmp_path / "home", executor="ray")
    summary = runner.start(TaskSpec.model_validate({"request": "probe", "plan": plan}))
    assert summary.status == "succeeded", summary.reason
    output = runner.values(summary.run_id)["done"][0].output
    assert output["cpus"] == 2.0
    assert output["pid"] != os.getpid()  # it ran in a worker, not in the controller
    assert Path(output["path"], "note.txt").read_text() == "hello"


def test_warm_up_loads_the_registry_in_the_workers_before_any_step(ray_cluster, tmp_path, zoo):
    from toolpath.agent.run.artifacts import ArtifactStore
    from toolpath.agent.run.executor import Executor

    registry = build_registry(zoo)
    assert Executor(registry, ArtifactStore(tmp_path / "local")).warm_up() == 0
    executor = RayExecutor(registry, ArtifactStore(tmp_path / "ray"))
    assert 1 <= executor.warm_up() <= 2  # one worker per CPU of the 2-CPU cluster

    def loaded(token: str) -> bool:
        from toolpath.agent.run import ray_executor

        return token in ray_executor._worker_registries

    assert ray.get(ray.remote(loaded).remote(executor.token))


def _killable_registry(zoo: Path, state: Path) -> ToolRegistry:
    """The toy tools, with a merge that records its pid and hangs half-written the first
    time (for the test to SIGKILL its worker), and finishes on the retry."""
    registry = build_registry(zoo)
    registry._specs.pop("merge_first")
    registry._specs.pop("merge_sum")

    @tool(capabilities=["merge_models"], inputs=["model"], outputs=["model"], registry=registry)
    def merge_killable(models: list[str], out: str) -> dict:
        """Sum the experts' weights; hangs mid-write on its first attempt."""
        import torch

        attempts = state / "attempts"
        attempts.mkdir(exist_ok=True)
        (attempts / str(os.getpid())).write_text("started")
        total = torch.stack([load_file(str(Path(m) / "model.safetensors"))["w"] for m in models])
        write_model(Path(out), [0.0] * 4)  # a wrong, partial output first
        if len(list(attempts.iterdir())) == 1:
            written = state / "pid.partial"  # renamed whole: the test never reads it half-written
            written.write_text(str(os.getpid()))
            written.replace(state / "pid")
            time.sleep(120)
        write_model(Path(out), total.sum(0).tolist())
        return {"path": out}

    return registry


def test_a_worker_killed_mid_step_is_retried_and_leaves_no_partial_artifact(
    ray_cluster, tmp_path, zoo
):
    state = tmp_path / "state"
    state.mkdir()
    registry = _killable_registry(zoo, state)
    result: dict = {}
    thread = threading.Thread(
        target=lambda: result.update(run=_run(tmp_path, registry, zoo, "ray", "home")[1])
    )
    thread.start()
    deadline = time.monotonic() + 60
    while not (state / "pid").is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int((state / "pid").read_text())
    tmp_dirs = list((tmp_path / "home" / "artifacts" / "tmp").iterdir())
    assert tmp_dirs, "the merge writes into a temp folder first"
    objects = tmp_path / "home" / "artifacts" / "objects"
    merge_keys_before = {
        d.name
        for d in objects.iterdir()
        if json.loads((d / MANIFEST).read_text())["tool"] == "merge_killable"
    }
    assert merge_keys_before == set()  # nothing visible while the merge runs
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=90)
    summary = result["run"]
    assert summary.status == "succeeded", summary.reason
    assert len(list((state / "attempts").iterdir())) == 2  # killed once, retried once
    assert [s.tool for s in summary.steps if s.subtask == 2] == ["merge_killable"]
    artifacts = _objects_are_whole(tmp_path / "home")
    merged = [a for a in artifacts if a.tool == "merge_killable"]
    assert len(merged) == 1
    weights = load_file(str(merged[0].out_dir / "model.safetensors"))["w"]
    assert weights.tolist() == [1.0, 1.0, 0.0, 0.0]


@pytest.mark.slow
def test_bench_executor_gives_identical_results_on_both_executors(ray_cluster):
    from toolpath.evals.executor_bench import run_bench

    result = run_bench(tasks=2, seed=1)
    assert result["results_identical"] is True
    assert result["local"]["steps"] == result["ray"]["steps"] > 0
    assert result["ray"]["step_overhead_ms_median"] < 1000
    assert result["ray"]["workers_warmed"] >= 1 and result["local"]["workers_warmed"] == 0
    assert result["ray_cluster"]["address"].startswith("127.0.0.1:")
