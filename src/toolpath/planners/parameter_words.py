"""What a parameter's name and description say: the words by which a request names it (less
the common ones and those the function's other parameters share, `distinct_words`) and its
stated default (`stated_default`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from toolpath.planners.grounding import stem_in
from toolpath.planners.mentions import NUMBER, WORD, fold

# words too common to say which parameter a sentence is about
COMMON_WORDS = frozenset(
    {
        "the", "and", "for", "any", "that", "its", "one", "from", "with", "until", "next",
        "off", "set", "per", "each", "all", "our", "your", "their", "this", "are", "was",
        "can", "has", "have", "will", "also", "only", "when", "where", "who", "which", "what",
        "default", "true", "false", "yes",
    }
)  # fmt: skip


def words_of(name: str, prop: Any) -> list[str]:
    """The words of a parameter's name and description."""
    described = prop.get("description", "") if isinstance(prop, dict) else ""
    return WORD.findall(fold(f"{name} {described}"))


def distinct_words(name: str, properties: dict[str, Any]) -> list[str]:
    """The words of a parameter's name and description, but for common ones and those the
    other parameters' share (`notifications`, "when a new episode comes out", is not named
    by "episodes no longer than half an hour" where `auto_download` downloads episodes)."""
    others = [w for k, p in properties.items() if k != name for w in words_of(k, p)]
    return [
        word
        for word in words_of(name, properties[name])
        if len(word) >= 3 and word not in COMMON_WORDS and not stem_in(word, others)
    ]


def names_one(own: Sequence[str], words: Sequence[str]) -> bool:
    """One of a parameter's `own` words (or its singular: "cars" for "the car") is among a
    text's `words` (`grounding.stem_in`)."""
    return any(stem_in(form, words) for word in own for form in {word, word.removesuffix("s")})


_DEFAULT = re.compile(r"\bdefault(?:s to| is|:)?\s+([\w.+-]+)", re.I)
NO_DEFAULT = object()


def stated_default(prop: Any) -> Any:
    """A parameter's default: its schema's `default`, or the word after "default" in its
    description ("(default false)", "default 16", "default metric" of an enum), typed like
    the parameter; `NO_DEFAULT` when neither says."""
    if not isinstance(prop, dict):
        return NO_DEFAULT
    if "default" in prop:
        return prop["default"]
    found = _DEFAULT.search(str(prop.get("description", "")))
    if found is None:
        return NO_DEFAULT
    word = found.group(1).rstrip(".").casefold()
    kind = prop.get("type")
    if kind == "boolean":
        return {"true": True, "false": False}.get(word, NO_DEFAULT)
    if kind in ("integer", "number"):
        return float(word) if NUMBER.match(word) else NO_DEFAULT
    # a text default is a value only when it is one of the enum's ("default today" is not)
    listed = [str(v).casefold() for v in prop.get("enum", [])]
    return word if word in listed else NO_DEFAULT
