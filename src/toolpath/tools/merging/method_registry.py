"""One entry per merge method: adding a method means adding one `MergeMethod` here.

From these entries derive the method tables of methods.py (names, defaults, base and
model-count rules), the agent's tools `merge_<name>` (doc, cost and quality priors, see
tools.py), the choices of `toolpath merge --method`, the local implementations that
core.py calls, and the rows of `toolpath bench merge` / `merge-quality`. Measured priors
(cost_table.json, quality_priors.json, written by those benchmarks) override the entry's
`cost_per_billion` and `quality`, which are the fallbacks before anything is measured.

This module imports nothing of toolpath, so every other merging module may import it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

MERGEKIT = "mergekit"  # `on_disk` / `in_memory`: run by mergekit (run_merge / merge_state_dicts)


@dataclass(frozen=True)
class MergeMethod:
    """A merge method.

    `params`: the method's own parameters (name -> meaning), its parameter schema for the
    docs; `defaults`: values toolpath applies before mergekit. `models`: how many models
    besides the base it takes (low, high or None). `on_disk` / `in_memory`: MERGEKIT or
    "module:function" of a local implementation (see core.local_merge and
    core.merge_state_dicts for their signatures). `stochastic`: it draws random numbers
    (takes `seed`). `cost_per_billion` (seconds per billion parameters) and `quality`
    (probability of passing verification): the priors' fallbacks.
    """

    name: str
    summary: str
    params: Mapping[str, str]
    cost_per_billion: float
    quality: float
    defaults: Mapping[str, Any] = field(default_factory=dict)
    needs_base: bool = True
    models: tuple[int, int | None] = (1, None)
    stochastic: bool = False
    on_disk: str = MERGEKIT
    in_memory: str = MERGEKIT

    @property
    def local(self) -> bool:
        """Written here rather than run by mergekit."""
        return self.on_disk != MERGEKIT

    def doc(self) -> str:
        """The summary and the parameters with their defaults, for tool docs and help."""
        parts = []
        for name, meaning in self.params.items():
            default = f", default {self.defaults[name]!r}" if name in self.defaults else ""
            parts.append(f"{name} ({meaning}{default})")
        if self.stochastic:
            parts.append("seed (int: makes the random choices repeatable)")
        return f"{self.summary} Parameters: {'; '.join(parts) or 'none'}."

    def implementation(self, where: str) -> Callable[..., Any]:
        """The local function named by `on_disk` or `in_memory` (imported on first use)."""
        module, _, name = where.partition(":")
        return getattr(import_module(module), name)


WEIGHT = "scalar or one value per model; alias weights"
DENSITY = "fraction of each task vector kept"

_ENTRIES = (
    MergeMethod(
        "linear",
        "Model soup: weighted average of the models' weights. No base needed. Cheapest "
        "merge; good when the models are fine-tunes of one base on similar data.",
        {"weight": WEIGHT, "normalize": "divide by the sum of the weights"},
        cost_per_billion=60.0,
        quality=0.7,
        defaults={"weight": 1.0},
        needs_base=False,
    ),
    MergeMethod(
        "task_arithmetic",
        "Task arithmetic: base + sum of weighted task vectors (model - base). Needs a "
        "base. Adds skills of experts tuned from one base.",
        {"weight": WEIGHT, "lambda": "scale of the summed task vectors"},
        cost_per_billion=70.0,
        quality=0.7,
        defaults={"weight": 1.0},
    ),
    MergeMethod(
        "ties",
        "TIES merging: trims each task vector to its largest-magnitude fraction, elects "
        "a sign per weight and averages the agreeing values. Needs a base. Reduces "
        "interference between several experts (exact, fast top-k).",
        {"weight": WEIGHT, "density": DENSITY, "lambda": "scale of the merged task vector"},
        cost_per_billion=120.0,
        quality=0.75,
        defaults={"weight": 1.0, "density": 0.5},
    ),
    MergeMethod(
        "dare_ties",
        "DARE-TIES: randomly drops task-vector entries (rescaling the kept ones), then "
        "TIES sign election. Needs a base.",
        {"weight": WEIGHT, "density": "probability of keeping an entry"},
        cost_per_billion=100.0,
        quality=0.72,
        defaults={"weight": 1.0, "density": 0.5},
        stochastic=True,
    ),
    MergeMethod(
        "dare_linear",
        "DARE-linear: randomly drops task-vector entries (rescaling the kept ones), then "
        "adds the weighted task vectors. Needs a base.",
        {"weight": WEIGHT, "density": "probability of keeping an entry"},
        cost_per_billion=90.0,
        quality=0.68,
        defaults={"weight": 1.0, "density": 0.5},
        stochastic=True,
    ),
    MergeMethod(
        "breadcrumbs",
        "Model Breadcrumbs: drops both the smallest and the largest (outlier) task-vector "
        "entries, then task arithmetic. Needs a base.",
        {"weight": WEIGHT, "density": DENSITY, "gamma": "fraction of largest entries dropped"},
        cost_per_billion=250.0,
        quality=0.7,
        defaults={"weight": 1.0, "density": 0.9, "gamma": 0.01},
    ),
    MergeMethod(
        "slerp",
        "SLERP: spherical interpolation between two models: the base and one other model, "
        "or, given two models, the first and the second (a base is then not used). Smooth "
        "blend of exactly two models.",
        {"t": "interpolation factor in [0, 1]"},
        cost_per_billion=80.0,
        quality=0.72,
        defaults={"t": 0.5},
        models=(1, 1),
    ),
    MergeMethod(
        "model_stock",
        "Model Stock: interpolates the average of two or more fine-tunes toward the base "
        "by a ratio computed from the angle between their task vectors. Needs a base; no "
        "tuning.",
        {"filter_wise": "one ratio per row instead of per tensor"},
        cost_per_billion=90.0,
        quality=0.72,
        models=(2, None),
    ),
    MergeMethod(
        "della",
        "DELLA: magnitude-ranked stochastic dropping of task-vector entries, then "
        "TIES-style sign election. Needs a base.",
        {"weight": WEIGHT, "density": DENSITY, "epsilon": "spread of the keep probabilities"},
        cost_per_billion=300.0,
        quality=0.72,
        defaults={"weight": 1.0, "density": 0.5, "epsilon": 0.1},
        stochastic=True,
    ),
    MergeMethod(
        "adamerging",
        "AdaMerging: learns layer-wise (or task-wise) task-vector coefficients by "
        "minimising the model's prediction entropy on unlabelled texts. Needs a base; "
        "slower (forward/backward passes), no labels.",
        {
            "texts": "unlabelled inputs (list of str), or data: a .txt/.jsonl file",
            "granularity": "task, layer (default) or tensor",
            "steps": "optimisation steps, default 20",
        },
        cost_per_billion=3000.0,
        quality=0.78,
        on_disk="toolpath.tools.merging.adamerging:adamerging_to_disk",
        in_memory="toolpath.tools.merging.adamerging:adamerging_state_dicts",
    ),
    MergeMethod(
        "metrics_weighted",
        "Metrics-weighted averaging: a model soup whose weights come from each model's "
        "evaluation score. No base needed.",
        {
            "scores": "one per model, or metrics: one evaluation JSON file per model",
            "metric": "key read from the metrics files, default accuracy",
            "scheme": "proportional (default) or softmax (with temperature)",
        },
        cost_per_billion=60.0,
        quality=0.74,
        needs_base=False,
        on_disk="toolpath.tools.merging.weighted:metrics_weighted_to_disk",
        in_memory="toolpath.tools.merging.weighted:metrics_weighted_state_dicts",
    ),
)

MERGE_METHODS: dict[str, MergeMethod] = {entry.name: entry for entry in _ENTRIES}
