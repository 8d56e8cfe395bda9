"""The ASGI app: routes, the page, OpenAI-shaped errors, the API key and the body limit.

`create_app(backend, settings)` builds it; `toolpath serve` passes the production backend,
tests a scripted one.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from toolpath.agent.serve import errors, openai_api, runs_api
from toolpath.agent.serve.backend import ServeBackend
from toolpath.agent.serve.hub import RunHub
from toolpath.agent.serve.settings import ServeSettings

log = logging.getLogger(__name__)
STATIC = Path(str(files("toolpath.agent.serve") / "static"))
KEY_COOKIE = "toolpath_key"
Scope = dict[str, Any]


def create_app(backend: ServeBackend, settings: ServeSettings | None = None) -> FastAPI:
    """The server's app over `backend` (the runs of `backend.home`)."""
    settings = settings or ServeSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub = RunHub(backend, settings.max_active_runs)
        app.state.hub = hub
        resumed = hub.recover()
        if resumed:
            log.info("resumed %d run(s) left running: %s", len(resumed), ", ".join(resumed))
        yield
        hub.close()

    app = FastAPI(title="toolpath", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    errors.install(app)
    app.include_router(openai_api.router)
    app.include_router(runs_api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/", lambda: FileResponse(STATIC / "index.html"), include_in_schema=False)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(ApiKey, key=settings.api_key)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    return app


async def _send_response(response: Any, scope: Scope, receive: Any, send: Any) -> None:
    await response(scope, receive, send)


class ApiKey:
    """Every route wants `Authorization: Bearer KEY` (or the page's cookie) when a key is set;
    compared in constant time. Without a key configured, nothing is checked."""

    def __init__(self, app: Any, key: str | None) -> None:
        self.app, self.key = app, key

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.key is None or self._authorized(scope):
            await self.app(scope, receive, send)
            return
        if scope["path"] == "/" and scope["method"] == "GET":
            response: Any = FileResponse(STATIC / "login.html", status_code=401)
        else:
            response = errors.error_response(401, "missing or wrong API key", "invalid_api_key")
        await _send_response(response, scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        assert self.key is not None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = ""
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        else:
            given = _cookie(headers.get("cookie", ""), KEY_COOKIE)
        return hmac.compare_digest(given.encode(), self.key.encode())


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return unquote(value)
    return ""


class BodyLimit:
    """Read a request body up to `max_bytes` before the app sees it; more is a 413."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        body, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body.append(message.get("body", b""))
            size += len(body[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:
                text = f"the request body is over {self.max_bytes} bytes"
                response = errors.error_response(413, text, "body_too_large")
                await _send_response(response, scope, receive, send)
                return
        await self.app(scope, _replay(b"".join(body), receive), send)


def _replay(body: bytes, receive: Any) -> Any:
    done = False

    async def replay() -> dict[str, Any]:
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
