"""What a request states, in the forms function arguments take (planners/mentions.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from toolpath.planners.grounding import grounded
from toolpath.planners.mentions import REFERENCE_DATE, fold, mentions, without_dates_after


@pytest.mark.parametrize(
    ("request_text", "number"),
    [
        ("pays at least 30k a year", 30000),
        ("every charge over a hundred dollars", 100),
        ("one hundred and twenty five guests", 125),
        ("forty-five people", 45),
        ("two and three apples", 3),
        ("a hundred and two", 102),
        ("a 1,500 m swim", 1500),
        ("roughly 1.5 km", 1.5),
        ("a dozen eggs", 12),
        ("both pairs of my boots", 2),
        ("set a timer for half an hour", 1800),  # seconds
        ("set a timer for half an hour", 30),  # minutes
        ("suspend the bay for a fortnight", 14),  # days
        ("keep the scaffold up another fortnight", 2),  # weeks
        ("two blinds 1.2m wide with a 1.5m drop", 1500),  # millimetres (or 1.5 million)
        ("garlic bread at a quarter of an hour", 900),
        ("a 45-minute meeting", 2700),
        ("wait an hour", 60),
        ("should take about an hour and a half", 90),  # minutes
        ("grab us two and a half hours", 150),  # minutes
        ("they want an hour and a quarter from us", 75),
        ("for 3 hours and a half", 3.5),
        ("I'll need the car for another hour and a half", 90),  # minutes
        ("solve 2x^2 - 3x - 5 = 0", -3),  # a sign written as an operator
        ("august alcohol washes", 8),  # a month's name is its number
        ("it's September", 9),
        ("25% off", 0.25),  # a percentage as a fraction
        ("a budget of 1.2m", 1_200_000),
        ("the 30th Fibonacci number", 30),
        ("the third floor", 3),
        ("I'm a size nine and a half", 9.5),  # a number and the fraction after it
        ("about two and a quarter", 2.25),
        ("a limit of two and a half thousand pounds", 2500),  # the scale after the fraction
        ("one and a half million views", 1_500_000),
        ("about two grand", 2000),
        ("put a tenner in the pot", 10),
        ("a fiver each", 5),
        ("for those six plus four more friends", 10),  # numbers added up
        ("eight of us and two more", 10),
    ],
)
def test_numbers_and_durations_in_words_or_digits(request_text: str, number: float) -> None:
    assert mentions(request_text).says_number(number)


@pytest.mark.parametrize(
    ("request_text", "number"),
    [
        ("set a timer for half an hour", 3600),  # "an hour" is part of "half an hour"
        ("set a timer for half an hour", 300),
        ("about an hour and a half", 60),  # not one hour
        ("grab us two and a half hours", 30),  # not half an hour
        ("an hour and a quarter", 60),
        ("two litres of milk", 3),
        ("two and three apples", 5),  # two numbers, not one
        ("six of us on Friday, then four on Saturday", 10),  # two counts, not a sum
        ("one two three", 6),
        ("it's September", 8),
        ("a limit of two and a half thousand pounds", 2.5),  # not without its scale
    ],
)
def test_numbers_the_request_does_not_state(request_text: str, number: float) -> None:
    assert not mentions(request_text).says_number(number)


def test_dates_times_languages_currencies_and_words_in_a_row() -> None:
    said = mentions("On Friday, March 8, 2024 at 3pm; also the 18th of June 2023 at noon")
    assert said.says_text("2024-03-08") and said.says_text("2023-06-18")
    assert said.says_text("15:00") and said.says_text("12:00:00")
    assert not said.says_text("2024-03-09") and not said.says_text("16:00")
    assert not mentions("February 30, 2025").dates  # no such day
    edges = mentions("done by the end of February 2024, from the start of March 2024")
    assert edges.dates == {"2024-02-29", "2024-03-01"}
    clock = mentions("between 6:30 and 8 in the morning, or at 7 in the evening; 2 ways")
    assert clock.times == {"06:30", "08:00", "19:00"}
    money = mentions("What's the rate from £ to € right now, and to dollars? In German")
    assert {"gbp", "eur", "usd", "de"} <= money.codes and "jpy" not in money.codes
    assert mentions("full-time nurse jobs").says_words("full_time")
    assert mentions("with audio guides pls").says_words("audio_guide")  # another form
    assert not mentions("with audio guides pls").says_words("audio_tour")
    assert not mentions("full-time nurse jobs").says_words("part_time")
    assert mentions("the tracking number is 1Z 999 AA1.").says_joined("1Z999AA1")
    assert not mentions("the tracking number is 1Z 999 AA1.").says_joined("1Z999AA2")


def test_accents_and_a_date_without_its_year() -> None:
    """ "Zürich" is said as "zurich"; "June 14" says any year's June 14."""
    said = mentions("Meet in Zürich on June 14")
    assert said.says_words("Zurich") and said.says_text("2026-06-14")
    assert not said.says_text("2026-06-15")


def test_a_day_named_alone_in_a_month_another_date_names() -> None:
    """ "May 8, 2025, back on the 10th" says 2025-05-10, not the 10th of another month."""
    said = mentions("Flying out on May 8, 2025, back on the 10th.")
    assert said.says_text("2025-05-10")
    assert not said.says_text("2025-06-10") and not said.says_text("2025-05-11")
    assert not mentions("the 10th of May").lone_days  # a month follows: not alone


@pytest.mark.parametrize(
    ("request_text", "times"),
    [
        ("from quarter to six this evening", {"17:45"}),
        ("half past 7", {"07:30", "19:30"}),  # no part of the day: both
        ("out at 2pm, back by half 5", {"14:00", "05:30", "17:30"}),  # British "half 5"
        ("a fitting at half five in the evening", {"17:30"}),
        ("load in at half 5 in the afternoon", {"17:30"}),  # not 17:00 as well
        ("quarter past four in the afternoon", {"16:15"}),
        ("set a timer for half an hour", set()),
        ("twenty past eleven in the morning", {"11:20"}),
        ("Tuesday at 4.15pm", {"16:15"}),
        ("from 8 to 11 am, and 2 to 6 pm", {"08:00", "11:00", "14:00", "18:00"}),
        ("on Friday at seven pm at The Crown", {"19:00"}),
        ("seven in the evening", {"19:00"}),
        ("straight after at 4.", {"04:00", "16:00"}),  # no part of the day: both
        ("back in by 11 and Alfie by half 11", {"11:00", "23:00", "11:30", "23:30"}),
        ("there between 10 and 2. his number", {"10:00", "22:00", "02:00", "14:00"}),
        ("at 4 this afternoon", {"16:00"}),
        ("bring it along, probably 11ish", {"11:00", "23:00"}),
        ("come sevenish in the evening", {"19:00"}),
        ("rated at 4 stars, table for 10 people", set()),  # no time after all
        ("Ruby at 3.30pm", {"15:30"}),  # not "at 3" as well
        ("Nadia at 9.20 in the morning", {"09:20"}),  # not 08:00 from "20 in the morning"
        ("then at 5.40 Terry Gill", {"05:40", "17:40"}),
        ("at 17.30, then", {"17:30"}),  # over 12: one reading
        ("Wake me at 06:45 on weekdays", {"06:45"}),  # a leading zero: the 24-hour clock
        ("Wake me at 6:45 on weekdays", {"06:45", "18:45"}),
        ("it costs 5.40 in total, at £5.40 each", set()),
        ("Tuesday evenings, seven till eight, every week", {"07:00", "19:00", "08:00", "20:00"}),
        ("seven until nine in the evening", {"19:00", "21:00"}),
        ("children aged 5 till 10 years", set()),  # "till" between ages: no time
        ("two adults on the 11 o'clock train", {"11:00", "23:00"}),  # a noun after o'clock
        ("at 4 o’clock in the afternoon", {"16:00"}),  # a curly apostrophe
        ("singles on the 2.15 train afterwards", {"02:15", "14:15"}),  # a departure's time
        ("the 18.05 sailing", {"18:05"}),
        ("the 2.50 fee", set()),  # no departure: no time
        # a part of the day said just before the time holds for it
        ("the sunset cruise that evening at quarter past eight", {"20:15"}),
        ("Friday morning, at half six", {"06:30"}),
        ("Saturday night at 9. Aaron", {"21:00"}),
        ("that afternoon at 2 o'clock", {"14:00"}),
        ("Friday evening at 6pm too", {"18:00"}),  # its own half of the day stands
        ("the morning at 9 and at 4", {"09:00", "04:00", "16:00"}),  # the next time only
        ("one evening at my house", set()),
    ],
)
def test_clock_times_in_words(request_text: str, times: set[str]) -> None:
    assert mentions(request_text).times == frozenset(times)


@pytest.mark.parametrize(
    ("request_text", "spans"),
    [
        ("a booth from 8pm till midnight, at The Crown", {("20:00", 240)}),
        # both halves of the day give the same shortest span
        ("from half seven until eleven, for 120 people", {("07:30", 210), ("19:30", 210)}),
        ("from 2 to 6 pm on Friday", {("14:00", 240)}),  # the pm of the end
        ("the hall from 20:00 to 23:30.", {("20:00", 210)}),
        ("from noon until 3", {("12:00", 180)}),
        # the part of the day said after an end: seven is 19:00 to end at 1am
        ("the bar from seven till one in the morning, for 150 people", {("19:00", 360)}),
        ("from ten at night till two in the morning.", {("22:00", 240)}),
        ("from seven in the evening till one in the morning.", {("19:00", 360)}),
        ("a class from 10 to 12 in the morning, please", {("10:00", 120)}),  # 12 is noon here
        ("children aged from 10 to 12, please", set()),  # neither end marked as a time
        ("open from Monday to Friday", set()),
        ("from 1pm for two hours", set()),  # a duration, but no span
    ],
)
def test_time_spans_with_their_start_and_length(
    request_text: str, spans: set[tuple[str, int]]
) -> None:
    assert mentions(request_text).spans == frozenset(spans)


def test_a_month_with_its_year_says_its_first_and_last_day() -> None:
    said = mentions("beach pics from Crete in July 2025")
    assert said.says_text("2025-07-01") and said.says_text("2025-07-31")
    assert not said.says_text("2025-07-15")


SATURDAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("request_text", "dates"),
    [
        ("book it for tomorrow at 8", {"2026-12-06"}),
        ("the day after tomorrow", {"2026-12-07"}),
        ("what did I spend yesterday", {"2026-12-04"}),
        ("a table for tonight", {"2026-12-05"}),
        ("on Friday please", {"2026-12-11"}),
        ("next Tuesday", {"2026-12-08", "2026-12-15"}),  # people mean either
        ("this Saturday", {"2026-12-05", "2026-12-12"}),  # today is Saturday
        ("since last Monday", {"2026-11-30"}),
        ("remind me in 3 days", {"2026-12-08"}),
        ("in two weeks", {"2026-12-19"}),
        ("in a week", {"2026-12-12"}),
        ("March 8, 2024 and no relative date", {"2024-03-08"}),
    ],
)
def test_dates_said_relative_to_today(request_text: str, dates: set[str]) -> None:
    """While today's date is set, "tomorrow", weekdays and "in 3 days" name dates; without
    it they name none (a guessed date stays made up)."""
    day = REFERENCE_DATE.set(SATURDAY)
    try:
        assert set(mentions(request_text).dates) == dates
    finally:
        REFERENCE_DATE.reset(day)
    assert set(mentions(request_text).dates) == dates & {"2024-03-08"}


@pytest.mark.parametrize(
    ("request_text", "quantities"),
    [
        ("weigh 11 stone", {(11.0, "mass")}),
        ("ship two and a half kilos", {(2.5, "mass")}),
        ("half a kilo of coffee", {(0.5, "mass")}),
        ("a kilo and a half of mussels", {(1.5, "mass")}),
        ("at least 100 sq ft", {(100.0, "area")}),
        ("a blind 1.2m wide", {(1.2, "length")}),  # "1.2m": metres, or a million
        ("at 68F, or 20 degrees c", {(68.0, "temperature"), (20.0, "temperature")}),
        ("f/1.4, f/4 and f/8; pod api-7f9c-x2; serial 1581F5FJD22", set()),  # no temperatures
        ("born on the 21st", set()),  # not stone
        ("back at 10 a.m. with a g clamp", set()),  # no metres, no grams
    ],
)  # fmt: skip
def test_quantities_with_their_units(request_text: str, quantities: set) -> None:
    assert {(n, unit.kind) for n, unit in mentions(request_text).quantities} == quantities


@pytest.mark.parametrize(
    ("request_text", "quantities"),
    [
        ("a hundred and twenty centimetres wide by ninety high, and one sixty wide",
         {(120.0, 0.01), (90.0, 0.01), (60.0, 0.01)}),  # "one" is no size
        ("frames 30 by 40 cm, and 2 of them",
         {(30.0, 0.01), (40.0, 0.01), (0.12, 1.0)}),  # and the area, 0.12 square metres
        ("a shelf 4 wide", set()),  # no unit before it
        ("3 kilos, then 4 long", {(3.0, 1.0)}),  # a mass lends no length
        ("one 1.8 metres, both the standard 600 deep", {(1.8, 1.0)}),  # 600 mm, no metres
        ("a board 2 by 900 mm", {(900.0, 0.001)}),  # the 2 is no 2 mm
    ],
)  # fmt: skip
def test_a_bare_size_takes_the_unit_of_the_sizes_around_it(
    request_text: str, quantities: set
) -> None:
    """ "120 centimetres wide by ninety high": the 90 is in centimetres too."""
    assert {(n, unit.scale) for n, unit in mentions(request_text).quantities} == quantities


@pytest.mark.parametrize(
    ("request_text", "rectangles"),
    [
        ("It's roughly 9 metres by 6.", {(9.0, 6.0, 54.0)}),
        ("roughly twelve metres by eight", {(12.0, 8.0, 96.0)}),
        ("a rug 200 by 150 cm", {(200.0, 150.0, 3.0)}),
        ("9 metres, by 6 o'clock", set()),  # the 6 is no metres: "by" then a time
        ("2 metres by 900", set()),  # not tenfold apart: a slip of units, no area
        ("9 metres long", set()),
    ],
)  # fmt: skip
def test_two_lengths_joined_by_by_give_an_area(request_text: str, rectangles: set) -> None:
    """ "9 metres by 6" is 54 square metres, its sides kept beside it."""
    said = mentions(request_text)
    assert said.rectangles == rectangles
    assert {area for *_, area in rectangles} <= {n for n, u in said.quantities if u.kind == "area"}


def test_a_rate_is_no_duration() -> None:
    """ "twice a day" and "£30 a day" are rates; "an hour each time" and "half a day" are
    durations."""
    said = mentions("An hour each time, 300 g of kibble twice a day, £30 a day")
    assert said.durations == frozenset({(1.0, 3600)})
    assert mentions("half a day").durations == frozenset({(0.5, 86400)})


@pytest.mark.parametrize(
    ("request_text", "dates"),
    [
        ("Ruby (dob 11/02/2014) and Ivy (dob 30/06/2017)", {"2014-02-11", "2017-06-30"}),
        ("born 12/25/2014 and 02/11/2016", {"2014-12-25", "2016-02-11"}),  # month first
        ("born 11/02/2014", {"2014-02-11", "2014-11-02"}),  # nothing tells: both
        ("on 3.4.2025", {"2025-03-04", "2025-04-03"}),
    ],
)
def test_dates_in_numbers_in_the_order_the_request_shows(request_text: str, dates: set) -> None:
    assert mentions(request_text).dates == frozenset(dates)


@pytest.mark.parametrize(
    ("request_text", "size"),
    [
        ("Book the sunrise flight for me and my husband", 2),
        ("One for me, my partner and our two boys, please", 4),
        ("Then one for my brother's family: two adults and a girl of nine", 3),
        ("Seats for my mum and dad", 2),
        ("A lane for me plus nine friends", 10),
        ("he and three friends want to turn up in the camper", 4),
        ("The high ropes for me and my two teenage lads", 3),  # a word between
    ],
)
def test_the_size_of_a_party_the_request_lists(request_text: str, size: int) -> None:
    assert size in mentions(request_text).numbers


@pytest.mark.parametrize(
    ("request_text", "groups"),
    [
        ("places for me and my two girls", {(2.0, 3.0)}),
        ("me, my partner and our two teenage boys", {(2.0, 4.0)}),
        ("two adults and a girl of nine", {(2.0, 3.0)}),  # "a girl": no number
        ("my two girls", set()),  # no party
        ("for me and my two grandchildren", {(2.0, 3.0)}),
        ("me and the three grandkids", {(3.0, 4.0)}),
        ("Saturday 29 May 2027: 2 adults and 2 children", {(2.0, 4.0)}),  # no year of adults
    ],
)
def test_the_groups_a_number_counts_inside_a_party(request_text: str, groups: set) -> None:
    assert mentions(request_text).groups == frozenset(groups)


@pytest.mark.parametrize(
    ("request_text", "size"),
    [("Book my husband in", 1), ("Two adults, and the kids are nine and thirteen", 3)],
)
def test_no_party_size_without_two_people_named_together(request_text: str, size: int) -> None:
    assert size not in mentions(request_text).numbers


@pytest.mark.parametrize(
    ("request_text", "ages"),
    [
        ("Two adults and our twelve-year-old", {12.0}),
        ("Could the two of us come? He's fourteen.", {14.0}),
        ("Noah, who's 6, and Ava, who is 11", {6.0, 11.0}),
        ("a girl of nine, aged 9", {9.0}),
        ("the baby, who's ten months", {10.0}),
        ("she's 7 years old and 7 of her friends are coming", set()),  # 7 counts too
        ("she's 12.4 kilos", set()),  # a weight
        ("he's 2 hours late", set()),
        ("twelve people", set()),
    ],
)  # fmt: skip
def test_numbers_given_only_as_ages(request_text: str, ages: set) -> None:
    assert mentions(request_text).ages == ages


def test_an_age_grounds_an_age_and_no_count() -> None:
    """ "our twelve-year-old" gives an age of 12, not 12 children."""
    request = "Two adults and our twelve-year-old on the docks tour"
    assert grounded(12, request, "age") and grounded(12, request, "birthday_age")
    assert not grounded(12, request, "children") and not grounded(12, request)
    assert grounded(2, request, "adults")


@pytest.mark.parametrize(
    ("request_text", "value", "named"),
    [
        ("bird guards on both pots", "bird_guard", True),  # a regular plural
        ("two sourdough loaves please", "sourdough_loaf", True),  # -f: -ves
        ("sharpen three kitchen knives", "kitchen_knife", True),  # -fe: -ves
        ("new batteries for the alarm", "battery", True),  # -y: -ies
        ("a bike for my son", "bikes", False),  # the singular names no plural
        ("he doesn't do mobiles or email", "email", False),  # after a negation
    ],
)
def test_an_option_is_named_plainly_as_it_is_or_in_the_plural(
    request_text: str, value: str, named: bool
) -> None:
    assert mentions(request_text).names_plainly(value) is named


@pytest.mark.parametrize(
    ("request_text", "dates"),
    [
        ("Two of us on Saturday 10 July 2027, then nine of us a fortnight later",
         {"2027-07-10", "2027-07-24"}),
        ("into hospital on Monday 10 May 2027 and home two weeks later",
         {"2027-05-10", "2027-05-24"}),
        ("Saturday 28 August 2027 and the day after", {"2027-08-28", "2027-08-29"}),
        ("June 7, 2027, then the next day", {"2027-06-07", "2027-06-08"}),
        # counted from the last date written before the phrase
        ("Friday 1 October 2027, Friday 8 October 2027 and a week later",
         {"2027-10-01", "2027-10-08", "2027-10-15"}),
        # no date before it, or relative to today: no date counted
        ("a fortnight later, on Friday 1 October 2027", {"2027-10-01"}),
        ("Friday 1 October 2027, or the day after tomorrow", {"2027-10-01"}),
        # a weekday after the date: the next one, a week on where the date is that day
        ("CS-5301 to Monday 29 November 2027, and CS-5302 to the Monday after that",
         {"2027-11-29", "2027-12-06"}),
        ("Saturday 14 August 2027 at ten, and the Saturday after at half eleven",
         {"2027-08-14", "2027-08-21"}),
        ("on Tuesday 2 November 2027 and the following Friday", {"2027-11-02", "2027-11-05"}),
        ("the Monday after Easter", set()),  # no date before it
    ],
)  # fmt: skip
def test_dates_counted_from_the_date_written_before(request_text: str, dates: set) -> None:
    assert set(mentions(request_text).dates) == dates
    counted = without_dates_after(fold(request_text))
    counting = ("later", "after", "next", "following")
    assert any(word in counted for word in counting) is (len(dates) <= 1)
