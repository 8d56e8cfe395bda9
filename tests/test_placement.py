"""A switch or a list item the request asks for on one of several calls to a function goes
on that call alone, and a time copied onto them all to each as the request says it
(`placement`, run by `check_answer`)."""

from __future__ import annotations

import pytest

from function_call_helpers import function
from toolpath.planners.call_checks import check_answer
from toolpath.planners.call_reading import Answer
from toolpath.planners.placement import times_where_named
from toolpath.tools.catalogs.openai_functions import function_specs

LANE = function(
    "bowling_lane_book",
    ["booker", "date", "players"],
    booker={"type": "string"},
    date={"type": "string", "description": "YYYY-MM-DD"},
    players={"type": "integer"},
    bumpers={"type": "boolean", "description": "Gutter bumpers up, for children (default false)"},
    shoes={"type": "boolean", "description": "Shoe hire included (default true)"},
)
SPECS = {spec.name: spec for spec in function_specs([LANE])}
FIRST = {"booker": "Sam Kerr", "date": "2026-01-23", "players": 6}
SECOND = {"booker": "Sam Kerr", "date": "2026-01-24", "players": 4}


def bumpers(request: str, first: dict, second: dict) -> list[bool | None]:
    """Each checked call's bumpers (None: left out)."""
    answer = Answer(
        calls=[
            {"name": "bowling_lane_book", "arguments": {**FIRST, **first}},
            {"name": "bowling_lane_book", "arguments": {**SECOND, **second}},
        ]
    )
    calls = check_answer(answer, SPECS, request).calls
    return [call["arguments"].get("bumpers") for call in calls]


BOTH = {"bumpers": True}


@pytest.mark.parametrize(
    ("request_text", "first", "second", "placed"),
    [
        # named in the second booking's clause: on that call alone
        ("Two lanes for Sam Kerr: six of us on Friday 23 January 2026, and four of us on "
         "Saturday 24 January 2026 with the bumpers up for the kids", BOTH, BOTH, [None, True]),
        # set on the wrong call: moved
        ("Two lanes for Sam Kerr: six of us on Friday 23 January 2026, and four of us on "
         "Saturday 24 January 2026 with the bumpers up for the kids", BOTH, {}, [None, True]),
        # its own clause after the booking's, in the same sentence: that booking's
        ("Two lanes for Sam Kerr: six of us on Friday 23 January 2026, and four on "
         "Saturday 24 January 2026, bumpers up that time", BOTH, BOTH, [None, True]),
        # between two bookings' clauses: as written
        ("Two lanes for Sam Kerr: six of us on Friday 23 January 2026 and, bumpers up, four "
         "of us on Saturday 24 January 2026", BOTH, BOTH, [True, True]),
        # before every booking's clause: as written (it may be for all of them)
        ("Two lanes for Sam Kerr with bumpers: six of us on Friday 23 January 2026, and four "
         "of us on Saturday 24 January 2026", BOTH, BOTH, [True, True]),
        # a word for several calls: as written
        ("Two lanes for Sam Kerr: six of us on Friday 23 January 2026, and four of us on "
         "Saturday 24 January 2026, bumpers up for both", BOTH, BOTH, [True, True]),
        # declined where named: as written (the decline is another check's)
        ("Two lanes for Sam Kerr: six of us on Friday 23 January 2026 with no bumpers, and "
         "four of us on Saturday 24 January 2026", BOTH, BOTH, [True, True]),
        # named in a sentence of its own that gives no booking's values: as written
        ("Two lanes for Sam Kerr: six of us on Friday 23 January 2026, and four of us on "
         "Saturday 24 January 2026. Bumpers for the first one please", BOTH, BOTH,
         [True, True]),
    ],
)  # fmt: skip
def test_a_switch_goes_on_the_call_the_request_names_it_for(
    request_text: str, first: dict, second: dict, placed: list[bool | None]
) -> None:
    assert bumpers(request_text, first, second) == placed


def test_a_switch_on_by_default_is_not_moved() -> None:
    request = (
        "Two lanes for Sam Kerr: six of us on Friday 23 January 2026, and four of us on "
        "Saturday 24 January 2026 with shoes"
    )
    answer = Answer(
        calls=[
            {"name": "bowling_lane_book", "arguments": {**FIRST, "shoes": True}},
            {"name": "bowling_lane_book", "arguments": {**SECOND, "shoes": True}},
        ]
    )
    calls = check_answer(answer, SPECS, request).calls
    assert [call["arguments"].get("shoes") for call in calls] == [True, True]


EXTRAS = function(
    "campsite_extras_order",
    ["pitch_number", "items"],
    pitch_number={"type": "integer"},
    items={
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "item": {"type": "string", "enum": ["firewood_bundle", "gas_bottle", "hamper"]},
                "quantity": {"type": "integer"},
            },
        },
    },
)
EXTRAS_SPECS = {spec.name: spec for spec in function_specs([EXTRAS])}
FIREWOOD, GAS, HAMPER = (
    {"item": "firewood_bundle", "quantity": 2},
    {"item": "gas_bottle", "quantity": 1},
    {"item": "hamper", "quantity": 4},
)


def ordered(request: str, first: list[dict], second: list[dict]) -> list[list[dict]]:
    """Each checked call's items."""
    answer = Answer(
        calls=[
            {"name": "campsite_extras_order", "arguments": {"pitch_number": 7, "items": first}},
            {"name": "campsite_extras_order", "arguments": {"pitch_number": 12, "items": second}},
        ]
    )
    return [
        call["arguments"]["items"] for call in check_answer(answer, EXTRAS_SPECS, request).calls
    ]


ALL = [FIREWOOD, GAS, HAMPER]


@pytest.mark.parametrize(
    ("request_text", "first", "second", "kept"),
    [
        # one order's items copied into the other's: each kept where its clause names it
        ("Pitch 7 wants two bundles of firewood and a gas bottle, and pitch 12 wants four "
         "hampers.", ALL, ALL, [[FIREWOOD, GAS], [HAMPER]]),
        ("Pitch 7 wants two bundles of firewood and a gas bottle, and pitch 12 wants four "
         "hampers.", [FIREWOOD, GAS, HAMPER], [HAMPER], [[FIREWOOD, GAS], [HAMPER]]),
        # an item named for both, or beside a word for several: kept on both
        ("Pitch 7 wants firewood and a gas bottle, and pitch 12 wants hampers and firewood.",
         [FIREWOOD, GAS], [HAMPER, FIREWOOD], [[FIREWOOD, GAS], [HAMPER, FIREWOOD]]),
        ("Firewood for both, please: pitch 7 also wants a gas bottle, and pitch 12 hampers.",
         [FIREWOOD, GAS], [FIREWOOD, HAMPER], [[FIREWOOD, GAS], [FIREWOOD, HAMPER]]),
        # a list that would be left empty: as written
        ("Pitch 7 wants firewood, and pitch 12 too.", [FIREWOOD], [FIREWOOD],
         [[FIREWOOD], [FIREWOOD]]),
    ],
)  # fmt: skip
def test_an_item_copied_into_several_calls_stays_in_the_one_that_names_it(
    request_text: str, first: list[dict], second: list[dict], kept: list[list[dict]]
) -> None:
    assert ordered(request_text, first, second) == kept


def test_an_item_of_numbers_only_is_named_by_its_numbers() -> None:
    fence = function(
        "fence_quote",
        ["postcode", "runs"],
        postcode={"type": "string"},
        runs={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"length_m": {"type": "number"}, "height_ft": {"type": "number"}},
            },
        },
    )
    long, short = {"length_m": 14, "height_ft": 6}, {"length_m": 8, "height_ft": 3}
    answer = Answer(
        calls=[
            {"name": "fence_quote", "arguments": {"postcode": "DE22 1FP", "runs": [long, short]}},
            {"name": "fence_quote", "arguments": {"postcode": "DE22 3HN", "runs": [short]}},
        ]
    )
    request = (
        "At ours, DE22 1FP, fourteen metres of six-foot fence. And my mum at DE22 3HN wants "
        "eight metres of three-foot picket."
    )
    specs = {spec.name: spec for spec in function_specs([fence])}
    calls = check_answer(answer, specs, request).calls
    assert [call["arguments"]["runs"] for call in calls] == [[long], [short]]


VISIT = function(
    "site_visit_book",
    ["postcode", "date"],
    postcode={"type": "string"},
    date={"type": "string", "description": "YYYY-MM-DD"},
    quote_reference={"type": "string"},
)


@pytest.mark.parametrize(
    ("request_text", "quotes"),
    [
        # named in the first visit's clause: on that visit alone
        ("The cricket club at LS29 8TZ on Tuesday 12 October 2027, for quote FW-4471, and the "
         "rugby club at LS21 3JP on Wednesday 13 October 2027.", ["FW-4471", None]),
        # "the same", or one clause with both visits' values: as written
        ("The cricket club at LS29 8TZ on Tuesday 12 October 2027, for quote FW-4471, and the "
         "same for LS21 3JP on Wednesday 13 October 2027.", ["FW-4471", "FW-4471"]),
        ("Quote FW-4471: visits on Tuesday 12 October 2027 and Wednesday 13 October 2027, at "
         "LS29 8TZ and LS21 3JP", ["FW-4471", "FW-4471"]),
        ("The cricket club at LS29 8TZ on Tuesday 12 October 2027, for quote FW-4471. Wednesday "
         "13 October 2027 for the rugby club; LS29 8TZ and LS21 3JP both park on the road.",
         ["FW-4471", "FW-4471"]),
        # a call none of whose own values the request writes: as written
        ("The cricket club at LS29 8TZ on Tuesday 12 October 2027, for quote FW-4471, and the "
         "rugby club too.", ["FW-4471", "FW-4471"]),
    ],
)  # fmt: skip
def test_an_optional_value_copied_onto_several_calls_stays_on_the_one_named(
    request_text: str, quotes: list[str | None]
) -> None:
    answer = Answer(
        calls=[
            {"name": "site_visit_book", "arguments": {
                "postcode": "LS29 8TZ", "date": "2027-10-12", "quote_reference": "FW-4471"}},
            {"name": "site_visit_book", "arguments": {
                "postcode": "LS21 3JP", "date": "2027-10-13", "quote_reference": "FW-4471"}},
        ]
    )  # fmt: skip
    specs = {spec.name: spec for spec in function_specs([VISIT])}
    calls = check_answer(answer, specs, request_text).calls
    assert [call["arguments"].get("quote_reference") for call in calls] == quotes


MEET = function(
    "rescue_meet_book",
    ["animal_reference", "date", "start_time"],
    animal_reference={"type": "string"},
    date={"type": "string", "description": "YYYY-MM-DD"},
    start_time={"type": "string", "description": "HH:MM, 24-hour clock"},
)
MEET_SPECS = {spec.name: spec for spec in function_specs([MEET])}


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        # each cat at the time said after it, on the written time's half of the day
        ("to meet CAT-1187 at 2pm and CAT-1192 at half two on 3 October 2027",
         ["14:00", "14:30"]),
        # the calls in another order than the request's
        ("CAT-1192 at half two, and before that CAT-1187 at 2pm, on 3 October 2027",
         ["14:00", "14:30"]),
        # one time said for both: as written
        ("CAT-1187 and CAT-1192 at 2pm on 3 October 2027", ["14:00", "14:00"]),
        # two times for one cat: which is not known, so as written
        ("CAT-1187 at 2pm or 3pm, and CAT-1192 at half two, on 3 October 2027",
         ["14:00", "14:00"]),
        # a time for one cat only: as written
        ("CAT-1187 at 2pm, and CAT-1192 too, on 3 October 2027", ["14:00", "14:00"]),
    ],
)  # fmt: skip
def test_a_time_copied_onto_each_call_goes_as_said_after_each_calls_own_value(
    request_text: str, expected: list[str]
) -> None:
    written = {"date": "2027-10-03", "start_time": "14:00"}
    answer = Answer(
        calls=[
            {"name": "rescue_meet_book", "arguments": {"animal_reference": ref, **written}}
            for ref in ("CAT-1187", "CAT-1192")
        ]
    )
    calls = check_answer(answer, MEET_SPECS, request_text).calls
    assert [call["arguments"]["start_time"] for call in calls] == expected


def test_calls_with_lists_keep_their_times_apart_too() -> None:
    calls = [
        {"name": "rescue_meet_book", "arguments": {"animal_reference": ref, "start_time": "14:00",
         "visitors": ["Gail", "Sam"]}}
        for ref in ("CAT-1187", "CAT-1192")
    ]  # fmt: skip
    request = "CAT-1187 at 2pm and CAT-1192 at half two, with Gail and Sam"
    placed = times_where_named(calls, request, [])
    assert [call["arguments"]["start_time"] for call in placed] == ["14:00", "14:30"]
