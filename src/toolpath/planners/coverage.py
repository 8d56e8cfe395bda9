"""Parts of a request that no call covers: a sentence or clause ("And while I'm at it three
books of visitor vouchers please") whose nearest offered function (all-MiniLM-L6-v2, the
function's name and description) is one the answer did not call, and clearly nearer than
every function it did call. The small model often writes the call for the first thing a
request asks and stops; the caller then asks it about that part alone (`FunctionCaller`).

The two thresholds were set on the recorded answers of the spent development and blind
sets: they flag 12 questions there, 9 of whose accepted answers do call the flagged
function (reports/functions/session18/coverage_ab.md).

A clause may also point at a function the answer did call: a second booking, for another
date or address, left out ("... on Saturday 3 July, and the same again at LS6 2AB on
Sunday 11 July" with one call). So a clause stating a date or a UK postcode that no call
gives is asked about too (`unused_values`), with its nearest function.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from toolpath.planners.matcher import tool_document
from toolpath.planners.mentions import POSTCODE, mentions
from toolpath.tools.spec import ToolSpec

MIN_SIMILARITY = 0.3  # the clause's cosine similarity to the function it points at
MIN_MARGIN = 0.1  # ... above its similarity to the nearest function the answer called
_MIN_CLAUSE_WORDS = 3
_CLAUSE_BREAK = re.compile(
    r"(?<=[.!?])\s+|;\s+|\b(?:and also|also|plus|and separately|separately)\b", re.I
)


def function_similarity(texts: list[str], tools: list[ToolSpec]) -> np.ndarray | None:
    """Cosine similarity of each text (rows) to each function's name and description
    (columns, `matcher.tool_document`); None without the embedding model (the `retrieval`
    extra)."""
    try:
        from toolpath.tools.retrieval.embedder import embed
    except ImportError:
        return None
    vectors = embed([*texts, *(tool_document(spec) for spec in tools)])
    return vectors[: len(texts)] @ vectors[len(texts) :].T


def clauses(request: str) -> list[str]:
    """The request's sentences, cut again at "; ", "also", "plus" and "separately"; pieces
    of fewer than three words are left out."""
    pieces = (piece.strip(" ,") for piece in _CLAUSE_BREAK.split(request))
    return [p for p in pieces if len(p.split()) >= _MIN_CLAUSE_WORDS]


def nearest_functions(request: str, tools: list[ToolSpec]) -> set[str] | None:
    """The offered functions that are the nearest to some clause of the request (the
    whole request when no clause is cut); None without the embedding model."""
    parts = clauses(request) or [request]
    similarity = function_similarity(parts, tools) if tools else None
    if similarity is None:
        return None
    return {tools[int(row.argmax())].name for row in similarity}


def uncovered(request: str, called: set[str], tools: list[ToolSpec]) -> list[tuple[str, str]]:
    """(clause, function) for each clause of a request of two or more whose nearest
    offered function was not called and is nearer (`MIN_SIMILARITY`, `MIN_MARGIN`) than
    every called one; one clause per function. Empty without the embedding model (the
    `retrieval` extra), with one function offered, or when nothing was called."""
    parts = clauses(request)
    names = [spec.name for spec in tools]
    if len(parts) < 2 or len(tools) < 2 or not called & set(names):
        return []
    similarity = function_similarity(parts, tools)
    if similarity is None:
        return []
    found: dict[str, str] = {}
    for clause, row in zip(parts, similarity, strict=True):
        nearest = int(row.argmax())
        if names[nearest] in called or names[nearest] in found:
            continue
        nearest_called = max(float(row[i]) for i, name in enumerate(names) if name in called)
        if row[nearest] >= MIN_SIMILARITY and row[nearest] - nearest_called >= MIN_MARGIN:
            found[names[nearest]] = clause
    return [(clause, name) for name, clause in found.items()]


def compact(text: str) -> str:
    """The text without white space, in capitals ("ls6 2ab" -> "LS62AB")."""
    return re.sub(r"\s+", "", text).upper()


def _stated_values(clause: str) -> list[str]:
    """The dates (YYYY-MM-DD) and UK postcodes (without spaces) a clause states."""
    postcodes = [compact(found.group(0)) for found in POSTCODE.finditer(clause)]
    return [*sorted(mentions(clause).dates), *postcodes]


def unused_values(
    request: str, calls: list[dict[str, Any]], tools: list[ToolSpec]
) -> list[tuple[str, str, str]]:
    """(clause, function, value) for each clause of the request that states a date or UK
    postcode no call gives (`_stated_values`; the first such value), with the clause's
    nearest offered function. Empty for a request of one clause, with no call, or without
    the embedding model."""
    parts = clauses(request)
    if len(parts) < 2 or not calls:
        return []
    unused = [
        (part, value)
        for part in parts
        if (value := next((v for v in _stated_values(part) if not gives(calls, v)), None))
    ]
    similarity = function_similarity([part for part, _ in unused], tools) if unused else None
    if similarity is None:
        return []
    return [
        (part, tools[int(row.argmax())].name, value)
        for (part, value), row in zip(unused, similarity, strict=True)
    ]


def gives(calls: list[dict[str, Any]], value: str) -> bool:
    """Some call's arguments hold `value`, compared without spaces in any case."""
    return compact(value) in compact(json.dumps([c.get("arguments") for c in calls], default=str))
