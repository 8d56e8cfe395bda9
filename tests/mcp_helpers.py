"""Shared pieces of the MCP tests: the test server, a servers file, a scripted LLM that
plans, refines and judges, and a hard per-test time limit (nothing may hang)."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from toolpath.agent.run.verifier import JUDGE_SCHEMA
from toolpath.planners.llm import ScriptedChatModel

SERVER = Path(__file__).parent / "data" / "mcp_notes_server.py"
JUDGE_OK = '{"reason": "the output answers the sub-task", "ok": true}'


@contextmanager
def hard_limit(seconds: int) -> Iterator[None]:
    """Fail the test (SIGALRM in the main thread) if it runs longer than `seconds`."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"test ran past its hard limit of {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def server_entry(notes: Path, name: str = "notes", **extra: Any) -> dict[str, Any]:
    """An `mcpServers` entry that starts the test server over stdio."""
    env = {"NOTES_DIR": str(notes), "SERVER_NAME": name}
    return {"command": sys.executable, "args": [str(SERVER)], "env": env, **extra}


def servers_file(path: Path, servers: dict[str, dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    return path


def calls(*items: tuple[str, dict[str, Any]]) -> str:
    """A function-calling answer in the model's `<tool_call>` format."""
    return "\n".join(
        f"<tool_call>{json.dumps({'name': name, 'arguments': args})}</tool_call>"
        for name, args in items
    )


def refinement(*nodes: tuple[str, dict[str, Any]]) -> str:
    """A refined sub-plan in TaskBench's named format."""
    return json.dumps(
        {
            "task_steps": [f"Step {i + 1}: call {name}" for i, (name, _) in enumerate(nodes)],
            "task_nodes": [
                {"task": name, "arguments": [{"name": k, "value": v} for k, v in args.items()]}
                for name, args in nodes
            ],
            "task_links": [],
        }
    )


class PlanningLLM(ScriptedChatModel):
    """Answers the decomposer (no schema) with `plan`, a refinement (the plan schema) with
    `refined`, and the judge with ok; records every call."""

    def __init__(self, plan: str, refined: str | None = None) -> None:
        super().__init__([plan])
        self.plan, self.refined = plan, refined or plan

    def complete(self, messages, *, schema=None, max_tokens=512, temperature=0.0):
        if schema == JUDGE_SCHEMA:
            self._replies = [JUDGE_OK]
        else:
            self._replies = [self.plan if schema is None else self.refined]
        return super().complete(
            messages, schema=schema, max_tokens=max_tokens, temperature=temperature
        )
