"""One registry entry per merge method; tools, CLI choices, priors and benchmarks derive."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from toolpath.agent.cli.merge_cmd import Method
from toolpath.evals import merge_quality_bench
from toolpath.tools.library import library_registry
from toolpath.tools.merging import merge_models, merge_state_dicts, priors
from toolpath.tools.merging.method_registry import MERGE_METHODS, MergeMethod
from toolpath.tools.merging.methods import METHODS, MergeParameterError, check_inputs
from toolpath.tools.merging.tools import PARAMS_NOTE, merge_tool_for
from toolpath.tools.registry import ToolRegistry


def copy_first(models: list[Path], out: Path, base: Path | None, params: dict, progress: bool):
    """A toy on-disk merge: the first model, unchanged."""
    for file in models[0].iterdir():
        shutil.copy2(file, out / file.name)
    return {"toy": True}


def first_state(state_dicts: list[dict], base: dict | None, params: dict) -> dict:
    return state_dicts[0]


TOY = MergeMethod(
    "toy_copy",
    "Toy: keeps the first model.",
    {"unused": "a parameter nobody reads"},
    cost_per_billion=12.5,
    quality=0.33,
    defaults={"unused": 1},
    needs_base=False,
    models=(1, 2),
    on_disk=f"{__name__}:copy_first",
    in_memory=f"{__name__}:first_state",
)


def test_every_entry_is_a_tool_with_its_doc_and_priors() -> None:
    registry = library_registry()
    assert tuple(MERGE_METHODS) == METHODS
    for name, entry in MERGE_METHODS.items():
        spec = registry.get(f"merge_{name}")
        assert spec.doc == entry.doc() + PARAMS_NOTE
        assert spec.quality == priors.quality_prior(name)
        assert spec.cost.per_unit == priors.cost_per_billion(name)
        for param in entry.params:
            assert param in spec.doc


def test_doc_shows_defaults_and_seed() -> None:
    ties, dare = MERGE_METHODS["ties"].doc(), MERGE_METHODS["dare_ties"].doc()
    assert "density (fraction of each task vector kept, default 0.5)" in ties
    assert "seed" in dare and "seed" not in ties


def test_cli_choices_are_the_registry() -> None:
    assert [m.value for m in Method] == list(MERGE_METHODS)


def test_benchmark_rows_derive_from_entries() -> None:
    stochastic = {n for n, e in MERGE_METHODS.items() if e.stochastic}
    assert merge_quality_bench.RANDOM_METHODS == stochastic == {"dare_ties", "dare_linear", "della"}
    assert merge_quality_bench.applicable("slerp", 2)
    assert not merge_quality_bench.applicable("slerp", 4)
    assert merge_quality_bench.applicable("model_stock", 2)


def test_priors_fall_back_to_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(MERGE_METHODS, TOY.name, TOY)
    assert priors.cost_per_billion(TOY.name) == 12.5
    assert priors.quality_prior(TOY.name) == 0.33
    assert priors.cost_per_billion("lorahub") > 0  # the LoRA tools keep their own fallbacks


def test_a_new_method_is_one_entry(monkeypatch, tmp_path: Path) -> None:
    """An entry added to the registry is a tool, checked, and runs on disk and in memory."""
    from toolpath.tools.merging.synthetic import build_family

    monkeypatch.setenv("TOOLPATH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setitem(MERGE_METHODS, TOY.name, TOY)
    registry = ToolRegistry()
    merge_tool_for(TOY, registry=registry)
    spec = registry.get("merge_toy_copy")
    assert spec.doc.startswith("Toy: keeps the first model. Parameters: unused (")
    assert (spec.quality, spec.cost.per_unit) == (0.33, 12.5)
    with pytest.raises(MergeParameterError, match="takes 1 to 2 model"):
        check_inputs(TOY.name, 3, False)

    _, experts = build_family(tmp_path / "family", experts=2, hidden_size=16, layers=1)
    result = spec.invoke({"models": [str(e) for e in experts], "out": str(tmp_path / "out")})
    assert result["method"] == "toy_copy" and result["card"]["toy"] is True
    assert (tmp_path / "out" / "model.safetensors").read_bytes() == (
        experts[0] / "model.safetensors"
    ).read_bytes()
    state: dict[str, Any] = {"w": 1}
    assert merge_state_dicts(TOY.name, [state, {"w": 2}]) is state
    with pytest.raises(MergeParameterError, match="unknown merge method"):
        merge_models("no_such_method", experts, tmp_path / "x")
