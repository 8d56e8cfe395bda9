"""Repairs of enum options against the request: the option the request names when the
model gave another (`to_the_named_option`), the fuller option it says ("no heating and no
hot water"), the period it states ("every other week": fortnightly), a list of every
option cut to those it names, and list items of options it does not name. Each change is
reported as a note."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from toolpath.planners.call_context import CallContext, changed
from toolpath.planners.grounding import grounded, stem_in
from toolpath.planners.mentions import WORD, Mentions, fold, mentions, negated_at, sentences

CHOICE_SEPARATORS = re.compile(r"\s*[;,|/]\s*|\s+or\s+")  # one of them: "a; b", "a or b"
LIST_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+and\s+")  # all of them: "a, b", "a and b"


def options_in(value: Any, options: list[Any], separators: re.Pattern[str]) -> list[Any]:
    """The options a text joins with `separators` ("bird_guard; rain_cap"), two at least;
    else []."""
    if not isinstance(value, str) or value in options:
        return []
    parts = [part for part in separators.split(value.strip()) if part]
    return parts if len(parts) >= 2 and all(part in options for part in parts) else []


def _given(value: str, name: str, request: str) -> bool:
    """The request gives the option in some form (`grounding`), or its letters in a row
    ("ebook" in "e-books")."""
    compact = "".join(WORD.findall(fold(value)))
    return grounded(value, request, name) or compact in "".join(WORD.findall(fold(request)))


def _words_within(part: str, whole: str) -> bool:
    """Every word of `part` is a word of `whole` ("flying" of "static_and_flying")."""
    return set(WORD.findall(fold(part))) <= set(WORD.findall(fold(whole)))


def alternatives(option: str) -> list[str]:
    """The things an "either" option names ("headaches_or_migraines": headaches,
    migraines), each part completed by the words the other shares ("back_or_neck_pain":
    back pain, neck pain; "mother_of_the_bride_or_groom": mother of the bride, mother of
    the groom); [] for any other option."""
    parts = WORD.findall(fold(option).replace("_", " "))
    if "or" not in parts:
        return []
    at = parts.index("or")
    left, right = parts[:at], parts[at + 1 :]
    if not left or not right:
        return []
    if len(left) == 1 < len(right):  # back or neck pain
        left = left + right[1:]
    elif len(right) == 1 < len(left):  # mother of the bride or groom
        right = left[:-1] + right
    return [" ".join(left), " ".join(right)]


def named_options(said: Mentions, options: Sequence[Any]) -> list[str]:
    """The options the request names (`Mentions.names_plainly`); none such, those of which
    it names one of the things an "either" option names (`alternatives`: "migraines" names
    headaches_or_migraines)."""
    texts = [option for option in options if isinstance(option, str)]
    plainly = [option for option in texts if said.names_plainly(option)]
    return plainly or [o for o in texts if any(map(said.names_plainly, alternatives(o)))]


def to_the_named_option(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """An enum option the request does not give (`_given`), or several options joined in
    one text ("bird_guard; rain_cap; ..."), replaced by the only one of them the request
    names (`named_options`: "multi_fuel_stove" for "our multi fuel stove" where the model
    chose "wood_burner"; "headaches_or_migraines" for "migraines"). It stays when the
    request names two or none, or when another argument has the one named ("kg" of "68 kg
    in pounds"), or another call (`taken`), or when the model's option holds the named one
    ("static_and_flying" for "on perches ... and a flying demo")."""
    schema, request, where, taken = call.schema, call.request, call.where, call.taken
    said = mentions(request)
    properties = schema.get("properties", {})
    notes = []
    for name, value in arguments.items():
        prop = properties.get(name)
        options = prop.get("enum", []) if isinstance(prop, dict) else []
        choices = options_in(value, options, CHOICE_SEPARATORS) or options
        if not isinstance(value, str) or (value not in options and choices is options):
            continue
        named = named_options(said, choices)
        if (
            len(named) != 1
            or named[0] in taken
            or named[0] in arguments.values()
            or _given(value, name, request)
            or (value in options and _words_within(named[0], value))
        ):
            continue
        notes.append(changed(f"{where}.{name}", value, named[0], "the option the request names"))
        arguments = {**arguments, name: named[0]}
    return arguments, notes


def _text_options(prop: Any) -> list[str]:
    """A parameter's enum options that are texts."""
    options = prop.get("enum", []) if isinstance(prop, dict) else []
    return [option for option in options if isinstance(option, str)]


_EVERY_OTHER = re.compile(r"\bevery (?:other|second|two|2) (day|week|month|year)s?\b")
_EVERY_TWO = {"week": "fortnight", "day": "", "month": "", "year": ""}


def _every_two(option: str, unit: str) -> bool:
    """The option says once every two of `unit` ("fortnightly", "every_two_weeks",
    "bimonthly", "every_other_month")."""
    words = set(WORD.findall(fold(option)))
    short = _EVERY_TWO[unit]
    return (
        bool(short and any(w.startswith(short) for w in words))
        or f"bi{unit}ly" in words
        or bool(words & {"two", "2", "other", "second"} and any(w.startswith(unit) for w in words))
    )


def to_the_stated_period(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """An enum option of how often, where the request says "every other week" (or second,
    or two; of days, weeks, months or years), becomes the one option that says once every
    two of them: "fortnightly" where the model read "week" as weekly."""
    said = _EVERY_OTHER.findall(fold(call.request))
    if len(set(said)) != 1:
        return arguments, []
    properties, notes = call.schema.get("properties", {}), []
    for name, value in arguments.items():
        options = _text_options(properties.get(name))
        meant = [option for option in options if _every_two(option, said[0])]
        if value in options and len(meant) == 1 and value != meant[0]:
            notes.append(changed(f"{call.where}.{name}", value, meant[0], "the period stated"))
            arguments = {**arguments, name: meant[0]}
    return arguments, notes


_LINKING = frozenset({"or", "and", "the", "a", "an", "of", "with"})


def _content_words(option: str) -> set[str]:
    return set(WORD.findall(fold(option))) - _LINKING


def _says_all(words: set[str], sentence: list[str]) -> bool:
    """Each of `words` is in the sentence (`stem_in`), with no negation in the four words
    before it unless `words` hold that negation ("no heating and no hot water")."""
    for word in words:
        found = [i for i, w in enumerate(sentence) if stem_in(word, [w])]
        if not found or all(negated_at(sentence, i, words) for i in found):
            return False
    return True


def to_the_fuller_option(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """An enum option whose words another option holds with more, all of which one sentence
    of the request says (`_says_all`), replaced by that fuller option: "no heating and no
    hot water" is no_heating_or_hot_water, not no_heating; "the trailer behind my estate
    car" is car_and_trailer, not car. It stays when two fuller options are said."""
    properties, notes = call.schema.get("properties", {}), []
    said = [WORD.findall(fold(sentence)) for sentence in sentences(call.request)]
    for name, value in arguments.items():
        options = _text_options(properties.get(name))
        if value not in options:
            continue
        own = _content_words(value)
        fuller = [
            option
            for option in options
            if own < _content_words(option)
            and any(_says_all(_content_words(option), words) for words in said)
        ]
        if len(fuller) == 1:
            notes.append(
                changed(f"{call.where}.{name}", value, fuller[0], "the fuller option said")
            )
            arguments = {**arguments, name: fuller[0]}
    return arguments, notes


def item_schema(prop: Any) -> dict[str, Any]:
    """The schema of a list parameter's items; {} where it has none."""
    items = prop.get("items") if isinstance(prop, dict) else None
    return items if isinstance(items, dict) else {}


def to_the_options_said(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A list holding every option of its parameter's enum (three or more) cut to those the
    request names plainly (`Mentions.names_plainly`): the model ran through the options
    (["gazebo", "led_lights"] for "the gazebo and the LED lights too", where it listed all
    five extras). It stays when the request names all of them or none ("every day"; "mon"
    is not named by "Monday 2 March")."""
    properties, where = call.schema.get("properties", {}), call.where
    said, notes = mentions(call.request), []
    for name, value in arguments.items():
        options = item_schema(properties.get(name)).get("enum", [])
        if (
            len(options) < 3
            or not isinstance(value, list)
            or sorted(map(str, value)) != sorted(map(str, options))
        ):
            continue
        named = [option for option in value if said.names_plainly(str(option))]
        if 0 < len(named) < len(value):
            notes.append(changed(f"{where}.{name}", value, named, "the options the request names"))
            arguments = {**arguments, name: named}
    return arguments, notes


def without_unnamed_items(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """Items of a list of objects whose option (an enum property: a ticket's `type`) the
    request does not bring up in any form, beside items whose options it does, go: the
    model added a kind nobody asked for ("student" beside "two adult tickets")."""
    properties, said, notes = call.schema.get("properties", {}), mentions(call.request), []
    for name, value in arguments.items():
        inner = item_schema(properties.get(name)).get("properties")
        inner = inner if isinstance(inner, dict) else {}
        kinds = [k for k, p in inner.items() if isinstance(p, dict) and "enum" in p]
        if not isinstance(value, list) or len(value) < 2 or not kinds:
            continue
        named = [item for item in value if _options_named(item, kinds, said)]
        if named and len(named) < len(value):
            why = "items of an option the request does not name"
            notes.append(changed(f"{call.where}.{name}", value, named, why))
            arguments = {**arguments, name: named}
    return arguments, notes


def _options_named(item: Any, kinds: list[str], said: Mentions) -> bool:
    """Whether each option the item holds is named in some form by the request (one of
    its words of four letters or more, `_in_a_word`, or all its words in a row)."""
    if not isinstance(item, dict):
        return True
    for kind in kinds:
        option = item.get(kind)
        if not isinstance(option, str):
            continue
        words = [w for w in WORD.findall(fold(option)) if len(w) >= 4]
        if not said.says_words(option) and not any(_in_a_word(w, said.words) for w in words):
            return False
    return True


def _in_a_word(word: str, words: Sequence[str]) -> bool:
    """`word` is a request's word, starts like one (`stem_in`) or ends one ("bags" of
    "handbags")."""
    return stem_in(word, words) or any(other.endswith(word) for other in words)
