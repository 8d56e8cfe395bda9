"""OpenAI-style function lists as catalogues, and planning over them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolpath.planners.decomposer import Decomposer
from toolpath.planners.llm import ScriptedChatModel
from toolpath.tools.catalogs.openai_functions import FunctionCatalogError, load_function_catalog
from toolpath.tools.catalogs.resolve import load_catalog

FUNCTIONS = [
    {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "city name"}},
            "required": ["city"],
        },
    },
    {
        "type": "function",
        "function": {
            "name": "send_email",
            "description": "Send an e-mail.",
            "parameters": {
                "type": "object",
                "properties": {"to": {"type": "string"}, "body": {"type": "string"}},
            },
        },
    },
]


def write(tmp_path: Path, data: object, name: str = "tools.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_both_spellings_load_as_named_tools(tmp_path: Path) -> None:
    catalog = load_catalog(str(write(tmp_path, FUNCTIONS)))
    assert catalog.names() == ["get_weather", "send_email"]
    assert catalog.argument_style == "named" and catalog.links is None
    spec = catalog.tools[1]
    assert list(spec.parameters["properties"]) == ["to", "body"]
    assert spec.openai_schema()["function"]["name"] == "send_email"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([{"description": "no name"}], "missing 'name'"),
        ([FUNCTIONS[0], FUNCTIONS[0]], "defined twice"),
        ({"nothing": 1}, "expected a JSON list"),
        ([], "empty"),
        ([{"name": "bad<name>"}], "invalid tool name"),
        ([{"name": "x", "parameters": {"type": "string"}}], "JSON schema object"),
    ],
)
def test_malformed_files_are_refused_clearly(tmp_path: Path, data: object, message: str) -> None:
    with pytest.raises(FunctionCatalogError, match=message):
        load_function_catalog(write(tmp_path, data))


def test_missing_and_unparsable_files(tmp_path: Path) -> None:
    with pytest.raises(FunctionCatalogError, match="does not exist"):
        load_function_catalog(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("[{")
    with pytest.raises(FunctionCatalogError, match="not valid JSON"):
        load_function_catalog(bad)


def test_planning_over_functions_makes_typed_calls(tmp_path: Path) -> None:
    catalog = load_function_catalog(write(tmp_path, FUNCTIONS))
    assert catalog.typed_arguments
    reply = (
        '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n'
        '<tool_call>{"name": "send_email", "arguments": {"to": "ann@example.org", '
        '"body": "<node-0>"}}</tool_call>'
    )
    llm = ScriptedChatModel([reply])
    result = Decomposer(llm, catalog).decompose("Mail ann@example.org the weather in Paris")
    assert result.plan.edges() == {(0, 1)}
    assert result.taskbench["task_nodes"] == [
        {"task": "get_weather", "arguments": [{"name": "city", "value": "Paris"}]},
        {
            "task": "send_email",
            "arguments": [
                {"name": "to", "value": "ann@example.org"},
                {"name": "body", "value": "<node-0>"},
            ],
        },
    ]
    assert result.taskbench["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Paris"}',
    }
    system = llm.calls[0]["messages"][0]["content"]
    assert '"name": "get_weather"' in system and llm.calls[0]["schema"] is None
