"""How many people a request lists: "me and my husband" is 2, "me, my partner and our two
boys" is 4, "two adults and a girl of nine" is 3. A party's size is a number the request
gives in other words (`mentions`), not one a model made up."""

from __future__ import annotations

_SELF = {"me", "i", "myself"}
_OWNERS = {"my", "our", "his", "her", "their", "the"}
_ONE = {"a", "an", "one"}
_JOINS = {"and", "plus"}
_PERSON = {
    "husband", "wife", "partner", "mum", "mom", "mother", "dad", "father", "son", "daughter",
    "boy", "girl", "kid", "child", "friend", "mate", "brother", "sister", "adult", "grandad",
    "grandpa", "grandma", "nan", "gran", "grandson", "granddaughter", "aunt", "uncle",
    "cousin", "nephew", "niece", "colleague", "baby", "toddler", "teenager", "fiance",
    "fiancee", "girlfriend", "boyfriend", "lad", "pal", "parent", "grandparent", "guest",
}  # fmt: skip
_PEOPLE = {f"{word}s" for word in _PERSON} | {"children", "people"}


def _person(tokens: list[str], index: int, numbers: dict[int, float]) -> tuple[int, int] | None:
    """(how many, the index after) for the people named at `index` ("me", "my partner",
    "our two boys", "a girl"); None when none are, or a plural gives no number."""
    if index >= len(tokens):
        return None
    if tokens[index] in _SELF:
        return 1, index + 1
    at = index + (tokens[index] in _OWNERS)
    count, said = None, numbers.get(at)
    if said is not None and float(said).is_integer():
        count, at = int(said), at + 1
    elif tokens[at : at + 1] and tokens[at] in _ONE:
        count, at = 1, at + 1
    if at >= len(tokens):
        return None
    if tokens[at] in _PERSON:
        return (count or 1), at + 1
    if tokens[at] in _PEOPLE and count:
        return count, at + 1
    return None


def party_sizes(tokens: list[str], numbers: dict[int, float]) -> set[float]:
    """The sizes of the parties the tokens list: runs of two or more people named one after
    another, joined by "and" or "plus" or nothing (a comma, dropped by the tokens).
    `numbers`: the value of each token that is a number, by its index."""
    sizes: set[float] = set()
    index = 0
    while index < len(tokens):
        first = _person(tokens, index, numbers)
        if first is None:
            index += 1
            continue
        total, named, index = first[0], 1, first[1]
        while True:
            at = index + (index < len(tokens) and tokens[index] in _JOINS)
            more = _person(tokens, at, numbers)
            if more is None:
                break
            total, named, index = total + more[0], named + 1, more[1]
        if named >= 2:
            sizes.add(float(total))
    return sizes
