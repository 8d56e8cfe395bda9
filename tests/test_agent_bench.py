"""`toolpath bench agent` on a few tasks: the JSON shape and replanning's advantage."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from toolpath.evals import agent_bench


def test_bench_agent_json_shape_and_ordering():
    app, bench = typer.Typer(), typer.Typer()
    app.add_typer(bench, name="bench")
    agent_bench.register(app, bench)
    result = CliRunner().invoke(app, ["bench", "agent", "--tasks", "4", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["tasks"] == 4
    for name in ("toolpath", "no_replan", "exhaustive"):
        assert set(data[name]) >= {"success_rate", "total_cost"}
    assert data["toolpath"]["success_rate"] >= data["no_replan"]["success_rate"]
    assert data["toolpath"]["success_rate"] == data["exhaustive"]["success_rate"] == 1.0
    assert data["toolpath"]["total_cost"] < data["exhaustive"]["total_cost"]
    assert data["provenance"]["code"]["version"] and "command" in data["provenance"]
