"""An MCP client calling `toolpath mcp serve` (stdio): list tools, runs_list, run_show."""

import json
import sys

import anyio
from mcp import Client, StdioServerParameters


async def main() -> None:
    server = StdioServerParameters(
        command=sys.argv[1], args=["mcp", "serve"], env={"TOOLPATH_HOME": sys.argv[2]}
    )
    async with Client(server, mode="legacy") as client:
        tools = (await client.list_tools()).tools
        print("tools:", ", ".join(t.name for t in tools))
        runs = (await client.call_tool("runs_list", {"limit": 5})).structured_content
        print("runs_list ->", json.dumps(runs)[:300])
        run_id = runs["runs"][0]["run_id"]
        shown = (await client.call_tool("run_show", {"run_id": run_id})).structured_content
        print(
            "run_show ->",
            json.dumps({k: shown[k] for k in ("run_id", "status", "reason", "replans")}),
        )
        for s in shown["steps"]:
            print(f"  step {s['subtask']} {s['tool']}: ok={s['ok']} {s['reason'][:70]}")


anyio.run(main)
