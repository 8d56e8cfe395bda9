"""Merging on tiny Llama models built here: exact references, pre-flight errors, cards."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

torch = pytest.importorskip("torch")
from safetensors.torch import load_file, save_file  # noqa: E402

from toolpath.tools.merging import (  # noqa: E402
    METHODS,
    MergeParameterError,
    PreflightError,
    merge_models,
    merge_state_dicts,
    preflight,
)
from toolpath.tools.merging.fast_ties import (  # noqa: E402
    kth_largest,
    magnitude_sparsify,
    topk_magnitude_mask,
)
from toolpath.tools.merging.synthetic import build_family, save_state_dict  # noqa: E402

GRID = 2.0**-12  # base values on this grid and deltas on 2^-16 keep the arithmetic exact


def grid_experts(root: Path, base_dir: Path, count: int) -> tuple[Path, list[Path]]:
    """A base on a coarse grid and experts whose deltas have distinct magnitudes.

    Every delta is exactly representable and no two magnitudes in a tensor are equal, so
    the top-k set is unique and an independent TIES must agree to float rounding.
    """
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(str(base_dir))
    state = load_file(str(base_dir / "model.safetensors"))
    base = {k: torch.round(v / GRID) * GRID for k, v in state.items()}
    tokenizer = root / "tokenizer"
    base_path = save_state_dict(base, config, root / "gbase", tokenizer)
    experts = []
    for index in range(count):
        generator = torch.Generator().manual_seed(100 + index)
        expert = {}
        for name, tensor in base.items():
            n = tensor.numel()
            magnitudes = (torch.randperm(n, generator=generator) + 1).to(torch.float32)
            signs = torch.randint(0, 2, (n,), generator=generator) * 2 - 1
            expert[name] = tensor + (magnitudes * signs * 2.0**-16).reshape(tensor.shape)
        experts.append(save_state_dict(expert, config, root / f"gexpert{index}", tokenizer))
    return base_path, experts


@pytest.fixture(autouse=True)
def hash_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TOOLPATH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="module")
def family(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("family")
    base, experts = build_family(root, experts=3, hidden_size=32, layers=2)
    gbase, gexperts = grid_experts(root, base, 3)
    return {"root": root, "base": base, "experts": experts, "gbase": gbase, "gexperts": gexperts}


def load(model: Path) -> dict:
    return load_file(str(model / "model.safetensors"))


def reference_ties(base, experts, weights, densities, scale=1.0):
    """TIES from the paper, by full sort: trim, elect sign, disjoint weighted mean."""
    if not isinstance(densities, list):
        densities = [densities] * len(experts)
    out = {}
    for name, theta0 in base.items():
        trimmed = []
        for expert, density in zip(experts, densities, strict=True):
            tau = (expert[name] - theta0).reshape(-1)
            keep = max(1, int(density * tau.numel()))
            order = torch.sort(tau.abs(), descending=True, stable=True).indices[:keep]
            kept = torch.zeros_like(tau)
            kept[order] = tau[order]
            trimmed.append(kept)
        weighted = [w * t for w, t in zip(weights, trimmed, strict=True)]
        sign = torch.where(sum(weighted) >= 0, 1.0, -1.0)
        numerator = torch.zeros_like(sign)
        denominator = torch.zeros_like(sign)
        for w, t in zip(weights, weighted, strict=True):
            agree = (torch.sign(t) == sign).float()
            numerator += t * agree
            denominator += w * agree
        denominator[denominator == 0] = 1
        out[name] = theta0 + scale * (numerator / denominator).reshape(theta0.shape)
    return out


def assert_close(actual: dict, expected: dict, atol: float = 1e-6) -> None:
    assert set(actual) == set(expected)
    for name in expected:
        torch.testing.assert_close(actual[name].float(), expected[name].float(), atol=atol, rtol=0)


def test_ties_on_disk_matches_independent_reference(family, tmp_path):
    weights = [1.0, 0.5, 0.8]
    result = merge_models(
        "ties",
        family["gexperts"],
        tmp_path / "ties",
        base=family["gbase"],
        params={"weights": weights, "density": 0.4},
    )
    expected = reference_ties(
        load(family["gbase"]), [load(e) for e in family["gexperts"]], weights, 0.4
    )
    assert_close(load(result.out), expected)


def test_fast_ties_matches_mergekit_ties_in_memory(family):
    base = load(family["gbase"])
    experts = [load(e) for e in family["gexperts"]]
    params = {"weights": [1.0, 0.7, 0.4], "density": [0.3, 0.5, 0.7], "lambda": 0.9}
    fast = merge_state_dicts("ties", experts, base=base, params=params)
    mergekit = merge_state_dicts(
        "ties", experts, base=base, params={**params, "implementation": "mergekit"}
    )
    assert_close(fast, mergekit)
    assert_close(fast, reference_ties(base, experts, [1.0, 0.7, 0.4], [0.3, 0.5, 0.7], 0.9))


def test_topk_mask_keeps_exact_count_with_ties():
    tensor = torch.tensor([3.0, -1.0, 1.0, 1.0, -1.0, 0.0, 2.0, 1.0])
    mask = topk_magnitude_mask(tensor, 0.5)  # keep 4 of 8: 3, 2 and two of the 1s
    assert int(mask.sum()) == 4
    assert mask[0] and mask[6]
    assert torch.equal(magnitude_sparsify(tensor, 1.0, False), tensor)
    assert int((magnitude_sparsify(tensor, 0.25, False) != 0).sum()) == 2


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_16_bit_topk_mask_equals_the_float32_selection(dtype):
    """The bit-pattern histogram path keeps the same elements as the float32 radix
    selection, ties at the threshold included (first in index order, across chunks)."""
    generator = torch.Generator().manual_seed(3)
    for size, density in [(200_003, 0.3), (70_000, 0.9), (1000, 0.05), (9, 0.5)]:
        delta = (torch.randn(size, generator=generator) * 0.01).to(dtype)
        delta[::13] = 0
        keep = max(1, int(density * size))
        magnitude = delta.abs().float()
        threshold, greater, _ = kth_largest(magnitude, keep)
        expected = magnitude > threshold
        expected[torch.nonzero(magnitude == threshold).reshape(-1)[: keep - greater]] = True
        mask = topk_magnitude_mask(delta, density)
        assert torch.equal(mask, expected) and int(mask.sum()) == keep


def test_fast_ties_equals_mergekit_bit_for_bit_on_tie_free_bf16():
    """bf16 task vectors with distinct magnitudes (no ties at any threshold): the fast
    TIES (16-bit selection, mask multiply) and mergekit's sort-based one agree exactly."""
    generator = torch.Generator().manual_seed(5)

    def distinct(count: int) -> torch.Tensor:
        patterns = torch.randperm(0x0F00, generator=generator)[:count] + 0x3000
        signs = torch.randint(0, 2, (count,), generator=generator, dtype=torch.int16) << 15
        return (patterns.to(torch.int16) | signs).view(torch.bfloat16)

    shapes = {"a.weight": (48, 40), "b.weight": (700,)}
    base = {name: torch.zeros(shape, dtype=torch.bfloat16) for name, shape in shapes.items()}
    experts = [
        {name: distinct(math.prod(shape)).reshape(shape) for name, shape in shapes.items()}
        for _ in range(3)
    ]
    params = {"weights": [1.0, 0.5, 0.75], "density": [0.3, 0.5, 0.8]}
    fast = merge_state_dicts("ties", experts, base=base, params=params)
    reference = merge_state_dicts(
        "ties", experts, base=base, params={**params, "implementation": "mergekit"}
    )
    for name in shapes:
        assert fast[name].dtype == reference[name].dtype == torch.bfloat16
        assert torch.equal(fast[name], reference[name]), name


def test_blockwise_16_bit_ties_equals_the_whole_tensor_arithmetic(monkeypatch):
    """Blocks smaller than the tensor (threshold ties crossing block edges) change no bit:
    the 16-bit TIES equals the same arithmetic done on whole float32 task vectors."""
    from toolpath.tools.merging import fast_ties

    generator = torch.Generator().manual_seed(9)
    base = torch.randn(50, 70, generator=generator).to(torch.bfloat16)
    others = [
        (base.float() + 0.01 * torch.randn(50, 70, generator=generator)).to(torch.bfloat16)
        for _ in range(3)
    ]
    weights, densities = [1.0, 0.7, 0.4], [0.3, 0.5, 0.9]
    rounded = [float(torch.tensor(w, dtype=torch.bfloat16)) for w in weights]
    trimmed = [
        (magnitude_sparsify(other - base, density, False) * w).float()
        for other, w, density in zip(others, rounded, densities, strict=True)
    ]
    whole = fast_ties._elect_and_mean(base, trimmed, rounded, True, 0.9)
    for block in (7, 256, 1 << 17):
        monkeypatch.setattr(fast_ties, "BLOCK", block)
        merged = fast_ties.ties_tensor(base, others, weights, densities, scale=0.9)
        assert torch.equal(merged.view(torch.int16), whole.view(torch.int16)), block


def test_task_arithmetic_matches_reference(family, tmp_path):
    base, experts = load(family["base"]), [load(e) for e in family["experts"]]
    weights = [0.5, 0.3, 0.2]
    expected = {
        name: base[name]
        + sum(w * (e[name] - base[name]) for w, e in zip(weights, experts, strict=True))
        for name in base
    }
    in_memory = merge_state_dicts(
        "task_arithmetic", experts, base=base, params={"weights": weights}
    )
    assert_close(in_memory, expected)
    result = merge_models(
        "task_arithmetic",
        family["experts"],
        tmp_path / "ta",
        base=family["base"],
        params={"weights": weights},
    )
    assert_close(load(result.out), expected)


@pytest.mark.parametrize(
    "method", ["linear", "dare_ties", "dare_linear", "breadcrumbs", "model_stock", "della"]
)
def test_mergekit_methods_in_memory(family, method):
    base, experts = load(family["base"]), [load(e) for e in family["experts"]]
    merged = merge_state_dicts(method, experts, base=base, params={"seed": 3})
    assert set(merged) == set(base)
    for name, tensor in merged.items():
        assert tensor.shape == base[name].shape
        assert torch.isfinite(tensor).all()
    if method == "linear":
        mean = {n: sum(e[n] for e in experts) / 3 for n in base}
        assert_close(merged, mean)


def test_slerp_endpoints(family):
    base, expert = load(family["base"]), load(family["experts"][0])
    at_zero = merge_state_dicts("slerp", [expert], base=base, params={"t": 0.0})
    at_one = merge_state_dicts("slerp", [expert], base=base, params={"t": 1.0})
    assert_close(at_zero, base, atol=1e-5)
    assert_close(at_one, expert, atol=1e-5)


def test_metrics_weighted_uses_scores(family, tmp_path):
    experts = [load(e) for e in family["experts"]]
    metrics = []
    for index, accuracy in enumerate([0.6, 0.3, 0.1]):
        path = tmp_path / f"metrics{index}.json"
        path.write_text(json.dumps({"metrics": {"accuracy": accuracy}}))
        metrics.append(str(path))
    result = merge_models(
        "metrics_weighted", family["experts"], tmp_path / "mw", params={"metrics": metrics}
    )
    assert result.card["weights"] == pytest.approx([0.6, 0.3, 0.1])
    expected = {
        n: 0.6 * experts[0][n] + 0.3 * experts[1][n] + 0.1 * experts[2][n] for n in experts[0]
    }
    assert_close(load(result.out), expected, atol=1e-5)
    soft = merge_state_dicts(
        "metrics_weighted", experts, params={"scores": [1.0, 1.0, 1.0], "scheme": "softmax"}
    )
    assert_close(soft, {n: sum(e[n] for e in experts) / 3 for n in experts[0]}, atol=1e-5)


def test_card_atomic_output_and_rerun(family, tmp_path):
    out = tmp_path / "merged"
    first = merge_models("linear", family["experts"][:2], out)
    card = json.loads((out / "merge_card.json").read_text())
    assert card["method"] == "linear" and card == first.card
    assert [e["role"] for e in card["inputs"]] == ["model", "model"]
    assert all(len(e.get("blake3") or e["sha256"]) == 64 for e in card["inputs"])
    assert card["toolpath_version"] and card["mergekit_version"]
    second = merge_models("linear", family["experts"][:2], out, params={"weights": [1.0, 3.0]})
    assert second.card["params"] == {"weights": [1.0, 3.0]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["merged"]  # no temp dirs left
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("keep me")
    with pytest.raises(PreflightError, match="not a toolpath merge output"):
        merge_models("linear", family["experts"][:2], tmp_path / "foreign")


def copy_model(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_preflight_errors_name_the_offender(family, tmp_path):
    base, expert = family["base"], family["experts"][0]
    with pytest.raises(PreflightError, match="not found"):
        preflight([tmp_path / "nope"], base)

    pickled = copy_model(expert, tmp_path / "pickled")
    (pickled / "model.safetensors").rename(pickled / "pytorch_model.bin")
    with pytest.raises(PreflightError, match=r"pytorch_model\.bin is a pickle"):
        preflight([pickled], base)

    reshaped = copy_model(expert, tmp_path / "reshaped")
    state = load(reshaped)
    state["model.layers.1.mlp.up_proj.weight"] = state["model.layers.1.mlp.up_proj.weight"][:-1]
    save_file(state, str(reshaped / "model.safetensors"))
    with pytest.raises(PreflightError, match=r"'model\.layers\.1\.mlp\.up_proj\.weight' has shape"):
        preflight([reshaped], base)

    missing = copy_model(expert, tmp_path / "missing")
    state = load(missing)
    del state["model.norm.weight"]
    save_file(state, str(missing / "model.safetensors"))
    with pytest.raises(PreflightError, match=r"'model\.norm\.weight' .* missing from"):
        preflight([missing], base)

    other_arch = copy_model(expert, tmp_path / "arch")
    config = json.loads((other_arch / "config.json").read_text())
    config.update(model_type="mistral", architectures=["MistralForCausalLM"])
    (other_arch / "config.json").write_text(json.dumps(config))
    with pytest.raises(PreflightError, match="architecture mismatch"):
        preflight([other_arch], base)

    vocab = copy_model(expert, tmp_path / "vocab")
    config = json.loads((vocab / "config.json").read_text())
    config["vocab_size"] += 1
    (vocab / "config.json").write_text(json.dumps(config))
    with pytest.raises(PreflightError, match="vocabulary size"):
        preflight([vocab], base)

    tokenizer = copy_model(expert, tmp_path / "tokenizer")
    data = json.loads((tokenizer / "tokenizer.json").read_text())
    first = next(iter(data["model"]["vocab"]))
    data["model"]["vocab"]["zzz-new"] = data["model"]["vocab"].pop(first)
    (tokenizer / "tokenizer.json").write_text(json.dumps(data))
    with pytest.raises(PreflightError, match=r"tokenizer .*tokenizer\.json differs"):
        preflight([tokenizer], base)

    with pytest.raises(PreflightError, match="would overwrite input"):
        merge_models("linear", [expert], expert / "inside")


def test_bad_methods_and_parameters(family, tmp_path):
    experts = family["experts"]
    with pytest.raises(MergeParameterError, match="unknown merge method"):
        merge_models("soup", experts, tmp_path / "x")
    with pytest.raises(MergeParameterError, match="needs a base"):
        merge_models("ties", experts, tmp_path / "x")
    with pytest.raises(MergeParameterError, match="exactly 1"):
        merge_models("slerp", experts, tmp_path / "x", base=family["base"])
    with pytest.raises(MergeParameterError, match="unknown parameter 'denisty'"):
        merge_models("ties", experts, tmp_path / "x", base=family["base"], params={"denisty": 0.2})
    with pytest.raises(MergeParameterError, match="3 models"):
        merge_models("linear", experts, tmp_path / "x", params={"weights": [1.0, 2.0]})
    assert not (tmp_path / "x").exists()


def test_every_method_has_a_registered_tool(family, tmp_path):
    from toolpath.tools.library import library_registry

    registry = library_registry()
    names = {spec.name for spec in registry.with_capability("merge_models")}
    assert {f"merge_{m}" for m in METHODS} <= names
    spec = registry.get("merge_ties")
    assert spec.cost.unit == "billion_params" and spec.cost.per_unit > 0
    assert spec.inputs == ["model"] and spec.outputs == ["model"]
    output = registry.get("merge_linear").invoke(
        {"models": [str(e) for e in family["experts"][:2]], "out": str(tmp_path / "tool")}
    )
    assert output["out"] == str(tmp_path / "tool")
    assert (tmp_path / "tool" / "model.safetensors").is_file()
    two = [str(e) for e in family["experts"][:2]]
    slerp = registry.get("merge_slerp").invoke(
        {"models": two, "base": str(family["base"]), "out": str(tmp_path / "slerp")}
    )
    roles = {entry["role"]: entry["path"] for entry in slerp["card"]["inputs"]}
    assert roles["base"] == two[0]  # two models: SLERP between them, not from the base
    assert registry.with_capability("compose_adapters")
    assert registry.with_capability("apply_adapter")
