"""Prompts and output schemas for the decomposer.

The system message holds only what is stable for a catalogue (instructions, then the
tool docs), so a backend with a prompt cache (llama.cpp) evaluates it once and reuses
it across requests; demonstrations and the request follow as chat turns.
"""

from __future__ import annotations

import json
import re
from typing import Any

from toolpath.tools.spec import ToolSpec

MAX_NODES = 10
MAX_STEP_CHARS = 160
MAX_ARG_CHARS = 400

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")

_COMMON = """You are a planner. Split the user's request into the steps it needs, each step one \
call of a tool from the list below. Answer with one JSON object only.
- "task_steps": one short sentence per step saying what it does, in execution order.
- "task_nodes": one node per step, in the same order; "task" is the exact name of a tool \
from the list.
- Use only the tools the request needs; do not repeat a step; do not add extra steps."""

_RESOURCE = """- "arguments": the node's inputs in order: values taken from the request (file \
names such as example.jpg, texts, questions, options) or "<node-j>" for the output of node \
j (0-based; an earlier node)."""

_NAMED = """- "arguments": a list of {"name", "value"} pairs, one for each parameter the tool \
declares, with values taken from the request; when a value is the result of an earlier \
node, say so in words.
- "task_links": {"source", "target"} tool names, one for each node that must run after an \
earlier one (its result or its effect is needed first)."""


def quoted_data(value: Any, max_chars: int | None = None) -> str:
    """Tool output (or any untrusted value) as one JSON string literal for a prompt.

    Non-string values are serialised to JSON text first; the text is cut to `max_chars`
    and then `json.dumps`'d, so quotes, newlines and tags in it stay inside the literal:
    nothing in it can close a fence or start a new instruction line. Every prompt that
    shows a tool's output to an LLM goes through this.
    """
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars] + " [cut]"
    return json.dumps(text)


def short_doc(doc: str, max_chars: int) -> str:
    """The doc's first sentences, cut to about `max_chars`."""
    doc = " ".join(doc.split())
    if len(doc) <= max_chars:
        return doc
    cut = ""
    for sentence in _SENTENCE_END.split(doc):
        if cut and len(cut) + len(sentence) + 1 > max_chars:
            break
        cut = f"{cut} {sentence}".strip()
    return cut if len(cut) <= max_chars else cut[: max_chars - 1].rstrip() + "…"


def _param_names(spec: ToolSpec) -> list[str]:
    return list(spec.parameters.get("properties", {}))


def tool_line(spec: ToolSpec, argument_style: str, doc_chars: int) -> str:
    """One line of tool documentation."""
    doc = short_doc(spec.doc, doc_chars)
    if argument_style == "named" or not (spec.inputs or spec.outputs):
        props = spec.parameters.get("properties", {})
        params = ", ".join(f"{name}: {p.get('type', 'string')}" for name, p in props.items())
        return f"- {spec.name}({params}): {doc}"
    io = f"{', '.join(spec.inputs) or 'nothing'} -> {', '.join(spec.outputs) or 'nothing'}"
    return f"- {spec.name} ({io}): {doc}"


def system_prompt(tools: list[ToolSpec], argument_style: str, doc_chars: int = 160) -> str:
    """Instructions, then the tool docs (the stable, cacheable prefix)."""
    rules = _NAMED if argument_style == "named" else _RESOURCE
    lines = [tool_line(spec, argument_style, doc_chars) for spec in tools]
    return f"{_COMMON}\n{rules}\n\nTools:\n" + "\n".join(lines)


def request_message(request: str) -> str:
    return f"Request: {request}"


def demo_answer(example: dict[str, Any], argument_style: str) -> str:
    """A solved example rendered exactly as the model should answer."""
    answer: dict[str, Any] = {
        "task_steps": example.get("task_steps", []),
        "task_nodes": [
            {"task": node["task"], "arguments": node.get("arguments", [])}
            for node in example.get("task_nodes", [])
        ],
    }
    if argument_style == "named":
        answer["task_links"] = [
            {"source": link["source"], "target": link["target"]}
            for link in example.get("task_links", [])
        ]
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))


def _steps_schema() -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "maxLength": MAX_STEP_CHARS},
        "minItems": 1,
        "maxItems": MAX_NODES,
    }


def _resource_node(names: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "task": {"enum": names},
            "arguments": {
                "type": "array",
                "items": {"type": "string", "maxLength": MAX_ARG_CHARS},
                "maxItems": 6,
            },
        },
        "required": ["task", "arguments"],
        "additionalProperties": False,
    }


def _named_node(spec: ToolSpec) -> dict[str, Any]:
    params = _param_names(spec)
    argument: dict[str, Any] = {
        "type": "object",
        "properties": {
            "name": {"enum": params} if params else {"type": "string", "maxLength": 60},
            "value": {"type": "string", "maxLength": MAX_ARG_CHARS},
        },
        "required": ["name", "value"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "task": {"const": spec.name},
            "arguments": {"type": "array", "items": argument, "maxItems": max(len(params), 1)},
        },
        "required": ["task", "arguments"],
        "additionalProperties": False,
    }


def output_schema(tools: list[ToolSpec], argument_style: str) -> dict[str, Any]:
    """JSON schema of the answer; it enumerates the tool names, so no other can appear."""
    names = [spec.name for spec in tools]
    if argument_style == "named":
        node: dict[str, Any] = {"anyOf": [_named_node(spec) for spec in tools]}
    else:
        node = _resource_node(names)
    properties: dict[str, Any] = {
        "task_steps": _steps_schema(),
        "task_nodes": {"type": "array", "items": node, "minItems": 1, "maxItems": MAX_NODES},
    }
    if argument_style == "named":
        link = {
            "type": "object",
            "properties": {"source": {"enum": names}, "target": {"enum": names}},
            "required": ["source", "target"],
            "additionalProperties": False,
        }
        properties["task_links"] = {"type": "array", "items": link, "maxItems": 2 * MAX_NODES}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def feedback_message(errors: list[str]) -> str:
    """Tell the model what was wrong with its last answer."""
    listed = "\n".join(f"- {e}" for e in errors[:8])
    return f"That plan is invalid:\n{listed}\nAnswer again with a corrected JSON plan."


def refine_message(request: str, step: str, tool: str, inputs: list[str], reason: str) -> str:
    """Ask for a finer decomposition of one failed step."""
    given = ", ".join(inputs) if inputs else "nothing"
    return (
        f"Overall request: {request}\n"
        f'One step failed: "{step}" (tool {tool}): {reason}\n'
        f"Split this step into smaller steps with the tools. Its inputs are: {given}; "
        'refer to them literally, and to the new nodes as "<node-j>" (0-based).\n'
        f"Request: {step}"
    )
