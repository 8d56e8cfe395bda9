"""`toolpath serve` against a real uvicorn process: the official `openai` client (stream and
not, with and without tools), httpx for the runs API, every bad input, the API key, the
LLM queue, a client that goes away, and a server killed mid-run that resumes it."""

from __future__ import annotations

import json
import os
import signal

import httpx
import openai
import pytest
from typer.testing import CliRunner

from serve_helpers import scripted_env, scripted_server, wait_for
from serve_scripted import DIRECT
from toolpath.agent.cli import app as cli_app

pytest.importorskip("fastapi")
MERGE = "merge the addition and reversal experts into one model"
WEATHER = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    with scripted_server(scripted_env(tmp)) as (url, _):
        yield url, tmp


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=f"{server[0]}/v1", api_key="unused", max_retries=0)


def _task(tmp, **extra) -> dict:
    from test_agent_tools import merge_task

    zoo = tmp / "zoo"
    return merge_task(zoo, ["addition", "reversal"], roots=[str(zoo)]) | extra


def test_models_and_a_run_through_the_openai_client(server, client):
    assert [m.id for m in client.models.list().data] == ["toolpath"]
    answer = client.chat.completions.create(
        model="toolpath", messages=[{"role": "user", "content": MERGE}]
    )
    text = answer.choices[0].message.content
    assert "**plan** (3 sub-tasks" in text and "**path**" in text
    assert "pass sub-task 2 merge_first" in text and "**succeeded**" in text
    run_id = answer.model_extra["toolpath"]["run_id"]
    runs = httpx.get(f"{server[0]}/runs").json()["runs"]
    assert run_id in [r["run_id"] for r in runs]
    listed = CliRunner().invoke(
        cli_app, ["runs", "list", "--json", "--home", str(server[1] / "home")]
    )
    assert run_id in [r["run_id"] for r in json.loads(listed.stdout)]


def test_streamed_run_carries_plan_verdicts_and_result(client):
    messages = [
        {"role": "user", "content": MERGE},
        {"role": "assistant", "content": "done"},
        {"role": "user", "content": "now with alpha 0.2"},
    ]
    stream = client.chat.completions.create(model="toolpath", messages=messages, stream=True)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    kinds = [(c.model_extra.get("toolpath_event") or {}).get("kind") for c in chunks]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert {"plan_made", "path_chosen", "verdict", "run_finished"} <= set(kinds)
    assert "run " in text and MERGE in text and "alpha 0.2;" in text  # the follow-up's alpha
    assert "**Result**" in text and chunks[-1].choices[0].finish_reason == "stop"


def test_tools_become_tool_calls(client):
    question = [{"role": "user", "content": "What is the weather in Oslo?"}]
    answer = client.chat.completions.create(model="toolpath", messages=question, tools=WEATHER)
    choice = answer.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Oslo"}
    stream = client.chat.completions.create(
        model="toolpath", messages=question, tools=WEATHER, stream=True
    )
    chunks = list(stream)
    calls = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert calls[0].function.name == "get_weather"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_no_fit_gets_a_direct_answer(client):
    hello = [{"role": "user", "content": "Say hello"}]
    with_tools = client.chat.completions.create(model="toolpath", messages=hello, tools=WEATHER)
    assert with_tools.choices[0].message.content == DIRECT
    assert not with_tools.choices[0].message.tool_calls
    stream = client.chat.completions.create(model="toolpath", messages=hello, stream=True)
    assert DIRECT in "".join(c.choices[0].delta.content or "" for c in stream)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (json.dumps({"model": "gpt-9", "messages": [{"role": "user", "content": "hi"}]}), 404,
         "model_not_found"),
        (json.dumps({"model": "toolpath"}), 400, "invalid_value"),
        (json.dumps({"model": "toolpath", "messages": []}), 400, "missing_message"),
        (json.dumps({"model": "toolpath", "messages": [{"role": "system", "content": "x"}]}),
         400, "missing_message"),
        (json.dumps({"model": "toolpath", "messages": [{"role": "user", "content": "x" * 5000}]}),
         400, "context_length_exceeded"),
        (json.dumps({"model": "toolpath", "messages": [{"role": "user", "content": "x"}] * 9}),
         400, "too_many_messages"),
        (json.dumps({"model": "toolpath", "messages": [{"role": "user", "content": "x"}],
                     "tools": [{"type": "function", "function": {"description": "no name"}}]}),
         400, "invalid_tools"),
        (b"x" * 300_000, 413, "body_too_large"),
    ],
)  # fmt: skip
def test_bad_input_gets_an_openai_error(server, body, status, code):
    response = httpx.post(f"{server[0]}/v1/chat/completions", content=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and "Traceback" not in response.text


def test_openai_client_sees_the_errors(client):
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.BadRequestError, match="no user message"):
        client.chat.completions.create(model="toolpath", messages=[])


def test_runs_api_pause_search_again_approve_and_follow(server):
    url, tmp = server
    bad = httpx.post(f"{url}/runs", json={"request": "x", "colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.json()["error"]["message"]
    check = {"metric": "accuracy", "dataset": "/etc/eval.jsonl", "threshold": 0.5}
    outside = httpx.post(f"{url}/runs", json={"request": "x", "checks": [check]})
    assert outside.status_code == 400 and "outside" in outside.json()["error"]["message"]
    started = httpx.post(f"{url}/runs?approve_first=true", json=_task(tmp, request=MERGE))
    assert started.status_code == 201
    run_id = started.json()["run_id"]
    paused = wait_for(lambda: _state(url, run_id, "paused"))
    assert [s["capability"] for s in paused["pending"]["plan"]["subtasks"]][-1] == "merge_models"
    assert httpx.post(f"{url}/runs/{run_id}/approve", json={}).status_code == 400
    assert httpx.post(f"{url}/runs/{run_id}/approve", json={"alpha": 0.0}).status_code == 200
    again = wait_for(lambda: _state(url, run_id, "paused", searched=2))
    assert again["alpha"] == 0.0
    assert httpx.post(f"{url}/runs/{run_id}/approve", json={"approve": True}).status_code == 200
    done = wait_for(lambda: _state(url, run_id, "succeeded"))
    assert done["result"]["metrics"]
    again = httpx.post(f"{url}/runs/{run_id}/approve", json={"approve": True})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_paused"
    events = _sse(url, run_id)
    assert [e["kind"] for e in events][:2] == ["plan_made", "path_chosen"]
    resumed = _sse(url, run_id, headers={"Last-Event-ID": "3"})
    assert resumed == events[4:]
    report = httpx.get(f"{url}/runs/{run_id}/report")
    assert report.status_code == 200 and "<svg" in report.text
    missing = httpx.get(f"{url}/runs/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "run_not_found"


def _state(url: str, run_id: str, status: str, searched: int = 1) -> dict | None:
    data = httpx.get(f"{url}/runs/{run_id}").json()
    paths = sum(e["kind"] == "path_chosen" for e in _sse(url, run_id, wait=False))
    return data if data["status"] == status and paths >= searched else None


def _sse(url: str, run_id: str, headers: dict | None = None, wait: bool = True) -> list[dict]:
    """The run's typed events from its SSE stream (to its end, or what is there now)."""
    events = []
    with httpx.stream("GET", f"{url}/runs/{run_id}/events", headers=headers, timeout=30) as r:
        name = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: ") and name not in ("status", "queue"):
                events.append(json.loads(line[6:]))
            elif line.startswith("data: ") and not wait:
                return events
    return events


def test_a_client_that_goes_away_does_not_kill_its_run(server):
    url = server[0]
    body = {"model": "toolpath", "messages": [{"role": "user", "content": MERGE}], "stream": True}
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
        lines = response.iter_lines()
        run_id = next(json.loads(line[6:]) for line in lines if "run_started" in line)
        run_id = run_id["toolpath_event"]["run_id"]
    assert wait_for(lambda: _state(url, run_id, "succeeded"))


def test_api_key_is_checked_on_every_route(tmp_path):
    env = scripted_env(tmp_path, TOOLPATH_API_KEY="s3cret")
    with scripted_server(env) as (url, _):
        for path in ("/v1/models", "/runs", "/", "/static/app.js", "/nope"):
            assert httpx.get(f"{url}{path}").status_code == 401, path
            wrong = httpx.get(f"{url}{path}", headers={"Authorization": "Bearer s3cre"})
            assert wrong.status_code == 401
        assert "API key" in httpx.get(f"{url}/").text  # the page asks for it
        good = {"Authorization": "Bearer s3cret"}
        assert httpx.get(f"{url}/v1/models", headers=good).status_code == 200
        assert httpx.get(f"{url}/runs", cookies={"toolpath_key": "s3cret"}).status_code == 200
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="s3cret", max_retries=0)
        assert client.models.list().data[0].id == "toolpath"
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0).models.list()


def test_serve_refuses_a_public_address_without_a_key(monkeypatch):
    monkeypatch.delenv("TOOLPATH_API_KEY", raising=False)
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2 and "TOOLPATH_API_KEY" in result.output


def test_llm_calls_queue_for_one_slot(tmp_path):
    with scripted_server(scripted_env(tmp_path, SCRIPTED_LLM_SECONDS="1.5")) as (url, _):
        ids = [
            httpx.post(f"{url}/runs", json=_task(tmp_path, request=MERGE)).json()["run_id"]
            for _ in range(2)
        ]
        status = wait_for(lambda: _queued(url), timeout=10, step=0.05)
        assert status["llm"]["busy"] in ids and status["llm"]["waiting"][0] in ids
        waiting = httpx.get(f"{url}/runs/{status['llm']['waiting'][0]}").json()
        assert waiting["queue_position"] == 1
        for run_id in ids:
            assert wait_for(lambda r=run_id: _state(url, r, "succeeded"))


def _queued(url: str) -> dict | None:
    status = httpx.get(f"{url}/status").json()
    return status if status["llm"]["busy"] and status["llm"]["waiting"] else None


def test_a_run_resumes_after_the_server_is_killed(tmp_path):
    env = scripted_env(tmp_path, SCRIPTED_SLOW_MERGE="4")
    task = _task(tmp_path, request=MERGE)
    with scripted_server(env) as (url, process):
        run_id = httpx.post(f"{url}/runs", json=task).json()["run_id"]
        wait_for(lambda: _failed_once(url, run_id), timeout=60)  # merge_sum is running now
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    with scripted_server(env) as (url, _):
        done = wait_for(lambda: _state(url, run_id, "succeeded"), timeout=90)
        assert [s["tool"] for s in done["steps"] if s["ok"]][-1] == "merge_sum"
        listed = httpx.get(f"{url}/runs").json()["runs"]
        assert [r["status"] for r in listed if r["run_id"] == run_id] == ["succeeded"]


def _failed_once(url: str, run_id: str) -> bool:
    events = _sse(url, run_id, wait=False) if _has_events(url, run_id) else []
    return any(e["kind"] == "replanned" for e in events)


def _has_events(url: str, run_id: str) -> bool:
    return httpx.get(f"{url}/runs/{run_id}").status_code == 200
