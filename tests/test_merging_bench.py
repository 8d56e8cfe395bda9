"""`toolpath bench merge --quick` end to end (slow: starts mergekit-yaml and toolpath processes)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from toolpath.evals import merge_bench


@pytest.mark.slow
def test_merge_bench_quick_json(tmp_path):
    app, bench = typer.Typer(), typer.Typer()
    merge_bench.register(app, bench)
    app.add_typer(bench, name="bench")
    result = CliRunner().invoke(
        app, ["bench", "merge", "--quick", "--json", "--workdir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    for key in (
        "overhead_ratio_vs_mergekit",
        "peak_rss_ratio_vs_mergekit",
        "ties_speedup_vs_mergekit",
    ):
        assert report[key] > 0
    assert report["ties"]["comparison"]["equal_up_to_threshold_ties"]
    assert set(report["cost_table"]) >= {"linear", "ties", "adamerging", "lorahub"}
    assert report["provenance"]["code"]["version"]
