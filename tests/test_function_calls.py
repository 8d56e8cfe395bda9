"""Function calls over OpenAI functions: reading, typing, checking, feedback, no call; the
`toolpath bench functions` scorer. Scripted LLM only (the real one: test_functions_llm.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import typer
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from function_call_helpers import call, first_arguments, function
from toolpath.evals import functions_bench as bench
from toolpath.planners.call_checks import _stated_switches, check_answer
from toolpath.planners.call_context import CallContext
from toolpath.planners.call_reading import Answer, read_answer, read_calls, without_needs_loop
from toolpath.planners.coercion import coerce, without_repeated_codes
from toolpath.planners.decomposer import Decomposer, DecompositionError
from toolpath.planners.function_calls import FunctionCaller, answer_schema
from toolpath.planners.llm import ScriptedChatModel
from toolpath.tools.catalogs.openai_functions import function_catalog, function_specs

FUNCTIONS = [
    {
        "name": "get_forecast",
        "description": "Weather forecast for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "hourly": {"type": "boolean", "description": "Hour by hour (default false)"},
            },
            "required": ["city", "days"],
        },
    },
    {
        "name": "plot",
        "description": "Plot points.",
        "parameters": {
            "type": "object",
            "properties": {
                "points": {"type": "array", "items": {"type": "number"}},
                "style": {
                    "type": "object",
                    "properties": {"color": {"type": "string"}, "width": {"type": "integer"}},
                    "required": ["color"],
                },
            },
            "required": ["points"],
        },
    },
]
SPECS = function_specs(FUNCTIONS)
SCHEMA = SPECS[0].parameters


# -- coercion ---------------------------------------------------------------------------------
def test_unambiguous_coercions_are_made_and_reported() -> None:
    value, notes = coerce(
        {"city": "Oslo", "days": "10", "unit": "Celsius", "hourly": "true"}, SCHEMA, "c"
    )
    assert value == {"city": "Oslo", "days": 10, "unit": "celsius", "hourly": True}
    assert len(notes) == 3 and 'c.days: "10" -> 10' in notes


def test_an_enum_value_spelled_another_way_is_the_enum_value() -> None:
    """Other case or separators, or the only enum value that starts the value (or that it
    starts): "litre" is "l", "Living Room" is "living_room"; two candidates: left as is."""
    units = {"type": "string", "enum": ["piece", "g", "kg", "ml", "l"]}
    assert coerce("litre", units, "u") == ("l", ['u: "litre" -> "l"'])
    assert coerce("pieces", units, "u")[0] == "piece"
    rooms = {"type": "string", "enum": ["living_room", "kitchen"]}
    assert coerce("Living Room", rooms, "r")[0] == "living_room"
    assert coerce("m", {"type": "string", "enum": ["miles", "meters"]}, "d") == ("m", [])
    work = {"type": "string", "enum": ["tuning", "pitch_raise", "alto_1", "alto_2"]}
    assert coerce("fine_tuning", work, "w")[0] == "tuning"  # the only value it holds
    assert coerce("alto", work, "w")[0] == "alto"  # alto_1 or alto_2: left as is
    artwork = {"type": "string", "enum": ["print", "certificate", "sports_shirt"]}
    assert coerce("shirt", artwork, "a")[0] == "sports_shirt"  # the only value holding it
    artwork["enum"].append("photograph")
    assert coerce("wedding photo", artwork, "a")[0] == "photograph"  # "photo" starts it
    assert coerce("pic", artwork, "a")[0] == "pic"  # under four letters: no word start
    homes = {"type": "string", "enum": ["flat", "terraced_house", "detached_house"]}
    assert coerce("terrace_house", homes, "h")[0] == "terraced_house"  # word by word


def test_an_enum_value_in_the_words_of_one_options_description_is_that_option() -> None:
    """The description gives each option's words ("beeswax: ... sealed with wax"): a value
    holding one of them in another form ("waxed") is that option; one in two options' words
    ("indoor"), or in none, is left for validation."""
    finish = {
        "type": "string",
        "enum": ["beeswax", "black_paint", "galvanised_and_painted"],
        "description": "beeswax: the bare forged iron sealed with wax, for indoors; black_paint:"
        " painted, for indoors or sheltered spots; galvanised_and_painted: rust-proofed",
    }
    assert coerce("waxed", finish, "f") == ("beeswax", ['f: "waxed" -> "beeswax"'])
    assert coerce("indoor", finish, "f") == ("indoor", [])
    assert coerce("lacquered", finish, "f") == ("lacquered", [])


def test_one_value_where_a_list_goes_is_a_list() -> None:
    """ "wax" for an array of extras is ["wax"]; enum options joined in one text are split;
    a text that is no option, or a value of another type, is left for validation."""
    extras = {"type": "array", "items": {"type": "string", "enum": ["wax", "pet_hair"]}}
    assert coerce("wax", extras, "e") == (["wax"], ['e: "wax" -> ["wax"]'])
    assert coerce("wax, pet_hair", extras, "e")[0] == ["wax", "pet_hair"]
    assert coerce("wax and polish", extras, "e") == ("wax and polish", [])
    assert coerce(3, extras, "e") == (3, [])
    assert coerce(3, {"type": "array", "items": {"type": "integer"}}, "n")[0] == [3]


def test_nested_values_are_coerced_and_ambiguous_ones_left() -> None:
    schema = SPECS[1].parameters
    value, _ = coerce({"points": "[1, 2.5]", "style": '{"color": "red", "width": "2"}'}, schema, "")
    assert value == {"points": [1, 2.5], "style": {"color": "red", "width": 2}}
    value, notes = coerce({"city": "Oslo", "days": "ten"}, SCHEMA, "")
    assert value["days"] == "ten" and notes == []


# -- reading answers --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "names"),
    [
        (call("a", x=1) + "\n" + call("b"), ["a", "b"]),
        ('```json\n{"calls": [{"name": "a", "arguments": {}}]}\n```', ["a"]),
        ('[{"name": "a", "arguments": "{\\"x\\": 1}"}]', ["a"]),
        ('{"name": "a", "parameters": {}}\n{"name": "b", "arguments": {}}', ["a", "b"]),
        ("No function can book a table.", []),
        ('{"calls": [], "reason": "nothing fits"}', []),
    ],
)
def test_calls_are_read_from_the_spellings_models_use(text: str, names: list[str]) -> None:
    answer = read_answer(text)
    assert [c["name"] for c in answer.calls] == names
    assert not answer.problems
    if not names:
        assert answer.reason


def test_one_call_object_giving_its_arguments_twice_is_two_calls() -> None:
    text = '{"name": "signup", "arguments": {"who": "Joan"}, "arguments": {"who": "Derek"}}'
    assert read_answer(text).calls == [
        {"name": "signup", "arguments": {"who": "Joan"}},
        {"name": "signup", "arguments": {"who": "Derek"}},
    ]
    nested = '{"name": "a", "arguments": {"style": {"arguments": 1, "arguments": 2}}}'
    assert read_answer(nested).calls == [{"name": "a", "arguments": {"style": {"arguments": 2}}}]


def test_broken_json_is_a_problem_not_an_empty_plan() -> None:
    assert read_answer('{"calls": [{"name": "a",').problems


def test_a_call_closed_with_the_wrong_kind_of_bracket_is_read_repaired() -> None:
    items = '[{"cut": "ribeye", "kg": 1.5}, {"cut": "sausages", "kg": 2}]'
    first = '{"name": "a", "arguments": {"x": 1}}'
    text = first + '\n{"name": "b", "arguments": {"items": ' + items + "}]}"
    assert read_answer(text).calls == [
        {"name": "a", "arguments": {"x": 1}},
        {"name": "b", "arguments": {"items": json.loads(items)}},
    ]
    assert read_answer("Needs: {postcode] and a date").calls == []


# -- the caller -------------------------------------------------------------------------------
def test_a_mismatch_is_fed_back_once_and_the_fix_accepted() -> None:
    llm = ScriptedChatModel(
        [call("get_forecast", city="Oslo", days="three"), call("get_forecast", city="Oslo", days=3)]
    )
    result = FunctionCaller(llm, SPECS).call("Three days of forecast for Oslo")
    assert result.attempts == 2 and not result.problems
    feedback = llm.calls[1]["messages"][-1]["content"]
    assert "days" in feedback and "'three' is not of type 'integer'" in feedback
    assert [
        (t.capability, {a.name: a.value for a in t.arguments}) for t in result.plan.subtasks
    ] == [("get_forecast", {"city": "Oslo", "days": 3})]


def test_retries_run_out_into_a_decomposition_error() -> None:
    llm = ScriptedChatModel([call("get_forecast", city="Oslo")])
    decomposer = Decomposer(llm, function_catalog(SPECS), max_retries=1)
    with pytest.raises(DecompositionError, match="'days' is a required property"):
        decomposer.decompose("Forecast for Oslo")
    assert len(llm.calls) == 2


def test_optional_arguments_the_request_does_not_give_are_left_out() -> None:
    reply = call("get_forecast", city="Oslo", days="2", unit="celsius", hourly=False)
    said = "Two days of forecast for Oslo"
    result = FunctionCaller(ScriptedChatModel([reply]), SPECS).call(said)
    arguments = {a.name: a.value for a in result.plan.subtasks[0].arguments}
    assert arguments == {"city": "Oslo", "days": 2}
    assert any("unit" in n and "left out" in n for n in result.notes)
    said = "Two days of hourly forecast for Oslo in Fahrenheit"
    reply = call("get_forecast", city="Oslo", days=2, unit="fahrenheit", hourly=True)
    result = FunctionCaller(ScriptedChatModel([reply]), SPECS).call(said)
    assert len(result.plan.subtasks[0].arguments) == 4


def test_an_optional_list_the_request_does_not_mention_is_left_out() -> None:
    """repeat_days filled with weekdays nobody asked for goes; named days stay."""
    alarm = {
        "name": "set_alarm",
        "description": "Set an alarm.",
        "parameters": {
            "type": "object",
            "properties": {
                "time": {"type": "string"},
                "days": {"type": "array", "items": {"type": "string", "enum": ["mon", "tue"]}},
            },
            "required": ["time"],
        },
    }
    specs = function_specs([alarm])
    reply = call("set_alarm", time="07:00", days=["mon", "tue"])
    for said, kept in (("An alarm at 07:00", False), ("An alarm at 07:00 on Monday", True)):
        result = FunctionCaller(ScriptedChatModel([reply]), specs, relevance_floor=None).call(said)
        arguments = {a.name: a.value for a in result.plan.subtasks[0].arguments}
        assert ("days" in arguments) is kept


def test_an_optional_list_of_options_each_said_in_other_words_stays() -> None:
    """["no_cooking_facilities"] for "they can't cook" stays; a list with an option the
    request says nothing of ("halal") goes."""
    referral = {
        "name": "referral",
        "description": "Refer a family to the food bank.",
        "parameters": {
            "type": "object",
            "properties": {
                "postcode": {"type": "string"},
                "dietary": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["halal", "no_cooking_facilities"]},
                },
            },
            "required": ["postcode"],
        },
    }
    specs = function_specs([referral])
    said = "A family at NG7 2FT; their cooker's broken so they can't cook anything"
    for dietary, kept in (
        (["no_cooking_facilities"], True),
        (["no_cooking_facilities", "halal"], False),
    ):
        reply = call("referral", postcode="NG7 2FT", dietary=dietary)
        result = FunctionCaller(ScriptedChatModel([reply]), specs, relevance_floor=None).call(said)
        arguments = {a.name: a.value for a in result.plan.subtasks[0].arguments}
        assert ("dietary" in arguments) is kept


def test_an_optional_enum_option_said_in_part_stays() -> None:
    """ "maxi_12yd" for "make the new one a maxi" stays (the request says "maxi", not
    "12yd"); an option the request says nothing of goes."""
    sizes = {"type": "string", "enum": ["mini_2yd", "maxi_12yd"]}
    swap = function("skip_swap", ["booking"], booking={"type": "string"}, new_size=sizes)
    said = "Swap SK-40877 for an empty one, and make the new one a maxi"
    for size, kept in (("maxi_12yd", True), ("mini_2yd", False)):
        reply = call("skip_swap", booking="SK-40877", new_size=size)
        assert ("new_size" in first_arguments(swap, [reply], said)) is kept


def test_an_optional_list_reading_an_earlier_result_stays() -> None:
    """A list holding a `<node-j>` reference is supplied by that call, not made up."""
    concat = {
        "name": "concat",
        "description": "Join texts.",
        "parameters": {
            "type": "object",
            "properties": {
                "first": {"type": "string"},
                "more": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["first"],
        },
    }
    specs = function_specs([concat])
    reply = call("concat", first="ab") + call("concat", first="cd", more=["<node-0>"])
    result = FunctionCaller(ScriptedChatModel([reply]), specs, relevance_floor=None).call(
        "Join ab, then join cd with that"
    )
    assert not result.problems
    assert [a.name for a in result.plan.subtasks[1].arguments] == ["first", "more"]


def test_a_call_written_as_prose_is_read() -> None:
    """ "Needs: plot; points: [1, 2.5], style: {...}" is a call written as prose: read as one,
    values typed as JSON where they are JSON, without asking the model again."""
    prose = 'Needs: plot; points: [1, 2.5], style: {"color": "red"}'
    spaced = "Needs: get forecast; city = Oslo; days = 2"
    llm = ScriptedChatModel([spaced])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("Two days of Oslo forecast")
    assert [t.capability for t in result.plan.subtasks] == ["get_forecast"] and result.attempts == 1
    llm = ScriptedChatModel([prose])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("Plot 1 and 2.5 in red")
    arguments = {a.name: a.value for a in result.plan.subtasks[0].arguments}
    assert arguments == {"points": [1, 2.5], "style": {"color": "red"}} and len(llm.calls) == 1
    assert any("read from prose" in note for note in result.notes)


def test_a_needs_line_naming_a_function_and_an_arguments_line_are_its_call() -> None:
    """ "Needs: get_forecast" then "Arguments: {...}" is one call, read without asking again;
    an argument called "name" is not taken for a function. A misspelt name is read as
    written (the checks mend it); with <tool_call> tags the tags are the answer."""
    specs = {spec.name: spec for spec in SPECS}
    written = 'Needs: get_forecast\nArguments: {"name": "Oslo", "city": "Oslo", "days": 2}'
    answer, note = read_calls(written, specs)
    assert (
        answer.calls
        == [{"name": "get_forecast", "arguments": {"name": "Oslo", "city": "Oslo", "days": 2}}]
        and "Arguments line" in note
    )
    misspelt = 'Needs: forecast_get\nArguments: {"city": "Oslo"}'
    assert read_calls(misspelt, specs)[0].calls[0]["name"] == "forecast_get"
    tagged = f"Needs: get_forecast\nArguments: {{}}\n{call('plot', points=[1])}"
    assert [c["name"] for c in read_calls(tagged, specs)[0].calls] == ["plot"]
    result = FunctionCaller(ScriptedChatModel([written]), SPECS, relevance_floor=None).call(
        "Two days of Oslo forecast"
    )
    assert [t.capability for t in result.plan.subtasks] == ["get_forecast"] and result.attempts == 1
    # a Needs line in words: the one function the arguments fit (its keys, its required)
    worded = 'Needs: a forecast for Oslo.\nArguments: {"city": "Oslo", "days": 2}'
    assert read_calls(worded, specs)[0].calls == [
        {"name": "get_forecast", "arguments": {"city": "Oslo", "days": 2}}
    ]
    for unfit in ('{"city": "Oslo"}', '{"city": "Oslo", "days": 2, "name": "Ann"}'):
        read = read_calls(f"Needs: a forecast.\nArguments: {unfit}", specs)[0].calls
        assert "get_forecast" not in [c["name"] for c in read]
    # a call written as JSON after the Arguments line (the model went on): read too
    went_on = f'{written}\n{{"name": "get_forecast", "arguments": {{"city": "Bergen"}}}}'
    assert [c["arguments"].get("city") for c in read_calls(went_on, specs)[0].calls] == [
        "Oslo", "Bergen"
    ]  # fmt: skip


def test_a_looping_needs_line_is_cut_to_its_items_before_the_model_goes_on() -> None:
    """An answer that repeats one Needs item to its token limit is cut to the distinct
    items (the last, cut-off one left out) and the model goes on from there; a Needs line
    that lists an item twice, or is followed by more text, is left as written."""
    looped = "Needs: " + "forecast for Oslo; " * 5 + "forecast for O"
    llm = ScriptedChatModel([looped, call("get_forecast", city="Oslo", days=2)],
                            continues_answers=True)  # fmt: skip
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("Two days of Oslo forecast")
    assert llm.calls[1]["messages"][-1] == {
        "role": "assistant",
        "content": "Needs: forecast for Oslo\n",
    }
    assert [t.capability for t in result.plan.subtasks] == ["get_forecast"]
    assert any("looping Needs line cut" in note for note in result.notes)
    assert without_needs_loop("Needs: a; b; a") is None
    assert without_needs_loop("Needs: a; a; a\nNo function can do a.") is None
    assert without_needs_loop("Needs: a; b; a; b; a; b; a; b;") == "Needs: a; b"


def test_arguments_written_without_the_function_name_are_read_as_the_one_they_fit() -> None:
    """ "Needs: forecast please; city: Oslo; days 2" names no function: its arguments fit
    get_forecast alone (plot has no city), so they are its call. Arguments two functions
    fit equally, or one that no function has, are no call."""
    for prose in (
        "Needs: forecast please; city: Oslo; days: 2",
        "Needs: weather\ncity Oslo\ndays 2",
    ):
        result = FunctionCaller(ScriptedChatModel([prose]), SPECS, relevance_floor=None).call(
            "Two days of Oslo forecast"
        )
        arguments = [{a.name: a.value for a in t.arguments} for t in result.plan.subtasks]
        assert arguments == [{"city": "Oslo", "days": 2}] and result.attempts == 1
    twins = function_specs([{**FUNCTIONS[0], "name": "get_forecast_v2"}, FUNCTIONS[0]])
    specs = {spec.name: spec for spec in twins}
    assert read_calls("Needs: forecast; city: Oslo; days: 2", specs)[0].calls == []
    specs = {spec.name: spec for spec in SPECS}
    assert read_calls("Needs: forecast; city: Oslo; days: 2; country: NO", specs)[0].calls == []


def test_prose_naming_no_function_keeps_a_lists_last_item() -> None:
    """ "extras: wax, pet_hair" at the end of prose that names no function is both extras
    (the last item is not split off as a piece of its own)."""
    valet = function(
        "valet_wash_book",
        ["registration"],
        registration={"type": "string"},
        extras={"type": "array", "items": {"type": "string", "enum": ["wax", "pet_hair"]}},
    )
    reply = "Needs: full valet; registration: YK19 ABC; extras: wax, pet_hair"
    request = "Valet YK19 ABC, with wax and the pet hair doing"
    assert first_arguments(valet, [reply], request)["extras"] == ["wax", "pet_hair"]


def test_prose_lists_repeated_values_and_a_misnamed_function() -> None:
    """In prose an array parameter's value is its items ("points: 1, 2.5" and "[1, 2.5]";
    a piece the comma split off is one more); a parameter given again is another call
    ("city=Oslo; days=2; city=Rome" is Oslo and Rome, 2 days each; "...; city=Rome; days=3"
    gives Rome its own days); arguments that only
    another function takes make its call when the named one is left incomplete."""
    specs = {spec.name: spec for spec in SPECS}
    for prose in ("Needs: plot; points: 1, 2.5", "Needs: plot; points: [1, 2.5]"):
        assert read_calls(prose, specs)[0].calls == [
            {"name": "plot", "arguments": {"points": [1, 2.5]}}
        ]
    tagger = {
        "name": "tag",
        "parameters": {
            "type": "object",
            "properties": {"tags": {"type": "array", "items": {"type": "string"}}},
            "required": ["tags"],
        },
    }
    for text in ("Needs: tag; tags: soil, compost; ", "Needs: tag; tags: soil, compost"):
        tags = read_calls(text, {"tag": function_specs([tagger])[0]})
        assert tags[0].calls == [{"name": "tag", "arguments": {"tags": ["soil", "compost"]}}]
    tagger["parameters"]["properties"]["city"] = {"type": "string"}
    two = read_calls(
        "Needs: tag; tags: a; city=Oslo; city=Rome; tags: b, c;",
        {"tag": function_specs([tagger])[0]},
    )
    assert [call["arguments"] for call in two[0].calls] == [
        {"tags": ["a", "b", "c"], "city": "Oslo"},
        {"tags": ["a", "b", "c"], "city": "Rome"},
    ]  # each call its own list: later items are added once to each
    calls = read_calls("Needs: get forecast; city=Oslo; city=Rome; days=2", specs)[0].calls
    assert calls == [
        {"name": "get_forecast", "arguments": {"city": "Oslo", "days": 2}},
        {"name": "get_forecast", "arguments": {"city": "Rome", "days": 2}},
    ]
    calls = read_calls("Needs: plot; city = Oslo; days = 3", specs)[0].calls
    assert calls == [{"name": "get_forecast", "arguments": {"city": "Oslo", "days": 3}}]
    calls = read_calls("Needs: get forecast; city=Oslo; days=2; city=Rome; days=3", specs)[0]
    assert [call["arguments"] for call in calls.calls] == [
        {"city": "Oslo", "days": 2},
        {"city": "Rome", "days": 3},
    ]  # the second call's own days, not a third call


def test_calls_written_as_python_are_read_never_run(tmp_path) -> None:
    """ "Needs: get_forecast(city="Oslo", days=2); ..." holds calls written as Python: read
    as calls (literals only; JSON's true as Python's True) without asking again; a value that is
    not a literal is never evaluated, and that call is not read."""
    python = (
        'Needs: get_forecast(city="Oslo", days=2); get_forecast(city="Rome", days=2, hourly=true)'
    )
    llm = ScriptedChatModel([python])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call(
        "Two days of forecast for Oslo and, hour by hour, for Rome"
    )
    arguments = [{a.name: a.value for a in t.arguments} for t in result.plan.subtasks]
    assert arguments == [{"city": "Oslo", "days": 2}, {"city": "Rome", "days": 2, "hourly": True}]
    assert result.attempts == 1 and any("read from Python" in n for n in result.notes)
    marker = tmp_path / "ran"
    code = f"get_forecast(city=open({str(marker)!r}, 'w').write('x'), days=2)"
    assert read_calls(code, {s.name: s for s in SPECS}) == (read_answer(code), "")
    assert not marker.exists()


def test_a_function_named_in_prose_without_a_call_is_asked_for_once() -> None:
    """Prose that names a function but not all its required values is no call: the model
    is asked to write it as a call. A plain "no function can" answer is not asked again."""
    prose = "Needs: get_forecast; city: Oslo"
    llm = ScriptedChatModel([prose, call("get_forecast", city="Oslo", days=2)])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("Two days of Oslo forecast")
    assert [t.capability for t in result.plan.subtasks] == ["get_forecast"]
    assert (
        result.attempts == 2
        and "wrote no <tool_call> (get_forecast requires city, days)"
        in llm.calls[1]["messages"][-1]["content"]
    )
    made_up = call("get_forecast", city="Oslo", days=1)  # dropped, not asked for again
    llm = ScriptedChatModel([made_up])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("Lock the front door")
    assert not result.plan.subtasks and len(llm.calls) == 1
    llm = ScriptedChatModel(["Needs: lock a door. No function can lock a door."])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("Lock the front door")
    assert not result.plan.subtasks and len(llm.calls) == 1 and "lock a door" in result.reason


@pytest.mark.parametrize(
    ("said", "value", "kept"),
    [
        ("Two days of forecast for Oslo, hour by hour", True, True),  # "hour" names it
        ("Two days of forecast for Oslo, hours shown", True, True),  # a plural names it too
        ("Two days of forecast for Oslo, in detail", True, False),  # names nothing of it
        ("Two days of forecast for Oslo, in detail", False, False),  # the default: filler
    ],
)
def test_a_flag_set_against_its_stated_default_stays_when_the_request_names_it(
    said: str, value: bool, kept: bool
) -> None:
    """hourly is described "Hour by hour (default false)": true is the user's choice when a
    word of its own is in the request, else the model's guess (spent answers: ten right for
    one wrong when such guesses went)."""
    reply = call("get_forecast", city="Oslo", days=2, hourly=value)
    result = FunctionCaller(ScriptedChatModel([reply]), SPECS).call(said)
    arguments = {a.name: a.value for a in result.plan.subtasks[0].arguments}
    assert ("hourly" in arguments) is kept


HUT = function_specs(
    [
        function(
            "beach_hut_apply",
            ["applicant", "beach"],
            applicant={"type": "string"},
            beach={"type": "string"},
            resident={"type": "boolean", "description": "Lives in the borough (default false)"},
            add_lobster={"type": "boolean", "description": "Half a lobster each (default false)"},
            deckchairs={"type": "boolean", "description": "Deckchairs (default true)"},
        )
    ]
)


@pytest.mark.parametrize(
    ("said", "stated"),
    [
        # the switch's name said beside the call's values: true
        ("We're local residents and we'd love a hut at West Cliff. Di Shaw", {"resident": True}),
        # said with a negation, or in a sentence with none of the call's values: left out
        ("We're not residents, but we'd love a hut at West Cliff. Di Shaw", {}),
        ("A hut at West Cliff. If you ever get lobster in, text me. Di Shaw", {}),
        # a switch whose default is true, said: left out (the default says it)
        ("A hut at West Cliff with deckchairs. Di Shaw", {}),
    ],
)
def test_a_switch_the_request_names_beside_the_calls_values_is_true(
    said: str, stated: dict
) -> None:
    reply = call("beach_hut_apply", applicant="Di Shaw", beach="West Cliff")
    result = FunctionCaller(ScriptedChatModel([reply]), HUT, relevance_floor=None).call(said)
    arguments = {a.name: a.value for a in result.plan.subtasks[0].arguments}
    assert arguments == {"applicant": "Di Shaw", "beach": "West Cliff", **stated}


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        # written false, the switch said beside the call's values: true
        ("We're local residents and we'd love a hut at West Cliff. Di Shaw", True),
        # written false, said with a negation: false stays
        ("We're not residents, but we'd love a hut at West Cliff. Di Shaw", False),
    ],
)
def test_a_switch_written_false_that_the_request_says_is_true(said: str, kept: bool) -> None:
    reply = call("beach_hut_apply", applicant="Di Shaw", beach="West Cliff", resident=False)
    result = FunctionCaller(ScriptedChatModel([reply]), HUT, relevance_floor=None).call(said)
    arguments = {a.name: a.value for a in result.plan.subtasks[0].arguments}
    assert arguments["resident"] is kept


def test_a_switch_written_false_beside_another_call_stays_false() -> None:
    """With another call to set it for ("a mat for the hot one, my own for yin"), a false
    may be the model's choice for this call: it stays."""
    said = "We're local residents and we'd love a hut at West Cliff. Di Shaw"
    written = {"applicant": "Di Shaw", "beach": "West Cliff", "resident": False}
    alone = CallContext(HUT[0].parameters, said, "call 0")
    beside = CallContext(HUT[0].parameters, said, "call 1", taken=frozenset({"East Cliff"}))
    assert _stated_switches(written, alone)[0]["resident"] is True
    assert _stated_switches(written, beside)[0]["resident"] is False


STUDIO = function_specs(
    [
        function(
            "studio_session_book",
            ["band", "hours"],
            band={"type": "string"},
            hours={"type": "integer"},
            engineer={
                "type": "boolean",
                "description": "One of the studio's engineers runs the session (default true)",
            },
            mastering={"type": "boolean", "description": "Master the tracks (default true)"},
            tracks={"type": "integer", "description": "How many tracks to record"},
        )
    ]
)


@pytest.mark.parametrize(
    ("request_text", "written", "engineer"),
    [
        # declined in the sentence that names it: false, written or left out
        ("Book The Pines for 8 hours. We're bringing our own engineer, so won't need one.",
         {"engineer": True}, False),
        ("Book The Pines for 8 hours. We're bringing our own engineer, so won't need one.",
         {}, False),
        ("Book The Pines for 8 hours; we'll mix it rather than have an engineer.", {}, False),
        # a decline of something else: the default stays out, or in where the request
        # names the flag
        ("Book The Pines for 8 hours, with an engineer rather than us doing it.", {}, None),
        ("Book The Pines for 8 hours. Our engineer is great. No drums though.", {}, None),
        ("Book The Pines for 8 hours with an engineer.", {"engineer": True}, True),
        # "tracks" names `tracks` as much as `mastering`: no decline of the mastering
        ("Book The Pines for 8 hours. No more than six tracks.", {}, None),
    ],
)  # fmt: skip
def test_a_default_true_flag_the_request_declines_is_false(
    request_text: str, written: dict, engineer: bool | None
) -> None:
    arguments = {"band": "The Pines", "hours": 8, **written}
    reply = call("studio_session_book", **arguments)
    result = FunctionCaller(ScriptedChatModel([reply]), STUDIO, relevance_floor=None).call(
        request_text
    )
    given = {a.name: a.value for a in result.plan.subtasks[0].arguments}
    assert given.get("engineer") is engineer and "mastering" not in given


def test_a_value_set_against_its_stated_default_stays_and_the_default_goes() -> None:
    """ "In Fahrenheit" gives no word of "imperial", but imperial is not the stated default:
    the model chose it. A value equal to its default (16) was filled in: it goes."""
    outlook = {
        "name": "outlook",
        "description": "Weather outlook.",
        "parameters": {
            "type": "object",
            "properties": {
                "place": {"type": "string"},
                "units": {"type": "string", "enum": ["metric", "imperial"],
                          "description": "metric or imperial; default metric"},
                "hours": {"type": "integer", "description": "Hours ahead (default 16)"},
            },
            "required": ["place"],
        },
    }  # fmt: skip
    specs = function_specs([outlook])
    said = "Outlook for Denver, in Fahrenheit please"
    for hours, kept in ((16, ["place", "units"]), (30, ["place", "units", "hours"])):
        reply = call("outlook", place="Denver", units="imperial", hours=hours)
        result = FunctionCaller(ScriptedChatModel([reply]), specs, relevance_floor=None).call(said)
        assert [a.name for a in result.plan.subtasks[0].arguments] == kept
    reply = call("outlook", place="Denver", units="metric")
    result = FunctionCaller(ScriptedChatModel([reply]), specs, relevance_floor=None).call(said)
    assert [a.name for a in result.plan.subtasks[0].arguments] == ["place"]
    # "default today" names no value: a made-up date is not a choice against it
    outlook["parameters"]["properties"]["day"] = {
        "type": "string",
        "description": "(default today)",
    }
    reply = call("outlook", place="Denver", day="2023-04-01")
    result = FunctionCaller(
        ScriptedChatModel([reply]), function_specs([outlook]), relevance_floor=None
    ).call(said)
    assert [a.name for a in result.plan.subtasks[0].arguments] == ["place"]


def test_an_optional_argument_reading_its_own_result_is_left_out() -> None:
    reply = call("plot", points=[1, 2], style={"color": "<node-0>"})
    result = FunctionCaller(ScriptedChatModel([reply]), SPECS).call("Plot 1 and 2")
    assert [a.name for a in result.plan.subtasks[0].arguments] == ["points"]
    assert any("not made yet" in note for note in result.notes)


def test_a_request_far_from_every_function_gets_no_call_and_no_model_call() -> None:
    """The relevance floor (real embeddings): "lock the front door" is far from a forecast
    and a plot, so the model is not asked; a forecast request is asked as before."""
    llm = ScriptedChatModel([call("get_forecast", city="Oslo", days=1)])
    result = FunctionCaller(llm, SPECS).call("Lock the front door.")
    assert not result.plan.subtasks and "far from every function" in result.reason
    assert llm.calls == []
    result = FunctionCaller(llm, SPECS).call("Tomorrow's forecast for Oslo")
    assert len(result.plan.subtasks) == 1 and len(llm.calls) == 1
    llm = ScriptedChatModel([call("get_forecast", city="front door", days=1)])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("Lock the front door.")
    assert len(result.plan.subtasks) == 1  # without the floor the model's call stands


def test_a_request_near_a_function_in_one_clause_only_is_asked() -> None:
    """The gate reads the request's clauses too (real embeddings): a long list of chores
    with "will it rain in Oslo?" at the end is nearer a forecast in that clause (0.31) than
    as a whole (0.21), so at a floor between the two the model is asked."""
    request = (
        "Lock the front door, water the plants, feed the cat and the goldfish, take the bins "
        "out and ring my sister about Sunday lunch; also, will it rain in Oslo?"
    )
    llm = ScriptedChatModel([call("get_forecast", city="Oslo", days=1)])
    result = FunctionCaller(llm, SPECS, relevance_floor=0.25).call(request)
    assert len(llm.calls) == 1 and [t.capability for t in result.plan.subtasks] == ["get_forecast"]


def test_a_normalised_text_value_is_not_made_up() -> None:
    """ "Asia/Tokyo" for a request that says Tokyo comes from the request."""
    zone = {
        "name": "local_time",
        "description": "The time in a time zone.",
        "parameters": {
            "type": "object",
            "properties": {"zone": {"type": "string"}},
            "required": ["zone"],
        },
    }
    llm = ScriptedChatModel([call("local_time", zone="Asia/Tokyo")])
    result = FunctionCaller(llm, function_specs([zone]), relevance_floor=None).call(
        "What time is it in Tokyo?"
    )
    assert [t.capability for t in result.plan.subtasks] == ["local_time"]


def test_a_call_whose_required_values_are_all_made_up_is_dropped() -> None:
    """No required value of the forecast comes from the request: the function does not do
    what was asked. Values from the request (or a reference) keep a call."""
    made_up = call("get_forecast", city="Oslo", days=1)
    result = FunctionCaller(ScriptedChatModel([made_up]), SPECS, relevance_floor=None).call(
        "Lock the front door."
    )
    assert not result.plan.subtasks and any("none of its inputs" in n for n in result.notes)
    reply = "\n".join(
        [call("get_forecast", city="Oslo", days=2), call("plot", points=["<node-0>"])]
    )
    result = FunctionCaller(ScriptedChatModel([reply]), SPECS, relevance_floor=None).call(
        "Plot two days of forecast for Oslo"
    )
    assert [t.capability for t in result.plan.subtasks] == ["get_forecast", "plot"]


TIDES = function(
    "tide_times",
    ["station", "date", "metric", "kinds"],
    station={"type": "string"},
    date={"type": "string", "description": "YYYY-MM-DD"},
    metric={"type": "boolean"},
    kinds={"type": "array", "items": {"type": "string", "enum": ["high", "low"]}},
)


@pytest.mark.parametrize(
    ("request_text", "asked"),
    [
        ("What's the sea temperature at Brighton right now?", True),
        ("Tides at Brighton on 14 June 2026?", False),
        ("Tides at June 14 Brighton?", False),  # no year: any year's June 14
        ("Tides at Brighton on 2026-06-14?", False),
    ],
)
def test_a_made_up_input_is_asked_about_once(request_text: str, asked: bool) -> None:
    """A date the request never gives is made up, even though the station is the request's:
    the model is asked once; it may then make no call. Booleans and enum choices, single or
    listed, are the function's options, not inputs."""
    tides = call("tide_times", station="Brighton", date="2026-06-14", metric=True, kinds=["high"])
    llm = ScriptedChatModel([tides, "No function gives the sea temperature."])
    result = FunctionCaller(llm, function_specs([TIDES]), relevance_floor=None).call(request_text)
    assert len(llm.calls) == (2 if asked else 1)
    assert bool(result.plan.subtasks) is not asked
    if asked:
        feedback = llm.calls[1]["messages"][-1]["content"]
        assert 'call 0 (tide_times): date="2026-06-14"' in feedback
        assert "sea temperature" in result.reason


@pytest.mark.parametrize(
    ("destination", "asked"),
    [
        ("ORD", False),  # a code: the model's knowledge of "Chicago", another input is said
        ("Los Angeles", False),  # the words of "LA"
        ("Denver", True),
    ],
)
def test_codes_and_abbreviations_are_not_made_up_inputs(destination: str, asked: bool) -> None:
    flights = function(
        "find_flights",
        ["origin", "destination"],
        origin={"type": "string"},
        destination={"type": "string"},
    )
    llm = ScriptedChatModel([call("find_flights", origin="Boston", destination=destination)] * 2)
    FunctionCaller(llm, function_specs([flights]), relevance_floor=None).call(
        "Flights from Boston to Chicago or LA"
    )
    assert len(llm.calls) == (2 if asked else 1)


TIMELAPSE = function(
    "timelapse_interval",
    ["event_minutes", "clip_length"],
    event_minutes={"type": "integer"},
    clip_length={"type": "integer", "description": "Length in seconds"},
    indoor={"type": "boolean"},
)


def test_a_duration_in_the_requests_unit_is_converted_to_the_parameters() -> None:
    """ "a 2-hour sunset" written as event_minutes 2 is 120 minutes; 20 s stays 20 for a
    parameter in seconds; an optional boolean named by its opposite ("outdoor") stays."""
    reply = call("timelapse_interval", event_minutes=2, clip_length=20, indoor=False)
    result = FunctionCaller(
        ScriptedChatModel([reply]), function_specs([TIMELAPSE]), relevance_floor=None
    ).call("Turn a 2-hour outdoor sunset into a 20 second clip")
    arguments = {a.name: a.value for a in result.plan.subtasks[0].arguments}
    assert arguments == {"event_minutes": 120, "clip_length": 20, "indoor": False}
    converted = [note for note in result.notes if "the request's unit" in note]
    assert len(converted) == 1 and "event_minutes: 2 -> 120" in converted[0]


REHEARSAL = function(
    "rehearsal_book",
    ["studio", "start_time", "hours"],
    studio={"type": "string"},
    start_time={"type": "string", "description": "HH:MM"},
    hours={"type": "number"},
    end_time={"type": "string", "description": "HH:MM"},
)


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # the one duration and the one time the request states replace what it does not
        (
            "two and a half hours at Sub Club from quarter past four in the afternoon",
            {"hours": 1.5, "start_time": "16:24"},
            {"hours": 2.5, "start_time": "16:15"},
        ),
        # a number the request states stays; so does a time when two are free to choose
        (
            "Sub Club for 3 hours, starting 2pm or 4pm, an hour and a half each way",
            {"hours": 3, "start_time": "15:00"},
            {"hours": 3, "start_time": "15:00"},
        ),
        # a time another argument already gives is not used twice
        (
            "Sub Club from 2pm to 5pm, for an hour and a quarter",
            {"hours": 4, "start_time": "14:00", "end_time": "16:00"},
            {"hours": 1.25, "start_time": "14:00", "end_time": "17:00"},
        ),
    ],
)
def test_the_only_duration_or_time_the_request_gives_replaces_a_made_up_one(
    request_text: str, written: dict, expected: dict
) -> None:
    answer = Answer(
        calls=[{"name": "rehearsal_book", "arguments": {"studio": "Sub Club", **written}}]
    )
    specs = {spec.name: spec for spec in function_specs([REHEARSAL])}
    arguments = check_answer(answer, specs, request_text).calls[0]["arguments"]
    assert {k: v for k, v in arguments.items() if k != "studio"} == expected


DONOR = function(
    "donor_check",
    ["weight_kg"],
    weight_kg={"type": "number"},
    room_temperature_c={"type": "integer"},
    capacity_gb={"type": "number"},
    harvest={"type": "array", "items": {"type": "object", "properties": {"weight_kg": {}}}},
)


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        ("I weigh 11 stone, room at 68F", {"weight_kg": 11, "room_temperature_c": 68},
         {"weight_kg": 69.85, "room_temperature_c": 20}),
        ("I weigh 62 kilos", {"weight_kg": 62}, {"weight_kg": 62}),  # its own unit
        ("add 5 g of yeast", {"weight_kg": 5}, {"weight_kg": 0.005}),  # not rounded to 0.01
        ("2lb of raspberries, I weigh 70 kg", {"weight_kg": 70, "harvest": [{"weight_kg": 2}]},
         {"weight_kg": 70, "harvest": [{"weight_kg": 0.9072}]}),  # nested too
        ("11 stone, or 11 lb", {"weight_kg": 11}, {"weight_kg": 11}),  # two readings
        # data sizes, in powers of ten as drives are sold
        ("a 2 TB drive; I weigh 70 kg", {"weight_kg": 70, "capacity_gb": 2},
         {"weight_kg": 70, "capacity_gb": 2000}),
        ("a 500 MB card; I weigh 70 kg", {"weight_kg": 70, "capacity_gb": 500},
         {"weight_kg": 70, "capacity_gb": 0.5}),
    ],
)  # fmt: skip
def test_a_quantity_in_another_unit_is_converted_to_the_parameters(
    request_text: str, written: dict, expected: dict
) -> None:
    arguments = first_arguments(DONOR, [call("donor_check", **written)], request_text)
    assert arguments == expected


def test_sizes_written_by_one_unit_are_all_converted() -> None:
    """ "eighty centimetres wide by sixty high": both sizes are in centimetres, so both are
    written in millimetres; a size the request does not give (70) stays."""
    panes = function(
        "glass_cut", ["pieces"],
        pieces={"type": "array", "items": {"type": "object", "properties": {
            "width_mm": {"type": "integer"}, "height_mm": {"type": "integer"}}}},
    )  # fmt: skip
    written = [{"width_mm": 80, "height_mm": 60}, {"width_mm": 70, "height_mm": 60}]
    request = "a mirror eighty centimetres wide by sixty high"
    arguments = first_arguments(panes, [call("glass_cut", pieces=written)], request)
    assert arguments["pieces"] == [
        {"width_mm": 800, "height_mm": 600}, {"width_mm": 70, "height_mm": 600}
    ]  # fmt: skip


def test_a_fitting_value_is_not_converted_out_of_its_options() -> None:
    """ "2 metres long, the standard 0.6 deep" reads 0.6 as metres; `depth_mm: 0.6` is no
    option, so 600 is written. But where the model already wrote an option (600, in "600
    deep" the request gives in metres by mistake), no conversion makes it 600000."""
    top = function(
        "worktop_quote", ["depth_mm"],
        depth_mm={"type": "integer", "enum": [600, 650, 900]},
        length_mm={"type": "integer", "maximum": 4000},
    )  # fmt: skip
    request = "one piece 2 metres long, 600 metres deep"  # the unit a slip of the writer
    arguments = first_arguments(top, [call("worktop_quote", depth_mm=600, length_mm=2)], request)
    assert arguments == {"depth_mm": 600, "length_mm": 2000}


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        ("It's roughly 9 metres by 6.", 9, 54),  # one side for the area: the product
        ("roughly twelve metres by eight", 8, 96),
        ("a rug 200 by 150 cm", 150, 3),  # in the parameter's unit
        ("It's roughly 9 metres by 6.", 54, 54),  # the area already
        ("40 square metres: 9 metres by 6, less a bed", 40, 40),  # an area stated: it stays
        ("a patio 9 metres long", 9, 9),  # no second side
    ],
)  # fmt: skip
def test_an_area_written_as_one_side_is_the_sides_product(
    request_text: str, written: float, expected: float
) -> None:
    quote = function("paving_quote", ["area_m2"], area_m2={"type": "number", "minimum": 1})
    arguments = first_arguments(quote, [call("paving_quote", area_m2=written)], request_text)
    assert arguments == {"area_m2": expected}


KIT = function(
    "kit_order", ["member", "items"],
    member={"type": "string"},
    name_embroidery={"type": "string"},
    items={"type": "array", "items": {"type": "object", "properties": {
        "item": {"type": "string"}, "size": {"type": "string"}}}},
)  # fmt: skip


TWO_NAMED = [{"item": "gi", "name_embroidery": "TOM"}, {"item": "hoodie", "name_embroidery": "T"}]


@pytest.mark.parametrize(
    ("items", "embroidery", "expected_items", "expected_embroidery"),
    [
        # the call's own parameter written in the item: moved up
        ([{"item": "gi", "size": "large", "name_embroidery": "T. Okonjo"}], None,
         [{"item": "gi", "size": "large"}], "T. Okonjo"),
        # given in the call already: the item's copy is not moved (the item keeps it)
        ([{"item": "gi", "name_embroidery": "TOM"}], "T. Okonjo",
         [{"item": "gi", "name_embroidery": "TOM"}], "T. Okonjo"),
        # two items disagree: nothing tells which, nothing moves
        (TWO_NAMED, None, TWO_NAMED, None),
    ],
)  # fmt: skip
def test_a_parameter_written_inside_a_list_item_goes_up_to_the_call(
    items: list, embroidery: str | None, expected_items: list, expected_embroidery: str | None
) -> None:
    request = "Member JJ-0456: a gi, large, and a hoodie, with TOM, T or T. Okonjo on them"
    given = {"name_embroidery": embroidery} if embroidery else {}
    arguments = first_arguments(KIT, [call("kit_order", member="JJ-0456", items=items, **given)],
                                request)  # fmt: skip
    assert arguments["items"] == expected_items
    assert arguments.get("name_embroidery") == expected_embroidery


def test_numbers_joined_in_one_value_are_the_requests() -> None:
    """ "2-6" for "pages 2 to 6" is the request's; "2-7" is not (an optional value goes)."""
    printer = function("print_file", ["file"], file={"type": "string"}, pages={"type": "string"})
    for pages, kept in (("2-6", True), ("2-7", False)):
        reply = call("print_file", file="review.pdf", pages=pages)
        arguments = first_arguments(printer, [reply], "print review.pdf, only pages 2 to 6")
        assert (len(arguments) == 2) is kept


def test_a_needs_line_without_calls_is_asked_for_its_calls_once() -> None:
    """The model listed what is needed and stopped: asked once for the calls. A needs line
    that says no function fits is an answer, not asked again."""
    stopped = "Needs: 2 days of forecast for Oslo; hourly"
    llm = ScriptedChatModel([stopped, call("get_forecast", city="Oslo", days=2)])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("2 days of Oslo forecast")
    assert len(llm.calls) == 2 and "wrote no <tool_call>" in llm.calls[1]["messages"][-1]["content"]
    assert [t.capability for t in result.plan.subtasks] == ["get_forecast"]
    declined = "Needs: order a taxi. No function can order a taxi."
    llm = ScriptedChatModel([declined])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("Order me a taxi")
    assert len(llm.calls) == 1 and not result.plan.subtasks


def test_an_answer_stopped_after_its_needs_line_is_continued() -> None:
    """A backend that continues answers goes on from a new line after the Needs line (one
    attempt, no retry message). A continuation calling a function the Needs line does not
    name is not kept: the model is asked again, as without continuation."""
    stopped = "Needs: forecast for Oslo; 2 days"
    went_on = call("get_forecast", city="Oslo", days=2)
    llm = ScriptedChatModel([stopped, went_on], continues_answers=True)
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("2 days of Oslo forecast")
    assert [t.capability for t in result.plan.subtasks] == ["get_forecast"]
    assert result.attempts == 1 and len(llm.calls) == 2
    assert llm.calls[1]["messages"][-1] == {"role": "assistant", "content": stopped + "\n"}
    assert result.first_raw == stopped + "\n" + went_on
    stray = call("plot", points=[2])
    again = call("get_forecast", city="Oslo", days=2)
    llm = ScriptedChatModel([stopped, stray, again], continues_answers=True)
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("2 days of Oslo forecast")
    assert result.attempts == 2
    assert "wrote no <tool_call>" in llm.calls[2]["messages"][-1]["content"]
    assert any("not kept" in note for note in result.notes)


def test_an_answer_whose_calls_stand_is_continued_once_for_more() -> None:
    """After calls that stand, the model may go on: calls it adds to functions the answer
    named are kept (a second city it had stopped before), others are not, and an answer
    it ends there is unchanged. Not kept either: a JSON call in place of the calls its prose
    made, a repeat, and a call with a value the request does not give."""
    oslo, rome = (
        call("get_forecast", city="Oslo", days=2),
        call("get_forecast", city="Rome", days=2),
    )
    request = "2 days of forecast for Oslo and for Rome"
    for went_on, cities in (
        (rome, ["Oslo", "Rome"]),
        (call("plot", points=[2]), ["Oslo"]),
        ("", ["Oslo"]),
    ):
        llm = ScriptedChatModel([oslo, went_on], continues_answers=True)
        result = FunctionCaller(llm, SPECS, relevance_floor=None).call(request)
        assert [t.arguments[0].value for t in result.plan.subtasks] == cities
        assert result.attempts == 1 and len(llm.calls) == 2
        assert llm.calls[1]["messages"][-1] == {"role": "assistant", "content": oslo + "\n"}
    prose = "Needs: get_forecast; city=Oslo; city=Rome; days=2"  # two calls, read from prose
    made_up = call("get_forecast", city="Paris", days=2)  # a city the request does not give
    for first, went_on in ((prose, oslo), (oslo, oslo), (oslo + rome, made_up)):
        llm = ScriptedChatModel([first, went_on], continues_answers=True)
        result = FunctionCaller(llm, SPECS, relevance_floor=None).call(request)
        assert result.attempts == 1 and len(llm.calls) == 2, first
        assert [t.arguments[0].value for t in result.plan.subtasks] == ["Oslo", "Rome"][
            : 1 if first == oslo else 2
        ]


def test_a_continuation_in_the_answers_own_words_is_kept() -> None:
    """The model wrote its call as a Needs line naming the function in its own words
    ("forecast", not get_forecast) and goes on with a second such line: that call follows
    what it wrote and is kept."""
    first = "Needs: weather forecast; city: Oslo; days: 2"
    went_on = "Needs: weather forecast; city: Rome; days: 2"
    llm = ScriptedChatModel([first, went_on], continues_answers=True)
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call(
        "2 days of forecast for Oslo, and also Rome"
    )
    assert [t.arguments[0].value for t in result.plan.subtasks] == ["Oslo", "Rome"]


OPTICIAN = function_specs(
    [
        {
            **function("optician_eye_test_book", ["patient_name"], patient_name={"type": "string"}),
            "description": "Book an eye test or a contact lens check with the optician.",
        },
        {
            **function(
                "optician_repair_request", ["patient_name"], patient_name={"type": "string"}
            ),
            "description": "Ask the optician to mend a pair of broken glasses.",
        },
    ]
)


def test_a_continuation_to_a_sibling_function_is_not_kept() -> None:
    """Calls that stood, then a call to another function of the same family that nothing
    the model wrote names (only the shared "optician") and no part of the request is
    nearest: the answer stays as it was; a sibling its Needs line names ("repair") is kept."""
    request = "Nadia Rahman would like a contact lens check, please."
    booked = call("optician_eye_test_book", patient_name="Nadia Rahman")
    mended = call("optician_repair_request", patient_name="Nadia Rahman")
    for first, kept in ((booked, 1), ("Needs: eye test; repair of my glasses\n" + booked, 2)):
        llm = ScriptedChatModel([first, mended], continues_answers=True)
        result = FunctionCaller(llm, OPTICIAN, relevance_floor=None).call(request)
        assert len(result.plan.subtasks) == kept, first


def test_a_continuation_to_the_function_a_clause_is_nearest_is_kept() -> None:
    """Nothing the model wrote names the repair, but a clause of the request is nearest
    that function: the call it adds is kept."""
    request = "Nadia Rahman: a contact lens check please. Also the arm of my glasses is off."
    booked = call("optician_eye_test_book", patient_name="Nadia Rahman")
    mended = call("optician_repair_request", patient_name="Nadia Rahman")
    llm = ScriptedChatModel([booked, mended], continues_answers=True)
    result = FunctionCaller(llm, OPTICIAN, relevance_floor=None, cover=False).call(request)
    assert [t.capability for t in result.plan.subtasks] == [
        "optician_eye_test_book", "optician_repair_request"
    ]  # fmt: skip
    assert "continued: calls added" in " ".join(result.notes)


def test_calls_with_the_requests_values_stand_when_the_model_then_makes_none() -> None:
    """Asked about a value the request does not give (Paris), the model makes no call at
    all: the call whose values the request gives (Oslo) stands; where every call had such a
    value (an irrelevant request), no call stands."""
    oslo, paris = (
        call("get_forecast", city="Oslo", days=2),
        call("get_forecast", city="Paris", days=2),
    )
    for first, cities in ((oslo + paris, ["Oslo"]), (paris, [])):
        llm = ScriptedChatModel([first, "No function fits."])
        result = FunctionCaller(llm, SPECS, relevance_floor=None).call("2 days of Oslo weather")
        assert "does not give" in llm.calls[1]["messages"][-1]["content"]
        assert [t.arguments[0].value for t in result.plan.subtasks] == cities


def test_a_date_no_calendar_has_is_sent_back() -> None:
    """2026 has no 29 February: the call is a problem the model is told of, not a call
    (two dates stated: the request's date is not the only one to put in its place)."""
    day = function("bread", ["date"], date={"type": "string", "description": "YYYY-MM-DD"})
    wrong, right = call("bread", date="2026-02-29"), call("bread", date="2026-03-01")
    llm = ScriptedChatModel([wrong, right])
    result = FunctionCaller(llm, function_specs([day]), relevance_floor=None).call(
        "bread on Sunday 1 March 2026 or Monday 2 March 2026"
    )
    assert "'2026-02-29' is no date on the calendar" in llm.calls[1]["messages"][-1]["content"]
    assert [a.value for a in result.plan.subtasks[0].arguments] == ["2026-03-01"]


def test_a_minimum_is_no_unit() -> None:
    """`min_count` is a minimum, not minutes: "a day pass" does not make 1 into 1440."""
    dock = function(
        "dock_find", ["near", "min_count"], near={"type": "string"}, min_count={"type": "integer"}
    )
    for count in (1, 2):
        reply = call("dock_find", near="Tate Modern", min_count=count)
        request = "Unlock a bike on a day pass, 2 days, and find a dock by the Tate Modern"
        assert first_arguments(dock, [reply], request)["min_count"] == count


def test_a_second_answer_with_the_same_made_up_date_goes() -> None:
    """Asked once, the model writes the date the request never gives again: the call would
    act on it, so it goes (a made-up time or number read from words stays: see
    `test_a_call_with_a_requests_value_in_an_optional_argument_is_not_made_up`)."""
    tides = call("tide_times", station="Brighton", date="2026-06-14", metric=True, kinds=["low"])
    llm = ScriptedChatModel([tides, tides])
    result = FunctionCaller(llm, function_specs([TIDES]), relevance_floor=None).call(
        "Low tides at Brighton, please"
    )
    assert len(llm.calls) == 2 and not result.plan.subtasks
    assert "date not in the request (after the last attempt)" in result.notes[-1]


@pytest.mark.parametrize(
    ("email", "said", "kept"),
    [
        ("susan.f@example.com", "A notary quote. Susan Fielding, Susan.F@example.com", True),
        ("susan@fielding.com", "A notary quote for two certificates. Susan Fielding", False),
    ],
)
def test_an_email_address_the_request_does_not_write_is_made_up(
    email: str, said: str, kept: bool
) -> None:
    """An address is the request's only as it writes it (any case): one built from the
    request's name ("susan@fielding.com") is made up, and its call goes after the last
    attempt."""
    quote = function(
        "notary_quote_request",
        ["contact_name", "email"],
        contact_name={"type": "string"},
        email={"type": "string"},
    )
    reply = call("notary_quote_request", contact_name="Susan Fielding", email=email)
    llm = ScriptedChatModel([reply, reply])
    result = FunctionCaller(llm, function_specs([quote]), relevance_floor=None).call(said)
    assert bool(result.plan.subtasks) is kept


def _one_string_function(name: str, parameter: str) -> list:
    return function_specs(
        [
            {
                "name": name,
                "description": f"{name} by {parameter}.",
                "parameters": {
                    "type": "object",
                    "properties": {parameter: {"type": "string"}},
                    "required": [parameter],
                },
            }
        ]
    )


@pytest.mark.parametrize(
    ("code", "said", "kept"),
    [
        ("UA857", "is united 857 on time tomorrow?", True),
        ("NVDA", "what's nvidia trading at?", True),
        ("MSFT", "a quick check on Microsoft", True),
        ("UA858", "is united 857 on time tomorrow?", False),
        ("NVDA", "what's the weather like?", False),
        ("AAPL", "how is the weather in Lima?", False),
    ],
)
def test_a_code_for_something_the_request_names_is_not_made_up(
    code: str, said: str, kept: bool
) -> None:
    """A code is the request's word or number in normalised form: letters added to a number
    it states, an upper-case abbreviation of a word it says; any other code is made up."""
    llm = ScriptedChatModel([call("lookup", code=code)])
    result = FunctionCaller(llm, _one_string_function("lookup", "code"), relevance_floor=None).call(
        said
    )
    assert bool(result.plan.subtasks) is kept


def test_a_misspelt_function_is_repaired_and_another_verb_is_another_function() -> None:
    """ "getForecast" and "forecast" (words dropped) are get_forecast; "get_plot" has a word
    the offered name lacks: not offered, so no call, not a call to the wrong function."""
    for name, kept in (("getForecast", True), ("get_forcast", True), ("delete_forecast", False)):
        llm = ScriptedChatModel([call(name, city="Oslo", days=2)])
        result = FunctionCaller(llm, SPECS, relevance_floor=None).call("2 days of Oslo forecast")
        assert [t.capability for t in result.plan.subtasks] == (["get_forecast"] if kept else [])
    create = _one_string_function("notebook_note_create", "title")
    llm = ScriptedChatModel([call("notebook_note_delete", title="old passwords")])
    result = FunctionCaller(llm, create, relevance_floor=None).call("Delete my old passwords note")
    assert not result.plan.subtasks and "notebook_note_delete" in result.reason
    llm = ScriptedChatModel([call("note_create", title="groceries")])
    result = FunctionCaller(llm, create, relevance_floor=None).call("A note called groceries")
    assert [t.capability for t in result.plan.subtasks] == ["notebook_note_create"]


def test_an_hh_mm_parameter_gets_its_time_in_that_form() -> None:
    """A parameter described as HH:MM takes "6:30" as 06:30, "8" as 08:00, "3pm" as 15:00;
    another string parameter keeps what it was given."""
    clock = {"type": "string", "description": "HH:MM, 24-hour clock"}
    assert coerce("6:30", clock, "t") == ("06:30", ['t: "6:30" -> "06:30"'])
    assert coerce("8", clock, "t")[0] == "08:00" and coerce("3pm", clock, "t")[0] == "15:00"
    assert coerce("08:00", clock, "t") == ("08:00", [])
    assert coerce("25:00", clock, "t")[0] == "25:00"  # no time of day: left for the model
    assert coerce("6:30", {"type": "string"}, "t")[0] == "6:30"


def test_a_yyyy_mm_dd_parameter_gets_its_date_in_that_form() -> None:
    """A parameter described as YYYY-MM-DD (or of format date) takes "30 October 2027" as
    2027-10-30; a date without its year, two dates, a date-time parameter, or another
    string parameter keep what they were given."""
    day = {"type": "string", "description": "YYYY-MM-DD"}
    assert coerce("Saturday 30 October 2027", day, "d") == (
        "2027-10-30",
        ['d: "Saturday 30 October 2027" -> "2027-10-30"'],
    )
    assert coerce("30 Oct 2027", {"type": "string", "format": "date"}, "d")[0] == "2027-10-30"
    assert coerce("2027-10-30", day, "d") == ("2027-10-30", [])
    assert coerce("30 October", day, "d")[0] == "30 October"
    assert coerce("30 Oct 2027 or 31 Oct 2027", day, "d")[0] == "30 Oct 2027 or 31 Oct 2027"
    stamp = {"type": "string", "description": "YYYY-MM-DDTHH:MM"}
    assert coerce("30 October 2027", stamp, "d")[0] == "30 October 2027"
    assert coerce("30 October 2027", {"type": "string"}, "d")[0] == "30 October 2027"


def test_a_text_ending_in_a_code_another_argument_gives_is_cut_there() -> None:
    """An address that repeats the call's postcode after a comma loses it; one without the
    comma, a word that is no code, or the code itself keep what they were given."""
    spec = function(
        "collection_book", ["address", "postcode"], address={"type": "string"},
        postcode={"type": "string"}, note={"type": "string"},
    )  # fmt: skip
    request = "Collect from Unit 4, Kingsway Business Park, M19 1RE please"
    reply = call(
        "collection_book", address="Unit 4, Kingsway Business Park, M19 1RE", postcode="M19 1RE"
    )
    assert first_arguments(spec, [reply], request) == {
        "address": "Unit 4, Kingsway Business Park",
        "postcode": "M19 1RE",
    }
    kept = without_repeated_codes(
        {
            "address": "Unit 4 M19 1RE",
            "postcode": "M19 1RE",
            "note": "Pine, wardrobe",
            "item": "wardrobe",
        },
        "call 0",
    )
    assert kept == (
        {
            "address": "Unit 4 M19 1RE",
            "postcode": "M19 1RE",
            "note": "Pine, wardrobe",
            "item": "wardrobe",
        },
        [],
    )


def test_a_value_takes_the_form_its_description_asks_for() -> None:
    """ "as printed, without spaces" removes the spaces, "lower case" lowers; an enum value
    or a parameter whose description asks for nothing keeps its form."""
    tracking = {"type": "string", "description": "The tracking number as printed, without spaces"}
    assert coerce("1Z 999 AA1", tracking, "n") == ("1Z999AA1", ['n: "1Z 999 AA1" -> "1Z999AA1"'])
    assert coerce("General Chat", {"type": "string", "description": "Lower case"}, "c")[0] == (
        "general chat"
    )
    assert coerce("1Z 999", {"type": "string", "description": "As printed"}, "n")[0] == "1Z 999"


def test_values_given_in_other_words_stay() -> None:
    """Optional values the user gave in other words are the user's, not the model's filler:
    "part-time" -> part_time, "30k" -> 30000, "in German" -> de, "Friday, March 8, 2024" ->
    2024-03-08, "half an hour" -> 1800 seconds. A value the request does not state goes."""
    search = {
        "name": "job_search",
        "description": "Search job ads.",
        "parameters": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "employment_type": {"type": "string", "enum": ["full_time", "part_time"]},
                "min_salary": {"type": "integer"},
                "language": {"type": "string", "description": "ISO 639-1 code"},
                "posted_after": {"type": "string", "description": "YYYY-MM-DD"},
                "reminder_seconds": {"type": "integer"},
                "location": {"type": "string"},
            },
            "required": ["title"],
        },
    }
    reply = call(
        "job_search", title="data entry", employment_type="part_time", min_salary=30000,
        language="de", posted_after="2024-03-08", reminder_seconds=1800, location="Berlin",
    )  # fmt: skip
    said = (
        "Part-time data entry jobs paying at least 30k, ads in German posted after Friday, "
        "March 8, 2024; remind me in half an hour"
    )
    result = FunctionCaller(ScriptedChatModel([reply]), function_specs([search])).call(said)
    arguments = {a.name: a.value for a in result.plan.subtasks[0].arguments}
    assert arguments == {
        "title": "data entry", "employment_type": "part_time", "min_salary": 30000,
        "language": "de", "posted_after": "2024-03-08", "reminder_seconds": 1800,
    }  # fmt: skip


def test_a_required_enum_choice_is_not_made_up() -> None:
    """ "Nobody's home" gives no word of "away", but an enum value is a choice among the
    function's options, not an input the request must supply: the call stays."""
    arm = {
        "name": "arm_alarm",
        "description": "Arm the home security system.",
        "parameters": {
            "type": "object",
            "properties": {"mode": {"type": "string", "enum": ["away", "stay", "night"]}},
            "required": ["mode"],
        },
    }
    llm = ScriptedChatModel([call("arm_alarm", mode="away")])
    result = FunctionCaller(llm, function_specs([arm]), relevance_floor=None).call(
        "I'm out for the day, arm the alarm, nobody's home"
    )
    assert [t.capability for t in result.plan.subtasks] == ["arm_alarm"]


def test_parallel_calls_and_references() -> None:
    llm = ScriptedChatModel(
        [
            call("get_forecast", city="Oslo", days=1)
            + call("get_forecast", city="Lima", days=1)
            + call("plot", points=["<node-0>", "<node-1>"])
        ]
    )
    result = FunctionCaller(llm, SPECS).call("Plot tomorrow in Oslo against Lima")
    assert len(result.plan.subtasks) == 3 and result.plan.edges() == {(0, 2), (1, 2)}
    assert not result.problems


def test_a_function_not_offered_means_no_call() -> None:
    llm = ScriptedChatModel([call("book_table", people=2)])
    result = FunctionCaller(llm, SPECS, relevance_floor=None).call("Book a table for two")
    assert result.plan.subtasks == [] and "book_table" in result.reason
    assert len(llm.calls) == 1


def test_constrained_output_sends_a_schema_that_allows_no_call() -> None:
    llm = ScriptedChatModel(['{"calls": [], "reason": "nothing fits"}'])
    caller = FunctionCaller(llm, SPECS, output="constrained", relevance_floor=None)
    result = caller.call("Book a table")
    schema = llm.calls[0]["schema"]
    assert schema == answer_schema(SPECS) and result.reason == "nothing fits"
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"calls": []})
    good = {"name": "plot", "arguments": {"points": [1], "style": {"color": "red"}}}
    assert validator.is_valid({"calls": [good]})
    assert not validator.is_valid({"calls": [{"name": "plot", "arguments": {"points": "1"}}]})


def test_plan_command_prints_an_empty_plan_with_its_reason(tmp_path, monkeypatch) -> None:
    import toolpath.agent.llm as llm_module
    from toolpath.agent.cli import plan_cmd

    path = tmp_path / "functions.json"
    path.write_text(json.dumps(FUNCTIONS))
    scripted = ScriptedChatModel(["No function can forecast share prices."])
    monkeypatch.setattr(llm_module, "get_backend", lambda *a, **k: scripted)
    app = typer.Typer()
    plan_cmd.register(app, typer.Typer())
    app.callback()(lambda: None)
    result = CliRunner().invoke(
        app, ["plan", "Forecast Apple's share price", "--catalog", str(path), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["task_nodes"] == [] and report["tool_calls"] == []
    assert report["reason"] == "No function can forecast share prices."


# -- the benchmark's scorer -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("got", "want", "ok"),
    [
        (10, 10, True),
        (10.0, 10, True),
        ("10", 10, False),
        (True, 1, False),
        (1, True, False),
        ("New York ", "new york", True),
        ("New York", "New Yorks", False),
        ([1, 2], [1, 2], True),
        ([2, 1], [1, 2], False),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ("b", {"any": ["a", "b"]}, True),
        (None, "a", False),
    ],
)
def test_values_match_with_their_json_types(got: object, want: object, ok: bool) -> None:
    assert bench.value_matches(got, want) is ok


def test_calls_match_names_optional_arguments_and_any_order() -> None:
    want = [
        {"name": "f", "args": {"x": 1}, "optional": {"unit": "c"}},
        {"name": "f", "args": {"x": 2}},
    ]
    assert bench.calls_match(
        [{"name": "f", "arguments": {"x": 2}}, {"name": "f", "arguments": {"x": 1}}], want
    )
    with_default = [
        {"name": "f", "arguments": {"x": 1, "unit": "c"}},
        {"name": "f", "arguments": {"x": 2}},
    ]
    assert bench.calls_match(with_default, want)
    extra = [{"name": "f", "arguments": {"x": 1}}, {"name": "f", "arguments": {"x": 2, "y": 0}}]
    assert not bench.calls_match(extra, want)
    assert not bench.calls_match([{"name": "f", "arguments": {"x": 1}}], want)
    assert not bench.calls_match([{"name": "g", "arguments": {"x": 1}}], want[:1])


def test_irrelevance_is_right_only_without_a_call() -> None:
    question = bench.Question("q", "irrelevance", "Book a table", FUNCTIONS, [[]])
    assert bench.is_correct(question, [])
    assert not bench.is_correct(question, [{"name": "get_forecast", "arguments": {}}])
    assert not bench.is_correct(question, None)


def test_the_question_set_is_well_formed() -> None:
    questions = bench.load_questions()
    counts = {c: sum(q.category == c for q in questions) for c in bench.CATEGORIES}
    assert len(questions) >= 80 and min(counts.values()) >= 15
    assert len({q.id for q in questions}) == len(questions)
    for question in questions:
        specs = {s.name: s for s in function_specs(question.functions)}
        for alternative in question.answers:
            for expected in alternative:
                schema = specs[expected["name"]].parameters
                assert set(schema.get("required", [])) <= set(expected.get("args", {}))


def test_run_benchmark_counts_per_category_and_system() -> None:
    questions = [q for q in bench.load_questions() if q.id in ("simple-17", "irrelevance-01")]
    replies = {
        "What is the 30th Fibonacci number?": call("fibonacci", n=30),
        "Book me a table for two at an Italian restaurant tonight.": call(
            "get_weather", city="Italian"
        ),
    }
    llm = ScriptedChatModel(lambda messages: replies[messages[-1]["content"]])
    result = bench.run_benchmark(llm, questions, ["tags-free"])
    summary = result["summary"]
    assert summary["simple"] == {"questions": 1, "toolpath tags-free": 1, "direct": 1}
    assert summary["irrelevance"] == {"questions": 1, "toolpath tags-free": 0, "direct": 0}
    assert "| simple | 1 | 1 (100%) | 1 (100%) |" in bench.markdown(result)


def test_bench_functions_resumes_after_an_interruption(tmp_path, monkeypatch) -> None:
    """Each finished question is kept in rows.jsonl; the same command again asks only the
    rest; a run with other settings in the same folder is refused."""
    import toolpath.agent.llm as llm_module

    asked: list[str] = []
    interrupt = [3]  # the machine goes down during the second question, once

    def reply(messages: list[dict[str, str]]) -> str:
        asked.append(messages[-1]["content"])
        if len(asked) == interrupt[0]:
            interrupt[0] = 0
            raise KeyboardInterrupt
        return "No function fits."

    monkeypatch.setattr(llm_module, "get_backend", lambda *a, **k: ScriptedChatModel(reply))
    app = typer.Typer()
    bench.register(typer.Typer(), app)
    app.callback()(lambda: None)
    command = ["functions", "--category", "simple", "--limit", "3", "--out", str(tmp_path)]
    assert CliRunner().invoke(app, command).exit_code != 0  # interrupted
    assert len((tmp_path / "rows.jsonl").read_text().splitlines()) == 1
    asked.clear()
    result = CliRunner().invoke(app, [*command, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(asked) == 4  # two questions left, toolpath and direct each
    assert json.loads(result.output)["summary"]["simple"]["questions"] == 3
    other = CliRunner().invoke(app, [*command, "--max-retries", "0"])
    assert other.exit_code != 0 and "other settings" in other.output


def test_bench_functions_states_a_date_only_when_given_one(monkeypatch) -> None:
    """No date by default (the questions give theirs); --today puts one in toolpath's
    prompt, not the direct one; a malformed date is refused."""
    import toolpath.agent.llm as llm_module

    systems: list[str] = []

    def reply(messages: list[dict[str, str]]) -> str:
        systems.append(messages[0]["content"])
        return "No function fits."

    monkeypatch.setattr(llm_module, "get_backend", lambda *a, **k: ScriptedChatModel(reply))
    app = typer.Typer()
    bench.register(typer.Typer(), app)
    app.callback()(lambda: None)
    command = ["functions", "--category", "simple", "--limit", "1", "--json"]
    assert CliRunner().invoke(app, command, catch_exceptions=False).exit_code == 0
    assert len(systems) == 2 and not any("Today is" in text for text in systems)
    systems.clear()
    dated = CliRunner().invoke(app, [*command, "--today", "2026-03-02"], catch_exceptions=False)
    assert dated.exit_code == 0
    assert ["Today is Monday 2026-03-02" in text for text in systems] == [True, False]
    wrong = CliRunner().invoke(app, [*command, "--today", "2nd of March"])
    assert wrong.exit_code != 0 and "not a YYYY-MM-DD date" in wrong.output


def test_a_field_of_an_earlier_result_is_a_typed_reference() -> None:
    """A function that declares what it returns is shown with it, and a <node-j>.field
    reference passes the schema check of a number parameter."""
    from toolpath.planners.function_calls import system_prompt
    from toolpath.tools.spec import ToolSpec

    stats = ToolSpec(
        name="stats",
        doc="Mean and spread of a list of numbers.",
        parameters={"type": "object", "properties": {"values": {"type": "array"}}},
        output_schema={"type": "object", "properties": {"mean": {"type": "number"}}},
    )
    scale = ToolSpec(
        name="scale",
        doc="Multiply a number by a factor.",
        parameters={
            "type": "object",
            "properties": {"x": {"type": "number"}, "factor": {"type": "number"}},
            "required": ["x", "factor"],
        },
    )
    assert '"returns"' in system_prompt([stats, scale])
    assert '"returns"' not in system_prompt([scale])
    reply = call("stats", values=[1, 2, 3]) + call("scale", x="<node-0>.mean", factor=2)
    result = FunctionCaller(ScriptedChatModel([reply]), [stats, scale]).call(
        "Double the mean of 1, 2 and 3"
    )
    assert not result.problems and result.plan.edges() == {(0, 1)}
    assert result.plan.subtasks[1].arguments[0].value == "<node-0>.mean"


def test_references_counted_from_one_are_shifted() -> None:
    """call 1 reading <node-1> and call 2 reading <node-2> mean the calls before them."""
    reply = (
        call("get_forecast", city="Oslo", days=1)
        + call("plot", points=["<node-1>"])
        + call("plot", points=["<node-2>"], style={"color": "red"})
    )
    result = FunctionCaller(ScriptedChatModel([reply]), SPECS).call(
        "Plot tomorrow's forecast for Oslo, then plot that plot in red"
    )
    assert not result.problems and result.plan.edges() == {(0, 1), (1, 2)}
    assert any("numbered from 1" in note for note in result.notes)
    zero = call("get_forecast", city="Oslo", days=1) + call("plot", points=["<node-0>"])
    result = FunctionCaller(ScriptedChatModel([zero]), SPECS).call("Plot tomorrow in Oslo")
    assert result.plan.edges() == {(0, 1)} and not any("numbered" in n for n in result.notes)


def test_bench_functions_question_sets_by_name() -> None:
    fresh = bench._question_source("fresh", None)
    assert fresh.name == bench.FRESH_SET and bench.load_questions(fresh)
    assert bench._question_source("heldout", None).name == bench.HELDOUT_SET
    with pytest.raises(typer.BadParameter, match="unknown --set"):
        bench._question_source("test", None)


def test_the_requests_quotes_are_not_part_of_a_value() -> None:
    """back 'cat (neko)' gives "cat (neko)", in a list too; quotes the request does not have
    around the text stay (they may be the value's own)."""
    card = function(
        "add_card", ["back"], back={"type": "string"},
        tags={"type": "array", "items": {"type": "string"}},
    )  # fmt: skip
    request = "Add a card, back 'cat (neko)' for Ed's class, tagged \"N5\""
    for back, tag, expected in (
        ("'cat (neko)'", '"N5"', {"back": "cat (neko)", "tags": ["N5"]}),
        ("'cat'", "N5", {"back": "'cat'", "tags": ["N5"]}),
        # run on past the closing quote: cut there; an apostrophe is no closing quote
        ("cat (neko)' for Ed's class", "N5", {"back": "cat (neko)", "tags": ["N5"]}),
        ("Ed's class", "N5", {"back": "Ed's class", "tags": ["N5"]}),
    ):
        reply = call("add_card", back=back, tags=[tag])
        assert first_arguments(card, [reply] * 2, request) == expected


def test_a_file_name_gets_the_folders_the_request_gives_it() -> None:
    """path "cat.png" for "photos/cat.png" is the request's path; not when the request also
    says the bare name, names two such paths, or the name only starts a longer one, nor for
    a value that is no file name ("USD" in "EUR/USD")."""
    resize = function("resize", ["path"], path={"type": "string"})
    for request, path, expected in (
        ("Resize photos/cat.png to 640 wide", "cat.png", "photos/cat.png"),
        ("Resize ~/pics/cat.png, please", "cat.png", "~/pics/cat.png"),
        ("Resize cat.png, not old/cat.png", "cat.png", "cat.png"),
        ("Resize a/cat.png and b/cat.png", "cat.png", "cat.png"),
        ("Resize photos/cat.png", "cat", "cat"),
        ("Resize /tmp/cat.png now", "cat.png", "/tmp/cat.png"),
        ("Chart the EUR/USD rate", "USD", "USD"),  # a file name only
    ):
        reply = call("resize", path=path)
        assert first_arguments(resize, [reply] * 2, request) == {"path": expected}, request


RESERVE = function(
    "reserve_table", ["restaurant", "date"], restaurant={"type": "string"},
    date={"type": "string", "description": "YYYY-MM-DD"},
)  # fmt: skip


@pytest.mark.parametrize(
    ("today", "date", "asked"),
    [
        (dt.date(2026, 12, 5), "2026-12-06", False),  # tomorrow
        (dt.date(2026, 12, 5), "2026-12-09", True),  # not tomorrow: asked about
        (None, "2026-12-06", True),  # no date known: a made-up date
    ],
)
def test_the_caller_tells_the_date_and_reads_tomorrow_on_it(
    today: dt.date | None, date: str, asked: bool
) -> None:
    llm = ScriptedChatModel([call("reserve_table", restaurant="Noma", date=date)] * 2)
    FunctionCaller(llm, function_specs([RESERVE]), relevance_floor=None, today=today).call(
        "Reserve a table at Noma tomorrow"
    )
    system = llm.calls[0]["messages"][0]["content"]
    assert ("Today is Saturday 2026-12-05" in system) is (today is not None)
    assert len(llm.calls) == (2 if asked else 1)


def test_the_decomposer_tells_the_function_caller_todays_date() -> None:
    """By default the real date, read per request; a clock returning None states none."""
    llm = ScriptedChatModel([call("reserve_table", restaurant="Noma", date="2026-12-06")] * 4)
    catalog = function_catalog(function_specs([RESERVE]))
    Decomposer(llm, catalog).decompose("Reserve a table at Noma")
    assert (
        f"Today is {dt.date.today():%A} {dt.date.today()}"
        in llm.calls[-1]["messages"][0]["content"]
    )
    Decomposer(llm, catalog, today=lambda: None).decompose("Reserve a table at Noma")
    assert "Today is" not in llm.calls[-1]["messages"][0]["content"]


def test_a_date_and_time_the_request_gives_stays() -> None:
    """An optional "2025-03-01T06:00" for "6am on 1 March 2025" is the request's (kept);
    07:00 that day, or 06:00 another day, is not (left out)."""
    publish = function(
        "publish_episode", ["title"], title={"type": "string"},
        publish_at={"type": "string", "description": "YYYY-MM-DDTHH:MM"},
    )  # fmt: skip
    for stamp, kept in (
        ("2025-03-01T06:00", True),
        ("2025-03-01T07:00", False),
        ("2025-03-02T06:00", False),
    ):
        reply = call("publish_episode", title="Compost myths", publish_at=stamp)
        arguments = first_arguments(
            publish, [reply], 'Publish "Compost myths" at 6am on 1 March 2025'
        )
        assert ("publish_at" in arguments) is kept


def test_an_optional_object_the_request_does_not_give_is_left_out() -> None:
    """quiet_hours {"start": "00:00", "end": "06:00"} that nobody asked for goes; the same
    object with the request's hours stays."""
    hours_schema = {
        "type": "object",
        "properties": {"start": {"type": "string"}, "end": {"type": "string"}},
    }
    alert = function(
        "alert_configure", ["threshold"], threshold={"type": "number"}, quiet_hours=hours_schema
    )
    for request, kept in (
        ("Email me if the daily yield drops below 8 kWh", False),
        ("Email me if it drops below 8 kWh, but not between 10pm and 7am", True),
    ):
        hours = {"start": "22:00", "end": "07:00"} if kept else {"start": "00:00", "end": "06:00"}
        reply = call("alert_configure", threshold=8, quiet_hours=hours)
        assert ("quiet_hours" in first_arguments(alert, [reply], request)) is kept


def test_an_argument_the_function_does_not_declare_is_left_out() -> None:
    renew = function("season_renew", ["supporter"], supporter={"type": "integer"})
    reply = call("season_renew", supporter=276045, tickets=[{"type": "adult", "quantity": 2}])
    said = "Supporter 276045: renew my season ticket"
    assert first_arguments(renew, [reply], said) == {"supporter": 276045}
    open_schema = {**renew, "parameters": {**renew["parameters"], "additionalProperties": True}}
    assert "tickets" in first_arguments(open_schema, [reply], said)


_BOOKING = function(
    "lane_book",
    ["customer", "phone", "start_time"],
    customer={"type": "string"},
    phone={"type": "string", "description": "International format, e.g. +441632960000"},
    start_time={"type": "string", "description": "HH:MM"},
)


@pytest.mark.parametrize(
    "second",
    [
        # written twice alike
        {"customer": "Amy Lee", "phone": "+447700900301", "start_time": "18:10"},
        # alike once repaired: the phone in its national form
        {"customer": "Amy Lee", "phone": "07700 900301", "start_time": "18:10"},
    ],
)
def test_a_call_made_twice_is_made_once(second: dict) -> None:
    first = {"customer": "Amy Lee", "phone": "+447700900301", "start_time": "18:10"}
    answer = Answer(calls=[{"name": "lane_book", "arguments": a} for a in (first, second)])
    specs = {spec.name: spec for spec in function_specs([_BOOKING])}
    request_text = "A lane at ten past six in the evening please. Amy Lee, 07700 900301"
    checked = check_answer(answer, specs, request_text)
    assert [c["arguments"] for c in checked.calls] == [first]
    assert any("repeated an earlier call" in note for note in checked.notes)
