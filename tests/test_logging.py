"""`toolpath -v/-vv` and TOOLPATH_LOG; the planner's repair notes as a count unless verbose."""

from __future__ import annotations

import logging

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from toolpath.agent.cli import app
from toolpath.agent.cli.logs import ENV_VAR, configure_logging, level_for
from toolpath.agent.cli.run_cmd import condensed, finish
from toolpath.agent.run.state import RunSummary

PLANNER_NOTES = [f"attempt {i // 40 + 1}: repaired reference {i}" for i in range(120)]


@pytest.fixture(autouse=True)
def quiet_logger(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    logger = logging.getLogger("toolpath")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_level_from_flags_and_env() -> None:
    assert level_for(0, None) == (logging.WARNING, None)
    assert level_for(1, None) == (logging.INFO, None)
    assert level_for(2, "WARNING") == (logging.DEBUG, None)  # the flag wins
    assert level_for(0, "debug") == (logging.DEBUG, None)
    level, problem = level_for(0, "LOUD")
    assert level == logging.WARNING and "TOOLPATH_LOG" in problem


@pytest.mark.parametrize(
    ("args", "env", "level"),
    [
        (["-v"], None, logging.INFO),
        (["-vv"], None, logging.DEBUG),
        ([], "INFO", logging.INFO),
        ([], None, logging.WARNING),
    ],
)
def test_cli_sets_the_level(args, env, level, monkeypatch) -> None:
    if env:
        monkeypatch.setenv(ENV_VAR, env)
    for _ in range(2):  # configured once: a second invocation adds no second handler
        result = CliRunner().invoke(app, [*args, "tools", "list", "--json"])
        assert result.exit_code == 0, result.output
    logger = logging.getLogger("toolpath")
    assert logger.level == level
    assert len([h for h in logger.handlers if h.get_name() == "toolpath-cli"]) == 1


def summary(notes: list[str]) -> RunSummary:
    return RunSummary(
        run_id="r1", status="succeeded", reason="done", steps=[], replans=0, cost=1.0, notes=notes
    )


class FakeRunner:
    def events(self, run_id: str) -> list:
        return []


def printed(notes: list[str]) -> str:
    console = Console(record=True, width=200)
    with pytest.raises(typer.Exit):
        finish(summary(notes), FakeRunner(), False, None, console)
    return console.export_text()


def test_repair_notes_are_counted_not_printed(capsys) -> None:
    configure_logging(0)
    text = printed(["planned by the LLM in 3 attempt(s)", *PLANNER_NOTES])
    assert "repaired reference" not in text + capsys.readouterr().err
    assert "planned by the LLM in 3 attempt(s)" in text
    assert "120 repair/feedback note(s) while planning (toolpath -v lists them)" in text
    assert len(text.splitlines()) < 10


def test_verbose_logs_every_repair_note(capsys) -> None:
    configure_logging(1)
    text = printed(PLANNER_NOTES)
    assert "repaired reference" not in text
    assert "120 repair/feedback note(s) while planning" in text
    err = capsys.readouterr().err
    assert all(f"repaired reference {i}" in err for i in (0, 59, 119))


def test_notes_without_repairs_unchanged() -> None:
    plain = summary(["plan given by the task file"])
    assert condensed(plain) is plain


def test_json_output_keeps_every_note(capsys) -> None:
    with pytest.raises(typer.Exit):
        finish(summary(PLANNER_NOTES), FakeRunner(), True, None, Console())
    assert capsys.readouterr().out.count("repaired reference") == 120
