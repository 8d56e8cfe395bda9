"""Content-addressed, atomically written step outputs.

An artifact is keyed by the sha256 of (tool, tool version, resolved arguments, contents
of the input files): the tool version is toolpath's version and a hash of the tool
function's source, the contents the sha256 of each file or folder a path argument names
(hashed once per path, size and mtime, tools/hashing.py). Upstream outputs enter the
arguments as paths inside this store, which are themselves keys and not hashed again.
An edited document or a rebuilt model at the same path, or a changed tool, gets a new
key; the same call on the same contents is found again.

A step writes into `tmp/<key>.<random>/` and the directory is renamed to
`objects/<key>/` only once the tool returned and `artifact.json` is on disk: a process
killed mid-write leaves a stray temp dir (removed on the next open) and never a
half-written artifact, and a resumed run finds finished steps and skips them.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import toolpath
from toolpath.tools.hashing import path_sha256
from toolpath.tools.spec import ToolSpec

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


def step_key(
    tool: str,
    arguments: dict[str, Any],
    *,
    version: str = "",
    contents: dict[str, Any] | None = None,
) -> str:
    """The content address of one tool call: tool, version, arguments, input contents."""
    canonical = json.dumps(
        {
            "tool": tool,
            "version": version,
            "arguments": to_jsonable(arguments),
            "contents": contents or {},
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@lru_cache(maxsize=1024)
def _source_hash(fn: Callable[..., Any]) -> str:
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        source = getattr(fn, "__qualname__", repr(fn))
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def tool_version(spec: ToolSpec) -> str:
    """toolpath's version and a hash of the tool function's source."""
    return f"{toolpath.__version__}+{_source_hash(spec.fn) if spec.fn else 'none'}"


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


def _map_paths(value: Any, fn: Callable[[str], Any]) -> Any:
    if isinstance(value, str | Path):
        return fn(str(value))
    if isinstance(value, list | tuple):
        return [_map_paths(v, fn) for v in value]
    return None


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

    def contents(self, paths: dict[str, Any]) -> dict[str, Any]:
        """The content hash of every file or folder named in `paths` (a str or a list of
        str per parameter); paths inside this store are content-addressed already."""
        return {name: _map_paths(value, self._content) for name, value in paths.items()}

    def _content(self, value: str) -> str | None:
        path = Path(value).expanduser()
        if path.resolve().is_relative_to(self.objects.resolve()):
            return "artifact"
        return path_sha256(path)

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
