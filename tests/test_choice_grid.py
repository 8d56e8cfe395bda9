"""The choice grid's pooling of per-fold scores (evals/taskbench/choice_grid.py)."""

from __future__ import annotations

import pytest

from toolpath.evals.taskbench.choice_grid import pooled


def test_folds_pool_weighted_by_their_samples() -> None:
    per_fold = {
        "fold0": {"a": {"n_f1": 0.5, "e_f1": 0.2, "v_f1": 0.1, "samples": 10}},
        "fold1": {"a": {"n_f1": 1.0, "e_f1": 0.5, "v_f1": 0.4, "samples": 30}},
    }
    row = pooled(per_fold)["a"]
    assert row["samples"] == 40
    assert row["n_f1"] == pytest.approx((0.5 * 10 + 1.0 * 30) / 40)
    assert row["e_f1"] == pytest.approx((0.2 * 10 + 0.5 * 30) / 40)
