"""JSON Lines files: read with errors that name the file and the line; appended durably."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line; ValueError names a bad line."""
    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{str(path)!r} line {line_no}: invalid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise ValueError(f"{str(path)!r} line {line_no}: expected a JSON object")
            yield line_no, record


def append_jsonl(
    path: str | Path, record: dict[str, Any], default: Callable[[Any], Any] | None = None
) -> None:
    """Append one record as a line, flushed to disk before returning (nothing finished is
    lost on a crash; a torn last line is the reader's to skip)."""
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False, default=default) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
