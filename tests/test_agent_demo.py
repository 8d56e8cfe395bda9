"""The demo's pieces, and a real end-to-end demo on the mini zoo with the embedded LLM."""

from __future__ import annotations

import json
import os

import pytest
import typer
from typer.testing import CliRunner

from toolpath.agent.cli import demo_cmd
from toolpath.agent.run.demo_task import DEMO_SKILLS, fixed_plan, plan_problems
from toolpath.agent.run.executor import bind_arguments
from toolpath.planners.plan import Argument, Plan, SubTask
from toolpath.tools.registry import ToolRegistry, tool


def test_fixed_plan_is_valid_for_the_demo():
    plan = fixed_plan(DEMO_SKILLS, 0.001)
    assert plan_problems(plan, DEMO_SKILLS) == []
    assert plan.subtasks[-1].scale == 0.001


def test_plan_problems_name_what_is_missing():
    plan = Plan(
        subtasks=[
            SubTask(id=0, capability="retrieve_experts", arguments=[Argument(value="addition")]),
            SubTask(id=1, capability="merge_models", arguments=[Argument(value="<node-0>")]),
        ]
    )
    problems = plan_problems(plan, DEMO_SKILLS)
    assert problems == ["expected one retrieval for reversal, got 0"]


def test_resource_style_arguments_bind_by_type():
    registry = ToolRegistry()

    @tool(capabilities=["merge_models"], inputs=["model"], outputs=["model"], registry=registry)
    def merge(models: list[str], out: str, base: str | None = None, k: int = 1) -> dict:
        """Merge."""
        return {}

    hits = {0: [{"path": "/a", "score": 0.9}, {"path": "/x", "score": 0.1}], 1: [{"path": "/b"}]}
    args = [Argument(value="<node-0>"), Argument(value="<node-1>")]
    bound = bind_arguments(registry.get("merge"), args, hits, {"base": "/base", "out": "/no"})
    assert bound == {"models": ["/a", "/b"], "base": "/base"}
    lone = bind_arguments(registry.get("merge"), [Argument(value="<node-0>")], hits)
    assert lone == {"models": ["/a", "/x"]}


@pytest.mark.slow
@pytest.mark.llm
def test_demo_end_to_end_on_the_mini_zoo(tmp_path):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    app, bench = typer.Typer(), typer.Typer()
    app.add_typer(bench, name="bench")
    demo_cmd.register(app, bench)
    app.command("noop")(lambda: None)
    report = tmp_path / "demo.html"
    args = ["demo", "--mini", "--zoo", str(tmp_path / "zoo"), "--threshold", "0", "--json"]
    args += ["--home", str(tmp_path / "home"), "--report", str(report)]
    result = CliRunner().invoke(app, args)
    data = json.loads(result.stdout)
    assert result.exit_code == 0, data
    assert data["status"] == "succeeded"
    assert [s["capability"] for s in data["steps"] if s["ok"]].count("merge_models") == 1
    merged = next(iter(data["result"]["outputs"].values()))
    assert os.path.isdir(merged)
    assert report.read_text().count("<svg") == 1
    assert data["planned_by"] in ("llm", "fallback")
    assert data["planner_attempts"] >= (1 if data["planned_by"] == "llm" else 0)


@pytest.mark.slow
@pytest.mark.llm
def test_demo_at_its_default_threshold_replans_and_says_who_planned(tmp_path):
    """The demo as a user runs it (full zoo, default threshold, the embedded LLM): the
    cheapest merge misses the threshold, so at least one replan happens before success."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    app, bench = typer.Typer(), typer.Typer()
    app.add_typer(bench, name="bench")
    demo_cmd.register(app, bench)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(app, ["demo", "--json", "--home", str(tmp_path / "home")])
    data = json.loads(result.stdout)
    assert result.exit_code == 0, data
    assert data["status"] == "succeeded" and data["replans"] >= 1
    failed = [s for s in data["steps"] if not s["ok"]]
    assert any(s["capability"] == "merge_models" for s in failed)
    assert data["planned_by"] in ("llm", "fallback")
    assert data["planner_attempts"] >= (1 if data["planned_by"] == "llm" else 0)


class _Inner:
    """A stand-in for the LLM decomposer: a fixed answer, or a failure."""

    def __init__(self, plan: Plan | None, attempts: int = 2) -> None:
        self.plan, self.attempts, self.last_attempts = plan, attempts, 0

    def decompose(self, request, inputs):
        from toolpath.agent.run.planning import PlannerError

        if self.plan is None:
            raise PlannerError("the decomposer failed: no JSON")
        self.last_attempts = self.attempts
        return self.plan, [f"planned by the LLM in {self.attempts} attempt(s)"]


@pytest.mark.parametrize(
    ("inner", "planned_by", "attempts"),
    [
        (_Inner(fixed_plan(DEMO_SKILLS, 0.0), attempts=2), "llm", 2),
        (_Inner(None), "fallback", 0),
        (None, "fixed", 0),
    ],
)
def test_the_demo_says_who_planned(inner, planned_by, attempts):
    from toolpath.agent.run.demo_task import DemoPlanner

    planner = DemoPlanner(inner, DEMO_SKILLS, 0.0)
    plan, _ = planner.decompose("merge them", {})
    assert planner.planned_by == planned_by
    assert planner.attempts == attempts
    assert not plan_problems(plan, DEMO_SKILLS)


def test_extra_steps_after_the_merge_are_pruned():
    from toolpath.agent.run.demo_task import keep_merge_and_inputs

    plan = fixed_plan(DEMO_SKILLS, 0.0)
    extra = SubTask(id=3, capability="apply_adapter", arguments=[Argument(value="<node-2>")])
    side = SubTask(id=4, capability="compose_adapters", arguments=[Argument(value="x")])
    bigger = plan.model_copy(update={"subtasks": [*plan.subtasks, extra, side]})
    assert plan_problems(bigger, DEMO_SKILLS)
    pruned = keep_merge_and_inputs(bigger)
    assert pruned is not None and plan_problems(pruned, DEMO_SKILLS) == []
    assert [t.capability for t in pruned.subtasks] == [t.capability for t in plan.subtasks]
