"""`toolpath serve`: the OpenAI-compatible API, the runs API and the web page on uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from toolpath.agent.cli.run_cmd import HomeOption, LlmOption, ModelOption, fail
from toolpath.tools.extras import require


def serve(
    host: Annotated[str, typer.Option("--host", help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port to bind")] = 8000,
    home: HomeOption = None,
    llm: LlmOption = None,
    model_path: ModelOption = None,
    max_active_runs: Annotated[int, typer.Option("--max-active-runs", min=1)] = 4,
    cors: Annotated[
        list[str] | None, typer.Option("--cors", help="an origin allowed by CORS (repeatable)")
    ] = None,
) -> None:
    """Serve the OpenAI-compatible API, the runs API and the web page.

    Binds 127.0.0.1 by default; any other address needs an API key in $TOOLPATH_API_KEY
    (clients send `Authorization: Bearer KEY`)."""
    require("fastapi", "serve")
    require("uvicorn", "serve")
    require("langgraph", "agent")
    import uvicorn

    from toolpath.agent.serve.app import create_app
    from toolpath.agent.serve.backend import default_backend
    from toolpath.agent.serve.settings import API_KEY_ENV, ServeSettings

    settings = ServeSettings(
        host=host,
        port=port,
        api_key=os.environ.get(API_KEY_ENV) or None,
        max_active_runs=max_active_runs,
        cors_origins=cors or [],
    )
    try:
        settings.check()
        backend = default_backend(llm, model_path, home)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"toolpath serve: http://{host}:{port}/ (runs in {backend.home})", err=True)
    uvicorn.run(create_app(backend, settings), host=host, port=port, log_level="warning")


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.command("serve")(serve)
