"""Content hashes of files and folders, cached.

Hashing a few GB takes seconds, so digests are cached per file in
`$TOOLPATH_CACHE_DIR/file_hashes.json` (default `~/.cache/toolpath`; BLAKE3 digests in
`file_hashes_blake3.json`), keyed by the file's resolved path, size, mtime and inode: a
file that changes gets hashed again, one that does not is hashed once. BLAKE3 (the
`blake3` package, installed with `[merge]`) runs at 3-4x the speed of sha256 here.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import threading
from collections.abc import Iterable
from pathlib import Path

from toolpath.tools.files import atomic_write_json, cache_root

_LOCK = threading.Lock()
CHUNK = 8 << 20


def fast_algorithm() -> str:
    """ "blake3" where the package is installed, else "sha256"."""
    return "blake3" if importlib.util.find_spec("blake3") is not None else "sha256"


def hash_cache_path(algorithm: str = "sha256") -> Path:
    """The file of remembered file digests for `algorithm`, under the cache root."""
    suffix = "" if algorithm == "sha256" else f"_{algorithm}"
    return cache_root() / f"file_hashes{suffix}.json"


def _load_cache(algorithm: str = "sha256") -> dict[str, str]:
    try:
        return json.loads(hash_cache_path(algorithm).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def _store_cache(entries: dict[str, str], algorithm: str = "sha256") -> None:
    """Write the cache atomically, dropping entries of files that no longer exist."""
    entries = {k: v for k, v in entries.items() if Path(k.split("|", 1)[0]).exists()}
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        atomic_write_json(hash_cache_path(algorithm), entries, indent=None)


def _file_key(file: Path) -> str:
    stat = file.stat()
    return f"{file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}"


def new_digest(algorithm: str):
    """A fresh hash object of `algorithm` ("sha256", "blake3", or any hashlib name)."""
    if algorithm == "blake3":
        from blake3 import blake3

        return blake3()
    return hashlib.new(algorithm)


def _hash_file(file: Path, algorithm: str = "sha256") -> str:
    """Read into one reused buffer (not a memory map: mapped pages count as the process's
    resident memory, +0.4 GB for a 0.5 GB shard, and are no faster here)."""
    digest = new_digest(algorithm)
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with file.open("rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            digest.update(view[:size])
    return digest.hexdigest()


def files_digests(files: Iterable[Path], algorithm: str = "sha256") -> dict[Path, str]:
    """The `algorithm` digest of each file, through its cache (read and written once)."""
    keys = {Path(file): _file_key(Path(file)) for file in files}
    with _LOCK:
        cached = _load_cache(algorithm)
    digests = {file: cached.get(key) for file, key in keys.items()}
    missing = [file for file, digest in digests.items() if not digest]
    if not missing:
        return digests  # type: ignore[return-value]
    fresh = {file: _hash_file(file, algorithm) for file in missing}
    with _LOCK:
        entries = _load_cache(algorithm)
        entries.update({keys[file]: digest for file, digest in fresh.items()})
        _store_cache(entries, algorithm)
    return digests | fresh  # type: ignore[operator]


def files_sha256(files: Iterable[Path]) -> dict[Path, str]:
    """sha256 of each file, through the cache (read and written once per call)."""
    return files_digests(files, "sha256")


def file_sha256(file: Path) -> str:
    """sha256 of one file, through the cache."""
    return files_sha256([Path(file)])[Path(file)]


def path_sha256(path: str | Path) -> str | None:
    """The content hash of a file, or of a folder (every file under it: relative names
    and contents, in name order); None when nothing is there."""
    path = Path(path)
    if path.is_file():
        return file_sha256(path)
    if not path.is_dir():
        return None
    files = sorted(p for p in path.rglob("*") if p.is_file())
    digests = files_sha256(files)
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        digest.update(digests[file].encode())
    return digest.hexdigest()
