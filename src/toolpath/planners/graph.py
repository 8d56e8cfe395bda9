"""`ToolGraph`: tools as nodes, an edge where one tool's output can feed another's input."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.registry import ToolRegistry
from toolpath.tools.spec import ToolSpec


class ToolGraph:
    """A networkx DiGraph over tool names; each node carries its `ToolSpec` as `spec`."""

    def __init__(self, graph: nx.DiGraph, name: str = "tools") -> None:
        self.graph = graph
        self.name = name

    @classmethod
    def from_specs(cls, specs: list[ToolSpec] | ToolRegistry, name: str = "tools") -> ToolGraph:
        """Edges where an output type of one tool is an input type of another."""
        specs = list(specs)
        graph = nx.DiGraph()
        for spec in specs:
            graph.add_node(spec.name, spec=spec)
        consumers: dict[str, list[str]] = defaultdict(list)
        for spec in specs:
            for kind in spec.inputs:
                consumers[kind].append(spec.name)
        for spec in specs:
            for kind in spec.outputs:
                for target in consumers[kind]:
                    if target != spec.name:
                        graph.add_edge(spec.name, target, type=kind)
        return cls(graph, name)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> ToolGraph:
        """The catalogue's declared links, or edges derived from types when it has none."""
        if catalog.links is None:
            return cls.from_specs(catalog.tools, catalog.name)
        graph = nx.DiGraph()
        for spec in catalog.tools:
            graph.add_node(spec.name, spec=spec)
        for link in catalog.links:
            graph.add_edge(link.source, link.target, type=link.type)
        return cls(graph, catalog.name)

    def spec(self, name: str) -> ToolSpec:
        return self.graph.nodes[name]["spec"]

    def specs(self) -> list[ToolSpec]:
        return [data["spec"] for _, data in self.graph.nodes(data=True)]

    def __contains__(self, name: object) -> bool:
        return name in self.graph

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def typed(self) -> bool:
        """True when some tool declares input or output data types."""
        return any(spec.inputs or spec.outputs for spec in self.specs())

    def allows(self, source: str, target: str) -> bool:
        """True when the graph has an edge source -> target."""
        return self.graph.has_edge(source, target)

    def successors(self, name: str) -> list[str]:
        return list(self.graph.successors(name))

    def predecessors(self, name: str) -> list[str]:
        return list(self.graph.predecessors(name))

    def producers(self, kind: str) -> list[ToolSpec]:
        """Tools with `kind` among their outputs."""
        return [spec for spec in self.specs() if kind in spec.outputs]
