"""Atomic writes of index directories and their manifests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class IndexFormatError(ValueError):
    """A directory that does not hold a readable toolpath index."""


def write_manifest(folder: Path, kind: str, **fields: Any) -> None:
    payload = {"kind": kind, "format_version": FORMAT_VERSION, **fields}
    (folder / MANIFEST).write_text(json.dumps(payload, indent=2), encoding="utf-8")


def read_manifest(folder: Path, kind: str | None = None) -> dict[str, Any]:
    """The manifest of an index directory, checked against the expected kind."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise IndexFormatError(f"{str(folder)!r} is not an index directory (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise IndexFormatError(f"{str(path)!r} is not valid JSON: {exc.msg}") from exc
    if kind is not None and manifest.get("kind") != kind:
        raise IndexFormatError(
            f"{str(folder)!r} holds a {manifest.get('kind')!r} index, not a {kind!r} index"
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexFormatError(
            f"{str(folder)!r}: index format {manifest.get('format_version')!r} is not supported"
        )
    return manifest


def write_docs(folder: Path, ids: list[str], docs: list[str]) -> None:
    with (folder / "docs.jsonl").open("w", encoding="utf-8") as handle:
        for doc_id, text in zip(ids, docs, strict=True):
            handle.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")


def read_docs(folder: Path) -> tuple[list[str], list[str]]:
    path = Path(folder) / "docs.jsonl"
    if not path.is_file():
        raise IndexFormatError(f"{str(folder)!r}: missing docs.jsonl")
    ids, docs = [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                ids.append(str(record["id"]))
                docs.append(str(record["text"]))
    return ids, docs
