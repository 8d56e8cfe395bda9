"""Labelled JSONL sets: `{"input", "target"}` (generation), `{"text", "label"}` (classifiers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from toolpath.tools.jsonl import iter_jsonl

Kind = Literal["generation", "classification"]


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """The JSON objects of a .jsonl file, one a line (blank lines skipped)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"dataset {str(path)!r} does not exist")
    records = [record for _, record in iter_jsonl(path)]
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
