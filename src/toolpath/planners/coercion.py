"""Argument values made to fit their JSON schema where only one reading is possible: '10'
-> 10 for an integer, a JSON array written as a string, an enum value spelled another way,
a time of day in the HH:MM form a parameter asks for, the form a description states
("without spaces"); and, against the request, a duration or another quantity ("11 stone")
converted into the unit a parameter's name states when the request gives it in another, a
number or a time of day the request does not state replaced by the one duration or time it
does, a duration set to the time span the request gives from the call's start, and a text
without the quotes the request put around it (`against_the_request`, which also runs the
option repairs of `option_repairs`). Each change is reported as a note."""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from typing import Any

import phonenumbers

from toolpath.planners.call_context import CallContext, changed
from toolpath.planners.grounding import grounded
from toolpath.planners.mentions import (
    EMAIL,
    HH_MM,
    ISO_DATE,
    NUMBER,
    POSTCODE,
    SECONDS_PER_UNIT,
    SLASH_DATE,
    WORD,
    Mentions,
    clock_time,
    day_first,
    fold,
    inflected,
    mentions,
    minutes_of,
    numeric_date,
    without_dates_after,
    year_month,
)
from toolpath.planners.option_repairs import (
    LIST_SEPARATORS,
    options_in,
    to_the_fuller_option,
    to_the_named_option,
    to_the_options_said,
    to_the_stated_period,
    without_unnamed_items,
)
from toolpath.planners.references import is_ref
from toolpath.planners.units import SQUARE_METRE, convert, parameter_unit

_INTEGER = re.compile(r"^[+-]?\d+$")


def _parsed(text: str, kind: type) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, kind) else None


def _scalar(value: Any, kind: str) -> Any:
    """`value` turned into JSON type `kind` when exactly one reading exists, else None."""
    text = value.strip() if isinstance(value, str) else None
    if kind == "integer":
        if text is not None and _INTEGER.match(text):
            return int(text)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif kind == "number" and text is not None and NUMBER.match(text):
        number = float(text)
        return int(number) if _INTEGER.match(text) else number
    elif kind == "boolean" and text is not None and text.lower() in ("true", "false"):
        return text.lower() == "true"
    elif kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    elif kind == "array" and text is not None and text.startswith("["):
        return _parsed(text, list)
    elif kind == "object" and text is not None and text.startswith("{"):
        return _parsed(text, dict)
    return None


def _as_list(value: Any, items: Any) -> list[Any] | None:
    """One value where a list goes, as a list: "wax" -> ["wax"]; options of an enum joined
    in one text, split ("wax, pet_hair" -> ["wax", "pet_hair"]); None when it is no such
    value (a list written as JSON text is `_scalar`'s)."""
    if not isinstance(items, dict) or isinstance(value, dict | list) or value is None:
        return None
    if isinstance(value, str) and value.lstrip().startswith("["):
        return None
    options = items.get("enum")
    if isinstance(options, list) and isinstance(value, str) and value not in options:
        return options_in(value, options, LIST_SEPARATORS) or None
    kind = items.get("type")
    return [value] if isinstance(kind, str) and _has_type(value, kind) else None


_PYTHON_TYPES: dict[str, Any] = {
    "integer": int, "number": int | float, "boolean": bool, "string": str,
    "array": list, "object": dict,
}  # fmt: skip


def _has_type(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    return isinstance(value, _PYTHON_TYPES.get(kind, object))


def _shares_a_word_start(words: list[str], others: list[str]) -> bool:
    """A word of four letters or more in `words` starts a word of `others`, or one of
    `others` of four letters or more starts it ("photo", "photograph")."""
    return any(
        min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a))
        for a in words
        for b in others
    )


def _enum_value(value: str, enum: list[str]) -> str | None:
    """The one enum value `value` spells another way: the same words in another case or
    with other separators ("Living Room", "living_room"), else the only value whose words
    are its own one by one, each the other's start ("terrace_house" -> "terraced_house"),
    else the only value that starts it or that it starts ("litre" -> "l", "pieces" ->
    "piece"), else the only value whose words it holds ("fine_tuning" -> "tuning", "total
    beginner" -> "beginner"), else the only value that holds its words ("shirt" ->
    "sports_shirt"), else the only value with a word that one of its words of four letters
    or more starts or is started by ("wedding photo" -> "photograph"); None when not exactly
    one."""
    words = " ".join(WORD.findall(value.casefold()))
    spelled = {e: " ".join(WORD.findall(e.casefold())) for e in enum}  # each option's words
    for fits in (
        lambda e: spelled[e] == words,
        lambda e: _word_by_word(words.split(), spelled[e].split()),
        lambda e: words.startswith(e.casefold()) or e.casefold().startswith(words),
        lambda e: f" {spelled[e]} " in f" {words} ",
        lambda e: f" {words} " in f" {spelled[e]} ",
        lambda e: _shares_a_word_start(words.split(), spelled[e].split()),
    ):
        found = [e for e in enum if words and fits(e)]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


# "beeswax: the bare iron sealed with wax; black_paint: painted": each option's own words
_OPTION_TEXT = re.compile(r"(?:^|;)\s*([\w-]+)\s*:\s*([^;]*)")


def _described_option(value: str, schema: dict[str, Any]) -> str | None:
    """The one enum option whose own words in the parameter's description hold a word of
    `value` (of four letters or more) in another form ("waxed" for "beeswax: the bare
    forged iron sealed with wax"); None when not exactly one."""
    enum = [e for e in schema.get("enum", []) if isinstance(e, str)]
    described = str(schema.get("description", ""))
    texts = {o: WORD.findall(fold(t)) for o, t in _OPTION_TEXT.findall(described) if o in enum}
    words = [word for word in WORD.findall(fold(value)) if len(word) >= 4]
    found = [
        option
        for option, text in texts.items()
        if any(inflected(word, other) for word in words for other in text)
    ]
    return found[0] if len(found) == 1 else None


_CLOCK_VALUE = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?$", re.I)


def _word_by_word(words: list[str], others: list[str]) -> bool:
    """As many words, each pair the same or one the other's start of 4+ letters."""
    return len(words) == len(others) and all(
        a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))
        for a, b in zip(words, others, strict=True)
    )


def _clock_value(value: str, schema: dict[str, Any]) -> str | None:
    """A time of day in the HH:MM form the parameter asks for (its `format` is "time" or its
    description says HH:MM): "6:30" -> "06:30", "8" -> "08:00", "3pm" -> "15:00"; None
    when it is already in that form or is not a time."""
    asks = schema.get("format") == "time" or "HH:MM" in str(schema.get("description", ""))
    found = _CLOCK_VALUE.match(value.strip()) if asks else None
    if found is None:
        return None
    text = clock_time(found.group(1), found.group(2) or "", found.group(3) or "")
    return text if text != value else None


def _date_value(value: str, schema: dict[str, Any]) -> str | None:
    """A date in the YYYY-MM-DD form the parameter asks for (its `format` is "date" or its
    description says YYYY-MM-DD, with no time) written another way: "30 October 2027" ->
    "2027-10-30"; None when it is in that form already or does not read as one date."""
    described = str(schema.get("description", ""))
    with_time = "HH" in described or "YYYY-MM-DDT" in described
    asks = schema.get("format") == "date" or (_asks_for_a_date(schema) and not with_time)
    if not asks or ISO_DATE.fullmatch(value.strip()):
        return None
    dates = mentions(value).dates
    return next(iter(dates)) if len(dates) == 1 else None


_INTERNATIONAL = re.compile(r"\binternational\b|\be\.?164\b", re.I)
_PHONE_EXAMPLE = re.compile(r"\+\d[\d ()-]{5,}\d")
_PHONE_VALUE = re.compile(r"\+?[\d ()./-]{7,}")


def _phone_value(value: str, schema: dict[str, Any]) -> str | None:
    """A phone number in the international form (+447700900461) the description asks for
    ("international format, e.g. +447700900123"): written with spaces or in national form
    ("07700 900461", read in the example's country); None when it asks for no such form,
    shows it with spaces, or the value is no possible number."""
    described = str(schema.get("description", ""))
    example = _PHONE_EXAMPLE.search(described)
    if not (_INTERNATIONAL.search(described) or example) or not _PHONE_VALUE.fullmatch(value):
        return None
    if example and not example.group(0)[1:].isdigit():
        return None
    region = None
    if example:
        code = phonenumbers.parse(example.group(0)).country_code
        region = phonenumbers.region_code_for_country_code(code)
    national = phonenumbers.ndd_prefix_for_region(region, True) if region else None
    digits = re.sub(r"\D", "", value)
    if not value.startswith("+") and not (national and digits.startswith(national)):
        return None
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    form = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return form if form != value else None


_NO_SPACES = re.compile(r"\b(?:without|no) (?:spaces|whitespace)\b", re.I)
_LOWER = re.compile(r"\blower[ -]?case\b", re.I)
_UPPER = re.compile(r"\bupper[ -]?case\b", re.I)


def _described_form(value: str, schema: dict[str, Any]) -> str:
    """`value` in the form its description asks for: without spaces, in lower case or in
    upper case ("1Z 999 AA1" -> "1Z999AA1" for "as printed, without spaces")."""
    described = str(schema.get("description", ""))
    if _NO_SPACES.search(described):
        value = "".join(value.split())
    if _LOWER.search(described):
        value = value.lower()
    elif _UPPER.search(described):
        value = value.upper()
    return value


def coerce(value: Any, schema: Any, where: str) -> tuple[Any, list[str]]:
    """`value` made to fit `schema` where only one reading is possible; notes say what
    changed. Values that cannot be read another way are left for validation."""
    if not isinstance(schema, dict) or is_ref(value):
        return value, []
    notes: list[str] = []
    kind = schema.get("type")
    if isinstance(kind, str) and kind in _PYTHON_TYPES and not _has_type(value, kind):
        new = _scalar(value, kind)
        if new is not None:
            notes.append(changed(where, value, new))
            value = new
    if kind == "array" and not isinstance(value, list):
        listed = _as_list(value, schema.get("items"))
        if listed is not None:
            notes.append(changed(where, value, listed))
            value = listed
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum and isinstance(value, str):
        same = _enum_value(value, [e for e in enum if isinstance(e, str)])
        same = same or _described_option(value, schema)
        if same is not None:
            notes.append(changed(where, value, same))
            value = same
    if isinstance(value, str) and not enum:
        formed = (
            _clock_value(value, schema)
            or _date_value(value, schema)
            or _phone_value(value, schema)
            or _described_form(value, schema)
        )
        if formed != value:
            notes.append(changed(where, value, formed))
            value = formed
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        items = [coerce(v, schema["items"], f"{where}[{i}]") for i, v in enumerate(value)]
        value = [v for v, _ in items]
        notes += [n for _, more in items for n in more]
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        value, more = _coerce_object(value, schema, where)
        notes += more
    return value, notes


def _coerce_object(value: dict[str, Any], schema: dict[str, Any], where: str):
    properties = schema["properties"]
    required = set(schema.get("required", []))
    out: dict[str, Any] = {}
    notes: list[str] = []
    for key, item in value.items():
        name = key
        if name not in properties:
            unused = [p for p in properties if p not in value]
            close = difflib.get_close_matches(key, unused, 1, 0.8)
            if not close:
                out[key] = item  # left for validation (the schema may allow it)
                continue
            name = close[0]
            notes.append(f"{where}: argument {key!r} renamed {name!r}")
        if name not in required and (item is None or item == ""):
            notes.append(f"{where}: optional {name!r} given as {json.dumps(item)}; left out")
            continue
        out[name], more = coerce(item, properties[name], f"{where}.{name}")
        notes += more
    return out, notes


# plural units only: "min" in `min_count` is a minimum, "day" may be a day of the month
_UNIT_SECONDS = {word: s for word, s in SECONDS_PER_UNIT.items() if word.endswith("s")}
_IN_UNIT = re.compile(r"\bin (seconds|minutes|hours|days|weeks)\b")


def _time_unit(name: str, prop: Any) -> int | None:
    """Seconds in the unit of time a parameter's name or description states
    ("event_minutes", "duration in seconds"); None when it states none or several."""
    units = {_UNIT_SECONDS[part] for part in WORD.findall(name.casefold()) if part in _UNIT_SECONDS}
    described = (
        _IN_UNIT.findall(str(prop.get("description", "")).casefold())
        if isinstance(prop, dict)
        else []
    )
    units |= {_UNIT_SECONDS[word] for word in described}
    return units.pop() if len(units) == 1 else None


def in_parameter_units(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A duration the request states in another unit than its parameter's, written with the
    request's number ("a 2-hour sunset" -> `event_minutes: 2`), converted (120); a number
    the request does not state, replaced by the one duration it does ("an hour and a
    quarter" -> `set_minutes: 75` where the model wrote 150); a value with two readings
    ("2 hours, then 2 minutes") stays, and so do 0 (nothing given: the call may be none the
    request asks for) and 1 ("just for the Saturday" is 1 day)."""
    schema, request, where = call.schema, call.request, call.where
    said = mentions(request)
    properties = schema.get("properties", {})
    notes = []
    for name, value in list(arguments.items()):
        unit = _time_unit(name, properties.get(name))
        if unit is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        readings = {number * per / unit for number, per in said.durations if number == value}
        why = "the request's unit"
        if not readings and not said.says_number(value) and value not in (0, 1):
            readings = {number * per / unit for number, per in said.durations}
            why = "the only duration the request gives"
        if len(readings) == 1 and (new := readings.pop()) != value:
            new = int(new) if new.is_integer() else new
            notes.append(changed(f"{where}.{name}", value, new, why))
            arguments = {**arguments, name: new}
    return arguments, notes


def in_measure_units(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A quantity the request states in another unit than the one its parameter's name ends
    with, written with the request's number ("11 stone" -> `weight_kg: 11`), converted
    (69.85), in nested objects too; not when the request also states that number in the
    parameter's unit, nor when the value fits its parameter and the converted one would
    not (600 in `depth_mm`'s options stays, whatever unit the request seems to give it)."""
    said, notes = mentions(call.request), []
    properties = call.schema.get("properties", {})
    out = {
        k: _measured(v, k, properties.get(k), said, f"{call.where}.{k}", notes)
        for k, v in arguments.items()
    }
    return out, notes


def _measured(
    value: Any, name: str, prop: Any, said: Mentions, where: str, notes: list[str]
) -> Any:
    prop = prop if isinstance(prop, dict) else {}
    if isinstance(value, dict):
        inner = prop.get("properties", {})
        return {
            k: _measured(v, k, inner.get(k), said, f"{where}.{k}", notes) for k, v in value.items()
        }
    if isinstance(value, list):
        item = prop.get("items")
        return [_measured(v, name, item, said, f"{where}[{i}]", notes) for i, v in enumerate(value)]
    unit = parameter_unit(name)
    if unit is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    stated = [u for number, u in said.quantities if number == value and u.kind == unit.kind]
    areas = {area for *sides, area in said.rectangles if value in sides}
    if unit.kind == "area" and not stated and len(areas) == 1:
        new, why = convert(areas.pop(), SQUARE_METRE, unit), "the area of the request's sides"
        return _converted(value, new, prop, where, notes, why)
    if len(stated) != 1 or stated[0] == unit:
        return value
    return _converted(value, convert(value, stated[0], unit), prop, where, notes)


def _converted(
    value: float,
    new: float | None,
    prop: dict[str, Any],
    where: str,
    notes: list[str],
    why: str = "the request's unit",
) -> float:
    """`new` for `value`, noted, unless it is no change or would not fit where `value` does."""
    if new is None or new == value or (_within(value, prop) and not _within(new, prop)):
        return value
    new = int(new) if new.is_integer() else new
    notes.append(changed(where, value, new, why))
    return new


def _within(number: float, prop: dict[str, Any]) -> bool:
    """Whether a number is one of its parameter's options and inside its bounds."""
    return (
        ("enum" not in prop or number in prop["enum"])
        and number >= prop.get("minimum", number)
        and number <= prop.get("maximum", number)
    )


def _asks_for_a_date(prop: Any) -> bool:
    return isinstance(prop, dict) and (
        prop.get("format") == "date" or "YYYY-MM-DD" in str(prop.get("description", ""))
    )


def to_iso_dates(arguments: dict[str, Any], call: CallContext) -> tuple[dict[str, Any], list[str]]:
    """A date written in numbers ("30/06/2017", "11.02.2014") in a parameter that asks for
    YYYY-MM-DD, in that form: day first when its first number is over 12, month first when
    its second is, else in the order the request's other dates show; otherwise it stays."""
    schema, request, where = call.schema, call.request, call.where
    properties, notes = schema.get("properties", {}), []
    order = day_first(request)
    for name, value in list(arguments.items()):
        found = SLASH_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
        if found is None or not _asks_for_a_date(properties.get(name)):
            continue
        first, _, second, _ = found.groups()
        first_is_day = int(first) > 12 or (order if int(second) <= 12 else False)
        new = None if first_is_day is None else numeric_date(found, first_is_day)
        if new is not None:
            notes.append(changed(f"{where}.{name}", value, new, "YYYY-MM-DD"))
            arguments = {**arguments, name: new}
    return arguments, notes


_MONTH_FORM = re.compile(r"\bYYYY-MM\b(?!-)")  # a month, not a day (YYYY-MM-DD)


def to_year_months(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A month in a parameter whose description asks for YYYY-MM, written another way
    ("February 2028", "2028-02-01"), in that form (`mentions.year_month`)."""
    properties, notes = call.schema.get("properties", {}), []
    for name, value in list(arguments.items()):
        prop = properties.get(name)
        if not isinstance(value, str) or not isinstance(prop, dict):
            continue
        new = year_month(value) if _MONTH_FORM.search(str(prop.get("description", ""))) else None
        if new is not None and new != value:
            notes.append(changed(f"{call.where}.{name}", value, new, "YYYY-MM"))
            arguments = {**arguments, name: new}
    return arguments, notes


# words by which a request may count one date from another ("the Saturday after")
_RELATIVE = re.compile(
    r"\b(?:after|before|next|following|later|earlier|previous|prior|tomorrow|yesterday|ago"
    r"|fortnight|weekend)\b"
    r"|\b(?:\d+|a|an|another|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fourteen|twenty|thirty)[\s-]+(?:week|day|month|year)s?\b",
    re.I,
)  # a span counted ("for 3 days", "a week"), not "the whole year" nor "any time that day"


def to_the_request_date(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A date (YYYY-MM-DD) the request does not state, replaced by the only date it states
    that no other argument of the call gives, nor another call (`taken`): "2026-09-02" for
    "Tuesday 8 September 2026". Not where the request may count a date from another
    (`_RELATIVE`: "the Saturday after", "for 3 days", "in a fortnight") in words that
    `mentions` does not read as a date ("Saturday 10 July 2027 ... a fortnight later" is
    2027-07-24: `without_dates_after`)."""
    request, where, taken = call.request, call.where, call.taken
    if _RELATIVE.search(without_dates_after(fold(request))):
        return arguments, []
    said = mentions(request)
    free = sorted(said.dates - values_given(arguments) - taken)
    notes = []
    for name, value in arguments.items():
        if len(free) != 1 or not isinstance(value, str):
            continue
        day = value.strip()
        if ISO_DATE.fullmatch(day) and day not in said.dates and day[5:] not in said.month_days:
            notes.append(
                changed(f"{where}.{name}", value, free[0], "the only date the request gives")
            )
            arguments = {**arguments, name: free.pop()}
    return arguments, notes


def to_the_stated_year(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A date (YYYY-MM-DD), at any depth of the arguments (a child's date of birth), in a
    year the request never says, on the month and day of the one date it states for them:
    that date ("1919-11-19" for "born 19 November 2019": the model slipped on the year)."""
    said = mentions(call.request)
    on_the_day: dict[str, list[str]] = {}
    for date in said.dates:
        on_the_day.setdefault(date[5:], []).append(date)
    notes: list[str] = []

    def fixed(value: Any, where: str) -> Any:
        if isinstance(value, dict):
            return {key: fixed(item, f"{where}.{key}") for key, item in value.items()}
        if isinstance(value, list):
            return [fixed(item, f"{where}[{k}]") for k, item in enumerate(value)]
        day = value.strip() if isinstance(value, str) else ""
        stated = on_the_day.get(day[5:], []) if ISO_DATE.fullmatch(day) else []
        if len(stated) != 1 or said.says_number(float(day[:4])) or day in said.dates:
            return value
        notes.append(changed(where, value, stated[0], "the request's date on that day"))
        return stated[0]

    fixed_arguments = {
        name: fixed(value, f"{call.where}.{name}") for name, value in arguments.items()
    }
    return fixed_arguments, notes


_PHONE_IN_TEXT = re.compile(r"(?<![\w+])\+?\d[\d ()-]{7,}\d(?!\w)")
_PHONE_PARAMETER = re.compile(r"phone|mobile|\btel", re.I)


def to_the_request_phone(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A phone number the request does not give (+441632960000, made up), in a parameter
    named or described as a phone, replaced by the only number the request gives, in the
    form the parameter asks for (`_phone_value`); where another parameter holds that number
    and the phone parameter something else, the two change places
    (`_swapped_with_the_phone`)."""
    schema, request, where = call.schema, call.request, call.where
    given = {found.group(0) for found in _PHONE_IN_TEXT.finditer(request)}
    if len(given) != 1:
        return arguments, []
    written = given.pop()
    properties, notes = schema.get("properties", {}), []
    phones = [name for name in arguments if _is_phone_parameter(name, properties.get(name))]
    for name in phones:
        value = arguments[name]
        if isinstance(value, str) and len(_digits(value)) < 7:
            arguments = _swapped_with_the_phone(arguments, name, written, phones, call, notes)
    for name in phones:
        value, prop = arguments[name], properties.get(name)
        if not isinstance(value, str) or not _PHONE_IN_TEXT.fullmatch(value.strip()):
            continue
        if grounded(value, request, name):
            continue
        new = _phone_value(written, prop if isinstance(prop, dict) else {}) or written
        notes.append(changed(f"{where}.{name}", value, new, "the only phone number given"))
        arguments = {**arguments, name: new}
    return arguments, notes


def to_the_request_email(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """An email address the request does not give (john.doe@example.com, made up) replaced
    by the only address the request gives."""
    given = {found.group(0) for found in EMAIL.finditer(call.request)}
    if len(given) != 1:
        return arguments, []
    (written,) = given
    notes = []
    for name, value in arguments.items():
        if not isinstance(value, str) or not EMAIL.fullmatch(value.strip()):
            continue
        if fold(value.strip()) == fold(written):
            continue
        notes.append(changed(f"{call.where}.{name}", value, written, "the only email given"))
        arguments = {**arguments, name: written}
    return arguments, notes


def _is_phone_parameter(name: str, prop: Any) -> bool:
    described = prop.get("description", "") if isinstance(prop, dict) else ""
    return bool(_PHONE_PARAMETER.search(f"{name} {described}"))


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _swapped_with_the_phone(
    arguments: dict[str, Any],
    name: str,
    number: str,
    phones: list[str],
    call: CallContext,
    notes: list[str],
) -> dict[str, Any]:
    """A phone parameter holding no phone number ("WF1 4DD") while one other parameter holds
    the request's only phone `number` (`postcode: "07700 900668"`): the two values change
    places, the number in the phone parameter's form."""
    holders = [
        other
        for other, value in arguments.items()
        if other not in phones and isinstance(value, str) and _digits(value) == _digits(number)
    ]
    if len(holders) != 1:
        return arguments
    other = holders[0]
    prop = call.schema.get("properties", {}).get(name)
    phone = _phone_value(number, prop if isinstance(prop, dict) else {}) or number
    notes.append(f"{call.where}: {name} and {other} swapped: each held the other's value")
    return {**arguments, name: phone, other: arguments[name]}


def to_the_request_time(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A time of day (HH:MM) the request does not state, replaced by a time it states that
    no other argument of the call gives, nor another call (`taken`): the only one ("quarter
    past four in the afternoon" -> 16:15 where the model wrote 16:24), else the only one in
    the same hour, else the only one in that hour of the other half of the day ("half
    eleven at night" -> 23:30 where the model wrote 11:00), else, of one time the request
    gives in both halves of the day, the likelier half (`_likelier_half`); one it states or
    one chosen so in the small hours, its afternoon reading where the request gives both
    (`_in_the_day`: "twenty past two" -> 14:20 where the model wrote 02:00); otherwise it
    stays. Two or more such times, as many as the free ones: those, in the
    order the model's have (`_in_order`)."""
    request, where, taken = call.request, call.where, call.taken
    said = mentions(request)
    free = sorted(said.times - values_given(arguments) - taken)
    in_order = _in_order(arguments, said.times, free, where)
    if in_order is not None:
        return in_order
    notes = []
    for name, found in _time_arguments(arguments).items():
        value = arguments[name]
        if found.group(1) in said.times:
            time, why = _in_the_day(found.group(1), free), "the request's time, by day"
        else:
            time, why = _stated_time(found.group(1), free)
            if time is not None and (day := _in_the_day(time, free)) is not None:
                time, why = day, "the request's time, by day"
        if time is None:
            continue
        free.remove(time)
        new = time + found.group(2)
        notes.append(changed(f"{where}.{name}", value, new, why))
        arguments = {**arguments, name: new}
    return arguments, notes


# a parameter part that names the start or end of a span: `start_time`, `end_time`, `ends_at`
_START, _END = re.compile(r"(?:^|_)(?:start|begin)"), re.compile(r"(?:^|_)(?:end|finish|until)")


def to_the_later_end(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A call's end time before its start time ("from 6 till 11" as 18:00 to 11:00) moved
    twelve hours on where the request gives that reading too (23:00), so the end is after
    the start."""
    times = _time_arguments(arguments)
    starts = [name for name in times if _START.search(name)]
    ends = [name for name in times if _END.search(name)]
    if len(starts) != 1 or len(ends) != 1:
        return arguments, []
    start, end = minutes_of(times[starts[0]].group(1)), minutes_of(times[ends[0]].group(1))
    if end >= start or not start < end + 720 < 24 * 60:
        return arguments, []
    later = _clock(end + 720)
    if later not in mentions(call.request).times:
        return arguments, []
    name = ends[0]
    new = later + times[name].group(2)
    note = changed(f"{call.where}.{name}", arguments[name], new, "an end after the start")
    return {**arguments, name: new}, [note]


def to_the_span_start(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """The call's one time of day moved to the other half of the day when the request's one
    time span starts there ("from seven till one in the morning": 07:00 -> 19:00)."""
    starts = {start for start, _ in mentions(call.request).spans}
    times = _time_arguments(arguments)
    if len(starts) != 1 or len(times) != 1:
        return arguments, []
    start, ((name, found),) = starts.pop(), times.items()
    if abs(minutes_of(found.group(1)) - minutes_of(start)) != 12 * 60:
        return arguments, []
    new = start + found.group(2)
    note = changed(f"{call.where}.{name}", arguments[name], new, "the request's time span")
    return {**arguments, name: new}, [note]


def to_the_span(arguments: dict[str, Any], call: CallContext) -> tuple[dict[str, Any], list[str]]:
    """The call's one duration in a unit of time (`hours`, `duration_minutes`) set to the
    span the request gives from the call's own time of day ("from 8pm till midnight" with
    `start_time: "20:00"` is 4 hours, where the model wrote 2); not where the request states
    the written duration itself ("for two hours"), nor a span of part of an integer unit."""
    said, given = mentions(call.request), values_given(arguments)
    lengths = {minutes for start, minutes in said.spans if start in given}
    properties = call.schema.get("properties", {})
    timed = [
        (name, unit)
        for name, value in arguments.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
        if (unit := _time_unit(name, properties.get(name))) is not None
    ]
    if len(lengths) != 1 or len(timed) != 1:
        return arguments, []
    (name, unit), value = timed[0], arguments[timed[0][0]]
    new = lengths.pop() * 60 / unit
    stated = any(number * per == value * unit for number, per in said.durations)
    integer = properties.get(name, {}).get("type") == "integer"
    if stated or new == value or (integer and not new.is_integer()):
        return arguments, []
    new = int(new) if new.is_integer() else new
    note = changed(f"{call.where}.{name}", value, new, "the request's time span")
    return {**arguments, name: new}, [note]


def _in_order(
    arguments: dict[str, Any], said: frozenset[str], free: list[str], where: str
) -> tuple[dict[str, Any], list[str]] | None:
    """The call's times the request does not state, two or more, replaced by the request's
    free readings, as many, in the same order, each in the likelier half of the day where
    it gives both (`_likelier_half`: "16:30" to "17:30" -> 19:45 to 21:00 for "quarter to
    eight till nine in the evening"); None when the counts differ."""
    unstated = {
        name: found
        for name, found in _time_arguments(arguments).items()
        if found.group(1) not in said
    }
    readings: dict[tuple[int, str], list[str]] = {}
    for time in free:
        readings.setdefault((int(time[:2]) % 12, time[3:]), []).append(time)
    if len(unstated) < 2 or len(unstated) != len(readings):
        return None
    ordered = sorted(unstated, key=lambda name: unstated[name].group(1))
    notes, out = [], dict(arguments)
    for name, times in zip(ordered, sorted(readings.values()), strict=True):
        written = unstated[name].group(1)
        # two times of one reading are 12 hours apart, so `_likelier_half` picks one
        time = times[0] if len(times) == 1 else _likelier_half(minutes_of(written), times)[0]
        out[name] = f"{time}{unstated[name].group(2)}"
        why = "the request's times in order"
        notes.append(changed(f"{where}.{name}", arguments[name], out[name], why))
    return out, notes


_SMALL_HOURS_END = 7 * 60  # before 07:00: no appointment where the afternoon is said too


def _in_the_day(written: str, free: list[str]) -> str | None:
    """For a time the request gives in the small hours (before 07:00), the same reading of
    the afternoon when the request gives that too, with no half of the day named ("quarter
    past one" for a wedding car is 13:15, not 01:15; "at five" for darts is 17:00; "1.15am"
    and "6am" give no afternoon reading)."""
    minutes = minutes_of(written)
    twin = _clock(minutes + 720)
    return twin if minutes < _SMALL_HOURS_END and twin in free else None


def _stated_time(written: str, free: list[str]) -> tuple[str | None, str]:
    """The one time of `free` that stands for `written` (see `to_the_request_time`), and
    why; (None, "") when not exactly one."""
    if len(free) == 1:
        return free[0], "the only time the request gives"
    hour = int(written[:2])
    for why, same in (
        ("the request's time in that hour", lambda h: h == hour),
        ("the request's time in that hour of the day's other half", lambda h: h % 12 == hour % 12),
    ):
        matching = [time for time in free if same(int(time[:2]))]
        if len(matching) == 1:
            return matching[0], why
        if matching:
            return None, ""
    return _likelier_half(minutes_of(written), free)


def _likelier_half(written: int, free: list[str]) -> tuple[str | None, str]:
    """Of one reading the request gives in both halves of the day ("half four": 04:30 and
    16:30), the one in waking hours (07:00 to 22:00) when only one is, else the one nearer
    round the clock to the model's time (`written`, in minutes: 20:30 for 17:00), else the
    morning's. (None, "") for other times."""
    minutes = sorted(minutes_of(time) for time in free)
    if len(free) != 2 or minutes[1] - minutes[0] != 720:
        return None, ""
    why = "the request's one time, in the likelier half of the day"
    awake = [m for m in minutes if _WAKING[0] <= m < _WAKING[1]]
    if len(awake) == 1:
        return _clock(awake[0]), why
    away = [min(abs(m - written), 1440 - abs(m - written)) for m in minutes]
    return _clock(minutes[away.index(min(away))]), why


_WAKING = (7 * 60, 22 * 60)  # 07:00 to 22:00: a time outside is night, not an appointment


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_QUOTES = {"'": "'", '"': '"', "‘": "’", "“": "”", "`": "`"}


def _without_quotes(value: Any, request: str) -> Any:
    """A text the request quotes, without the quotes the model kept ("'cat (neko)'" for
    back 'cat (neko)'), or without the words after its closing quote ("Signed, Sealed,
    Delivered' by Stevie Wonder" for 'Signed, Sealed, Delivered' by Stevie Wonder); any
    other value as it is."""
    if not isinstance(value, str) or len(value) < 3:
        return value
    if _QUOTES.get(value[0]) != value[-1]:
        return _quoted_start(value, request)
    inner = value[1:-1]
    return inner if inner.strip() == inner and inner and value in request else value


def _quoted_start(value: str, request: str) -> str:
    """The text the request quotes that `value` starts with, when `value` runs on past its
    closing quote; `value` otherwise."""
    for opening, closing in _QUOTES.items():
        cut = value.find(closing)
        if cut > 0 and f"{opening}{value[:cut]}{closing}" in request:
            return value[:cut]
    return value


_FILE_NAME = re.compile(r"[\w~-][\w.~-]*\.[A-Za-z]\w{0,7}")


def _whole_path(value: Any, request: str) -> Any:
    """A file name the request gives only with its folders, with them ("photos/cat.png" or
    "/tmp/cat.png" for "cat.png"); any other value as it is ("USD" in "EUR/USD" too)."""
    if not isinstance(value, str) or not _FILE_NAME.fullmatch(value):
        return value
    end = r"(?![\w/\\-]|\.\w)"
    alone = re.search(rf"(?<![\w./\\~:-]){re.escape(value)}{end}", request)
    folders = r"(?:[A-Za-z]:)?[/\\]?(?:[\w.~-]+[/\\])+"
    pattern = rf"(?<![\w./\\~:-]){folders}{re.escape(value)}{end}"
    paths = {m.group(0) for m in re.finditer(pattern, request)}
    return paths.pop() if len(paths) == 1 and not alone else value


_NAME = re.compile(r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){1,3}")


def _names_given(value: Any, request: str) -> Any:
    """A name of capitalised words the request writes with one word spelled a little
    otherwise, as the request spells it ("Fion Davies" for "Ffion Davies",
    `_respelled`); else one whose last words the request writes and whose first it does
    not, cut to those it writes ("Fauré" for "Jules Fauré": a first name the model added);
    any other value as it is."""
    if not isinstance(value, str) or not _NAME.fullmatch(value) or value in request:
        return value
    if (respelled := _respelled(value, request)) is not None:
        return respelled
    words, written = value.split(), fold(request)
    for start in range(1, len(words)):
        tail = " ".join(words[start:])
        if re.search(rf"(?<!\w){re.escape(fold(tail))}(?!\w)", written) and not any(
            re.search(rf"(?<!\w){re.escape(fold(word))}(?!\w)", written) for word in words[:start]
        ):
            return tail
    return value


def _respelled(name: str, request: str) -> str | None:
    """The one full name of the request with the same words as `name` but one, that one
    near it in spelling (a letter or two off: "Fion" for "Ffion"); None otherwise."""
    words = name.split()
    found = {
        written
        for written in _FULL_NAME.findall(request)
        if len(other := written.split()) == len(words)
        and sum(a != b for a, b in zip(words, other, strict=True)) == 1
        and all(
            a == b or difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio() >= 0.8
            for a, b in zip(words, other, strict=True)
        )
    }
    return found.pop() if len(found) == 1 else None


# the person who books, buys or hosts: the one who signs the request
_SIGNER_PARAMETER = re.compile(
    r"(?:customer|buyer|booker|host|organiser|organizer|contact|account_holder|owner|client"
    r"|hirer)_name"
)
_BOOKER_WORDS = re.compile(r"\b(?:book|order|ask|buy|customer|hire)", re.I)
_NAME_WORD = r"[A-Z](?:[a-z]+|(?=['’]))(?:[-'’][A-Z][a-z]+)*"  # "O'Brien-Smith"; not "Name's"
_FULL_NAME = re.compile(rf"{_NAME_WORD}(?: {_NAME_WORD}){{1,2}}")


# an item of a signature: capitalised words, digits and joiners ("Harcourt Wealth
# Management", "14 Hatfield Court", "AL10 0BT", "Quill & Ink"), no lower-case word
_SIGNATURE_ITEM = re.compile(
    r"(?:[A-Z0-9][\w'’.-]*|&|of|and|the)(?: (?:[A-Z0-9][\w'’.-]*|&|of|and|the))*"
)


def _last_sentence_items(text: str) -> list[str]:
    """The comma-separated items of the last sentence of a text, the empty ones at its end
    left out."""
    last = re.split(r"[.?!:;]\s", text)[-1]
    items = [item.strip() for item in last.split(",")]
    while items and not items[-1]:
        items.pop()
    return items


def _signature(before: str) -> list[str]:
    """The comma-separated items that end the last sentence of a text before a phone
    number or email, as far back as each is a signature's item (`_SIGNATURE_ITEM`): "Claire
    Webb", "Harcourt Wealth Management" of "... vegetarian. Claire Webb, Harcourt Wealth
    Management, "."""
    items = _last_sentence_items(before)
    run: list[str] = []
    for item in reversed(items):
        if not _SIGNATURE_ITEM.fullmatch(item):
            break
        run.insert(0, item)
    return run


@lru_cache(maxsize=256)  # read by two repairs of every call, like `mentions`
def _signer(request: str) -> str | None:
    """The first full name of the signature that ends in the request's phone number or
    email, or ends the request (`_signature`: "Ellie Marsh, 07700 900963"; "Claire Webb,
    Harcourt Wealth Management, 020 7946 0820"; "... with my mate Geoff Pratt. Ken
    Whitlow"; not "14 Hatfield Court"); None when none is, or two names are."""
    contacts = [*_PHONE_IN_TEXT.finditer(request), *EMAIL.finditer(request)]
    runs = [_signature(request[max(0, c.start() - 80) : c.start()]) for c in contacts]
    end = request.rstrip(" .!\n")  # a signature ending the request, as a sentence of its own
    if (run := _signature(end)) == _last_sentence_items(end):  # not "to my aunt, Irene Hale"
        runs.append(run)
    signers = set()
    for run in runs:
        names = [item for item in run if _FULL_NAME.fullmatch(item)]
        if names:
            signers.add(names[0])
    return signers.pop() if len(signers) == 1 else None


def to_the_signer(arguments: dict[str, Any], call: CallContext) -> tuple[dict[str, Any], list[str]]:
    """The name of the one who books, buys or hosts (`customer_name`, `buyer_name`, ...,
    or a plain `name`) where the model put another person the request names ("Zac", the
    birthday boy, or "Tom & Ellie" from a tag's text), a made-up one ("John Doe") or no
    person (`_not_the_booker`): the name the request is signed with (`_signer`), unless
    another name parameter holds it already (`_signer_elsewhere`)."""
    signer = _signer(call.request)
    if signer is None:
        return arguments, []
    notes = []
    for name, value in arguments.items():
        if not isinstance(value, str) or not value.strip() or fold(signer) in fold(value):
            continue
        if _signer_elsewhere(name, arguments, signer):
            continue
        if _not_the_booker(name, value, call):
            notes.append(changed(f"{call.where}.{name}", value, signer, "the name signed"))
            arguments = {**arguments, name: signer}
    return arguments, notes


_RECIPIENT_PARAMETER = re.compile(r"recipient(?:_name)?|giftee(?:_name)?")


def to_the_recipient(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A gift's recipient (`recipient_name`) written as the one who signs the request,
    where the request names one other person of the signer's family name ("For my dad, Roy
    Palmer, a mud run voucher. Jess Palmer"): that person. A place ("Oakley Barn") or a
    friend of another name is never taken for them."""
    signer = _signer(call.request)
    if signer is None:
        return arguments, []
    family = signer.split()[-1]
    others = {
        found.group(0)
        for found in _FULL_NAME.finditer(call.request)
        if found.group(0) != signer and found.group(0).split()[-1] == family
    }
    if len(others) != 1:
        return arguments, []
    (other,) = others
    notes = []
    for name, value in arguments.items():
        if _RECIPIENT_PARAMETER.fullmatch(name) and isinstance(value, str) and value == signer:
            notes.append(changed(f"{call.where}.{name}", value, other, "the one the gift is for"))
            arguments = {**arguments, name: other}
    return arguments, notes


_SUBGROUP = re.compile(
    r"adult|child|kid|boy|girl|teen|junior|senior|infant|baby|toddler|under_|over_|student"
    r"|concession|lad"
)  # a count of one kind of person: adults and children counted apart
_EVERYONE = re.compile(
    r"^(?:people|persons|guests|participants|places|visitors|attendees|diners|passengers"
    r"|travellers|party_size|group_size|number_of_people|\w+ers)$"
)  # a count of everyone: climbers, surfers, campers


def to_the_party_size(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A count of everyone (`_EVERYONE`) that is the number of one group inside a party
    the request lists becomes the party's size: `climbers` 2 for "me and my two teenage
    lads" is 3. Not where the function counts a kind of person apart (`_SUBGROUP`:
    `adults`, `children`), nor when the number counts groups of two parties' sizes."""
    properties = call.schema.get("properties", {})
    if any(_SUBGROUP.search(name) for name in properties):
        return arguments, []
    notes = []
    for name, value in arguments.items():
        if not _EVERYONE.match(name) or isinstance(value, bool) or not isinstance(value, int):
            continue
        size = _party_of_group(value, call.request)
        if size is not None and size > value:
            notes.append(
                changed(f"{call.where}.{name}", value, size, "the party the request lists")
            )
            arguments = {**arguments, name: size}
    return arguments, notes


def _party_of_group(count: int, request: str) -> int | None:
    """The size of the one party the request lists that holds a group of `count` people
    ("me, my partner and our two girls": 4 for 2); None when no party or two do."""
    sizes = {size for group, size in mentions(request).groups if group == count}
    return int(sizes.pop()) if len(sizes) == 1 else None


_CHILD_COUNT = re.compile(r"child|kid|junior")  # the count of children beside `adults`


def to_the_adults(arguments: dict[str, Any], call: CallContext) -> tuple[dict[str, Any], list[str]]:
    """A count of `adults` beside a count of children that is the number of one group
    inside a party the request lists: the rest of that party, less the call's other kinds of
    people such as `under_twos` ("me, my partner and our two girls" with `children` 2 is
    `adults` 2, where the model wrote 3)."""
    counts = {
        name: value
        for name, value in arguments.items()
        if isinstance(value, int) and not isinstance(value, bool) and _SUBGROUP.search(name)
    }
    children = [name for name in counts if _CHILD_COUNT.search(name)]
    if "adults" not in counts or len(children) != 1:
        return arguments, []
    young = counts[children[0]]
    others = sum(counts.values()) - counts["adults"] - young
    size = _party_of_group(young, call.request)
    if size is None:
        return arguments, []
    rest = size - young - others
    if rest < 1 or rest == counts["adults"]:
        return arguments, []
    note = changed(f"{call.where}.adults", counts["adults"], rest, "the rest of the party")
    return {**arguments, "adults": rest}, [note]


def _signer_elsewhere(name: str, arguments: dict[str, Any], signer: str) -> bool:
    """Another name parameter of the call holds the signer already: this one is someone
    else (`client_name` "Ron Peters" beside `contact_name` "Carol Peters", his daughter)."""
    return any(
        key != name
        and (key == "name" or _SIGNER_PARAMETER.fullmatch(key))
        and isinstance(value, str)
        and fold(signer) in fold(value)
        for key, value in arguments.items()
    )


def _not_the_booker(name: str, value: str, call: CallContext) -> bool:
    """Whether `value` of the booker's name parameter is someone else, or no one: for a
    `customer_name`, `owner_name`, ... any name but the signer's (another person the
    request names, or one it never gives: "John Doe"); for a plain `name` of a function
    with no such parameter, whose description is none or speaks of booking, ordering or
    asking, a name the request never gives, or words that are no full name ("Dolly", the
    dog; "our two cats")."""
    if _SIGNER_PARAMETER.fullmatch(name):
        return True
    properties = call.schema.get("properties", {})
    if name != "name" or any(_SIGNER_PARAMETER.fullmatch(p) for p in properties):
        return False
    description = str(properties.get("name", {}).get("description", ""))
    if description and not _BOOKER_WORDS.search(description):
        return False
    said = fold(value) in fold(call.request)
    return not said or not _FULL_NAME.fullmatch(value.strip())


def _whole_postcode(value: Any, request: str) -> Any:
    """The whole of the one UK postcode whose first half is `value` ("HX7 8AD" for "HX7");
    any other value as it is."""
    if not isinstance(value, str):
        return value
    whole = {f.group(0) for f in POSTCODE.finditer(request) if f.group(1) == value.strip()}
    return whole.pop() if len(whole) == 1 else value


def _as_written(value: Any, request: str) -> Any:
    written = _whole_path(_without_quotes(value, request), request)
    return _names_given(_whole_postcode(written, request), request)


def as_written(arguments: dict[str, Any], call: CallContext) -> tuple[dict[str, Any], list[str]]:
    """Text arguments (and text items of list arguments) as the request writes them:
    without the request's quotes, a file name with the folders the request gives it, a UK
    postcode whole, a name without the first names it does not give."""
    request, where = call.request, call.where
    notes, out = [], {}
    for name, value in arguments.items():
        new = (
            [_as_written(item, request) for item in value]
            if isinstance(value, list)
            else _as_written(value, request)
        )
        if new != value:
            notes.append(changed(f"{where}.{name}", value, new, "as the request writes it"))
        out[name] = new
    return out, notes


def _time_arguments(arguments: dict[str, Any]) -> dict[str, re.Match[str]]:
    """The arguments whose values are times of day ("19:00", "19:00:00"), by name, with
    their HH:MM (group 1) and seconds (group 2)."""
    return {
        name: found
        for name, value in arguments.items()
        if isinstance(value, str) and (found := HH_MM.fullmatch(value.strip()))
    }


def values_given(arguments: Any) -> frozenset[str]:
    """The texts the arguments give, and their times of day as HH:MM ("17:00" of
    "17:00:00")."""
    values = arguments.values() if isinstance(arguments, dict) else []
    texts = [value.strip() for value in values if isinstance(value, str)]
    return frozenset(
        [*texts, *(found.group(1) for text in texts if (found := HH_MM.fullmatch(text)))]
    )


def is_code(text: str) -> bool:
    """Letters and digits together, as in a postcode or a reference ("M19 1RE")."""
    return bool(re.search(r"\d", text) and re.search(r"[^\W\d_]", text))


def without_repeated_codes(
    arguments: dict[str, Any], where: str
) -> tuple[dict[str, Any], list[str]]:
    """A text that ends, after a comma, with a code another argument of the call gives is
    cut there ("address": "14 School Lane, NE29 6BX" beside "postcode": "NE29 6BX"): the
    function takes the code on its own."""
    codes = [v for v in arguments.values() if isinstance(v, str) and is_code(v)]
    fixed, notes = dict(arguments), []
    for name, value in arguments.items():
        head, comma, tail = value.rpartition(",") if isinstance(value, str) else ("", "", "")
        if comma and head.strip() and any(tail.strip() == code.strip() for code in codes):
            fixed[name] = head.rstrip(" ,")
            notes.append(changed(f"{where}.{name}", value, fixed[name]))
    return fixed, notes


def against_the_request(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """The arguments with each repair that reads the request made, in this order: durations
    and quantities in the parameter's unit, numeric dates as YYYY-MM-DD, the enum option the
    request names (or the fuller one it says, or the period it states), a list of every
    option cut to those it names, list items of options it does not name
    (`without_unnamed_items`), its phone number, dates and times of day the request states
    (neither one another call gives: `taken`), a date's year as the request states it, an
    end time after the start time, a duration as the time span the request gives from the
    call's time, the name the request is signed with for the one who books (and not for a
    gift's recipient the request names), a count of everyone as the size of the party the
    request lists, adults as the rest of it beside its children, texts as the request
    writes them; notes say what changed."""
    notes: list[str] = []
    for repair in (
        in_parameter_units,
        in_measure_units,
        to_iso_dates,
        to_year_months,
        to_the_named_option,
        to_the_fuller_option,
        to_the_stated_period,
        to_the_options_said,
        without_unnamed_items,
        to_the_request_phone,
        to_the_request_email,
        to_the_request_date,
        to_the_stated_year,
        to_the_request_time,
        to_the_later_end,
        to_the_span_start,
        to_the_span,
        to_the_signer,
        to_the_recipient,
        to_the_party_size,
        to_the_adults,
        as_written,
    ):
        arguments, more = repair(arguments, call)
        notes += more
    return arguments, notes
