"""Helpers the function-call tests share: a scripted <tool_call> answer, an OpenAI function
built from its parameter schemas, what the caller makes of scripted answers, and the first
checked call's arguments."""

from __future__ import annotations

import json

from toolpath.planners.function_calls import CallsResult, FunctionCaller
from toolpath.planners.llm import ScriptedChatModel
from toolpath.tools.catalogs.openai_functions import function_specs


def call(name: str, **arguments: object) -> str:
    return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"


def function(name: str, required: list[str], **properties: dict) -> dict:
    """An OpenAI function `name` with these parameter schemas."""
    parameters = {"type": "object", "properties": properties, "required": required}
    return {"name": name, "description": f"{name.replace('_', ' ')}.", "parameters": parameters}


def answered(spec: dict, replies: list[str], request: str) -> CallsResult:
    """What the caller makes of the scripted `replies` to `request`, with `spec` offered."""
    llm = ScriptedChatModel(replies)
    return FunctionCaller(llm, function_specs([spec]), relevance_floor=None).call(request)


def first_arguments(spec: dict, replies: list[str], request: str) -> dict:
    """The arguments of the first checked call the scripted `replies` make for `request`."""
    result = answered(spec, replies, request)
    return {a.name: a.value for a in result.plan.subtasks[0].arguments}
