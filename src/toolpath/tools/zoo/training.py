"""Training of zoo models: a small Llama-style causal LM, full fine-tuning and LoRA.

A plain PyTorch loop (AdamW, linear warm-up then cosine decay) on batches drawn fresh
from the task generators, so there is no fixed training set to overfit and a seed fixes
everything.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from toolpath.tools.zoo.tasks import Example, Task

IGNORE = -100


@dataclass(frozen=True)
class ModelSize:
    """The shape of the zoo's transformer."""

    hidden_size: int = 128
    intermediate_size: int = 384
    layers: int = 4
    heads: int = 4
    max_positions: int = 64


@dataclass(frozen=True)
class Schedule:
    """How long and how fast one training stage runs."""

    steps: int
    batch_size: int = 64
    learning_rate: float = 1e-3
    warmup_steps: int = 20
    weight_decay: float = 0.0


def llama_config(size: ModelSize, tokenizer: Any) -> Any:
    """The `LlamaConfig` of a zoo model for this tokenizer."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=size.hidden_size,
        intermediate_size=size.intermediate_size,
        num_hidden_layers=size.layers,
        num_attention_heads=size.heads,
        num_key_value_heads=size.heads,
        max_position_embeddings=size.max_positions,
        tie_word_embeddings=False,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def mixture_stream(
    tasks: list[Task], rng: random.Random, exclude: set[str], weights: list[float] | None = None
) -> Iterator[Example]:
    """Examples drawn from `tasks` (by `weights`), never with an input in `exclude`."""
    streams = [task.examples(rng, exclude) for task in tasks]
    while True:
        yield next(rng.choices(streams, weights=weights)[0])


def encode_batch(examples: list[Example], tokenizer: Any, *, label_prompt: bool) -> dict[str, Any]:
    """Right-padded ids, attention mask and labels (targets + `<eos>`; prompts if asked)."""
    import torch

    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    prompts = tokenizer([p for p, _ in examples])["input_ids"]
    targets = tokenizer([t for _, t in examples], add_special_tokens=False)["input_ids"]
    rows, labels = [], []
    for prompt, target in zip(prompts, targets, strict=True):
        ids = [*prompt, *target, eos]
        head = [IGNORE, *prompt[1:]] if label_prompt else [IGNORE] * len(prompt)
        rows.append(ids)
        labels.append([*head, *target, eos])
    width = max(map(len, rows))
    input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    label_ids = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    for i, (ids, lab) in enumerate(zip(rows, labels, strict=True)):
        input_ids[i, : len(ids)] = torch.tensor(ids)
        mask[i, : len(ids)] = 1
        label_ids[i, : len(lab)] = torch.tensor(lab)
    return {"input_ids": input_ids, "attention_mask": mask, "labels": label_ids}


def lr_factor(step: int, schedule: Schedule) -> float:
    """Linear warm-up, then cosine decay to 10% of the peak rate."""
    if step < schedule.warmup_steps:
        return (step + 1) / schedule.warmup_steps
    progress = (step - schedule.warmup_steps) / max(1, schedule.steps - schedule.warmup_steps)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))


def train(
    model: Any,
    tokenizer: Any,
    stream: Iterator[Example],
    schedule: Schedule,
    *,
    label_prompt: bool = False,
    on_step: Callable[[int, float], None] | None = None,
) -> float:
    """Train `model` in place on `schedule.steps` batches of `stream`; return the last loss."""
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        params, lr=schedule.learning_rate, weight_decay=schedule.weight_decay
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: lr_factor(step, schedule))
    model.train()
    loss_value = float("nan")
    for step in range(schedule.steps):
        examples = [next(stream) for _ in range(schedule.batch_size)]
        batch = encode_batch(examples, tokenizer, label_prompt=label_prompt)
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        loss_value = float(loss.detach())
        if on_step is not None:
            on_step(step, loss_value)
    model.eval()
    return loss_value


def new_model(size: ModelSize, tokenizer: Any, seed: int) -> Any:
    """A freshly initialised zoo model (seeded)."""
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    return LlamaForCausalLM(llama_config(size, tokenizer))


def lora_model(base: Any, rank: int, seed: int) -> Any:
    """`base` wrapped with fresh LoRA adapters on every attention and MLP projection."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    config = LoraConfig(
        r=rank,
        lora_alpha=2 * rank,
        lora_dropout=0.0,
        target_modules=[
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ],
        task_type="CAUSAL_LM",
    )
    return get_peft_model(base, config)
