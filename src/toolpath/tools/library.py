"""The built-in tool library: importing its packages registers their tools."""

from __future__ import annotations

import importlib

from toolpath.tools.registry import ToolRegistry, default_registry

LIBRARY_PACKAGES = (
    "toolpath.tools.merging",
    "toolpath.tools.retrieval",
    "toolpath.tools.evaluation",
)


def library_registry() -> ToolRegistry:
    """The default registry with every library tool registered.

    Tool modules import heavy libraries (torch, mergekit) inside their functions, so this
    stays fast.
    """
    for package in LIBRARY_PACKAGES:
        importlib.import_module(package)
    return default_registry
