"""`<node-j>` references: how a plan's argument names the output of node j.

One walker for every rewrite (renumbering, re-pointing, placeholders, substitution of
outputs): values are strings, or lists and dicts of them, nested.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

NODE_REF = re.compile(r"<node-(\d+)>")
INPUT_REF = re.compile(r"<input-(\d+)>")  # a refined sub-plan's name for the outer inputs


def map_strings(value: Any, rewrite: Callable[[str], Any]) -> Any:
    """`value` with `rewrite` applied to every string inside it (lists and dicts walked)."""
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [map_strings(v, rewrite) for v in value]
    if isinstance(value, dict):
        return {k: map_strings(v, rewrite) for k, v in value.items()}
    return value


def map_refs(
    value: Any, replace: Callable[[int], str | None], pattern: re.Pattern[str] = NODE_REF
) -> Any:
    """Every match of `pattern` (group 1: an index) replaced by `replace(index)`; None keeps
    the match as it is."""

    def swap(match: re.Match[str]) -> str:
        new = replace(int(match.group(1)))
        return match.group(0) if new is None else new

    return map_strings(value, lambda text: pattern.sub(swap, text))


def renumber(value: Any, mapping: Mapping[int, int], pattern: re.Pattern[str] = NODE_REF) -> Any:
    """References (`<node-j>`, or `pattern`) found in `mapping` become `<node-mapping[j]>`;
    the others stay as written."""
    return map_refs(value, lambda j: f"<node-{mapping[j]}>" if j in mapping else None, pattern)


def as_text(value: Any) -> str:
    """All strings of a value joined, to look for references in."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list | tuple):
        return " ".join(as_text(v) for v in (value.values() if isinstance(value, dict) else value))
    return "" if value is None else str(value)


def is_ref(value: Any) -> bool:
    """A text holding a `<node-j>` reference (another call's result)."""
    return isinstance(value, str) and bool(NODE_REF.search(value))


def references(value: Any) -> list[int]:
    """The node indices a value refers to, in order of appearance."""
    return [int(m) for m in NODE_REF.findall(as_text(value))]


def results_read(calls: list[dict[str, Any]]) -> set[int]:
    """The indices of the calls whose results other calls read (`<node-j>` in arguments); a
    call reading its own result is not counted."""
    return {
        ref
        for index, call in enumerate(calls)
        for ref in references(call.get("arguments"))
        if ref != index
    }


def counts_from_one(pairs: list[tuple[int, int]], nodes: int) -> bool:
    """Whether (node, reference) pairs of a plan of `nodes` nodes were numbered from 1: some
    node reads itself or one past the end, and every reference shifted down by one names
    another node of the plan."""
    off = [(i, j) for i, j in pairs if j == i or j >= nodes]
    return bool(off) and all(0 <= j - 1 < nodes and j - 1 != i for i, j in pairs)
