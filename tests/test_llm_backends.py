"""Backend selection and settings, the GGUF assembly, and the scripted model."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from toolpath.agent.llm import gguf
from toolpath.agent.llm.backends import get_backend, get_backends
from toolpath.agent.llm.embedded import LLMError, compact_schema
from toolpath.agent.llm.openai_backend import OpenAIChatModel
from toolpath.agent.llm.settings import ConfigFileError, LLMSettings
from toolpath.planners.llm import ChatModel, ScriptedChatModel


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in (
        "TOOLPATH_LLM",
        "TOOLPATH_MODEL",
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_MODEL",
        "TOOLPATH_MODEL_CACHE",
        "TOOLPATH_OPENAI_BASE_URLS",
    ):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("TOOLPATH_CONFIG", str(config))
    return config


def test_precedence_flag_env_config_default(clean_env: Path, monkeypatch) -> None:
    assert LLMSettings().backend == "embedded"
    clean_env.write_text('[llm]\nbackend = "openai"\nmodel = "from-config"\n')
    assert LLMSettings().backend == "openai" and LLMSettings().model == "from-config"
    monkeypatch.setenv("TOOLPATH_LLM", "embedded")
    assert LLMSettings().backend == "embedded"
    assert LLMSettings(backend="openai").backend == "openai"


def test_openai_backend_reads_env(clean_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("TOOLPATH_LLM", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_MODEL", "tiny")
    backend = get_backend()
    assert isinstance(backend, OpenAIChatModel) and isinstance(backend, ChatModel)
    assert backend.model == "tiny" and backend.base_url == "http://127.0.0.1:9/v1"


def test_several_openai_endpoints_one_model_each(clean_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert [m.base_url for m in get_backends("openai")] == ["http://127.0.0.1:9/v1"]
    monkeypatch.setenv("TOOLPATH_OPENAI_BASE_URLS", "http://127.0.0.1:7/v1, http://127.0.0.1:8/v1")
    urls = ["http://127.0.0.1:7/v1", "http://127.0.0.1:8/v1"]
    assert [m.base_url for m in get_backends("openai")] == urls
    assert get_backend("openai").base_url == urls[0]  # one model: the first endpoint
    only = get_backends("openai", base_urls=["http://127.0.0.1:6/v1"])  # a flag beats the env
    assert [m.base_url for m in only] == ["http://127.0.0.1:6/v1"]
    clean_env.write_text('[llm]\nbase_urls = ["http://127.0.0.1:5/v1"]\n')
    monkeypatch.delenv("TOOLPATH_OPENAI_BASE_URLS")
    assert LLMSettings().endpoints() == ["http://127.0.0.1:5/v1"]


def test_clear_errors(clean_env: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown LLM backend 'gpt'"):
        get_backend("gpt")
    with pytest.raises(LLMError, match="does not exist"):
        get_backend("embedded", model_path=str(tmp_path / "missing.gguf"))
    clean_env.write_text("[llm\n")
    with pytest.raises(ConfigFileError, match="not valid TOML"):
        LLMSettings()


def test_compact_schema_leaves_the_original_alone() -> None:
    schema = {"type": "object", "properties": {}}
    compact = compact_schema(schema)
    assert compact["x-guidance"] == {"whitespace_flexible": False}
    assert "x-guidance" not in schema


def parts(tmp_path: Path) -> list[Path]:
    paths = []
    for i, data in enumerate([b"GGUF-head-", b"middle-", b"tail"]):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_assembly_checks_the_hash(tmp_path: Path) -> None:
    good = hashlib.sha256(b"GGUF-head-middle-tail").hexdigest()
    target = tmp_path / "cache" / "model.gguf"
    gguf.concatenate_verified(parts(tmp_path), target, good)
    assert target.read_bytes() == b"GGUF-head-middle-tail"


def test_hash_mismatch_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "model.gguf"
    with pytest.raises(gguf.ModelFileError, match="expected 0000"):
        gguf.concatenate_verified(parts(tmp_path), target, "0" * 64)
    assert list(target.parent.iterdir()) == []


def test_chunk_packages_are_found() -> None:
    paths = gguf.part_paths()
    assert len(paths) == gguf.N_PARTS
    assert paths[0].read_bytes()[:4] == b"GGUF"


def test_cache_dir_follows_the_env_var(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(gguf.CACHE_ENV, str(tmp_path / "models"))
    assert gguf.default_cache_dir() == tmp_path / "models"


def test_scripted_model_replays_and_records() -> None:
    llm = ScriptedChatModel(["a", "b"])
    texts = [llm.complete([{"role": "user", "content": "hi"}], max_tokens=5).text for _ in range(3)]
    assert texts == ["a", "b", "b"]
    assert llm.calls[0]["max_tokens"] == 5 and len(llm.calls) == 3
    echo = ScriptedChatModel(lambda messages: messages[-1]["content"].upper())
    assert echo.complete([{"role": "user", "content": "hi"}]).text == "HI"


def test_a_continued_message_comes_back_whole() -> None:
    """The embedded backend's text is the whole assistant message whether or not the
    server echoed the start it continued."""
    from toolpath.agent.llm.embedded import _whole_message

    asked = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Needs: x"}]
    assert _whole_message(asked, "Needs: x\ny") == "Needs: x\ny"
    assert _whole_message(asked, "\ny") == "Needs: x\ny"
    assert _whole_message(asked[:1], "hello") == "hello"
