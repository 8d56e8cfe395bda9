"""LoRA adapters through PEFT: combine, apply, and a LoraHub-style coefficient search.

- `combine_adapters`: PEFT's `add_weighted_adapter` (linear, svd, cat, ties, dare_*,
  magnitude_prune, ...) on adapters of one base model; the combination is saved as a new
  adapter directory.
- `apply_adapter`: merge an adapter into its base (`merge_and_unload`) and save a full
  model directory.
- `lorahub_search` (Huang et al., 2023, LoraHub): gradient-free search of the weights
  w_i of the composition A = sum_i w_i A_i, B = sum_i w_i B_i that minimise the
  cross-entropy of a few labelled (input, output) examples plus `l1 * sum|w_i|`. LoraHub
  uses Nevergrad's NGOpt; to avoid that dependency this is a (1+lambda) evolution
  strategy with the 1/5th success rule for its step size, inside LoraHub's box
  [-1.5, 1.5], starting from w = 0 (the base model) and evaluating `budget` candidates.

Adapters must be safetensors (`adapter_model.safetensors`); pickles are refused. All
outputs are written to a temporary directory and renamed into place.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolpath.tools.merging.core import atomic_directory
from toolpath.tools.merging.preflight import PICKLE_SUFFIXES, PreflightError, check_directory

COMBINATION_TYPES = (
    "linear",
    "svd",
    "cat",
    "ties",
    "ties_svd",
    "dare_ties",
    "dare_linear",
    "dare_ties_svd",
    "dare_linear_svd",
    "magnitude_prune",
    "magnitude_prune_svd",
)
ADAPTER_WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"


def adapter_config(adapter: Path) -> dict[str, Any]:
    """Check an adapter directory (safetensors only) and return its adapter_config.json."""
    check_directory(adapter, "adapter")
    config_path = adapter / ADAPTER_CONFIG
    if not config_path.is_file():
        raise PreflightError(f"{config_path} is missing: not a PEFT adapter directory")
    if not (adapter / ADAPTER_WEIGHTS).is_file():
        pickles = [p.name for p in adapter.iterdir() if p.suffix in PICKLE_SUFFIXES]
        if pickles:
            raise PreflightError(
                f"{adapter / pickles[0]} is a pickle checkpoint; toolpath loads safetensors only"
            )
        raise PreflightError(f"{adapter / ADAPTER_WEIGHTS} is missing")
    return json.loads(config_path.read_text())


def check_adapters(adapters: list[Path], same_rank: bool) -> list[dict[str, Any]]:
    """Pre-flight for a set of adapters: same PEFT type and targets (and rank if asked)."""
    if not adapters:
        raise PreflightError("no adapters given")
    configs = [adapter_config(a) for a in adapters]
    first = configs[0]
    for adapter, config in zip(adapters[1:], configs[1:], strict=True):
        for key in ("peft_type", "target_modules") + (("r",) if same_rank else ()):
            mine, theirs = config.get(key), first.get(key)
            if key == "target_modules" and mine and theirs:
                mine, theirs = sorted(mine), sorted(theirs)
            if mine != theirs:
                raise PreflightError(
                    f"{adapter / ADAPTER_CONFIG}: {key} {mine!r} differs from "
                    f"{theirs!r} in {adapters[0] / ADAPTER_CONFIG}"
                )
    return configs


def check_out(out: Path, inputs: list[Path]) -> None:
    """Refuse an output directory that is one of the inputs."""
    target = out.resolve()
    for path in inputs:
        if target == path.resolve():
            raise PreflightError(f"output {out} would overwrite input {path}")


def load_base(base: Path):
    """The base model from its local safetensors (no hub, no pickle: a .bin-only folder
    is refused)."""
    from transformers import AutoModelForCausalLM

    check_directory(base, "base")
    try:
        return AutoModelForCausalLM.from_pretrained(
            str(base), local_files_only=True, use_safetensors=True
        )
    except OSError as exc:
        raise PreflightError(
            f"base model {base}: no loadable safetensors weights (pickle checkpoints are "
            f"not loaded): {exc}"
        ) from exc


def copy_tokenizer(base: Path, out: Path) -> None:
    for name in (
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "tokenizer.model",
        "vocab.json",
        "merges.txt",
    ):
        if (base / name).is_file():
            shutil.copy2(base / name, out / name)


def combine_adapters(
    base: Path,
    adapters: list[Path],
    out: Path,
    *,
    weights: list[float] | None = None,
    combination_type: str = "linear",
    density: float | None = None,
    svd_rank: int | None = None,
) -> Path:
    """Combine LoRA adapters of `base` with PEFT's add_weighted_adapter; save to `out`."""
    from peft import PeftModel

    base, out, adapters = Path(base), Path(out), [Path(a) for a in adapters]
    if combination_type not in COMBINATION_TYPES:
        raise ValueError(
            f"unknown combination_type {combination_type!r}; known: {', '.join(COMBINATION_TYPES)}"
        )
    weights = list(weights) if weights is not None else [1.0 / len(adapters)] * len(adapters)
    if len(weights) != len(adapters):
        raise ValueError(f"{len(weights)} weights given for {len(adapters)} adapters")
    needs_density = combination_type.startswith(("ties", "dare", "magnitude"))
    if needs_density and density is None:
        density = 0.5
    check_adapters(adapters, same_rank=combination_type == "linear")
    check_out(out, [base, *adapters])
    names = [f"adapter{i}" for i in range(len(adapters))]
    model = PeftModel.from_pretrained(load_base(base), str(adapters[0]), adapter_name=names[0])
    for name, adapter in zip(names[1:], adapters[1:], strict=True):
        model.load_adapter(str(adapter), adapter_name=name)
    model.add_weighted_adapter(
        names,
        weights,
        "combined",
        combination_type=combination_type,
        density=density,
        svd_rank=svd_rank,
    )
    with atomic_directory(out) as tmp:
        model.save_pretrained(str(tmp / "save"), selected_adapters=["combined"])
        saved = tmp / "save" / "combined"
        for file in saved.iterdir():
            file.rename(tmp / file.name)
        shutil.rmtree(tmp / "save")
        record = {
            "combination_type": combination_type,
            "weights": weights,
            "density": density,
            "adapters": [str(a) for a in adapters],
        }
        (tmp / "combination.json").write_text(json.dumps(record, indent=2))
    return out


def apply_adapter(base: Path, adapter: Path, out: Path) -> Path:
    """Merge a LoRA adapter into its base model and save the full model to `out`."""
    from peft import PeftModel

    base, adapter, out = Path(base), Path(adapter), Path(out)
    adapter_config(adapter)
    check_out(out, [base, adapter])
    model = PeftModel.from_pretrained(load_base(base), str(adapter)).merge_and_unload()
    with atomic_directory(out) as tmp:
        model.save_pretrained(str(tmp), safe_serialization=True)
        copy_tokenizer(base, tmp)
    return out


@dataclass
class LoraHubResult:
    weights: list[float]
    loss: float
    base_loss: float
    out: Path | None = None
    history: list[float] = field(default_factory=list)


def example_batch(tokenizer, examples: list[Any]):
    """Token ids and labels (-100 on the input part) for (input, output) examples."""
    import torch

    rows, labels = [], []
    for example in examples:
        source, target = (
            (example["input"], example["output"]) if isinstance(example, dict) else example
        )
        prompt = tokenizer(str(source), add_special_tokens=False)["input_ids"]
        answer = tokenizer(" " + str(target), add_special_tokens=False)["input_ids"]
        rows.append(prompt + answer)
        labels.append([-100] * len(prompt) + answer)
    width = max(len(r) for r in rows)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
    target = torch.tensor([lab + [-100] * (width - len(lab)) for lab in labels])
    return ids, (ids != pad) | (target != -100), target


class LoraHubObjective:
    """Loss of the composition sum_i w_i (A_i, B_i) on a few examples, plus an L1 term."""

    def __init__(self, base: Path, adapters: list[Path], examples: list[Any], l1: float) -> None:
        from peft import PeftModel
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        self.l1 = l1
        self.model = PeftModel.from_pretrained(load_base(base), str(adapters[0]))
        self.model.eval()
        self.states = [load_file(str(a / ADAPTER_WEIGHTS)) for a in adapters]
        tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
        self.ids, self.mask, self.labels = example_batch(tokenizer, examples)

    def compose(self, weights: list[float]) -> dict:
        return {
            key: sum(w * state[key] for w, state in zip(weights, self.states, strict=True))
            for key in self.states[0]
        }

    def loss(self, weights: list[float]) -> float:
        import torch
        from peft.utils import set_peft_model_state_dict

        set_peft_model_state_dict(self.model, self.compose(weights))
        with torch.no_grad():
            output = self.model(input_ids=self.ids, attention_mask=self.mask, labels=self.labels)
        return float(output.loss)

    def __call__(self, weights: list[float]) -> float:
        return self.loss(weights) + self.l1 * sum(abs(w) for w in weights)


def evolution_search(objective, dim: int, budget: int, seed: int, bound: float = 1.5):
    """(1+lambda) evolution strategy with 1/5th rule, in [-bound, bound]^dim, from 0."""
    rng = random.Random(seed)
    best = [0.0] * dim
    best_value = objective(best)
    history, sigma, evaluations = [best_value], 0.5, 1
    offspring = max(2, int(4 + 3 * math.log(dim)))
    while evaluations < budget:
        successes = 0
        for _ in range(min(offspring, budget - evaluations)):
            candidate = [min(bound, max(-bound, w + rng.gauss(0, sigma))) for w in best]
            value = objective(candidate)
            evaluations += 1
            if value < best_value:
                best, best_value, successes = candidate, value, successes + 1
            history.append(best_value)
        sigma *= 1.5 if successes / offspring > 0.2 else 0.82
        sigma = min(max(sigma, 1e-3), bound)
    return best, best_value, history


def lorahub_search(
    base: Path,
    adapters: list[Path],
    examples: list[Any],
    out: Path | None = None,
    *,
    budget: int = 40,
    l1: float = 0.05,
    seed: int = 0,
) -> LoraHubResult:
    """Search LoRA composition weights on a few labelled examples; save the best to `out`.

    `examples`: (input, output) pairs or {"input", "output"} dicts.
    """
    base, adapters = Path(base), [Path(a) for a in adapters]
    if not examples:
        raise ValueError("lorahub_search needs at least one labelled example")
    check_adapters(adapters, same_rank=True)
    if out is not None:
        check_out(Path(out), [base, *adapters])
    objective = LoraHubObjective(base, adapters, examples, l1)
    base_loss = objective.loss([0.0] * len(adapters))
    weights, _, history = evolution_search(objective, len(adapters), budget, seed)
    result = LoraHubResult(weights, objective.loss(weights), base_loss, None, history)
    if out is not None:
        from peft.utils import set_peft_model_state_dict

        set_peft_model_state_dict(objective.model, objective.compose(weights))
        with atomic_directory(Path(out)) as tmp:
            objective.model.save_pretrained(str(tmp))
            (tmp / "lorahub.json").write_text(
                json.dumps(
                    {
                        "weights": weights,
                        "loss": result.loss,
                        "base_loss": base_loss,
                        "adapters": [str(a) for a in adapters],
                    },
                    indent=2,
                )
            )
        result.out = Path(out)
    return result
