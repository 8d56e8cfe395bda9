"""The decomposer's parsing, schema, validation, repair, retries and ADaPT refinement.

The LLM's answers here are fixed strings (TaskBench labels and deliberately broken
variants) so that each repair rule is exercised exactly; the real model is exercised in
tests/test_llm_real.py.
"""

from __future__ import annotations

import json

import pytest

from toolpath.planners.decomposer import (
    Decomposer,
    DecompositionError,
    Example,
    PlanRepairer,
    plan_from_taskbench,
    plan_to_taskbench,
    splice,
)
from toolpath.planners.graph import ToolGraph
from toolpath.planners.llm import ScriptedChatModel
from toolpath.planners.plan import Argument, Plan, SubTask
from toolpath.planners.prompts import output_schema
from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog
from toolpath.tools.spec import ToolSpec

REQUEST = "I have example.jpg; describe it in words, translate it into French and read it aloud"
GOOD = {
    "task_steps": ["Describe the image", "Translate to French", "Speak it"],
    "task_nodes": [
        {"task": "Image-to-Text", "arguments": ["example.jpg"]},
        {"task": "Translation", "arguments": ["<node-0>"]},
        {"task": "Text-to-Speech", "arguments": ["<node-1>"]},
    ],
}


@pytest.fixture(scope="module")
def hf() -> Catalog:
    return load_taskbench_catalog("huggingface")


def answer(nodes: list[dict], steps: list[str] | None = None) -> str:
    return json.dumps(
        {"task_steps": steps or [f"step {i}" for i in range(len(nodes))], "task_nodes": nodes}
    )


@pytest.mark.taskbench_data
def test_good_answer_becomes_plan_and_taskbench_prediction(hf: Catalog) -> None:
    llm = ScriptedChatModel([json.dumps(GOOD)])
    result = Decomposer(llm, hf).decompose(REQUEST)
    assert [t.capability for t in result.plan.subtasks] == [
        "Image-to-Text",
        "Translation",
        "Text-to-Speech",
    ]
    assert result.attempts == 1 and result.notes == []
    assert result.plan.edges() == {(0, 1), (1, 2)}
    assert result.taskbench["task_nodes"] == GOOD["task_nodes"]
    assert result.taskbench["task_links"] == [
        {"source": "Image-to-Text", "target": "Translation"},
        {"source": "Translation", "target": "Text-to-Speech"},
    ]


@pytest.mark.taskbench_data
def test_schema_enumerates_exactly_the_catalogue_tools(hf: Catalog) -> None:
    llm = ScriptedChatModel([json.dumps(GOOD)])
    Decomposer(llm, hf).decompose(REQUEST)
    schema = llm.calls[0]["schema"]
    enum = schema["properties"]["task_nodes"]["items"]["properties"]["task"]["enum"]
    assert sorted(enum) == sorted(hf.names())
    assert schema["additionalProperties"] is False


@pytest.mark.taskbench_data
def test_labelled_samples_round_trip_through_plans(hf: Catalog) -> None:
    from toolpath.tools.catalogs.taskbench import domain_dir

    rows = [json.loads(x) for x in (domain_dir("huggingface") / "data.jsonl").open()][:60]
    for row in rows:
        plan = plan_from_taskbench(row)
        assert plan_to_taskbench(plan, "resource")["task_nodes"] == [
            {"task": n["task"], "arguments": n["arguments"]} for n in row["task_nodes"]
        ]


def test_named_round_trip_keeps_links() -> None:
    label = {
        "task_steps": ["a", "b", "c"],
        "task_nodes": [
            {"task": "do_tax_return", "arguments": [{"name": "year", "value": "2021"}]},
            {"task": "make_video_call", "arguments": [{"name": "phone_number", "value": "x"}]},
            {"task": "send_sms", "arguments": [{"name": "content", "value": "done"}]},
        ],
        "task_links": [
            {"source": "do_tax_return", "target": "make_video_call"},
            {"source": "send_sms", "target": "make_video_call"},
        ],
    }
    plan = plan_from_taskbench(label)
    assert sorted(plan.links) == [(0, 1), (2, 1)]
    back = plan_to_taskbench(plan, "named")
    assert back["task_nodes"] == label["task_nodes"]
    assert sorted(map(json.dumps, back["task_links"])) == sorted(
        map(json.dumps, label["task_links"])
    )


@pytest.mark.taskbench_data
def test_one_based_references_are_shifted(hf: Catalog) -> None:
    nodes = [
        {"task": "Image-to-Text", "arguments": ["example.jpg"]},
        {"task": "Translation", "arguments": ["<node-1>", "French"]},
        {"task": "Text-to-Speech", "arguments": ["<node-2>"]},
    ]
    result = Decomposer(ScriptedChatModel([answer(nodes)]), hf).decompose(REQUEST)
    assert result.plan.edges() == {(0, 1), (1, 2)}
    assert any("numbered from 1" in e for e in result.notes)


@pytest.mark.taskbench_data
def test_out_of_range_and_disallowed_references_are_repaired(hf: Catalog) -> None:
    nodes = [
        {"task": "Image-to-Text", "arguments": ["example.jpg"]},
        {"task": "Text-to-Speech", "arguments": ["<node-0>"]},
        # audio cannot feed Translation; <node-7> does not exist
        {"task": "Translation", "arguments": ["<node-1>", "French"]},
        {"task": "Summarization", "arguments": ["<node-7>"]},
    ]
    graph = ToolGraph.from_catalog(hf)
    result = Decomposer(ScriptedChatModel([answer(nodes)]), hf, graph=graph).decompose(REQUEST)
    plan = result.plan
    assert plan.problems(hf.names()) == []
    for src, dst in plan.edges():
        assert graph.allows(plan.subtasks[src].capability, plan.subtasks[dst].capability)
    assert plan.subtasks[2].references() == {0}  # re-pointed to the nearest text producer
    assert plan.subtasks[3].references() == {2}
    assert result.attempts == 3  # the forbidden edge was fed back twice, then repaired


@pytest.mark.taskbench_data
def test_a_tool_with_the_wrong_input_type_is_fed_back_with_the_tools_that_fit(
    hf: Catalog,
) -> None:
    # the tool is not swapped silently: on TaskBench the model's tool is more often right
    # than its reference, so the model is told which tools fit and chooses
    wrong = answer(
        [
            {"task": "Image-to-Text", "arguments": ["example.jpg"]},
            {"task": "Translation", "arguments": ["<node-0>"]},
            {"task": "Audio-to-Audio", "arguments": ["<node-1>"]},  # text in: Text-to-Speech
        ]
    )
    llm = ScriptedChatModel([wrong, json.dumps(GOOD)])
    result = Decomposer(llm, hf).decompose(REQUEST)
    assert result.attempts == 2
    assert [t.capability for t in result.plan.subtasks][-1] == "Text-to-Speech"
    feedback = llm.calls[1]["messages"][-1]["content"]
    assert "node 2 (Audio-to-Audio, needs audio) cannot take the output of node 1" in feedback
    assert "tools that fit there: Text-to-Speech" in feedback


@pytest.mark.taskbench_data
def test_forbidden_edge_is_fed_back_before_it_is_repaired(hf: Catalog) -> None:
    wrong = answer(
        [
            {"task": "Translation", "arguments": ["hello", "French"]},
            {"task": "Image Classification", "arguments": ["<node-0>"]},  # many text->text tools
        ]
    )
    right = answer(
        [
            {"task": "Translation", "arguments": ["hello", "French"]},
            {"task": "Summarization", "arguments": ["<node-0>"]},
        ]
    )
    llm = ScriptedChatModel([wrong, right])
    result = Decomposer(llm, hf).decompose("translate hello into French, then summarise")
    assert result.attempts == 2
    assert [t.capability for t in result.plan.subtasks] == ["Translation", "Summarization"]
    feedback = llm.calls[1]["messages"][-1]["content"]
    assert "node 1 (Image Classification, needs image) cannot take the output of node 0" in feedback
    assert "gives text" in feedback


@pytest.mark.taskbench_data
def test_cycles_are_broken(hf: Catalog) -> None:
    nodes = [
        {"task": "Summarization", "arguments": ["<node-1>"]},
        {"task": "Translation", "arguments": ["<node-0>"]},
    ]
    result = Decomposer(ScriptedChatModel([answer(nodes)]), hf).decompose("summarise and translate")
    assert result.plan.topological_order() == [0, 1]
    assert any("cycle" in e for e in result.notes)


@pytest.mark.taskbench_data
def test_unknown_tool_names_are_matched_or_dropped(hf: Catalog) -> None:
    nodes = [
        {"task": "Image_to_Text", "arguments": ["example.jpg"]},
        {"task": "Teleportation", "arguments": ["<node-0>"]},
        {"task": "Translation", "arguments": ["<node-0>"]},
    ]
    result = Decomposer(ScriptedChatModel([answer(nodes)]), hf).decompose(REQUEST)
    assert [t.capability for t in result.plan.subtasks] == ["Image-to-Text", "Translation"]
    assert result.plan.edges() == {(0, 1)}


@pytest.mark.taskbench_data
def test_unparsable_answer_is_retried_with_the_error(hf: Catalog) -> None:
    llm = ScriptedChatModel(['{"task_steps": ["x"], "task_nodes": [', json.dumps(GOOD)])
    result = Decomposer(llm, hf).decompose(REQUEST)
    assert result.attempts == 2
    retry = llm.calls[1]["messages"]
    assert retry[-2]["role"] == "assistant" and "not valid JSON" in retry[-1]["content"]


@pytest.mark.taskbench_data
def test_without_repair_errors_are_fed_back_then_raised(hf: Catalog) -> None:
    bad = answer([{"task": "Translation", "arguments": ["<node-5>"]}])
    llm = ScriptedChatModel([bad])
    with pytest.raises(DecompositionError) as info:
        Decomposer(llm, hf, repair=False, max_retries=1).decompose("translate")
    assert len(llm.calls) == 2 and info.value.attempts == 2
    assert info.value.raw == bad and "<node-5>" in info.value.notes[0]
    assert "<node-5>" in llm.calls[1]["messages"][-1]["content"]


@pytest.mark.taskbench_data
def test_stable_prefix_and_demonstrations(hf: Catalog) -> None:
    demo = Example(
        request="Caption photo.png",
        task_steps=["caption"],
        task_nodes=[{"task": "Image-to-Text", "arguments": ["photo.png"]}],
    )
    asked: list[tuple[str, int]] = []

    def select(request: str, k: int) -> list[Example]:
        asked.append((request, k))
        return [demo] * k

    llm = ScriptedChatModel([json.dumps(GOOD)])
    decomposer = Decomposer(llm, hf, demo_selector=select, k_demos=2)
    decomposer.decompose(REQUEST)
    decomposer.decompose("Translate 'hello' into German")
    first, second = (call["messages"] for call in llm.calls)
    assert first[0] == second[0] and first[0]["role"] == "system"  # cacheable prefix
    assert "Image-to-Text" in first[0]["content"]
    assert [m["role"] for m in first] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert json.loads(first[2]["content"])["task_nodes"][0]["task"] == "Image-to-Text"
    assert asked == [(REQUEST, 2), ("Translate 'hello' into German", 2)]


def test_large_catalogue_is_narrowed_by_the_selector() -> None:
    tools = [ToolSpec(name=f"tool_{i}", doc=f"does thing number {i}") for i in range(60)]
    catalog = Catalog(name="big", tools=tools, argument_style="named")
    reply = json.dumps(
        {"task_steps": ["x"], "task_nodes": [{"task": "tool_7", "arguments": []}], "task_links": []}
    )
    llm = ScriptedChatModel([reply])
    pick = lambda request, k: ["tool_7", "tool_3", "not_a_tool"]  # noqa: E731
    result = Decomposer(llm, catalog, tool_selector=pick, max_tools_in_prompt=5).decompose("x")
    assert result.tools_in_prompt == ["tool_3", "tool_7"]
    system = llm.calls[0]["messages"][0]["content"]
    assert "tool_7" in system and "tool_12" not in system
    consts = [
        n["properties"]["task"]["const"]
        for n in llm.calls[0]["schema"]["properties"]["task_nodes"]["items"]["anyOf"]
    ]
    assert consts == ["tool_3", "tool_7"]


def test_lexical_fallback_narrows_without_a_selector() -> None:
    tools = [ToolSpec(name=f"tool_{i}", doc=f"does thing number {i}") for i in range(50)]
    tools.append(ToolSpec(name="weather", doc="Get the weather forecast for a city"))
    catalog = Catalog(name="big", tools=tools, argument_style="named")
    decomposer = Decomposer(ScriptedChatModel(["{}"]), catalog, max_tools_in_prompt=5)
    assert "weather" in [s.name for s in decomposer.tools_for("weather forecast in Paris")]


@pytest.mark.taskbench_data
def test_named_schema_enumerates_parameter_names() -> None:
    catalog = load_taskbench_catalog("dailylifeapis")
    schema = output_schema(catalog.tools, "named")
    options = schema["properties"]["task_nodes"]["items"]["anyOf"]
    book = next(o for o in options if o["properties"]["task"]["const"] == "book_hotel")
    names = book["properties"]["arguments"]["items"]["properties"]["name"]["enum"]
    assert sorted(names) == ["date", "name"]
    assert set(schema["properties"]["task_links"]["items"]["properties"]["source"]["enum"]) == set(
        catalog.names()
    )


def three_step_plan() -> Plan:
    return Plan(
        request=REQUEST,
        subtasks=[
            SubTask(id=0, capability="Image-to-Text", arguments=[Argument(value="example.jpg")]),
            SubTask(
                id=1,
                description="translate to French",
                capability="Translation",
                arguments=[Argument(value="<node-0>"), Argument(value="French")],
            ),
            SubTask(id=2, capability="Text-to-Speech", arguments=[Argument(value="<node-1>")]),
        ],
    )


@pytest.mark.taskbench_data
def test_refine_splices_a_finer_sub_plan(hf: Catalog) -> None:
    finer = answer(
        [
            {"task": "Summarization", "arguments": ["<input-0>"]},
            {"task": "Translation", "arguments": ["<node-0>", "French"]},
        ]
    )
    llm = ScriptedChatModel([finer])
    refined = Decomposer(llm, hf).refine(three_step_plan(), 1, "the text is too long")
    assert [t.capability for t in refined.subtasks] == [
        "Image-to-Text",
        "Summarization",
        "Translation",
        "Text-to-Speech",
    ]
    assert refined.edges() == {(0, 1), (1, 2), (2, 3)}
    prompt = llm.calls[0]["messages"][-1]["content"]
    assert "too long" in prompt and "<input-0>" in prompt


def test_splice_keeps_downstream_on_the_sink() -> None:
    sub = Plan(
        subtasks=[
            SubTask(id=0, capability="A", arguments=[Argument(value="<input-0>")]),
            SubTask(id=1, capability="B", arguments=[Argument(value="<input-0>")]),
            SubTask(id=2, capability="C", arguments=[Argument(value="<node-0> <node-1>")]),
        ]
    )
    spliced = splice(three_step_plan(), 1, sub)
    assert len(spliced.subtasks) == 5
    assert spliced.edges() == {(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)}


@pytest.mark.taskbench_data
def test_demonstrations_are_shown_in_execution_order(hf: Catalog) -> None:
    # TaskBench labels often list nodes alphabetically, with references numbered from 1
    demo = Example(
        request="Describe example.jpg in French",
        task_steps=["Step 1: describe", "Step 2: translate"],
        task_nodes=[
            {"task": "Translation", "arguments": ["<node-2>"]},
            {"task": "Image-to-Text", "arguments": ["example.jpg"]},
        ],
    )
    llm = ScriptedChatModel([json.dumps(GOOD)])
    Decomposer(llm, hf, demo_selector=lambda r, k: [demo], k_demos=1).decompose(REQUEST)
    shown = json.loads(llm.calls[0]["messages"][2]["content"])
    assert shown["task_nodes"] == [
        {"task": "Image-to-Text", "arguments": ["example.jpg"]},
        {"task": "Translation", "arguments": ["<node-0>"]},
    ]
    assert shown["task_steps"] == demo.task_steps


@pytest.mark.taskbench_data
def test_arguments_beyond_the_tool_inputs_are_cut_by_kind(hf: Catalog) -> None:
    nodes = [
        {"task": "Image-to-Text", "arguments": ["a caption please", "example.jpg"]},
        {"task": "Translation", "arguments": ["French", "<node-0>"]},
        {"task": "Visual Question Answering", "arguments": ["What is it?", "example.jpg", "x"]},
    ]
    result = Decomposer(ScriptedChatModel([answer(nodes)]), hf).decompose(REQUEST)
    kept = [[a.value for a in t.arguments] for t in result.plan.subtasks]
    # each input type keeps its first argument of that kind: image file, node-0's text
    assert kept == [["example.jpg"], ["<node-0>"], ["What is it?", "example.jpg"]]
    assert sum("beyond the inputs" in e for e in result.notes) == 3


@pytest.mark.taskbench_data
def test_repeated_nodes_are_dropped_and_consumers_rewired(hf: Catalog) -> None:
    nodes = [
        {"task": "Image-to-Text", "arguments": ["example.jpg"]},
        {"task": "Image-to-Text", "arguments": ["example.jpg"]},
        {"task": "Translation", "arguments": ["<node-1>"]},
        {"task": "Translation", "arguments": ["<node-1>"]},
        {"task": "Text-to-Speech", "arguments": ["<node-3>"]},
    ]
    result = Decomposer(ScriptedChatModel([answer(nodes)]), hf).decompose(REQUEST)
    assert [t.capability for t in result.plan.subtasks] == [
        "Image-to-Text",
        "Translation",
        "Text-to-Speech",
    ]
    assert result.plan.edges() == {(0, 1), (1, 2)}
    assert result.first_raw == answer(nodes)


def test_repair_steps_can_be_left_out_by_name() -> None:
    plan = Plan(
        request="r",
        subtasks=[
            SubTask(id=0, capability="a", arguments=[Argument(value="x")]),
            SubTask(id=1, capability="a", arguments=[Argument(value="x")]),
        ],
    )
    repairer = PlanRepairer(["a"], None)
    assert len(repairer.repair(plan)[0].subtasks) == 1
    assert len(repairer.repair(plan, skip=("repeated_nodes",))[0].subtasks) == 2
    with pytest.raises(ValueError, match="unknown repair steps"):
        repairer.repair(plan, skip=("bogus",))


@pytest.mark.taskbench_data
def test_a_media_file_named_again_reads_the_unread_producer(hf: Catalog) -> None:
    nodes = [
        {"task": "Image Editing", "arguments": ["make the car blue", "example.jpg"]},
        {"task": "Object Detection", "arguments": ["example.jpg"]},  # meant: <node-0>
        {"task": "Visual Question Answering", "arguments": ["example.jpg", "What is it?"]},
    ]
    result = Decomposer(ScriptedChatModel([answer(nodes)]), hf).decompose(REQUEST)
    args = [[a.value for a in t.arguments] for t in result.plan.subtasks]
    # node 1 reads node 0's image; node 2 names the file again but no image producer is
    # left unread (node 1 gives text), so it keeps the file
    assert args[1] == ["<node-0>"]
    assert args[2] == ["example.jpg", "What is it?"]
    assert result.plan.edges() == {(0, 1)}


@pytest.mark.taskbench_data
def test_tools_named_only_in_links_become_nodes() -> None:
    catalog = load_taskbench_catalog("dailylifeapis")
    answer_with_links = {
        "task_steps": ["book", "text"],
        "task_nodes": [
            {"task": "book_flight", "arguments": [{"name": "from", "value": "New York"}]},
        ],
        "task_links": [
            {"source": "book_flight", "target": "send_sms"},
            {"source": "send_sms", "target": "no_such_tool"},
        ],
    }
    llm = ScriptedChatModel([json.dumps(answer_with_links)])
    result = Decomposer(llm, catalog).decompose("Book a flight from New York, then text me")
    assert [t.capability for t in result.plan.subtasks] == ["book_flight", "send_sms"]
    assert result.taskbench["task_links"] == [{"source": "book_flight", "target": "send_sms"}]
    repairer = PlanRepairer(catalog.names(), None)
    kept, notes = repairer.repair_answer(answer_with_links, skip=("linked_nodes",))
    assert kept == answer_with_links and notes == []


def _chain(*tasks: tuple[str, list[str]]) -> Plan:
    return Plan(
        request="r",
        subtasks=[
            SubTask(id=i, capability=tool, arguments=[Argument(value=v) for v in values])
            for i, (tool, values) in enumerate(tasks)
        ],
    )


def test_a_tool_fed_into_itself_with_nothing_new_is_dropped() -> None:
    plan = _chain(
        ("translate", ["What color is the car?"]),
        ("generate", ["<node-0>", "What color is the car?"]),
        ("generate", ["<node-1>", "What color is the car?"]),
        ("generate", ["<node-2>", "What color is the car?"]),
        ("speak", ["<node-3>"]),
    )
    repaired, notes = PlanRepairer(["translate", "generate", "speak"], None).repair(plan)
    assert [t.capability for t in repaired.subtasks] == ["translate", "generate", "speak"]
    assert [a.value for a in repaired.subtasks[2].arguments] == ["<node-1>"]
    assert sum("into itself" in note for note in notes) == 2


def test_a_tool_fed_into_itself_with_a_new_value_stays() -> None:
    """merge(a, b) then merge(that, c) is two merges the request asked for."""
    plan = _chain(("merge", ["a", "b"]), ("merge", ["<node-0>", "c"]))
    repairer = PlanRepairer(["merge"], None)
    assert len(repairer.repair(plan)[0].subtasks) == 2
    looped = _chain(("merge", ["a", "b"]), ("merge", ["<node-0>", "c"]), ("merge", ["<node-1>"]))
    assert len(repairer.repair(looped)[0].subtasks) == 2
    assert len(repairer.repair(looped, skip=("self_chains",))[0].subtasks) == 3
    self_read = _chain(("merge", ["<node-0>", "a"]), ("merge", ["<node-1>", "b"]))
    assert len(repairer.repair(self_read)[0].subtasks) == 2  # reading itself is no chain
