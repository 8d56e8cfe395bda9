"""Content hashes of model directories, for model cards.

A model's hash is the sha256 over its safetensors files (names and bytes, in name order),
each file's digest cached by tools/hashing.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from toolpath.tools.hashing import cache_dir, file_sha256
from toolpath.tools.merging.preflight import weight_files

__all__ = ["cache_dir", "file_sha256", "model_sha256"]


def model_sha256(model: Path) -> str:
    """The content hash of a model directory's weights."""
    digest = hashlib.sha256()
    for file in weight_files(model):
        digest.update(file.name.encode())
        digest.update(file_sha256(file).encode())
    return digest.hexdigest()
