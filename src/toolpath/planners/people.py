"""How many people a request lists: "me and my husband" is 2, "me, my partner and our two
boys" is 4, "two adults and a girl of nine" is 3. A party's size is a number the request
gives in other words (`mentions`), not one a model made up. And the numbers it gives as
someone's age ("our twelve-year-old", "he's fourteen"), which count no one."""

from __future__ import annotations

from typing import NamedTuple

from toolpath.planners.units import SPOKEN

_SELF = {"me", "i", "myself", "he", "she", "him"}
_OWNERS = {"my", "our", "his", "her", "their", "the"}
_ONE = {"a", "an", "one"}
_JOINS = {"and", "plus"}
_PERSON = {
    "husband", "wife", "partner", "mum", "mom", "mother", "dad", "father", "son", "daughter",
    "boy", "girl", "kid", "child", "friend", "mate", "brother", "sister", "adult", "grandad",
    "grandpa", "grandma", "nan", "gran", "grandson", "granddaughter", "aunt", "uncle",
    "cousin", "nephew", "niece", "colleague", "baby", "toddler", "teenager", "fiance",
    "fiancee", "girlfriend", "boyfriend", "lad", "pal", "parent", "grandparent", "guest",
    "grandchild", "grandkid",
}  # fmt: skip
_PEOPLE = {f"{word}s" for word in _PERSON} | {"children", "grandchildren", "people"}


class _Named(NamedTuple):
    """People named at one place of a request: how many, the token after them, and
    whether a written number says how many ("my two lads")."""

    count: int
    after: int
    numbered: bool


def _person(tokens: list[str], index: int, numbers: dict[int, float]) -> _Named | None:
    """The people named at `index` ("me", "my partner", "our two boys", "my two teenage
    lads": one word may stand between the number and the people, "a girl"); None when none
    are, or a plural gives no number."""
    if index >= len(tokens):
        return None
    if tokens[index] in _SELF:
        return _Named(1, index + 1, False)
    at = index + (tokens[index] in _OWNERS)
    count, said = None, numbers.get(at)
    if said is not None and float(said).is_integer():
        count, at = int(said), at + 1
    elif tokens[at : at + 1] and tokens[at] in _ONE:
        count, at = 1, at + 1
    if count and tokens[at + 1 : at + 2] and tokens[at + 1] in _PEOPLE | _PERSON:
        # a word between: "two teenage lads"; not a number ("2027: 2 adults" is 2)
        at += tokens[at] not in _PEOPLE | _PERSON and at not in numbers
    if at >= len(tokens):
        return None
    if tokens[at] in _PERSON:
        return _Named(count or 1, at + 1, said is not None)
    if tokens[at] in _PEOPLE and count:
        return _Named(count, at + 1, True)
    return None


Party = list[_Named]


def parties(tokens: list[str], numbers: dict[int, float]) -> list[Party]:
    """The runs of two or more people named one after another, joined by "and" or "plus"
    or nothing (a comma, dropped by the tokens). `numbers`: the value of each token that is
    a number, by its index."""
    found: list[Party] = []
    index = 0
    while index < len(tokens):
        first = _person(tokens, index, numbers)
        if first is None:
            index += 1
            continue
        party, index = [first], first.after
        while True:
            at = index + (index < len(tokens) and tokens[index] in _JOINS)
            more = _person(tokens, at, numbers)
            if more is None:
                break
            party, index = [*party, more], more.after
        if len(party) >= 2:
            found.append(party)
    return found


def party_sizes(listed: list[Party]) -> set[float]:
    """The sizes of the parties (`parties`; "me and my husband": 2)."""
    return {float(sum(named.count for named in party)) for party in listed}


def party_groups(listed: list[Party]) -> set[tuple[float, float]]:
    """(how many, the party's size) for each group a written number counts inside a party
    (`parties`; "me and my two girls": (2, 3); not "a girl")."""
    return {
        (float(named.count), float(sum(other.count for other in party)))
        for party in listed
        for named in party
        if named.numbered
    }


_SAID_OF = {"he", "she", "who"}  # "he's fourteen", "who is 6"
_NOT_AGES = {"minutes", "hours", "days", "weeks", "times", "of", "in"}  # "he's 2 hours late"


def age_positions(tokens: list[str], numbers: dict[int, float]) -> set[int]:
    """The indices of the numbers given as someone's age: "twelve-year-old", "7 years old",
    "aged 15", "age 15", "a girl of nine", "he's fourteen", "who is 6", "who's ten months";
    whole numbers only, and not "she's 12 kilos" nor "he's 2 hours late")."""
    return {
        index
        for index, value in numbers.items()
        if float(value).is_integer()
        and _an_age(tokens[max(0, index - 2) : index], [*tokens[index + 1 : index + 3], "", ""])
    }


def _an_age(before: list[str], after: list[str]) -> bool:
    """Whether a number with these words before it (up to two) and after it is an age."""
    if after[0] in ("year", "years") and after[1] == "old":
        return True
    if before[-1:] in (["aged"], ["age"]):
        return True
    if len(before) == 2 and before[1] == "of" and before[0] in _PERSON:
        return True
    said_of = len(before) == 2 and before[0] in _SAID_OF and before[1] in ("s", "is")
    return said_of and after[0] not in _NOT_AGES and after[0] not in SPOKEN
