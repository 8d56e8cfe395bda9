"""Merge tools load local safetensors only: a model folder whose weights are a pickle
`.bin` is refused before anything unpickles it (and nothing is fetched from a hub)."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
peft = pytest.importorskip("peft")

from toolpath.tools.merging.lora import apply_adapter, load_base  # noqa: E402
from toolpath.tools.merging.preflight import PreflightError  # noqa: E402


def _tiny_model():
    config = transformers.LlamaConfig(
        vocab_size=32,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
    )
    torch.manual_seed(0)
    return transformers.LlamaForCausalLM(config)


def _pickle_only(folder: Path) -> Path:
    """A model folder as older tools wrote it: config.json + pytorch_model.bin, no safetensors."""
    model = _tiny_model()
    folder.mkdir()
    model.config.save_pretrained(str(folder))
    torch.save(model.state_dict(), folder / "pytorch_model.bin")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "pytorch_model.bin"]
    return folder


@pytest.fixture()
def no_unpickling(monkeypatch):
    """Fail the test if anything calls torch.load."""
    calls: list = []
    real = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: calls.append(a) or real(*a, **k))
    yield calls
    assert calls == [], "a pickle checkpoint was loaded"


def test_a_pickle_only_base_is_refused(tmp_path, no_unpickling):
    base = _pickle_only(tmp_path / "base")
    with pytest.raises(PreflightError, match="safetensors"):
        load_base(base)


def test_applying_an_adapter_to_a_pickle_only_base_is_refused(tmp_path, no_unpickling):
    adapter = tmp_path / "adapter"
    lora = peft.LoraConfig(r=2, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    peft.get_peft_model(_tiny_model(), lora).save_pretrained(str(adapter))
    base = _pickle_only(tmp_path / "base")
    with pytest.raises(PreflightError, match="pickle"):
        apply_adapter(base, adapter, tmp_path / "out")
    assert not (tmp_path / "out").exists()
