"""Values the request gives that no call uses, of the kind a lone call to a function fills:
a sign that the request wants that function called once more. The small model often
writes one call where a request asks for the same thing twice ("Ruby will be back by 11
and Alfie by half 11": one school absence call, for Ruby); the second date, time, code
or option the request gives is then left out of every call. The caller asks the model
about it (`FunctionCaller`).

Read for each function called once, per argument it fills: another date (or a day of the
month named alone, "the 16th"), another time (neither reading of "half nine" used), a
value written like its code or postcode ("KC-0245" beside "KC-0112"), another option of
its enum that the request names plainly. Numbers are not read: a request holds too many
(counts, prices, house numbers) for another one to mean another call.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from toolpath.planners.grounding import grounded
from toolpath.planners.mentions import Mentions, mentions
from toolpath.tools.spec import ToolSpec

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"\d{2}:\d{2}")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class UnusedValues:
    """Values of `parameter`'s kind that the request gives and no call uses."""

    function: str
    parameter: str
    used: str  # the value the lone call gives it
    values: tuple[str, ...]


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _flat(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _other_dates(said: Mentions, used: list[str]) -> list[str]:
    """Dates whose day the request says ("21 December", not the ends of "March 2026"),
    and days of the month named alone, that no used value holds."""
    days_used = {text[8:10] for text in used if _ISO_DATE.match(text)}
    dates = sorted(
        d
        for d in said.dates
        if said.says_number(int(d[8:10])) and not any(d in text for text in used)
    )
    days_used |= {d[8:10] for d in dates}
    lone = sorted(day for day in said.lone_days if f"{day:02d}" not in days_used)
    return [*dates, *(_day_of_month(day) for day in lone)]


def _day_of_month(day: int) -> str:
    """The day as said: "the 1st", "the 16th", "the 22nd"."""
    suffix = "th" if 10 < day % 100 < 14 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"the {day}{suffix}"


def _twelve_hours_on(clock: str) -> str:
    return f"{(int(clock[:2]) + 12) % 24:02d}{clock[2:]}"


def _other_times(said: Mentions, used: list[str]) -> list[str]:
    """Times that no used value holds in either reading ("half nine": 09:30 or 21:30)."""
    unused = {t for t in said.times if not any(t in s or _twelve_hours_on(t) in s for s in used)}
    return sorted(t for t in unused if not (_twelve_hours_on(t) in unused and t > "12"))


def _other_codes(value: str, said: Mentions, used: list[str]) -> list[str]:
    """Words of the request written like `value` (letters for letters, digits for
    digits), that no used value is."""
    shape = "".join(
        "[a-z]"
        if ch.isalpha()
        else r"\d"
        if ch.isdigit()
        else r"\s?"
        if ch == " "
        else re.escape(ch)
        for ch in value.lower()
    )
    found = re.finditer(rf"(?<![a-z0-9]){shape}(?![a-z0-9])", said.text)
    flat_used = {_flat(text) for text in used}
    return sorted({m.group(0).upper() for m in found if _flat(m.group(0)) not in flat_used})


def _other_options(value: str, prop: Any, said: Mentions, used: list[str]) -> list[str]:
    """Options the request names plainly that no used value is, other than those whose
    words `value` holds ("monthly" beside "off_peak_monthly")."""
    own = set(_WORD.findall(value.lower()))
    return [
        option
        for option in prop.get("enum") or []
        if isinstance(option, str)
        and option.lower() not in used
        and not set(_WORD.findall(option.lower())) <= own
        and said.names_plainly(option)
    ]


def _others(value: str, prop: Any, said: Mentions, used: list[str]) -> list[str]:
    """Unused values of the request of the kind `value` is (see the module docstring)."""
    if _ISO_DATE.match(value):
        return _other_dates(said, used)
    if _CLOCK.fullmatch(value[:5]) and not value[5:].strip(":0123456789"):
        return _other_times(said, used)
    if prop.get("enum"):
        return _other_options(value, prop, said, used)
    if re.search(r"\d", value) and re.search(r"[a-z]", value.lower()) and len(value) >= 4:
        return _other_codes(value, said, used)
    return []


def unused_values(
    request: str, calls: list[dict[str, Any]], specs: dict[str, ToolSpec]
) -> list[UnusedValues]:
    """Per argument of each function called once, given a value the request gives: the
    request's other values of its kind that no call uses."""
    said = mentions(request)
    used = [str(v).lower() for call in calls for v in _leaves(call.get("arguments", {}))]
    counts = Counter(call["name"] for call in calls)
    found = []
    for call in calls:
        spec = specs.get(call["name"])
        if spec is None or counts[call["name"]] != 1:
            continue
        properties = spec.parameters.get("properties", {})
        for name, value in call.get("arguments", {}).items():
            if not isinstance(value, str) or not grounded(value, request):
                continue
            others = _others(value, properties.get(name) or {}, said, used)
            if others:
                found.append(UnusedValues(call["name"], name, value, tuple(others)))
    return found


def uses_any(call: dict[str, Any], values: tuple[str, ...]) -> bool:
    """Whether the call holds one of `values` (as `unused_values` writes them)."""
    leaves = [str(v).lower() for v in _leaves(call.get("arguments", {}))]
    days = [_day_of_month(int(text[8:10])) for text in leaves if _ISO_DATE.match(text)]
    return any(
        value.lower() in text or _flat(value) == _flat(text) for value in values for text in leaves
    ) or any(value in days for value in values)


def dates_and_times_said(call: dict[str, Any], request: str) -> bool:
    """Whether every date and time the call holds is one the request gives."""
    return all(
        grounded(value, request)
        for value in _leaves(call.get("arguments", {}))
        if isinstance(value, str) and (_ISO_DATE.match(value) or _CLOCK.fullmatch(value[:5]))
    )
