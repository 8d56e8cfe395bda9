"""What the request asks for one of several calls to the same function, put on that call: a
small model sets a switch on every call, or on the wrong one ("four of us on Saturday
with the bumpers up" for the second of two bowling bookings), and copies one order's
items into the other's ("pitch 7 wants firewood, and pitch 12 wants breakfast hampers":
all three items on both). The clause that names the switch or the item belongs to the call
whose own values (those the calls do not share) it gives, or to that of the nearest
earlier clause of its sentence (`_owner`); the switch is set on that call alone
(`switches_where_named`), the item kept in that call's list alone (`items_where_named`),
and an optional value all of them give kept on that call alone
(`optional_values_where_named`: a quote reference written on both site visits). A time of
day copied onto every call goes to each call as the request says it after that call's own
value (`times_where_named`: "CAT-1187 at 2pm and CAT-1192 at half two").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from toolpath.planners.call_reading import is_scalar, parameter_properties, required_parameters
from toolpath.planners.grounding import grounded, stem_in
from toolpath.planners.mentions import HH_MM, NEGATIONS, WORD, fold, mentions, sentences
from toolpath.planners.parameter_words import distinct_words, names_one, stated_default
from toolpath.tools.spec import ToolSpec

_CLAUSE = re.compile(r"\s*[,;:]\s*")
# words that put a switch or an item on several calls at once ("both with champagne")
_SHARED = frozenset({"both", "each", "all", "every", "either"})


def _own_values(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each call's plain values that the other calls of the group do not all share."""
    keys = {k for call in calls for k, v in call["arguments"].items() if is_scalar(v)}
    differing = {k for k in keys if len({repr(c["arguments"].get(k)) for c in calls}) > 1}
    return [{k: v for k, v in c["arguments"].items() if k in differing} for c in calls]


def _owners(clause: str, own: list[dict[str, Any]]) -> set[int]:
    """The calls (by place in the group) with an own value the clause gives."""
    return {
        i for i, values in enumerate(own) if any(grounded(v, clause, k) for k, v in values.items())
    }


def _owner(
    names: Callable[[list[str]], bool],
    request: str,
    own: list[dict[str, Any]],
    later_vetoes: bool = True,
) -> int | None:
    """The one call every clause that `names` the switch or item (by its words) belongs to:
    its own call, else that of the nearest earlier clause of its sentence with one call,
    unless (`later_vetoes`) the nearest later one has another ("four on Saturday, bumpers
    up that time"; not "for Oslo and, hour by hour, for Rome", nor "a mat for the hot one,
    I've my own for yin"). None when a clause names it with a negation or beside a word
    for several calls, or belongs to no call, to several, or to another."""
    found: set[int] = set()
    for clauses in _clauses(request):
        owners = [_owners(" ".join(words), own) for words in clauses]
        for i, words in enumerate(clauses):
            if not names(words):
                continue
            if (NEGATIONS | _SHARED) & set(words):
                return None
            near = owners[i] or _nearest_owned(owners[:i][::-1])
            vetoed = later_vetoes and not owners[i] and _nearest_owned(owners[i + 1 :]) - near
            if len(near) != 1 or vetoed:
                return None
            found |= near
    return found.pop() if len(found) == 1 else None


def _clauses(request: str) -> list[list[list[str]]]:
    """Each sentence's clauses (split at commas, semicolons and colons), as folded words."""
    return [
        [WORD.findall(fold(clause)) for clause in _CLAUSE.split(sentence)]
        for sentence in sentences(request)
    ]


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


def _groups(calls: list[dict[str, Any]]) -> Iterator[tuple[str, list[int]]]:
    """Each function called two times or more, with the places of its calls."""
    for name in dict.fromkeys(call["name"] for call in calls):
        group = [
            i
            for i, call in enumerate(calls)
            if call["name"] == name and isinstance(call.get("arguments"), dict)
        ]
        if len(group) >= 2:
            yield name, group


def switches_where_named(
    calls: list[dict[str, Any]], specs: dict[str, ToolSpec], request: str, notes: list[str]
) -> list[dict[str, Any]]:
    """The calls with each switch (a boolean whose stated default is not true) that one of
    several calls to a function sets true moved to the one call the request names it for
    (`_owner`), noted; as they are where the request does not say which."""
    calls = list(calls)
    for name, group in _groups(calls):
        properties = parameter_properties(specs[name]) if name in specs else {}
        for flag, prop in properties.items():
            members = [calls[i] for i in group]
            if prop.get("type") != "boolean" or stated_default(prop) is True:
                continue
            setting = [i for i, call in enumerate(members) if call["arguments"].get(flag) is True]
            own = distinct_words(flag, properties)
            owner = _owner(partial(names_one, own), request, _own_values(members))
            if not setting or owner is None or setting == [owner]:
                continue
            for i, call in zip(group, _placed(members, flag, owner), strict=True):
                calls[i] = call
            notes.append(f"repaired: {name}.{flag} true only on call {group[owner]}, as asked")
    return calls


def _item_named(item: Any, words: list[str]) -> bool:
    """A clause's words name a list item: a word (4 letters or more) of one of its texts
    ("firewood" of firewood_bundle), or, for an item of numbers only, every number."""
    values = list(item.values()) if isinstance(item, dict) else [item]
    texts = [w for v in values if isinstance(v, str) for w in WORD.findall(fold(v))]
    if texts:
        return any(stem_in(word, words) for word in texts if len(word) >= 4)
    numbers = [v for v in values if is_scalar(v)]
    said = mentions(" ".join(words))
    return bool(numbers) and all(said.says_number(float(n)) for n in numbers)


def _kept_where_named(
    lists: list[list[Any]], request: str, own: list[dict[str, Any]]
) -> list[list[Any]] | None:
    """The lists with each item two or more of them hold kept only in that of the call the
    request names it for (`_owner`); None when no item moves or a list would be left empty."""
    kept = [list(items) for items in lists]
    shared = [item for item in lists[0] if sum(item in items for items in lists) >= 2]
    shared += [
        item
        for items in lists[1:]
        for item in items
        if item not in shared and sum(item in other for other in lists) >= 2
    ]
    for item in shared:
        owner = _owner(partial(_item_named, item), request, own)
        if owner is None or item not in kept[owner]:
            continue
        kept = [k if i == owner else [x for x in k if x != item] for i, k in enumerate(kept)]
    if kept == lists or not all(kept):
        return None
    return kept


def items_where_named(
    calls: list[dict[str, Any]], request: str, notes: list[str]
) -> list[dict[str, Any]]:
    """The calls with each list item that several calls to a function hold kept only in the
    call the request names it for (`_kept_where_named`), noted."""
    calls = list(calls)
    for name, group in _groups(calls):
        members = [calls[i] for i in group]
        for key in members[0]["arguments"]:
            lists = [call["arguments"].get(key) for call in members]
            if not all(isinstance(items, list) for items in lists):
                continue
            kept = _kept_where_named(lists, request, _own_values(members))
            if kept is None:
                continue
            for i, items in zip(group, kept, strict=True):
                calls[i] = {**calls[i], "arguments": {**calls[i]["arguments"], key: items}}
            notes.append(f"repaired: {name}.{key}: each item only in the call that names it")
    return calls


def _value_named(key: str, value: Any, words: list[str]) -> bool:
    return grounded(value, " ".join(words), key)


def _shared_clauses(request: str, own: list[dict[str, Any]]) -> bool:
    """The request says "same", has a clause with the own values of two calls or more ("in
    Austin, San Antonio and Houston"), or none with a call's own values alone ("the ozone
    in LA and in Mexico City", Los Angeles written): what it says once may be for several."""
    if "same" in WORD.findall(fold(request)):
        return True
    owners = [_owners(" ".join(words), own) for clauses in _clauses(request) for words in clauses]
    alone = {next(iter(owned)) for owned in owners if len(owned) == 1}
    return any(len(owned) > 1 for owned in owners) or len(alone) < len(own)


def optional_values_where_named(
    calls: list[dict[str, Any]], specs: dict[str, ToolSpec], request: str, notes: list[str]
) -> list[dict[str, Any]]:
    """The calls with an optional value that several calls to a function give alike left
    only on the call whose clause, or the nearest earlier clause of its sentence, names it
    (`_owner`), noted: "the cricket club on Tuesday in the evening, for quote FW-4471, and
    the rugby club the next day" puts the quote on the cricket club's visit alone. Not where
    the request may say one value for several calls (`_shared_clauses`)."""
    calls = list(calls)
    for name, group in _groups(calls):
        required = required_parameters(specs[name]) if name in specs else set()
        members = [calls[i] for i in group]
        own = _own_values(members)
        if _shared_clauses(request, own):
            continue
        for key in dict.fromkeys(k for call in members for k in call["arguments"]):
            values = [call["arguments"].get(key) for call in members]
            holders = [i for i, value in enumerate(values) if is_scalar(value)]
            if key in required or len(holders) < 2 or len({repr(values[i]) for i in holders}) > 1:
                continue
            named = partial(_value_named, key, values[holders[0]])
            owner = _owner(named, request, own, later_vetoes=False)
            if owner is None or owner not in holders:
                continue
            for i in holders:
                if i != owner:
                    kept = {k: v for k, v in calls[group[i]]["arguments"].items() if k != key}
                    calls[group[i]] = {**calls[group[i]], "arguments": kept}
            notes.append(f"repaired: {name}.{key} only on call {group[owner]}, as asked")
    return calls


def times_where_named(
    calls: list[dict[str, Any]], request: str, notes: list[str]
) -> list[dict[str, Any]]:
    """Two or more calls to a function at one time of day, where the request writes each
    call's own value followed by a time ("CAT-1187 at 2pm and CAT-1192 at half two"): each
    call at the time said between its own value and the next call's (`_times_after`),
    noted; as they are where any call has no such time."""
    calls = list(calls)
    for name, group in _groups(calls):
        members = [calls[i] for i in group]
        for key in members[0]["arguments"]:
            values = [call["arguments"].get(key) for call in members]
            shared = values[0] if all(value == values[0] for value in values) else None
            found = HH_MM.fullmatch(shared) if isinstance(shared, str) else None
            if found is None or found.group(2):  # HH:MM only
                continue
            times = _times_after(request, _own_values(members), shared)
            if times is None or set(times) == {shared}:
                continue
            for i, time in zip(group, times, strict=True):
                calls[i] = {**calls[i], "arguments": {**calls[i]["arguments"], key: time}}
            notes.append(f"repaired: {name}.{key}: each call at the time said after it")
    return calls


def _times_after(request: str, own: list[dict[str, Any]], shared: str) -> list[str] | None:
    """Per call, the one time of day the request says between that call's own value (its
    first text found in the request) and the next call's, on the half of the day of
    `shared` where it gives both; None where a call has no own text found, or not one time."""
    text = fold(request)
    starts = []
    for values in own:
        found = [text.find(fold(v)) for v in values.values() if isinstance(v, str)]
        found = [at for at in found if at >= 0]
        if not found:
            return None
        starts.append(min(found))
    if len(set(starts)) < len(starts):
        return None
    ends = [*sorted(starts)[1:], len(text)]
    times = []
    for start in starts:
        end = next(e for e in ends if e > start)
        said = sorted(mentions(text[start:end]).times)
        if len(said) == 2:  # both halves of the day: the shared one's
            said = [t for t in said if (t >= "12:00") == (shared >= "12:00")]
        if len(said) != 1:
            return None
        times.append(said[0])
    return times
