"""`toolpath chat`: plan shown, preference changed, approved, run; decomposed by the real
Decomposer driven by a scripted LLM."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from test_agent_tools import build_registry, make_zoo
from toolpath.agent.cli import chat_cmd
from toolpath.agent.cli.chat_cmd import parse_answer
from toolpath.agent.run import factory
from toolpath.planners.llm import ScriptedChatModel

PLAN = {
    "task_steps": ["find the addition expert", "describe it"],
    "task_nodes": [
        {"task": "find_expert", "arguments": ["addition"]},
        {"task": "describe_model", "arguments": ["<node-0>"]},
    ],
}


def test_parse_answer():
    assert parse_answer("y") == {"approve": True}
    assert parse_answer("n") == {"approve": False}
    assert parse_answer("alpha=0.2 budget=30") == {"alpha": 0.2, "budget": 30.0}
    assert parse_answer("alpha=3") is None and parse_answer("maybe") is None


def test_chat_review_change_alpha_then_approve(tmp_path, monkeypatch):
    make_zoo(tmp_path / "zoo")
    registry = build_registry(tmp_path / "zoo")
    llm = ScriptedChatModel([json.dumps(PLAN), '{"ok": true, "reason": "names the model"}'])
    monkeypatch.setattr(factory, "runnable_registry", lambda catalog="library": registry)
    monkeypatch.setattr(factory, "LazyChatModel", lambda *args: llm)
    app, bench = typer.Typer(), typer.Typer()
    app.add_typer(bench, name="bench")
    chat_cmd.register(app, bench)
    app.command("noop")(lambda: None)
    script = "describe the addition expert\nmaybe\nalpha=0.2\ny\n/runs\n/quit\n"
    result = CliRunner().invoke(app, ["chat", "--home", str(tmp_path / "home")], input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("tool path") == 2  # shown, then searched again with alpha 0.2
    assert "alpha 0.2" in out and "answer y, n" in out
    assert "succeeded" in out and "model at model" in out
    assert "planned by the LLM" in out
