"""A call for each item of a list the request gives (`planners.enumerations`), and the
caller adding them after the model wrote the first only. No LLM (scripted answers)."""

from __future__ import annotations

import json

import pytest

from function_call_helpers import function
from toolpath.planners.call_reading import needs_items
from toolpath.planners.enumerations import (
    calls_for_listed_items,
    calls_for_needs,
    listed_with,
    numbers_listed_with,
)
from toolpath.planners.function_calls import FunctionCaller
from toolpath.planners.llm import ScriptedChatModel
from toolpath.tools.catalogs.openai_functions import function_specs

STATUS = {
    "name": "flight_status",
    "description": "Live status of a flight.",
    "parameters": {
        "type": "object",
        "properties": {
            "flight_number": {"type": "string", "description": "Code and number without spaces"}
        },
        "required": ["flight_number"],
    },
}


@pytest.mark.parametrize(
    ("value", "request_text", "items"),
    [
        ("Luigi's", "what desserts do Luigi's and Sakura House have?", ["Sakura House"]),
        ("BA283", "Are BA 283 and AA 100 on time?", ["AA 100"]),
        ("Paris", "Weather in Paris, Rome and Berlin tomorrow", ["Rome", "Berlin"]),
        ("Paris", "Weather in Paris tomorrow, and a taxi", []),
        ("groceries", "groceries and Rome", []),  # not a name or a code
        ("api-7f9c-x2", "logs of pods api-7f9c-x2 and api-7f9c-k8", ["api-7f9c-k8"]),
        ("Wedding", "Tick it off on my Wedding list, and add a note", []),
        ("Priya", "a blow-dry with Priya, Friday 9 Jan 2026 at 10:30", []),  # a date
        ("220045781", "Card 220045781, I'll pick them up at Riverside", []),  # the speaker
        ("Alan Price", "Alan Price, DOB 14 August 1979. And", []),  # a date in it
        ("Gareth Lewis", "I'm Gareth Lewis, DOB 14/05/1978, she's Cerys", []),  # before one
        # an item unlike the first (a digit in one only) ends the list
        ("Tom Hughes", "permit - Tom Hughes, 22 Cedar Road, BN2 3FD, zone K", []),
        ("Gareth Pugh", "fix bikes. Gareth Pugh, 07700 900783", []),
        ("EH6 8QP", "no error code showing. EH6 8QP, 07700 900188. Could", []),
        ("Ruby Cole", "Ruby Cole, Ivy Cole, 12 Oak Lane", ["Ivy Cole"]),
    ],
)
def test_the_other_items_of_a_list(value: str, request_text: str, items: list[str]) -> None:
    assert listed_with(value, request_text) == items


@pytest.mark.parametrize(
    ("value", "request_text", "items"),
    [
        (1.4, "depth of field for a 50mm at f/1.4, f/4 and f/8", [4, 8]),
        (10, "savings after 10, 20 or 30 years", [20, 30]),
        (6, "between 6:30 and 8 in the morning", []),  # a time, then a number
        (10, "a 10km and 20mi ride", []),  # not listed alike
        (100, "Convert 100 USD to EUR and 100 USD to JPY", []),
    ],
)
def test_the_other_numbers_of_a_list(value: float, request_text: str, items: list) -> None:
    assert numbers_listed_with(value, request_text) == items


def test_listed_numbers_get_a_call_each_unless_pairs_or_in_use() -> None:
    """f/4 and f/8 get calls like f/1.4's; "47.37, 8.54 and 46.95, 7.45" lists coordinate
    pairs (8.54 is the call's own longitude); "30 by 12 and 25.5 by 8" lists no 12-and-25.5
    when another call already holds 25.5."""
    notes: list[str] = []
    dof = {"name": "dof", "arguments": {"focal_mm": 50, "aperture": 1.4}}
    calls = calls_for_listed_items([dof], "a 50mm at f/1.4, f/4 and f/8", notes)
    assert [c["arguments"]["aperture"] for c in calls] == [1.4, 4, 8]
    assert isinstance(calls[1]["arguments"]["aperture"], float)
    spot = {"name": "airspace", "arguments": {"lat": 47.37, "lon": 8.54}}
    assert calls_for_listed_items([spot], "at 47.37, 8.54 and 46.95, 7.45", notes) == [spot]
    first = {"name": "area", "arguments": {"width": 30, "height": 12}}
    second = {"name": "area", "arguments": {"width": 25.5, "height": 8}}
    said = "two plots, 30 by 12 and 25.5 by 8"
    assert calls_for_listed_items([first, second], said, notes) == [first, second]


def test_an_item_in_use_or_holding_another_value_gets_no_call() -> None:
    """ "100 USD to EUR and 100 USD to JPY": "100 USD" holds the call's other values (the
    start of another request); an item another call already has gets no second call."""
    convert = {"name": "convert", "arguments": {"amount": 100, "base": "USD", "quote": "EUR"}}
    notes: list[str] = []
    said = "Convert 100 USD to EUR and 100 USD to JPY"
    assert calls_for_listed_items([convert], said, notes) == [convert] and not notes
    first = {"name": "weather", "arguments": {"city": "Paris"}}
    second = {"name": "weather", "arguments": {"city": "Rome"}}
    calls = calls_for_listed_items([first, second], "Paris and Rome, please", notes)
    assert calls == [first, second]
    reads = {"name": "plot", "arguments": {"points": ["<node-0>"], "title": "Paris"}}
    assert calls_for_listed_items([first, reads], "Paris and Rome", notes) == [first, reads]


@pytest.mark.parametrize(
    ("arguments", "request_text"),
    [
        ({"venue": "The Crown on Mill Road", "languages": ["fr", "es"]},
         "at The Crown on Mill Road, French and Spanish, max 25 people"),
        ({"customer_name": "Tom Reyes", "phone": "+447911123456"}, "Tom Reyes, 07911 123456"),
    ],
)  # fmt: skip
def test_an_item_the_call_holds_in_another_form_gets_no_call(
    arguments: dict, request_text: str
) -> None:
    """French and Spanish are the call's language codes, 07911 123456 its phone number in
    international form: values of this call, not further items of a list."""
    event = {"name": "event_create", "arguments": arguments}
    assert calls_for_listed_items([event], request_text, []) == [event]


def test_the_caller_adds_the_calls_the_model_left_out() -> None:
    """The model answered for BA 283 only: AA 100 gets its call, in the form the parameter
    asks for (no spaces), and a note says so."""
    call = {"name": "flight_status", "arguments": {"flight_number": "BA283"}}
    reply = f"<tool_call>{json.dumps(call)}</tool_call>"
    caller = FunctionCaller(
        ScriptedChatModel([reply]), function_specs([STATUS]), relevance_floor=None
    )
    result = caller.call("Are BA 283 and AA 100 running on time today?")
    numbers = [t.arguments[0].value for t in result.plan.subtasks]
    assert numbers == ["BA283", "AA100"] and any("a call for each" in n for n in result.notes)


SUMMARY = {"name": "summary", "arguments": {"topic": "Treaty of Westphalia", "language": "de"}}


@pytest.mark.parametrize(
    ("needs", "topics"),
    [
        (  # the model listed two, wrote one: the second gets the first's call, its topic
            ["summary of Treaty of Westphalia", "summary of Peace of Augsburg"],
            ["Treaty of Westphalia", "Peace of Augsburg"],
        ),
        (["summary of Treaty of Westphalia", "weather in Rome"], ["Treaty of Westphalia"]),
        (["summary of Treaty of Westphalia", "summary in German"], ["Treaty of Westphalia"]),
        (["CCS", "150 kW or more"], ["Treaty of Westphalia"]),  # values of one call, no frame
        (["Treaty of Westphalia", "Peace of Augsburg"], ["Treaty of Westphalia"]),
        (["summary of Treaty of Westphalia"], ["Treaty of Westphalia"]),
        (
            ["summary of Treaty of Westphalia", "summary of Treaty of Westphalia 1648"],
            ["Treaty of Westphalia"],
        ),
    ],
)
def test_a_need_written_like_another_gets_the_call_the_model_left_out(
    needs: list[str], topics: list[str]
) -> None:
    """Only a need written like another ("summary of ...") that differs from it in a name
    or code ("in German" is no name), where a call holds the other's; needs that share no
    words are values of one call ("CCS; 150 kW or more"), not things to call for."""
    notes: list[str] = []
    calls = calls_for_needs([SUMMARY], needs, notes)
    assert [c["arguments"]["topic"] for c in calls] == topics
    assert all(c["arguments"]["language"] == "de" for c in calls)
    assert bool(notes) is (len(topics) == 2)


def test_the_needs_line_is_read_from_the_answer() -> None:
    raw = 'Needs: summary of X; summary of Y.\n{"name": "summary", "arguments": {}}'
    assert needs_items(raw) == ["summary of X", "summary of Y"]
    assert needs_items('{"name": "summary"}') == []


def test_needs_that_differ_in_no_name_or_that_have_their_calls_add_nothing() -> None:
    """ "weight in kg; weight in pounds" is one conversion, not two; two needs with two
    calls already are answered."""
    convert = {"name": "convert", "arguments": {"value": 68, "from_unit": "kg", "to_unit": "lb"}}
    notes: list[str] = []
    assert calls_for_needs([convert], ["weight in kg", "weight in pounds"], notes) == [convert]
    weather = {"name": "weather", "arguments": {"city": "Rome"}}
    needs = ["summary of Treaty of Westphalia", "summary of Peace of Augsburg"]
    assert calls_for_needs([SUMMARY, weather], needs, notes) == [SUMMARY, weather]
    assert not notes


def test_needs_written_as_arguments_are_values_not_things() -> None:
    """ "date: 2026-12-27; start_time: 14:00" lists one call's values: no call is added."""
    booking = {"name": "book", "arguments": {"date": "2027-01-02", "start_time": "19:00"}}
    needs = ["ice rink session", "date: 2026-12-27", "start_time: 14:00", "date: 2027-01-02"]
    notes: list[str] = []
    assert calls_for_needs([booking], needs, notes) == [booking]
    assert not notes


def test_the_caller_adds_the_call_its_needs_line_listed() -> None:
    summary = function("summary", ["topic"], topic={"type": "string"})
    written = {"name": "summary", "arguments": {"topic": "Treaty of Westphalia"}}
    reply = "Needs: summary of Treaty of Westphalia; summary of Peace of Augsburg\n"
    reply += f"<tool_call>{json.dumps(written)}</tool_call>"
    caller = FunctionCaller(
        ScriptedChatModel([reply]), function_specs([summary]), relevance_floor=None
    )
    result = caller.call("Summaries of the Treaty of Westphalia and of the Peace of Augsburg")
    topics = [t.arguments[0].value for t in result.plan.subtasks]
    assert topics == ["Treaty of Westphalia", "Peace of Augsburg"]
