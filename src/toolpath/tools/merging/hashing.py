"""Content hashes of model directories, for model cards.

A model's hash is the sha256 over its safetensors files (names and bytes, in name order).
Hashing a few GB takes seconds, so digests are cached per file in
`$TOOLPATH_CACHE_DIR/file_hashes.json` (default `~/.cache/toolpath`), keyed by the file's
resolved path, size, mtime and inode: a file that changes gets hashed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path

from toolpath.tools.files import atomic_write_json
from toolpath.tools.merging.preflight import weight_files

_LOCK = threading.Lock()
CHUNK = 8 << 20


def cache_dir() -> Path:
    return Path(os.environ.get("TOOLPATH_CACHE_DIR", Path.home() / ".cache" / "toolpath"))


def _cache_path() -> Path:
    return cache_dir() / "file_hashes.json"


def _load_cache() -> dict[str, str]:
    try:
        return json.loads(_cache_path().read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def _store_cache(entries: dict[str, str]) -> None:
    """Write the cache atomically, dropping entries of files that no longer exist."""
    entries = {k: v for k, v in entries.items() if Path(k.split("|", 1)[0]).exists()}
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        atomic_write_json(_cache_path(), entries, indent=None)


def _file_key(file: Path) -> str:
    stat = file.stat()
    return f"{file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}"


def file_sha256(file: Path) -> str:
    """sha256 of one file, through the cache."""
    key = _file_key(file)
    with _LOCK:
        cached = _load_cache().get(key)
    if cached:
        return cached
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    value = digest.hexdigest()
    with _LOCK:
        entries = _load_cache()
        entries[key] = value
        _store_cache(entries)
    return value


def model_sha256(model: Path) -> str:
    """The content hash of a model directory's weights."""
    digest = hashlib.sha256()
    for file in weight_files(model):
        digest.update(file.name.encode())
        digest.update(file_sha256(file).encode())
    return digest.hexdigest()
