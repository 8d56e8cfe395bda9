"""Values the model wrote in another form than the request's, put right through the checks
(session 14): times of day matched by their hour, numeric dates and phone numbers in the
form a description asks for, names cut to what the request gives, an optional argument
repeating a required one, and calls kept or dropped by whether any input is the request's.
Scripted answers, no LLM."""

from __future__ import annotations

import pytest

from function_call_helpers import answered, call, first_arguments, function
from toolpath.planners.call_checks import closest_function
from toolpath.planners.call_context import CallContext
from toolpath.planners.coercion import (
    as_written,
    to_the_adults,
    to_the_later_end,
    to_the_party_size,
    to_the_recipient,
    to_the_request_date,
    to_the_request_email,
    to_the_request_phone,
    to_the_request_time,
    to_the_signer,
    to_the_span,
    to_the_span_start,
    to_the_stated_year,
    to_year_months,
)
from toolpath.planners.grounding import grounded
from toolpath.planners.option_repairs import (
    to_the_fuller_option,
    to_the_named_option,
    to_the_stated_period,
    without_unnamed_items,
)

HHMM = {"type": "string", "description": "HH:MM, 24-hour clock"}
SCHEDULE = function(
    "charge_schedule",
    ["start_time", "end_time"],
    start_time=HHMM,
    end_time=HHMM,
    target_percent={"type": "integer", "description": "Stop at this charge (default 100)"},
)


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # two times free: each goes to the one in its hour, or that hour of the other half
        ("charge from half eleven at night till half five in the morning",
         {"start_time": "11:00", "end_time": "05:00"},
         {"start_time": "23:30", "end_time": "05:30"}),
        ("drop it off at half eight", {"start_time": "08:00"}, {"start_time": "08:30"}),
        # "half eight" is 08:30 or 20:30: 14:00 is in neither hour; 08:30 is nearer
        ("drop it off at half eight", {"start_time": "14:00"}, {"start_time": "08:30"}),
        ("the eye test at twenty to four", {"start_time": "20:04"}, {"start_time": "15:40"}),
        ("the hall from 7pm till half eleven at night",
         {"start_time": "19:00", "end_time": "19:30"},
         {"start_time": "19:00", "end_time": "23:30"}),
        # two times unstated, two readings free: in order, each in the nearer half
        ("the committee room, quarter to eight till nine in the evening",
         {"start_time": "16:30", "end_time": "17:30"},
         {"start_time": "19:45", "end_time": "21:00"}),
        # three readings free for two times: they stay
        ("quarter to eight, nine in the evening or ten past eleven",
         {"start_time": "16:30", "end_time": "17:30"},
         {"start_time": "16:30", "end_time": "17:30"}),
        # 02:20 is night: the afternoon's, though the model's 22:00 is nearer 02:20
        ("valued at twenty past two", {"start_time": "22:00"}, {"start_time": "14:20"}),
        # as near to 09:30 as to 21:30, both waking hours: the morning's
        ("dropping her off at half 9", {"start_time": "15:30"}, {"start_time": "09:30"}),
        # both waking hours: the nearer (20:30 for 17:00)
        ("the hall till half eight", {"end_time": "17:00"}, {"end_time": "20:30"}),
        # 23:40 is night: 11:40, though the model's 22:00 is nearer 23:40
        ("move it to twenty to twelve", {"start_time": "22:00"}, {"start_time": "11:40"}),
        # after ten at night is no one's appointment either: 10:20, not 22:20
        ("the scan at twenty past ten", {"start_time": "20:00"}, {"start_time": "10:20"}),
        # two readings free, not one in both halves: it stays
        ("at half two or ten past four", {"start_time": "08:00"}, {"start_time": "08:00"}),
        # the one in its hour is in the small hours, its afternoon reading given too: that
        ("come to the office at twenty past two", {"start_time": "02:00"},
         {"start_time": "14:20"}),
        ("the small hours: 2.20am", {"start_time": "02:00"}, {"start_time": "02:20"}),
        # a part of the day said before the time: that half only
        ("the sunset cruise that evening at quarter past eight", {"start_time": "08:45"},
         {"start_time": "20:15"}),
        ("Friday morning at half six", {"start_time": "18:00"}, {"start_time": "06:30"}),
        # a time stated in the small hours, its afternoon reading given too: the afternoon's
        ("pick me up at quarter past one", {"start_time": "01:15"}, {"start_time": "13:15"}),
        ("an oche at five for four of us", {"start_time": "05:00"}, {"start_time": "17:00"}),
        ("a swim at 6am", {"start_time": "06:00"}, {"start_time": "06:00"}),
        ("the small hours: at 1.15am", {"start_time": "01:15"}, {"start_time": "01:15"}),
        ("charge till half five in the morning", {"end_time": "05:30"}, {"end_time": "05:30"}),
        # a time the request states stays, "at 4" included
        ("Ruby at 3.30pm and Ivy straight after at 4.", {"start_time": "16:00"},
         {"start_time": "16:00"}),
    ],
)  # fmt: skip
def test_a_time_the_request_does_not_state_goes_to_the_one_in_its_hour(
    request_text: str, written: dict, expected: dict
) -> None:
    assert to_the_request_time(written, CallContext({}, request_text, "call 0"))[0] == expected


DENTIST = function(
    "appointment_book",
    ["patient_name", "date_of_birth"],
    patient_name={"type": "string"},
    date_of_birth={"type": "string", "description": "YYYY-MM-DD"},
    phone={"type": "string", "description": "Number in international format, e.g. +447700900123"},
    dentist={"type": "string", "description": "Dentist asked for (leave out for any dentist)"},
)


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # day first, as the request's other date shows (30/06 has no month 30)
        ("Ruby Cole (dob 11/02/2014) and Ivy Cole (dob 30/06/2017)", "11/02/2014", "2014-02-11"),
        ("Ivy Cole, dob 30/06/2017", "30/06/2017", "2017-06-30"),  # the value shows it
        ("Sam Lee, born 02/11/2014", "02/11/2014", "02/11/2014"),  # nothing tells: stays
        ("Sam Lee, born 12/25/2014", "12/25/2014", "2014-12-25"),  # month first
    ],
)  # fmt: skip
def test_a_numeric_date_takes_the_yyyy_mm_dd_form_when_its_order_is_known(
    request_text: str, written: str, expected: str
) -> None:
    name = request_text.split(" (")[0].split(",")[0]
    reply = call("appointment_book", patient_name=name, date_of_birth=written)
    arguments = first_arguments(DENTIST, [reply, reply], request_text)
    assert arguments["date_of_birth"] == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("07700 900461", "+447700900461"),  # national form, in the example's country
        ("+44 7700 900812", "+447700900812"),
        ("+447700900812", "+447700900812"),
        ("(415) 555-2671", "(415) 555-2671"),  # no trunk prefix: which country is unknown
    ],
)
def test_a_phone_number_takes_the_international_form_its_description_asks_for(
    written: str, expected: str
) -> None:
    request = f"Priya Nair, dob 01/02/1990, new number {written}"
    reply = call("appointment_book", patient_name="Priya Nair", date_of_birth="1990-02-01",
                 phone=written)  # fmt: skip
    assert first_arguments(DENTIST, [reply, reply], request)["phone"] == expected


def test_a_phone_number_in_international_form_is_the_requests_national_one() -> None:
    assert grounded("+447700900461", "my mobile is 07700 900461")
    assert grounded("+447700900461", "call +44 7700 900461")
    assert not grounded("+447700900462", "my mobile is 07700 900461")


def test_an_optional_name_repeating_a_required_one_is_left_out() -> None:
    request = "Book Ruby Cole in, date of birth 11 February 2014"
    reply = call("appointment_book", patient_name="Ruby Cole", date_of_birth="2014-02-11",
                 dentist="Ruby Cole")  # fmt: skip
    assert "dentist" not in first_arguments(DENTIST, [reply], request)


MUSIC = function(
    "music_order",
    ["title", "copies"],
    title={"type": "string"},
    composer={"type": "string"},
    copies={"type": "integer"},
)


@pytest.mark.parametrize(
    ("request_text", "composer", "expected"),
    [
        ("thirty copies of the Fauré Requiem", "Jules Fauré", "Fauré"),
        ("12 copies of Rutter's For the Beauty of the Earth", "John Rutter", "Rutter"),
        ("12 copies of John Rutter's Gloria", "John Rutter", "John Rutter"),
        # one word a letter off: the request's spelling, not the name cut
        ("the Gloria by Ffion Davies, thirty copies", "Fion Davies", "Ffion Davies"),
        ("the Gloria by Ffion Davies, thirty copies", "Ffion Davis", "Ffion Davies"),
        # a first word not near the request's: cut as before
        ("the Gloria by Ffion Davies, thirty copies", "Jules Davies", "Davies"),
    ],
)
def test_a_name_is_cut_to_the_words_the_request_gives(
    request_text: str, composer: str, expected: str
) -> None:
    reply = call("music_order", title="Requiem", composer=composer, copies=30)
    assert first_arguments(MUSIC, [reply], request_text).get("composer") == expected


def test_a_name_two_words_off_the_requests_is_not_respelled() -> None:
    context = CallContext({}, "the Gloria by Ffion Davies, thirty copies", "call 0")
    assert as_written({"composer": "Fion Davis"}, context)[0] == {"composer": "Fion Davis"}


def test_a_call_with_a_requests_value_in_an_optional_argument_is_not_made_up() -> None:
    """The required times are the model's own reading (11:00 for "half eleven"), but the
    optional target is the request's: the call does what was asked and is kept."""
    reply = call("charge_schedule", start_time="10:00", end_time="04:00", target_percent=90)
    request = "charge it overnight, only to 90 per cent"
    result = answered(SCHEDULE, [reply, reply], request)
    assert [t.capability for t in result.plan.subtasks] == ["charge_schedule"]
    assert not any("none of its inputs" in note for note in result.notes)


def test_a_call_reading_its_own_result_has_no_input_and_goes() -> None:
    repair = function("repair_status", ["job_number"], job_number={"type": "integer"})
    reply = call("repair_status", job_number="<node-0>")
    result = answered(repair, [reply, reply], "what time does the bike shop shut on saturdays?")
    assert not result.plan.subtasks and not result.problems


def test_a_time_another_call_gives_is_not_taken_again() -> None:
    """Two guests at 5.15pm and at 5.40: the second call's 17:40 is read; with a time the
    checks cannot read, the one time left is the first call's and is not given twice."""
    request = "Ruth in the studio at 5.15pm, then Terry down the phone"
    written = {"start_time": "17:40"}
    other_call = CallContext({}, request, "call 1", frozenset({"17:15"}))
    assert to_the_request_time(written, other_call)[0] == written
    own_call = CallContext({}, request, "call 0")
    assert to_the_request_time(written, own_call)[0] == {"start_time": "17:15"}


RENT = function(
    "tool_rent",
    ["tool", "days"],
    tool={"type": "string"},
    days={"type": "integer", "description": "Hire length in days"},
)


@pytest.mark.parametrize("days", [0, 1])
def test_a_zero_or_one_is_not_replaced_by_the_only_duration(days: int) -> None:
    """ "a hedge trimmer just for the Saturday" is 1 day although the request's only
    duration is 2 days (another tool's); 0 is the model giving nothing, not a duration."""
    request = "a pressure washer for 2 days and a hedge trimmer just for the Saturday"
    reply = call("tool_rent", tool="hedge_trimmer", days=days)
    assert first_arguments(RENT, [reply, reply], request)["days"] == days


BOOTH = {
    "properties": {
        "start_time": HHMM,
        "hours": {"type": "integer", "description": "Length of the hire"},
    }
}
HALL = {"properties": {"start_time": HHMM, "duration_minutes": {"type": "number"}}}


@pytest.mark.parametrize(
    ("schema", "request_text", "written", "expected"),
    [
        # the span from the call's own start: 8pm to midnight is 4 hours
        (BOOTH, "a booth at the party, from 8pm till midnight, at The Crown",
         {"start_time": "20:00", "hours": 2}, {"start_time": "20:00", "hours": 4}),
        # ends read on the half of the day the call's start gives: 19:30 to 23:00
        (HALL, "the hall from half seven until eleven, for 120 people",
         {"start_time": "19:30", "duration_minutes": 60},
         {"start_time": "19:30", "duration_minutes": 210}),
        # 3.5 hours is no whole number of an integer's hours: it stays
        (BOOTH, "the hall from half seven until eleven, for 120 people",
         {"start_time": "19:30", "hours": 3}, {"start_time": "19:30", "hours": 3}),
        # the request states the written duration itself: it stays
        (BOOTH, "from 8pm till midnight, though we only need it for two hours",
         {"start_time": "20:00", "hours": 2}, {"start_time": "20:00", "hours": 2}),
        # no span from the call's start (19:00): nothing to go by
        (BOOTH, "from 8pm till midnight",
         {"start_time": "19:00", "hours": 2}, {"start_time": "19:00", "hours": 2}),
        # "from 10 to 12 people": no end is marked as a time
        (BOOTH, "a room at 10:00, from 10 to 12 people",
         {"start_time": "10:00", "hours": 1}, {"start_time": "10:00", "hours": 1}),
        # two durations in the call: which one the span is, is not known
        ({"properties": {**BOOTH["properties"], "setup_minutes": {"type": "integer"}}},
         "from 8pm till midnight", {"start_time": "20:00", "hours": 2, "setup_minutes": 30},
         {"start_time": "20:00", "hours": 2, "setup_minutes": 30}),
    ],
)  # fmt: skip
def test_a_duration_is_the_time_span_from_the_calls_start(
    schema: dict, request_text: str, written: dict, expected: dict
) -> None:
    fixed, notes = to_the_span(written, CallContext(schema, request_text, "call 0"))
    assert fixed == expected
    assert bool(notes) == (fixed != written)


def test_the_checks_set_a_duration_to_the_span_the_request_gives() -> None:
    hire = function("booth_hire", ["start_time", "hours"], **BOOTH["properties"])
    reply = call("booth_hire", start_time="20:00", hours=2)
    request = "a photo booth at the party, from 8pm till midnight, please"
    assert first_arguments(hire, [reply, reply], request)["hours"] == 4


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # the span ends at 1am: it starts at seven in the evening
        ("from seven till one in the morning", {"start_time": "07:00", "hours": 2},
         {"start_time": "19:00", "hours": 2}),
        ("from seven till one in the morning", {"start_time": "07:00:00"},
         {"start_time": "19:00:00"}),
        # already the span's start, or not its hour at all: it stays
        ("from seven till one in the morning", {"start_time": "19:00"}, {"start_time": "19:00"}),
        ("from seven till one in the morning", {"start_time": "08:00"}, {"start_time": "08:00"}),
        # both halves give a span as short: nothing to choose by
        ("from half seven until eleven", {"start_time": "07:30"}, {"start_time": "07:30"}),
    ],
)  # fmt: skip
def test_a_time_of_day_moves_to_the_half_the_span_starts_in(
    request_text: str, written: dict, expected: dict
) -> None:
    fixed, notes = to_the_span_start(written, CallContext(BOOTH, request_text, "call 0"))
    assert fixed == expected
    assert bool(notes) == (fixed != written)


def test_the_checks_start_and_size_a_call_by_the_span() -> None:
    hire = function("booth_hire", ["start_time", "hours"], **BOOTH["properties"])
    reply = call("booth_hire", start_time="07:00", hours=2)
    request = "the bar for our party, from seven till one in the morning, for 150 people"
    assert first_arguments(hire, [reply, reply], request) == {"start_time": "19:00", "hours": 6}


CANCEL = function("tee_cancel", ["booking_ref"], booking_ref={"type": "string"},
                  notify_players={"type": "boolean"})  # fmt: skip


@pytest.mark.parametrize(
    ("written", "request_text", "expected"),
    [
        (["GT-7781", "GT-7790"], "please cancel GT-7781 and GT-7790", ["GT-7781", "GT-7790"]),
        # references joined in one text, each given on its own
        ("GT-7781;GT-7790", "please cancel GT-7781 and GT-7790", ["GT-7781", "GT-7790"]),
        ("GT-7781 and GT-7790", "cancel GT-7781, also GT-7790", ["GT-7781", "GT-7790"]),
        # the request gives the whole text: one value
        ("GT-7781, GT-7790", "the booking is 'GT-7781, GT-7790'", ["GT-7781, GT-7790"]),
        # words, not references: one value
        ("Ella and Dan", "cancel GT-7781 for Ella, and for Dan", ["Ella and Dan"]),
    ],
)
def test_several_values_where_one_goes_become_a_call_for_each(
    written: str | list[str], request_text: str, expected: list[str]
) -> None:
    reply = call("tee_cancel", booking_ref=written, notify_players=False)
    result = answered(CANCEL, [reply, reply], request_text + ", no need to notify the players")
    refs = [{a.name: a.value for a in t.arguments}["booking_ref"] for t in result.plan.subtasks]
    assert refs == expected and not result.problems


def test_a_function_named_with_a_prefix_no_function_has_is_the_one_named_alike() -> None:
    specs = dict.fromkeys(["climbwall_induction_book", "climbwall_session_book", "tee_book"])
    assert closest_function("bookwall_induction_book", specs) == "climbwall_induction_book"
    assert closest_function("tee_induction_book", specs) is None  # tee_ is a prefix offered
    assert closest_function("climbwall_induction_cancel", specs) is None  # another verb


ENGRAVE = function(
    "engrave",
    ["item", "text"],
    item={"type": "string", "enum": ["tankard", "watch", "dog_tag"]},
    text={"type": "string"},
)


def test_a_value_outside_the_options_after_the_last_attempt_drops_that_call() -> None:
    """ "kitchen knives" is no engravable item, twice: the function cannot do it, so no call
    (not an error); a valid call beside it stays. Any other problem is still an error."""
    knives = call("engrave", item="kitchen knives", text="Sharpened")
    result = answered(
        ENGRAVE,
        [knives, knives],
        "do you sharpen kitchen knives? and engrave my dog tag with Sharpened",
    )
    assert not result.plan.subtasks and not result.problems
    assert "'kitchen knives' is not one of" in result.reason
    tag = call("engrave", item="dog_tag", text="BISCUIT")
    result = answered(
        ENGRAVE,
        [tag + knives] * 2,
        "engrave BISCUIT on a dog_tag, and kitchen knives with Sharpened",
    )
    assert [t.capability for t in result.plan.subtasks] == ["engrave"]
    missing = call("engrave", item="dog_tag")
    result = answered(ENGRAVE, [missing] * 2, "engrave my dog tag")
    assert result.problems


def test_a_call_reading_its_own_output_after_the_last_attempt_goes() -> None:
    """Twice a call whose phone is its own result ("<node-0>"): no plan can hold it, so it
    goes and the answer is no call (not an error), as for a function that cannot do it."""
    table = function("table_book", ["booker", "phone"], booker={"type": "string"},
                     phone={"type": "string"})  # fmt: skip
    looped = call("table_book", booker="Ray Dunn", phone="<node-0>")
    result = answered(
        table, [looped, looped], "I need to cancel my table, it's booked under Ray Dunn"
    )
    assert not result.plan.subtasks and not result.problems
    assert "refers to its own output" in result.reason


def test_a_call_still_failing_after_the_last_attempt_goes_where_another_stands() -> None:
    """Twice a tankard engraving (asked for) with a watch engraving the request gives no
    text for: the tankard's call stands, the watch's goes, noted; the same failing call
    alone is still an error."""
    tankard = call("engrave", item="tankard", text="Best Dad")
    watch = call("engrave", item="watch")
    result = answered(
        ENGRAVE, [tankard + watch] * 2, "engrave Best Dad on my tankard; and do you do watches?"
    )
    assert [a.value for a in result.plan.subtasks[0].arguments] == ["tankard", "Best Dad"]
    assert len(result.plan.subtasks) == 1 and not result.problems
    assert any("the calls beside it stand" in note for note in result.notes)


OPTIONS = {
    "type": "object",
    "properties": {
        "appliance": {"type": "string", "enum": ["wood_burner", "multi_fuel_stove", "open_fire"]},
        "channel": {"type": "string", "enum": ["letter", "sms", "email"]},
        "from_unit": {"type": "string", "enum": ["kg", "lb", "mile", "km"]},
        "to_unit": {"type": "string", "enum": ["kg", "lb", "mile", "km"]},
        "format": {"type": "string", "enum": ["book", "ebook", "audiobook"]},
        "display": {"type": "string", "enum": ["static", "flying", "static_and_flying"]},
        "concern": {
            "type": "string",
            "enum": ["back_or_neck_pain", "headaches_or_migraines", "stress", "other"],
        },
        "occasion": {
            "type": "string",
            "enum": ["wedding_guest", "mother_of_the_bride_or_groom", "bride"],
        },
    },
}


@pytest.mark.parametrize(
    ("request_text", "written", "taken", "expected"),
    [
        # the only option the request names replaces one it does not give
        ("sweep the chimney for our multi fuel stove", {"appliance": "wood_burner"}, (),
         {"appliance": "multi_fuel_stove"}),
        # the option written is there, named after a negation: not named
        ("reminders by post please, he doesn't do mobiles or email", {"channel": "letter"}, (),
         {"channel": "letter"}),
        # the model's option is in the request, its letters in a row: stays
        ("renew the book and search for e-books", {"format": "ebook"}, (), {"format": "ebook"}),
        # the option named is another argument's ("kg"), so "lb" for pounds stays
        ("how many pounds is 68 kg?", {"from_unit": "kg", "to_unit": "lb"}, (),
         {"from_unit": "kg", "to_unit": "lb"}),
        # ... or another call's
        ("add an open fire show and a sports one", {"appliance": "wood_burner"}, ("open_fire",),
         {"appliance": "wood_burner"}),
        # the options joined in one text: the one the request names (in another form)
        ("sweep our two open fires", {"appliance": "wood_burner; open_fire"}, (),
         {"appliance": "open_fire"}),
        ("a wood-burners sweep", {"appliance": "wood_burner; multi_fuel_stove; open_fire"}, (),
         {"appliance": "wood_burner"}),
        ("sweep please", {"appliance": "wood_burner; open_fire"}, (),
         {"appliance": "wood_burner; open_fire"}),
        # two options named: nothing tells which
        ("a wood burner or an open fire", {"appliance": "multi_fuel_stove"}, (),
         {"appliance": "multi_fuel_stove"}),
        # the model's option holds the one named: it stays; one that does not, goes
        ("birds on perches for the kids and a flying demo", {"display": "static_and_flying"},
         (), {"display": "static_and_flying"}),
        ("birds on perches for the kids and a flying demo", {"display": "static"}, (),
         {"display": "flying"}),
        # an "either" option, named by one of its things, each completed by the shared words
        ("I've had migraines for years", {"concern": "back_or_neck_pain"}, (),
         {"concern": "headaches_or_migraines"}),
        ("my neck pain is back", {"concern": "other"}, (), {"concern": "back_or_neck_pain"}),
        ("as mother of the groom, a hat", {"occasion": "wedding_guest"}, (),
         {"occasion": "mother_of_the_bride_or_groom"}),
        # an option named plainly comes first: "bride" here, not the mother's
        ("I'm the bride; the mother of the groom comes too", {"occasion": "wedding_guest"}, (),
         {"occasion": "bride"}),
    ],
)  # fmt: skip
def test_an_option_the_request_does_not_give_goes_to_the_one_it_names(
    request_text: str, written: dict, taken: tuple, expected: dict
) -> None:
    repaired, _ = to_the_named_option(
        written, CallContext(OPTIONS, request_text, "call 0", frozenset(taken))
    )
    assert repaired == expected


FAULTS = {
    "type": "object",
    "properties": {
        "symptom": {"type": "string", "enum": [
            "no_heating", "no_hot_water", "no_heating_or_hot_water", "leaking"]},
        "vehicle": {"type": "string", "enum": [
            "car", "van", "car_and_trailer", "car_and_roof_box"]},
        "home": {"type": "string", "enum": [
            "flat", "house_with_garden", "house_without_garden"]},
    },
}  # fmt: skip


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # every word of a fuller option said in one sentence: that option
        ("Boiler's packed in, no heating and no hot water. BS5 6TY", {"symptom": "no_heating"},
         {"symptom": "no_heating_or_hot_water"}),
        ("I'll bring the trailer behind my estate car.", {"vehicle": "car"},
         {"vehicle": "car_and_trailer"}),
        # the further words declined, or said in another sentence: as written
        ("No heating. The hot water works fine.", {"symptom": "no_heating"},
         {"symptom": "no_heating"}),
        ("My car this time, not the trailer.", {"vehicle": "car"}, {"vehicle": "car"}),
        # two fuller options said: nothing tells which
        ("The car with a trailer and a roof box.", {"vehicle": "car"}, {"vehicle": "car"}),
        # "with" is not "without": the house with a garden stays
        ("We live in a house with a back garden, LS6 4JN.", {"home": "house_with_garden"},
         {"home": "house_with_garden"}),
    ],
)  # fmt: skip
def test_an_option_goes_to_the_fuller_one_the_request_says(
    request_text: str, written: dict, expected: dict
) -> None:
    assert to_the_fuller_option(written, CallContext(FAULTS, request_text, "call 0"))[0] == (
        expected
    )


PERIODS = {
    "type": "object",
    "properties": {
        "frequency": {"type": "string", "enum": ["weekly", "fortnightly", "monthly"]},
        "box_every": {"type": "string", "enum": ["every_month", "every_two_months"]},
        "visits": {"type": "string", "enum": ["weekly", "biweekly"]},
    },
}


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        ("A medium box every other week, please.", {"frequency": "weekly"},
         {"frequency": "fortnightly"}),
        ("Mow it every two weeks from May.", {"frequency": "monthly"},
         {"frequency": "fortnightly"}),
        ("The cheese box every second month.", {"box_every": "every_month"},
         {"box_every": "every_two_months"}),
        ("A clean every other week.", {"visits": "weekly"}, {"visits": "biweekly"}),
        # no period of two stated, or two of them: as written
        ("A medium box every week, please.", {"frequency": "weekly"}, {"frequency": "weekly"}),
        ("Every other week, and the cheese every other month.", {"frequency": "weekly"},
         {"frequency": "weekly"}),
    ],
)  # fmt: skip
def test_an_option_goes_to_the_period_of_two_the_request_states(
    request_text: str, written: dict, expected: dict
) -> None:
    assert to_the_stated_period(written, CallContext(PERIODS, request_text, "call 0"))[0] == (
        expected
    )


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        ("bird guards on both pots? HX7 8AD, two storey", "HX7", "HX7 8AD"),
        ("at LS18 5NA please", "LS18", "LS18 5NA"),
        ("LS18 5NA or LS18 4QT", "LS18", "LS18"),  # two postcodes start so: stays
        ("room HX7 on floor 2", "HX7", "HX7"),  # no postcode: stays
    ],
)
def test_half_a_postcode_becomes_the_whole_one_the_request_writes(
    request_text: str, written: str, expected: str
) -> None:
    call_context = CallContext({}, request_text, "call 0")
    assert as_written({"postcode": written}, call_context)[0] == {"postcode": expected}


APPOINTMENT = function(
    "appointment_book",
    ["patient_name", "date", "appointment"],
    patient_name={"type": "string"},
    date={"type": "string", "description": "YYYY-MM-DD"},
    appointment={"type": "string", "enum": ["hearing_test", "aid_fitting", "aid_review"]},
)


def planned_options(replies: list[str], request: str) -> list[str]:
    result = answered(APPOINTMENT, replies, request)
    return [
        next(a.value for a in task.arguments if a.name == "appointment")
        for task in result.plan.subtasks
    ]


def booked(*options: str, date: str = "2026-12-09") -> str:
    return "\n".join(
        call("appointment_book", patient_name="Arthur Bell", date=date, appointment=option)
        for option in options
    )


def test_calls_running_through_the_options_keep_the_ones_the_request_gives() -> None:
    request = "Can Arthur Bell have his hearing test on Wednesday 9 December 2026?"
    answer = booked("aid_fitting", "hearing_test", "aid_review")
    assert planned_options([answer], request) == ["hearing_test"]
    # none given in its words ("his aids checked"): the model's first choice stays
    request = "Can Arthur Bell have his aids checked on Wednesday 9 December 2026?"
    assert planned_options([booked("aid_review", "hearing_test", "aid_fitting")], request) == [
        "aid_review"
    ]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # two calls alike but for the option: a real pair may be so ("and get the aids
        # fitted" said another way); both stay
        (booked("hearing_test", "aid_fitting"), ["hearing_test", "aid_fitting"]),
        # calls that differ in more than the option are separate bookings
        (booked("hearing_test") + booked("aid_fitting", date="2026-12-10")
         + booked("aid_review", date="2026-12-11"),
         ["hearing_test", "aid_fitting", "aid_review"]),
    ],
)  # fmt: skip
def test_other_calls_to_one_function_stay(answer: str, expected: list[str]) -> None:
    request = "Arthur Bell: hearing test 9 Dec 2026, and the new aids in on 10 and 11 Dec 2026"
    assert planned_options([answer], request) == expected


@pytest.mark.parametrize(
    ("request_text", "written", "taken", "expected"),
    [
        # a date the request does not state goes to the only one it states
        ("visits: Tuesday 8 September 2026 in the morning", {"date": "2026-09-02"}, (),
         {"date": "2026-09-08"}),
        # ... that no other call gives
        ("the first on Tuesday 8 September 2026, the second Thursday 10 September 2026",
         {"date": "2026-09-02"}, ("2026-09-10",), {"date": "2026-09-08"}),
        # two dates free: it stays
        ("Tuesday 8 September 2026 or Thursday 10 September 2026", {"date": "2026-09-02"}, (),
         {"date": "2026-09-02"}),
        # "the whole year" and "that day" count no date from another
        ("pay the whole year up front, from Thursday 1 July 2027; any time that day",
         {"start_date": "2027-07-04"}, (), {"start_date": "2027-07-01"}),
        ("Thursday 1 July 2027, for three days", {"end_date": "2027-07-03"}, (),
         {"end_date": "2027-07-03"}),  # a span counted: it stays
        # a date counted from the one stated: it stays
        ("cakes for the Saturday after Friday 16 October 2026", {"date": "2026-10-17"}, (),
         {"date": "2026-10-17"}),
        # stated without its year: it stays
        ("moving Saturday 1 August 2026; boxes by Monday 27 July", {"date": "2026-07-27"}, (),
         {"date": "2026-07-27"}),
        # a date counted from the one written before ("a fortnight later"), the other call's
        # date taken: the counted one
        ("one on Saturday 10 July 2027, then nine of us a fortnight later",
         {"date": "2027-08-19"}, ("2027-07-10",), {"date": "2027-07-24"}),
    ],
)  # fmt: skip
def test_a_date_the_request_does_not_state_goes_to_the_only_one_it_does(
    request_text: str, written: dict, taken: tuple, expected: dict
) -> None:
    call_context = CallContext({}, request_text, "call 0", frozenset(taken))
    assert to_the_request_date(written, call_context)[0] == expected


PHONE = {
    "type": "object",
    "properties": {
        "phone": {"type": "string", "description": "International format, e.g. +447700900123"},
        "barcode": {"type": "string"},
    },
}


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # a made-up number: the request's only one, in the form asked for
        ("Gareth Pugh, 07700 900783", {"phone": "+441632960000"}, {"phone": "+447700900783"}),
        # the request's own: stays
        ("Gareth Pugh, 07700 900783", {"phone": "+447700900783"}, {"phone": "+447700900783"}),
        # two numbers given: nothing tells
        ("07700 900783 or 07700 900111", {"phone": "+441632960000"},
         {"phone": "+441632960000"}),
        # a parameter that is no phone keeps its digits
        ("call 07700 900783", {"barcode": "31006004418872"}, {"barcode": "31006004418872"}),
        # the number in another parameter, the phone holding something else: swapped
        ("Sandra Bell, WF1 4DD, 07700 900668", {"phone": "WF1 4DD", "barcode": "07700 900668"},
         {"phone": "+447700900668", "barcode": "WF1 4DD"}),
        # the phone holds a number: nothing swaps
        ("WF1 4DD, 07700 900668", {"phone": "+447700900668", "barcode": "07700 900668"},
         {"phone": "+447700900668", "barcode": "07700 900668"}),
    ],
)  # fmt: skip
def test_a_made_up_phone_number_is_the_one_the_request_gives(
    request_text: str, written: dict, expected: dict
) -> None:
    assert to_the_request_phone(written, CallContext(PHONE, request_text, "call 0"))[0] == expected


EXTRAS = function(
    "hot_tub_hire",
    ["customer", "extras"],
    customer={"type": "string"},
    extras={
        "type": "array",
        "items": {"type": "string", "enum": ["gazebo", "led_lights", "towels", "steps"]},
    },
)


@pytest.mark.parametrize(
    ("request_text", "extras"),
    [
        # some said: every option listed is cut to those
        ("Hire a tub to Gemma, with the gazebo and the LED lights too.", ["gazebo", "led_lights"]),
        # none said ("all the extras"), or all said: the list stays
        ("Hire a tub to Gemma, with all the extras you do.", None),
        ("Hire a tub to Gemma: gazebo, LED lights, towels and steps.", None),
    ],
)
def test_a_list_of_every_option_is_cut_to_those_the_request_names(
    request_text: str, extras: list[str] | None
) -> None:
    every = ["gazebo", "led_lights", "towels", "steps"]
    reply = call("hot_tub_hire", customer="Gemma", extras=every)
    assert first_arguments(EXTRAS, [reply], request_text)["extras"] == (extras or every)


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # another person the request names, for the one who buys: the name it is signed with
        ("a sprint voucher for Zac's best friend, Leo Marsh? Kirsty Adams, 07700 900437",
         {"buyer_name": "Zac"}, {"buyer_name": "Kirsty Adams"}),
        ('tags reading "Tom & Ellie, 25.09.27". Ellie Marsh, 07700 900963',
         {"customer_name": "Tom & Ellie"}, {"customer_name": "Ellie Marsh"}),
        # the signer already, or part of a name with theirs: stays
        ("Kirsty Adams, 07700 900437", {"buyer_name": "Kirsty Adams"},
         {"buyer_name": "Kirsty Adams"}),
        # a name of the one the booking is for (`name`, `recipient_name`) is no buyer's
        ("a voucher for Leo Marsh. Kirsty Adams, 07700 900437", {"recipient_name": "Leo Marsh"},
         {"recipient_name": "Leo Marsh"}),
        # an address between the name and the number; the street is no name
        ("Imran Qureshi, 14 Hatfield Court, AL10 0BT, 07700 900644",
         {"contact_name": "Hatfield Court"}, {"contact_name": "Imran Qureshi"}),
        # a company signed after the name: the person's name, the first of the signature
        ("a box for 18. Claire Webb, Harcourt Wealth Management, 020 7946 0820",
         {"contact_name": "Harcourt Wealth Management"}, {"contact_name": "Claire Webb"}),
        # a name in the sentence before the signature is not part of it
        ("book it for my friend Leo Marsh, Kirsty Adams, 07700 900437",
         {"buyer_name": "Leo Marsh"}, {"buyer_name": "Kirsty Adams"}),
        # no name signed beside the number: stays
        ("for Zac's party, call me on 07700 900437", {"host_name": "Zac"}, {"host_name": "Zac"}),
        # a name that ends the request, with no number or e-mail: signed
        ("Squad me with my mate Geoff Pratt. Ken Whitlow", {"buyer_name": "John Doe"},
         {"buyer_name": "Ken Whitlow"}),
        # the request ends in someone else's name, inside its sentence: stays
        ("Squad me with my mate Geoff Pratt.", {"buyer_name": "John Doe"},
         {"buyer_name": "John Doe"}),
        ("Book it for Tom. And a voucher posted to my aunt, Irene Hale",
         {"buyer_name": "Tom Hale"}, {"buyer_name": "Tom Hale"}),
        # part of the signer's name: the whole
        ("Kirsty Adams, 07700 900437", {"buyer_name": "Kirsty"}, {"buyer_name": "Kirsty Adams"}),
        # a name the request never writes: made up, the signer's
        ("Kirsty Adams, 07700 900437", {"buyer_name": "Kirsty Brown"},
         {"buyer_name": "Kirsty Adams"}),
        # the dog's name for its owner
        ("Our greyhound Dolly howls. Mark Ellis, LS8 2PQ, 0113 496 0622",
         {"owner_name": "Dolly"}, {"owner_name": "Mark Ellis"}),
        # another name parameter holds the signer: this one is someone else
        ("My dad, Ron Peters, needs care. I'm his daughter, Carol Peters, 07700 900704.",
         {"contact_name": "Carol Peters", "client_name": "Ron Peters"},
         {"contact_name": "Carol Peters", "client_name": "Ron Peters"}),
    ],
)  # fmt: skip
def test_the_one_who_books_is_the_one_who_signs(
    request_text: str, written: dict, expected: dict
) -> None:
    assert to_the_signer(written, CallContext({}, request_text, "call 0"))[0] == expected


BOOKER = {"properties": {"name": {"type": "string"}, "pets": {"type": "integer"}}}
ITEM = {"properties": {"name": {"type": "string", "description": "What the item is"}}}


@pytest.mark.parametrize(
    ("schema", "written", "expected"),
    [
        # a plain name made up, or words that are no one's full name: the signer's
        (BOOKER, "John Doe", "Naomi Fisher"),
        (BOOKER, "our two cats", "Naomi Fisher"),
        # another full name the request gives may be the guest's: stays
        (BOOKER, "Mel Young", "Mel Young"),
        # a name described as something else than the one who books: stays
        (ITEM, "our two cats", "our two cats"),
        # a function with a booker's own parameter: its plain name is someone else's
        ({"properties": {"name": {}, "customer_name": {}}}, "our two cats", "our two cats"),
    ],
)  # fmt: skip
def test_a_plain_name_is_the_signers_where_it_is_no_one_else(
    schema: dict, written: str, expected: str
) -> None:
    request = "A shoot of our two cats, and a voucher for Mel Young. Naomi Fisher, 07700 900633"
    call = CallContext(schema, request, "call 0")
    assert to_the_signer({"name": written}, call)[0] == {"name": expected}


def test_the_checks_put_the_signer_in_a_buyers_name() -> None:
    """The repair runs in the call checks: a voucher bought in the birthday boy's name."""
    text = {"type": "string"}
    voucher = function("voucher_buy", ["buyer_name", "recipient_name"],
                       buyer_name=text, recipient_name=text)  # fmt: skip
    request = "For Zac's 10th, a voucher for his friend Leo Marsh. Kirsty Adams, 07700 900437"
    reply = call("voucher_buy", buyer_name="Zac", recipient_name="Leo Marsh")
    arguments = first_arguments(voucher, [reply], request)
    assert arguments == {"buyer_name": "Kirsty Adams", "recipient_name": "Leo Marsh"}


TICKETS = {"type": "object", "properties": {"tickets": {"type": "array", "items": {
    "type": "object", "properties": {
        "type": {"type": "string", "enum": ["adult", "child", "senior", "student", "bags"]},
        "count": {"type": "integer"}}}}}}  # fmt: skip
FAMILY = [{"type": "adult", "count": 2}, {"type": "child", "count": 2}]


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # "student" comes up nowhere: that item goes
        ("two adult tickets in the stalls for Swan Lake",
         [{"type": "adult", "count": 2}, {"type": "student", "count": 1}],
         [{"type": "adult", "count": 2}]),
        # "children" brings up child: both stay
        ("two adults and two children", FAMILY, FAMILY),
        # none named: nothing to tell by, all stay
        ("four seats please", FAMILY, FAMILY),
        # an option that ends a word of the request ("handbags"): named
        ("two adults and three handbags", [{"type": "adult", "count": 2},
         {"type": "bags", "count": 3}], [{"type": "adult", "count": 2},
         {"type": "bags", "count": 3}]),
    ],
)  # fmt: skip
def test_a_list_item_of_an_option_the_request_never_names_goes(
    request_text: str, written: list, expected: list
) -> None:
    context = CallContext(TICKETS, request_text, "call 0")
    assert without_unnamed_items({"tickets": written}, context)[0] == {"tickets": expected}


MONTHS = {
    "start_month": {"type": "string", "description": "Month of the first box, YYYY-MM"},
    "collect_on": {"type": "string", "description": "Collection day, YYYY-MM-DD"},
}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("February 2028", "2028-02"),
        ("feb, 2028", "2028-02"),
        ("2028-02-01", "2028-02"),  # a day of the month: its month
        ("2028-02", "2028-02"),
        ("every other month", "every other month"),  # no month: as it is
    ],
)
def test_a_month_is_written_in_the_form_its_parameter_asks_for(written: str, expected: str) -> None:
    call = CallContext({"properties": MONTHS}, "the first box in February 2028", "call 0")
    arguments = {"start_month": written, "collect_on": "February 2028"}
    # a parameter asking for a day (YYYY-MM-DD) is not cut to its month
    assert to_year_months(arguments, call)[0] == {
        "start_month": expected,
        "collect_on": "February 2028",
    }


def test_the_checks_write_a_month_in_its_parameters_form() -> None:
    box = function("box_subscribe", ["start_month"], start_month=MONTHS["start_month"])
    reply = call("box_subscribe", start_month="February 2028")
    assert first_arguments(box, [reply], "the first box in February 2028") == {
        "start_month": "2028-02"
    }


CLIMB = {
    "properties": {
        "climbers": {"type": "integer"},
        "lanes": {"type": "integer"},
    }
}
LADS = "The high ropes for me and my two teenage lads on Sunday 11 April 2027, and two lanes."


def test_a_group_counted_inside_a_party_becomes_the_party_size() -> None:
    fixed, notes = to_the_party_size(
        {"climbers": 2, "lanes": 2}, CallContext(CLIMB, LADS, "call 0")
    )
    assert fixed == {"climbers": 3, "lanes": 2}  # lanes count no one
    assert notes == ["call 0.climbers: 2 -> 3 (the party the request lists)"]


def test_a_count_stays_where_kinds_of_person_are_counted_apart_or_two_parties_differ() -> None:
    apart = {"properties": {**CLIMB["properties"], "children": {"type": "integer"}}}
    assert to_the_party_size({"climbers": 2}, CallContext(apart, LADS, "call 0"))[0] == {
        "climbers": 2
    }
    two = "Me and my two lads on Saturday, then my wife, me and our two girls on Sunday."
    assert to_the_party_size({"climbers": 2}, CallContext(CLIMB, two, "call 0"))[0] == {
        "climbers": 2
    }  # the two are inside a party of 3 and one of 4


EMAILS = {"properties": {"email": {"type": "string"}, "note": {"type": "string"}}}


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # a made-up address: the only one the request gives
        ("Keith Bramley, keith.bramley@example.com.", "john.doe@example.com",
         "keith.bramley@example.com"),
        # the request's own address (in another case): as written
        ("Keith Bramley, Keith.Bramley@example.com", "keith.bramley@example.com",
         "keith.bramley@example.com"),
        # two addresses given, or none: nothing tells which
        ("Me: a@example.com, my wife: b@example.com", "john.doe@example.com",
         "john.doe@example.com"),
        ("Keith Bramley, 07700 900911", "john.doe@example.com", "john.doe@example.com"),
    ],
)  # fmt: skip
def test_an_email_the_request_does_not_give_becomes_the_one_it_gives(
    request_text: str, written: str, expected: str
) -> None:
    arguments = {"email": written, "note": "dogs"}
    fixed, _ = to_the_request_email(arguments, CallContext(EMAILS, request_text, "call 0"))
    assert fixed == {"email": expected, "note": "dogs"}


def test_the_checks_write_the_requests_email_for_a_made_up_one() -> None:
    text = {"type": "string"}
    volunteer = function("volunteer_apply", ["full_name", "email"], full_name=text, email=text)
    reply = call("volunteer_apply", full_name="Keith Bramley", email="john.doe@example.com")
    request = "I could walk the dogs on Tuesdays. Keith Bramley, keith.bramley@example.com"
    assert first_arguments(volunteer, [reply], request)["email"] == "keith.bramley@example.com"


_ENROLMENT = "Please enrol my son Oscar Bell, born 19 November 2019, in the Thursday class"


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # a slipped year, nested in an object: the request's date on that day
        (_ENROLMENT, {"child": {"date_of_birth": "1919-11-19"}},
         {"child": {"date_of_birth": "2019-11-19"}}),
        (_ENROLMENT, {"children": [{"dob": "2009-11-19"}]}, {"children": [{"dob": "2019-11-19"}]}),
        # a year the request says: the model's choice stands
        (f"{_ENROLMENT} for 2028", {"start": "2028-11-19"}, {"start": "2028-11-19"}),
        # two dates on that day: which one is unclear, it stands
        ("born 19 November 2019; the party on 19 November 2028", {"date": "2020-11-19"},
         {"date": "2020-11-19"}),
        # another day: not this repair's
        (_ENROLMENT, {"date": "1919-11-20"}, {"date": "1919-11-20"}),
    ],
)  # fmt: skip
def test_a_date_in_a_year_the_request_never_says_takes_the_stated_year(
    request_text: str, written: dict, expected: dict
) -> None:
    assert to_the_stated_year(written, CallContext({}, request_text, "call 0"))[0] == expected


_FAMILY = "It's me, my partner and our two girls, who are nine and twelve."


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # the party is 4, its numbered group of 2 the children: 2 adults
        (_FAMILY, {"adults": 3, "children": 2}, {"adults": 2, "children": 2}),
        (_FAMILY, {"adults": 3, "kids": 2}, {"adults": 2, "kids": 2}),
        ("for me and my two grandchildren, who are five and eight",
         {"adults": 3, "children": 2}, {"adults": 1, "children": 2}),
        # the children counted otherwise: no group of that size, it stands
        (_FAMILY, {"adults": 3, "children": 1}, {"adults": 3, "children": 1}),
        # a toddler of the party counted apart: the rest is the one adult written
        ("1 adult, 3 children and a toddler", {"adults": 1, "children": 3, "under_twos": 1},
         {"adults": 1, "children": 3, "under_twos": 1}),
        # the adults written as the request counts them: they stand
        ("Three adults and two children", {"adults": 3, "children": 2},
         {"adults": 3, "children": 2}),
    ],
)  # fmt: skip
def test_adults_are_the_rest_of_the_party_beside_its_children(
    request_text: str, written: dict, expected: dict
) -> None:
    assert to_the_adults(written, CallContext({}, request_text, "call 0"))[0] == expected


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # the start moved to the evening, the end still in the morning: twelve hours on
        ("the party room from 6 till 11", {"start_time": "18:00", "end_time": "11:00"},
         {"start_time": "18:00", "end_time": "23:00"}),
        # an end after the start stays
        ("the room from 6 till 11", {"start_time": "06:00", "end_time": "11:00"},
         {"start_time": "06:00", "end_time": "11:00"}),
        # the request gives no later reading of the end: it stays
        ("from 6pm till 11am", {"start_time": "18:00", "end_time": "11:00"},
         {"start_time": "18:00", "end_time": "11:00"}),
        # "send" is no end: no span's end to move
        ("the party room from 6 till 11", {"start_time": "18:00", "send_time": "11:00"},
         {"start_time": "18:00", "send_time": "11:00"}),
    ],
)  # fmt: skip
def test_an_end_before_the_start_goes_twelve_hours_on(
    request_text: str, written: dict, expected: dict
) -> None:
    assert to_the_later_end(written, CallContext({}, request_text, "call 0"))[0] == expected


@pytest.mark.parametrize(
    ("request_text", "written", "expected"),
    [
        # the buyer written as the recipient, one other of the family named: that one
        ("For my dad, Roy Palmer, a mud run voucher. Jess Palmer, jess@example.com",
         "Jess Palmer", "Roy Palmer"),
        ("A voucher for my dad. His name is Graham Tully. Ben Tully, ben@example.com",
         "Ben Tully", "Graham Tully"),
        # no other of the family (a place, a friend): the buyer stays
        ("A voucher for me, to Oakley Barn. Jess Palmer, jess@example.com",
         "Jess Palmer", "Jess Palmer"),
        ("A voucher for me and Zoe Hart. Jess Palmer, jess@example.com",
         "Jess Palmer", "Jess Palmer"),
        # another recipient already: it stays
        ("For my dad, Roy Palmer. Jess Palmer, jess@example.com", "Roy Palmer", "Roy Palmer"),
    ],
)  # fmt: skip
def test_a_gifts_recipient_is_not_the_buyer_where_the_request_names_them(
    request_text: str, written: str, expected: str
) -> None:
    call = CallContext({}, request_text, "call 0")
    assert to_the_recipient({"recipient_name": written}, call)[0] == {"recipient_name": expected}
