"""Metrics-weighted averaging: a weighted model soup whose weights come from evaluations.

Each input model has a score (higher is better): given directly (`params["scores"]`) or
read from evaluation outputs (`params["metrics"]`: one JSON file per model, and
`params["metric"]`, the key to read, default "accuracy"; the value may sit at the top
level or under a "metrics" object). Scores become weights by

- `scheme="proportional"` (default): w_i = s_i / sum(s) (scores must be >= 0), or
- `scheme="softmax"`: w_i = exp(s_i / temperature) / sum_j exp(s_j / temperature).

The merge is then mergekit's linear average with those weights. With weights summing to
one, base + sum_i w_i (theta_i - base) equals sum_i w_i theta_i, so a base changes nothing
and is not needed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from toolpath.tools.merging.methods import MergeParameterError

WEIGHTING_KEYS = ("scores", "metrics", "metric", "scheme", "temperature")


def read_metric(file: Path, metric: str) -> float:
    """One score from an evaluation's JSON output."""
    try:
        data = json.loads(Path(file).read_text())
    except FileNotFoundError:
        raise MergeParameterError(f"metrics file not found: {file}") from None
    except json.JSONDecodeError as exc:
        raise MergeParameterError(f"metrics file {file} is not valid JSON ({exc})") from None
    for scope in (data, data.get("metrics", {}) if isinstance(data, dict) else {}):
        if isinstance(scope, dict) and isinstance(scope.get(metric), int | float):
            return float(scope[metric])
    raise MergeParameterError(f"metrics file {file} has no numeric {metric!r}")


def model_scores(n_models: int, params: dict[str, Any]) -> list[float]:
    if "scores" in params:
        scores = [float(s) for s in params["scores"]]
    elif "metrics" in params:
        metric = params.get("metric", "accuracy")
        scores = [read_metric(Path(f), metric) for f in params["metrics"]]
    else:
        raise MergeParameterError(
            "metrics_weighted needs params 'scores' (one per model) or 'metrics' (JSON files)"
        )
    if len(scores) != n_models:
        raise MergeParameterError(f"{len(scores)} scores given for {n_models} models")
    if not all(math.isfinite(s) for s in scores):
        raise MergeParameterError(f"scores must be finite numbers, got {scores}")
    return scores


def weights_from_scores(
    scores: list[float], scheme: str = "proportional", temperature: float = 1.0
) -> list[float]:
    """Normalised merge weights (summing to one) from model scores."""
    if scheme == "proportional":
        if any(s < 0 for s in scores):
            raise MergeParameterError("proportional weighting needs scores >= 0; use softmax")
        total = sum(scores)
        if total <= 0:
            return [1.0 / len(scores)] * len(scores)
        return [s / total for s in scores]
    if scheme == "softmax":
        if temperature <= 0:
            raise MergeParameterError(f"temperature must be > 0, not {temperature}")
        top = max(scores)
        exps = [math.exp((s - top) / temperature) for s in scores]
        return [e / sum(exps) for e in exps]
    raise MergeParameterError(f"scheme must be 'proportional' or 'softmax', not {scheme!r}")


def metrics_weighted_params(n_models: int, params: dict[str, Any]) -> dict[str, Any]:
    """mergekit linear parameters (normalised weights) for a metrics-weighted merge."""
    scores = model_scores(n_models, params)
    weights = weights_from_scores(
        scores, params.get("scheme", "proportional"), float(params.get("temperature", 1.0))
    )
    rest = {k: v for k, v in params.items() if k not in WEIGHTING_KEYS}
    return {**rest, "weight": weights}


def metrics_weighted_state_dicts(
    state_dicts: list[dict], base: dict | None, params: dict[str, Any]
) -> dict:
    """merge_state_dicts("metrics_weighted", ...): mergekit's linear average in memory."""
    from toolpath.tools.merging.core import run_mergekit_in_memory

    linear = metrics_weighted_params(len(state_dicts), params)
    return run_mergekit_in_memory("linear", state_dicts, base, linear)


def metrics_weighted_to_disk(
    models: list[Path], out: Path, base: Path | None, params: dict[str, Any], progress: bool
) -> dict[str, Any]:
    """On-disk metrics-weighted merge into `out`; returns what the card records."""
    from toolpath.tools.merging.core import run_mergekit

    linear = metrics_weighted_params(len(models), params)
    config = run_mergekit("linear", models, out, None, linear, progress)
    return {"weights": linear["weight"], "mergekit_config": config}
