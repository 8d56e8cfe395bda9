"""LoRA composition, LoraHub, AdaMerging and the `toolpath merge` command on tiny models."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

torch = pytest.importorskip("torch")
import typer  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from toolpath.agent.cli import merge_cmd  # noqa: E402
from toolpath.tools.merging import (  # noqa: E402
    PreflightError,
    apply_adapter,
    combine_adapters,
    lorahub_search,
    merge_models,
    merge_state_dicts,
)
from toolpath.tools.merging.adamerging import adamerging  # noqa: E402
from toolpath.tools.merging.synthetic import build_family, corpus_texts  # noqa: E402


@pytest.fixture(autouse=True)
def hash_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TOOLPATH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="module")
def family(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("learned")
    base, experts = build_family(root, experts=2, hidden_size=32, layers=2, delta_scale=0.05)
    return {"root": root, "base": base, "experts": experts}


def make_adapter(base: Path, out: Path, seed: int) -> Path:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(str(base))
    config = LoraConfig(
        r=4,
        lora_alpha=32,
        target_modules=["v_proj", "o_proj", "down_proj"],
        init_lora_weights=False,
    )
    get_peft_model(model, config).save_pretrained(str(out))
    return out


@pytest.fixture(scope="module")
def adapters(family) -> list[Path]:
    root = family["root"]
    return [make_adapter(family["base"], root / f"lora{i}", 10 + i) for i in range(2)]


def weights_of(model: Path) -> dict:
    return load_file(str(model / "model.safetensors"))


def test_lora_cat_composition_is_the_weighted_sum_of_updates(family, adapters, tmp_path):
    base = family["base"]
    combined = combine_adapters(
        base, adapters, tmp_path / "combined", weights=[0.7, 0.3], combination_type="cat"
    )
    assert (combined / "adapter_model.safetensors").is_file()
    merged = weights_of(apply_adapter(base, combined, tmp_path / "applied"))
    single = [
        weights_of(apply_adapter(base, a, tmp_path / f"one{i}")) for i, a in enumerate(adapters)
    ]
    original = weights_of(base)
    for name in ("model.layers.0.self_attn.v_proj.weight", "model.layers.1.mlp.down_proj.weight"):
        updates = [s[name] - original[name] for s in single]
        assert updates[0].abs().max() > 1e-3
        expected = original[name] + 0.7 * updates[0] + 0.3 * updates[1]
        torch.testing.assert_close(merged[name], expected, atol=1e-5, rtol=0)
    untouched = "model.layers.0.mlp.up_proj.weight"
    torch.testing.assert_close(merged[untouched], original[untouched])


def test_lora_linear_and_ties_combinations_run(family, adapters, tmp_path):
    for kind in ("linear", "ties"):
        out = combine_adapters(family["base"], adapters, tmp_path / kind, combination_type=kind)
        record = json.loads((out / "combination.json").read_text())
        assert record["combination_type"] == kind and record["weights"] == [0.5, 0.5]
    with pytest.raises(PreflightError, match="would overwrite input"):
        combine_adapters(family["base"], adapters, adapters[0])


def test_adapter_pickle_refused(family, adapters, tmp_path):
    import shutil

    pickled = tmp_path / "pickled"
    shutil.copytree(adapters[0], pickled)
    (pickled / "adapter_model.safetensors").rename(pickled / "adapter_model.bin")
    with pytest.raises(PreflightError, match=r"adapter_model\.bin is a pickle"):
        apply_adapter(family["base"], pickled, tmp_path / "out")


def test_lorahub_finds_weights_that_lower_the_loss(family, adapters, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = family["base"]
    teacher_dir = apply_adapter(base, adapters[0], tmp_path / "teacher")
    teacher = AutoModelForCausalLM.from_pretrained(str(teacher_dir))
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    examples = []
    for prompt in ("the quick brown", "model merging", "task arithmetic adds"):
        ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)["input_ids"]
        generated = teacher.generate(ids, max_new_tokens=6, do_sample=False, pad_token_id=3)
        examples.append({"input": prompt, "output": tokenizer.decode(generated[0, ids.shape[1] :])})
    result = lorahub_search(base, adapters, examples, tmp_path / "hub", budget=24, seed=0)
    assert result.loss < result.base_loss
    assert abs(result.weights[0]) > 0.1  # the composition (w A)(w B) is even in w
    saved = json.loads((tmp_path / "hub" / "lorahub.json").read_text())
    assert saved["weights"] == result.weights


def test_adamerging_lowers_entropy_in_memory(family):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base_dir, experts = family["base"], family["experts"]
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    inputs = tokenizer(corpus_texts(1), padding=True, return_tensors="pt")
    module = AutoModelForCausalLM.from_pretrained(str(base_dir))
    base = weights_of(base_dir)
    states = [weights_of(e) for e in experts]
    batch = {"input_ids": inputs["input_ids"], "attention_mask": inputs["attention_mask"]}
    result = adamerging(module, base, states, batch, steps=15, lr=0.1, granularity="layer")
    assert result.entropy_after < result.entropy_before
    assert len(result.coefficients) == len(result.groups) and len(result.coefficients[0]) == 2
    assert "layer0" in result.groups and "layer1" in result.groups
    assert all(0.0 <= c <= 1.0 for row in result.coefficients for c in row)
    merged = merge_state_dicts(
        "adamerging", states, base=base, params={"module": module, "inputs": batch, "steps": 2}
    )
    assert set(merged) == set(base)


def test_adamerging_on_disk_task_wise(family, tmp_path):
    result = merge_models(
        "adamerging",
        family["experts"],
        tmp_path / "ada",
        base=family["base"],
        params={"texts": corpus_texts(1), "granularity": "task", "steps": 10, "lr": 0.1},
    )
    assert result.card["entropy_after"] < result.card["entropy_before"]
    assert result.card["groups"] == ["all"]
    assert (tmp_path / "ada" / "model.safetensors").is_file()
    assert (tmp_path / "ada" / "tokenizer.json").is_file()


def cli_app() -> typer.Typer:
    app, bench = typer.Typer(), typer.Typer()
    merge_cmd.register(app, bench)
    app.add_typer(bench, name="bench")
    return app


def test_merge_command_json_and_errors(family, tmp_path):
    runner = CliRunner()
    experts = [str(e) for e in family["experts"]]
    args = ["merge", "--method", "ties", "--base", str(family["base"]), "--models", experts[0]]
    args += ["--models", experts[1], "--out", str(tmp_path / "cli")]
    args += ["--param", "density=0.3", "--param", "weights=1.0,0.5", "--json"]
    result = runner.invoke(cli_app(), args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["method"] == "ties"
    assert summary["card"]["params"] == {"density": 0.3, "weights": [1.0, 0.5]}
    bad = runner.invoke(
        cli_app(),
        ["merge", "--method", "ties", "--models", experts[0], "--out", str(tmp_path / "bad")],
    )
    assert bad.exit_code == 2
    assert "needs a base" in bad.output


def test_merge_command_takes_several_models_after_one_flag(family, tmp_path):
    experts = [str(e) for e in family["experts"]]
    args = ["merge", "--method", "linear", "--models", *experts[:2], "--out", str(tmp_path / "m")]
    result = CliRunner().invoke(cli_app(), [*args, "--json"])
    assert result.exit_code == 0, result.output
    roles = [entry["role"] for entry in json.loads(result.stdout)["card"]["inputs"]]
    assert roles.count("model") == 2
