"""`toolpath serve` (the real command) with the real embedded LLM: the official `openai`
client streams the demo task and gets its plan (one thread; slow)."""

from __future__ import annotations

import os

import pytest

from serve_helpers import free_port

pytestmark = [pytest.mark.llm, pytest.mark.slow]


def test_demo_task_streams_a_plan_from_the_embedded_model(tmp_path, monkeypatch):
    pytest.importorskip("xllamacpp", reason="pip install 'toolpath[embedded]'")
    from toolpath.agent.serve.measure import measure, start_server

    monkeypatch.setenv("TOOLPATH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TOOLPATH_LLM_THREADS", os.environ.get("TOOLPATH_LLM_THREADS", "1"))
    monkeypatch.delenv("TOOLPATH_API_KEY", raising=False)
    port = free_port()
    process = start_server(port)
    try:
        times = measure(f"http://127.0.0.1:{port}", request=_demo_request())
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert times["first_token_s"] < times["first_plan_node_s"]
    assert "merge_models" in times["plan"] or "retrieve_experts" in times["plan"]


def _demo_request() -> str:
    from toolpath.agent.run.demo_task import DEMO_REQUEST

    return DEMO_REQUEST
