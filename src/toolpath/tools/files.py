"""Atomic writes: a file or a directory is built under a temporary name beside its target
and renamed onto it only when complete, so readers see the old version or the whole new
one, never a half-written file; on failure the temporary is removed and the target is
left as it was."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from toolpath.tools.spec import ToolArgumentError

FILE_MODE = 0o644  # mkstemp creates 0o600; written files are meant to be shared


def cache_root() -> Path:
    """Where toolpath keeps caches: `$TOOLPATH_CACHE_DIR`, else `$XDG_CACHE_HOME/toolpath`,
    else `~/.cache/toolpath`. Each cache (models, zoo, file hashes, matchers) lives below it
    unless its own variable moves it."""
    if os.environ.get("TOOLPATH_CACHE_DIR"):
        return Path(os.environ["TOOLPATH_CACHE_DIR"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "toolpath"


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", *, fsync: bool = False) -> Iterator[IO[Any]]:
    """A handle on a temporary file beside `path` ("w" text as UTF-8, or "wb"), renamed
    onto `path` when the block exits normally; `fsync` flushes it to disk first."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes a new file: mode 'w' or 'wb', not {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as handle:
            yield handle
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    with atomic_open(path) as handle:
        handle.write(text)
    return Path(path)


def atomic_write_json(path: str | Path, data: Any, *, indent: int | None = 2) -> Path:
    """Write `data` as JSON (plus a final newline) to `path` atomically."""
    return atomic_write_text(path, json.dumps(data, indent=indent) + "\n")


MARKER = ".toolpath-owned"  # written into every directory atomic_dir creates
_INDEX_KINDS = ("bm25", "dense", "hybrid")  # retrieval indexes written before the marker


class ForeignDirectoryError(ToolArgumentError):
    """A tool was about to replace a path it did not create."""


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _legacy_output(folder: Path) -> bool:
    """A toolpath output written before the marker existed, recognised by its own manifest:
    a merge output's merge_card.json, or a retrieval index's manifest.json (its kind and
    format_version, beside its docs.jsonl). A user's own manifest.json does not count."""
    card = _read_json(folder / "merge_card.json")
    if isinstance(card, dict) and "method" in card:
        return True
    manifest = _read_json(folder / "manifest.json")
    return (
        isinstance(manifest, dict)
        and manifest.get("kind") in _INDEX_KINDS
        and isinstance(manifest.get("format_version"), int)
        and (folder / "docs.jsonl").is_file()
    )


def check_replaceable(target: str | Path, legacy: Callable[[Path], bool] | None = None) -> None:
    """Raise ForeignDirectoryError unless `target` is absent, an empty directory, or a
    directory toolpath created (its marker, a legacy manifest, or `legacy(target)`)."""
    target = Path(target)
    rule = "a tool replaces only directories it created (marked with " + MARKER + ")"
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        kind = "a symlink" if target.is_symlink() else "a file"
        raise ForeignDirectoryError(f"refusing to replace {str(target)!r}: it is {kind}; {rule}")
    if not target.exists() or (target / MARKER).is_file() or not any(target.iterdir()):
        return
    if _legacy_output(target) or (legacy is not None and legacy(target)):
        return
    raise ForeignDirectoryError(
        f"refusing to replace {str(target)!r}: it holds files toolpath did not write; {rule}"
    )


def check_not_input(out: str | Path, inputs: list[Path]) -> None:
    """Refuse an output directory that is, holds or lies inside one of the inputs."""
    target = Path(out).resolve()
    for path in inputs:
        source = Path(path).resolve()
        if target == source or source in target.parents or target in source.parents:
            raise ForeignDirectoryError(
                f"output {str(out)!r} would overwrite or sit inside input {str(path)!r}; "
                "outputs never overwrite inputs"
            )


@contextmanager
def atomic_dir(
    target: str | Path, *, legacy: Callable[[Path], bool] | None = None
) -> Iterator[Path]:
    """A fresh directory beside `target` to fill; it replaces `target` (an existing one is
    moved aside, then removed) when the block exits normally.

    The directory carries MARKER. A target that toolpath did not create (see
    check_replaceable; `legacy` recognises the caller's own older outputs) is refused
    before the block runs and again just before the swap."""
    target = Path(target)
    check_replaceable(target, legacy)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    (staging / MARKER).write_text("created by toolpath; it may replace this directory\n")
    try:
        yield staging
        check_replaceable(target, legacy)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
