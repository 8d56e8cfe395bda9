"""Run events round-trip through JSON as one discriminated stream."""

from toolpath.agent.events import PathChosen, PlanMade, RunFinished, Verdict, parse_event
from toolpath.planners.plan import Plan, SubTask, ToolPath


def test_events_round_trip() -> None:
    plan = Plan(request="r", subtasks=[SubTask(id=0, capability="x")])
    path = ToolPath(steps=[], alpha=0.5, expected_cost=0, expected_quality=1, weight=0)
    events = [
        PlanMade(run_id="r1", plan=plan),
        PathChosen(run_id="r1", path=path, expanded=3),
        Verdict(run_id="r1", subtask=0, tool="t", ok=False, reason="accuracy 0.4 < 0.9"),
        RunFinished(run_id="r1", status="succeeded", reason="all steps verified", cost=2.0),
    ]
    for event in events:
        again = parse_event(event.model_dump_json())
        assert type(again) is type(event)
        assert again == event
