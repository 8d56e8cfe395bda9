"""The one interface the planner needs from a language model: chat messages -> text.

Backends live in agent/llm (embedded llama.cpp, any OpenAI-compatible server); the
planner is handed one and never does I/O itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field


class Usage(BaseModel):
    """Tokens read and written, and wall-clock seconds, of one or more completions."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cached_tokens: int = 0  # prompt tokens served from the backend's prompt cache

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            seconds=self.seconds + other.seconds,
            cached_tokens=self.cached_tokens + other.cached_tokens,
        )


class Completion(BaseModel):
    """The text a model returned and what it cost."""

    text: str
    usage: Usage = Field(default_factory=Usage)


@runtime_checkable
class ChatModel(Protocol):
    """Chat messages (+ optional JSON schema the output must satisfy) -> a completion.

    A backend whose `continues_answers` is True continues a last assistant message instead
    of answering after it; the completion's text is then the whole message, that start
    included (see `continues_answers`)."""

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Completion: ...


def continues_answers(llm: ChatModel) -> bool:
    """Whether `llm` continues a last assistant message (llama.cpp's server does; the
    OpenAI API does not promise it)."""
    return bool(getattr(llm, "continues_answers", False))


Reply = str | Callable[[list[dict[str, str]]], str]


class ScriptedChatModel:
    """Replies from a fixed script (strings, or callables of the messages); records calls.

    For driving control loops in unit tests; it follows no schema and reads nothing.
    A list of replies is consumed in order and the last one repeats; a single callable
    answers every call. `continues_answers`: act as a backend that continues a last
    assistant message (the reply is appended to it).
    """

    def __init__(
        self,
        replies: Sequence[Reply] | Callable[[list[dict[str, str]]], str],
        *,
        continues_answers: bool = False,
    ) -> None:
        if callable(replies):
            self._replies: list[Reply] = [replies]
        else:
            self._replies = list(replies)
        if not self._replies:
            raise ValueError("ScriptedChatModel needs at least one reply")
        self.calls: list[dict[str, Any]] = []
        self.continues_answers = continues_answers

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Completion:
        index = min(len(self.calls), len(self._replies) - 1)
        self.calls.append(
            {
                "messages": [dict(m) for m in messages],
                "schema": schema,
                "max_tokens": max_tokens,
                "temperature": temperature,
            }
        )
        reply = self._replies[index]
        text = reply(messages) if callable(reply) else reply
        prompt_words = sum(len(m.get("content", "").split()) for m in messages)
        usage = Usage(prompt_tokens=prompt_words, completion_tokens=len(text.split()))
        if self.continues_answers and messages and messages[-1]["role"] == "assistant":
            text = messages[-1]["content"] + text
        return Completion(text=text, usage=usage)
