"""`toolpath demo`: an offline, end-to-end run on the model zoo.

"Make one model that does addition and string reversal, each at >= 90% of its expert's
accuracy, as cheaply as possible": the zoo is built if needed; the embedded LLM plans
(with one solved example of a merge task); the search picks the retrieval and merge
tools; each step is verified (the merged model is evaluated against both experts, proxy
evaluation first); a merge that misses the threshold is forbidden and the search picks
another method. If the LLM's plan is not a valid plan for this task after the
decomposer's retries, the demo uses a fixed decomposition and says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from toolpath.agent.cli.run_cmd import (
    ExecutorOption,
    HomeOption,
    JsonOption,
    LlmOption,
    ModelOption,
    ReportOption,
    fail,
)
from toolpath.agent.run.demo_task import (
    DEMO_SKILLS,
    DEMO_THRESHOLD,
    DemoPlanner,
    demo_example,
    demo_task,
)
from toolpath.agent.run.render import EventPrinter
from toolpath.tools.extras import require


def obtain_zoo(zoo: Path | None, mini: bool, console: Console, *, progress: bool) -> Any:
    """The zoo at `zoo` (default location) as built, else build it (minutes, once)."""
    from toolpath.tools.zoo import build_zoo, default_zoo_dir, load_zoo

    root = Path(zoo).expanduser() if zoo is not None else default_zoo_dir()
    if (root / "zoo.json").is_file():
        manifest = load_zoo(root)
        if manifest.mini == mini and manifest.experts:
            console.print(f"[dim]zoo: {root} ({len(manifest.models)} models)[/dim]")
            return manifest
    console.print(f"[dim]zoo: building {'the mini zoo ' if mini else ''}in {root} ...[/dim]")
    return build_zoo(root, mini=mini, progress=progress)


def require_demo_extras(use_llm: bool, llm: str | None) -> None:
    """Stop before the zoo build when an extra the demo needs is not installed."""
    from toolpath.agent.llm.settings import LLMSettings

    require("langgraph", "agent")
    require("torch", "merge")
    require("mergekit", "merge")
    if use_llm and (llm or LLMSettings().backend) == "embedded":
        require("xllamacpp", "embedded")


def demo(
    zoo: Annotated[
        Path | None, typer.Option("--zoo", help="zoo directory (built if needed)")
    ] = None,
    mini: Annotated[bool, typer.Option("--mini", help="use the tiny test zoo")] = False,
    alpha: Annotated[float, typer.Option("--alpha", help="0 = quality only, 1 = cost only")] = 0.8,
    threshold: Annotated[
        float, typer.Option("--threshold", help="normalised accuracy each skill must keep")
    ] = DEMO_THRESHOLD,
    skills: Annotated[str, typer.Option("--skills", help="comma-separated zoo tasks")] = ",".join(
        DEMO_SKILLS
    ),
    no_llm: Annotated[bool, typer.Option("--no-llm", help="skip the LLM planner")] = False,
    llm: LlmOption = None,
    model_path: ModelOption = None,
    as_json: JsonOption = False,
    report: ReportOption = None,
    home: HomeOption = None,
    executor: ExecutorOption = None,
) -> None:
    """Build the zoo if needed, then merge two experts into one model, end to end."""
    require_demo_extras(not no_llm, llm)
    from toolpath.agent.cli.run_cmd import finish
    from toolpath.agent.run.factory import LazyChatModel, make_planner, runnable_registry
    from toolpath.agent.run.runner import AgentRunner

    console = Console(stderr=as_json)
    chosen = tuple(s.strip() for s in skills.split(",") if s.strip())
    if not 0 <= alpha <= 1:
        raise fail(f"--alpha must be in [0, 1], got {alpha}")
    try:
        manifest = obtain_zoo(zoo, mini, console, progress=not as_json)
        task = demo_task(manifest, chosen, threshold, alpha)
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from exc
    registry = runnable_registry()
    model = None if no_llm else LazyChatModel(llm, model_path)
    inner = None if model is None else make_planner(model, registry, examples=[demo_example()])
    scale = manifest.base.parameters / 1e9
    planner = DemoPlanner(inner, chosen, scale)
    runner = AgentRunner(
        registry=registry,
        planner=planner,
        llm=model,
        home=home,
        on_event=None if as_json else EventPrinter(console).on_event,
        executor=executor,
    )
    console.print(f"[bold]task:[/bold] {task.request}")
    summary = runner.start(task)
    extra = {"planned_by": planner.planned_by, "planner_attempts": planner.attempts}
    finish(summary, runner, as_json, report, console, extra)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.command("demo")(demo)
