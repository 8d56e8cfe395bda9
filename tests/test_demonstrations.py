"""Demonstrations chosen by similarity, re-ranked by the request's support for their tools
(the real all-MiniLM-L6-v2 embeds the clauses and the tool documents)."""

from __future__ import annotations

import pytest

from toolpath.planners.decomposer import Example
from toolpath.planners.demonstrations import (
    SUPPORT_FLOOR,
    SupportRanking,
    demo_selector,
    request_support,
    tools_supported,
)
from toolpath.planners.matcher import StepMatcher
from toolpath.tools.spec import ToolSpec

TOOLS = [
    ToolSpec(name="Translation", doc="Translate text from one language to another."),
    ToolSpec(name="Text-to-Speech", doc="Read a text aloud as speech audio."),
    ToolSpec(name="Object Detection", doc="Find and label the objects in an image."),
    ToolSpec(name="Image Editing", doc="Change an image as a text instruction says."),
]
REQUEST = "Translate my note 'Bonjour à tous' into English and read it aloud."


@pytest.fixture(scope="module")
def matcher() -> StepMatcher:
    return StepMatcher.untrained(TOOLS)


def _example(request: str, *tools: str) -> Example:
    nodes = [{"task": tool, "arguments": []} for tool in tools]
    return Example(request=request, task_steps=list(tools), task_nodes=nodes, task_links=[])


def test_support_counts_a_tool_in_full_from_the_floor():
    support = {"Translation": 2 * SUPPORT_FLOOR, "Image Editing": SUPPORT_FLOOR / 4}
    assert tools_supported(["Translation"], support) == 1.0
    assert tools_supported(["Translation", "Image Editing"], support) == pytest.approx(0.625)
    assert tools_supported(["Unknown"], support) == 0.0
    assert tools_supported([], support) == 0.0


def test_the_request_supports_what_it_asks_for(matcher):
    support = request_support(REQUEST, matcher)
    assert support["Translation"] > support["Object Detection"]
    assert support["Text-to-Speech"] > support["Image Editing"]


def test_an_example_whose_tools_are_asked_for_rises_above_a_closer_one(matcher):
    ranking = SupportRanking(matcher)
    tools = [["Object Detection", "Image Editing"], ["Translation", "Text-to-Speech"]]
    assert ranking.order(REQUEST, tools, [10.0, 8.0]) == [1, 0]
    # without a difference in support, similarity decides
    assert ranking.order(REQUEST, [tools[1], tools[1]], [8.0, 10.0]) == [1, 0]


def test_the_selector_reranks_and_never_shows_the_request_itself(matcher):
    pool = [
        _example(REQUEST, "Translation", "Text-to-Speech"),
        _example("Detect the objects in my note 'Bonjour à tous' and edit it into English art.",
                 "Object Detection", "Image Editing"),
        _example("Translate a French greeting into Spanish and read it.", "Translation",
                 "Text-to-Speech"),
    ]  # fmt: skip
    heard: list[list[int]] = []
    plain = demo_selector(pool, "bm25")
    ranked = demo_selector(pool, "bm25", SupportRanking(matcher), on_choice=heard.append)
    assert pool[0] not in plain(REQUEST, 2) and pool[0] not in ranked(REQUEST, 2)
    assert plain(REQUEST, 1) == [pool[1]]  # more words in common
    assert ranked(REQUEST, 1) == [pool[2]]  # what the request asks for
    assert heard[-1] == [2]
