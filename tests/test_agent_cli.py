"""`toolpath run` and `toolpath runs ...` through typer's CliRunner on small real tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from test_agent_tools import build_registry, make_zoo
from toolpath.agent.cli import run_cmd
from toolpath.agent.run import factory
from toolpath.planners.llm import ScriptedChatModel


@pytest.fixture()
def app(tmp_path, monkeypatch) -> typer.Typer:
    make_zoo(tmp_path / "zoo")
    registry = build_registry(tmp_path / "zoo")
    monkeypatch.setattr(factory, "runnable_registry", lambda catalog="library": registry)
    judge = ScriptedChatModel(['{"ok": true, "reason": "the description names the model"}'])
    monkeypatch.setattr(factory, "LazyChatModel", lambda *args: judge)
    app = typer.Typer()
    bench = typer.Typer()
    app.add_typer(bench, name="bench")
    run_cmd.register(app, bench)
    return app


def _task_file(tmp_path: Path, skill: str) -> Path:
    plan = {
        "subtasks": [
            {
                "id": 0,
                "capability": "retrieve_experts",
                "arguments": [{"name": "task", "value": skill}],
            },
            {
                "id": 1,
                "capability": "describe",
                "arguments": [{"name": "model", "value": "<node-0>"}],
            },
        ]
    }
    path = tmp_path / f"{skill}.yaml"
    path.write_text(yaml.safe_dump({"request": f"describe the {skill} expert", "plan": plan}))
    return path


def test_run_json_succeeds_and_runs_can_be_listed(app, tmp_path):
    cli = CliRunner()
    home = str(tmp_path / "home")
    report = tmp_path / "report.html"
    result = cli.invoke(
        app,
        [
            "run",
            str(_task_file(tmp_path, "addition")),
            "--json",
            "--home",
            home,
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"run_id", "status", "reason", "steps", "replans", "cost", "result"}
    assert data["status"] == "succeeded" and data["result"]["outputs"]["1"] == "model at model"
    page = report.read_text()
    assert "<svg" in page and "describe_model" in page and "<script" not in page
    listed = cli.invoke(app, ["runs", "list", "--json", "--home", home])
    assert json.loads(listed.stdout)[0]["run_id"] == data["run_id"]
    shown = cli.invoke(app, ["runs", "show", data["run_id"], "--home", home])
    assert shown.exit_code == 0 and "succeeded" in shown.stdout


def test_failed_run_exits_1_and_bad_inputs_exit_2(app, tmp_path):
    cli = CliRunner()
    home = str(tmp_path / "home")
    failed = cli.invoke(app, ["run", str(_task_file(tmp_path, "chess")), "--json", "--home", home])
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["status"] in ("failed", "stopped")
    bad = tmp_path / "bad.yaml"
    bad.write_text("request: x\nalpha: 7\n")
    result = cli.invoke(app, ["run", str(bad), "--home", home])
    assert result.exit_code == 2 and "line 2: field 'alpha'" in result.output
    result = cli.invoke(app, ["run", "do it", "--alpha", "2", "--home", home])
    assert result.exit_code == 2 and "--alpha" in result.output
    result = cli.invoke(app, ["runs", "show", "nope", "--home", home])
    assert result.exit_code == 2 and "unknown run" in result.output
