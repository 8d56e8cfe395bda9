"""The held-out question set of `toolpath bench functions` (functions_heldout.yaml): well
formed, every accepted answer valid against its function's JSON schema and accepted by
the scorer; `--set heldout` and `--questions` on the command line. Scripted LLM only."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from question_set_checks import check_calls, check_library, closed, concrete
from toolpath.evals import functions_bench as bench

HELDOUT = bench.load_questions(bench.question_file(bench.HELDOUT_SET))
BY_ID = {q.id: q for q in HELDOUT}


def first(value: Any) -> Any:
    """The first concrete value an accepted value stands for."""
    return concrete(value)[0]


def test_the_heldout_set_has_ten_new_questions_per_category() -> None:
    counts = {c: sum(q.category == c for q in HELDOUT) for c in bench.CATEGORIES}
    assert counts == dict.fromkeys(bench.CATEGORIES, 10)
    assert len(BY_ID) == len(HELDOUT) == 50
    development = bench.load_questions()
    assert not {q.id for q in development} & set(BY_ID)
    assert not {q.question.casefold() for q in development} & {
        q.question.casefold() for q in HELDOUT
    }
    old_functions = {f["name"] for q in development for f in q.functions}
    new_functions = {f["name"] for q in HELDOUT for f in q.functions}
    assert not old_functions & new_functions, "the held-out set must use new functions"


def test_every_function_of_the_library_is_a_valid_schema_and_used() -> None:
    check_library(bench.question_file(bench.HELDOUT_SET), HELDOUT)


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_every_accepted_answer_validates_against_its_schema(question_id: str) -> None:
    question = BY_ID[question_id]
    schemas = {f["name"]: closed(f["parameters"]) for f in question.functions}
    assert question.answers, "no accepted answer"
    if question.category == "irrelevance":
        assert question.answers == [[]]
        return
    for alternative in question.answers:
        assert alternative, "only irrelevance questions accept no call"
        assert (len(alternative) == 1) == (question.category in ("simple", "multiple"))
        if question.category == "parallel_multiple":
            assert len({c["name"] for c in alternative}) > 1
        if question.category == "parallel":
            assert len({c["name"] for c in alternative}) == 1
        check_calls(alternative, schemas)


@pytest.mark.parametrize("question_id", sorted(BY_ID))
def test_the_scorer_accepts_the_first_answer_and_nothing_less(question_id: str) -> None:
    question = BY_ID[question_id]
    answer = question.answers[0]
    bare = [{"name": c["name"], "arguments": first(c.get("args", {}))} for c in answer]
    full = [
        {"name": c["name"], "arguments": first({**c.get("args", {}), **c.get("optional", {})})}
        for c in answer
    ]
    assert bench.is_correct(question, bare)
    assert bench.is_correct(question, list(reversed(full)))
    if question.category == "irrelevance":
        assert not bench.is_correct(
            question, [{"name": question.functions[0]["name"], "arguments": {}}]
        )
        return
    assert not bench.is_correct(question, [])
    assert not bench.is_correct(question, None)
    assert not bench.is_correct(question, bare[:-1])
    assert not bench.is_correct(question, [*bare, bare[0]])
    missing = copy.deepcopy(bare)
    missing[0]["arguments"].pop(next(iter(missing[0]["arguments"])))
    assert not bench.is_correct(question, missing)


def tool_call(name: str, arguments: dict[str, Any]) -> str:
    return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"


def bench_app() -> typer.Typer:
    app, bench_group = typer.Typer(), typer.Typer()
    app.add_typer(bench_group, name="bench")
    bench.register(app, bench_group)
    return app


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first accepted answer of whichever held-out question is asked (the embedding
    relevance gate is off: these tests are about which questions run, not about it)."""
    import toolpath.agent.llm as llm_module
    from toolpath.planners.function_calls import FunctionCaller
    from toolpath.planners.llm import ScriptedChatModel

    monkeypatch.setattr(FunctionCaller, "relevance", lambda self, request: None, raising=False)

    by_text = {q.question: q for q in HELDOUT}

    def reply(messages: list[dict[str, str]]) -> str:
        question = by_text[messages[1]["content"]]  # the request, on a retry too
        calls = question.answers[0]
        return "".join(tool_call(c["name"], first(c.get("args", {}))) for c in calls)

    model = ScriptedChatModel(reply)
    monkeypatch.setattr(llm_module, "get_backend", lambda *a, **k: model)


@pytest.mark.usefixtures("scripted")
def test_set_heldout_runs_the_heldout_set() -> None:
    result = CliRunner().invoke(
        bench_app(),
        [
            "bench",
            "functions",
            "--set",
            "heldout",
            "--category",
            "simple",
            "--limit",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["question_set"] == bench.HELDOUT_SET
    assert report["summary"]["simple"] == {"questions": 2, "toolpath tags-free": 2, "direct": 2}


@pytest.mark.usefixtures("scripted")
def test_questions_option_runs_a_question_file(tmp_path) -> None:
    text = bench.question_file(bench.HELDOUT_SET).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["questions"] = [q for q in data["questions"] if q["id"] == "ho-irrelevance-09"]
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    args = ["bench", "functions", "--questions", str(path), "--no-direct"]
    result = CliRunner().invoke(bench_app(), args)
    assert result.exit_code == 0, result.output
    assert "| irrelevance | 1 | 1 (100%) |" in result.output  # the script makes no call
    assert f"questions: {path}" in result.output
    both = CliRunner().invoke(bench_app(), [*args, "--set", "heldout"])
    assert both.exit_code != 0 and "not both" in both.output
