"""MCP in: a real stdio MCP server's tools as a catalogue, planned and run end to end,
with the failure path (error result, crash, hang, malformed result, same-named tools)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_helpers import (
    PlanningLLM,
    calls,
    hard_limit,
    refinement,
    server_entry,
    servers_file,
)
from toolpath.agent.run import AgentRunner, TaskSpec
from toolpath.agent.run.factory import make_planner, runnable_registry
from toolpath.tools.catalogs import mcp
from toolpath.tools.catalogs.resolve import load_catalog
from toolpath.tools.spec import ToolArgumentError

pytest.importorskip("mcp")


@pytest.fixture(autouse=True)
def _limits():
    with hard_limit(60):
        yield
    mcp.close_connections()


@pytest.fixture()
def notes(tmp_path: Path) -> Path:
    return tmp_path / "notes"


@pytest.fixture()
def servers(tmp_path: Path, notes: Path) -> Path:
    entry = server_entry(notes, timeout=3, changes=["crash"])
    return servers_file(tmp_path / "servers.json", {"notes": entry})


def _run(tmp_path: Path, catalog: str, llm, request: str, **task):
    registry = runnable_registry(catalog)
    planner = make_planner(llm, registry)
    runner = AgentRunner(registry=registry, planner=planner, llm=llm, home=tmp_path / "home")
    try:
        return runner.start(TaskSpec(request=request, catalog=catalog, **task))
    finally:
        runner.close()


def test_server_tools_become_typed_specs(servers: Path) -> None:
    catalog = load_catalog(str(servers))
    assert catalog.typed_arguments and catalog.name == "mcp:servers"
    specs = {spec.name: spec for spec in catalog.tools}
    assert {"add", "multiply", "quick_sum", "save_note", "read_note"} <= set(specs)
    add = specs["add"]
    assert add.doc == "Add two numbers."
    assert add.parameters["properties"]["a"]["type"] == "number"
    assert add.parameters["required"] == ["a", "b"]
    assert add.output_schema["properties"]["value"]["type"] == "number"
    assert add.flows == "value" and add.origin == "mcp:notes" and not add.cacheable
    assert specs["save_note"].changes  # annotated destructive by the server
    assert specs["crash"].changes  # marked in the servers file
    assert not specs["read_note"].changes
    assert add.invoke({"a": 2, "b": 3.5}) == {"value": 5.5}
    with pytest.raises(ToolArgumentError, match="'b' is a required property"):
        add.invoke({"a": 2})


def test_a_task_planned_over_the_server_runs_end_to_end(tmp_path: Path, servers, notes) -> None:
    plan = calls(
        ("add", {"a": 2, "b": 3}),
        ("multiply", {"a": "<node-0>", "b": 4}),
        ("save_note", {"title": "result", "text": "<node-1>"}),
    )
    llm = PlanningLLM(plan)
    summary = _run(tmp_path, str(servers), llm, "Add 2 and 3, times 4, save it as note result")
    assert summary.status == "succeeded", summary.reason
    assert [s.tool for s in summary.steps] == ["add", "multiply", "save_note"]
    assert (notes / "result.txt").read_text() == "20"
    assert summary.result["outputs"]["2"] == {"path": str(notes / "result.txt"), "chars": 2}
    assert all("output_schema" in s.checks for s in summary.steps)


def test_an_error_result_replans_to_other_tools(tmp_path: Path, servers, notes) -> None:
    plan = calls(
        ("quick_sum", {"numbers": [1, 2, 3]}),
        ("save_note", {"title": "total", "text": "<node-0>"}),
    )
    refined = refinement(("add", {"a": 1, "b": 2}), ("add", {"a": "<node-0>", "b": 3}))
    llm = PlanningLLM(plan, refined)
    summary = _run(tmp_path, str(servers), llm, "Sum 1, 2 and 3 and save it as note total")
    assert summary.status == "succeeded", summary.reason
    first = summary.steps[0]
    assert (first.tool, first.ok, first.verdict) == ("quick_sum", False, "tool_error")
    assert "at most 2 numbers" in first.reason
    assert summary.redecompositions == 1
    assert [s.tool for s in summary.steps if s.ok] == ["add", "add", "save_note"]
    assert (notes / "total.txt").read_text() == "6"


def test_a_crashed_server_fails_the_step_and_restarts_for_the_next(tmp_path, servers, notes):
    plan = calls(("crash", {"reason": "test"}), ("save_note", {"title": "c", "text": "<node-0>"}))
    refined = refinement(("add", {"a": 40, "b": 2}))
    summary = _run(tmp_path, str(servers), PlanningLLM(plan, refined), "crash then save")
    assert summary.status == "succeeded", summary.reason
    crash = summary.steps[0]
    assert crash.tool == "crash" and not crash.ok
    assert "closed the connection mid-call" in crash.reason
    assert (notes / "c.txt").read_text() == "42"  # the server was started again


@pytest.mark.parametrize(
    ("tool", "message"),
    [
        ("hang", "no answer within 3s (cancelled)"),
        ("garble", "malformed result: Invalid structured content returned by tool garble"),
    ],
)
def test_a_hung_or_malformed_call_fails_clearly(tmp_path, servers, tool, message) -> None:
    plan = calls((tool, {}))
    summary = _run(tmp_path, str(servers), PlanningLLM(plan, plan), f"call {tool}")
    assert summary.status in ("failed", "stopped")
    assert summary.steps and not summary.steps[0].ok
    assert message in summary.steps[0].reason
    # the server still answers after the timeout
    assert load_catalog(str(servers)).registry().get("add").invoke({"a": 1, "b": 1}) == {
        "value": 2.0
    }


def test_two_servers_with_the_same_tools_get_prefixed_names(tmp_path, notes) -> None:
    path = servers_file(
        tmp_path / "two.json",
        {"left": server_entry(notes / "l", "left"), "right": server_entry(notes / "r", "right")},
    )
    catalog = load_catalog(str(path))
    names = catalog.names()
    assert "left.add" in names and "right.add" in names and "add" not in names
    plan = calls(("right.save_note", {"title": "x", "text": "from right"}))
    summary = _run(tmp_path, str(path), PlanningLLM(plan), "save x on the right server")
    assert summary.status == "succeeded", summary.reason
    assert (notes / "r" / "x.txt").read_text() == "from right"
    assert not (notes / "l").exists() or not (notes / "l" / "x.txt").exists()


def test_allow_lists_and_bad_servers_are_refused_clearly(tmp_path, notes) -> None:
    path = servers_file(
        tmp_path / "allow.json", {"n": server_entry(notes, allow=["add", "read_note"])}
    )
    assert sorted(load_catalog(str(path)).names()) == ["add", "read_note"]
    bad = servers_file(tmp_path / "bad.json", {"n": server_entry(notes, allow=["nope"])})
    with pytest.raises(mcp.MCPCatalogError, match=r"has no tool\(s\) \['nope'\]"):
        load_catalog(str(bad))
    with pytest.raises(mcp.MCPCatalogError, match="did not start"):
        load_catalog("mcp:/nonexistent/server --flag")
    broken = servers_file(tmp_path / "broken.json", {"n": {"command": "x", "url": "http://h"}})
    with pytest.raises(mcp.MCPCatalogError, match="either 'command' or 'url'"):
        load_catalog(str(broken))


def test_mcp_refs_parse_command_env_and_urls() -> None:
    [stdio] = mcp.parse_ref("mcp:NOTES_DIR=/tmp/n python3 -u /srv/notes_server.py --x")
    assert (stdio.name, stdio.command) == ("notes_server", "python3")
    assert stdio.args == ["-u", "/srv/notes_server.py", "--x"]
    assert stdio.env == {"NOTES_DIR": "/tmp/n"}
    [http] = mcp.parse_ref("mcp+http://127.0.0.1:8123/mcp")
    assert http.url == "http://127.0.0.1:8123/mcp" and http.command is None
