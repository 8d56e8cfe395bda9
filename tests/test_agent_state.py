"""The run's typed state: channels survive the checkpoint as models, old checkpoints are
refused with a clear message, and the README draws the graph as it is."""

from __future__ import annotations

import gzip
import logging
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from test_agent_tools import ToyEvaluator, build_registry, make_zoo, merge_plan, merge_task
from toolpath.agent.cli import run_cmd
from toolpath.agent.run import AgentRunner, TaskSpec
from toolpath.agent.run.graph import FINISH, SEARCH, WAVE, RunGraph, mermaid
from toolpath.agent.run.runner import RunStateVersionError
from toolpath.agent.run.state import STATE_VERSION, DoneRecord, RunState, StepRecord
from toolpath.planners.plan import Plan, ToolPath
from toolpath.tools.registry import ToolRegistry

HERE = Path(__file__).parent
# runs.sqlite of toolpath 454b4e5 (the untyped dict state): the merge task of
# test_agent_tools, started with interactive=True as run 'old-paused', paused at approval
OLD_RUNS = HERE / "data" / "runs-state-v1.sqlite.gz"


def test_channels_are_models_with_int_keys_after_the_checkpoint(tmp_path, caplog):
    make_zoo(tmp_path / "zoo")
    registry = build_registry(tmp_path / "zoo")
    data = merge_task(tmp_path / "zoo", ["addition", "reversal"], alpha=0.0)
    task = TaskSpec.model_validate(data | {"plan": merge_plan(["addition", "reversal"])})
    home = tmp_path / "home"
    caplog.set_level(logging.WARNING)
    first = AgentRunner(registry=registry, home=home, evaluator=ToyEvaluator())
    assert first.start(task, run_id="r").status == "succeeded"
    first.close()
    values = AgentRunner(registry=registry, home=home, evaluator=ToyEvaluator()).values("r")
    assert values["version"] == STATE_VERSION
    assert isinstance(values["task"], TaskSpec) and isinstance(values["plan"], Plan)
    assert isinstance(values["path"], ToolPath)
    assert sorted(values["done"]) == [0, 1, 2]
    assert all(isinstance(record, DoneRecord) for record in values["done"].values())
    assert all(isinstance(step, StepRecord) for step in values["steps"])
    assert not [r for r in caplog.records if r.name.startswith("langgraph")], caplog.text


def _old_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "runs.sqlite").write_bytes(gzip.decompress(OLD_RUNS.read_bytes()))
    return home


def test_an_old_checkpoint_is_shown_but_not_resumed(tmp_path):
    runner = AgentRunner(registry=ToolRegistry(), home=_old_home(tmp_path))
    assert [row["run_id"] for row in runner.list_runs()] == ["old-paused"]
    shown = runner.show("old-paused")
    assert shown.status == "running" and len(shown.plan["subtasks"]) == 3
    with pytest.raises(RunStateVersionError, match=r"older toolpath .* cannot be resumed"):
        runner.resume("old-paused")


def test_runs_resume_of_an_old_checkpoint_says_why(tmp_path):
    app = typer.Typer()
    app.add_typer(typer.Typer(), name="bench")
    run_cmd.register(app, typer.Typer())
    home = str(_old_home(tmp_path))
    result = CliRunner().invoke(app, ["runs", "resume", "old-paused", "--home", home])
    assert result.exit_code == 2
    assert "checkpointed by an older toolpath" in " ".join(result.output.split())


def _graph() -> RunGraph:
    return RunGraph(
        registry=ToolRegistry(), estimates=None, store=None, planner=None, verifier_for=None
    )


def test_the_router_finishes_a_run_with_a_status_or_nothing_left():
    state = RunState(run_id="r", task=TaskSpec(request="x"), plan=Plan(request="x"))
    state.path = ToolPath(steps=[], alpha=0, expected_cost=0, expected_quality=1, weight=0)
    graph = _graph()
    assert graph.goto(state, {"status": "failed", "reason": "r"}, SEARCH).goto == FINISH
    assert graph.goto(state, {}, SEARCH).goto == SEARCH
    assert graph.goto(state, {}, WAVE).goto == FINISH  # an empty plan has no sub-task to run


def test_readme_draws_the_run_graph_as_it_is():
    readme = (HERE.parent / "README.md").read_text()
    drawn = re.search(r"```mermaid\n(.*?)```", readme, re.DOTALL)
    assert drawn, "README.md has no ```mermaid block"
    assert drawn.group(1).strip() == mermaid().strip(), (
        "the run graph changed: paste the output of\n  python -c 'from "
        "toolpath.agent.run.graph import mermaid; print(mermaid())'\ninto README.md's mermaid block"
    )
