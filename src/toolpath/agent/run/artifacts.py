"""Content-addressed, atomically written step outputs.

An artifact is keyed by the sha256 of (tool, resolved arguments). Upstream outputs enter
the arguments as paths inside this store, which are themselves keys, so the key covers
everything a step depends on. A step writes into `tmp/<key>.<random>/` and the directory
is renamed to `objects/<key>/` only once the tool returned and `artifact.json` is on
disk: a process killed mid-write leaves a stray temp dir (removed on the next open) and
never a half-written artifact, and a resumed run finds finished steps and skips them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

MANIFEST = "artifact.json"
OUT_DIR = "out"


class Artifact(BaseModel):
    """A stored step output: its value (JSON) and the files it wrote under `path/out`."""

    key: str
    tool: str
    path: str
    value: Any = None
    seconds: float = 0.0
    files: dict[str, str] = {}
    created: float = 0.0

    @property
    def out_dir(self) -> Path:
        return Path(self.path) / OUT_DIR


def to_jsonable(value: Any) -> Any:
    """Tool outputs as plain JSON data (pydantic models dumped, paths as strings)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "__dataclass_fields__"):
        return {name: to_jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    return repr(value)


def step_key(tool: str, arguments: dict[str, Any]) -> str:
    """The content address of one tool call."""
    canonical = json.dumps(
        {"tool": tool, "arguments": to_jsonable(arguments)}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _replace_prefix(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new + value[len(old) :] if value.startswith(old) else value
    if isinstance(value, list):
        return [_replace_prefix(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_prefix(v, old, new) for k, v in value.items()}
    return value


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class ArtifactStore:
    """Artifacts under `root/objects`, built in `root/tmp`."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.tmp = self.root / "tmp"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def clean_stale(self, older_than: float = 0.0) -> int:
        """Remove temp dirs left by killed runs; return how many."""
        removed = 0
        now = time.time()
        for entry in self.tmp.iterdir():
            if now - entry.stat().st_mtime >= older_than:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed

    def get(self, key: str) -> Artifact | None:
        """The finished artifact for `key`, or None (also when its files are missing)."""
        manifest = self.objects / key / MANIFEST
        if not manifest.is_file():
            return None
        artifact = Artifact.model_validate_json(manifest.read_text(encoding="utf-8"))
        for name in artifact.files:
            if not (artifact.out_dir / name).is_file():
                return None
        return artifact

    def verify(self, artifact: Artifact) -> bool:
        """True when every file still has the digest recorded when it was written."""
        return all(
            (artifact.out_dir / name).is_file() and _digest(artifact.out_dir / name) == digest
            for name, digest in artifact.files.items()
        )

    def put(self, key: str, tool: str, produce: Callable[[Path], Any]) -> Artifact:
        """Run `produce(out_dir)` and store what it returns and writes, atomically."""
        existing = self.get(key)
        if existing is not None:
            return existing
        work = self.tmp / f"{key}.{uuid.uuid4().hex[:8]}"
        out = work / OUT_DIR
        out.mkdir(parents=True)
        final = self.objects / key
        try:
            started = time.perf_counter()
            value = to_jsonable(produce(out))
            seconds = time.perf_counter() - started
            value = _replace_prefix(value, str(out), str(final / OUT_DIR))
            files = {
                str(p.relative_to(out)): _digest(p) for p in sorted(out.rglob("*")) if p.is_file()
            }
            artifact = Artifact(
                key=key,
                tool=tool,
                path=str(final),
                value=value,
                seconds=seconds,
                files=files,
                created=time.time(),
            )
            manifest = work / MANIFEST
            with manifest.open("w", encoding="utf-8") as handle:
                handle.write(artifact.model_dump_json(indent=1))
                handle.flush()
                os.fsync(handle.fileno())
            _fsync_dir(work)
            try:
                os.rename(work, final)
            except OSError:
                # Another worker finished the same step first: keep theirs.
                shutil.rmtree(work, ignore_errors=True)
                return self.get(key) or artifact
            _fsync_dir(self.objects)
            return artifact
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
