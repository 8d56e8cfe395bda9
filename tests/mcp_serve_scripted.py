"""`toolpath mcp serve` (stdio) on a scripted LLM and small real tools, for tests only.

`python tests/mcp_serve_scripted.py` with TOOLPATH_HOME (the run store) and
TOOLPATH_TEST_ZOO (made by `make_zoo`) set. The library catalogue is the toy merge tools
of test_agent_tools; any other catalogue (an MCP servers file) is loaded for real.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from mcp_helpers import JUDGE_OK
from test_agent_tools import ToyEvaluator, build_registry
from toolpath.agent.mcp_server import McpBackend, build_server
from toolpath.agent.run.factory import make_planner, runnable_registry
from toolpath.agent.run.runner import AgentRunner
from toolpath.planners.llm import ScriptedChatModel
from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.catalogs.resolve import load_catalog

MERGE_PLAN = {
    "task_steps": ["find the addition expert", "find the reversal expert", "merge them"],
    "task_nodes": [
        {"task": "find_expert", "arguments": ["addition"]},
        {"task": "find_expert", "arguments": ["reversal"]},
        {"task": "merge_first", "arguments": ["<node-0>", "<node-1>"]},
    ],
}
NOTE_CALLS = (
    '<tool_call>{"name": "add", "arguments": {"a": 2, "b": 3}}</tool_call>\n'
    '<tool_call>{"name": "save_note", "arguments": {"title": "sum", "text": "<node-0>"}}'
    "</tool_call>"
)


def reply(messages: list[dict[str, str]]) -> str:
    """Merge plans for the library, function calls for MCP tools, ok for the judge."""
    system = messages[0]["content"] if messages[0]["role"] == "system" else ""
    if '"ok"' in system:
        return JUDGE_OK
    if "task_nodes" in system:
        return json.dumps(MERGE_PLAN)
    return NOTE_CALLS


def main() -> None:
    home = Path(os.environ["TOOLPATH_HOME"])
    zoo = Path(os.environ["TOOLPATH_TEST_ZOO"])
    toy = build_registry(zoo)

    def registry_of(catalog: str):
        return toy if catalog == "library" else runnable_registry(catalog)

    def runner_for(llm, on_event, catalog: str) -> AgentRunner:
        registry = registry_of(catalog)
        return AgentRunner(
            registry=registry,
            planner=make_planner(llm, registry),
            llm=llm,
            home=home,
            evaluator=ToyEvaluator(),
            on_event=on_event,
        )

    def catalog_for(ref: str) -> Catalog:
        return Catalog.from_registry(toy) if ref == "library" else load_catalog(ref)

    backend = McpBackend(
        llm=ScriptedChatModel(reply), home=home, runner_for=runner_for, catalog_for=catalog_for
    )
    build_server(backend).run("stdio")


if __name__ == "__main__":
    main()
