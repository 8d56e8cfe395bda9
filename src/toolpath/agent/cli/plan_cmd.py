"""`toolpath plan "request"`: decompose a request over a catalogue and search its tool path.

Demonstrations: for a TaskBench catalogue the domain's labelled samples (the development
pool) are the pool, retrieved by similarity to the request (BM25 by default); any
catalogue can be given a pool with `--demo-file` (JSON lines in TaskBench's format).
Large catalogues are narrowed to the most relevant tools with the tool retriever.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from toolpath.agent.cli.tools_cmd import CatalogOption, DataDirOption, catalog_or_exit
from toolpath.planners.alignment import node_tools
from toolpath.planners.decomposer import Decomposer, Decomposition, DecompositionError, Example
from toolpath.planners.llm import ChatModel
from toolpath.planners.plan import Plan
from toolpath.planners.search import SearchResult, search_path
from toolpath.tools.catalogs.catalog import Catalog

DEFAULT_DEMOS = 3
DEFAULT_PLANNER = "graph"
PlannerOption = Annotated[
    str,
    typer.Option(
        "--planner",
        help="graph: the LLM writes the steps, a step matcher + A* over the tool graph picks "
        "the tools; direct: the LLM's tools as written",
    ),
]


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


def demo_selector(pool: list[Example], method: str = "bm25") -> Callable[[str, int], list[Example]]:
    """Pick the k pool examples most similar to the request (never the request itself)."""
    from toolpath.tools.retrieval import DemoRetriever

    retriever = DemoRetriever([e.request for e in pool], method)

    def select(request: str, k: int) -> list[Example]:
        found = [pool[i] for i, _ in retriever.search(request, k + 1)]
        return [e for e in found if e.request.strip() != request.strip()][:k]

    return select


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
    selector = demo_selector(examples, retrieval) if examples and k_demos > 0 else None
    tools = tool_selector(catalog, retrieval) if len(catalog.tools) > max_tools else None
    chooser = None
    if planner == "graph":
        from toolpath.planners.graph_planner import chooser_for

        chooser = chooser_for(catalog, example_steps(examples or []))
    elif planner != "direct":
        raise ValueError(f"planner must be graph or direct, got {planner!r}")
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


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plan_report(
    decomposition: Decomposition, search: SearchResult | None, seconds: float
) -> dict[str, Any]:
    """TaskBench's prediction format plus the tool path and what planning cost."""
    usage = decomposition.usage
    return {
        **decomposition.taskbench,
        "path": search.path.model_dump(mode="json") if search and search.path else None,
        "search": None if search is None else {"found": search.found, "reason": search.reason},
        "planner": {
            "attempts": decomposition.attempts,
            "errors": decomposition.errors,
            "prompt_tokens": usage.prompt_tokens,
            "cached_tokens": usage.cached_tokens,
            "completion_tokens": usage.completion_tokens,
            "llm_seconds": round(usage.seconds, 3),
            "seconds": round(seconds, 3),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
        },
    }


def _show(decomposition: Decomposition, search: SearchResult | None, seconds: float) -> None:
    console = Console()
    plan = decomposition.plan
    if not plan.subtasks:
        console.print(f"no call: {decomposition.reason or 'no tool fits the request'}")
    table = Table(title=f"plan: {len(plan.subtasks)} sub-tasks")
    for column in ("#", "step", "tool", "arguments", "after"):
        table.add_column(column)
    for task in plan.subtasks:
        args = ", ".join(
            f"{a.name}={a.value}" if a.name else json.dumps(a.value, ensure_ascii=False)
            for a in task.arguments
        )
        after = ", ".join(map(str, plan.parents(task.id)))
        table.add_row(str(task.id), task.description, task.capability, args, after)
    console.print(table)
    if search is not None and search.path is not None:
        path = Table(title=f"tool path (alpha={search.path.alpha:g})")
        for column in ("#", "tools", "cost s", "quality"):
            path.add_column(column)
        for step in search.path.steps:
            path.add_row(
                str(step.subtask),
                " -> ".join(step.tools),
                f"{step.expected_cost:.2f}",
                f"{step.expected_quality:.2f}",
            )
        console.print(path)
        console.print(
            f"expected cost {search.path.expected_cost:.2f} s, "
            f"quality {search.path.expected_quality:.3f}"
        )
    elif search is not None:
        console.print(f"[yellow]no tool path:[/yellow] {search.reason}")
    usage = decomposition.usage
    console.print(
        f"[dim]planned in {seconds:.1f} s ({decomposition.attempts} attempt(s), "
        f"{usage.prompt_tokens} prompt tokens of which {usage.cached_tokens} cached, "
        f"{usage.completion_tokens} written; peak RSS {_peak_rss_mb():.0f} MB)[/dim]"
    )


def _fail(message: str, code: int = 1) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def plan_command(
    request: Annotated[str, typer.Argument(help="what to do, in words")],
    catalog: CatalogOption = "library",
    data_dir: DataDirOption = None,
    llm: Annotated[
        str | None, typer.Option("--llm", help="embedded | openai (default: $TOOLPATH_LLM)")
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="another GGUF for the embedded backend")
    ] = None,
    demos: Annotated[int, typer.Option("--demos", min=0, help="solved examples shown")] = (
        DEFAULT_DEMOS
    ),
    demo_file: Annotated[
        Path | None, typer.Option("--demo-file", help="JSON lines of solved examples")
    ] = None,
    retrieval: Annotated[
        str, typer.Option("--retrieval", help="bm25 | dense | hybrid (demos, tools)")
    ] = "bm25",
    alpha: Annotated[
        float, typer.Option("--alpha", min=0.0, max=1.0, help="0: quality only, 1: cost only")
    ] = 0.5,
    max_retries: Annotated[int, typer.Option("--max-retries", min=0)] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="TaskBench prediction + path")] = False,
    planner: PlannerOption = DEFAULT_PLANNER,
) -> None:
    """Decompose REQUEST into a sub-task DAG and pick its tool path."""
    started = time.perf_counter()
    loaded = catalog_or_exit(catalog, data_dir)
    try:
        examples = examples_for(loaded, data_dir, demo_file)
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc
    from toolpath.agent.llm import LLMError, ModelFileError, get_backend

    try:
        chat = get_backend(llm, model_path=str(model) if model else None)
    except (LLMError, ModelFileError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc
    try:
        decomposer = build_decomposer(
            chat,
            loaded,
            examples=examples,
            k_demos=demos,
            retrieval=retrieval,
            max_retries=max_retries,
            planner=planner,
        )
    except ValueError as exc:
        raise _fail(str(exc), 2) from exc
    try:
        decomposition = decomposer.decompose(request)
    except DecompositionError as exc:
        raise _fail(str(exc)) from exc
    except (RuntimeError, ValueError) as exc:
        raise _fail(f"planning failed: {exc}") from exc
    search = None
    if decomposition.plan.subtasks:  # no call at all: no path to search (the reason says why)
        plan = capability_plan(decomposition.plan, loaded)
        search = search_path(plan, loaded.tools, alpha=alpha)
    seconds = time.perf_counter() - started
    if as_json:
        report = plan_report(decomposition, search, seconds)
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _show(decomposition, search, seconds)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.command("plan")(plan_command)
