"""Building a planner for a catalogue: its solved examples, demonstrations and decomposer.

Shared by `toolpath plan`, `planner train`, the MCP server and the planner benchmark.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from toolpath.planners.alignment import node_tools
from toolpath.planners.decomposer import Decomposer, Example
from toolpath.planners.demonstrations import demo_selector
from toolpath.planners.llm import ChatModel
from toolpath.planners.plan import Plan
from toolpath.tools.catalogs.catalog import Catalog

DEFAULT_DEMOS = 3
DEFAULT_PLANNER = "graph"


def load_examples(path: Path) -> list[Example]:
    """Solved examples from JSON lines (`user_request` or `request`, task_steps/nodes/links)."""
    if not path.is_file():
        raise FileNotFoundError(f"demonstration file {str(path)!r} does not exist")
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            examples.append(
                Example(
                    request=row.get("request") or row["user_request"],
                    task_steps=row.get("task_steps", []),
                    task_nodes=row.get("task_nodes", []),
                    task_links=row.get("task_links", []),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{str(path)!r} line {number}: not a solved example ({exc})") from exc
    return examples


def examples_for(catalog: Catalog, data_dir: Path | None, demo_file: Path | None) -> list[Example]:
    """Solved examples for a catalogue: the demo file, a TaskBench domain's labelled samples,
    or the verified runs kept for it."""
    if demo_file is not None:
        return load_examples(demo_file)
    if catalog.name.startswith("taskbench:"):
        return taskbench_pool(catalog, data_dir)
    return solved_examples(catalog.name)


def solved_examples(catalog: str) -> list[Example]:
    """The verified runs kept for a catalogue in `$TOOLPATH_HOME/solved/` (none at first)."""
    from toolpath.agent.run.runner import default_home
    from toolpath.planners.solved import SolvedStore

    store = SolvedStore.in_home(default_home(), catalog)
    return load_examples(store.path) if store.path.is_file() else []


def taskbench_pool(catalog: Catalog, data_dir: Path | None) -> list[Example]:
    """The labelled samples of a TaskBench domain, as demonstrations."""
    from toolpath.tools.catalogs.taskbench import domain_dir

    domain = catalog.name.split(":", 1)[1]
    path = domain_dir(domain, data_dir) / "data.jsonl"
    return load_examples(path) if path.is_file() else []


def tool_selector(catalog: Catalog, method: str = "bm25") -> Callable[[str, int], list[str]]:
    """Retrieve the tools most relevant to a request (for catalogues too large to list)."""
    from toolpath.tools.retrieval import ToolRetriever

    retriever = ToolRetriever(catalog.tools, method)
    return lambda request, k: [name for name, _ in retriever.search(request, k)]


def build_decomposer(
    llm: ChatModel,
    catalog: Catalog,
    *,
    examples: list[Example] | None = None,
    k_demos: int = DEFAULT_DEMOS,
    retrieval: str = "bm25",
    max_tools: int = 40,
    max_retries: int = 2,
    planner: str = DEFAULT_PLANNER,
) -> Decomposer:
    """The decomposer with similarity-chosen demonstrations and tool pre-selection wired in;
    `planner="graph"` adds the matcher + A* tool choice, its matcher trained on `examples`."""
    if planner not in ("graph", "direct"):
        raise ValueError(f"planner must be graph or direct, got {planner!r}")
    selector = demo_selector(examples, retrieval) if examples and k_demos > 0 else None
    tools = tool_selector(catalog, retrieval) if len(catalog.tools) > max_tools else None
    chooser = None
    if planner == "graph":
        from toolpath.planners.graph_planner import chooser_for

        solved = examples or []
        requests = [(e.request, node_tools(e.task_nodes)) for e in solved]
        chooser = chooser_for(catalog, example_steps(solved), requests=requests)
    return Decomposer(
        llm,
        catalog,
        demo_selector=selector,
        k_demos=k_demos if selector else 0,
        tool_selector=tools,
        max_tools_in_prompt=max_tools,
        max_retries=max_retries,
        tool_chooser=chooser,
    )


def example_steps(examples: list[Example]) -> list[tuple[list[str], list[str]]]:
    """(task_steps, node tools) of solved examples: the step matcher's training input."""
    return [(e.task_steps, node_tools(e.task_nodes)) for e in examples]


def capability_plan(plan: Plan, catalog: Catalog) -> Plan:
    """The plan with each named tool replaced by its capability, so the search may choose
    among all tools that serve it (TaskBench tools are their own capability)."""
    specs = {spec.name: spec for spec in catalog.tools}
    plan = plan.model_copy(deep=True)
    for task in plan.subtasks:
        spec = specs.get(task.capability)
        if spec is not None and spec.name not in spec.capabilities:
            task.capability = spec.capabilities[0]
    return plan
