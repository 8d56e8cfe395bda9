"""A catalogue: a named list of tool specs, with the tool-to-tool links it declares."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from toolpath.tools.registry import ToolRegistry
from toolpath.tools.spec import ToolSpec


class CatalogLink(BaseModel):
    """A declared edge: `source`'s output can feed `target` (TaskBench's `graph_desc` links)."""

    model_config = ConfigDict(frozen=True)

    source: str
    target: str
    type: str = "complete"


class Catalog(BaseModel):
    """Tools and, when the source declares them, the links between them.

    `links` is None when the catalogue declares no links; the tool graph then derives
    them from resource types.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    tools: list[ToolSpec]
    links: list[CatalogLink] | None = None
    argument_style: str = "resource"  # "resource" (typed resources) or "named" (parameters)
    # OpenAI functions: planned as calls with arguments typed by each parameter schema
    typed_arguments: bool = False
    # how much the graph planner favours the tool the model itself named for a step (its
    # LLM bonus); None: the planner's default
    model_tool_bonus: float | None = None

    @classmethod
    def from_registry(cls, registry: ToolRegistry, name: str = "library") -> Catalog:
        return cls(name=name, tools=list(registry))

    def registry(self) -> ToolRegistry:
        return ToolRegistry(self.tools)

    def names(self) -> list[str]:
        return [spec.name for spec in self.tools]

    def subset(self, names: Iterable[str]) -> Catalog:
        """The catalogue restricted to `names` (links kept where both ends remain)."""
        keep = set(names)
        links = None
        if self.links is not None:
            links = [lk for lk in self.links if lk.source in keep and lk.target in keep]
        tools = [spec for spec in self.tools if spec.name in keep]
        return self.model_copy(update={"tools": tools, "links": links})
