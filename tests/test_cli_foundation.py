"""The `toolpath` CLI: tools list, bench search, and that every command group loads."""

import json

import pytest
from typer.testing import CliRunner

from toolpath.agent.cli import app, load_plugins
from toolpath.evals.search_bench import run_benchmark

runner = CliRunner()


def test_every_command_group_loads() -> None:
    assert load_plugins() == []


@pytest.mark.taskbench_data
def test_tools_list_taskbench_json() -> None:
    result = runner.invoke(app, ["tools", "list", "--catalog", "taskbench:huggingface", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["catalog"] == "taskbench:huggingface"
    assert len(data["tools"]) == 23


def test_tools_list_bad_catalogue_exits_2() -> None:
    result = runner.invoke(app, ["tools", "list", "--catalog", "taskbench:nope"])
    assert result.exit_code == 2
    assert "unknown TaskBench domain" in result.output


def test_bench_search_json_keys() -> None:
    result = runner.invoke(
        app, ["bench", "search", "--instances", "12", "--large-runs", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"instances", "optimal_rate", "expansions_ratio_vs_ucs", "p50_ms_10k_tools"} <= set(data)
    assert data["instances"] == 12


def test_benchmark_is_optimal_and_prunes() -> None:
    result = run_benchmark(instances=40, seed=1, large_runs=2)
    assert result["checked_by_enumeration"] > 0
    assert result["optimal_rate"] == 1.0
    assert result["expansions_ratio_vs_ucs"] < 1.0
