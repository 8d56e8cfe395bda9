"""`Plan`: a DAG of sub-tasks, with `<node-j>` references to upstream outputs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
from pydantic import BaseModel, Field

from toolpath.planners.references import NODE_REF, references, renumber

__all__ = ["NODE_REF", "Argument", "PathStep", "Plan", "PlanProblem", "SubTask", "ToolPath"]


class Argument(BaseModel):
    """One argument of a sub-task: named (`name`) or positional (`name` is None)."""

    name: str | None = None
    value: Any = None

    def references(self) -> list[int]:
        """Indices of the upstream sub-tasks this argument refers to as `<node-j>`."""
        return references(self.value)


class SubTask(BaseModel):
    """One node of the plan: what to do, which capability does it, and with what."""

    id: int = Field(ge=0)
    description: str = ""
    capability: str
    arguments: list[Argument] = Field(default_factory=list)
    scale: float = Field(0.0, ge=0, description="input size for cost priors, e.g. params")

    def references(self) -> set[int]:
        return {ref for arg in self.arguments for ref in arg.references()}


class PlanProblem(BaseModel):
    """One reason a plan is invalid, tied to a node (or None for the whole plan)."""

    node: int | None
    message: str

    def __str__(self) -> str:
        where = "plan" if self.node is None else f"node {self.node}"
        return f"{where}: {self.message}"


class PlanValidationError(ValueError):
    """A plan failed validation; `problems` says which nodes and why."""

    def __init__(self, problems: list[PlanProblem]) -> None:
        self.problems = problems
        super().__init__("invalid plan: " + "; ".join(map(str, problems)))


class Plan(BaseModel):
    """Sub-tasks indexed 0..n-1 and the edges between them.

    Edges are the explicit `links` plus one for every `<node-j>` reference.
    """

    request: str = ""
    subtasks: list[SubTask] = Field(default_factory=list)
    links: list[tuple[int, int]] = Field(default_factory=list)

    def edges(self) -> set[tuple[int, int]]:
        refs = {(ref, task.id) for task in self.subtasks for ref in task.references()}
        return {*self.links, *refs}

    def graph(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        graph.add_nodes_from(task.id for task in self.subtasks)
        graph.add_edges_from(self.edges())
        return graph

    def parents(self, node: int) -> list[int]:
        return sorted(src for src, dst in self.edges() if dst == node)

    def problems(self, capabilities: Iterable[str] | None = None) -> list[PlanProblem]:
        """Everything wrong with the plan; empty when valid."""
        found: list[PlanProblem] = []
        n = len(self.subtasks)
        for index, task in enumerate(self.subtasks):
            if task.id != index:
                found.append(PlanProblem(node=index, message=f"has id {task.id}, expected {index}"))
            for ref in sorted(task.references()):
                if ref >= n:
                    found.append(
                        PlanProblem(
                            node=index, message=f"refers to <node-{ref}> but the plan has {n} nodes"
                        )
                    )
                elif ref == index:
                    found.append(PlanProblem(node=index, message="refers to its own output"))
        for src, dst in self.links:
            if not (0 <= src < n and 0 <= dst < n):
                found.append(PlanProblem(node=None, message=f"link {src}->{dst} is out of range"))
        if capabilities is not None:
            known = set(capabilities)
            for task in self.subtasks:
                if task.capability not in known:
                    found.append(
                        PlanProblem(node=task.id, message=f"unknown capability {task.capability!r}")
                    )
        if not found:
            found.extend(self._cycle_problems())
        return found

    def _cycle_problems(self) -> list[PlanProblem]:
        graph = self.graph()
        if nx.is_directed_acyclic_graph(graph):
            return []
        cycle = nx.find_cycle(graph)
        path = " -> ".join(str(src) for src, _ in cycle) + f" -> {cycle[0][0]}"
        return [PlanProblem(node=cycle[0][0], message=f"is on a cycle {path}")]

    def validate_plan(self, capabilities: Iterable[str] | None = None) -> Plan:
        """Return self if valid, else raise `PlanValidationError`."""
        found = self.problems(capabilities)
        if found:
            raise PlanValidationError(found)
        return self

    def topological_order(self) -> list[int]:
        return list(nx.lexicographical_topological_sort(self.graph()))

    def restricted_to(self, nodes: Iterable[int]) -> Plan:
        """The sub-plan of `nodes` (in id order), renumbered 0..k-1, references rewritten.

        A reference to a node left out stays as it was and shows up in `problems()`.
        """
        return self.renumbered(sorted(set(nodes)))

    def renumbered(self, order: list[int]) -> Plan:
        """The nodes of `order`, in that order, renumbered 0..k-1 (references and links
        follow; links to nodes left out go)."""
        mapping = {old: new for new, old in enumerate(order)}
        subtasks = []
        for old in order:
            task = self.subtasks[old].model_copy(deep=True)
            task.id = mapping[old]
            for argument in task.arguments:
                argument.value = renumber(argument.value, mapping)
            subtasks.append(task)
        links = [(mapping[a], mapping[b]) for a, b in self.links if a in mapping and b in mapping]
        return Plan(request=self.request, subtasks=subtasks, links=links)


class PathStep(BaseModel):
    """The tools chosen for one sub-task: a preparation chain (maybe empty), then the tool."""

    subtask: int
    capability: str
    tools: list[str]
    expected_cost: float
    expected_quality: float
    weight: float

    @property
    def tool(self) -> str:
        """The tool that serves the sub-task itself (the last of the chain)."""
        return self.tools[-1]


class ToolPath(BaseModel):
    """A tool choice for every sub-task, with the expectations that made the search pick it."""

    steps: list[PathStep]
    alpha: float
    expected_cost: float
    expected_quality: float
    weight: float

    def step_for(self, subtask: int) -> PathStep:
        for step in self.steps:
            if step.subtask == subtask:
                return step
        raise KeyError(f"no step for sub-task {subtask}")
