"""The runs API: list, show, follow (server-sent events), start, approve, resume, report.

Event ids are the event's index in the run's checkpointed event list, so a client that
reconnects with `Last-Event-ID: N` gets event N+1 onwards, also after a server restart.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from toolpath.agent.events import has_finished
from toolpath.agent.run.task import TaskFileError, TaskSpec, parse_task_yaml
from toolpath.agent.serve.errors import APIError
from toolpath.agent.serve.hub import RunHub

POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 10.0
router = APIRouter()


class Approval(BaseModel):
    """The answer to a paused run: approve it, or search again with another alpha/budget."""

    model_config = ConfigDict(extra="forbid")
    approve: bool | None = None
    alpha: float | None = Field(None, ge=0, le=1)
    budget: float | None = Field(None, ge=0)


def hub_of(request: Request) -> RunHub:
    return request.app.state.hub


@router.get("/runs")
async def list_runs(request: Request, limit: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    runs = await asyncio.to_thread(hub_of(request).list_runs, limit)
    return {"runs": runs}


@router.get("/status")
async def server_status(request: Request) -> dict[str, Any]:
    hub = hub_of(request)
    rows = await asyncio.to_thread(hub.list_runs, 50)
    live = [row["run_id"] for row in rows if row["live"]]
    return {"llm": hub.llm.snapshot(), "active_runs": live, "max_active_runs": hub.max_active}


@router.get("/demo-task")
async def demo_task(request: Request) -> dict[str, Any]:
    return await asyncio.to_thread(hub_of(request).backend.demo_task)


def validate_task(body: Any) -> TaskSpec:
    """A task file's content (JSON), validated as `toolpath run` validates a task file."""
    if not isinstance(body, dict):
        raise APIError(400, "a task is a JSON object with at least 'request'", "invalid_task")
    try:
        task = parse_task_yaml(json.dumps(body), "task")
    except TaskFileError as exc:
        raise APIError(400, str(exc), "invalid_task") from exc
    if task.catalog != "library":
        raise APIError(
            400,
            f"catalogue {task.catalog!r} has no runnable tools; runs use the 'library' catalogue",
            "invalid_task",
            "catalog",
        )
    return task


@router.post("/runs", status_code=201)
async def start_run(
    request: Request, approve_first: bool = Query(False, description="pause for approval")
) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise APIError(400, "the request body is not valid JSON", "invalid_json") from exc
    task = validate_task(body)
    try:
        run_id = await asyncio.to_thread(hub_of(request).start, task, approve_first)
    except ValueError as exc:  # a path outside the workspace
        raise APIError(400, str(exc), "path_not_allowed") from exc
    return {"run_id": run_id, "status": "running"}


@router.get("/runs/{run_id}")
async def show_run(run_id: str, request: Request) -> dict[str, Any]:
    return await asyncio.to_thread(hub_of(request).status, run_id)


@router.post("/runs/{run_id}/approve")
async def approve_run(run_id: str, answer: Approval, request: Request) -> dict[str, Any]:
    hub = hub_of(request)
    if await asyncio.to_thread(hub.pending, run_id) is None:
        hub.values(run_id)  # unknown -> 404
        raise APIError(409, f"run {run_id!r} is not waiting for approval", "not_paused")
    given = answer.model_dump(exclude_none=True)
    if not given:
        raise APIError(400, "give approve, alpha or budget", "invalid_value")
    await asyncio.to_thread(hub.resume, run_id, given)
    return {"run_id": run_id, "status": "running"}


@router.post("/runs/{run_id}/resume")
async def resume_run(run_id: str, request: Request) -> dict[str, Any]:
    await asyncio.to_thread(hub_of(request).resume, run_id)
    return {"run_id": run_id, "status": "running"}


@router.get("/runs/{run_id}/report", response_class=HTMLResponse)
async def run_report(run_id: str, request: Request) -> HTMLResponse:
    from toolpath.agent.events import parse_event
    from toolpath.agent.run.report import render_report
    from toolpath.agent.run.state import summary_of

    values = await asyncio.to_thread(hub_of(request).values, run_id)
    events = [parse_event(data) for data in values.get("events", [])]
    return HTMLResponse(render_report(summary_of(values), events))


@router.get("/runs/{run_id}/events")
async def run_events(
    run_id: str,
    request: Request,
    last_event_id: str | None = Header(None),
    after: int | None = Query(None, description="the last event id seen (as Last-Event-ID)"),
) -> StreamingResponse:
    hub = hub_of(request)
    await asyncio.to_thread(hub.events, run_id)  # unknown -> 404 before the stream starts
    seen = after if after is not None else _event_id(last_event_id)
    stream = sse_events(hub, run_id, seen + 1, request)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


def _event_id(value: str | None) -> int:
    try:
        return int(value) if value is not None else -1
    except ValueError as exc:
        raise APIError(400, "Last-Event-ID must be an event number", "invalid_value") from exc


def sse(data: Any, event: str, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


async def sse_events(hub: RunHub, run_id: str, start: int, request: Request) -> AsyncIterator[str]:
    """The run's events from `start`, then each new one, until it finishes; `status`
    (paused, running ...) and `queue` (place in the LLM queue) when they change."""
    sent, shown, idle = start, None, 0.0
    while not await request.is_disconnected():
        events = await asyncio.to_thread(hub.events, run_id)
        for index in range(sent, len(events)):
            yield sse(events[index], events[index].get("kind", "event"), index)
        sent = max(sent, len(events))
        state = await asyncio.to_thread(_brief, hub, run_id)
        if state != shown:
            yield sse(state, "status")
            shown, idle = state, 0.0
        if has_finished(events):
            return
        idle += POLL_SECONDS
        if idle >= HEARTBEAT_SECONDS:
            yield ": keep-alive\n\n"
            idle = 0.0
        await asyncio.sleep(POLL_SECONDS)


def _brief(hub: RunHub, run_id: str) -> dict[str, Any]:
    row, live = hub.index_row(run_id) or {}, hub.is_live(run_id)
    return {
        "run_id": run_id,
        "status": "running" if live else row.get("status", "running"),
        "live": live,
        "queue_position": hub.llm.position(run_id),
    }
