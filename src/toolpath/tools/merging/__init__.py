"""Merging tools: mergekit methods, AdaMerging, metrics-weighted averaging and LoRA.

Importing this package registers the tools (tools/merging/tools.py); heavy libraries
(torch, mergekit, peft, transformers) are imported inside functions only.
"""

from toolpath.tools.merging import tools as _tools  # noqa: F401  (registers the tools)
from toolpath.tools.merging.core import MergeResult, merge_models, merge_state_dicts
from toolpath.tools.merging.lora import apply_adapter, combine_adapters, lorahub_search
from toolpath.tools.merging.methods import METHODS, MergeParameterError
from toolpath.tools.merging.preflight import PreflightError, preflight

__all__ = [
    "METHODS",
    "MergeParameterError",
    "MergeResult",
    "PreflightError",
    "apply_adapter",
    "combine_adapters",
    "lorahub_search",
    "merge_models",
    "merge_state_dicts",
    "preflight",
]
