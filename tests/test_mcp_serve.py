"""MCP out: `toolpath mcp serve` driven by the official MCP client (stdio and HTTP)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
import yaml

from mcp_helpers import hard_limit, server_entry, servers_file
from test_agent_tools import make_zoo, merge_task
from toolpath.agent.run.demo_task import DEMO_REQUEST
from toolpath.tools.catalogs.mcp import close_connections
from toolpath.tools.catalogs.resolve import load_catalog

mcp = pytest.importorskip("mcp")
SCRIPTED = Path(__file__).parent / "mcp_serve_scripted.py"
TOOLS = {"plan", "run", "runs_list", "run_show", "merge", "evaluate", "retrieve"}


@pytest.fixture(autouse=True)
def _limit():
    with hard_limit(90):
        yield


@pytest.fixture()
def zoo(tmp_path: Path) -> Path:
    make_zoo(tmp_path / "zoo")
    return tmp_path / "zoo"


def _scripted(tmp_path: Path, zoo: Path):
    env = {"TOOLPATH_HOME": str(tmp_path / "home"), "TOOLPATH_TEST_ZOO": str(zoo)}
    env["TOOLPATH_ROOTS"] = os.environ.get("TOOLPATH_ROOTS", str(tmp_path))
    return mcp.StdioServerParameters(command=sys.executable, args=[str(SCRIPTED)], env=env)


def _demo_yaml(zoo: Path) -> str:
    task = merge_task(zoo, ["addition", "reversal"], alpha=0.5)
    return yaml.safe_dump(task | {"request": DEMO_REQUEST, "limits": {"max_replans": 3}})


def test_client_lists_plans_and_runs_the_demo_task_with_progress(tmp_path, zoo) -> None:
    async def session() -> dict:
        got: dict = {"progress": []}

        async def progress(done: float, total: float | None, message: str | None) -> None:
            got["progress"].append(message)

        async with mcp.Client(_scripted(tmp_path, zoo), mode="legacy") as client:
            listed = (await client.list_tools()).tools
            got["tools"] = {tool.name: tool for tool in listed}
            plan = await client.call_tool("plan", {"request": DEMO_REQUEST})
            got["plan"] = plan.structured_content
            run = await client.call_tool(
                "run", {"task_yaml": _demo_yaml(zoo)}, progress_callback=progress
            )
            got["run"] = run.structured_content
            got["list"] = (await client.call_tool("runs_list", {})).structured_content
            shown = await client.call_tool("run_show", {"run_id": got["run"]["run_id"]})
            got["show"] = shown.structured_content
            missing = await client.call_tool("run_show", {"run_id": "nope"})
            got["missing"] = missing
        return got

    got = anyio.run(session)
    assert set(got["tools"]) == TOOLS
    for tool in got["tools"].values():
        assert tool.input_schema["type"] == "object" and tool.output_schema["type"] == "object"
    plan = got["plan"]
    assert [n["task"] for n in plan["task_nodes"]] == ["find_expert", "find_expert", "merge_first"]
    assert [step["tools"] for step in plan["path"]["steps"]][:2] == [["find_expert"]] * 2
    run = got["run"]
    assert run["status"] == "succeeded", run["reason"]
    assert [(s["tool"], s["ok"]) for s in run["steps"] if s["subtask"] == 2] == [
        ("merge_first", False),
        ("merge_sum", True),
    ]
    assert run["replans"] == 1 and run["result"]["metrics"]
    kinds = [m.split(":")[0] for m in got["progress"]]
    assert kinds[0] == "plan_made" and kinds[-1] == "run_finished" and "replanned" in kinds
    assert got["list"]["runs"][0]["run_id"] == run["run_id"]
    assert got["show"]["steps"] == run["steps"]
    assert got["missing"].is_error and "unknown run 'nope'" in got["missing"].content[0].text


def test_a_run_over_mcp_tools_needs_allow_changes(tmp_path, zoo) -> None:
    notes = tmp_path / "notes"
    servers = servers_file(tmp_path / "servers.json", {"notes": server_entry(notes, timeout=5)})
    request = {"request": "add 2 and 3 and save it as note sum", "catalog": str(servers)}

    got: dict = {}

    async def session() -> tuple:
        async with mcp.Client(_scripted(tmp_path, zoo), mode="legacy") as client:
            refused = await client.call_tool("run", request)
            got["saved_before"] = (notes / "sum.txt").exists()
            allowed = await client.call_tool("run", request | {"allow_changes": True})
        return refused.structured_content, allowed.structured_content

    refused, allowed = anyio.run(session)
    assert refused["status"] in ("failed", "stopped")
    [step] = [s for s in refused["steps"] if s["tool"] == "save_note"]
    assert "save_note changes things and needs approval" in step["reason"]
    assert step["verdict"] == "argument_error"  # says nothing about the tool's quality
    assert not got["saved_before"]
    assert allowed["status"] == "succeeded", allowed["reason"]
    assert (notes / "sum.txt").read_text() == "5"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_cli_serves_over_stdio_and_http_with_a_token(tmp_path) -> None:
    toolpath = str(Path(sys.executable).with_name("toolpath"))
    env = {"TOOLPATH_HOME": str(tmp_path / "home")}
    stdio = mcp.StdioServerParameters(command=toolpath, args=["mcp", "serve"], env=env)

    async def over_stdio() -> tuple:
        async with mcp.Client(stdio, mode="legacy") as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            runs = (await client.call_tool("runs_list", {})).structured_content
        return names, runs

    names, runs = anyio.run(over_stdio)
    assert names == TOOLS and runs == {"runs": []}

    refused = subprocess.run(
        [toolpath, "mcp", "serve", "--transport", "http", "--host", "0.0.0.0"],
        env={**os.environ, "TOOLPATH_API_KEY": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "TOOLPATH_API_KEY" in refused.stderr

    port = _free_port()
    http_env = {**os.environ, **env, "TOOLPATH_API_KEY": "s3cret"}
    args = [toolpath, "mcp", "serve", "--transport", "http", "--port", str(port)]
    process = subprocess.Popen(args, env=http_env, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        _wait_for(port)

        async def over_http(token: str) -> set[str]:
            import httpx2

            headers = {"Authorization": f"Bearer {token}"}
            http = httpx2.AsyncClient(headers=headers)
            transport = mcp.client.streamable_http.streamable_http_client(url, http_client=http)
            async with mcp.Client(transport, mode="legacy") as client:
                return {tool.name for tool in (await client.list_tools()).tools}

        assert anyio.run(over_http, "s3cret") == TOOLS
        # MCP in over streamable HTTP: toolpath's own server as a catalogue
        entry = {"url": url, "headers": {"Authorization": "Bearer s3cret"}, "timeout": 30}
        catalog = load_catalog(str(servers_file(tmp_path / "http.json", {"tp": entry})))
        assert set(catalog.names()) == TOOLS
        assert catalog.registry().get("runs_list").invoke({}) == {"runs": []}
        close_connections()
        with pytest.raises(Exception):  # noqa: B017 - the SDK wraps the 401 in its own groups
            anyio.run(over_http, "wrong")
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


def test_a_plan_is_answered_while_a_run_is_in_progress(tmp_path, zoo) -> None:
    """Plans and runs share the LLM call by call: a long run does not hold plans back."""
    import json
    import threading

    from mcp_serve_scripted import MERGE_PLAN
    from test_agent_tools import build_registry
    from toolpath.agent.mcp_server import McpBackend
    from toolpath.agent.run.task import TaskSpec
    from toolpath.planners.llm import ScriptedChatModel
    from toolpath.tools.catalogs.catalog import Catalog

    started, finish = threading.Event(), threading.Event()

    class SlowRunner:
        registry = build_registry(zoo)

        def start(self, task):
            started.set()
            finish.wait(60)

        def close(self) -> None:
            pass

    backend = McpBackend(
        llm=ScriptedChatModel(lambda _messages: json.dumps(MERGE_PLAN)),
        home=tmp_path / "home",
        runner_for=lambda llm, on_event, catalog: SlowRunner(),
        catalog_for=lambda ref: Catalog.from_registry(build_registry(zoo)),
    )
    run = threading.Thread(
        target=backend.run, args=(TaskSpec(request="merge"), lambda e: None, True)
    )
    run.start()
    assert started.wait(30)
    plans: list = []
    planner = threading.Thread(target=lambda: plans.append(backend.plan("merge", "library", 0.5)))
    planner.start()
    planner.join(20)
    answered_during_run = not planner.is_alive()
    finish.set()
    run.join(30)
    planner.join(30)
    assert answered_during_run, "the plan waited for the run to finish"
    assert [node["task"] for node in plans[0].task_nodes][-1] == "merge_first"
