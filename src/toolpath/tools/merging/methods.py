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

Defaults (`METHOD_DEFAULTS`) are mergekit's, except that the sparsifying methods get a
density below 1 (mergekit's default of 1 would disable their trimming/dropping): TIES,
DARE and DELLA keep 50% of each task vector, breadcrumbs 90% minus the top 1%.
"""

from __future__ import annotations

from typing import Any

from toolpath.tools.extras import require
from toolpath.tools.spec import ToolArgumentError

MERGEKIT_METHODS = (
    "linear",
    "task_arithmetic",
    "ties",
    "dare_ties",
    "dare_linear",
    "breadcrumbs",
    "slerp",
    "model_stock",
    "della",
)
LOCAL_METHODS = ("adamerging", "metrics_weighted")
METHODS: tuple[str, ...] = MERGEKIT_METHODS + LOCAL_METHODS

METHOD_DEFAULTS: dict[str, dict[str, Any]] = {
    "linear": {"weight": 1.0},
    "task_arithmetic": {"weight": 1.0},
    "ties": {"weight": 1.0, "density": 0.5},
    "dare_ties": {"weight": 1.0, "density": 0.5},
    "dare_linear": {"weight": 1.0, "density": 0.5},
    "breadcrumbs": {"weight": 1.0, "density": 0.9, "gamma": 0.01},
    "slerp": {"t": 0.5},
    "model_stock": {},
    "della": {"weight": 1.0, "density": 0.5, "epsilon": 0.1},
}

# How many input models (besides the base) a method takes, and whether it needs a base.
NEEDS_BASE = {
    "task_arithmetic",
    "ties",
    "dare_ties",
    "dare_linear",
    "breadcrumbs",
    "slerp",
    "model_stock",
    "della",
    "adamerging",
}
MODEL_COUNT = {"slerp": (1, 1), "model_stock": (2, None)}
OPTION_KEYS = {"dtype", "seed", "shard_size", "implementation"}
DTYPES = ("float32", "float16", "bfloat16", "float64")
DEFAULT_SHARD_SIZE = 1_000_000_000


class MergeParameterError(ToolArgumentError):
    """A merge method or parameter that cannot be used as given."""


def check_method(method: str) -> str:
    if method not in METHODS:
        raise MergeParameterError(f"unknown merge method {method!r}; known: {', '.join(METHODS)}")
    return method


def check_inputs(method: str, n_models: int, has_base: bool) -> None:
    """Raise if the number of models or the presence of a base does not fit the method."""
    if method in NEEDS_BASE and not has_base:
        raise MergeParameterError(f"merge method {method!r} needs a base model (--base)")
    low, high = MODEL_COUNT.get(method, (1, None))
    if n_models < low or (high is not None and n_models > high):
        wanted = f"exactly {low}" if low == high else f"at least {low}"
        raise MergeParameterError(
            f"merge method {method!r} takes {wanted} model(s) besides the base; got {n_models}"
        )


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

    Applies METHOD_DEFAULTS and rejects unknown names with a one-line error.
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
    merged = {**METHOD_DEFAULTS.get(method, {}), **given}
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
