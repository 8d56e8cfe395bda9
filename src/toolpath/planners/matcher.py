"""The step -> tool matcher: p(tool | step text) for one catalogue.

Each tool has a prototype vector in the embedding space of all-MiniLM-L6-v2 (the model the
retrieval tools already ship). Untrained, the prototype is the embedding of the tool's
name and documentation. Trained on solved samples, it is the normalised blend of that
embedding and the mean embedding of the steps the solved samples served with the tool
(a nearest-class-mean classifier: seconds on a CPU). Asked to (`toolpath planner train
--fine-tune`), with at least `FINE_TUNE_MIN_PAIRS` solved steps, the encoder itself is
first fine-tuned on them (matcher_training: minutes on a CPU) and the prototypes live in
its embedding space; once trained, the planner uses it. It is not the default: on the
TaskBench pool folds it matched steps to tools better but did not change the plans'
scores (see the README). `log_probs` is a softmax over cosine similarities
at a temperature.

Trained prototypes (and the fine-tuned encoder beside them) are saved as safetensors under
a key that hashes the catalogue, the training pairs and `MATCHER_VERSION`, so a changed
catalogue, pool or code retrains.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from toolpath.tools.spec import ToolSpec

log = logging.getLogger(__name__)

MATCHER_VERSION = "prototype-v1"
FINE_TUNED_VERSION = "finetuned-v1"
FINE_TUNE_MIN_PAIRS = 100  # fewer solved steps: prototypes over the stock encoder
DEFAULT_TEMPERATURE = 0.05
DOC_WEIGHT = 1.0  # weight of the documentation embedding against the mean of the steps
_STEP_PREFIX = re.compile(r"^\s*step\s*\d+\s*[:.)-]\s*", re.I)


def tool_document(spec: ToolSpec) -> str:
    """The text a tool is known by: its name (with separators as spaces) and its doc."""
    name = spec.name.replace("_", " ").replace("-", " ")
    return f"{name}: {spec.doc}"


def clean_step(text: str) -> str:
    """A step without its "Step 3:" prefix."""
    return _STEP_PREFIX.sub("", text).strip()


def _embed(texts: Sequence[str], encoder: Path | None = None) -> np.ndarray:
    from toolpath.tools.retrieval.embedder import embed

    return embed(list(texts), model=encoder) if texts else np.zeros((0, 384), dtype=np.float32)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


@dataclass
class StepMatcher:
    """Tool prototypes (unit rows, in `names` order), the softmax temperature and the
    encoder's folder (None: the stock all-MiniLM-L6-v2)."""

    names: list[str]
    prototypes: np.ndarray
    temperature: float = DEFAULT_TEMPERATURE
    trained_pairs: int = 0
    encoder: Path | None = None

    @classmethod
    def untrained(cls, tools: Sequence[ToolSpec], encoder: Path | None = None) -> StepMatcher:
        """Embedding similarity of step and tool documentation."""
        documents = [tool_document(t) for t in tools]
        return cls([t.name for t in tools], _unit(_embed(documents, encoder)), encoder=encoder)

    @classmethod
    def trained(
        cls,
        tools: Sequence[ToolSpec],
        pairs: Iterable[tuple[str, str]],
        encoder: Path | None = None,
    ) -> StepMatcher:
        """Prototypes from the documentation plus the steps each tool served."""
        base = cls.untrained(tools, encoder)
        index = {name: i for i, name in enumerate(base.names)}
        pairs = [(clean_step(step), tool) for step, tool in pairs if tool in index]
        if not pairs:
            return base
        vectors = _embed([step for step, _ in pairs], encoder)
        sums = np.zeros_like(base.prototypes)
        counts = np.zeros(len(base.names))
        for vector, (_, tool) in zip(vectors, pairs, strict=True):
            sums[index[tool]] += vector
            counts[index[tool]] += 1
        means = np.where(counts[:, None] > 0, sums / np.maximum(counts[:, None], 1), 0.0)
        prototypes = _unit(DOC_WEIGHT * base.prototypes + _unit(means) * (counts[:, None] > 0))
        return cls(
            base.names, prototypes.astype(np.float32), trained_pairs=len(pairs), encoder=encoder
        )

    def log_probs(self, steps: Sequence[str]) -> np.ndarray:
        """log p(tool | step), shape (len(steps), len(names))."""
        if not steps:
            return np.zeros((0, len(self.names)))
        vectors = _embed([clean_step(s) for s in steps], self.encoder)
        logits = vectors @ self.prototypes.T / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))

    def best(self, step: str, k: int = 3) -> list[tuple[str, float]]:
        """The k likeliest tools for one step, with their probabilities."""
        row = self.log_probs([step])[0]
        order = np.argsort(-row)[:k]
        return [(self.names[i], float(np.exp(row[i]))) for i in order]

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Prototypes as safetensors; a fine-tuned encoder must sit in `path`'s folder."""
        meta = {
            "names": json.dumps(self.names),
            "temperature": str(self.temperature),
            "trained_pairs": str(self.trained_pairs),
            "version": MATCHER_VERSION,
        }
        if self.encoder is not None:
            if self.encoder.parent != path.parent:
                raise ValueError(f"the encoder {self.encoder} is not beside {path}")
            meta["encoder"] = self.encoder.name
        from safetensors.numpy import save

        from toolpath.tools.files import atomic_open

        with atomic_open(path, "wb") as handle:  # readers see the old file or the new one
            handle.write(save({"prototypes": self.prototypes}, metadata=meta))

    @classmethod
    def load(cls, path: Path) -> StepMatcher:
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as handle:
            meta = handle.metadata()
            prototypes = handle.get_tensor("prototypes")
        encoder = path.parent / meta["encoder"] if meta.get("encoder") else None
        if encoder is not None and not (encoder / "model.safetensors").is_file():
            raise FileNotFoundError(f"the matcher's encoder {encoder} is missing")
        return cls(
            json.loads(meta["names"]),
            prototypes,
            float(meta["temperature"]),
            int(meta["trained_pairs"]),
            encoder,
        )


def matcher_key(
    tools: Sequence[ToolSpec], pairs: Sequence[tuple[str, str]], fine_tuned: bool = False
) -> str:
    """Hash of what a trained matcher depends on: catalogue, training pairs, code version
    (and whether its encoder is fine-tuned)."""
    version = f"{MATCHER_VERSION}+{FINE_TUNED_VERSION}" if fine_tuned else MATCHER_VERSION
    digest = hashlib.sha256(version.encode())
    for spec in tools:
        digest.update(json.dumps([spec.name, spec.doc]).encode())
    for step, tool in pairs:
        digest.update(json.dumps([step, tool]).encode())
    return digest.hexdigest()[:20]


def matcher_cache_dir() -> Path:
    """`matchers/` under toolpath's cache root."""
    from toolpath.tools.files import cache_root

    return cache_root() / "matchers"


def matcher_path(
    tools: Sequence[ToolSpec],
    pairs: Sequence[tuple[str, str]],
    cache_dir: Path | None = None,
    fine_tuned: bool = False,
) -> Path:
    """Where the matcher trained on (catalogue, pairs) is kept."""
    key = matcher_key(tools, pairs, fine_tuned)
    return (cache_dir or matcher_cache_dir()) / f"matcher-{key}.safetensors"


def cached_matcher(
    tools: Sequence[ToolSpec],
    pairs: Sequence[tuple[str, str]],
    cache_dir: Path | None = None,
    fine_tune: bool | None = None,
) -> StepMatcher:
    """The trained matcher for (catalogue, pairs), trained on first use and kept.

    `fine_tune`: True fine-tunes the encoder (when there are `FINE_TUNE_MIN_PAIRS` pairs),
    False never does, None uses a fine-tuned matcher if one was trained before."""
    tuned = fine_tune is not False and len(pairs) >= FINE_TUNE_MIN_PAIRS
    path = matcher_path(tools, pairs, cache_dir, fine_tuned=tuned)
    if path.is_file():
        return StepMatcher.load(path)
    if tuned and fine_tune is None:  # none trained: the prototypes
        tuned, path = False, matcher_path(tools, pairs, cache_dir)
        if path.is_file():
            return StepMatcher.load(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    encoder = _fine_tuned_encoder(tools, pairs, path) if tuned else None
    log.info("training the step matcher's prototypes on %d solved steps", len(pairs))
    matcher = StepMatcher.trained(tools, pairs, encoder)
    matcher.save(path)
    return matcher


def _fine_tuned_encoder(
    tools: Sequence[ToolSpec], pairs: Sequence[tuple[str, str]], path: Path
) -> Path:
    """The encoder fine-tuned on `pairs`, in `<path stem>.encoder/` beside the matcher
    (trained in a staging folder and renamed into place, so a crash leaves no half model)."""
    import shutil
    import tempfile

    from toolpath.planners.matcher_training import fine_tune_encoder

    target = path.with_suffix(".encoder")
    if (target / "model.safetensors").is_file():
        return target
    index = {spec.name: i for i, spec in enumerate(tools)}
    indexed = [(clean_step(s), index[t]) for s, t in pairs if t in index]
    log.info("fine-tuning the step matcher's encoder on %d solved steps", len(indexed))
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".staging-") as staging:
        trained = fine_tune_encoder([tool_document(t) for t in tools], indexed, Path(staging))
        shutil.rmtree(target, ignore_errors=True)
        trained.rename(target)
    return target
