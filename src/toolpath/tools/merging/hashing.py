"""Content hashes of model directories, for model cards.

A model's hash is the digest over its safetensors files (names and per-file digests, in
name order), each file's digest cached by tools/hashing.py. Model cards use BLAKE3 where
the `blake3` package is installed (`[merge]` installs it), else sha256, and name it.
"""

from __future__ import annotations

from pathlib import Path

from toolpath.tools.hashing import fast_algorithm, files_digests, new_digest
from toolpath.tools.hashing import file_sha256 as file_sha256
from toolpath.tools.merging.preflight import weight_files

__all__ = ["fast_algorithm", "file_sha256", "model_digest", "model_sha256"]


def model_digest(model: Path, algorithm: str = "sha256") -> str:
    """The content hash of a model directory's weights with `algorithm`."""
    files = weight_files(model)
    per_file = files_digests(files, algorithm)
    digest = new_digest(algorithm)
    for file in files:
        digest.update(file.name.encode())
        digest.update(per_file[file].encode())
    return digest.hexdigest()


def model_sha256(model: Path) -> str:
    """The sha256 content hash of a model directory's weights."""
    return model_digest(model, "sha256")
