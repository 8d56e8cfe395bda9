"""A switch the request asks for on one of several calls to a function goes on that call
alone (`flag_placement.switches_where_named`, run by `check_answer`)."""

from __future__ import annotations

import pytest

from function_call_helpers import function
from toolpath.planners.call_checks import check_answer
from toolpath.planners.call_reading import Answer
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
