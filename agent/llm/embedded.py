"""The embedded backend: a GGUF run in-process by llama.cpp through xllamacpp.

xllamacpp wraps llama.cpp's own server: requests are OpenAI chat-completion dicts,
JSON-schema output is enforced by llguidance (compact JSON, fewer tokens), and the server keeps
the previous prompt's KV cache so a request that starts like the last one (same system
message with the tool docs) only evaluates the new tokens. The server also listens on
127.0.0.1 (an ephemeral port), which `base_url` exposes for OpenAI clients.
"""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path
from typing import Any

from planners.llm import Completion, Usage

MODEL_ALIAS = "toolpath-embedded"


class LLMError(RuntimeError):
    """The model could not be loaded or a completion failed."""


def machine_threads() -> int:
    """CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with llguidance told to emit JSON without optional whitespace."""
    compact = copy.deepcopy(schema)
    compact.setdefault("x-guidance", {"whitespace_flexible": False})
    return compact


class EmbeddedChatModel:
    """A `ChatModel` over a local GGUF; load it once and reuse it."""

    def __init__(
        self,
        model_path: str | Path,
        *,
        n_ctx: int = 4096,
        threads: int | None = None,
        verbose: bool = False,
    ) -> None:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise LLMError(f"model file {str(path)!r} does not exist")
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.model_alias = MODEL_ALIAS
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.port = 0
        n_threads = threads or machine_threads()
        params.cpuparams.n_threads = n_threads
        params.cpuparams_batch.n_threads = n_threads
        params.warmup = False
        if not verbose:
            params.verbosity = -1
        started = time.perf_counter()
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:
            raise LLMError(f"llama.cpp could not load {str(path)!r}: {exc}") from exc
        self.load_seconds = time.perf_counter() - started
        self.model_path = path
        self.n_ctx = n_ctx
        self.threads = n_threads
        self._grammars: dict[str, str] = {}
        self.last_timings: dict[str, float] = {}  # llama.cpp's timings of the last request

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible HTTP endpoint of this in-process server (…/v1)."""
        return self._server.listening_address.rstrip("/") + "/v1"

    def _grammar(self, schema: dict[str, Any]) -> str:
        """llguidance grammar for the schema, compact JSON (no optional whitespace)."""
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            import xllamacpp

            try:
                self._grammars[key] = xllamacpp.json_schema_to_grammar(compact_schema(schema))
            except Exception as exc:
                raise LLMError(f"JSON schema not supported by llama.cpp: {exc}") from exc
        return self._grammars[key]

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Completion:
        request: dict[str, Any] = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "cache_prompt": True,
        }
        if temperature <= 0:
            request["top_k"] = 1
        if schema is not None:
            request["grammar"] = self._grammar(schema)
        started = time.perf_counter()
        result = self._server.handle_chat_completions(request)
        seconds = time.perf_counter() - started
        if not isinstance(result, dict) or "choices" not in result:
            raise LLMError(f"llama.cpp completion failed: {_error_text(result)}")
        usage = result.get("usage", {})
        self.last_timings = dict(result.get("timings") or {})
        return Completion(
            text=result["choices"][0]["message"].get("content") or "",
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens", 0)),
                completion_tokens=int(usage.get("completion_tokens", 0)),
                seconds=seconds,
                cached_tokens=int(
                    (usage.get("prompt_tokens_details") or {}).get("cached_tokens", 0)
                ),
            ),
        )


def _error_text(result: Any) -> str:
    if isinstance(result, dict) and "error" in result:
        error = result["error"]
        return error.get("message", str(error)) if isinstance(error, dict) else str(error)
    return str(result)[:300]
