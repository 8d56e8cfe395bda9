"""Corpora from .txt, .md and .jsonl files, cut into overlapping chunks of words.

Document text is data: it is indexed and returned, never interpreted as instructions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from toolpath.tools.jsonl import iter_jsonl

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSONL_SUFFIXES = (".jsonl",)
TEXT_FIELDS = ("text", "content", "body", "document", "passage", "user_request")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


class Chunk(BaseModel):
    """One retrievable piece of a document; `id` is `<source>#<n>`."""

    id: str
    text: str
    source: str


def split_words(text: str, chunk_words: int, overlap_words: int) -> list[str]:
    """Overlapping windows of at most `chunk_words` words."""
    if chunk_words < 1 or not 0 <= overlap_words < chunk_words:
        raise ValueError(
            f"chunking needs chunk_words >= 1 and 0 <= overlap_words < chunk_words "
            f"(got {chunk_words}, {overlap_words})"
        )
    words = text.split()
    step = chunk_words - overlap_words
    starts = range(0, max(len(words) - overlap_words, 1), step)
    return [" ".join(words[s : s + chunk_words]) for s in starts if words[s : s + chunk_words]]


def chunk_text(text: str, chunk_words: int = 200, overlap_words: int = 40) -> list[str]:
    """Pack whole paragraphs into chunks; split only paragraphs longer than a chunk."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for paragraph in _PARAGRAPH_BREAK.split(text):
        words = paragraph.split()
        if not words:
            continue
        if len(words) > chunk_words:  # a long paragraph takes a short heading along
            chunks.extend(split_words(" ".join(current + words), chunk_words, overlap_words))
            current, size = [], 0
            continue
        if size + len(words) > chunk_words and current:
            chunks.append(" ".join(current))
            current, size = [], 0
        current.extend(words)
        size += len(words)
    if current:
        chunks.append(" ".join(current))
    return chunks


def _jsonl_records(path: Path) -> Iterable[tuple[str, str]]:
    for line_no, record in iter_jsonl(path):
        field = next((f for f in TEXT_FIELDS if isinstance(record.get(f), str)), None)
        if field is None:
            raise ValueError(
                f"{str(path)!r} line {line_no}: no text field (one of {', '.join(TEXT_FIELDS)})"
            )
        yield str(record.get("id", line_no)), record[field]


def _files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES
            )
        elif path.is_file():
            if path.suffix.lower() not in TEXT_SUFFIXES + JSONL_SUFFIXES:
                raise ValueError(f"unsupported corpus file {str(path)!r}: use .txt, .md or .jsonl")
            found.append(path)
        else:
            raise FileNotFoundError(f"corpus path {str(path)!r} does not exist")
    return found


def load_corpus(
    paths: Iterable[str | Path], *, chunk_words: int = 200, overlap_words: int = 40
) -> list[Chunk]:
    """Chunks of every .txt/.md/.jsonl file named (directories are searched recursively).

    A .jsonl line is one document: its text is the first of `text`, `content`, `body`,
    `document`, `passage`, `user_request`; its id is `id` or the line number.
    """
    files = _files(paths)
    name_counts = Counter(path.name for path in files)
    chunks: list[Chunk] = []
    for path in files:
        label = path.name if name_counts[path.name] == 1 else str(path)
        if path.suffix.lower() in JSONL_SUFFIXES:
            documents = [(f"{label}:{doc_id}", text) for doc_id, text in _jsonl_records(path)]
        else:
            documents = [(label, path.read_text(encoding="utf-8", errors="replace"))]
        for source, text in documents:
            for n, piece in enumerate(chunk_text(text, chunk_words, overlap_words)):
                chunks.append(Chunk(id=f"{source}#{n}", text=piece, source=str(path)))
    return chunks
