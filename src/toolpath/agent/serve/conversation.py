"""From an OpenAI conversation to a task, and from run events to the text a chat shows.

The last user message is the task; earlier ones are context. A follow-up ("now with alpha
0.2", "use TIES instead") continues the request it follows: preferences it names replace
the earlier ones, and any other words are added to that request.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict

_ALPHA = re.compile(r"\balpha\s*(?:=|:|of|to|at)?\s*([01](?:\.\d+)?|\.\d+)", re.I)
_BUDGET = re.compile(r"\bbudget\s*(?:=|:|of|to|at)?\s*(\d+(?:\.\d+)?)\s*(?:s|sec\w*)?", re.I)
_FOLLOW_UP_START = ("now", "use", "instead", "and", "also", "but", "again", "same", "then", "try")
_FILLER = {"now", "with", "and", "an", "a", "the", "please", "instead", "then", "again", "also"}


class ChatMessage(BaseModel):
    """One OpenAI chat message (text or text parts; tool calls and results kept as given)."""

    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


def text_of(message: ChatMessage) -> str:
    """A message's text: the string, or its text parts joined."""
    if isinstance(message.content, str):
        return message.content
    parts = message.content or []
    return "\n".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


def preferences(text: str) -> dict[str, float]:
    found: dict[str, float] = {}
    if match := _ALPHA.search(text):
        found["alpha"] = min(max(float(match.group(1)), 0.0), 1.0)
    if match := _BUDGET.search(text):
        found["budget"] = float(match.group(1))
    return found


def _remainder(text: str) -> str:
    """The words of a message besides its preferences."""
    text = _BUDGET.sub(" ", _ALPHA.sub(" ", text))
    return " ".join(text.replace(",", " ").split()).strip(" .;")


def is_follow_up(text: str) -> bool:
    words = _remainder(text).lower().split()
    if preferences(text) and all(word in _FILLER for word in words):
        return True
    return bool(words) and words[0] in _FOLLOW_UP_START


def conversation_task(messages: list[ChatMessage]) -> tuple[str, dict[str, float]]:
    """(request, {alpha, budget}) of the conversation's last user message."""
    users = [text_of(m).strip() for m in messages if m.role == "user" and text_of(m).strip()]
    chain = [users[-1]]
    for earlier in reversed(users[:-1]):
        if not is_follow_up(chain[0]):
            break
        chain.insert(0, earlier)
    prefs: dict[str, float] = {}
    for text in chain:
        prefs |= preferences(text)
    base, additions = chain[0], [_remainder(t) for t in chain[1:]]
    words = [a for a in additions if any(w not in _FILLER for w in a.lower().split())]
    request = "; ".join([_remainder(base) or base, *words])
    return request, prefs


def llm_messages(messages: list[ChatMessage]) -> list[dict[str, str]]:
    """The conversation as plain role/content messages for a direct answer."""
    plain = []
    for message in messages:
        text = text_of(message)
        calls = (message.model_extra or {}).get("tool_calls")
        if message.role == "tool":
            plain.append({"role": "user", "content": f"(result of a tool call) {text}"})
        elif calls:
            plain.append({"role": "assistant", "content": f"(tool calls) {json.dumps(calls)}"})
        elif message.role in ("system", "user", "assistant") and text:
            plain.append({"role": message.role, "content": text})
    return plain


# -- run events as chat text ----------------------------------------------------------------
def _plan_text(event: dict[str, Any]) -> str:
    plan = event["plan"]
    lines = [f"**plan** ({len(plan['subtasks'])} sub-tasks, depth {event.get('depth', 0)}):"]
    for task in plan["subtasks"]:
        args = ", ".join(json.dumps(a.get("value"), ensure_ascii=False) for a in task["arguments"])
        lines.append(
            f"- {task['id']}. {task.get('description') or task['capability']} "
            f"[{task['capability']}]({args})"
        )
    return "\n".join(lines) + "\n"


def _path_text(event: dict[str, Any]) -> str:
    path = event["path"]
    steps = ", ".join(f"{s['subtask']}: {' -> '.join(s['tools'])}" for s in path["steps"])
    return (
        f"**path** (alpha {path.get('alpha', 0):g}; expected cost "
        f"{path.get('expected_cost', 0):.2f} s, quality {path.get('expected_quality', 0):.3f}): "
        f"{steps}\n"
    )


def event_text(event: dict[str, Any]) -> str:
    """One line (or a few) per event a person wants to read; '' for bookkeeping events."""
    kind = event.get("kind")
    if kind == "plan_made":
        return _plan_text(event)
    if kind == "path_chosen":
        return _path_text(event)
    if kind == "verdict":
        mark = "pass" if event["ok"] else "FAIL"
        return f"{mark} sub-task {event['subtask']} {event['tool']}: {event['reason']}\n"
    if kind == "replanned":
        return f"replanned: {event['reason']}\n"
    if kind == "run_finished":
        return f"**{event['status']}**: {event['reason']} (cost {event.get('cost', 0):.1f} s)\n"
    return ""


def answer_text(status: dict[str, Any]) -> str:
    """The final answer of a run: its outputs and metrics, or why it ended without them."""
    result = status.get("result") or {}
    outputs, metrics = result.get("outputs") or {}, result.get("metrics") or {}
    if status.get("status") != "succeeded":
        return f"\nThe run {status.get('status', 'ended')}: {status.get('reason', '')}"
    lines = ["", "**Result**:"]
    lines += [
        f"- sub-task {key}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in outputs.items()
    ]
    if metrics:
        lines.append("metrics: " + ", ".join(f"{k} {_number(v)}" for k, v in metrics.items()))
    return "\n".join(lines)


def _number(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else str(value)
