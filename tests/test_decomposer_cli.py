"""`toolpath plan`: its wiring (demos, tool retrieval, search, report) and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from toolpath.agent.cli import plan_cmd
from toolpath.agent.run import planner_setup
from toolpath.planners.llm import ScriptedChatModel
from toolpath.planners.search import search_path
from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog
from toolpath.tools.spec import ToolSpec

ANSWER = {
    "task_steps": ["describe", "translate", "speak"],
    "task_nodes": [
        {"task": "Image-to-Text", "arguments": ["example.jpg"]},
        {"task": "Translation", "arguments": ["<node-0>"]},
        {"task": "Text-to-Speech", "arguments": ["<node-1>"]},
    ],
}


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    plan_cmd.register(app, typer.Typer())
    app.callback()(lambda: None)
    return app


@pytest.mark.taskbench_data
def test_wiring_demos_search_and_report() -> None:
    catalog = load_taskbench_catalog("huggingface")
    pool = planner_setup.taskbench_pool(catalog, None)
    llm = ScriptedChatModel([json.dumps(ANSWER)])
    decomposer = planner_setup.build_decomposer(
        llm, catalog, examples=pool, k_demos=2, planner="direct"
    )
    result = decomposer.decompose("Describe photo.jpg in Spanish and read it out")
    roles = [m["role"] for m in llm.calls[0]["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
    search = search_path(planner_setup.capability_plan(result.plan, catalog), catalog.tools)
    report = plan_cmd.plan_report(result, search, 1.0)
    assert report["task_nodes"] == ANSWER["task_nodes"]
    assert [step["tools"][-1] for step in report["path"]["steps"]] == [
        "Image-to-Text",
        "Translation",
        "Text-to-Speech",
    ]
    assert report["planner"]["attempts"] == 1 and report["planner"]["peak_rss_mb"] > 0


def test_capabilities_replace_tool_names_for_the_search() -> None:
    tools = [
        ToolSpec(name="ties", doc="merge", capabilities=["merge"]),
        ToolSpec(name="slerp", doc="merge", capabilities=["merge"]),
    ]
    catalog = Catalog(name="lib", tools=tools)
    reply = json.dumps({"task_steps": ["m"], "task_nodes": [{"task": "ties", "arguments": []}]})
    result = planner_setup.build_decomposer(ScriptedChatModel([reply]), catalog).decompose("merge")
    assert planner_setup.capability_plan(result.plan, catalog).subtasks[0].capability == "merge"
    assert result.taskbench["task_nodes"][0]["task"] == "ties"


def test_large_catalogues_get_a_tool_retriever() -> None:
    tools = [ToolSpec(name=f"t{i}", doc=f"tool number {i}") for i in range(45)]
    decomposer = planner_setup.build_decomposer(
        ScriptedChatModel(["{}"]), Catalog(name="big", tools=tools), max_tools=10
    )
    assert decomposer.tool_selector is not None
    assert len(decomposer.tools_for("tool number 7")) == 10


def test_demo_file_is_read_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "demos.jsonl"
    good.write_text(json.dumps({"user_request": "r", **ANSWER}) + "\n\n")
    assert planner_setup.load_examples(good)[0].request == "r"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task_nodes": []}\n')
    with pytest.raises(ValueError, match="line 1"):
        planner_setup.load_examples(bad)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--catalog", "taskbench:nowhere"], "unknown TaskBench domain"),
        (["--llm", "gpt"], "unknown LLM backend"),
        (["--model", "/nonexistent/model.gguf"], "does not exist"),
        (["--demo-file", "/nonexistent/demos.jsonl"], "does not exist"),
    ],
)
@pytest.mark.taskbench_data
def test_user_errors_exit_2_with_one_line(app: typer.Typer, args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        app, ["plan", "do something", "--catalog", "taskbench:huggingface", *args]
    )
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
