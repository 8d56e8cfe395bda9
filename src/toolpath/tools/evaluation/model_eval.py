"""Accuracy (exact match of greedy generations, or classifier labels) and perplexity.

Models load from a local directory with safetensors weights only (no pickled checkpoints)
and nothing is fetched from a hub. Generation runs in batches with left padding; a
record is correct when the generated text, cut at the first end-of-sequence token and
stripped, equals the stripped target. The tokenizer's decoder must round-trip text (for a
character-level tokenizer use a `Fuse` decoder, or "a b" comes back for "ab").
"""

from __future__ import annotations

import contextlib
import math
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from toolpath.tools.evaluation.datasets import dataset_kind, read_jsonl
from toolpath.tools.threads import one_torch_thread


class EvalResult(BaseModel):
    """Accuracy of a model on a labelled set."""

    accuracy: float
    n: int
    correct: int
    seconds: float
    kind: str = "generation"


def _check_model_dir(model_dir: str | Path) -> Path:
    path = Path(model_dir)
    if not path.is_dir():
        raise FileNotFoundError(f"model directory {str(path)!r} does not exist")
    if not any(path.glob("*.safetensors")):
        raise FileNotFoundError(
            f"model directory {str(path)!r} has no .safetensors weights (pickled checkpoints "
            "are not loaded)"
        )
    return path


def _load_tokenizer(path: Path, padding_side: str) -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    tokenizer.padding_side = padding_side
    if tokenizer.pad_token is None:
        fallback = tokenizer.eos_token or tokenizer.unk_token
        if fallback is None:
            raise ValueError(f"tokenizer in {str(path)!r} has no pad, eos or unk token")
        tokenizer.pad_token = fallback
    return tokenizer


def _load_model(path: Path, auto_class: str) -> Any:
    import torch
    import transformers
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    loader = getattr(transformers, auto_class)
    model = loader.from_pretrained(
        str(path), local_files_only=True, use_safetensors=True, dtype=torch.float32
    )
    return model.eval()


SMALL_MODEL_PARAMS = 20_000_000


def _threads_for(model: Any) -> contextlib.AbstractContextManager[None]:
    """One torch thread for small models, whose matrices are too small for intra-op threads."""
    small = sum(p.numel() for p in model.parameters()) < SMALL_MODEL_PARAMS
    return one_torch_thread(small)


def _batches(items: list[Any], size: int) -> list[list[Any]]:
    if size < 1:
        raise ValueError(f"batch_size must be at least 1, got {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _generation_correct(
    path: Path, records: list[dict[str, Any]], batch_size: int, max_new_tokens: int
) -> int:
    tokenizer = _load_tokenizer(path, "left")
    model = _load_model(path, "AutoModelForCausalLM")
    eos_ids = _eos_ids(model, tokenizer)
    # Similar lengths share a batch: less padding, fewer wasted positions.
    order = sorted(range(len(records)), key=lambda i: len(str(records[i]["input"])))
    correct = 0
    with _threads_for(model):
        for batch in _batches(order, batch_size):
            correct += _generate_batch(tokenizer, model, eos_ids, records, batch, max_new_tokens)
    return correct


def _generate_batch(
    tokenizer: Any,
    model: Any,
    eos_ids: set[int],
    records: list[dict[str, Any]],
    batch: list[int],
    max_new_tokens: int,
) -> int:
    """How many of one batch's greedy answers equal their targets."""
    import torch

    prompts = [str(records[i]["input"]) for i in batch]
    encoded = tokenizer(prompts, return_tensors="pt", padding=True)
    with torch.inference_mode():
        output = model.generate(
            **encoded,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=sorted(eos_ids) or None,
        )
    correct = 0
    new_tokens = output[:, encoded["input_ids"].shape[1] :].tolist()
    for i, tokens in zip(batch, new_tokens, strict=True):
        cut = next((n for n, t in enumerate(tokens) if t in eos_ids), len(tokens))
        text = tokenizer.decode(tokens[:cut], skip_special_tokens=True)
        correct += text.strip() == str(records[i]["target"]).strip()
    return correct


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids: set[int] = set()
    for source in (model.generation_config.eos_token_id, tokenizer.eos_token_id):
        if isinstance(source, int):
            ids.add(source)
        elif source:
            ids.update(source)
    return ids


def _label_matches(label: Any, predicted: int, id2label: dict[int, str]) -> bool:
    if isinstance(label, bool):
        label = int(label)
    if isinstance(label, int):
        return label == predicted
    name = str(label).strip()
    return name == str(id2label.get(predicted, "")) or name == str(predicted)


def _classification_correct(path: Path, records: list[dict[str, Any]], batch_size: int) -> int:
    import torch

    tokenizer = _load_tokenizer(path, "right")
    model = _load_model(path, "AutoModelForSequenceClassification")
    id2label = {int(k): v for k, v in (model.config.id2label or {}).items()}
    correct = 0
    with _threads_for(model):
        for batch in _batches(records, batch_size):
            encoded = tokenizer(
                [str(r["text"]) for r in batch], return_tensors="pt", padding=True, truncation=True
            )
            with torch.inference_mode():
                predicted = model(**encoded).logits.argmax(dim=-1).tolist()
            correct += sum(
                _label_matches(r["label"], p, id2label)
                for r, p in zip(batch, predicted, strict=True)
            )
    return correct


def evaluate_records(
    model_dir: str | Path,
    records: list[dict[str, Any]],
    *,
    batch_size: int = 32,
    max_new_tokens: int = 16,
    source: str = "dataset",
) -> EvalResult:
    """Accuracy on records already read (generation or classification, by their fields)."""
    path = _check_model_dir(model_dir)
    if not records:
        raise ValueError(f"{source}: no records to evaluate")
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    kind = dataset_kind(records, source)
    start = time.perf_counter()
    if kind == "generation":
        correct = _generation_correct(path, records, batch_size, max_new_tokens)
    else:
        correct = _classification_correct(path, records, batch_size)
    return EvalResult(
        accuracy=correct / len(records),
        n=len(records),
        correct=correct,
        seconds=time.perf_counter() - start,
        kind=kind,
    )


def accuracy(
    model_dir: Path,
    dataset: Path,
    *,
    limit: int | None = None,
    batch_size: int = 32,
    max_new_tokens: int = 16,
) -> EvalResult:
    """Exact-match accuracy of a causal LM (greedy) or label accuracy of a classifier."""
    _check_model_dir(model_dir)
    records = read_jsonl(dataset)
    if limit is not None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        records = records[:limit]
    return evaluate_records(
        model_dir,
        records,
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
        source=repr(str(dataset)),
    )


def _texts_for_perplexity(records: list[dict[str, Any]], source: str) -> list[str]:
    texts = []
    for i, record in enumerate(records, start=1):
        if "text" in record:
            texts.append(str(record["text"]))
        elif "input" in record and "target" in record:
            texts.append(f"{record['input']}{record['target']}")
        else:
            raise ValueError(f"{source}: record {i} has neither 'text' nor 'input' and 'target'")
    return texts


def _batch_nll(tokenizer: Any, model: Any, texts: list[str], max_length: int) -> tuple[float, int]:
    """Summed negative log-likelihood of a batch's predicted tokens, and their number."""
    import torch

    encoded = tokenizer(
        texts, return_tensors="pt", padding=True, truncation=True, max_length=max_length
    )
    with torch.inference_mode():
        logits = model(**encoded).logits[:, :-1].float()
    targets = encoded["input_ids"][:, 1:].clone()
    targets[encoded["attention_mask"][:, 1:] == 0] = -100
    nll = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),
        targets.reshape(-1),
        ignore_index=-100,
        reduction="sum",
    )
    return float(nll), int((targets != -100).sum())


def perplexity(model_dir: Path, dataset: Path, *, batch_size: int = 8) -> float:
    """exp(mean negative log-likelihood per predicted token) of a causal LM over a JSONL set.

    Each record contributes its `text`, or `input` followed by `target`; sequences longer
    than the model's context are truncated.
    """

    path = _check_model_dir(model_dir)
    texts = _texts_for_perplexity(read_jsonl(dataset), repr(str(dataset)))
    tokenizer = _load_tokenizer(path, "right")
    model = _load_model(path, "AutoModelForCausalLM")
    max_length = getattr(model.config, "max_position_embeddings", None) or 2048
    total_nll, total_tokens = 0.0, 0
    with _threads_for(model):
        for batch in _batches(texts, batch_size):
            nll, tokens = _batch_nll(tokenizer, model, batch, max_length)
            total_nll, total_tokens = total_nll + nll, total_tokens + tokens
    if total_tokens == 0:
        raise ValueError(f"dataset {str(dataset)!r}: no text long enough to score (2+ tokens)")
    return math.exp(total_nll / total_tokens)
