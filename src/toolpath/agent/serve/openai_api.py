"""`GET /v1/models` and `POST /v1/chat/completions`, in OpenAI's formats.

Without `tools` the last user message is a toolpath task: a run starts (the runs API sees
it) and the answer streams its plan, path, verdicts and result, then the answer. With
`tools` (OpenAI function specs) they are the catalogue: the plan comes back as
`tool_calls` for the client to run. A request no tool fits gets a direct answer.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, ValidationError

from toolpath.agent.events import has_finished
from toolpath.agent.run.task import TaskSpec
from toolpath.agent.serve.conversation import (
    ChatMessage,
    answer_text,
    conversation_task,
    event_text,
    llm_messages,
    text_of,
)
from toolpath.agent.serve.errors import APIError
from toolpath.agent.serve.hub import RunHub
from toolpath.agent.serve.llm_queue import current_label

MODEL = "toolpath"
POLL_SECONDS = 0.25
router = APIRouter()


class ChatRequest(BaseModel):
    """The fields toolpath reads; others (temperature, user, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[ChatMessage]
    stream: bool = False
    tools: list[dict[str, Any]] | None = None


class Piece(BaseModel):
    """A part of the answer: text, an event, tool calls, or the end."""

    text: str = ""
    event: dict[str, Any] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    finish: str | None = None


@router.get("/v1/models")
async def models() -> dict[str, Any]:
    entry = {"id": MODEL, "object": "model", "created": 0, "owned_by": "toolpath"}
    return {"object": "list", "data": [entry]}


def parse_chat(raw: bytes) -> ChatRequest:
    """The body as a `ChatRequest` (any content type: clients differ); 400 when it is not."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise APIError(400, "the request body is not valid JSON", "invalid_json") from exc
    try:
        return ChatRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        raise APIError(400, f"'{param}': {first['msg']}", "invalid_value", param) from exc


def check_request(body: ChatRequest, request: Request) -> None:
    """4xx for an unknown model, too many messages, too long an input, no user message."""
    settings = request.app.state.settings
    if body.model != MODEL:
        raise APIError(
            404, f"model {body.model!r} does not exist; use {MODEL!r}", "model_not_found", "model"
        )
    if len(body.messages) > settings.max_messages:
        raise APIError(
            400,
            f"{len(body.messages)} messages; at most {settings.max_messages}",
            "too_many_messages",
            "messages",
        )
    chars = sum(len(text_of(m)) for m in body.messages) + len(json.dumps(body.tools or []))
    if chars > settings.max_input_chars:
        raise APIError(
            400,
            f"the input has {chars} characters; at most {settings.max_input_chars}",
            "context_length_exceeded",
            "messages",
        )
    if not any(m.role in ("user", "tool") and text_of(m).strip() for m in body.messages):
        raise APIError(400, "the conversation has no user message", "missing_message", "messages")


@router.post("/v1/chat/completions", response_model=None)
async def chat_completions(request: Request) -> Any:
    body = parse_chat(await request.body())
    check_request(body, request)
    hub: RunHub = request.app.state.hub
    chat_id = f"chatcmpl-{uuid.uuid4().hex[:12]}"
    pieces = await answer_pieces(hub, body, chat_id)
    if body.stream:
        stream = sse_chunks(pieces, chat_id)
        return StreamingResponse(stream, media_type="text/event-stream")
    return JSONResponse(await completion(pieces, chat_id))


async def answer_pieces(hub: RunHub, body: ChatRequest, chat_id: str) -> AsyncIterator[Piece]:
    """The answer's pieces; what can be refused (bad tools, too many runs) is refused here,
    before a stream starts."""
    if body.messages[-1].role == "tool":
        return direct_answer(hub, body.messages, chat_id)
    if body.tools:
        return function_calls(hub, body, catalog_of(body.tools), chat_id)
    request, prefs = conversation_task(body.messages)
    try:
        task = TaskSpec(request=request, **prefs)
    except ValueError as exc:
        raise APIError(400, f"not a task: {exc}", "invalid_task", "messages") from exc
    run_id = await asyncio.to_thread(hub.start, task, False)
    return run_pieces(hub, body.messages, run_id, request, chat_id)


def catalog_of(tools: list[dict[str, Any]]) -> Any:
    from toolpath.tools.catalogs.openai_functions import (
        FunctionCatalogError,
        function_catalog,
        function_specs,
    )

    try:
        return function_catalog(function_specs(tools, "tools"), "functions:request")
    except FunctionCatalogError as exc:
        raise APIError(400, str(exc), "invalid_tools", "tools") from exc


# -- the three kinds of answer ----------------------------------------------------------------
async def direct_answer(
    hub: RunHub, messages: list[ChatMessage], label: str
) -> AsyncIterator[Piece]:
    def ask() -> str:
        current_label.set(label)
        return hub.llm.complete(llm_messages(messages), max_tokens=512).text

    yield Piece(text=await asyncio.to_thread(ask))
    yield Piece(finish="stop")


async def function_calls(
    hub: RunHub, body: ChatRequest, catalog: Any, label: str
) -> AsyncIterator[Piece]:
    """The request's functions are the catalogue; the plan comes back as tool calls."""
    from toolpath.planners.decomposer import Decomposer, DecompositionError

    request, _ = conversation_task(body.messages)

    def plan() -> Any:
        current_label.set(label)
        return Decomposer(hub.llm, catalog).decompose(request)

    try:
        decomposition = await asyncio.to_thread(plan)
    except DecompositionError:
        decomposition = None
    calls = decomposition.taskbench.get("tool_calls", []) if decomposition else []
    if not calls:
        async for piece in direct_answer(hub, body.messages, label):
            yield piece
        return
    yield Piece(tool_calls=calls)
    yield Piece(finish="tool_calls")


async def run_pieces(
    hub: RunHub, messages: list[ChatMessage], run_id: str, request: str, label: str
) -> AsyncIterator[Piece]:
    """A started run's events as they come, then the answer (a direct one when the request
    could not be planned at all)."""
    yield Piece(text=f"run {run_id}: {request}\n", event={"kind": "run_started", "run_id": run_id})
    planned = False
    async for event in follow(hub, run_id):
        planned = planned or event.get("kind") == "plan_made"
        yield Piece(text=event_text(event), event=event)
    status = await asyncio.to_thread(hub.status, run_id)
    if not planned and status["status"] == "failed":
        async for piece in direct_answer(hub, messages, label):
            yield piece
        return
    yield Piece(text=answer_text(status))
    yield Piece(finish="stop")


async def follow(hub: RunHub, run_id: str, start: int = 0) -> AsyncIterator[dict[str, Any]]:
    """A run's events from index `start` until it finishes, pauses or its thread ends;
    `queue` pseudo-events when its place in the LLM queue changes."""
    sent, position = start, None
    while True:
        live = hub.is_live(run_id)
        events = await asyncio.to_thread(hub.events, run_id)
        for event in events[sent:]:
            yield event
        sent = len(events)
        if not live or has_finished(events[start:]):
            return
        now = hub.llm.position(run_id)
        if now != position and now:
            yield {"kind": "queue", "run_id": run_id, "position": now}
        position = now
        await asyncio.sleep(POLL_SECONDS)


# -- OpenAI's formats -------------------------------------------------------------------------
def chunk(chat_id: str, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
    data = {
        "id": chat_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


async def sse_chunks(pieces: AsyncIterator[Piece], chat_id: str) -> AsyncIterator[str]:
    """OpenAI's stream: a role chunk, content/tool-call chunks (each event rides along as
    `toolpath_event`), a finish chunk, `[DONE]`."""
    yield chunk(chat_id, {"role": "assistant", "content": ""})
    try:
        async for piece in pieces:
            extra = {"toolpath_event": piece.event} if piece.event else {}
            if piece.tool_calls:
                calls = [{"index": i, **call} for i, call in enumerate(piece.tool_calls)]
                yield chunk(chat_id, {"tool_calls": calls})
            elif piece.finish:
                yield chunk(chat_id, {}, piece.finish)
            elif piece.text or extra:
                yield chunk(chat_id, {"content": piece.text}, **extra)
    except APIError as exc:
        yield chunk(chat_id, {"content": f"\nerror: {exc.message}"}, "stop")
    yield "data: [DONE]\n\n"


async def completion(pieces: AsyncIterator[Piece], chat_id: str) -> dict[str, Any]:
    """The whole answer as one `chat.completion`."""
    text, calls, finish, run_id = [], None, "stop", None
    async for piece in pieces:
        text.append(piece.text)
        calls = piece.tool_calls or calls
        finish = piece.finish or finish
        if piece.event and piece.event.get("kind") == "run_started":
            run_id = piece.event["run_id"]
    message: dict[str, Any] = {"role": "assistant", "content": "".join(text) or None}
    if calls:
        message["tool_calls"] = calls
    return {
        "id": chat_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "toolpath": {"run_id": run_id},
    }
