"""Parts of a request no call covers (`planners/coverage.py`), with the real embedding model,
and the caller asking the (scripted) model about them."""

from __future__ import annotations

from function_call_helpers import call, function
from toolpath.planners.call_checks import Checked, without_unasked_calls
from toolpath.planners.coverage import clauses, nearest_functions, uncovered, unused_values
from toolpath.planners.function_calls import FunctionCaller, declined_task
from toolpath.planners.llm import ScriptedChatModel
from toolpath.tools.catalogs.openai_functions import function_specs

TEXT = {"type": "string"}
FUNCTIONS = [
    {
        **function(
            "restaurant_table_book",
            ["customer", "guests"],
            customer=TEXT,
            guests={"type": "integer"},
        ),
        "description": "Book a table at the restaurant for a number of guests.",
    },
    {
        **function("taxi_order", ["pickup", "seats"], pickup=TEXT, seats={"type": "integer"}),
        "description": "Order a taxi to pick someone up at an address.",
    },
    {
        **function("gift_card_buy", ["amount"], amount={"type": "number"}),
        "description": "Buy a restaurant gift card worth an amount of money.",
    },
]
SPECS = function_specs(FUNCTIONS)
REQUEST = (
    "Book a table for four under Ahmed please. And while I'm at it, could you order a taxi "
    "to pick us up from 12 Mill Lane?"
)


def test_a_request_is_cut_into_sentences_and_clauses() -> None:
    assert clauses("Book a table for four. Also a taxi from Mill Lane; and ok") == [
        "Book a table for four.",
        "a taxi from Mill Lane",
    ]


def test_a_clause_nearest_a_function_not_called_is_found() -> None:
    assert uncovered(REQUEST, {"restaurant_table_book"}, SPECS) == [
        (
            "And while I'm at it, could you order a taxi to pick us up from 12 Mill Lane?",
            "taxi_order",
        )
    ]
    assert uncovered(REQUEST, {"restaurant_table_book", "taxi_order"}, SPECS) == []
    one_clause = "Book a table for four under Ahmed please."
    assert uncovered(one_clause, {"taxi_order"}, SPECS) == []


def _caller(replies: list[str]) -> tuple[FunctionCaller, ScriptedChatModel]:
    llm = ScriptedChatModel(replies)
    return FunctionCaller(llm, SPECS, relevance_floor=None), llm


def test_the_model_is_asked_about_a_part_no_call_covers_and_its_call_kept() -> None:
    table = call("restaurant_table_book", customer="Ahmed", guests=4)
    caller, llm = _caller([table, call("taxi_order", pickup="12 Mill Lane", seats=4)])
    result = caller.call(REQUEST)
    assert [t.capability for t in result.plan.subtasks] == ["restaurant_table_book", "taxi_order"]
    asked = llm.calls[1]["messages"][-1]["content"]
    assert "taxi_order" in asked and "12 Mill Lane" in asked


def test_a_call_to_the_part_with_a_made_up_value_or_no_call_is_not_kept() -> None:
    table = call("restaurant_table_book", customer="Ahmed", guests=4)
    for reply in (
        "No, the request does not ask for a taxi.",
        call("taxi_order", pickup="12 Mill Lane", seats=7),
    ):
        caller, _ = _caller([table, reply])
        result = caller.call(REQUEST)
        assert [t.capability for t in result.plan.subtasks] == ["restaurant_table_book"]
        assert "nothing kept" in result.notes[-1]


def test_no_ask_when_told_not_to_cover() -> None:
    table = call("restaurant_table_book", customer="Ahmed", guests=4)
    llm = ScriptedChatModel([table, call("taxi_order", pickup="12 Mill Lane", seats=4)])
    result = FunctionCaller(llm, SPECS, relevance_floor=None, cover=False).call(REQUEST)
    assert len(result.plan.subtasks) == 1 and len(llm.calls) == 1


COLLECTIONS = function_specs(
    [
        {
            **function(
                "courier_collection_book",
                ["postcode", "date"],
                postcode=TEXT,
                date={"type": "string", "description": "YYYY-MM-DD"},
            ),
            "description": "Book a courier to collect a parcel from a postcode on a date.",
        },
        {
            **function("parcel_track", ["reference"], reference=TEXT),
            "description": "Track a parcel by its reference.",
        },
    ]
)
TWO_COLLECTIONS = (
    "Can a courier collect a parcel from LS6 2AB on Monday 5 July 2027? And the same again "
    "from LS7 3CD on Tuesday 6 July 2027."
)
SECOND_CLAUSE = "And the same again from LS7 3CD on Tuesday 6 July 2027."
FIRST = {"postcode": "LS6 2AB", "date": "2027-07-05"}
SECOND = {"postcode": "ls7 3cd", "date": "2027-07-06"}


def test_a_clause_stating_a_date_or_postcode_no_call_gives_is_found() -> None:
    first = [{"name": "courier_collection_book", "arguments": FIRST}]
    assert unused_values(TWO_COLLECTIONS, first, COLLECTIONS) == [
        (SECOND_CLAUSE, "courier_collection_book", "2027-07-06")
    ]
    moved = [{"name": "courier_collection_book", "arguments": {**FIRST, "date": "2027-07-06"}}]
    assert unused_values(TWO_COLLECTIONS, moved, COLLECTIONS) == [
        (TWO_COLLECTIONS.split("? ")[0] + "?", "courier_collection_book", "2027-07-05"),
        (SECOND_CLAUSE, "courier_collection_book", "LS73CD"),  # written without spaces
    ]
    both = [*first, {"name": "courier_collection_book", "arguments": SECOND}]
    assert unused_values(TWO_COLLECTIONS, both, COLLECTIONS) == []


def test_the_model_is_asked_about_a_value_no_call_gives_and_a_call_giving_it_kept() -> None:
    llm = ScriptedChatModel(
        [call("courier_collection_book", **FIRST), call("courier_collection_book", **SECOND)]
    )
    result = FunctionCaller(llm, COLLECTIONS, relevance_floor=None).call(TWO_COLLECTIONS)
    assert [t.capability for t in result.plan.subtasks] == ["courier_collection_book"] * 2
    assert SECOND_CLAUSE in llm.calls[1]["messages"][-1]["content"]
    assert len(llm.calls) == 2


def test_a_call_that_does_not_give_the_value_is_not_kept() -> None:
    llm = ScriptedChatModel(
        [
            call("courier_collection_book", **FIRST),
            call("courier_collection_book", postcode="LS7 3CD", date="2027-07-05"),
        ]
    )  # the second clause's postcode, but the first clause's date: not the one asked about
    result = FunctionCaller(llm, COLLECTIONS, relevance_floor=None).call(TWO_COLLECTIONS)
    assert len(result.plan.subtasks) == 1 and "nothing kept" in result.notes[-1]


ENGRAVING = {
    **function(
        "engraving_order",
        ["item", "text"],
        item={"type": "string", "enum": ["pet_tag", "tankard", "watch_back"]},
        text=TEXT,
    ),
    "description": "Order engraving on an item the shop sells.",
}
WITH_ENGRAVING = function_specs([*FUNCTIONS, ENGRAVING])
BY_NAME = {spec.name: spec for spec in WITH_ENGRAVING}
TABLE = {"name": "restaurant_table_book", "arguments": {"customer": "Ahmed", "guests": 4}}
TAXI = {"name": "taxi_order", "arguments": {"pickup": "12 Mill Lane", "seats": 4}}


def _unasked(calls: list[dict], request: str = REQUEST) -> list[str]:
    nearest = nearest_functions(request, WITH_ENGRAVING)
    assert nearest is not None
    checked = without_unasked_calls(Checked(calls, [], [], []), BY_NAME, request, nearest)
    return [c["name"] for c in checked.calls]


def test_the_functions_nearest_some_clause_are_found() -> None:
    assert nearest_functions(REQUEST, WITH_ENGRAVING) == {"restaurant_table_book", "taxi_order"}


def test_a_call_no_clause_asks_for_with_an_option_not_said_goes() -> None:
    tag = {"name": "engraving_order", "arguments": {"item": "pet_tag", "text": "Ahmed"}}
    assert _unasked([TABLE, TAXI, tag]) == ["restaurant_table_book", "taxi_order"]
    # the option said: the request may ask for it in words no clause is nearest to
    said = REQUEST + " Put Ahmed on the pet tag."
    assert "engraving_order" not in nearest_functions(said, WITH_ENGRAVING)
    assert _unasked([TABLE, TAXI, tag], said) == [
        "restaurant_table_book", "taxi_order", "engraving_order"
    ]  # fmt: skip
    # no option picked: nothing says the call was not asked for
    gift = {"name": "gift_card_buy", "arguments": {"amount": 50}}
    assert _unasked([TABLE, TAXI, gift]) == ["restaurant_table_book", "taxi_order", "gift_card_buy"]


def test_an_unasked_call_stays_when_read_or_alone() -> None:
    tag = {"name": "engraving_order", "arguments": {"item": "pet_tag", "text": "Ahmed"}}
    assert _unasked([tag]) == ["engraving_order"]
    reads = {"name": "taxi_order", "arguments": {"pickup": "<node-1>", "seats": 4}}
    assert _unasked([TABLE, tag, reads]) == [
        "restaurant_table_book",
        "engraving_order",
        "taxi_order",
    ]


def test_the_caller_drops_an_unasked_call() -> None:
    tag = call("engraving_order", item="pet_tag", text="Ahmed")
    table = call("restaurant_table_book", customer="Ahmed", guests=4)
    taxi = call("taxi_order", pickup="12 Mill Lane", seats=4)
    llm = ScriptedChatModel([table + taxi + tag])
    result = FunctionCaller(llm, WITH_ENGRAVING, relevance_floor=None).call(REQUEST)
    assert [t.capability for t in result.plan.subtasks] == ["restaurant_table_book", "taxi_order"]
    assert any("engraving_order" in note and "dropped" in note for note in result.notes)


ICE_CREAM = function_specs(
    [
        {
            **function(
                "icecream_van_event_book",
                ["date", "postcode"],
                date=TEXT,
                postcode=TEXT,
            ),
            "description": "Book the ice cream van to come to a private event such as a wedding.",
        },
        {
            **function("icecream_tubs_order", ["flavour"], flavour=TEXT),
            "description": "Order tubs of ice cream to collect from the shop.",
        },
    ]
)
WEDDING = "We'd love the ice cream van at our wedding on Saturday 21 August 2027, at CA12 4TN."
DECLINED = "No function does what is asked."


def test_a_declined_request_near_a_function_is_asked_about_once_more() -> None:
    van = call("icecream_van_event_book", date="2027-08-21", postcode="CA12 4TN")
    llm = ScriptedChatModel([DECLINED, van])
    result = FunctionCaller(llm, ICE_CREAM, relevance_floor=None).call(WEDDING)
    assert [t.capability for t in result.plan.subtasks] == ["icecream_van_event_book"]
    assert "icecream_van_event_book" in llm.calls[1]["messages"][-1]["content"]
    # declined again, or a call with a made-up value: no call, as the model first said
    for reply in (DECLINED, call("icecream_van_event_book", date="2027-08-21", postcode="B1 1AA")):
        llm = ScriptedChatModel([DECLINED, reply])
        result = FunctionCaller(llm, ICE_CREAM, relevance_floor=None).call(WEDDING)
        assert not result.plan.subtasks and "nothing kept" in result.notes[-1]


def test_a_declined_request_far_from_every_function_is_not_asked_again() -> None:
    llm = ScriptedChatModel([DECLINED])
    request = "Can you recommend a good wedding photographer?"
    result = FunctionCaller(llm, ICE_CREAM, relevance_floor=None).call(request)
    assert not result.plan.subtasks and len(llm.calls) == 1
    llm = ScriptedChatModel([DECLINED])
    told = FunctionCaller(llm, ICE_CREAM, relevance_floor=None, cover=False).call(WEDDING)
    assert not told.plan.subtasks and len(llm.calls) == 1


def test_a_decline_naming_what_a_function_does_is_asked_about_once_more() -> None:
    request = (
        "It's our big day on Saturday 21 August 2027 at CA12 4TN, and the guests will want "
        "something cold and sweet."
    )  # far from every function (0.30), but the model's own words are not
    van = call("icecream_van_event_book", date="2027-08-21", postcode="CA12 4TN")
    declined = "Needs: a van. No function can book the ice cream van for a wedding."
    llm = ScriptedChatModel([declined, van])
    result = FunctionCaller(llm, ICE_CREAM, relevance_floor=None).call(request)
    assert [t.capability for t in result.plan.subtasks] == ["icecream_van_event_book"]
    far = "No function can recommend a wedding photographer."
    llm = ScriptedChatModel([far])
    result = FunctionCaller(llm, ICE_CREAM, relevance_floor=None).call(request)
    assert not result.plan.subtasks and len(llm.calls) == 1


def test_what_an_answer_says_no_function_can_do_is_read() -> None:
    assert declined_task("Needs: x. No function can render the walls.") == "render the walls"
    assert declined_task("There is no function to order a taxi") == "order a taxi"
    assert declined_task("I booked it.") is None
