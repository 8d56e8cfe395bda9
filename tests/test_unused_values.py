"""Values of a lone call's kind that no call uses (`planners/unused_values.py`), and the
caller asking the (scripted) model whether the request wants the function called again."""

from __future__ import annotations

from function_call_helpers import call, function
from toolpath.planners.function_calls import FunctionCaller
from toolpath.planners.llm import ScriptedChatModel
from toolpath.planners.unused_values import unused_values, uses_any
from toolpath.tools.catalogs.openai_functions import function_specs

TEXT = {"type": "string"}
ABSENCE = function(
    "school_absence_report",
    ["child", "date", "back_by"],
    child=TEXT,
    date=TEXT,
    back_by=TEXT,
    reason={"type": "string", "enum": ["illness", "medical", "family"]},
)
HIRE = function(
    "kayak_signout",
    ["member", "boat", "date"],
    member=TEXT,
    boat={"type": "string", "enum": ["single", "double", "canoe"]},
    date=TEXT,
)
SPECS = {spec.name: spec for spec in function_specs([ABSENCE, HIRE])}
DENTIST = (
    "Both kids have the dentist on Thursday 29 Jan 2026. Ruby will be back in by 11 and "
    "Alfie by half 11."
)
RUBY = {"child": "Ruby", "date": "2026-01-29", "back_by": "11:00", "reason": "medical"}
ALFIE = {**RUBY, "child": "Alfie", "back_by": "11:30"}


def _call(name: str, **arguments: object) -> dict:
    return {"name": name, "arguments": arguments}


def test_a_time_no_call_uses_is_found_but_not_the_other_reading_of_a_used_one() -> None:
    found = unused_values(DENTIST, [_call("school_absence_report", **RUBY)], SPECS)
    assert [(u.function, u.parameter, u.values) for u in found] == [
        ("school_absence_report", "back_by", ("11:30",))
    ]
    both = [_call("school_absence_report", **RUBY), _call("school_absence_report", **ALFIE)]
    assert unused_values(DENTIST, both, SPECS) == []
    evening = "Ruby will be back by half nine on Thursday 29 Jan 2026."
    assert (
        unused_values(
            evening, [_call("school_absence_report", **{**RUBY, "back_by": "21:30"})], SPECS
        )
        == []
    )


def test_another_date_a_lone_day_a_code_and_a_named_option_are_found() -> None:
    def found(request: str, **arguments: object) -> list[tuple[str, tuple[str, ...]]]:
        calls = [_call("kayak_signout", **arguments)]
        return [(u.parameter, u.values) for u in unused_values(request, calls, SPECS)]

    one = {"member": "KC-0112", "boat": "single", "date": "2026-07-12"}
    assert found(
        "A single for KC-0112 on 12 July 2026 and one for KC-0245 on 19 July 2026", **one
    ) == [
        ("member", ("KC-0245",)),
        ("date", ("2026-07-19",)),
    ]
    assert found("A single for KC-0112 on 12 July 2026, back on the 14th", **one) == [
        ("date", ("the 14th",))
    ]
    assert found("A single for KC-0112 on 12 July 2026 - yes, the 12th", **one) == []
    assert found("A single for KC-0112 on 12 July 2026; what else is on in July 2026?", **one) == []
    assert found("A single for KC-0112 on 12 July 2026, and a canoe for Ravi", **one) == [
        ("boat", ("canoe",))
    ]
    assert found("A single for KC-0112 on 12 July 2026, and not a canoe", **one) == []
    assert found("A single for KC-0112 on Sunday 12 July 2026 at 2pm", **one) == []


def test_a_function_called_twice_is_not_read() -> None:
    calls = [_call("school_absence_report", **RUBY), _call("school_absence_report", **RUBY)]
    assert unused_values(DENTIST, calls, SPECS) == []


def test_a_call_uses_a_value_as_written_or_as_its_date() -> None:
    assert uses_any(_call("school_absence_report", **ALFIE), ("11:30",))
    assert uses_any(_call("kayak_signout", member="KC-0245"), ("KC 0245",))
    assert uses_any(_call("kayak_signout", date="2026-07-14"), ("the 14th",))
    assert not uses_any(_call("school_absence_report", **RUBY), ("11:30", "the 14th"))


def _caller(replies: list[str]) -> tuple[FunctionCaller, ScriptedChatModel]:
    llm = ScriptedChatModel(replies)
    return FunctionCaller(llm, function_specs([ABSENCE]), relevance_floor=None), llm


def test_the_model_asked_about_an_unused_time_writes_the_second_call_and_it_is_kept() -> None:
    both = call("school_absence_report", **RUBY) + call("school_absence_report", **ALFIE)
    caller, llm = _caller([call("school_absence_report", **RUBY), both])
    result = caller.call(DENTIST)
    assert sorted(
        a.value for t in result.plan.subtasks for a in t.arguments if a.name == "child"
    ) == [
        "Alfie",
        "Ruby",
    ]
    asked = llm.calls[1]["messages"][-1]["content"]
    assert "school_absence_report" in asked and "11:30" in asked
    assert "repeated: 2 calls" in result.notes[-1]


def test_a_second_call_not_using_an_unused_value_or_failing_the_checks_is_not_kept() -> None:
    twice = call("school_absence_report", **RUBY) + call(
        "school_absence_report", **{**RUBY, "child": "Alfie"}
    )
    made_up = call("school_absence_report", **RUBY) + call(
        "school_absence_report", **{**ALFIE, "date": "2026-02-05"}
    )
    for reply in (call("school_absence_report", **RUBY), twice, made_up):
        caller, _ = _caller([call("school_absence_report", **RUBY), reply])
        result = caller.call(DENTIST)
        assert len(result.plan.subtasks) == 1
        assert "nothing kept" in result.notes[-1]


def test_an_option_inside_the_used_one_and_a_value_the_request_lacks_are_not_read() -> None:
    plan = function(
        "gym_join", ["plan"], plan={"type": "string", "enum": ["monthly", "off_peak_monthly"]}
    )
    specs = {spec.name: spec for spec in function_specs([plan])}
    joined = [_call("gym_join", plan="off_peak_monthly")]
    assert unused_values("the off peak monthly please", joined, specs) == []
    made_up = [_call("school_absence_report", **{**RUBY, "back_by": "10:00"})]
    assert unused_values(DENTIST, made_up, SPECS) == []  # 10:00 is not the request's
