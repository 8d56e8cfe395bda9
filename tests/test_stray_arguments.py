"""Arguments the model folds into another function's call become that function's call."""

from __future__ import annotations

from function_call_helpers import function
from toolpath.planners.call_checks import check_answer
from toolpath.planners.call_reading import Answer
from toolpath.tools.catalogs.openai_functions import function_specs

TEXT = {"type": "string"}
PASS = function(
    "studio_pass_buy", ["buyer_name", "pass_type"], buyer_name=TEXT, pass_type=TEXT, phone=TEXT
)
CLASS = function(
    "studio_class_book",
    ["member_name", "class_type", "start_time"],
    member_name=TEXT,
    class_type=TEXT,
    start_time=TEXT,
    phone=TEXT,
    mat_hire={"type": "boolean", "default": False, "description": "Hire a mat."},
)
PRIVATE = function(
    "studio_private_book", ["member_name", "start_time"], member_name=TEXT, start_time=TEXT
)
REQUEST = (
    "Fran Ellis here: an unlimited month pass, and book me on vinyasa at 18:00 with a mat hired"
)
FOLDED = {
    "buyer_name": "Fran Ellis",
    "pass_type": "unlimited month",
    "member_name": "Fran Ellis",
    "class_type": "vinyasa",
    "start_time": "18:00",
    "mat_hire": True,
}


def checked(*functions: dict, arguments: dict = FOLDED, request: str = REQUEST) -> list[dict]:
    specs = {spec.name: spec for spec in function_specs(list(functions))}
    answer = Answer(calls=[{"name": "studio_pass_buy", "arguments": arguments}])
    return check_answer(answer, specs, request).calls


def test_arguments_of_an_uncalled_function_become_its_call() -> None:
    calls = checked(PASS, CLASS)
    assert calls == [
        {
            "name": "studio_pass_buy",
            "arguments": {"buyer_name": "Fran Ellis", "pass_type": "unlimited month"},
        },
        {
            "name": "studio_class_book",
            "arguments": {
                "member_name": "Fran Ellis",
                "class_type": "vinyasa",
                "start_time": "18:00",
                "mat_hire": True,
            },
        },
    ]


def test_a_call_is_made_only_from_a_function_declaring_every_stray_argument() -> None:
    # studio_private_book declares member_name and start_time, not class_type or mat_hire
    assert [c["name"] for c in checked(PASS, CLASS, PRIVATE)] == [
        "studio_pass_buy",
        "studio_class_book",
    ]
    assert [c["name"] for c in checked(PASS, PRIVATE)] == ["studio_pass_buy"]


def test_no_call_is_made_without_every_required_parameter() -> None:
    folded = {k: v for k, v in FOLDED.items() if k != "start_time"}
    assert [c["name"] for c in checked(PASS, CLASS, arguments=folded)] == ["studio_pass_buy"]


def test_no_call_is_made_from_values_the_request_never_gives() -> None:
    request = "An unlimited month pass for Fran Ellis please, 07700 900642"
    made_up = {**FOLDED, "member_name": "Jo Bloggs", "class_type": "hatha", "start_time": "07:00"}
    made_up |= {"phone": "07700 900642", "mat_hire": False}
    calls = checked(PASS, CLASS, arguments=made_up, request=request)
    assert [c["name"] for c in calls] == ["studio_pass_buy"]
