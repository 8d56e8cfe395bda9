"""What the server runs on: the LLM, how to build a runner for one run, and the demo task.

`default_backend` is the production wiring (the library's tools, the usual LLM settings);
tests build a `ServeBackend` of their own (a scripted LLM and small real tools) and hand
it to `create_app`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolpath.agent.events import RunEvent
from toolpath.agent.run.runner import AgentRunner
from toolpath.planners.llm import ChatModel

EventSink = Callable[[RunEvent], None] | None
RunnerFactory = Callable[[ChatModel, EventSink, bool], AgentRunner]


@dataclass
class ServeBackend:
    """The LLM (shared by every chat and run), a runner per run, and the page's demo task."""

    llm: ChatModel
    runner_for: RunnerFactory
    home: Path
    demo_task: Callable[[], dict[str, Any]]
    name: str = "toolpath"


def library_runner_factory(home: Path, planner: str = "direct") -> RunnerFactory:
    """Runners over the library's tools with the LLM decomposer (one merge example shown)."""
    from toolpath.agent.run.demo_task import demo_example
    from toolpath.agent.run.factory import make_runner

    def build(llm: ChatModel, on_event: EventSink, interactive: bool) -> AgentRunner:
        return make_runner(
            llm=llm,
            home=home,
            on_event=on_event,
            examples=[demo_example()],
            interactive=interactive,
            planner=planner,
        )

    return build


def zoo_demo_task() -> dict[str, Any]:
    """The demo's task on the zoo when it is built (never built here), else its request."""
    from toolpath.agent.run.demo_task import DEMO_REQUEST, DEMO_SKILLS, DEMO_THRESHOLD, demo_task
    from toolpath.tools.zoo import default_zoo_dir, load_zoo

    root = default_zoo_dir()
    if not (root / "zoo.json").is_file():
        return {"request": DEMO_REQUEST}
    manifest = load_zoo(root)
    return demo_task(manifest, DEMO_SKILLS, DEMO_THRESHOLD, 0.8).model_dump(mode="json")


def default_backend(
    llm_name: str | None = None,
    model_path: str | None = None,
    home: Path | None = None,
    planner: str = "direct",
) -> ServeBackend:
    """The usual LLM (embedded unless configured otherwise), started on first use."""
    from toolpath.agent.run.factory import LazyChatModel
    from toolpath.agent.run.runner import default_home

    home = Path(home) if home is not None else default_home()
    return ServeBackend(
        llm=LazyChatModel(llm_name, model_path),
        runner_for=library_runner_factory(home, planner),
        home=home,
        demo_task=zoo_demo_task,
    )
