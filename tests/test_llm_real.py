"""The real embedded model: one TaskBench plan through the CLI, and the openai backend
against llama.cpp's own HTTP server on 127.0.0.1 (the same in-process model)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from toolpath.agent.cli import plan_cmd
from toolpath.agent.llm import embedded_model
from toolpath.agent.llm.openai_backend import OpenAIChatModel
from toolpath.planners.decomposer import plan_from_taskbench
from toolpath.tools.catalogs.taskbench import domain_dir, load_taskbench_catalog

pytestmark = pytest.mark.llm


@pytest.fixture(scope="module")
def model():
    return embedded_model()


def a_single_tool_request() -> str:
    rows = [json.loads(x) for x in (domain_dir("huggingface") / "data.jsonl").open()]
    return next(
        r["user_request"] for r in rows if r["type"] == "single" and len(r["user_request"]) < 90
    )


@pytest.mark.taskbench_data
def test_plan_command_plans_a_taskbench_request(model) -> None:
    app = typer.Typer()
    plan_cmd.register(app, typer.Typer())
    app.callback()(lambda: None)
    request = a_single_tool_request()
    args = ["plan", request, "--catalog", "taskbench:huggingface", "--demos", "1", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    names = load_taskbench_catalog("huggingface").names()
    assert report["task_nodes"] and all(n["task"] in names for n in report["task_nodes"])
    assert plan_from_taskbench(report).problems(names) == []
    assert report["path"] is not None
    assert report["planner"]["completion_tokens"] > 0


def test_openai_backend_against_local_server(model) -> None:
    client = OpenAIChatModel(base_url=model.base_url, model="toolpath-embedded", timeout=300)
    schema = {
        "type": "object",
        "properties": {"tool": {"enum": ["Translation", "Summarization"]}},
        "required": ["tool"],
        "additionalProperties": False,
    }
    messages = [
        {
            "role": "system",
            "content": "Pick the tool. Translation: change language. "
            "Summarization: shorten a text.",
        },
        {"role": "user", "content": "Put 'good morning' into Italian."},
    ]
    completion = client.complete(messages, schema=schema, max_tokens=16)
    assert json.loads(completion.text)["tool"] in {"Translation", "Summarization"}
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0


def test_the_embedded_model_continues_an_answer(model) -> None:
    """A last assistant message is continued, not answered: the text is its start and the
    rest of one JSON object (an answer after it would repeat the start)."""
    start = '{"city": "'
    messages = [
        {"role": "system", "content": 'Answer as JSON: {"city": NAME}.'},
        {"role": "user", "content": "Which city is the capital of Norway?"},
        {"role": "assistant", "content": start},
    ]
    text = model.complete(messages, max_tokens=12).text
    assert text.startswith(start) and json.loads(text) == {"city": "Oslo"}


def test_system_prefix_state_survives_a_new_process_model(tmp_path) -> None:
    from toolpath.agent.llm import EmbeddedChatModel, ensure_model

    system = "You answer with one word. " + " ".join(f"Rule {i}: be brief." for i in range(40))
    messages = [{"role": "system", "content": system}, {"role": "user", "content": "Say hi."}]
    first = EmbeddedChatModel(ensure_model(), n_ctx=1024, prompt_cache_dir=tmp_path)
    cold = first.complete(messages, max_tokens=2)
    assert cold.usage.cached_tokens == 0
    assert len(list(tmp_path.glob("prefix-*.bin"))) == 1
    assert not list(tmp_path.glob("tmp-*"))
    del first
    second = EmbeddedChatModel(ensure_model(), n_ctx=1024, prompt_cache_dir=tmp_path)
    other = [messages[0], {"role": "user", "content": "Say bye."}]
    warm = second.complete(other, max_tokens=2)
    assert warm.usage.cached_tokens > 200  # the system message came back from disk
