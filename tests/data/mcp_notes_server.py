"""A real MCP server for the tests (stdio): a notes store confined to one folder and a
calculator with typed parameters, plus tools that fail on purpose.

Run as `python mcp_notes_server.py` with `NOTES_DIR` set (the only folder it writes to).
`SERVER_NAME` names the server (two copies under different names share tool names).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field


class FaultyServer(MCPServer):
    """Answers `garble` with structured content that breaks the tool's output schema."""

    async def call_tool(self, name, arguments, context=None):  # type: ignore[override]
        if name == "garble":
            bad = {"value": "not a number"}
            return CallToolResult(
                content=[TextContent(type="text", text="{}")], structured_content=bad
            )
        return await super().call_tool(name, arguments, context)


server = FaultyServer(os.environ.get("SERVER_NAME", "notes"), log_level="WARNING")
_TITLE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Number(BaseModel):
    value: float = Field(description="the result")


class Saved(BaseModel):
    path: str = Field(description="where the note was written")
    chars: int


class Note(BaseModel):
    title: str
    text: str


def _notes_dir() -> Path:
    folder = Path(os.environ["NOTES_DIR"]).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _note_path(title: str) -> Path:
    if not _TITLE.match(title):
        raise ToolError(f"bad note title {title!r}: letters, digits, - and _ only")
    return _notes_dir() / f"{title}.txt"


@server.tool()
def garble() -> Number:
    """Answers with a malformed result (see FaultyServer.call_tool)."""
    return Number(value=0)


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def add(a: float, b: float) -> Number:
    """Add two numbers."""
    return Number(value=a + b)


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def multiply(a: float, b: float) -> Number:
    """Multiply two numbers."""
    return Number(value=a * b)


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def quick_sum(numbers: list[float]) -> Number:
    """Sum a list of numbers in one call (a fast path that handles at most two numbers)."""
    if len(numbers) > 2:
        raise ToolError(f"quick_sum handles at most 2 numbers, got {len(numbers)}")
    return Number(value=sum(numbers))


@server.tool(annotations=ToolAnnotations(destructive_hint=True))
def save_note(title: str, text: str) -> Saved:
    """Write a note (replaces a note of the same title)."""
    path = _note_path(title)
    path.write_text(text, encoding="utf-8")
    return Saved(path=str(path), chars=len(text))


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def read_note(title: str) -> Note:
    """Read a note by its title."""
    path = _note_path(title)
    if not path.is_file():
        raise ToolError(f"no note titled {title!r}")
    return Note(title=title, text=path.read_text(encoding="utf-8"))


@server.tool()
def crash(reason: str = "") -> Number:
    """Dies in the middle of the call (a server that crashes)."""
    os._exit(3)


@server.tool()
def hang(seconds: float = 3600) -> Number:
    """Never answers in time (a server that hangs)."""
    time.sleep(seconds)
    return Number(value=seconds)


@server.tool()
async def slow_count(steps: int, ctx: Context) -> Number:
    """Counts to `steps`, reporting progress after each."""
    for step in range(1, steps + 1):
        await ctx.report_progress(step, steps, f"step {step}")
    return Number(value=steps)


if __name__ == "__main__":
    server.run("stdio")
