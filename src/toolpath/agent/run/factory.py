"""Wiring a runner for the CLI: the library's tools, a lazily started LLM, the decomposer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolpath.agent.events import RunEvent
from toolpath.agent.run.planning import DecomposerPlanner
from toolpath.agent.run.runner import AgentRunner
from toolpath.planners.solved import SolvedStore
from toolpath.tools.registry import ToolRegistry


class LazyChatModel:
    """A `ChatModel` that starts its backend on the first call (most runs never need one)."""

    def __init__(self, name: str | None = None, model_path: str | None = None) -> None:
        self.name, self.model_path = name, model_path
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                from toolpath.agent.llm import get_backend

                self._model = get_backend(self.name, model_path=self.model_path)
            return self._model

    def complete(self, messages, *, schema=None, max_tokens=512, temperature=0.0):
        return self.model.complete(
            messages, schema=schema, max_tokens=max_tokens, temperature=temperature
        )


def runnable_registry(catalog: str = "library") -> ToolRegistry:
    """The tools a run can execute: the library's, or those of MCP servers (`mcp:...`,
    `mcp+http://...`, an mcpServers file); other catalogues are planned, not run."""
    if catalog == "library":
        from toolpath.tools.library import library_registry

        return library_registry()
    from toolpath.tools.catalogs import mcp

    if mcp.is_mcp_ref(catalog) or mcp.is_servers_file(Path(catalog)):
        return mcp.load_mcp_catalog(catalog).registry()
    raise ValueError(
        f"catalogue {catalog!r} has no runnable tools; runs use the 'library' catalogue "
        "or MCP servers"
    )


def planning_catalog(registry: ToolRegistry, name: str = "library") -> Any:
    """The catalogue the decomposer plans over: MCP tools (which have no resource types)
    are planned as typed function calls, like OpenAI functions."""
    from toolpath.tools.catalogs.catalog import Catalog
    from toolpath.tools.catalogs.openai_functions import function_catalog

    specs = list(registry)
    if specs and all(spec.origin is not None for spec in specs):
        return function_catalog(specs, name)
    return Catalog.from_registry(registry, name)


def make_planner(
    llm: Any,
    registry: ToolRegistry,
    *,
    examples: list[Any] | None = None,
    planner: str = "direct",
    solved: SolvedStore | None = None,
) -> DecomposerPlanner:
    """The LLM decomposer over the registry's tools, with solved examples as demonstrations;
    `planner="graph"` picks tools with the step matcher (trained on `solved`) and the A*."""
    from toolpath.planners.decomposer import Decomposer

    catalog = planning_catalog(registry)
    kwargs: dict[str, Any] = {}
    if examples:
        kwargs = {"demo_selector": lambda request, k: examples[:k], "k_demos": len(examples)}
    if planner == "graph":
        from toolpath.planners.graph_planner import chooser_for

        steps, requests = solved.training_pairs() if solved else ([], [])
        kwargs["tool_chooser"] = chooser_for(catalog, steps, requests=requests)
    elif planner != "direct":
        raise ValueError(f"planner must be graph or direct, got {planner!r}")
    return DecomposerPlanner(Decomposer(llm, catalog, **kwargs), registry)


def make_runner(
    *,
    llm_name: str | None = None,
    model_path: str | None = None,
    home: str | Path | None = None,
    on_event: Callable[[RunEvent], None] | None = None,
    catalog: str = "library",
    examples: list[Any] | None = None,
    interactive: bool = False,
    llm: Any = None,
    planner: str = "direct",
    executor: str | None = None,
) -> AgentRunner:
    """A runner over the catalogue's runnable tools. Verified runs are kept as solved
    samples either way; `planner="graph"` also trains the step matcher on them (direct is
    the default here: the graph planner is measured on TaskBench, not yet on the library)."""
    from toolpath.agent.run.runner import default_home

    registry = runnable_registry(catalog)
    llm = llm if llm is not None else LazyChatModel(llm_name, model_path)
    solved = SolvedStore.in_home(Path(home or default_home()), catalog)
    decomposer = make_planner(llm, registry, examples=examples, planner=planner, solved=solved)
    return AgentRunner(
        registry=registry,
        planner=decomposer,
        solved=solved,
        llm=llm,
        home=home,
        on_event=on_event,
        interactive=interactive,
        executor=executor,
    )
