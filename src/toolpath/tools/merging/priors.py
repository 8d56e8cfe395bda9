"""Cost and quality priors of the merging tools, read from data files beside this module.

- cost_table.json (written by `toolpath bench merge`): seconds per billion parameters of
  the output model, per method, measured on this project's machine (2 CPU cores).
  Missing file or method: the method's registry entry (`cost_per_billion`, a rough guess
  of the same kind: about a minute per billion parameters for the streaming mergekit
  methods, more for the sparsifying ones and for AdaMerging, which runs forward/backward
  passes); for the LoRA tools, ADAPTER_COST_PER_BILLION.
- quality_priors.json (written later by the zoo's merge-quality benchmark): method ->
  probability that the merged model passes verification. Missing: the entry's `quality`,
  uninformed guesses that rank the methods as the literature does (learned or
  interference-aware merges a little above plain averaging); ADAPTER_QUALITY for the
  LoRA tools.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from toolpath.tools.merging.method_registry import MERGE_METHODS

HERE = Path(__file__).parent
COST_TABLE = HERE / "cost_table.json"
QUALITY_PRIORS = HERE / "quality_priors.json"
FIXED_SECONDS = 8.0  # import of torch/transformers/mergekit, config and card writing

ADAPTER_COST_PER_BILLION = {"compose_adapters": 30.0, "lorahub": 600.0, "apply_adapter": 40.0}
ADAPTER_QUALITY = {"compose_adapters": 0.7, "lorahub": 0.75, "apply_adapter": 0.95}


def fallback_cost(method: str) -> float:
    entry = MERGE_METHODS.get(method)
    return entry.cost_per_billion if entry else ADAPTER_COST_PER_BILLION[method]


def fallback_quality(method: str) -> float:
    entry = MERGE_METHODS.get(method)
    return entry.quality if entry else ADAPTER_QUALITY[method]


# The fallbacks of every tool as tables (merge methods from their registry entries).
FALLBACK_COST_PER_BILLION = {m: fallback_cost(m) for m in [*MERGE_METHODS, *ADAPTER_QUALITY]}
DEFAULT_QUALITY = {m: fallback_quality(m) for m in [*MERGE_METHODS, *ADAPTER_QUALITY]}


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
    return fallback_cost(method)


def fixed_seconds() -> float:
    value = _read(COST_TABLE).get("fixed_seconds")
    return float(value) if isinstance(value, int | float) and value >= 0 else FIXED_SECONDS


def quality_prior(method: str) -> float:
    """Quality prior in (0, 1] for a method: measured file, else the fallback."""
    data = _read(QUALITY_PRIORS)
    table = data.get("quality", data) if isinstance(data.get("quality"), dict) else data
    value = table.get(method)
    if isinstance(value, int | float) and 0 < value <= 1:
        return float(value)
    return fallback_quality(method)
