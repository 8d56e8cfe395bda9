"""The tool library: tool specs, the registry, typed resources and the tools themselves."""

from toolpath.tools.registry import ToolRegistry, default_registry, tool
from toolpath.tools.spec import CostPrior, ToolSpec

__all__ = ["CostPrior", "ToolRegistry", "ToolSpec", "default_registry", "tool"]
