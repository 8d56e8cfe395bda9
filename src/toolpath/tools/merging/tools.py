"""The merging tools the agent can call: one per merge method, plus the LoRA tools.

Every merge tool has capability "merge_models", takes model directories (paths as str)
and writes one model directory; its cost prior is `fixed_seconds + per_unit * billions
of parameters` with per_unit from cost_table.json (measured by `toolpath bench merge`),
its quality prior from quality_priors.json (see priors.py for both fallbacks).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolpath.tools import resources as rt
from toolpath.tools.merging.method_registry import MERGE_METHODS, MergeMethod
from toolpath.tools.merging.priors import cost_per_billion, fixed_seconds, quality_prior
from toolpath.tools.registry import ToolRegistry, tool
from toolpath.tools.spec import CostPrior


def _out_schema(**extra: dict[str, Any]) -> dict[str, Any]:
    """Output schema of a tool that writes one directory, `out`, plus `extra` fields."""
    return {
        "type": "object",
        "properties": {"out": {"type": "string", "description": "the written directory"}} | extra,
        "required": ["out"],
    }


MERGE_OUTPUT = _out_schema(
    method={"type": "string"},
    seconds={"type": "number"},
    card={"type": "object", "description": "the model card: inputs, parameters, versions"},
)

PARAMS_NOTE = (
    " Arguments: models (model directories), out (output directory), base (base model "
    "directory), params (method parameters: a scalar for all models or a list with one "
    "value per model; also dtype, seed). Returns the output directory and a model card "
    "(inputs by sha256, parameters, versions). Pre-flight checks (architecture, tensor "
    "shapes, vocabulary, tokenizer) run first; safetensors only."
)


def merge_tool_for(
    entry: MergeMethod, registry: ToolRegistry | None = None
) -> Callable[..., dict[str, Any]]:
    """Build and register the tool `merge_<name>` of a registry entry."""
    method = entry.name

    def merge(
        models: list[str],
        out: str,
        base: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        from toolpath.tools.merging.core import merge_models

        if entry.models[1] == 1 and len(models) == 2:  # a blend of two: the first is the base
            base, models = models[0], models[1:]
        result = merge_models(
            method,
            [Path(m) for m in models],
            Path(out),
            base=Path(base) if base else None,
            params=params or {},
        )
        return {
            "out": str(result.out),
            "method": result.method,
            "seconds": result.seconds,
            "card": result.card,
        }

    merge.__name__ = merge.__qualname__ = f"merge_{method}"
    cost = CostPrior(
        seconds=fixed_seconds(), per_unit=cost_per_billion(method), unit="billion_params"
    )
    return tool(
        capabilities=["merge_models"],
        inputs=[rt.MODEL],
        outputs=[rt.MODEL],
        cost=cost,
        quality=quality_prior(method),
        name=f"merge_{method}",
        doc=entry.doc() + PARAMS_NOTE,
        registry=registry,
        output_schema=MERGE_OUTPUT,
        flows="out",
    )(merge)


MERGE_TOOLS = {name: merge_tool_for(entry) for name, entry in MERGE_METHODS.items()}


@tool(
    capabilities=["compose_adapters"],
    inputs=[rt.ADAPTER],
    outputs=[rt.ADAPTER],
    cost=CostPrior(
        seconds=fixed_seconds(),
        per_unit=cost_per_billion("compose_adapters"),
        unit="billion_params",
    ),
    quality=quality_prior("compose_adapters"),
    output_schema=_out_schema(combination_type={"type": "string"}),
    flows="out",
)
def compose_adapters(
    base: str,
    adapters: list[str],
    out: str,
    weights: list[float] | None = None,
    combination_type: str = "linear",
    density: float | None = None,
) -> dict[str, Any]:
    """Combine LoRA adapters of one base model into one adapter with PEFT's
    add_weighted_adapter (combination_type: linear, svd, cat, ties, dare_linear, dare_ties,
    magnitude_prune, and their _svd variants; weights default to equal). Returns the new
    adapter directory.
    """
    from toolpath.tools.merging.lora import combine_adapters

    path = combine_adapters(
        Path(base),
        [Path(a) for a in adapters],
        Path(out),
        weights=weights,
        combination_type=combination_type,
        density=density,
    )
    return {"out": str(path), "combination_type": combination_type}


@tool(
    capabilities=["compose_adapters"],
    inputs=[rt.ADAPTER, rt.DATASET],
    outputs=[rt.ADAPTER],
    cost=CostPrior(
        seconds=fixed_seconds(), per_unit=cost_per_billion("lorahub"), unit="billion_params"
    ),
    quality=quality_prior("lorahub"),
    output_schema=_out_schema(
        weights={"type": "array", "items": {"type": "number"}},
        loss={"type": "number"},
        base_loss={"type": "number"},
    ),
    flows="out",
)
def lorahub_compose(
    base: str,
    adapters: list[str],
    examples: list[dict[str, str]],
    out: str,
    budget: int = 40,
    l1: float = 0.05,
) -> dict[str, Any]:
    """LoraHub: find LoRA composition weights by a gradient-free search that minimises the
    loss on a few labelled examples ({"input", "output"} dicts), then save the composed
    adapter. Use when a handful of examples of the target task exist.
    """
    from toolpath.tools.merging.lora import lorahub_search

    result = lorahub_search(
        Path(base), [Path(a) for a in adapters], examples, Path(out), budget=budget, l1=l1
    )
    return {
        "out": str(out),
        "weights": result.weights,
        "loss": result.loss,
        "base_loss": result.base_loss,
    }


@tool(
    capabilities=["apply_adapter"],
    inputs=[rt.MODEL, rt.ADAPTER],
    outputs=[rt.MODEL],
    cost=CostPrior(
        seconds=fixed_seconds(), per_unit=cost_per_billion("apply_adapter"), unit="billion_params"
    ),
    quality=quality_prior("apply_adapter"),
    output_schema=_out_schema(),
    flows="out",
)
def apply_lora_adapter(base: str, adapter: str, out: str) -> dict[str, Any]:
    """Merge a LoRA adapter into its base model (PEFT merge_and_unload) and save the full
    model directory (safetensors, with the base's tokenizer).
    """
    from toolpath.tools.merging.lora import apply_adapter

    return {"out": str(apply_adapter(Path(base), Path(adapter), Path(out)))}
