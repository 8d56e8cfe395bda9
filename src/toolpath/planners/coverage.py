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
from dataclasses import dataclass
from typing import Any

import numpy as np

from toolpath.planners.matcher import tool_document
from toolpath.planners.mentions import POSTCODE, Mentions, mentions
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


def other_values(
    request: str, calls: list[dict[str, Any]], tools: list[ToolSpec]
) -> list[tuple[str, str, str]]:
    """(clause, function, value) for each date, UK postcode or option the request states
    that no call gives, where a call to `function` gives another date or postcode the
    request states, or another option of the same parameter that it names: the model wrote
    the call for the first of several things asked ("raise nitrate by 10 ppm and phosphate
    by 1 ppm" with one call, for nitrate). The clause is the one stating the value (the
    whole request when no clause does alone)."""
    stated = _Stated(mentions(request), [found.group(0) for found in POSTCODE.finditer(request)])
    specs = {spec.name: spec for spec in tools}
    found: dict[str, str] = {}
    for call in calls:
        properties = (
            specs[call["name"]].parameters.get("properties", {}) if call["name"] in specs else {}
        )
        for name, value in call.get("arguments", {}).items():
            if not isinstance(value, str):
                continue
            for other in stated.beside(value, properties.get(name)):
                if not stated.given(calls, other):
                    found.setdefault(other, call["name"])
    parts = clauses(request)
    return [
        (_stating(parts, value) or request, function, value) for value, function in found.items()
    ]


@dataclass(frozen=True)
class _Stated:
    """What a request states that one of several calls may give: its values (`Mentions`)
    and its UK postcodes as written."""

    said: Mentions
    postcodes: list[str]

    def beside(self, value: str, prop: Any) -> list[str]:
        """The dates stated beside a stated date `value`, the postcodes beside a stated
        postcode, or the options of `prop` named beside a named option `value`."""
        if value in self.said.dates:
            return sorted(d for d in self.said.dates - {value} if _day_written(d, self.said.text))
        if any(compact(value) == compact(postcode) for postcode in self.postcodes):
            return [p for p in self.postcodes if compact(p) != compact(value)]
        options = prop.get("enum", []) if isinstance(prop, dict) else []
        if value not in options or not self.said.names_plainly(value):
            return []
        return [
            o for o in options if isinstance(o, str) and o != value and self.said.names_plainly(o)
        ]

    def given(self, calls: list[dict[str, Any]], value: str) -> bool:
        """Some call gives the stated date or postcode `value` (`gives`: in any form), or
        has an argument that is the option `value` or a list holding it."""
        if value in self.said.dates or value in self.postcodes:
            return gives(calls, value)
        return any(
            given == value or (isinstance(given, list) and value in given)
            for call in calls
            for given in call.get("arguments", {}).values()
        )


def _day_written(iso: str, text: str) -> bool:
    """The date's day of the month is written in the text in digits ("Sunday 29 August",
    "the 29th"): not a month's ends ("in December 2027": the 1st and the 31st), nor a date
    counted from another ("two weeks later")."""
    return re.search(rf"\b0?{int(iso[8:])}(?:st|nd|rd|th)?\b", text) is not None


def _stating(parts: list[str], value: str) -> str | None:
    """The first clause that states the date, postcode or option `value`."""
    return next(
        (
            part
            for part in parts
            if value in mentions(part).dates
            or (POSTCODE.fullmatch(value) is not None and compact(value) in compact(part))
            or mentions(part).names_plainly(value)
        ),
        None,
    )


def gives(calls: list[dict[str, Any]], value: str) -> bool:
    """Some call's arguments hold `value`, compared without spaces in any case."""
    return compact(value) in compact(json.dumps([c.get("arguments") for c in calls], default=str))
