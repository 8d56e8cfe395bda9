"""Which step of a plan describes which node: TaskBench lists `task_nodes` in no
particular order and models write steps and nodes that do not line up one to one, so
steps are matched to nodes by content (the tool a step names), then by position."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.lower()).strip()


def align_steps(steps: Sequence[str], tools: Sequence[str]) -> list[int | None]:
    """For each step, the index of the node (tool) it describes, or None.

    TaskBench lists `task_nodes` in no particular order, so steps are matched to nodes by
    content: a step that names a node's tool takes the first such node not yet taken
    (longest names first, so "Image-to-Image" is not read as "Image"); the leftovers pair
    up in order."""
    taken: set[int] = set()
    aligned: list[int | None] = []
    by_length = sorted(range(len(tools)), key=lambda k: -len(tools[k]))
    for step in steps:
        text = _norm(step)
        match = next((k for k in by_length if k not in taken and _norm(tools[k]) in text), None)
        if match is not None:
            taken.add(match)
        aligned.append(match)
    free = iter(k for k in range(len(tools)) if k not in taken)
    return [a if a is not None else next(free, None) for a in aligned]


def node_descriptions(steps: Sequence[str], tools: Sequence[str]) -> list[str]:
    """The step that describes each node (aligned by content, leftovers in order), or ""
    for a node no step is left for: a step is never read twice."""
    found: dict[int, str] = {}
    for step, node in zip(steps, align_steps(steps, tools), strict=True):
        if node is not None:
            found.setdefault(node, step)
    return [found.get(k, "") for k in range(len(tools))]


def solved_pairs(
    samples: Iterable[tuple[Sequence[str], Sequence[str]]],
) -> list[tuple[str, str]]:
    """(step text, tool) pairs from solved samples given as (task_steps, node tools)."""
    pairs = []
    for steps, tools in samples:
        for step, node in zip(steps, align_steps(steps, tools), strict=True):
            if node is not None:
                pairs.append((step, tools[node]))
    return pairs


def alignment_agreement(
    samples: Iterable[tuple[Sequence[str], Sequence[str], Sequence[tuple[str, str]]]],
) -> float | None:
    """Share of labelled links (source tool, target tool) whose aligned source step comes
    before the aligned target step: how well the step alignment agrees with the links."""
    agree = total = 0
    for steps, tools, links in samples:
        position = {}
        for s, node in enumerate(align_steps(steps, tools)):
            if node is not None:
                position.setdefault(tools[node], s)
        for source, target in links:
            if source in position and target in position:
                total += 1
                agree += position[source] < position[target]
    return agree / total if total else None


def node_tools(task_nodes: Iterable[object]) -> list[str]:
    """The tool of each node of a TaskBench-format `task_nodes` list."""
    return [str(n.get("task", "")) for n in task_nodes if isinstance(n, dict)]
