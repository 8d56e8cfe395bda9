"""One slot for the LLM: calls wait their turn in order, and anyone can ask where they stand.

The embedded model answers one prompt at a time; several chats and runs share it. Each
caller is labelled (the run id or the chat id, through a context variable) so the API and
the page can show a run's place in the queue.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any

from toolpath.planners.llm import ChatModel, Completion

current_label: contextvars.ContextVar[str] = contextvars.ContextVar(
    "toolpath_llm_label", default=""
)


class LLMQueue:
    """A `ChatModel` that lets one call through at a time, first come first served."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model
        self._cond = threading.Condition()
        self._waiting: list[tuple[object, str]] = []
        self._busy: str | None = None

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Completion:
        self._acquire(current_label.get())
        try:
            return self.model.complete(
                messages, schema=schema, max_tokens=max_tokens, temperature=temperature
            )
        finally:
            self._release()

    def _acquire(self, label: str) -> None:
        ticket = object()
        with self._cond:
            self._waiting.append((ticket, label))
            while self._busy is not None or self._waiting[0][0] is not ticket:
                self._cond.wait()
            self._waiting.pop(0)
            self._busy = label

    def _release(self) -> None:
        with self._cond:
            self._busy = None
            self._cond.notify_all()

    def position(self, label: str) -> int | None:
        """0 while `label` holds the slot, n when n-th in line, None when not asking."""
        with self._cond:
            if self._busy == label:
                return 0
            for index, (_, waiting) in enumerate(self._waiting, start=1):
                if waiting == label:
                    return index
            return None

    def snapshot(self) -> dict[str, Any]:
        with self._cond:
            return {"busy": self._busy, "waiting": [label for _, label in self._waiting]}
