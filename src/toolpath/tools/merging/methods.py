"""The merge methods: names, defaults, and how toolpath's parameters map to mergekit's.

toolpath parameters (the `params` dict of `merge_models` / `merge_state_dicts`):

- a scalar applies to every input model; a list of one value per input model (in the
  order of `models`) is per model. `weights` is an alias of mergekit's `weight`.
- mergekit's own per-method parameters: `weight`, `density`, `lambda`, `normalize`,
  `rescale`, `int8_mask`, `gamma` (breadcrumbs), `epsilon` (della), `t` (slerp),
  `filter_wise` (model_stock).
- toolpath options: `dtype` (compute/output dtype, e.g. "bfloat16"), `seed` (DARE/DELLA
  randomness), `shard_size` (bytes per output shard, default 1e9: on-disk merges stream
  tensor by tensor and hold at most about one shard in RAM), `implementation`
  ("toolpath" or "mergekit", TIES only: see fast_ties.py).

Each method is one entry of method_registry.py (name, runner, base and model-count rules,
defaults, docs, prior fallbacks). Its defaults are mergekit's, except that the sparsifying
methods get a density below 1 (mergekit's default of 1 would disable their
trimming/dropping): TIES, DARE and DELLA keep 50% of each task vector, breadcrumbs 90%
minus the top 1%.
"""

from __future__ import annotations

from typing import Any

from toolpath.tools.extras import require
from toolpath.tools.merging.method_registry import MERGE_METHODS
from toolpath.tools.spec import ToolArgumentError

METHODS: tuple[str, ...] = tuple(MERGE_METHODS)
OPTION_KEYS = {"dtype", "seed", "shard_size", "implementation"}
DTYPES = ("float32", "float16", "bfloat16", "float64")
DEFAULT_SHARD_SIZE = 1_000_000_000


class MergeParameterError(ToolArgumentError):
    """A merge method or parameter that cannot be used as given."""


def check_method(method: str) -> str:
    if method not in MERGE_METHODS:
        known = ", ".join(MERGE_METHODS)
        raise MergeParameterError(f"unknown merge method {method!r}; known: {known}")
    return method


def check_inputs(method: str, n_models: int, has_base: bool) -> None:
    """Raise if the number of models or the presence of a base does not fit the method."""
    entry = MERGE_METHODS[method]
    if entry.needs_base and not has_base:
        raise MergeParameterError(f"merge method {method!r} needs a base model (--base)")
    low, high = entry.models
    if n_models < low or (high is not None and n_models > high):
        raise MergeParameterError(
            f"merge method {method!r} takes {_count(low, high)} model(s) besides the base; "
            f"got {n_models}"
        )


def _count(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low}"
    return f"exactly {low}" if low == high else f"{low} to {high}"


def mergekit_name(method: str, params: dict[str, Any]) -> str:
    """mergekit's registry name for a method (TIES goes to the fast exact kernel)."""
    implementation = params.get("implementation", "toolpath")
    if implementation not in ("toolpath", "mergekit"):
        raise MergeParameterError(
            f"implementation must be 'toolpath' or 'mergekit', not {implementation!r}"
        )
    if method == "ties" and implementation == "toolpath":
        from toolpath.tools.merging.fast_ties import FAST_TIES_NAME, fast_ties_method

        fast_ties_method()
        return FAST_TIES_NAME
    return method


def mergekit_parameter_names(name: str) -> set[str]:
    merge_methods = require("mergekit.merge_methods", "merge")

    return {spec.name for spec in merge_methods.get(name).spec.parameters}


def split_params(
    method: str, n_models: int, params: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """Split toolpath params into (per-model params, shared params, toolpath options).

    Applies the method's defaults and rejects unknown names with a one-line error.
    """
    given = dict(params or {})
    if "weights" in given:
        given["weight"] = given.pop("weights")
    options = {key: given.pop(key) for key in list(given) if key in OPTION_KEYS}
    known = mergekit_parameter_names(mergekit_name(method, options))
    unknown = sorted(set(given) - known)
    if unknown:
        raise MergeParameterError(
            f"unknown parameter {unknown[0]!r} for {method}; known: "
            f"{', '.join(sorted(known | OPTION_KEYS | {'weights'}))}"
        )
    merged = {**MERGE_METHODS[method].defaults, **given}
    per_model: list[dict[str, Any]] = [{} for _ in range(n_models)]
    shared: dict[str, Any] = {}
    for key, value in merged.items():
        if isinstance(value, list | tuple):
            if len(value) != n_models:
                raise MergeParameterError(
                    f"parameter {key!r} has {len(value)} values for {n_models} models"
                )
            for entry, item in zip(per_model, value, strict=True):
                entry[key] = item
        else:
            shared[key] = value
    check_options(options)
    return per_model, shared, options


def check_options(options: dict[str, Any]) -> None:
    dtype = options.get("dtype")
    if dtype is not None and dtype not in DTYPES:
        raise MergeParameterError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    shard = options.get("shard_size", DEFAULT_SHARD_SIZE)
    if not isinstance(shard, int) or shard <= 0:
        raise MergeParameterError(f"shard_size must be a positive number of bytes, not {shard!r}")
    seed = options.get("seed")
    if seed is not None and not isinstance(seed, int):
        raise MergeParameterError(f"seed must be an integer, not {seed!r}")
