"""Evaluation tools on a tiny Llama built here (char tokenizer) and on exact metric values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from toolpath.tools.evaluation import (
    accuracy,
    decide,
    mean_metrics,
    mrr,
    ndcg_at_k,
    normalized_accuracy,
    perplexity,
    proxy_evaluate,
    recall_at_k,
    wilson_interval,
)

CHARS = list("abcdefghijklmnopqrstuvwxyz0123456789 +=?.")
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]
PROMPTS = ["1+2=", "hello ", "abc", "12345+678=", "x", "what is 7?", "zz top", "q"]


def _char_tokenizer():
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(SPECIALS + CHARS)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    backend.decoder = decoders.Fuse()
    backend.post_processor = processors.TemplateProcessing(
        single="<s> $A", special_tokens=[("<s>", 1)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
    )


def _config(**extra):
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=len(SPECIALS) + len(CHARS),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        initializer_range=0.3,
        **extra,
    )


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory) -> Path:
    import torch
    from transformers import LlamaForCausalLM

    folder = tmp_path_factory.mktemp("tiny-llama")
    torch.manual_seed(0)
    LlamaForCausalLM(_config()).save_pretrained(folder)
    _char_tokenizer().save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_classifier(tmp_path_factory) -> Path:
    import torch
    from transformers import LlamaForSequenceClassification

    folder = tmp_path_factory.mktemp("tiny-classifier")
    torch.manual_seed(1)
    config = _config(num_labels=3, id2label={0: "neg", 1: "neu", 2: "pos"})
    config.label2id = {"neg": 0, "neu": 1, "pos": 2}
    LlamaForSequenceClassification(config).save_pretrained(folder)
    _char_tokenizer().save_pretrained(folder)
    return folder


def _greedy_one_by_one(model_dir: Path, prompts: list[str], max_new_tokens: int) -> list[str]:
    """Reference completions, generated one prompt at a time (no padding at all)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    completions = []
    for prompt in prompts:
        encoded = tokenizer(prompt, return_tensors="pt")
        with torch.inference_mode():
            out = model.generate(
                **encoded, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=0
            )
        new = out[0, encoded["input_ids"].shape[1] :]
        completions.append(tokenizer.decode(new, skip_special_tokens=True).strip())
    return completions


@pytest.fixture(scope="module")
def references(tiny_lm) -> list[str]:
    return _greedy_one_by_one(tiny_lm, PROMPTS, 16)


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_batched_left_padded_generation_matches_one_by_one(tiny_lm, references, tmp_path):
    # Half the targets are the model's own greedy answers, half are wrong on purpose.
    records = [
        {"input": p, "target": r if i % 2 == 0 else r + "#"}
        for i, (p, r) in enumerate(zip(PROMPTS, references, strict=True))
    ]
    dataset = _write_jsonl(tmp_path / "gen.jsonl", records)
    for batch_size in (3, 32):
        result = accuracy(tiny_lm, dataset, batch_size=batch_size)
        assert (result.n, result.correct, result.accuracy) == (8, 4, 0.5)
        assert result.kind == "generation" and result.seconds > 0
    assert accuracy(tiny_lm, dataset, limit=2).n == 2


def test_classifier_accuracy_by_label_name_and_id(tiny_classifier, tmp_path):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_classifier)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_classifier).eval()
    predicted = []
    for text in PROMPTS:
        with torch.inference_mode():
            predicted.append(int(model(**tokenizer(text, return_tensors="pt")).logits.argmax()))
    names = ["neg", "neu", "pos"]
    records = []
    for i, (text, label) in enumerate(zip(PROMPTS, predicted, strict=True)):
        wrong = (label + 1) % 3
        if i < 4:  # right, alternating the label as a name and as an id
            records.append({"text": text, "label": names[label] if i % 2 else label})
        else:
            records.append({"text": text, "label": names[wrong] if i % 2 else wrong})
    result = accuracy(tiny_classifier, _write_jsonl(tmp_path / "cls.jsonl", records))
    assert (result.kind, result.correct, result.n) == ("classification", 4, 8)


def test_perplexity_matches_per_sequence_losses(tiny_lm, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    texts = ["hello world", "1+2=3", "a much longer line of text to pad the others"]
    dataset = _write_jsonl(tmp_path / "ppl.jsonl", [{"text": t} for t in texts])
    tokenizer = AutoTokenizer.from_pretrained(tiny_lm)
    model = AutoModelForCausalLM.from_pretrained(tiny_lm).eval()
    total, count = 0.0, 0
    for text in texts:
        ids = tokenizer(text, return_tensors="pt")["input_ids"]
        with torch.inference_mode():
            loss = model(input_ids=ids, labels=ids).loss
        total += float(loss) * (ids.shape[1] - 1)
        count += ids.shape[1] - 1
    assert perplexity(tiny_lm, dataset) == pytest.approx(math.exp(total / count), rel=1e-4)


def test_proxy_decisions(tiny_lm, references, tmp_path):
    right = [{"input": p, "target": r} for p, r in zip(PROMPTS, references, strict=True)]
    wrong = [{**r, "target": r["target"] + "#"} for r in right]
    all_right = _write_jsonl(tmp_path / "right.jsonl", right * 25)  # 200 records
    all_wrong = _write_jsonl(tmp_path / "wrong.jsonl", wrong * 25)
    mixed = _write_jsonl(tmp_path / "mixed.jsonl", (right + wrong) * 12)

    passed = proxy_evaluate(tiny_lm, all_right, 0.7, sample=30, seed=3)
    assert (passed.decision, passed.n, passed.total, passed.accuracy) == ("pass", 30, 200, 1.0)
    assert passed.low > 0.7
    failed = proxy_evaluate(tiny_lm, all_wrong, 0.3, sample=30)
    assert failed.decision == "fail" and failed.high < 0.3
    unsure = proxy_evaluate(tiny_lm, mixed, 0.5, sample=30)
    assert unsure.decision == "full" and unsure.low < 0.5 <= unsure.high
    # A sample as large as the set is exact: no interval to straddle.
    exact = proxy_evaluate(tiny_lm, _write_jsonl(tmp_path / "s.jsonl", right + wrong), 0.5)
    assert (exact.decision, exact.n, exact.low, exact.high) == ("pass", 16, 0.5, 0.5)


def test_decide_without_a_model():
    assert decide(50, 50, 1000, 0.9)[0] == "pass"
    assert decide(0, 50, 1000, 0.1)[0] == "fail"
    assert decide(25, 50, 1000, 0.5)[0] == "full"
    assert decide(3, 4, 4, 0.8) == ("fail", 0.75, 0.75)


def test_bad_inputs_have_clear_messages(tiny_lm, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        accuracy(tmp_path / "nope", tmp_path / "x.jsonl")
    with pytest.raises(FileNotFoundError, match="safetensors"):
        accuracy(tmp_path, tmp_path / "x.jsonl")
    bad = _write_jsonl(tmp_path / "bad.jsonl", [{"question": "?", "answer": "!"}])
    with pytest.raises(ValueError, match="'input' and 'target'"):
        accuracy(tiny_lm, bad)
    with pytest.raises(ValueError, match="threshold"):
        proxy_evaluate(tiny_lm, bad, 1.5)


def test_ranking_metrics_exact_values():
    ranked = ["d3", "d1", "d7", "d2"]
    assert recall_at_k(ranked, {"d1", "d2"}, 2) == 0.5
    assert recall_at_k(ranked, {"d1", "d2"}, 4) == 1.0
    assert mrr(ranked, {"d7"}) == pytest.approx(1 / 3)
    assert mrr(ranked, {"d9"}) == 0.0
    # relevant at ranks 2 and 4: (1/log2 3 + 1/log2 5) / (1 + 1/log2 3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(ranked, {"d1", "d2"}, 10) == pytest.approx(expected)
    assert ndcg_at_k(["a", "b"], {"a": 3.0, "b": 1.0}, 2) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "a"], {"a": 3.0, "b": 1.0}, 2) < 1.0
    assert ndcg_at_k(ranked, set(), 5) == 0.0
    means = mean_metrics([["a"], ["x", "b"]], [{"a"}, {"b"}], ks=(1,))
    assert means == {"mrr": 0.75, "recall_at_1": 0.5, "ndcg_at_1": 0.5}
    with pytest.raises(ValueError, match="k must be"):
        recall_at_k(ranked, {"d1"}, 0)


def test_wilson_interval_known_values():
    low, high = wilson_interval(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(50, 50)
    assert high == 1.0 and round(low, 3) == 0.929
    with pytest.raises(ValueError):
        wilson_interval(5, 3)


def test_normalized_accuracy():
    assert normalized_accuracy({"math": 0.4, "code": 0.9}, {"math": 0.8, "code": 0.9}) == {
        "math": 0.5,
        "code": 1.0,
    }
    with pytest.raises(ValueError, match="'law'"):
        normalized_accuracy({"law": 0.5}, {"math": 0.8})
    with pytest.raises(ValueError, match="positive"):
        normalized_accuracy({"math": 0.5}, {"math": 0.0})


def test_registered_tools_run(tiny_lm, references, tmp_path):
    from toolpath.tools.library import library_registry

    registry = library_registry()
    dataset = _write_jsonl(
        tmp_path / "d.jsonl",
        [{"input": p, "target": r} for p, r in zip(PROMPTS, references, strict=True)],
    )
    spec = registry.get("evaluate_model")
    assert spec.inputs == ["model", "dataset"] and spec.outputs == ["metrics"]
    out = spec.invoke({"model_dir": str(tiny_lm), "dataset": str(dataset)})
    assert out["accuracy"] == 1.0 and out["n"] == 8
    out = registry.get("normalize_accuracy").invoke(
        {"accuracy": {"a": 0.5}, "expert_accuracy": {"a": 1.0}}
    )
    assert out == {"normalized": {"a": 0.5}, "mean": 0.5}
    ppl = registry.get("evaluate_perplexity").invoke(
        {"model_dir": str(tiny_lm), "dataset": str(dataset)}
    )
    assert ppl["perplexity"] > 1.0
