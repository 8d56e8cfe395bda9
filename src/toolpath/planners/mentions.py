"""What a request mentions, in the forms a function's arguments take: numbers written in
digits or words ("30k", "a hundred", "forty-five"; a month's name is its number; "- 3x"
gives -3), durations in any unit ("half an hour" is 1800 seconds, 30 minutes, 0.5 hours),
dates and times ("March 8, 2024" is 2024-03-08, "3pm" is 15:00), time spans ("from 8pm
till midnight" is 4 hours from 20:00), the size of a party it lists ("me and my husband" is
2; `people.py`), languages and currencies by name or symbol ("in German" is de, "£" is
GBP). While `REFERENCE_DATE` holds today's date, dates said relative to it count too
("tomorrow", "on Friday", "in 3 days").

The function-call checks use it to tell a value the user gave in other words from one a
small model made up; it never changes a value.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence, Set
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from toolpath.planners.people import age_positions, parties, party_groups, party_sizes
from toolpath.planners.units import SPOKEN, SPOKEN_PAIRS, SQUARE_METRE, Unit, in_every_unit

_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?(?:k|m|bn)(?![a-z])|\d[\d,]*(?:\.\d+)?|[a-z]+")
WORD = re.compile(r"[a-z0-9]+")
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")  # a whole text in digits
_UNITS = {
    word: n
    for n, word in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
    )
}  # fmt: skip
_TENS = {
    word: 10 * n
    for n, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2
    )
}
_SCALES = {"hundred": 100, "thousand": 1_000, "grand": 1_000, "million": 1_000_000}
# words that stand for a number on their own
_COUNTS = {
    "half": 0.5, "quarter": 0.25, "dozen": 12, "couple": 2, "twice": 2, "pair": 2, "both": 2,
    "fiver": 5, "tenner": 10,
    "daily": 365, "weekly": 52, "monthly": 12, "quarterly": 4,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
_SCALE_SUFFIXES = {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)")
SECONDS_PER_UNIT = {
    "second": 1, "seconds": 1, "sec": 1, "secs": 1,
    "minute": 60, "minutes": 60, "min": 60, "mins": 60,
    "hour": 3_600, "hours": 3_600, "hr": 3_600, "hrs": 3_600,
    "day": 86_400, "days": 86_400, "week": 604_800, "weeks": 604_800,
    "fortnight": 1_209_600, "fortnights": 1_209_600,
}  # fmt: skip
_FILLERS = {"a", "an", "of", "and", "more", "the"}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_NAMES = [name.casefold() for name in calendar.month_name[1:]]  # "august" is month 8
_MONTH = rf"({'|'.join(_MONTHS)})[a-z]*\.?"
# a word that names a day of the week or a month ("Friday", "Jan.")
DATE_WORD = re.compile(rf"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*day|{_MONTH}", re.I)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+(\d{{4}})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(\d{{4}})\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b|\b{_DAY}\s+(?:of\s+)?{_MONTH}")
_LONE_DAY = re.compile(rf"\bthe\s+(\d{{1,2}})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?{_MONTH})")
_MONTH_YEAR = re.compile(rf"\b{_MONTH},?\s+(\d{{4}})\b")
_MONTH_EDGE = re.compile(rf"\b(start|beginning|end)\s+of\s+{_MONTH},?\s+(\d{{4}})\b")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
HH_MM = re.compile(r"(\d{2}:\d{2})((?::\d{2})?)")  # a time of day as a value: HH:MM, seconds
_HOUR = rf"(\d{{1,2}}|{'|'.join(list(_UNITS)[1:13])})"  # 1 to 12, in digits or words
_HOUR_MINUTE = r"(\d{1,2})(?:[:.](\d{2}))?"  # "6", "6:30", "4.15"
_CLOCK = re.compile(rf"\b{_HOUR}(?:[:.](\d{{2}}))?\s*([ap])\.?m\b\.?")  # "7pm", "seven pm"
_CLOCK_RANGE = re.compile(  # "from 2 to 6 pm": the first hour is pm too
    rf"\b{_HOUR_MINUTE}\s*(?:-|–|to|until|till)\s*\d{{1,2}}(?:[:.]\d{{2}})?\s*([ap])\.?m\b"
)
_BARE_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b(?!\s*[ap]\.?m\b)")
_PART_OF_DAY = re.compile(  # "9.20 in the morning" (not "20 in the morning" of it)
    rf"(?<![\d.:])\b{_HOUR}(?:[:.](\d{{2}}))?\s+(?:o'clock\s+)?(in the morning|in the "
    r"afternoon|in the evening|at night|tonight)"
)
_LANGUAGES = {
    "english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "swedish": "sv", "norwegian": "no", "danish": "da",
    "finnish": "fi", "polish": "pl", "czech": "cs", "greek": "el", "turkish": "tr",
    "russian": "ru", "ukrainian": "uk", "arabic": "ar", "hebrew": "he", "hindi": "hi",
    "chinese": "zh", "mandarin": "zh", "japanese": "ja", "korean": "ko", "vietnamese": "vi",
    "thai": "th", "indonesian": "id", "romanian": "ro", "hungarian": "hu", "catalan": "ca",
}  # fmt: skip
_CURRENCY_WORDS = {
    "dollar": "usd", "dollars": "usd", "bucks": "usd", "euro": "eur", "euros": "eur",
    "pound": "gbp", "pounds": "gbp", "sterling": "gbp", "yen": "jpy", "rupee": "inr",
    "rupees": "inr", "franc": "chf", "francs": "chf", "yuan": "cny", "renminbi": "cny",
}  # fmt: skip
_CURRENCY_SIGNS = {"$": "usd", "€": "eur", "£": "gbp", "¥": "jpy", "₹": "inr"}


@dataclass(frozen=True)
class Mentions:
    """A request's text (case-folded), its words, and the values it states."""

    text: str
    words: tuple[str, ...]
    numbers: frozenset[float]
    dates: frozenset[str]  # ISO 8601, 2024-03-08
    month_days: frozenset[str]  # MM-DD of dates given without a year ("June 14": 06-14)
    times: frozenset[str]  # 24-hour HH:MM
    codes: frozenset[str]  # language and currency codes, lower case
    durations: frozenset[tuple[float, int]] = frozenset()  # (number, seconds in its unit)
    quantities: frozenset[tuple[float, Unit]] = frozenset()  # (number, its unit): 11 stone
    lone_days: frozenset[int] = frozenset()  # days of the month named alone ("the 10th")
    rectangles: frozenset[tuple[float, float, float]] = frozenset()  # sides, area in m2
    ages: frozenset[float] = frozenset()  # numbers given only as ages ("our 12-year-old")
    groups: frozenset[tuple[float, float]] = frozenset()  # (2, 3): "my two girls" in a party
    spans: frozenset[tuple[str, int]] = frozenset()  # ("20:00", 240): "from 8pm till midnight"

    def says_words(self, value: str) -> bool:
        """The value's words appear in a row in the request ("full_time", "full-time"), each
        maybe in another form ("audio_guide" for "audio guides")."""
        words = WORD.findall(fold(value))
        if not words:
            return False
        if f" {' '.join(words)} " in f" {' '.join(self.words)} ":
            return True
        return bool(self._word_starts(words, inflected))

    def names_plainly(self, value: str) -> bool:
        """The value's words in a row in the request, each as it is or in the plural ("bird
        guards" names bird_guard; "bike" does not name bikes), with no negation among the
        four words before ("he doesn't do mobiles or email" does not name email)."""
        words = WORD.findall(fold(value))
        return any(
            not negated_at(self.words, start) for start in self._word_starts(words, _same_or_plural)
        )

    def _word_starts(self, words: list[str], alike: Callable[[str, str], bool]) -> list[int]:
        """Where `words` start in a row in the request's, each `alike` the request's."""
        size = len(words)
        return [
            start
            for start in range(len(self.words) - size + 1)
            if words and all(map(alike, words, self.words[start : start + size]))
        ]

    def says_joined(self, value: str) -> bool:
        """The value is two or more words of the request in a row, written without spaces
        ("1Z999AA1" for "1Z 999 AA1")."""
        flat = "".join(WORD.findall(fold(value)))
        words = self.words
        return any(
            "".join(words[start:end]) == flat
            for start in range(len(words))
            for end in range(start + 2, min(start + 9, len(words) + 1))
            if flat.startswith(words[start])
        )

    def _in_a_named_month(self, iso: str) -> bool:
        """A day named alone in a month another date names ("May 8, 2025, back on the
        10th": 2025-05-10)."""
        months = {d[:7] for d in self.dates} | {f"{iso[:4]}-{md[:2]}" for md in self.month_days}
        return int(iso[8:]) in self.lone_days and iso[:7] in months

    def says_number(self, value: float) -> bool:
        """The number, or its size without the sign ("2x^2 - 3x" gives the -3)."""
        return round(abs(float(value)), 6) in self.numbers

    def says_text(self, value: str) -> bool:
        """A date, a time or a code the request states in another form."""
        text = fold(value.strip())
        if ISO_DATE.fullmatch(text) and (
            text[5:] in self.month_days or self._in_a_named_month(text)
        ):
            return True  # "2026-06-14" for "June 14"
        return text in self.dates or text[:5] in self.times or text in self.codes


def _numeral(token: str) -> list[float]:
    """'30k' -> [30, 30000]; '1.2m' -> [1.2, 1200000] (or 1.2 metres); '1,500' -> [1500]."""
    suffix = next((s for s in ("bn", "k", "m") if token.endswith(s)), "")
    try:
        value = float(token[: len(token) - len(suffix)].replace(",", ""))
    except ValueError:
        return []
    return [value, value * _SCALE_SUFFIXES[suffix]] if suffix else [value]


def _word_kind(token: str) -> str:
    if token in _UNITS:
        return "unit"
    if token in _TENS:
        return "ten"
    return "scale" if token in _SCALES else ""


# which kind of number word may follow which inside one number ("forty five", "a hundred
# and two"); "two three" or "two and three" are two numbers
_FOLLOWS = {"unit": {"ten", "scale"}, "ten": {"scale"}, "scale": {"unit", "ten", "scale"}}


def _spoken_numbers(tokens: list[str]) -> list[tuple[int, float]]:
    """(index of the last token, value) of every number in the tokens: digits, number words
    in a row ("one hundred and twenty", "forty five"), and words that stand for one."""
    found: list[tuple[int, float]] = []
    current, total, last, kind = 0.0, 0.0, -1, ""
    for index, token in enumerate([*tokens, ""]):
        if token == "and" and kind == "scale" and last == index - 1:
            continue  # "a hundred and two"
        new = _word_kind(token)
        joined = last == index - 1 or (kind == "scale" and tokens[index - 1] == "and")
        if last >= 0 and not (new and joined and kind in _FOLLOWS.get(new, set())):
            found.append((last, total + current))
            current, total, last, kind = 0.0, 0.0, -1, ""
        if new == "scale" and (last >= 0 or tokens[index - 1 : index] in (["a"], ["an"])):
            current = (current or 1) * _SCALES[token]
            if _SCALES[token] > 100:
                total, current = total + current, 0.0
            last, kind = index, new
        elif new in ("unit", "ten"):
            current += _UNITS.get(token, _TENS.get(token, 0))
            last, kind = index, new
        elif token and token[0].isdigit():
            found += [(index, value) for value in _numeral(token)]
        elif token in _COUNTS:
            found.append((index, _COUNTS[token]))
    return found


_FRACTIONS = {"half": 0.5, "quarter": 0.25}


def _fraction_after(tokens: list[str], index: int) -> tuple[float, int]:
    """(what "and a half" or "and a quarter" right after token `index` adds, the index of
    its last word), or (0, index)."""
    words = tokens[index + 1 : index + 4]
    if words[:2] == ["and", "a"] and len(words) == 3 and words[2] in _FRACTIONS:
        return _FRACTIONS[words[2]], index + 3
    return 0.0, index


def _with_fractions(
    tokens: list[str], numbers: list[tuple[int, float]]
) -> list[tuple[float, float, int]]:
    """(value, the fraction "and a half" after it adds, index of its last word) of each
    number, leaving out the numbers inside such a fraction (the "a half" of "two and a
    half")."""
    found, inside = [], set()
    for index, value in sorted(numbers):
        if index not in inside:
            more, end = _fraction_after(tokens, index)
            inside |= set(range(index + 1, end + 1))
            found.append((value, more, end))
    return found


def _sums(tokens: list[str], numbers: list[tuple[int, float]]) -> set[float]:
    """Numbers added up in words: "six plus four", "those six plus four more friends",
    "eight of us and two more" (10 each); not "two and three apples"."""
    found = set()
    for (i, first), (j, second) in itertools.pairwise(numbers):
        between, after = tokens[i + 1 : j], tokens[j + 1 : j + 2]
        if j - i <= 4 and ("plus" in between or ("and" in between and after == ["more"])):
            found.add(first + second)
    return found


def _fractional(tokens: list[str], numbers: list[tuple[int, float]]) -> set[float]:
    """The numbers an "and a half" or "and a quarter" completes ("nine and a half" is 9.5),
    times the scale word after it ("two and a half thousand" is 2500)."""
    found = set()
    for value, more, end in _with_fractions(tokens, numbers):
        if more:
            after = tokens[end + 1] if end + 1 < len(tokens) else ""
            found.add((value + more) * _SCALES.get(after, 1))
    return found


def _articles(
    tokens: list[str], numbers: list[tuple[int, float]], words: tuple[str, ...]
) -> list[int]:
    """The positions of `words` ("a", "an") that may stand for one: not right after a number
    (the "a" of "half a kilo", "two and a half")."""
    counted_at = {index for index, _ in numbers}
    return [i for i, token in enumerate(tokens) if token in words and i - 1 not in counted_at]


def _durations(tokens: list[str], numbers: list[tuple[int, float]]) -> set[tuple[float, int]]:
    """(number, seconds in its unit) of each number followed by a unit of time (fillers
    between: "a quarter of an hour"), or "a", "an" or "another" before one ("an hour", not
    the one of "half an hour", nor the rate of "twice a day", "£30 a day"); "and a half" or
    "and a quarter" before the unit or after it adds ("two and a half hours", "another hour
    and a quarter")."""
    counted = numbers + [
        (i, 1.0)
        for i in _articles(tokens, numbers, ("a", "an", "another"))
        if tokens[i - 1 : i] not in (["of"], ["times"], ["once"])
    ]
    found = set()
    for value, more, end in _with_fractions(tokens, counted):
        window = range(end + 1, min(end + 5, len(tokens)))
        ahead = [j for j in window if tokens[j] not in _FILLERS]
        rate = tokens[end + 1 : end + 2] in (["a"], ["an"]) and tokens[end] not in _FRACTIONS
        if ahead and tokens[ahead[0]] in SECONDS_PER_UNIT and not rate:
            unit = ahead[0]
            after = 0.0 if more else _fraction_after(tokens, unit)[0]
            found.add((value + more + after, SECONDS_PER_UNIT[tokens[unit]]))
    return found


_TEMPERATURE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)(?:\s*°\s*|\s*degrees\s+|(?=[cf]\b)|\s+(?=celsius|fahrenheit))"
    r"(c|f|celsius|fahrenheit)\b"
)


# "1.2m" is 1.2 million or 1.2 metres: both are read
_METRES_OR_MILLIONS = re.compile(r"\d+(?:\.\d+)?m")


def _quantities(
    text: str, tokens: list[str], numbers: list[tuple[int, float]]
) -> tuple[set[tuple[float, Unit]], set[tuple[float, float, float]]]:
    """(number, unit) of each number a unit of measure follows ("11 stone", "two and a half
    kilos", "half a kilo", "a kilo and a half", "100 sq ft", "1.2m"), sizes with the unit of
    the sizes around them (`_sized`), and two lengths joined by "by" as an area in square
    metres, returned with their sides too (`_rectangles`); temperatures only as "68f", "26
    °c", "20 degrees c" or "50 fahrenheit" (not "f/1.4 f/4", "Plot 5 c")."""
    found = {(float(number), SPOKEN[unit[0]]) for number, unit in _TEMPERATURE.findall(text)}
    found |= {(_numeral(t)[0], SPOKEN["m"]) for t in tokens if _METRES_OR_MILLIONS.fullmatch(t)}
    counted = numbers + [
        (i, 1.0)
        for i in _articles(tokens, numbers, ("a", "an"))
        if i + 1 < len(tokens) and len(tokens[i + 1]) > 1 and tokens[i + 1] in SPOKEN
    ]  # "a kilo"; not "a m"
    read: list[tuple[float, Unit | None, str]] = []  # (number, its unit, the word after both)
    for value, more, number_end in _with_fractions(tokens, counted):
        end = number_end
        while end + 1 < len(tokens) and tokens[end + 1] in ("a", "an", "of"):
            end += 1
        after = [*tokens[end + 1 : end + 3], "", ""]
        pair = SPOKEN_PAIRS.get((after[0], after[1]))
        unit = pair or SPOKEN.get(after[0])
        if end > number_end and len(after[0]) == 1:
            unit = None  # "10 a.m." is no 10 metres; "half a kilo" is half a kilo
        if unit is not None and not more:
            more = _fraction_after(tokens, end + (2 if pair else 1))[0]  # "a kilo and a half"
        word = after[0] if unit is None else [*tokens[end + (3 if pair else 2) :], ""][0]
        read.append(
            (value + more, None if unit is None or unit.kind == "temperature" else unit, word)
        )
    units = _sized(read)
    found |= {(value, unit) for (value, _, _), unit in zip(read, units, strict=True) if unit}
    rectangles = _rectangles(read, units)
    return found | {(area, SQUARE_METRE) for _, _, area in rectangles}, rectangles


_DIMENSIONS = frozenset({"wide", "high", "long", "deep", "tall", "thick", "across"})


def _sized(read: list[tuple[float, Unit | None, str]]) -> list[Unit | None]:
    """The unit of each number read: its own, or for a bare size the unit of the sizes
    around it: one a dimension word follows takes the last length unit before it ("120
    centimetres wide by ninety high": 90 cm), one "by" follows the length unit of the number
    after it ("30 by 40 cm"); not when the two sizes would differ more than tenfold ("1.8
    metres long, 600 deep" is no 600 metres)."""
    units: list[Unit | None] = []
    last = None
    for index, (value, unit, word) in enumerate(read):
        if unit is None and word in _DIMENSIONS and last is not None:
            unit = last[1] if _comparable(value, last[0]) else None
        elif unit is None and word == "by" and index + 1 < len(read):
            of, following, _ = read[index + 1]
            length = following is not None and following.kind == "length"
            unit = following if length and _comparable(value, of) else None
        units.append(unit)
        if unit is not None and unit.kind == "length":
            last = (value, unit)
    return units


_CLOCK_WORDS = frozenset({"o", "am", "pm", "a", "p"})  # "by 6 o'clock", "by 6 pm"


def _rectangles(
    read: list[tuple[float, Unit | None, str]], units: list[Unit | None]
) -> set[tuple[float, float, float]]:
    """(side, side, area in square metres) of two lengths joined by "by", the second bare
    taking the first's unit ("roughly 9 metres by 6": 9, 6 and 54); not a time ("9 metres,
    by 6 o'clock")."""
    found = set()
    for index in range(len(read) - 1):
        (side, _, word), (other, _, after) = read[index], read[index + 1]
        unit, other_unit = units[index], units[index + 1]
        if word != "by" or unit is None or unit.kind != "length" or after in _CLOCK_WORDS:
            continue
        if other_unit is None and _comparable(side, other):
            other_unit = unit
        if other_unit is not None and other_unit.kind == "length":
            area = side * unit.scale * other * other_unit.scale
            found.add((side, other, float(f"{area:.6g}")))
    return found


def _comparable(size: float, other: float) -> bool:
    """Two sizes of one thing in one unit: neither more than ten times the other."""
    return size > 0 and other > 0 and max(size, other) <= 10 * min(size, other)


def _in_every_unit(durations: set[tuple[float, int]]) -> set[float]:
    """Each duration in seconds, minutes, hours, days and weeks ("a fortnight" is 2)."""
    seconds = {value * unit for value, unit in durations}
    return {s / per for s in seconds for per in (1, 60, 3_600, 86_400, 604_800)}


def _dates(text: str) -> set[str]:
    """Dates written with the month's name ("March 8, 2024", "8th of March 2024"), a
    month's first or last day ("the end of January 2026" -> 2026-01-31) and both ends of a
    month named with its year and no day ("July 2025"), in ISO form."""
    found = set()
    edges = _MONTH_EDGE.findall(text)
    for edge, month, year in edges:
        last = calendar.monthrange(int(year), _MONTHS.index(month) + 1)[1]
        found.add((year, month, str(last if edge == "end" else 1)))
    days = [*_MONTH_DAY_YEAR.finditer(text), *_DAY_MONTH_YEAR.finditer(text)]
    months = set(_MONTH_YEAR.findall(_blanked(text, days)))  # not "September 2026" of a day's
    for month, year in months - {(m, y) for _, m, y in edges}:
        last = calendar.monthrange(int(year), _MONTHS.index(month) + 1)[1]
        found |= {(year, month, "1"), (year, month, str(last))}  # "in July 2025"
    iso = {day.isoformat() for _, day in _written_dates(text)}
    for year, month, day in found:
        try:
            iso.add(dt.date(int(year), _MONTHS.index(month) + 1, int(day)).isoformat())
        except ValueError:
            continue
    return iso


_LATER = re.compile(
    r"\b(a|an|one|two|three|four|five|six|\d+) (days?|weeks?|fortnights?) "
    r"(?:later|after(?:wards)?|on)\b|\bthe (?:next|following) (day|week)\b"
    r"|\bthe (day|week) after\b(?! (?:tomorrow|next))"
)
_LATER_DAYS = {"day": 1, "week": 7, "fortnight": 14}
_DAY_NAMES = "|".join(name.casefold() for name in calendar.day_name)
# "the Monday after (that)", "the following Saturday": that weekday after the date before
_WEEKDAY_AFTER = re.compile(
    rf"\bthe ({_DAY_NAMES}) (?:after|following)\b(?: that\b)?|\bthe following ({_DAY_NAMES})\b"
)


def _dates_after(text: str) -> set[str]:
    """Dates the text gives as a time after the date written before them ("Saturday 10
    July 2027 ... a fortnight later": 2027-07-24; "the day after", "two weeks later", "the
    Monday after that")."""
    return {day.isoformat() for day, _ in _counted_dates(text)}


def without_dates_after(text: str) -> str:
    """The (folded) text without the phrases `_dates_after` reads as dates."""
    for _, found in sorted(_counted_dates(text), key=lambda pair: -pair[1].start()):
        text = f"{text[: found.start()]} {text[found.end() :]}"
    return text


def _counted_dates(text: str) -> list[tuple[dt.date, re.Match[str]]]:
    """Each date counted from the date written before it, with the phrase that counts it."""
    written = _written_dates(text)
    dates = []
    for later in _LATER.finditer(text):
        before = [day for start, day in written if start < later.start()]
        count, unit, next_unit, after_unit = later.groups()
        unit = (unit or next_unit or after_unit).removesuffix("s")
        number = _spoken_count(count or "a")
        if before and number is not None:
            dates.append((before[-1] + dt.timedelta(days=number * _LATER_DAYS[unit]), later))
    for named in _WEEKDAY_AFTER.finditer(text):
        before = [day for start, day in written if start < named.start()]
        if before:
            weekday = _WEEKDAYS.index(named.group(1) or named.group(2))
            days = (weekday - before[-1].weekday()) % 7 or 7
            dates.append((before[-1] + dt.timedelta(days=days), named))
    return dates


def _spoken_count(word: str) -> int | None:
    """How many a word before a unit counts: "3", "three", "a" or "an" (one)."""
    if word.isdigit():
        return int(word)
    return 1 if word in ("a", "an") else _UNITS.get(word)


def _written_dates(text: str) -> list[tuple[int, dt.date]]:
    """(where, date) of each date written with its month's name and year, in order."""
    found = [(match.start(), *match.groups()) for match in _DAY_MONTH_YEAR.finditer(text)] + [
        (match.start(), match[2], match[1], match[3]) for match in _MONTH_DAY_YEAR.finditer(text)
    ]
    dates = []
    for start, day, month, year in sorted(found):
        with contextlib.suppress(ValueError):
            dates.append((start, dt.date(int(year), _MONTHS.index(month) + 1, int(day))))
    return dates


SLASH_DATE = re.compile(r"\b(\d{1,2})([/.])(\d{1,2})\2(\d{4})\b")  # 11/02/2014, 3.4.2025


def day_first(text: str) -> bool | None:
    """Whether the text writes its numeric dates day first (30/06/2017), month first
    (06/30/2017), or None when none of them tells (11/02/2014)."""
    orders = set()
    for first, _, second, _ in SLASH_DATE.findall(text):
        if int(first) > 12 >= int(second):
            orders.add(True)
        elif int(second) > 12 >= int(first):
            orders.add(False)
    return orders.pop() if len(orders) == 1 else None


def numeric_date(found: re.Match[str], first_is_day: bool) -> str | None:
    """The ISO date of a `SLASH_DATE` match read day first or month first; None when that is
    no date."""
    first, _, second, year = found.groups()
    day, month = (first, second) if first_is_day else (second, first)
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _numeric_dates(text: str) -> set[str]:
    """ISO dates written in numbers: in the order the text's other dates show, else every
    reading that is a date."""
    order = day_first(text)
    orders = (True, False) if order is None else (order,)
    return {
        iso
        for found in SLASH_DATE.finditer(text)
        for first_is_day in orders
        if (iso := numeric_date(found, first_is_day))
    }


def _month_days(text: str) -> set[str]:
    """MM-DD of every month and day the text names, with or without a year."""
    found = set()
    for month_a, day_a, day_b, month_b in _MONTH_DAY.findall(text):
        month, day = (month_a, day_a) if month_a else (month_b, day_b)
        if 1 <= int(day) <= 31:
            found.add(f"{_MONTHS.index(month) + 1:02d}-{int(day):02d}")
    return found


# a UK postcode, its two halves in groups ("HX7 8AD")
POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b")
NEGATIONS = frozenset({"not", "no", "t", "never", "without", "nor"})  # "t" of "don't"
NEGATION_WINDOW = 4  # words before a value that may negate it


def negated_at(words: Sequence[str], start: int, allowed: Set[str] = frozenset()) -> bool:
    """A negation other than the `allowed` words among the `NEGATION_WINDOW` words before
    `words[start]` ("he doesn't do mobiles or email" negates email)."""
    return bool((NEGATIONS & set(words[max(0, start - NEGATION_WINDOW) : start])) - allowed)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    """The text's sentences (split after ".", "!" or "?" and a space)."""
    return _SENTENCE_END.split(text)


def _same_or_plural(word: str, written: str) -> bool:
    """`written` is `word` or its plural, regular or of a word ending in -f, -fe or -y
    ("loaves", "knives", "batteries")."""
    stem = word[:-2] if word.endswith("fe") else word[:-1]
    irregular = f"{stem}ves" if word.endswith(("f", "fe")) else f"{stem}ies"
    return written in (word, f"{word}s", f"{word}es") or (
        word.endswith(("f", "fe", "y")) and written == irregular
    )


def inflected(a: str, b: str) -> bool:
    """The same word, or one of 3+ letters with up to two more ("guide", "guides")."""
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 3 and long.startswith(short) and len(long) - len(short) <= 2)


def year_month(text: str) -> str | None:
    """A month written with its year ("February 2028", "feb, 2028") or a day of it in ISO
    form ("2028-02-01"), as YYYY-MM ("2028-02"); None for any other text."""
    text = fold(text.strip())
    if ISO_DATE.fullmatch(text):
        return text[:7]
    found = _MONTH_YEAR.fullmatch(text)
    return f"{found.group(2)}-{_MONTHS.index(found.group(1)) + 1:02d}" if found else None


def fold(text: str) -> str:
    """Case-folded, accents dropped ("Zürich" -> "zurich")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # an e-mail address


def clock_time(hour: str, minute: str = "", half: str = "") -> str | None:
    """HH:MM of an hour and minute on the 24-hour clock, or on the 12-hour one with `half`
    "a" or "p" (am, pm); None when that is no time of day."""
    h, m = int(hour), int(minute or 0)
    if half:
        h = h % 12 + (12 if half.lower() == "p" else 0)
    return f"{h:02d}:{m:02d}" if h < 24 and m < 60 else None


_PART_OF_DAY_AFTER = (
    r"\b(?:\s+(in the morning|this morning|am|in the afternoon|this afternoon|in the evening"
    r"|this evening|tonight|at night|pm)\b)?"
)
# "at 4", "by ten", "4 o'clock", "between 10 and 2": times on either half of the day unless
# a part of the day follows; another word after the hour ("at 4 stars", "at 10 Downing
# Street") makes it none
_BY = r"at|by|before|after|until|till"  # words before a time; "from", "between" start ranges
_AT = rf"(?:{_BY}|from|between)\s+"
_NO_MINUTES = r"(?![:.]\d)(?:\s+o'clock)?"
_AFTER_HOUR = (
    _PART_OF_DAY_AFTER
    + r"(?=\s*$|\s*[,.;:!?)]|\s+(?:and|on|for|tomorrow|today|tonight|sharp|then|please|if|or|"
    r"so|till|until|instead|each|every|with|to|latest|at|next|same)\b)"
)
_AT_HOUR = re.compile(rf"\b{_AT}{_HOUR}{_NO_MINUTES}" + _AFTER_HOUR)  # "4 o'clock": _O_CLOCK
# "at 5.40", "at 4:30": either half of the day, unless over 12 or a part of the day follows
_AT_CLOCK = re.compile(  # not the start of a range ("between 6:30 and 8 in the morning")
    rf"\b(?:{_BY})\s+(\d{{1,2}})[.:](\d{{2}})(?![\d%]|[.:]\d)" + _PART_OF_DAY_AFTER
)
_HOUR_RANGE = re.compile(
    rf"\b(?:between|from)\s+{_HOUR}{_NO_MINUTES}\s*(?:and|to|till|until|-|–)\s*{_HOUR}"
    + _NO_MINUTES
    + _AFTER_HOUR
)
_HOUR_TILL = re.compile(  # "seven till eight": no "from", but "till" makes both ends hours
    rf"\b{_HOUR}{_NO_MINUTES}\s+(?:till|until)\s+{_HOUR}" + _NO_MINUTES + _AFTER_HOUR
)
_HOUR_ISH = re.compile(rf"\b{_HOUR}\s*-?ish\b" + _PART_OF_DAY_AFTER)  # "11ish", "sevenish"
_O_CLOCK = re.compile(rf"\b{_HOUR}\s+o['’]\s?clock\b" + _PART_OF_DAY_AFTER)  # "the 11 o'clock"
# "the 10.30 train": a time that names a departure, on either half of the day
_DEPARTURE = re.compile(
    r"\bthe\s+(\d{1,2})[.:](\d{2})\s+(?:train|bus|coach|ferry|flight|boat|sailing|tram"
    r"|service|showing|performance|departure)\b"
)
_PAST_TO = re.compile(
    rf"\b(quarter|half|\d{{1,2}}|five|ten|twenty|twenty-five)\s+(?:minutes\s+)?(past|to)\s+{_HOUR}"
    + _PART_OF_DAY_AFTER
)
_HALF_HOUR = re.compile(  # British "half 5": half past five
    rf"\b(half)\s+(){_HOUR}(?!\s*(?:[:.]\d|%|past\b|to\b))" + _PART_OF_DAY_AFTER
)
_OFFSETS = {"quarter": 15, "half": 30, "five": 5, "ten": 10, "twenty": 20, "twenty-five": 25}


def _halves(part: str) -> str:
    """The halves of the day ("a", "p") a part of the day names; both for none."""
    return "a" if "morning" in part or part == "am" else "p" if part else "ap"


def _past_to(text: str) -> tuple[set[str], str]:
    """ "quarter to six this evening" (17:45), "half past 7" and "half 7" (07:30 and 19:30);
    and the text with those phrases blanked, so "5 in the afternoon" of "half 5 in the
    afternoon" is not read again as 17:00."""
    found, read = set(), []
    for phrase in [*_PAST_TO.finditer(text), *_HALF_HOUR.finditer(text)]:
        offset, way, hour, part = phrase.groups(default="")
        way = way or "past"
        if offset.isdigit() and way == "to" and "minutes" not in phrase.group(0):
            continue  # "8 to 11 am" is a range, not 10:52
        minutes = _OFFSETS.get(offset) or int(offset)
        h = _hour_number(hour)
        h, m = (h, minutes) if way == "past" else (h - 1, 60 - minutes)
        found |= {t for half in _halves(part) if (t := clock_time(str(h % 12 or 12), str(m), half))}
        read.append(phrase)
    return found, _blanked(text, read)


# "that evening at quarter past eight", "Friday morning at half six": a part of the day
# said just before a time that names no half of the day itself
_PART_BEFORE = re.compile(r"\b(morning|afternoon|evening|night)\s*,?\s+(?:at|around|about|by)\s+")
_OFFSET = "|".join(sorted(_OFFSETS, key=len, reverse=True))  # "twenty-five" before "twenty"
_TIME_PHRASE = re.compile(
    rf"(?:(?:{_OFFSET}|\d{{1,2}})\s+(?:minutes\s+)?(?:past|to)\s+{_HOUR}"
    rf"|half\s+{_HOUR}|{_HOUR}(?:[:.]\d{{2}})?(?:\s+o'clock)?)\b"
    r"(?![:.]\d|\s*(?:[ap]\.?m\b|in\s+the\b|at\s+night\b|tonight\b|this\b))"
)
_PART_AFTER = {
    "morning": " in the morning",
    "afternoon": " in the afternoon",
    "evening": " in the evening",
    "night": " at night",
}


def _part_of_day_after(text: str) -> str:
    """The text with a part of the day said before a time repeated after it, where the
    time readers look for it ("that evening at quarter past eight" -> "... at quarter past
    eight in the evening", read 20:15 only)."""
    pieces, start = [], 0
    for before in _PART_BEFORE.finditer(text):
        time = _TIME_PHRASE.match(text, before.end())
        if time is not None and before.start() >= start:
            pieces += [text[start : time.end()], _PART_AFTER[before.group(1)]]
            start = time.end()
    return "".join(pieces) + text[start:]


def _times(text: str) -> set[str]:
    """Times of day in 24-hour HH:MM: "3pm", "seven pm", "4.15pm", "6:30", "8 in the
    morning", "quarter to six", both ends of "2 to 6 pm", "at 4", "11ish", "the 11 o'clock",
    "between 10 and 2", "seven till eight" and "the 10.30 train" (on both halves of the
    day), noon, midnight; a part of the day said before a time holds for it
    (`_part_of_day_after`)."""
    text = _part_of_day_after(text)
    found = {"12:00"} if re.search(r"\b(noon|midday)\b", text) else set()
    found |= {"00:00"} if "midnight" in text else set()
    spoken, text = _past_to(text)
    readings = [*_CLOCK.findall(text), *((h, m, "") for h, m in _BARE_CLOCK.findall(text))]
    readings += _CLOCK_RANGE.findall(text)
    readings += [
        (h, m, half) for h, m, part in _PART_OF_DAY.findall(text) for half in _halves(part)
    ]
    ranges = [*_HOUR_RANGE.finditer(text), *_HOUR_TILL.finditer(text)]
    hours = [(h, part) for found in ranges for *both, part in [found.groups("")] for h in both]
    alone = _blanked(text, [*ranges, *_CLOCK_RANGE.finditer(text)])
    for pattern in (_AT_HOUR, _HOUR_ISH, _O_CLOCK):
        hours += pattern.findall(alone)
    readings += [(hour, "", half) for hour, part in hours for half in _halves(part)]
    clocks = [*_AT_CLOCK.findall(text), *((h, m, "") for h, m in _DEPARTURE.findall(text))]
    readings += [
        (h, m, half if 0 < int(h) <= 12 and (part or h[0] != "0") else "")
        for h, m, part in clocks
        for half in _halves(part)
    ]  # "at 06:45": the 24-hour clock's leading zero, one reading
    return found | spoken | {t for h, m, half in readings if (t := _clock(h, m, half))}


# "from 8pm till midnight", "from half seven until eleven", "from seven till one in the
# morning": a time span with its two ends (each keeps the part of the day said after it);
# an end is read as a time only when one of them is marked as one ("from 10 to 12 people")
_SPAN_PART_OF_DAY = r"(?:\s+(?:in\s+the\s+(?:morning|afternoon|evening)|at\s+night|tonight))?"
_SPAN = re.compile(
    rf"\bfrom\s+(\S.{{0,15}}?{_SPAN_PART_OF_DAY})\s*(?:till|until|to|-|–)"
    rf"\s*(\S.{{0,15}}?{_SPAN_PART_OF_DAY})"
    r"(?=\s*(?:[,;!?)]|[.:](?!\d)|$)|\s+(?:on|for|at|with|and|please|then|in|so|each|every)\b)"
)
_MARKED_TIME = re.compile(
    r"\d[:.]\d{2}|\d\s*[ap]\.?m\b|\b(?:[ap]\.?m|noon|midday|midnight|half|quarter|o'clock"
    r"|morning|afternoon|evening|night|tonight)\b"
)
_NOON_END = re.compile(r"(?:12|twelve)\s+in\s+the\s+morning")  # "from 10 to 12 in the morning"
_MINUTES_PER_DAY = 24 * 60


def _spans(text: str) -> set[tuple[str, int]]:
    """(start HH:MM, minutes) of each time span the request gives ("from 8pm till
    midnight": 20:00, 240), its ends read on whichever halves of the day make it shortest
    ("from half seven till eleven": 07:30 or 19:30, 210); none longer than 12 hours."""
    found: set[tuple[str, int]] = set()
    for start, end in _SPAN.findall(text):
        if not _MARKED_TIME.search(f"{start} {end}"):
            continue
        pairs = [
            (begin, (minutes_of(finish) - minutes_of(begin)) % _MINUTES_PER_DAY)
            for begin in _times(f"at {start}")
            for finish in ({"12:00"} if _NOON_END.fullmatch(end) else _times(f"at {end}"))
        ]
        pairs = [(begin, length) for begin, length in pairs if 0 < length <= 12 * 60]
        if pairs:
            shortest = min(length for _, length in pairs)
            found |= {(begin, length) for begin, length in pairs if length == shortest}
    return found


def minutes_of(time: str) -> int:
    """Minutes since midnight of an HH:MM time."""
    return int(time[:2]) * 60 + int(time[3:5])


def _blanked(text: str, found: list[re.Match[str]]) -> str:
    """The text with the matched phrases blanked (spaces), so no other pattern reads them."""
    for phrase in found:
        start, end = phrase.span()
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _hour_number(hour: str) -> int:
    """An hour written in digits or words ("seven") as its number."""
    return int(hour) if hour.isdigit() else _UNITS[hour]


def _clock(hour: str, minute: str, half: str) -> str | None:
    """`clock_time` of an hour in digits or words ("seven")."""
    return clock_time(str(_hour_number(hour)), minute, half)


def _codes(text: str, words: list[str]) -> set[str]:
    codes = {_LANGUAGES[w] for w in words if w in _LANGUAGES}
    codes |= {_CURRENCY_WORDS[w] for w in words if w in _CURRENCY_WORDS}
    return codes | {code for sign, code in _CURRENCY_SIGNS.items() if sign in text}


# Today's date for the request being checked (set by the function caller that told the model
# the date); None: relative dates ("tomorrow") name no date.
REFERENCE_DATE: ContextVar[dt.date | None] = ContextVar("REFERENCE_DATE", default=None)
_WEEKDAYS = [name.casefold() for name in calendar.day_name]  # "monday" is weekday 0
_DAY_OFFSETS = [
    (re.compile(rf"\b{phrase}\b"), offset)
    for phrase, offset in {
        "the day after tomorrow": 2, "the day before yesterday": -2, "tomorrow": 1,
        "yesterday": -1, "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0,
        "this evening": 0,
    }.items()
]  # fmt: skip
_IN_DAYS = re.compile(r"\bin (\d+|[a-z]+) (days?|weeks?)\b")
_WEEKDAY = re.compile(rf"\b(?:(last|next|this|coming) )?({'|'.join(_WEEKDAYS)})\b")


def _weekday_dates(text: str, today: dt.date) -> set[dt.date]:
    """ "Friday" and "this Friday": the coming one (today when it is Friday, a week on too);
    "next Friday": the coming one or the one a week later (people mean either); "last
    Friday": the one before today."""
    found = set()
    for word, name in _WEEKDAY.findall(text):
        ahead = (_WEEKDAYS.index(name) - today.weekday()) % 7
        if word == "last":
            found.add(today - dt.timedelta(days=(7 - ahead) % 7 or 7))
            continue
        coming = today + dt.timedelta(days=ahead)
        found |= (
            {coming, coming + dt.timedelta(days=7)} if ahead == 0 or word == "next" else {coming}
        )
    return found


def _relative_dates(text: str, today: dt.date | None) -> set[str]:
    """ISO dates the text names relative to `today`: today, tonight, tomorrow, yesterday,
    the day after tomorrow, a weekday (`_weekday_dates`), "in 3 days", "in a week"."""
    if today is None:
        return set()
    found = set()
    rest = text
    for phrase, offset in _DAY_OFFSETS:  # longest phrases first
        if phrase.search(rest):
            found.add(today + dt.timedelta(days=offset))
            rest = phrase.sub(" ", rest)
    for count, unit in _IN_DAYS.findall(text):
        number = _spoken_count(count)
        if number is not None:
            found.add(today + dt.timedelta(days=number * (7 if unit.startswith("week") else 1)))
    found |= _weekday_dates(text, today)
    return {day.isoformat() for day in found}


def mentions(request: str) -> Mentions:
    """What `request` states (see the module docstring), on `REFERENCE_DATE`'s day."""
    return _mentions(request, REFERENCE_DATE.get())


@lru_cache(maxsize=256)
def _mentions(request: str, today: dt.date | None) -> Mentions:
    text = fold(request)
    tokens = _TOKEN.findall(text)
    numbers = _spoken_numbers(tokens)
    durations = _durations(tokens, numbers)
    quantities, rectangles = _quantities(text, tokens, numbers)
    values = {value for _, value in numbers} | _in_every_unit(durations)
    values |= {v for number, unit in quantities for v in in_every_unit(number, unit)}
    values |= _fractional(tokens, numbers) | _sums(tokens, numbers)
    values |= {float(n) / 100 for n in _PERCENT.findall(text)}  # 25% is 0.25
    values |= {float(_MONTH_NAMES.index(t) + 1) for t in tokens if t in _MONTH_NAMES}
    listed = parties(tokens, dict(numbers))
    values |= party_sizes(listed)  # "me and my husband" is 2
    at_ages = age_positions(tokens, dict(numbers))
    ages = {v for i, v in numbers if i in at_ages} - {v for i, v in numbers if i not in at_ages}
    return Mentions(
        text=text,
        words=tuple(WORD.findall(text)),
        numbers=frozenset(round(v, 6) for v in values),
        dates=frozenset(
            _dates(text) | _numeric_dates(text) | _relative_dates(text, today) | _dates_after(text)
        ),
        month_days=frozenset(_month_days(text)),
        lone_days=frozenset(int(m.group(1)) for m in _LONE_DAY.finditer(text)),
        times=frozenset(_times(text)),
        codes=frozenset(_codes(text, WORD.findall(text))),
        durations=frozenset(durations),
        quantities=frozenset(quantities),
        rectangles=frozenset(rectangles),
        ages=frozenset(ages),
        spans=frozenset(_spans(text)),
        groups=frozenset(party_groups(listed)),
    )
