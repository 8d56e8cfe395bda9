"""Cost and quality priors of the merging tools, read from data files beside this module.

- cost_table.json (written by `toolpath bench merge`): seconds per billion parameters of
  the output model, per method, measured on this project's machine (2 CPU cores).
  Missing file or method: FALLBACK_COST_PER_BILLION, a rough guess of the same kind
  (about a minute per billion parameters for the streaming mergekit methods, more for
  the sparsifying ones and for AdaMerging, which runs forward/backward passes).
- quality_priors.json (written later by the zoo's merge-quality benchmark): method ->
  probability that the merged model passes verification. Missing: DEFAULT_QUALITY,
  uninformed guesses that rank the methods as the literature does (learned or
  interference-aware merges a little above plain averaging).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
COST_TABLE = HERE / "cost_table.json"
QUALITY_PRIORS = HERE / "quality_priors.json"
FIXED_SECONDS = 8.0  # import of torch/transformers/mergekit, config and card writing

FALLBACK_COST_PER_BILLION = {
    "linear": 60.0,
    "task_arithmetic": 70.0,
    "ties": 120.0,
    "dare_ties": 100.0,
    "dare_linear": 90.0,
    "breadcrumbs": 250.0,
    "slerp": 80.0,
    "model_stock": 90.0,
    "della": 300.0,
    "adamerging": 3000.0,
    "metrics_weighted": 60.0,
    "compose_adapters": 30.0,
    "lorahub": 600.0,
    "apply_adapter": 40.0,
}
DEFAULT_QUALITY = {
    "linear": 0.7,
    "task_arithmetic": 0.7,
    "ties": 0.75,
    "dare_ties": 0.72,
    "dare_linear": 0.68,
    "breadcrumbs": 0.7,
    "slerp": 0.72,
    "model_stock": 0.72,
    "della": 0.72,
    "adamerging": 0.78,
    "metrics_weighted": 0.74,
    "compose_adapters": 0.7,
    "lorahub": 0.75,
    "apply_adapter": 0.95,
}


@cache
def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def cost_per_billion(method: str) -> float:
    """Measured seconds per billion parameters for a method (or the documented fallback)."""
    table = _read(COST_TABLE).get("cost_table", {})
    value = table.get(method)
    if isinstance(value, int | float) and value >= 0:
        return float(value)
    return FALLBACK_COST_PER_BILLION[method]


def fixed_seconds() -> float:
    value = _read(COST_TABLE).get("fixed_seconds")
    return float(value) if isinstance(value, int | float) and value >= 0 else FIXED_SECONDS


def quality_prior(method: str) -> float:
    """Quality prior in (0, 1] for a method: measured file, else DEFAULT_QUALITY."""
    data = _read(QUALITY_PRIORS)
    table = data.get("quality", data) if isinstance(data.get("quality"), dict) else data
    value = table.get(method)
    if isinstance(value, int | float) and 0 < value <= 1:
        return float(value)
    return DEFAULT_QUALITY[method]
