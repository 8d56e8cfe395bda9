"""Whether a request gives a value, in whatever form (`mentions` reads the request): the
checks of `call_checks` keep optional arguments and calls only when it does."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import phonenumbers

from toolpath.planners.mentions import EMAIL, NUMBER, WORD, fold, mentions
from toolpath.planners.references import is_ref

_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[t ](\d{2}:\d{2})(?::00)?")
_NUMBERS_ONLY = re.compile(r"\d+(?:\.\d+)?(?:\s*[-–/x,]\s*\d+(?:\.\d+)?)+")


# "with", "within", "without" share four letters and say opposite things
_NO_STEM = frozenset({"with", "within", "without"})


def stem_in(word: str, words: Sequence[str]) -> bool:
    """`word` is one of `words` or shares its first 4 letters with one ("cycling", "cycle";
    not "without", "with")."""
    if word in words:
        return True
    return (
        len(word) >= 4
        and word not in _NO_STEM
        and any(w[:4] == word[:4] and w not in _NO_STEM for w in words)
    )


def name_parts(name: str) -> list[str]:
    """A parameter name's words of four letters or more, the ones a request can say
    ("add_lobster": "lobster")."""
    return [part for part in WORD.findall(fold(name)) if len(part) >= 4]


def grounded(value: Any, request: str, name: str = "") -> bool:
    """The request mentions `value` (`planners.mentions`): a string in it or its words in a
    row ("full_time" for "full-time"; one word may be another form of a word of the
    request; a code of up to 3 letters may start a word: "fr", "French"), a date, time,
    language or currency it states in another form, a number (or numeric text) in digits or
    words or a duration in another unit, numbers joined ("2-6" for "2 to 6"), a date and
    time ("2025-03-01T06:00" for "6am on 1 March 2025"); a boolean when the request names
    its parameter `name` or its opposite ("outdoor" for `indoor`). A number the request
    gives only as someone's age ("our twelve-year-old") is no count: it grounds a parameter
    whose name says age (`age`, `birthday_age`) and no other."""
    said = mentions(request)
    if isinstance(value, bool):
        return any(
            stem_in(form, said.words) for part in name_parts(name) for form in _with_opposite(part)
        )
    if isinstance(value, int | float):
        return said.says_number(value) and (float(value) not in said.ages or _names_an_age(name))
    text = fold(str(value).strip())
    if not text:
        return False
    if stamp := _DATE_TIME.fullmatch(text):  # "2025-03-01T06:00": that day at that time
        day, time = stamp.groups()
        return grounded(day, request) and (time in said.text or said.says_text(time))
    if NUMBER.match(text) and said.says_number(float(text)):  # "2" before its coercion
        return True
    numbers = re.findall(r"\d+(?:\.\d+)?", text) if _NUMBERS_ONLY.fullmatch(text) else []
    if numbers and all(said.says_number(float(n)) for n in numbers):  # "2-6" for "2 to 6"
        return True
    if text in said.text or said.says_words(text) or said.says_text(text) or said.says_joined(text):
        return True
    if _INTERNATIONAL_PHONE.fullmatch(text) and _says_phone(text, said.text):
        return True
    parts = WORD.findall(text)
    if len(parts) == 1 and stem_in(parts[0], said.words):
        return True
    return len(text) <= 3 and any(word.startswith(text) for word in said.words)


_AGE_WORDS = frozenset({"age", "ages", "aged", "old", "years", "birthday"})


def _names_an_age(name: str) -> bool:
    return bool(_AGE_WORDS & set(WORD.findall(name.casefold())))  # "birthday_age": 2 words


_INTERNATIONAL_PHONE = re.compile(r"\+\d{7,15}")
_PHONE_SPAN = re.compile(r"\+?\d[\d ()-]{5,}\d")


def _says_phone(value: str, text: str) -> bool:
    """The text writes the phone number `value` (+447700900456) in national or
    international form ("07700 900456", "+44 7700 900456")."""
    try:
        number = phonenumbers.parse(value)
    except phonenumbers.NumberParseException:
        return False
    national = str(number.national_number)
    forms = {f"{number.country_code}{national}", f"0{national}", national}
    return any(re.sub(r"\D", "", span) in forms for span in _PHONE_SPAN.findall(text))


_OPPOSITE_PREFIXES = (("in", "out"), ("out", "in"), ("un", ""), ("non", ""), ("dis", ""))


def _with_opposite(word: str) -> list[str]:
    """The word and its opposites by prefix: "indoor" and "outdoor", "read" and "unread"."""
    forms = [word] + [f"{prefix}{word}" for prefix in ("un", "non")]
    forms += [new + word[len(old) :] for old, new in _OPPOSITE_PREFIXES if word.startswith(old)]
    return [form for form in forms if len(form) >= 4]


def supplied(value: Any, request: str, name: str) -> bool:
    """The request (or another call's result) supplies some part of `value`."""
    if isinstance(value, dict):
        return any(supplied(v, request, name) for v in value.values())
    if isinstance(value, list):
        return any(supplied(v, request, name) for v in value)
    return is_ref(value) or grounded(value, request, name)


def shares_a_word(value: Any, request: str) -> bool:
    """A text value with a word of 4+ letters from the request: a normalised form of what
    it says ("Asia/Tokyo" for "in Tokyo"). Only a whole argument's text counts; one item
    of an invented list can share a word by chance."""
    if not isinstance(value, str):
        return False
    words = mentions(request).words
    return any(len(part) >= 4 and stem_in(part, words) for part in WORD.findall(fold(value)))


_DIGIT_RUN = re.compile(r"\d{2,}")
CODE = re.compile(r"[A-Z]{2,5}")


def _in_order(letters: str, word: str) -> bool:
    """Every letter of `letters` is in `word`, in that order ("nvda" in "nvidia")."""
    rest = iter(word)
    return all(letter in rest for letter in letters)


def identifies(value: Any, request: str) -> bool:
    """A code standing for something the request names, or the reverse: letters added to
    a number it states ("UA857" for "united 857"), the words of an abbreviation it uses
    ("Los Angeles" for "LA"), or an upper-case abbreviation of one of its longer
    words that starts with the same letter ("NVDA" for "nvidia", "MSFT" for "Microsoft")."""
    if not isinstance(value, str):
        return False
    said = mentions(request)
    runs = _DIGIT_RUN.findall(value)
    if runs and all(said.says_number(float(run)) for run in runs):
        return True
    initials = "".join(word[0] for word in WORD.findall(value.casefold()))
    if len(initials) >= 2 and initials in said.words:  # "Los Angeles" for "LA"
        return True
    if not CODE.fullmatch(value.strip()):
        return False
    code = value.strip().casefold()
    return any(
        len(word) > len(code) and word[0] == code[0] and _in_order(code, word)
        for word in said.words
    )


def from_request(value: Any, request: str, name: str) -> bool:
    """The request gives `value` (`supplied`), a normalised form of its words
    (`shares_a_word`) or a code for what it names (`identifies`): an input not made up. An
    e-mail address only as written ("susan@fielding.com" is made up for "Susan Fielding")."""
    if isinstance(value, str) and EMAIL.fullmatch(value.strip()):
        return fold(value.strip()) in fold(request)
    return (
        supplied(value, request, name)
        or shares_a_word(value, request)
        or identifies(value, request)
    )
