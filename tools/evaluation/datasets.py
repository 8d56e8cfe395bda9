"""Labelled JSONL sets: `{"input", "target"}` (generation), `{"text", "label"}` (classifiers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

Kind = Literal["generation", "classification"]


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """The JSON objects of a .jsonl file, one a line (blank lines skipped)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"dataset {str(path)!r} does not exist")
    records = []
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
            records.append(record)
    if not records:
        raise ValueError(f"dataset {str(path)!r} is empty")
    return records


def dataset_kind(records: list[dict[str, Any]], source: str = "dataset") -> Kind:
    """`generation` if every record has input and target, `classification` for text and label."""
    first = records[0]
    if "input" in first and "target" in first:
        kind: Kind = "generation"
        fields = ("input", "target")
    elif "text" in first and "label" in first:
        kind, fields = "classification", ("text", "label")
    else:
        raise ValueError(
            f"{source}: records need 'input' and 'target' (generation) or 'text' and 'label' "
            f"(classification); the first has {sorted(first)}"
        )
    for i, record in enumerate(records, start=1):
        missing = [f for f in fields if f not in record]
        if missing:
            raise ValueError(f"{source}: record {i} lacks {', '.join(missing)}")
    return kind
