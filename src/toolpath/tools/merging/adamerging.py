"""AdaMerging (Yang et al., 2024): merge coefficients learned without labels.

The merged weights are theta = theta_base + sum_k lambda[g, k] * tau_k, with tau_k the task
vector of expert k and g the coefficient group of a tensor: one group for all tensors
("task"-wise), one per transformer block plus one per other tensor ("layer"-wise, the
default), or one per tensor ("tensor"). The lambdas start at `init` (0.3) and are trained
by Adam to minimise the mean prediction entropy (over next-token distributions) on
unlabelled inputs, through `torch.func.functional_call`, and are kept in [0, 1].

Parameters (`params`): `granularity`, `steps` (20), `lr` (0.05), `init` (0.3),
`batch_size` (8), `max_length` (64), `seed` (0); in memory `module` (an nn.Module of the
architecture) and `inputs` (LongTensor of token ids [N, T], or a dict with `input_ids`
and `attention_mask`); on disk `texts` (list of str) or `data` (a .txt file, one example
per line, or .jsonl with a "text" field), tokenised with the base model's tokenizer.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolpath.tools.merging.methods import MergeParameterError

GRANULARITIES = ("task", "layer", "tensor")
_LAYER = re.compile(r"\.layers\.(\d+)\.")
SETTINGS = {
    "granularity": "layer",
    "steps": 20,
    "lr": 0.05,
    "init": 0.3,
    "batch_size": 8,
    "max_length": 64,
    "seed": 0,
}


@dataclass
class AdaMergingResult:
    state_dict: dict
    groups: list[str]
    coefficients: list[list[float]]
    entropy: list[float] = field(default_factory=list)

    @property
    def entropy_before(self) -> float:
        return self.entropy[0]

    @property
    def entropy_after(self) -> float:
        return self.entropy[-1]


def settings(params: dict[str, Any]) -> dict[str, Any]:
    known = set(SETTINGS) | {"module", "inputs", "texts", "data", "dtype"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise MergeParameterError(
            f"unknown parameter {unknown[0]!r} for adamerging; known: {', '.join(sorted(known))}"
        )
    merged = {**SETTINGS, **{k: v for k, v in params.items() if k in SETTINGS}}
    if merged["granularity"] not in GRANULARITIES:
        raise MergeParameterError(
            f"granularity must be one of {', '.join(GRANULARITIES)}, not {merged['granularity']!r}"
        )
    if int(merged["steps"]) < 0 or int(merged["batch_size"]) < 1:
        raise MergeParameterError("steps must be >= 0 and batch_size >= 1")
    return merged


def group_of(name: str, granularity: str) -> str:
    if granularity == "task":
        return "all"
    if granularity == "layer":
        match = _LAYER.search(name)
        return f"layer{match.group(1)}" if match else name
    return name


def entropy_of(logits, attention_mask):
    """Mean entropy of the next-token distributions at the attended positions."""
    import torch

    log_probs = torch.log_softmax(logits.float(), dim=-1)
    entropy = -(log_probs.exp() * log_probs).sum(-1)
    mask = attention_mask.to(entropy.dtype)
    return (entropy * mask).sum() / mask.sum().clamp(min=1)


def as_batches(inputs: Any, batch_size: int) -> list[dict]:
    import torch

    if isinstance(inputs, dict):
        ids = inputs["input_ids"]
        mask = inputs.get("attention_mask", torch.ones_like(ids))
    else:
        ids = torch.as_tensor(inputs)
        mask = torch.ones_like(ids)
    if ids.ndim != 2 or ids.shape[0] == 0:
        raise MergeParameterError("adamerging inputs must be token ids of shape [N, T], N > 0")
    return [
        {"input_ids": ids[i : i + batch_size], "attention_mask": mask[i : i + batch_size]}
        for i in range(0, ids.shape[0], batch_size)
    ]


def adamerging(
    module, base: dict, experts: list[dict], inputs: Any, **options: Any
) -> AdaMergingResult:
    """Learn merge coefficients by entropy minimisation; return the merged state dict."""
    import torch
    from torch.func import functional_call

    config = settings(options)
    torch.manual_seed(int(config["seed"]))
    names = [n for n, t in base.items() if t.is_floating_point()]
    groups = sorted({group_of(n, config["granularity"]) for n in names})
    index = {g: i for i, g in enumerate(groups)}
    rows = torch.tensor([index[group_of(n, config["granularity"])] for n in names])
    base32 = {n: base[n].float() for n in names}
    vectors = [{n: e[n].float() - base32[n] for n in names} for e in experts]
    lambdas = torch.full((len(groups), len(experts)), float(config["init"]), requires_grad=True)
    optimizer = torch.optim.Adam([lambdas], lr=float(config["lr"]))
    batches = as_batches(inputs, int(config["batch_size"]))
    module.eval()

    def merged(coefficients) -> dict:
        out = {}
        for row, name in zip(rows.tolist(), names, strict=True):
            tensor = base32[name]
            for k, vector in enumerate(vectors):
                tensor = tensor + coefficients[row, k] * vector[name]
            out[name] = tensor
        return out

    def loss(coefficients, batch):
        logits = functional_call(
            module, merged(coefficients), args=(), kwargs={**batch, "use_cache": False}
        )
        return entropy_of(
            logits.logits if hasattr(logits, "logits") else logits, batch["attention_mask"]
        )

    history = []
    for step in range(int(config["steps"])):
        value = loss(lambdas, batches[step % len(batches)])
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        with torch.no_grad():
            lambdas.clamp_(0.0, 1.0)
        history.append(float(value))
    with torch.no_grad():
        final = lambdas.detach()
        mean_entropy = sum(float(loss(final, b)) for b in batches) / len(batches)
        state = merged(final)
    out = {n: (state[n].to(base[n].dtype) if n in state else base[n].clone()) for n in base}
    with torch.no_grad():
        start = sum(float(loss(torch.full_like(final, float(config["init"])), b)) for b in batches)
    return AdaMergingResult(
        state_dict=out,
        groups=groups,
        coefficients=final.tolist(),
        entropy=[start / len(batches), *history, mean_entropy],
    )


def adamerging_state_dicts(state_dicts: list[dict], base: dict | None, params: dict) -> dict:
    """merge_state_dicts("adamerging", ...): needs params["module"] and params["inputs"]."""
    if base is None or "module" not in params or "inputs" not in params:
        raise MergeParameterError(
            "adamerging in memory needs base=..., params['module'] (nn.Module) and "
            "params['inputs'] (token ids)"
        )
    options = {k: v for k, v in params.items() if k not in ("module", "inputs")}
    return adamerging(params["module"], base, state_dicts, params["inputs"], **options).state_dict


def read_texts(params: dict[str, Any]) -> list[str]:
    if "texts" in params:
        texts = [str(t) for t in params["texts"]]
    elif "data" in params:
        path = Path(params["data"])
        if not path.is_file():
            raise MergeParameterError(f"adamerging data file not found: {path}")
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        if path.suffix == ".jsonl":
            lines = [json.loads(line)["text"] for line in lines]
        texts = lines
    else:
        raise MergeParameterError(
            "adamerging needs unlabelled inputs: params 'texts' (list) or 'data' (file)"
        )
    if not texts:
        raise MergeParameterError("adamerging got no input texts")
    return texts


def load_safetensors_dir(model: Path) -> dict:
    from safetensors.torch import load_file

    from toolpath.tools.merging.preflight import weight_files

    state: dict = {}
    for file in weight_files(model):
        state.update(load_file(str(file)))
    return state


def adamerging_to_disk(
    models: list[Path], out: Path, base: Path | None, params: dict[str, Any], progress: bool
) -> dict[str, Any]:
    """On-disk AdaMerging into `out`; returns what the card records."""
    from safetensors.torch import save_file
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    assert base is not None
    config = settings(params)
    texts = read_texts(params)
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    encoded = tokenizer(
        texts,
        padding=True,
        truncation=True,
        max_length=int(config["max_length"]),
        return_tensors="pt",
    )
    module = AutoModelForCausalLM.from_config(
        AutoConfig.from_pretrained(str(base), local_files_only=True)
    )
    base_state = load_safetensors_dir(base)
    module.load_state_dict(base_state, strict=False)
    experts = [load_safetensors_dir(m) for m in models]
    inputs = {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"]}
    result = adamerging(module, base_state, experts, inputs, **config)
    tensors = {k: v.contiguous() for k, v in result.state_dict.items()}
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    skip = ("model.safetensors.index.json", "merge_card.json")
    for file in base.iterdir():
        wanted = file.suffix == ".json" or file.name == "tokenizer.model"
        if file.is_file() and wanted and file.name not in skip:
            shutil.copy2(file, out / file.name)
    return {
        "granularity": config["granularity"],
        "groups": result.groups,
        "coefficients": result.coefficients,
        "entropy_before": result.entropy_before,
        "entropy_after": result.entropy_after,
    }
