"""A `toolpath serve` app on a scripted LLM and small real tools, for tests only.

`python -m uvicorn serve_scripted:make_scripted_app --factory --app-dir tests --port N`
with TOOLPATH_HOME (the run store) and TOOLPATH_TEST_ZOO (made by `make_zoo`) set;
SCRIPTED_SLOW_MERGE makes the strong merge take that many seconds (the restart test),
SCRIPTED_LLM_SECONDS makes every LLM answer take that long (the queue test).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from test_agent_tools import ToyEvaluator, build_registry, merge_task
from toolpath.agent.run.demo_task import DEMO_REQUEST
from toolpath.agent.run.factory import make_planner
from toolpath.agent.run.runner import AgentRunner
from toolpath.agent.serve.app import create_app
from toolpath.agent.serve.backend import ServeBackend
from toolpath.agent.serve.settings import ServeSettings
from toolpath.planners.llm import ScriptedChatModel

PLAN = {
    "task_steps": ["find the addition expert", "find the reversal expert", "merge them"],
    "task_nodes": [
        {"task": "find_expert", "arguments": ["addition"]},
        {"task": "find_expert", "arguments": ["reversal"]},
        {"task": "merge_first", "arguments": ["<node-0>", "<node-1>"]},
    ],
}
WEATHER_CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>'
DIRECT = "Hello! I am toolpath's scripted model."


def reply(messages: list[dict[str, str]]) -> str:
    """Plans merges, calls get_weather for weather questions, else answers directly."""
    delay = float(os.environ.get("SCRIPTED_LLM_SECONDS", "0"))
    if delay:
        time.sleep(delay)
    system = messages[0]["content"] if messages[0]["role"] == "system" else ""
    last = messages[-1]["content"].lower()
    if "<tools>" in system:
        return WEATHER_CALL if "weather" in last else "No function can do that."
    if "task_nodes" in system:
        return json.dumps(PLAN) if ("merge" in last or "model" in last) else "{}"
    if '"ok"' in system:
        return '{"ok": true, "reason": "fine"}'
    return DIRECT


def make_scripted_app():
    home = Path(os.environ["TOOLPATH_HOME"])
    zoo = Path(os.environ["TOOLPATH_TEST_ZOO"])
    registry = build_registry(zoo, slow_merge=float(os.environ.get("SCRIPTED_SLOW_MERGE", "0")))

    def runner_for(llm, on_event, interactive: bool) -> AgentRunner:
        return AgentRunner(
            registry=registry,
            planner=make_planner(llm, registry),
            llm=llm,
            home=home,
            evaluator=ToyEvaluator(),
            on_event=on_event,
            interactive=interactive,
        )

    def demo_task() -> dict:
        task = merge_task(zoo, ["addition", "reversal"], alpha=0.5)
        extra = {"request": DEMO_REQUEST, "limits": {"max_replans": 3}, "roots": [str(zoo)]}
        return task | extra

    backend = ServeBackend(
        llm=ScriptedChatModel(reply), runner_for=runner_for, home=home, demo_task=demo_task
    )
    settings = ServeSettings(
        api_key=os.environ.get("TOOLPATH_API_KEY") or None,
        max_body_bytes=int(os.environ.get("SCRIPTED_MAX_BODY", "200000")),
        max_messages=8,
        max_input_chars=4000,
        max_active_runs=int(os.environ.get("SCRIPTED_MAX_RUNS", "4")),
    )
    return create_app(backend, settings)
