"""One call for each item of a list the request gives. Small models often answer "are BA
283 and AA 100 on time?" or "what desserts do Luigi's and Sakura House have?" with the
call for the first item only. Where a call's text value is a name or a code the request
writes as the first item of a list ("X and Y", "X, Y and Z", "X or Y"), each further item
gets a copy of that call with its own value.

Only names and codes count (a value starting with a capital or a digit, or a word with a
digit in it, and each item a run of such words), only a call no other call reads or is read
by, an item no call uses yet, and an item holding none of the call's other values ("100
USD to EUR and 100 USD to JPY": "100 USD" is the start of another request, not an item).

Numbers count too when they are listed alike ("f/1.4, f/4 and f/8", "10, 20 and 30
years"): the same marks before and after each number, nothing but a separator between.
"""

from __future__ import annotations

import json
import re
from typing import Any

from toolpath.planners.call_reading import PROSE_PAIR
from toolpath.planners.grounding import grounded
from toolpath.planners.mentions import DATE_WORD, SLASH_DATE
from toolpath.planners.references import references, results_read

MAX_SPAN_WORDS = 6
_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)", re.I)
_WORD = re.compile(r"[^\s,;:?!()]+")
# a name (capitalised) or a code (a digit in it: "api-7f9c-x2", "ord-1182")
_NAME_WORD = re.compile(r"[A-Z0-9][\w'’.-]*|[a-z][\w'’.-]*\d[\w'’.-]*")
_SPEAKER = re.compile(r"I(?:['’](?:ll|m|ve|d))?")  # "Card 220045781, I'll pick them up"


def _flat(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _name_run(text: str) -> str:
    """The run of capitalised words or codes `text` starts with ("Sakura House have" ->
    "Sakura House"); a punctuation mark ends it."""
    words = []
    for found in re.finditer(r"\S+", text):
        word = found.group(0).rstrip("?,.;:!)")
        if not _NAME_WORD.fullmatch(word):
            break
        words.append(word)
        if word != found.group(0):
            break
    return " ".join(words)


def _items_after(text: str) -> list[str]:
    """The further items of a list that `text` follows its first item with; a date or what
    a date follows ("Priya, Friday 9 Jan 2026", "Alan Price, DOB 14/08/1979") is no item,
    nor is the speaker ("I'll")."""
    items = []
    while (
        (separator := _SEPARATOR.match(text))
        and (item := _name_run(text[separator.end() :]))
        and not any(DATE_WORD.fullmatch(word) for word in item.split())
        and not SLASH_DATE.match(text[separator.end() + len(item) :].lstrip())
        and not _SPEAKER.fullmatch(item.split()[0])
    ):
        items.append(item)
        text = text[separator.end() + len(item) :]
    return items


def listed_with(value: str, request: str) -> list[str]:
    """The other items of the list whose first item is `value` (compared without case,
    spaces or punctuation: "BA283" is "BA 283"), up to one unlike it (`_shape`: a digit in
    one and not the other, "Tom Hughes, 22 Cedar Road"; a phone number beside a code, "EH6
    8QP, 07700 900188"); [] when the request lists none."""
    if not _NAME_WORD.match(value.strip()):
        return []
    target = _flat(value)
    spans = [(m.start(), m.end()) for m in _WORD.finditer(request)]
    for first, (start, _) in enumerate(spans):
        for _, end in spans[first : first + MAX_SPAN_WORDS]:
            if _flat(request[start:end]) == target:
                items = _items_after(request[end:])
                alike = [_shape(item) == _shape(value) for item in items]
                return items[: alike.index(False)] if False in alike else items
    return []


def _shape(text: str) -> tuple[bool, bool]:
    """Whether the text has a digit, and whether it has a phone number's nine or more."""
    digits = sum(c.isdigit() for c in text)
    return digits > 0, digits >= 9


_NUMBER_ITEM = r"([^\s\d,;()]*?)(\d+(?:\.\d+)?)([^\s\d,;()]*)"
_NUMBER_LIST = re.compile(
    rf"(?<![\w.]){_NUMBER_ITEM}((?:{_SEPARATOR.pattern}){_NUMBER_ITEM})+(?![\w.])", re.I
)
_NUMBER_PART = re.compile(_NUMBER_ITEM)


def numbers_listed_with(value: float, request: str) -> list[float]:
    """The other numbers of a list of alike numbers whose first is `value` ("f/1.4, f/4 and
    f/8" -> [4, 8] for 1.4); [] when the request lists none."""
    for found in _NUMBER_LIST.finditer(request):
        parts = [m.groups() for m in _NUMBER_PART.finditer(found.group(0))]
        marks = {(before, after) for before, _, after in parts}
        numbers = [float(number) for _, number, _ in parts]
        if len(marks) == 1 and numbers[0] == float(value):
            return numbers[1:]
    return []


def _typed_like(number: float, value: float) -> float | int:
    return int(number) if isinstance(value, int) and number.is_integer() else number


def _copyable(index: int, call: dict[str, Any], read: set[int]) -> bool:
    """A call that may be copied for another item: no other call reads it, it reads none."""
    arguments = call.get("arguments")
    return index not in read and isinstance(arguments, dict) and not references(arguments)


def _written(calls: list[dict[str, Any]]) -> str:
    """The calls' arguments as one text, to tell whether a value is in use."""
    return json.dumps([c.get("arguments") for c in calls], ensure_ascii=False)


def _new_item(item: str, others: list[Any], used: str) -> bool:
    """No call uses `item` yet, and it holds none of the call's `others` values, in any form
    ("French" for `languages: ["fr"]`, "07911 123456" for `phone: "+447911123456"`)."""
    flat = _flat(item)
    held = [_flat(str(v)) for v in others if isinstance(v, str | int | float)]
    texts = [v for v in _scalars(others) if isinstance(v, str) and len(v) >= 2]
    return (
        flat not in used
        and not any(value and value in flat for value in held)
        and not any(grounded(value, item) for value in texts)
    )


def _scalars(values: list[Any]) -> list[Any]:
    """The values, with the items of lists among them."""
    return [v for value in values for v in (value if isinstance(value, list) else [value])]


def _further_items(
    value: Any,
    others: list[Any],
    calls: list[dict[str, Any]],
    request: str,
    used: str,
) -> list[Any]:
    """The further items of the list `value` starts that no call holds yet (any argument of
    any call: "30 by 12 and 25.5 by 8" lists no 12-and-25.5)."""
    if isinstance(value, str):
        return [item for item in listed_with(value, request) if _new_item(item, others, used)]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return []
    listed = [_typed_like(n, value) for n in numbers_listed_with(value, request)]
    if any(n in others for n in listed):  # "47.37, 8.54 and 46.95, 7.45": pairs, not items
        return []
    taken = [
        v
        for c in calls
        if isinstance(c.get("arguments"), dict)
        for v in c["arguments"].values()
        if not isinstance(v, bool)
    ]
    return [n for n in dict.fromkeys(listed) if n not in taken]


def calls_for_listed_items(
    calls: list[dict[str, Any]], request: str, notes: list[str]
) -> list[dict[str, Any]]:
    """`calls` with one more call for each further item of a list whose first item is a
    value of a call (see the module docstring); `notes` says which were added."""
    read = results_read(calls)
    used = _flat(_written(calls))
    added: list[dict[str, Any]] = []
    for index, call in enumerate(calls):
        if not _copyable(index, call, read):
            continue
        arguments = call["arguments"]
        for name, value in arguments.items():
            others = [v for k, v in arguments.items() if k != name]
            items = _further_items(value, others, calls, request, used)
            if items:
                added += [{**call, "arguments": {**arguments, name: item}} for item in items]
                notes.append(
                    f"repaired: call {index} ({call['name']}): the request lists "
                    f"{', '.join(map(str, items))} beside {value}; a call for each"
                )
                break
    return calls + added


def _differing(first: str, second: str) -> tuple[str, str]:
    """What two needs written alike differ in: their words without the leading and
    trailing words they share ("summary of X", "summary of Y" -> X, Y); ("", "") when they
    share no word of three letters or more there ("CCS; 150 kW or more" are two values of
    one call, not two things)."""
    a, b = [w.casefold() for w in first.split()], [w.casefold() for w in second.split()]
    lead = 0
    while lead < min(len(a), len(b)) and a[lead] == b[lead]:
        lead += 1
    trail = 0
    while trail < min(len(a), len(b)) - lead and a[-1 - trail] == b[-1 - trail]:
        trail += 1
    if not any(len(word) >= 3 for word in a[:lead] + a[len(a) - trail :]):
        return "", ""
    words_a, words_b = first.split(), second.split()
    return " ".join(words_a[lead : len(a) - trail]), " ".join(words_b[lead : len(b) - trail])


def _copy_for(
    calls: list[dict[str, Any]], mine: str, theirs: str, read: set[int]
) -> dict[str, Any] | None:
    """A copy of the first call (no other reads it, it reads none) whose text argument
    holds `mine`, with `theirs` in its place."""
    pattern = re.compile(re.escape(mine), re.I)
    for index, call in enumerate(calls):
        if not _copyable(index, call, read):
            continue
        arguments = call["arguments"]
        for name, value in arguments.items():
            if isinstance(value, str) and pattern.search(value):
                new = pattern.sub(lambda _: theirs, value, count=1)
                return {**call, "arguments": {**arguments, name: new}}
    return None


def calls_for_needs(
    calls: list[dict[str, Any]], needs: list[str], notes: list[str]
) -> list[dict[str, Any]]:
    """`calls` with one more call for each thing the model's "Needs:" line lists in the
    words of another ("summary of the Treaty of Westphalia; summary of the Peace of
    Augsburg") where a call holds what the other differs in and none holds its own: the
    model listed it and wrote no call for it. As for lists, only names and codes count
    ("weight in kg; weight in pounds" asks for no second conversion). Items written as
    arguments ("date: 2026-12-27; start_time: 14:00") are the calls' values, not things."""
    needs = [need for need in needs if not PROSE_PAIR.match(need)]
    if len(needs) < 2 or len(calls) >= len(needs):
        return calls
    read = results_read(calls)
    added: list[dict[str, Any]] = []
    for j, need in enumerate(needs):
        written = _written(calls + added)
        for i, other in enumerate(needs):
            mine, theirs = _differing(other, need)
            if i == j or not mine or not _NAME_WORD.match(theirs):
                continue
            if theirs.casefold() in written.casefold():
                continue
            copy = _copy_for(calls, mine, theirs, read)
            if copy is not None:
                added.append(copy)
                notes.append(f"repaired: the answer needs {need!r} and had no call for it; added")
                break
    return calls + added
