"""`get_backend`: the one place that decides which LLM a run uses.

Order: the explicit `name` (a CLI flag) > env TOOLPATH_LLM > the config file's
[llm] backend > "embedded". The embedded model is loaded once per process and cached.
"""

from __future__ import annotations

import threading
from pathlib import Path

from toolpath.agent.llm.embedded import EmbeddedChatModel, LLMError
from toolpath.agent.llm.gguf import default_cache_dir, ensure_model
from toolpath.agent.llm.openai_backend import OpenAIChatModel
from toolpath.agent.llm.settings import BACKENDS, LLMSettings
from toolpath.planners.llm import ChatModel

_embedded: dict[tuple[str, int, int | None, str], EmbeddedChatModel] = {}
_lock = threading.Lock()


def get_backend(name: str | None = None, *, model_path: str | None = None) -> ChatModel:
    """The chat model for this run; `model_path` (a GGUF) overrides the embedded model.
    The openai backend talks to the first of its endpoints (`LLMSettings.endpoints`)."""
    settings = _settings(name, model_path=model_path)
    if settings.backend == "openai":
        return _openai_model(settings, settings.endpoints()[0])
    return embedded_model(settings)


def get_backends(name: str | None = None, *, base_urls: list[str] | None = None) -> list[ChatModel]:
    """The chat models of a parallel run: for the openai backend one per endpoint
    (`base_urls`, else $TOOLPATH_OPENAI_BASE_URLS, else the one base URL); else the one
    embedded model."""
    settings = _settings(name, base_urls=base_urls or None)
    if settings.backend == "openai":
        return [_openai_model(settings, url) for url in settings.endpoints()]
    return [embedded_model(settings)]


def _settings(name: str | None, **overrides: object) -> LLMSettings:
    """The LLM settings with the backend `name` (a CLI flag) and the given overrides."""
    chosen = {key: value for key, value in overrides.items() if value is not None}
    if name is not None:
        if name not in BACKENDS:
            raise ValueError(f"unknown LLM backend {name!r}; choose one of {', '.join(BACKENDS)}")
        chosen["backend"] = name
    return LLMSettings(**chosen)


def _openai_model(settings: LLMSettings, base_url: str | None) -> OpenAIChatModel:
    return OpenAIChatModel(
        base_url=base_url, api_key=settings.api_key, model=settings.model, timeout=settings.timeout
    )


def embedded_model(settings: LLMSettings | None = None) -> EmbeddedChatModel:
    """The process-wide embedded model for these settings (loaded on first use)."""
    settings = settings or LLMSettings()
    if settings.model_path:
        path = Path(settings.model_path).expanduser()
        if not path.is_file():
            raise LLMError(f"model file {str(path)!r} does not exist (from --model/TOOLPATH_MODEL)")
    else:
        path = ensure_model(settings.model_cache_dir)
    cache = None
    if settings.prompt_cache:
        cache = (
            Path(settings.model_cache_dir).expanduser()
            if settings.model_cache_dir
            else default_cache_dir()
        ) / "prompt-cache"
    key = (str(path.resolve()), settings.n_ctx, settings.threads, str(cache))
    with _lock:
        if key not in _embedded:
            _embedded[key] = EmbeddedChatModel(
                path, n_ctx=settings.n_ctx, threads=settings.threads, prompt_cache_dir=cache
            )
        return _embedded[key]
