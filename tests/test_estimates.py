"""The estimate store: Beta posterior, cost moving average, SQLite persistence."""

from pathlib import Path

import pytest

from toolpath.planners.estimates import PRIOR_STRENGTH, EstimateStore
from toolpath.tools.spec import CostPrior, ToolSpec

SPEC = ToolSpec(
    name="merge_linear",
    doc="d",
    quality=0.75,
    cost=CostPrior(seconds=1.0, per_unit=10.0, unit="billion_params"),
)


def test_seeded_from_priors() -> None:
    store = EstimateStore()
    assert store.quality(SPEC, "merge") == pytest.approx(0.75)
    assert store.cost(SPEC, "merge", scale=0.5) == pytest.approx(6.0)


def test_verdicts_move_the_posterior() -> None:
    store = EstimateStore()
    store.record(SPEC, "merge", ok=False)
    expected = 0.75 * PRIOR_STRENGTH / (PRIOR_STRENGTH + 1)
    assert store.quality(SPEC, "merge") == pytest.approx(expected)
    store.record(SPEC, "merge", ok=True)
    assert store.quality(SPEC, "merge") > expected
    assert store.quality(SPEC, "other") == pytest.approx(0.75)  # per capability


def test_cost_multiplier_follows_measurements() -> None:
    store = EstimateStore()
    for _ in range(30):
        store.record(SPEC, "merge", ok=True, seconds=12.0, scale=0.5)  # predicted 6 s
    assert store.cost(SPEC, "merge", scale=1.0) == pytest.approx(22.0, rel=1e-3)


def test_persists_in_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "est" / "estimates.sqlite"
    store = EstimateStore(path)
    store.record(SPEC, "merge", ok=False, seconds=2.0, scale=0.0)
    quality = store.quality(SPEC, "merge")
    store.close()
    reopened = EstimateStore(path)
    assert reopened.quality(SPEC, "merge") == pytest.approx(quality)
    assert reopened.get(SPEC, "merge").observations == 1
