"""A switch asked for one of several calls to the same function: a small model sets it on
every call, or on the wrong one ("four of us on Saturday with the bumpers up" for the
second of two bowling bookings; "the same again on 1 May but on the 2pm, in first class
that time"). The clause that names the switch belongs to the call whose own values (those
the calls do not share) it gives, or the nearest earlier clause of its sentence; the
switch is set on that call alone (`switches_where_named`).
"""

from __future__ import annotations

import re
from typing import Any

from toolpath.planners.call_reading import parameter_properties
from toolpath.planners.grounding import grounded
from toolpath.planners.mentions import NEGATIONS, WORD, fold, sentences
from toolpath.planners.parameter_words import distinct_words, names_one, stated_default
from toolpath.tools.spec import ToolSpec

_CLAUSE = re.compile(r"\s*[,;:]\s*")
# words that put a switch on several calls at once ("both with champagne")
_SHARED = frozenset({"both", "each", "all", "every", "either"})


def _own_values(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each call's plain values that the other calls of the group do not all share."""
    keys = {k for call in calls for k, v in call["arguments"].items() if _plain(v)}
    differing = {k for k in keys if len({repr(c["arguments"].get(k)) for c in calls}) > 1}
    return [{k: v for k, v in c["arguments"].items() if k in differing} for c in calls]


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _owners(clause: str, own: list[dict[str, Any]]) -> set[int]:
    """The calls (by place in the group) with an own value the clause gives."""
    return {
        i for i, values in enumerate(own) if any(grounded(v, clause, k) for k, v in values.items())
    }


def _owner(flag_words: list[str], request: str, own: list[dict[str, Any]]) -> int | None:
    """The one call every clause naming the switch belongs to: its own call, else that of
    the nearest earlier clause of its sentence with one call, unless the nearest later one
    has another ("four on Saturday, bumpers up that time"; not "for Oslo and, hour by
    hour, for Rome", nor "a mat for the hot one, I've my own for yin").
    None when a clause names it with a negation or beside a word for several calls, or
    belongs to no call, to several, or to another."""
    found: set[int] = set()
    for sentence in sentences(request):
        clauses = [WORD.findall(fold(clause)) for clause in _CLAUSE.split(sentence)]
        owners = [_owners(" ".join(words), own) for words in clauses]
        for i, words in enumerate(clauses):
            if not names_one(flag_words, words):
                continue
            if (NEGATIONS | _SHARED) & set(words):
                return None
            near = owners[i] or _nearest_owned(owners[:i][::-1])
            if len(near) != 1 or (not owners[i] and _nearest_owned(owners[i + 1 :]) - near):
                return None
            found |= near
    return found.pop() if len(found) == 1 else None


def _nearest_owned(owners: list[set[int]]) -> set[int]:
    """The call of the first clause with exactly one; none where a clause with several
    comes first."""
    for owned in owners:
        if owned:
            return owned if len(owned) == 1 else set()
    return set()


def _placed(calls: list[dict[str, Any]], flag: str, owner: int) -> list[dict[str, Any]]:
    """The group's calls with `flag` true on the owner and left out of the others."""
    placed = []
    for i, call in enumerate(calls):
        arguments = {k: v for k, v in call["arguments"].items() if k != flag}
        if i == owner:
            arguments[flag] = True
        placed.append({**call, "arguments": arguments})
    return placed


def switches_where_named(
    calls: list[dict[str, Any]], specs: dict[str, ToolSpec], request: str, notes: list[str]
) -> list[dict[str, Any]]:
    """The calls with each switch (a boolean whose stated default is not true) that one of
    several calls to a function sets true moved to the one call the request names it for
    (`_owner`), noted; as they are where the request does not say which."""
    calls = list(calls)
    for name in {call["name"] for call in calls}:
        group = [
            i
            for i, call in enumerate(calls)
            if call["name"] == name and isinstance(call.get("arguments"), dict)
        ]
        if len(group) < 2 or name not in specs:
            continue
        properties = parameter_properties(specs[name])
        for flag, prop in properties.items():
            members = [calls[i] for i in group]
            if prop.get("type") != "boolean" or stated_default(prop) is True:
                continue
            setting = [i for i, call in enumerate(members) if call["arguments"].get(flag) is True]
            owner = _owner(distinct_words(flag, properties), request, _own_values(members))
            if not setting or owner is None or setting == [owner]:
                continue
            for i, call in zip(group, _placed(members, flag, owner), strict=True):
                calls[i] = call
            notes.append(f"repaired: {name}.{flag} true only on call {group[owner]}, as asked")
    return calls
