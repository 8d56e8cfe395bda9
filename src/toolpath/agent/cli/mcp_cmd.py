"""`toolpath mcp serve [--transport stdio|http]`: toolpath as an MCP server.

HTTP binds 127.0.0.1 by default; any other address needs a bearer token
(`TOOLPATH_API_KEY`), which every request must then carry (`Authorization: Bearer ...`).
"""

from __future__ import annotations

import hmac
import logging
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from toolpath.agent.serve.settings import API_KEY_ENV, is_loopback
from toolpath.tools.extras import require

log = logging.getLogger(__name__)
mcp_app = typer.Typer(help="toolpath over the Model Context Protocol.", no_args_is_help=True)


class BearerGuard:
    """ASGI middleware: every HTTP request must carry `Authorization: Bearer <token>`."""

    def __init__(self, app: Any, token: str) -> None:
        self.app, self.expected = app, f"Bearer {token}".encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"content-type", b"text/plain")],
                    }
                )
                await send({"type": "http.response.body", "body": b"missing or wrong bearer token"})
                return
        await self.app(scope, receive, send)


def http_app(server: Any, host: str, token: str | None) -> Any:
    """The streamable-HTTP app at /mcp, behind the bearer guard when a token is set."""
    app = server.streamable_http_app(host=host)
    return BearerGuard(app, token) if token else app


@mcp_app.command("serve")
def serve(
    transport: Annotated[str, typer.Option("--transport", help="stdio or http")] = "stdio",
    host: Annotated[str, typer.Option("--host", help="HTTP address")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="HTTP port")] = 8765,
    home: Annotated[
        Path | None, typer.Option("--home", help="run store (default: $TOOLPATH_HOME)")
    ] = None,
    llm: Annotated[str | None, typer.Option("--llm", help="embedded or openai")] = None,
) -> None:
    """Serve plan, run, runs_list, run_show, merge, evaluate and retrieve over MCP."""
    require("mcp", "mcp")
    from toolpath.agent.mcp_server import McpBackend, build_server

    token = os.environ.get(API_KEY_ENV) or None
    if transport not in ("stdio", "http"):
        Console(stderr=True).print("[red]error:[/red] --transport must be stdio or http")
        raise typer.Exit(2)
    if transport == "http" and not is_loopback(host) and not token:
        Console(stderr=True).print(
            f"[red]error:[/red] serving on {host} (not loopback) needs a bearer token: "
            f"set {API_KEY_ENV}"
        )
        raise typer.Exit(2)
    from toolpath.agent.run.factory import LazyChatModel

    backend = McpBackend(llm=LazyChatModel(llm), home=home)
    server = build_server(backend)
    if transport == "stdio":
        server.run("stdio")
        return
    import uvicorn

    log.info("MCP over HTTP at http://%s:%d/mcp (token: %s)", host, port, bool(token))
    uvicorn.run(http_app(server, host, token), host=host, port=port, log_level="warning")


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.add_typer(mcp_app, name="mcp")
