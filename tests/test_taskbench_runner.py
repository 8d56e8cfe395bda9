"""The TaskBench runner's mechanics (resume, format, leakage, failures) and its CLI.

A small TaskBench-format domain is written to a temporary folder; the planner is the real
Decomposer driven by `ScriptedChatModel` (which answers from the labels, or with junk).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from toolpath.evals.provenance import RunSettingsError
from toolpath.evals.taskbench.cli import read_predictions, register
from toolpath.evals.taskbench.failures import failure_breakdown
from toolpath.evals.taskbench.loader import load_domain, split_domain
from toolpath.evals.taskbench.runner import (
    PREDICTIONS_FILE,
    RunConfig,
    read_records,
    run_taskbench,
)
from toolpath.planners.llm import ScriptedChatModel

DOMAIN = "huggingface"  # the folder name; the tools below are a small stand-in
TOOLS = [
    ("Text-to-Image", ["text"], ["image"]),
    ("Image Editing", ["image", "text"], ["image"]),
    ("Image Classification", ["image"], ["text"]),
    ("Translation", ["text"], ["text"]),
]
LINKS = [
    ("Text-to-Image", "Image Editing"),
    ("Text-to-Image", "Image Classification"),
    ("Image Editing", "Image Classification"),
    ("Image Classification", "Translation"),
    ("Translation", "Text-to-Image"),
]
SUBJECTS = ["cat", "dog", "boat", "tree", "house", "car", "bird", "lamp", "chair", "cup"]


def _single(i: int, subject: str) -> dict:
    return {
        "type": "single",
        "user_request": f"Classify the {subject} in photo{i}.jpg please.",
        "task_steps": [f"Step 1: classify photo{i}.jpg"],
        "task_nodes": [{"task": "Image Classification", "arguments": [f"photo{i}.jpg"]}],
        "task_links": [],
    }


def _chain(i: int, subject: str) -> dict:
    return {
        "type": "chain",
        "user_request": f"Draw a {subject} number {i}, then say what the picture shows.",
        "task_steps": [f"Step 1: draw a {subject}", "Step 2: classify the drawing"],
        "task_nodes": [
            {"task": "Text-to-Image", "arguments": [f"a {subject}"]},
            {"task": "Image Classification", "arguments": ["<node-0>"]},
        ],
        "task_links": [{"source": "Text-to-Image", "target": "Image Classification"}],
    }


def _dag(i: int, subject: str) -> dict:
    return {
        "type": "dag",
        "user_request": f"Draw a {subject} ({i}), make it red, and classify both pictures.",
        "task_steps": ["Step 1: draw", "Step 2: edit", "Step 3: classify"],
        "task_nodes": [
            {"task": "Text-to-Image", "arguments": [f"a {subject}"]},
            {"task": "Image Editing", "arguments": ["<node-0>", "make it red"]},
            {"task": "Image Classification", "arguments": ["<node-1>"]},
        ],
        "task_links": [],
    }


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "taskbench" / DOMAIN
    folder.mkdir(parents=True)
    nodes = [
        {"id": name, "desc": f"{name} tool.", "input-type": i, "output-type": o}
        for name, i, o in TOOLS
    ]
    (folder / "tool_desc.json").write_text(json.dumps({"nodes": nodes}))
    graph = {
        "nodes": nodes,
        "links": [{"source": s, "target": t, "type": "complete"} for s, t in LINKS],
    }
    (folder / "graph_desc.json").write_text(json.dumps(graph))
    makers = [_single] * 5 + [_chain] * 4 + [_dag] * 3
    with (folder / "data.jsonl").open("w") as handle:
        for i, (make, subject) in enumerate(zip(makers, SUBJECTS * 2, strict=False)):
            handle.write(json.dumps({"id": str(1000 + i), **make(i, subject)}) + "\n")
    return tmp_path / "taskbench"


def oracle(data_dir: Path) -> ScriptedChatModel:
    """Answers every request with its label (the planner still parses and checks it)."""
    labels = {s.user_request: s for s in load_domain(DOMAIN, data_dir).samples}

    def reply(messages: list[dict[str, str]]) -> str:
        sample = labels[messages[-1]["content"].removeprefix("Request: ")]
        return json.dumps({"task_steps": sample.task_steps, "task_nodes": sample.task_nodes})

    return ScriptedChatModel(reply)


def config(data_dir: Path, out: Path, **overrides) -> RunConfig:
    settings = {"domain": DOMAIN, "out": out, "eval_size": 6, "data_dir": data_dir}
    return RunConfig(**{**settings, **overrides})


def test_run_writes_taskbench_predictions_and_a_report(data_dir, tmp_path):
    out = tmp_path / "run"
    result = run_taskbench(config(data_dir, out), oracle(data_dir), show_progress=False)
    assert result.planned_now == 6
    lines = [json.loads(line) for line in (out / PREDICTIONS_FILE).read_text().splitlines()]
    assert [line["id"] for line in lines] == result.selected_ids
    for line in lines:
        assert set(line["result"]) == {"task_steps", "task_nodes", "task_links"}
        assert line["toolpath"]["attempts"] == 1
    assert result.report["scores"]["strict"]["all"]["n_f1"] == 1.0
    assert result.report["scores"]["strict"]["all"]["v_f1"] == 1.0
    markdown = (out / "report.md").read_text()
    assert "gpt-4 (published)" in markdown and "81.54" in markdown
    report = json.loads((out / "report.json").read_text())
    assert report["published"]["gpt-3.5-turbo"]["n_f1"] == pytest.approx(0.6949)


def test_resume_plans_only_what_is_missing(data_dir, tmp_path):
    out = tmp_path / "run"
    run_taskbench(config(data_dir, out, limit=3), oracle(data_dir), show_progress=False)
    # a torn last line (an interrupted write) is dropped and that sample planned again
    path = out / PREDICTIONS_FILE
    path.write_text(path.read_text() + '{"id": "torn", "resu')
    model = oracle(data_dir)
    result = run_taskbench(config(data_dir, out, limit=5), model, show_progress=False)
    assert len(model.calls) == 2
    assert result.planned_now == 2
    assert len(read_records(path)) == 5
    assert "torn" not in path.read_text()


def slow_and_sometimes_wrong(data_dir: Path) -> Callable[[list[dict[str, str]]], str]:
    """A script answering the label of every odd sample and a wrong plan for the others;
    the first samples answer slowest, so parallel workers finish out of order."""
    samples = load_domain(DOMAIN, data_dir).samples
    order = {s.user_request: k for k, s in enumerate(samples)}
    wrong = {"task_steps": ["s"], "task_nodes": [{"task": "Translation", "arguments": []}]}

    def reply(messages: list[dict[str, str]]) -> str:
        k = order[messages[-1]["content"].removeprefix("Request: ")]
        time.sleep(0.03 * (len(samples) - k))
        plan = {"task_steps": samples[k].task_steps, "task_nodes": samples[k].task_nodes}
        return json.dumps(plan if k % 2 else wrong)

    return reply


def test_workers_plan_at_once_and_score_the_same(data_dir, tmp_path):
    """Three workers finish out of order (the first requests answer slowest); the file's
    order differs, the records and the scores do not."""
    runs = {}
    for workers in (1, 3):
        out = tmp_path / f"run-{workers}"
        model = ScriptedChatModel(slow_and_sometimes_wrong(data_dir))
        runs[workers] = run_taskbench(
            config(data_dir, out, workers=workers), model, show_progress=False
        )
    ids = [json.loads(line)["id"] for line in (tmp_path / "run-3" / PREDICTIONS_FILE).open()]
    assert sorted(ids) == sorted(runs[1].selected_ids) and ids != runs[1].selected_ids
    assert runs[1].report["scores"] == runs[3].report["scores"]
    assert 0 < runs[3].report["scores"]["strict"]["all"]["n_f1"] < 1
    for i in runs[1].selected_ids:
        assert runs[1].records[i]["result"] == runs[3].records[i]["result"]
    with pytest.raises(ValueError, match="--workers"):
        run_taskbench(config(data_dir, tmp_path / "x", workers=0), model, show_progress=False)


def test_resume_refuses_other_settings(data_dir, tmp_path):
    out = tmp_path / "run"
    run_taskbench(config(data_dir, out, limit=1), oracle(data_dir), show_progress=False)
    with pytest.raises(RunSettingsError, match="demos: 0 there, 2 now"):
        run_taskbench(config(data_dir, out, limit=1, demos=2), oracle(data_dir))


def test_runs_made_before_the_demo_rerank_read_as_none(data_dir, tmp_path):
    out = tmp_path / "run"
    settings = {"limit": 1, "demos": 2, "demo_rerank": "none"}
    run_taskbench(config(data_dir, out, **settings), oracle(data_dir), show_progress=False)
    recorded = json.loads((out / "run.json").read_text())
    del recorded["demo_rerank"]  # as an older run wrote it
    (out / "run.json").write_text(json.dumps(recorded))
    run_taskbench(config(data_dir, out, **settings), oracle(data_dir), show_progress=False)
    with pytest.raises(RunSettingsError, match="demo_rerank: 'none' there, 'support' now"):
        reranked = config(data_dir, out, limit=1, demos=2, demo_rerank="support")
        run_taskbench(reranked, oracle(data_dir))
    with pytest.raises(ValueError, match="--demo-rerank must be support or none"):
        run_taskbench(config(data_dir, tmp_path / "other", demo_rerank="tools"), oracle(data_dir))


def test_split_offset_and_limit_select_from_the_evaluation_slice(data_dir, tmp_path):
    domain = load_domain(DOMAIN, data_dir)
    split = split_domain(domain, 6)
    result = run_taskbench(
        config(data_dir, tmp_path / "run", split="single", offset=1, limit=2),
        oracle(data_dir),
        show_progress=False,
    )
    singles = [i for i in split.eval_ids if domain.by_id()[i].type == "single"]
    assert result.selected_ids == singles[1:3]


@pytest.mark.parametrize("rerank", ["none", "support"])
def test_demonstrations_come_only_from_the_demo_pool(data_dir, tmp_path, rerank):
    domain = load_domain(DOMAIN, data_dir)
    split = split_domain(domain, 6)
    model = oracle(data_dir)
    settings = config(data_dir, tmp_path / "run", demos=2, demo_rerank=rerank)
    result = run_taskbench(settings, model, show_progress=False)
    evaluation = set(split.eval_ids)
    for record in result.records.values():
        assert len(record["toolpath"]["demo_ids"]) == 2
        assert not evaluation & set(record["toolpath"]["demo_ids"])
    eval_requests = {domain.by_id()[i].user_request for i in split.eval_ids}
    for call in model.calls:
        shown = [m["content"].removeprefix("Request: ") for m in call["messages"][1:-1]]
        assert not eval_requests & set(shown)


def test_planner_failures_are_recorded_and_scored_strictly(data_dir, tmp_path):
    model = ScriptedChatModel(["this is not JSON"])
    result = run_taskbench(
        config(data_dir, tmp_path / "run", limit=2, max_retries=1), model, show_progress=False
    )
    assert len(model.calls) == 4  # two samples, two attempts each
    assert all(r["toolpath"]["planner_failed"] for r in result.records.values())
    assert all(r["result"] is None for r in result.records.values())
    assert result.scores.unparsable == 2
    assert result.report["scores"]["strict"]["all"]["samples"] == 2
    assert result.report["scores"]["reference"]["all"]["samples"] == 0
    assert result.report["planner"]["planner_failures"] == 2


def test_first_answers_are_scored_beside_the_repaired_plans(data_dir, tmp_path):
    """The first answer numbers its references from 1; the repair fixes that, so the
    repaired plans score perfectly and the first answers, scored as they came, do not."""
    labels = {s.user_request: s for s in load_domain(DOMAIN, data_dir).samples}

    def one_based(messages: list[dict[str, str]]) -> str:
        sample = labels[messages[-1]["content"].removeprefix("Request: ")]
        nodes = json.loads(json.dumps(sample.task_nodes).replace("<node-0>", "<node-1>"))
        return json.dumps({"task_steps": sample.task_steps, "task_nodes": nodes})

    result = run_taskbench(
        config(data_dir, tmp_path / "run", split="chain"),
        ScriptedChatModel(one_based),
        show_progress=False,
    )
    assert result.scores.strict["all"]["e_f1"] == 1.0
    first = result.report["first_answer_scores"]["strict"]["all"]
    assert first["samples"] == result.scores.strict["all"]["samples"]
    assert first["e_f1"] < 1.0
    assert result.report["failures"]["classes"]["exact"] == len(result.selected_ids)
    markdown = (tmp_path / "run" / "report.md").read_text()
    assert "first answer, no repair/feedback" in markdown
    assert "Where points are lost" in markdown
    # replayed offline: the repair alone restores the links; without the 1-based fix, no
    steps = result.report["repair_steps"]
    assert steps["every repair step (no feedback)"]["e_f1"] == 1.0
    assert steps["without one based references"]["e_f1"] == first["e_f1"]
    assert steps["without cycles"]["e_f1"] == 1.0


def test_failure_classes_name_what_went_wrong(data_dir):
    domain = load_domain(DOMAIN, data_dir)
    chain = next(s for s in domain.samples if s.type == "chain")
    first, second = chain.task_nodes[0], chain.task_nodes[1]
    unlinked = {**second, "arguments": ["photo.jpg"]}
    cases = {
        "exact": chain.label,
        "missing_tools": {"task_steps": [], "task_nodes": [first], "task_links": []},
        "wrong_links": {"task_steps": [], "task_nodes": [first, unlinked], "task_links": []},
        "unparsable": "not a plan",
    }
    for expected, prediction in cases.items():
        breakdown = failure_breakdown(domain, {chain.id: prediction}, [chain.id])
        assert breakdown["classes"][expected] == 1, expected
        assert sum(breakdown["classes"].values()) == 1
    missed = failure_breakdown(domain, {chain.id: "not a plan"}, [chain.id])["missed_tools"]
    assert sorted(name for name, _ in missed) == sorted(n["task"] for n in chain.task_nodes)


class OpenAIEndpoint(ThreadingHTTPServer):
    """A local OpenAI-compatible chat-completions server answering from a script; it keeps
    the messages of every request it got."""

    def __init__(self, reply: Callable[[list[dict[str, str]]], str]) -> None:
        super().__init__(("127.0.0.1", 0), _CompletionHandler)
        self.reply, self.requests = reply, []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1"


class _CompletionHandler(BaseHTTPRequestHandler):
    server: OpenAIEndpoint

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body["messages"])
        text = self.server.reply(body["messages"])
        answer = json.dumps({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def openai_endpoint(reply: Callable[[list[dict[str, str]]], str]) -> Iterator[OpenAIEndpoint]:
    server = OpenAIEndpoint(reply)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _untimed(value: object) -> object:
    """A report without what differs from run to run: seconds, settings, provenance."""
    if isinstance(value, dict):
        return {
            k: _untimed(v)
            for k, v in value.items()
            if "seconds" not in k and k not in ("config", "provenance")
        }
    return value


# --- CLI --------------------------------------------------------------------------------------


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app, typer.Typer())
    return app


def test_cli_scores_predictions_as_json(cli, data_dir, tmp_path):
    domain = load_domain(DOMAIN, data_dir)
    predictions = tmp_path / "p.jsonl"
    lines = [{"id": s.id, "result": s.label} for s in domain.samples[:3]]
    lines.append({"id": domain.samples[3].id, "result": "garbage"})
    lines.append({"id": domain.samples[4].id, **domain.samples[4].label})  # flat format
    predictions.write_text("".join(json.dumps(line) + "\n" for line in lines))
    args = ["eval", "taskbench", "--score", str(predictions), "--domain", DOMAIN]
    result = CliRunner().invoke(cli, [*args, "--data-dir", str(data_dir), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert set(scores) == {"domain", "reference", "strict", "unparsable"}
    assert scores["unparsable"] == 1
    assert scores["reference"]["all"]["samples"] == 4
    assert scores["strict"]["all"]["samples"] == 5
    assert set(scores["strict"]["chain"]) == {
        "n_f1", "e_f1", "t_f1", "v_f1", "ned", "rouge1", "rouge2", "samples"
    }  # fmt: skip
    table = CliRunner().invoke(cli, [*args, "--data-dir", str(data_dir)])
    assert table.exit_code == 0 and "strict" in table.output and "unparsable" in table.output


def test_cli_errors_are_one_line(cli, data_dir, tmp_path):
    missing = tmp_path / "missing.jsonl"
    args = ["eval", "taskbench", "--domain", DOMAIN, "--data-dir", str(data_dir)]
    result = CliRunner().invoke(cli, [*args, "--score", str(missing)])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1"}\nnot json\n')
    result = CliRunner().invoke(cli, [*args, "--score", str(bad)])
    assert "line 2: invalid JSON" in result.output
    result = CliRunner().invoke(cli, [*args, "--split", "loops", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--split must be one of" in result.output
    result = CliRunner().invoke(cli, ["eval", "taskbench"])
    assert result.exit_code == 2 and "--domain is required" in result.output


def test_cli_combines_reports(cli, data_dir, tmp_path):
    out = tmp_path / "run"
    run_taskbench(config(data_dir, out, limit=2), oracle(data_dir), show_progress=False)
    result = CliRunner().invoke(cli, ["eval", "taskbench", "--combine", str(out / "report.json")])
    assert result.exit_code == 0, result.output
    assert "toolpath (0 demos, repair on)" in result.output
    assert "its first answers (no repair, no feedback)" in result.output
    assert "gpt-4 (published)" in result.output


def test_read_predictions_takes_the_last_line_per_id(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": 7, "result": {"a": 1}}\n\n{"id": "7", "result": {"a": 2}}\n')
    assert read_predictions(path) == {"7": {"a": 2}}


def test_cli_refuses_predictions_of_another_domain(cli, data_dir, tmp_path):
    """No prediction id names a sample of the domain: exit 2 naming the domain and the ids."""
    args = ["eval", "taskbench", "--domain", DOMAIN, "--data-dir", str(data_dir), "--json"]
    foreign = tmp_path / "foreign.jsonl"
    ids = [f"other-{i}" for i in range(8)]
    foreign.write_text("".join(json.dumps({"id": i, "result": {}}) + "\n" for i in ids))
    result = CliRunner().invoke(cli, [*args, "--score", str(foreign)])
    assert result.exit_code == 2, result.output
    assert DOMAIN in result.output and "other-0" in result.output and "other-7" not in result.output
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    result = CliRunner().invoke(cli, [*args, "--score", str(empty)])
    assert result.exit_code == 2 and "no predictions" in result.output
    domain = load_domain(DOMAIN, data_dir)
    mixed = tmp_path / "mixed.jsonl"
    lines = [{"id": domain.samples[0].id, "result": domain.samples[0].label}, {"id": "x"}]
    mixed.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = CliRunner().invoke(cli, [*args, "--score", str(mixed)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["strict"]["all"]["samples"] == 1


def test_workers_spread_over_openai_endpoints_and_score_as_one_worker(
    cli, data_dir, tmp_path, monkeypatch
):
    """Two real HTTP endpoints: worker i asks endpoint i; the records and the report are
    those of one worker on one endpoint, whatever the order in which samples finish."""
    monkeypatch.setenv("TOOLPATH_CONFIG", str(tmp_path / "no-config.toml"))
    for name in ("OPENAI_BASE_URL", "TOOLPATH_OPENAI_BASE_URLS", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    script = slow_and_sometimes_wrong(data_dir)
    with openai_endpoint(script) as first, openai_endpoint(script) as second:
        one = run_taskbench(
            config(data_dir, tmp_path / "one", llm="openai", base_urls=[first.url]),
            show_progress=False,
        )
        assert len(first.requests) == 6
        first.requests.clear()
        args = [
            "eval", "taskbench", "--domain", DOMAIN, "--data-dir", str(data_dir),
            "--eval-size", "6", "--planner", "direct", "--llm", "openai", "--workers", "2",
            "--base-url", first.url, "--base-url", second.url, "--out", str(tmp_path / "two"),
            "--json", "--quiet",
        ]  # fmt: skip
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert first.requests and second.requests  # each worker asked its own endpoint
    assert len(first.requests) + len(second.requests) == 6
    two = json.loads(result.output)
    assert two["config"]["base_urls"] == [first.url, second.url]
    assert 0 < two["scores"]["strict"]["all"]["n_f1"] < 1
    assert _untimed(two) == _untimed(one.report)
    ids = [json.loads(line)["id"] for line in (tmp_path / "two" / PREDICTIONS_FILE).open()]
    assert ids != one.selected_ids  # the second run's samples finished out of order
    records = read_records(tmp_path / "two" / PREDICTIONS_FILE)
    assert {i: r["result"] for i, r in records.items()} == {
        i: r["result"] for i, r in one.records.items()
    }


def test_base_urls_are_for_the_openai_backend(data_dir, tmp_path):
    with pytest.raises(ValueError, match="--base-url is for --llm openai"):
        run_taskbench(config(data_dir, tmp_path / "x", base_urls=["http://127.0.0.1:1/v1"]))
