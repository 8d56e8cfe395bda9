"""The openai backend: any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp)."""

from __future__ import annotations

import time
from typing import Any

from toolpath.planners.llm import Completion, Usage


class OpenAIChatModel:
    """A `ChatModel` over the openai client; JSON schemas go as `response_format`."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str = "gpt-4o-mini",
        timeout: float = 600.0,
    ) -> None:
        from openai import OpenAI

        # Local servers need no key, but the client insists on one.
        self._client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout)
        self.model = model
        self.base_url = base_url

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Completion:
        from openai import OpenAIError

        extra: dict[str, Any] = {}
        if schema is not None:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema},
            }
        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=temperature,
                **extra,
            )
        except OpenAIError as exc:
            where = self.base_url or "api.openai.com"
            raise RuntimeError(f"OpenAI-compatible server at {where} failed: {exc}") from exc
        seconds = time.perf_counter() - started
        usage = response.usage
        details = getattr(usage, "prompt_tokens_details", None) if usage else None
        return Completion(
            text=response.choices[0].message.content or "",
            usage=Usage(
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                seconds=seconds,
                cached_tokens=int(getattr(details, "cached_tokens", 0) or 0),
            ),
        )
