"""Plan validation: references, ranges, capabilities, cycles; errors name the node."""

import pytest

from toolpath.planners.plan import Argument, Plan, PlanValidationError, SubTask


def _plan(*args_per_node: list[str], links=()) -> Plan:
    return Plan(
        subtasks=[
            SubTask(id=i, capability="cap", arguments=[Argument(value=a) for a in args])
            for i, args in enumerate(args_per_node)
        ],
        links=list(links),
    )


def test_references_become_edges() -> None:
    plan = _plan(["x.jpg"], ["<node-0>"], ["<node-0>", "<node-1>"])
    assert plan.edges() == {(0, 1), (0, 2), (1, 2)}
    assert plan.parents(2) == [0, 1]
    assert plan.topological_order() == [0, 1, 2]
    plan.validate_plan(capabilities={"cap"})


def test_named_argument_references() -> None:
    plan = Plan(
        subtasks=[
            SubTask(id=0, capability="a"),
            SubTask(id=1, capability="b", arguments=[Argument(name="text", value="<node-0>")]),
        ]
    )
    assert plan.edges() == {(0, 1)}


def test_out_of_range_reference_names_the_node() -> None:
    with pytest.raises(PlanValidationError) as err:
        _plan(["a"], ["<node-5>"]).validate_plan()
    assert err.value.problems[0].node == 1
    assert "<node-5>" in str(err.value)


def test_self_reference_and_unknown_capability() -> None:
    plan = _plan(["<node-0>"])
    messages = [str(p) for p in plan.problems(capabilities={"other"})]
    assert "node 0: refers to its own output" in messages
    assert "node 0: unknown capability 'cap'" in messages


def test_cycle_is_reported_with_its_path() -> None:
    plan = _plan(["<node-1>"], ["<node-0>"])
    with pytest.raises(PlanValidationError, match="cycle"):
        plan.validate_plan()


def test_link_out_of_range_and_bad_ids() -> None:
    plan = _plan(["a"], links=[(0, 3)])
    assert any("out of range" in str(p) for p in plan.problems())
    bad = Plan(subtasks=[SubTask(id=3, capability="c")])
    assert "expected 0" in str(bad.problems()[0])


def test_restricted_to_renumbers_references() -> None:
    plan = _plan(["x.jpg"], ["other"], ["<node-0>"], ["<node-2>"], links=[(0, 2), (1, 3)])
    sub = plan.restricted_to({0, 2, 3})
    assert [t.arguments[0].value for t in sub.subtasks] == ["x.jpg", "<node-0>", "<node-1>"]
    assert sub.links == [(0, 1)]
    assert sub.edges() == {(0, 1), (1, 2)}
    sub.validate_plan()
