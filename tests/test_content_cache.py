"""Step artifacts are keyed by contents and tool version; a cached outcome is not evidence."""

from __future__ import annotations

import os
from pathlib import Path

from test_agent_tools import ToyEvaluator, build_registry, make_zoo, merge_plan, merge_task
from toolpath.agent.run import AgentRunner, TaskSpec
from toolpath.agent.run.artifacts import ArtifactStore
from toolpath.agent.run.executor import Executor
from toolpath.planners.plan import Argument, PathStep, SubTask
from toolpath.tools.registry import ToolRegistry, tool


def word_counter(calls: list[str], extra: int = 0) -> ToolRegistry:
    registry = ToolRegistry()

    if extra:

        @tool(capabilities=["count"], outputs=["text"], registry=registry)
        def count_words(paths: list[str]) -> int:
            """Count the words of text files or folders (changed: adds one)."""
            calls.append("changed")
            return 1 + sum(len(p.read_text().split()) for p in _files(paths))

    else:

        @tool(capabilities=["count"], outputs=["text"], registry=registry)
        def count_words(paths: list[str]) -> int:
            """Count the words of text files or folders."""
            calls.append("count")
            return sum(len(p.read_text().split()) for p in _files(paths))

    return registry


def _files(paths: list[str]) -> list[Path]:
    files = []
    for path in map(Path, paths):
        files += sorted(path.rglob("*.txt")) if path.is_dir() else [path]
    return files


def _count(executor: Executor, paths: list[str]):
    task = SubTask(id=0, capability="count", arguments=[Argument(name="paths", value=paths)])
    step = PathStep(
        subtask=0,
        capability="count",
        tools=["count_words"],
        expected_cost=1.0,
        expected_quality=0.9,
        weight=1.0,
    )
    return executor.run(task, step, {})


def test_an_edited_input_at_the_same_path_is_not_a_cache_hit(tmp_path) -> None:
    calls: list[str] = []
    store = ArtifactStore(tmp_path / "store")
    executor = Executor(word_counter(calls), store)
    doc, folder = tmp_path / "doc.txt", tmp_path / "docs"
    doc.write_text("one two three")
    folder.mkdir()
    (folder / "a.txt").write_text("four five")
    first = _count(executor, [str(doc), str(folder)])
    again = _count(executor, [str(doc), str(folder)])
    assert (first.output, again.output, again.cached, calls) == (5, 5, True, ["count"])
    doc.write_text("one two three and more")  # same path, same folder, new contents
    stat = doc.stat()
    os.utime(doc, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    edited = _count(executor, [str(doc), str(folder)])
    assert (edited.output, edited.cached) == (7, False)
    (folder / "b.txt").write_text("six")  # a file added inside a folder argument
    grown = _count(executor, [str(doc), str(folder)])
    assert (grown.output, grown.cached) == (8, False)
    assert len({first.key, edited.key, grown.key}) == 3


def test_a_changed_tool_is_not_a_cache_hit(tmp_path) -> None:
    calls: list[str] = []
    store = ArtifactStore(tmp_path / "store")
    doc = tmp_path / "doc.txt"
    doc.write_text("one two three")
    old = _count(Executor(word_counter(calls), store), [str(doc)])
    new = _count(Executor(word_counter(calls, extra=1), store), [str(doc)])
    assert (old.output, new.output, new.cached) == (3, 4, False)
    assert calls == ["count", "changed"]


def test_a_cached_outcome_does_not_update_the_estimates_again(tmp_path) -> None:
    zoo = tmp_path / "zoo"
    make_zoo(zoo)
    registry = build_registry(zoo)
    runner = AgentRunner(registry=registry, home=tmp_path / "home", evaluator=ToyEvaluator())
    data = merge_task(zoo, ["addition", "reversal"], alpha=0.0)
    task = TaskSpec.model_validate(data | {"plan": merge_plan(["addition", "reversal"])})
    assert runner.start(task).status == "succeeded"
    pairs = [
        (registry.get(n), c)
        for n, c in [("find_expert", "retrieve_experts"), ("merge_sum", "merge_models")]
    ]
    seen = [runner.estimates.get(spec, capability).observations for spec, capability in pairs]
    assert all(seen)
    summary = runner.start(task)
    assert summary.status == "succeeded" and all(s.cached for s in summary.steps)
    again = [runner.estimates.get(spec, capability).observations for spec, capability in pairs]
    assert again == seen
    runner.close()


def _chain_registry(fail: str | None) -> ToolRegistry:
    """A preparation tool (html -> text) and the tool that counts words; `fail` names the
    one that raises."""
    registry = ToolRegistry()

    @tool(capabilities=["strip"], inputs=["html"], outputs=["text"], registry=registry)
    def split_words(html: str) -> str:
        """Strip the tags of an HTML text."""
        if fail == "split_words":
            raise RuntimeError("split_words broke")
        return html.replace("<b>", " ").replace("</b>", " ")

    @tool(capabilities=["count"], inputs=["text"], outputs=["number"], registry=registry)
    def count_items(text: str) -> int:
        """Count the words of a text."""
        if fail == "count_items":
            raise RuntimeError("count_items broke")
        return len(text.split())

    return registry


def _run_chain(tmp_path: Path, fail: str | None, store_name: str = "store"):
    executor = Executor(_chain_registry(fail), ArtifactStore(tmp_path / store_name))
    task = SubTask(
        id=0, capability="count", arguments=[Argument(name="html", value="one<b>two</b>three")]
    )
    step = PathStep(
        subtask=0,
        capability="count",
        tools=["split_words", "count_items"],
        expected_cost=1.0,
        expected_quality=0.9,
        weight=1.0,
    )
    return executor.run(task, step, {})


def test_preparation_tools_get_their_own_verdicts(tmp_path) -> None:
    """The sub-task's verdict judges its own tool; a preparation tool that ran and handed
    on a value passed, one that raised failed, and a tool after the failure is not judged."""
    done = _run_chain(tmp_path, None)
    assert done.ok and done.output == 3
    verdicts = done.tool_verdicts(step_ok=False)  # the count failed its check
    assert [(name, ok) for name, ok, _ in verdicts] == [
        ("split_words", True),
        ("count_items", False),
    ]
    assert _run_chain(tmp_path, None).tool_verdicts(step_ok=True) == []  # cache hits
    broke_first = _run_chain(tmp_path, "split_words", "store-2")
    assert [(n, ok) for n, ok, _ in broke_first.tool_verdicts(False)] == [("split_words", False)]
    broke_last = _run_chain(tmp_path, "count_items", "store-3")
    assert [(n, ok) for n, ok, _ in broke_last.tool_verdicts(False)] == [
        ("split_words", True),
        ("count_items", False),
    ]
