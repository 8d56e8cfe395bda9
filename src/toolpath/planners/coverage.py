"""Parts of a request that no call covers: a sentence or clause ("And while I'm at it three
books of visitor vouchers please") whose nearest offered function (all-MiniLM-L6-v2, the
function's name and description) is one the answer did not call, and clearly nearer than
every function it did call. The small model often writes the call for the first thing a
request asks and stops; the caller then asks it about that part alone (`FunctionCaller`).

The two thresholds were set on the recorded answers of the spent development and blind
sets: they flag 12 questions there, 9 of whose accepted answers do call the flagged
function (reports/functions/session18/coverage_ab.md).
"""

from __future__ import annotations

import re

import numpy as np

from toolpath.planners.matcher import tool_document
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
