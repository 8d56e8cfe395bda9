"""`toolpath bench retrieval` on a slice of the TaskBench data, through the typer command."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from toolpath.evals.retrieval_bench import METHODS, register, synthetic_tools


def test_synthetic_tools_are_deterministic_and_distinct():
    first, again = synthetic_tools(500), synthetic_tools(500)
    assert [s.doc for s in first] == [s.doc for s in again]
    assert len({s.name for s in first}) == 500 and len({s.doc for s in first}) == 500


def _app() -> typer.Typer:
    app, bench_app = typer.Typer(), typer.Typer()
    app.add_typer(bench_app, name="bench")
    register(app, bench_app)
    return app


def test_bench_retrieval_command_is_registered():
    result = CliRunner().invoke(_app(), ["bench", "retrieval", "--help"])
    assert result.exit_code == 0
    for option in ("--json", "--data-dir", "--domains", "--limit", "--latency-docs"):
        assert option in result.output


@pytest.mark.slow  # embeds 300 requests and 60 tools: ~15 s of CPU, a minute on a busy machine
@pytest.mark.taskbench_data
def test_bench_retrieval_json():
    app = _app()
    args = ["bench", "retrieval", "--json", "--domains", "huggingface", "--limit", "6"]
    args += ["--latency-docs", "60", "--latency-queries", "3"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    for part in ("tools", "demos"):
        for method in METHODS:
            scores = report[part][method]
            assert 0.0 <= scores["recall_at_5"] <= 1.0 and 0.0 <= scores["ndcg_at_10"] <= 1.0
    assert report["n_queries"]["tools"] == 6
    assert report["tools"]["hybrid"]["recall_at_5"] > 0.5  # real retrieval, not chance
    assert set(report["p50_ms_per_query_10k"]) == set(METHODS)
    assert report["dense_exact_agreement_at_10"] == 1.0
    assert report["provenance"]["code"]["version"]
