"""The embedded backend: a GGUF run in-process by llama.cpp through xllamacpp.

xllamacpp wraps llama.cpp's own server: requests are OpenAI chat-completion dicts,
JSON-schema output is enforced by llguidance (compact JSON, fewer tokens), and the server keeps
the previous prompt's KV cache so a request that starts like the last one (same system
message with the tool docs) only evaluates the new tokens. The server also listens on
127.0.0.1 (an ephemeral port), which `base_url` exposes for OpenAI clients.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from toolpath.planners.llm import Completion, Usage
from toolpath.tools.extras import require

log = logging.getLogger(__name__)
MODEL_ALIAS = "toolpath-embedded"
PROMPT_CACHE_FILES = 8  # saved KV states kept on disk (one per distinct system message)


class LLMError(RuntimeError):
    """The model could not be loaded or a completion failed."""


def machine_threads() -> int:
    """CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """The cores not already busy (at least one).

    llama.cpp's threads meet at a barrier for every token, so on an oversubscribed machine
    one descheduled thread stalls the others: measured here under a load average of ~9 on
    2 cores, 1 thread generated 7.4 tokens/s and 2 threads 0.65 tokens/s.
    """
    cores = machine_threads()
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return cores
    return max(1, min(cores, int(cores - load + 0.5)))


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with llguidance told to emit JSON without optional whitespace."""
    compact = copy.deepcopy(schema)
    compact.setdefault("x-guidance", {"whitespace_flexible": False})
    return compact


class EmbeddedChatModel:
    """A `ChatModel` over a local GGUF; load it once and reuse it. It continues a last
    assistant message (llama.cpp's server prefills it), the text returned whole."""

    continues_answers = True

    def __init__(
        self,
        model_path: str | Path,
        *,
        n_ctx: int = 4096,
        threads: int | None = None,
        prompt_cache_dir: str | Path | None = None,
        verbose: bool = False,
    ) -> None:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise LLMError(f"model file {str(path)!r} does not exist")
        xllamacpp = require("xllamacpp", "embedded")
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.model_alias = MODEL_ALIAS
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.hostnames = ["127.0.0.1"]  # loopback only, whatever the binding's default
        params.port = 0
        n_threads = threads or default_threads()
        params.cpuparams.n_threads = n_threads
        params.cpuparams_batch.n_threads = n_threads
        params.warmup = False
        self.prompt_cache_dir = Path(prompt_cache_dir).expanduser() if prompt_cache_dir else None
        if self.prompt_cache_dir is not None:
            self.prompt_cache_dir.mkdir(parents=True, exist_ok=True)
            params.slot_save_path = str(self.prompt_cache_dir) + os.sep
        if not verbose:
            params.verbosity = -1
        started = time.perf_counter()
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:
            raise LLMError(f"llama.cpp could not load {str(path)!r}: {exc}") from exc
        self.load_seconds = time.perf_counter() - started
        log.info("llama.cpp loaded %s in %.1f s", path.name, self.load_seconds)
        self.model_path = path
        self.n_ctx = n_ctx
        self.threads = n_threads
        self._grammars: dict[str, str] = {}
        self.last_timings: dict[str, float] = {}  # llama.cpp's timings of the last request
        self._slot_prefix: str | None = None  # key of the system message now in the KV cache
        self._lock = threading.Lock()  # one slot: restore, complete and save go together
        self._model_id = f"{path.resolve()}:{path.stat().st_size}:{n_ctx}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible HTTP endpoint of this in-process server (…/v1)."""
        return self._server.listening_address.rstrip("/") + "/v1"

    def _grammar(self, schema: dict[str, Any]) -> str:
        """llguidance grammar for the schema, compact JSON (no optional whitespace)."""
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            xllamacpp = require("xllamacpp", "embedded")
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
        key = self._prefix_key(messages)
        with self._lock:
            started = time.perf_counter()
            self._restore_prefix(key)
            try:
                result = self._server.handle_chat_completions(request)
            except Exception as exc:  # the binding raises on malformed requests
                raise LLMError(f"llama.cpp completion failed: {exc}") from exc
            seconds = time.perf_counter() - started
            if isinstance(result, dict) and "choices" in result:
                self._save_prefix(key)
        if not isinstance(result, dict) or "choices" not in result:
            raise LLMError(f"llama.cpp completion failed: {_error_text(result)}")
        usage = result.get("usage", {})
        self.last_timings = dict(result.get("timings") or {})
        return Completion(
            text=_whole_message(messages, result["choices"][0]["message"].get("content") or ""),
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens", 0)),
                completion_tokens=int(usage.get("completion_tokens", 0)),
                seconds=seconds,
                cached_tokens=int(
                    (usage.get("prompt_tokens_details") or {}).get("cached_tokens", 0)
                ),
            ),
        )

    # -- the system message's KV state, kept on disk across processes --------------------
    def _prefix_key(self, messages: list[dict[str, str]]) -> str | None:
        if self.prompt_cache_dir is None or not messages or messages[0].get("role") != "system":
            return None
        text = f"{self._model_id}\n{messages[0].get('content', '')}"
        return "prefix-" + hashlib.sha256(text.encode()).hexdigest()[:24] + ".bin"

    def _slot_action(self, action: str, filename: str) -> bool:
        """POST /slots/0?action=save|restore on the in-process server; False on failure."""
        url = f"{self._server.listening_address.rstrip('/')}/slots/0?action={action}"
        body = json.dumps({"filename": filename}).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def _restore_prefix(self, key: str | None) -> None:
        """Load the saved KV state of this system message unless it is already loaded."""
        if key is None or key == self._slot_prefix:
            return
        saved = self.prompt_cache_dir / key  # type: ignore[operator]
        if saved.is_file():
            if self._slot_action("restore", key):
                os.utime(saved)
            else:
                saved.unlink(missing_ok=True)  # stale or from another build: drop it

    def _save_prefix(self, key: str | None) -> None:
        """Save the slot once per system message (atomically: temp name, then rename)."""
        if key is None:
            return
        self._slot_prefix = key
        target = self.prompt_cache_dir / key  # type: ignore[operator]
        if target.is_file():
            return
        temp = f"tmp-{os.getpid()}-{key}"
        if self._slot_action("save", temp):
            os.replace(self.prompt_cache_dir / temp, target)  # type: ignore[operator]
            self._prune()
        else:
            (self.prompt_cache_dir / temp).unlink(missing_ok=True)  # type: ignore[operator]

    def _prune(self) -> None:
        files = sorted(
            self.prompt_cache_dir.glob("prefix-*.bin"),  # type: ignore[union-attr]
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in files[PROMPT_CACHE_FILES:]:
            old.unlink(missing_ok=True)


def _whole_message(messages: list[dict[str, str]], text: str) -> str:
    """The completion as the whole assistant message: a continued one with its start."""
    start = messages[-1].get("content", "") if messages[-1].get("role") == "assistant" else ""
    return text if text.startswith(start) else start + text


def _error_text(result: Any) -> str:
    if isinstance(result, dict) and "error" in result:
        error = result["error"]
        return error.get("message", str(error)) if isinstance(error, dict) else str(error)
    return str(result)[:300]
