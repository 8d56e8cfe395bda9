"""The merge-quality benchmark on a real mini zoo: merges evaluated on each task, table
written; the same sweep on a local Ray gives the local numbers, in the cells' order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from toolpath.evals import merge_quality_bench as bench
from toolpath.tools.zoo import ZooManifest, build_zoo

GROUP = ("counting", "sorting")


@pytest.fixture(scope="module")
def mini_zoo(tmp_path_factory: pytest.TempPathFactory) -> ZooManifest:
    # One mini zoo per test session: both zoo test modules find it cached.
    return build_zoo(tmp_path_factory.getbasetemp() / "mini-zoo", mini=True, progress=False)


def test_groups_and_pareto_front() -> None:
    groups = bench.expert_groups(["a", "b", "c"])
    assert groups == [("a", "b"), ("a", "c"), ("b", "c"), ("a", "b", "c")]
    summary = {
        "cheap": {"seconds": 1.0, "mean_normalized_accuracy": 0.5},
        "good": {"seconds": 2.0, "mean_normalized_accuracy": 0.9},
        "worse": {"seconds": 3.0, "mean_normalized_accuracy": 0.8},
    }
    assert [p["method"] for p in bench.pareto_front(summary)] == ["cheap", "good"]


def test_every_merge_is_evaluated_on_each_task_and_the_table_is_written(
    mini_zoo: ZooManifest, tmp_path: Path
) -> None:
    result = bench.run_merge_quality(mini_zoo, methods=["linear", "ties"], groups=[GROUP], limit=24)
    assert [r["method"] for r in result["rows"]] == ["linear", "ties"]
    for row in result["rows"]:
        assert "error" not in row, row
        assert set(row["normalized_accuracy"]) == set(GROUP)
        assert row["seconds"] > 0
    assert set(result["summary"]) == {"linear", "ties"}
    assert result["pareto"]
    report = bench.write_report(result, tmp_path / "report")
    text = report.read_text()
    assert "| counting + sorting | ties |" in text and "pareto.svg" in text
    assert (tmp_path / "report" / "pareto.svg").read_text().startswith("<svg")
    priors = result["priors"]
    assert 0 < priors["quality"]["ties"] < 1 and "2" in priors["by_num_experts"]["ties"]
    assert priors["provenance"] == result["provenance"]
    assert result["provenance"]["code"]["version"]


def test_cli_prints_json_rows_and_pareto(mini_zoo: ZooManifest, tmp_path: Path) -> None:
    app, bench_app = typer.Typer(), typer.Typer()
    app.add_typer(bench_app, name="bench")
    bench.register(app, bench_app)

    def args(groups: str) -> list[str]:
        return [
            "bench", "merge-quality", "--json", "--zoo", str(mini_zoo.root), "--methods",
            "linear", "--groups", groups, "--limit", "24", "--report-dir", str(tmp_path),
            "--no-write-priors",
        ]  # fmt: skip

    result = CliRunner().invoke(app, args("+".join(GROUP)))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"][0]["experts"] == list(GROUP)
    assert set(data["rows"][0]) >= {"method", "normalized_accuracy", "mean_normalized_accuracy"}
    assert data["pareto"][0]["method"] == "linear"
    bad = CliRunner().invoke(app, args("counting+division"))
    assert bad.exit_code == 2 and "division" in bad.output


def _timeless(value: object) -> object:
    """`value` without its measured merge seconds (at any depth)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _numbers(result: dict) -> object:
    """What the sweep computed, in order (the measured merge seconds aside)."""
    keys = ("rows", "summary", "expert_accuracy")
    return _timeless({**{k: result[k] for k in keys}, "priors": result["priors"]["quality"]})


def test_a_sweep_on_ray_gives_the_local_numbers_in_the_cells_order(
    ray_cluster, mini_zoo: ZooManifest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOLPATH_HOME", str(tmp_path))
    groups = [GROUP, ("addition", "counting")]  # reversal's mini expert scores 0
    sweep = {"methods": ["ties", "linear"], "groups": groups, "limit": 24}
    local = bench.run_merge_quality(mini_zoo, executor="local", **sweep)
    cells = [(m, list(g)) for g in groups for m in sweep["methods"]]
    assert [(r["method"], r["experts"]) for r in local["rows"]] == cells
    assert all("error" not in r for r in local["rows"])

    def not_here(*args: object) -> None:
        raise AssertionError("a cell of the Ray sweep ran in the controller")

    monkeypatch.setattr(bench, "run_merge", not_here)  # the workers import their own
    finished: list[dict] = []
    remote = bench.run_merge_quality(mini_zoo, executor="ray", on_row=finished.append, **sweep)
    assert remote["executor"] == "ray" and local["executor"] == "local"
    assert _numbers(remote) == _numbers(local)  # the same numbers, in the same order
    assert sorted(map(json.dumps, finished)) == sorted(map(json.dumps, remote["rows"]))
    assert not any((tmp_path / "tmp").iterdir())  # the shared scratch folder is gone


def test_cli_refuses_an_unknown_executor_before_building_a_zoo(tmp_path: Path) -> None:
    app, bench_app = typer.Typer(), typer.Typer()
    app.add_typer(bench_app, name="bench")
    bench.register(app, bench_app)
    zoo = tmp_path / "zoo"
    args = ["bench", "merge-quality", "--zoo", str(zoo), "--executor", "dask"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "local, ray" in result.output
    assert not zoo.exists()
