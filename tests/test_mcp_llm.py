"""MCP in with the real embedded model: plan and run a task over the test server's tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_helpers import hard_limit, server_entry, servers_file
from toolpath.agent.run import AgentRunner, TaskSpec
from toolpath.agent.run.factory import LazyChatModel, make_planner, runnable_registry
from toolpath.tools.catalogs import mcp

pytest.importorskip("mcp")


@pytest.mark.llm
@pytest.mark.slow
def test_the_embedded_model_plans_and_runs_over_mcp_tools(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    allow = ["add", "multiply", "save_note", "read_note"]
    servers = servers_file(tmp_path / "s.json", {"notes": server_entry(notes, allow=allow)})
    registry = runnable_registry(str(servers))
    llm = LazyChatModel()
    runner = AgentRunner(
        registry=registry, planner=make_planner(llm, registry), llm=llm, home=tmp_path / "h"
    )
    request = "Add 2 and 3, multiply the result by 4, and save it as a note titled result"
    try:
        with hard_limit(900):
            summary = runner.start(TaskSpec(request=request, catalog=str(servers), judge=False))
    finally:
        runner.close()
        mcp.close_connections()
    assert summary.status == "succeeded", summary.reason
    assert (notes / "result.txt").read_text() == "20"
