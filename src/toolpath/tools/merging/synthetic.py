"""Small Llama-style models built locally, for tests and the merge benchmark.

Nothing comes from a hub: the tokenizer is a byte-level BPE trained on a built-in corpus,
the base model is randomly initialised from a seed, and each "expert" is the base plus a
seeded random task vector, so merges of them have a known, checkable structure.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from toolpath.tools.files import atomic_dir

CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "model merging combines the weights of fine-tuned experts",
    "task arithmetic adds task vectors to a pretrained base",
    "ties trims small deltas, elects a sign and averages agreeing values",
    "a tokenizer splits text into tokens that the model embeds",
    "retrieval finds documents; evaluation measures accuracy and perplexity",
    "numbers 0 1 2 3 4 5 6 7 8 9 and punctuation , . ; : ! ?",
    "low rank adapters add a product of two thin matrices to a weight",
]


def corpus_texts(repeat: int = 4) -> list[str]:
    """The built-in training and probing corpus."""
    return [f"{line} ({i})" for i in range(repeat) for line in CORPUS]


def build_tokenizer(out: Path, vocab_size: int = 320) -> int:
    """Train a byte-level BPE tokenizer offline and save it as a fast HF tokenizer.

    Returns the vocabulary size actually reached.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(corpus_texts(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
    )
    fast.save_pretrained(str(out))
    return tokenizer.get_vocab_size()


def llama_config(
    vocab_size: int,
    hidden_size: int = 32,
    layers: int = 2,
    intermediate_size: int | None = None,
    heads: int = 4,
):
    """A small LlamaConfig."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        intermediate_size=intermediate_size or hidden_size * 2,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        max_position_embeddings=256,
        tie_word_embeddings=False,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=3,
    )


def save_state_dict(
    state_dict: dict, config, out: Path, tokenizer_dir: Path | None, dtype: str = "float32"
) -> Path:
    """Write a HF model directory (config, model.safetensors, tokenizer) atomically."""
    import torch
    from safetensors.torch import save_file

    torch_dtype = getattr(torch, dtype)
    with atomic_dir(out) as tmp:
        tensors = {k: v.detach().to(torch_dtype).contiguous() for k, v in state_dict.items()}
        save_file(tensors, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        config_dict = config.to_dict()
        config_dict["architectures"] = ["LlamaForCausalLM"]
        config_dict["torch_dtype"] = dtype
        config_dict["dtype"] = dtype
        (tmp / "config.json").write_text(json.dumps(config_dict, indent=2))
        if tokenizer_dir is not None:
            for file in tokenizer_dir.iterdir():
                if file.is_file():
                    shutil.copy2(file, tmp / file.name)
    return out


def build_family(
    root: Path,
    experts: int = 2,
    *,
    hidden_size: int = 32,
    layers: int = 2,
    intermediate_size: int | None = None,
    vocab_size: int = 320,
    delta_scale: float = 0.02,
    dtype: str = "float32",
    seed: int = 0,
) -> tuple[Path, list[Path]]:
    """Build `root/base` and `root/expert{i}`: a random base and base + task-vector experts."""
    import torch
    from transformers import LlamaForCausalLM

    root.mkdir(parents=True, exist_ok=True)
    tokenizer_dir = root / "tokenizer"
    if not (tokenizer_dir / "tokenizer.json").exists():
        build_tokenizer(tokenizer_dir, vocab_size)
    reached = json.loads((tokenizer_dir / "tokenizer.json").read_text())["model"]["vocab"]
    config = llama_config(len(reached), hidden_size, layers, intermediate_size)
    torch.manual_seed(seed)
    base_sd = LlamaForCausalLM(config).state_dict()
    base = save_state_dict(base_sd, config, root / "base", tokenizer_dir, dtype)
    paths = []
    for index in range(experts):
        generator = torch.Generator().manual_seed(seed * 1000 + index + 1)
        expert_sd = {}
        for name, tensor in base_sd.items():
            noise = torch.randn(tensor.shape, generator=generator, dtype=tensor.dtype)
            expert_sd[name] = tensor + delta_scale * noise
        paths.append(
            save_state_dict(expert_sd, config, root / f"expert{index}", tokenizer_dir, dtype)
        )
    return base, paths
