"""The tool library: tool specs, the registry, typed resources and the tools themselves."""

from tools.registry import ToolRegistry, default_registry, tool
from tools.spec import CostPrior, ToolSpec

__all__ = ["CostPrior", "ToolRegistry", "ToolSpec", "default_registry", "tool"]
