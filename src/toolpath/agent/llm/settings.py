"""LLM settings: constructor arguments > environment > config file > defaults.

Environment: TOOLPATH_LLM (backend), TOOLPATH_MODEL (a GGUF path), TOOLPATH_MODEL_CACHE,
TOOLPATH_LLM_CTX, TOOLPATH_LLM_THREADS, TOOLPATH_PROMPT_CACHE (0 to keep no KV state on
disk), OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL, TOOLPATH_OPENAI_BASE_URLS (several
endpoints serving that model, comma-separated: parallel runs spread over them).
Config file: TOML at $TOOLPATH_CONFIG, else ~/.config/toolpath/config.toml, table [llm]
with the field names below (backend, model_path, base_url, api_key, model, ...); table
[workspace] with `roots`, folders the tools may use besides the defaults.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

BACKENDS = ("embedded", "openai")
CONFIG_ENV = "TOOLPATH_CONFIG"


def config_path() -> Path:
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "toolpath" / "config.toml"


class ConfigFileError(ValueError):
    """The config file exists but cannot be read."""


def config_roots() -> list[Path]:
    """The folders `[workspace] roots = [...]` in the config file adds to the workspace."""
    path = config_path()
    if not path.is_file():
        return []
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("workspace", {})
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigFileError(f"config file {str(path)!r} is not valid TOML: {exc}") from exc
    roots = table.get("roots", [])
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        raise ConfigFileError(f"config file {str(path)!r}: [workspace] roots is a list of paths")
    return [Path(r).expanduser() for r in roots]


class _LLMTableSource(PydanticBaseSettingsSource):
    """The [llm] table of the toolpath config file (absent file: nothing)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = config_path()
        self._values: dict[str, Any] = {}
        if path.is_file():
            try:
                self._values = dict(tomllib.loads(path.read_text(encoding="utf-8")).get("llm", {}))
            except (tomllib.TOMLDecodeError, OSError) as exc:
                message = f"config file {str(path)!r} is not valid TOML: {exc}"
                raise ConfigFileError(message) from exc

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        names = set(self.settings_cls.model_fields)
        return {k: v for k, v in self._values.items() if k in names}


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class LLMSettings(BaseSettings):
    """Which backend, which model, where to find it."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    backend: Literal["embedded", "openai"] = Field(
        "embedded", validation_alias=_env("backend", "TOOLPATH_LLM")
    )
    # embedded
    model_path: str | None = Field(None, validation_alias=_env("model_path", "TOOLPATH_MODEL"))
    model_cache_dir: str | None = Field(
        None, validation_alias=_env("model_cache_dir", "TOOLPATH_MODEL_CACHE")
    )
    n_ctx: int = Field(4096, ge=512, validation_alias=_env("n_ctx", "TOOLPATH_LLM_CTX"))
    threads: int | None = Field(
        None, ge=1, validation_alias=_env("threads", "TOOLPATH_LLM_THREADS")
    )
    prompt_cache: bool = Field(
        True, validation_alias=_env("prompt_cache", "TOOLPATH_PROMPT_CACHE")
    )  # keep the tool docs' KV state on disk, so a new process starts warm
    # openai
    base_url: str | None = Field(None, validation_alias=_env("base_url", "OPENAI_BASE_URL"))
    base_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("base_urls", "TOOLPATH_OPENAI_BASE_URLS")
    )  # several endpoints of one model, used in place of base_url
    api_key: str | None = Field(None, validation_alias=_env("api_key", "OPENAI_API_KEY"))
    model: str = Field("gpt-4o-mini", validation_alias=_env("model", "OPENAI_MODEL"))
    timeout: float = Field(600.0, gt=0, validation_alias=_env("timeout", "TOOLPATH_LLM_TIMEOUT"))

    @field_validator("base_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: Any) -> Any:
        """The environment's comma-separated form becomes a list."""
        if isinstance(value, str):
            return [url.strip() for url in value.split(",") if url.strip()]
        return value

    def endpoints(self) -> list[str | None]:
        """The OpenAI-compatible endpoints: `base_urls`, else `base_url` (None: OpenAI's)."""
        return list(self.base_urls) or [self.base_url]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _LLMTableSource(settings_cls)
