"""The graph planner: step alignment, the step matcher, the A* tool choice (against brute
force), the decomposer with the chooser, solved samples and `toolpath planner train`."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from toolpath.planners.alignment import align_steps, node_descriptions, solved_pairs
from toolpath.planners.cues import RequestCues
from toolpath.planners.decomposer import Decomposer
from toolpath.planners.graph import ToolGraph
from toolpath.planners.graph_planner import (
    GraphToolChooser,
    Penalties,
    add_cued_tools,
    chain_steps,
    choose_tools,
    chooser_for,
    complete_plan,
    drop_stepless,
    give_request_files,
    read_latest_transform,
    request_clauses,
    request_files,
    thread_transforms,
    wire_orphans,
)
from toolpath.planners.llm import ScriptedChatModel
from toolpath.planners.matcher import StepMatcher, cached_matcher, matcher_key
from toolpath.planners.plan import Argument, Plan, SubTask
from toolpath.planners.solved import SolvedStore
from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.spec import ToolSpec

TYPES = ("text", "image", "audio")


# -- alignment ---------------------------------------------------------------------------------
def test_steps_align_to_nodes_by_the_tool_they_name_longest_name_first() -> None:
    steps = [
        "Step 1: Use Image-to-Image to restyle example.jpg",
        "Step 2: describe the new picture",
        "Step 3: Use Translation on the caption",
    ]
    tools = ["Translation", "Image-to-Text", "Image-to-Image"]  # TaskBench: not step order
    assert align_steps(steps, tools) == [2, 1, 0]
    assert node_descriptions(steps, tools) == [steps[2], steps[1], steps[0]]


def test_a_step_is_never_read_for_two_nodes() -> None:
    steps = ["Use Summarization on the text", "Use Summarization again"]
    tools = ["Summarization", "Translation", "Text-to-Speech"]
    descriptions = node_descriptions(steps, tools)
    assert descriptions == [steps[0], steps[1], ""]
    assert solved_pairs([(steps, tools)]) == [
        (steps[0], "Summarization"),
        (steps[1], "Translation"),
    ]


# -- the A* tool choice ------------------------------------------------------------------------
def _typed_tools(rng: np.random.RandomState, n: int) -> list[ToolSpec]:
    return [
        ToolSpec(
            name=f"t{k}",
            doc=f"tool {k}",
            inputs=[TYPES[rng.randint(3)]],
            outputs=[TYPES[rng.randint(3)]],
        )
        for k in range(n)
    ]


def _plan(rng: np.random.RandomState, nodes: int, tools: list[ToolSpec]) -> Plan:
    subtasks = []
    for i in range(nodes):
        refs = [f"<node-{j}>" for j in range(i) if rng.rand() < 0.5]
        subtasks.append(
            SubTask(
                id=i,
                capability=tools[rng.randint(len(tools))].name,
                arguments=[Argument(value=r) for r in refs] or [Argument(value="x")],
            )
        )
    return Plan(request="r", subtasks=subtasks)


def _brute_force(plan, weights, names, graph, penalties) -> float | None:
    best = None
    written = [t.capability for t in plan.subtasks]
    for combo in itertools.product(range(len(names)), repeat=len(plan.subtasks)):
        total, allowed = 0.0, True
        chosen = [names[k] for k in combo]
        for node, tool in enumerate(combo):
            total += weights[node, tool]
            for parent in plan.parents(node):
                if not graph.allows(chosen[parent], chosen[node]):
                    if penalties.edge is None:
                        allowed = False
                    else:
                        total += penalties.edge
        for name in set(chosen):
            over = chosen.count(name) - max(written.count(name), 1)
            total += penalties.repeat * max(over, 0)
        if allowed and (best is None or total < best):
            best = total
    return best


@pytest.mark.parametrize("penalties", [Penalties(edge=None), Penalties(edge=0.7, repeat=0.4)])
def test_astar_choice_is_optimal_against_brute_force(penalties: Penalties) -> None:
    rng = np.random.RandomState(7)
    for _ in range(40):
        tools = _typed_tools(rng, 5)
        graph = ToolGraph.from_specs(tools)
        plan = _plan(rng, 4, tools)
        weights = rng.rand(4, 5) * 3
        names = [t.name for t in tools]
        choice = choose_tools(plan, weights, names, graph, penalties)
        best = _brute_force(plan, weights, names, graph, penalties)
        if best is None:
            assert choice is None
            continue
        assert choice is not None
        assert choice.weight == pytest.approx(best)


def test_hard_edges_with_no_fitting_tools_give_no_choice() -> None:
    tools = [
        ToolSpec(name="a", doc="", inputs=["text"], outputs=["audio"]),
        ToolSpec(name="b", doc="", inputs=["image"], outputs=["audio"]),
        ToolSpec(name="c", doc="", inputs=["audio"], outputs=["text"]),  # not a candidate
    ]
    plan = Plan(
        request="r",
        subtasks=[
            SubTask(id=0, capability="b", arguments=[Argument(value="x")]),
            SubTask(id=1, capability="a", arguments=[Argument(value="<node-0>")]),
        ],
    )
    graph = ToolGraph.from_specs(tools)
    assert choose_tools(plan, np.zeros((2, 2)), ["a", "b"], graph, Penalties(edge=None)) is None
    soft = choose_tools(plan, np.zeros((2, 2)), ["a", "b"], graph, Penalties(edge=1.0))
    assert soft is not None and soft.weight == pytest.approx(1.0)


# -- the matcher (real embedding model) --------------------------------------------------------
def _catalog() -> Catalog:
    tools = [
        ToolSpec(
            name="Translation",
            doc="Translate text from one language to another.",
            inputs=["text"],
            outputs=["text"],
        ),
        ToolSpec(
            name="Text-to-Speech",
            doc="Read a text aloud as speech audio.",
            inputs=["text"],
            outputs=["audio"],
        ),
        ToolSpec(
            name="Image-to-Text",
            doc="Write a caption describing an image.",
            inputs=["image"],
            outputs=["text"],
        ),
        ToolSpec(
            name="Object Detection",
            doc="Find and label the objects in an image.",
            inputs=["image"],
            outputs=["text"],
        ),
    ]
    return Catalog(name="toy", tools=tools)


def test_untrained_matcher_reads_the_step() -> None:
    matcher = StepMatcher.untrained(_catalog().tools)
    assert matcher.best("Step 2: say the French sentence out loud", 1)[0][0] == "Text-to-Speech"
    assert matcher.best("turn the English sentence into Spanish", 1)[0][0] == "Translation"


def test_training_moves_prototypes_toward_the_steps_a_tool_served(tmp_path: Path) -> None:
    tools = [
        ToolSpec(name="tool-a", doc="A tool.", inputs=["text"], outputs=["text"]),
        ToolSpec(name="tool-b", doc="A tool.", inputs=["text"], outputs=["text"]),
    ]
    pairs = [("count the calories in a recipe", "tool-a"), ("book a train ticket", "tool-b")]
    trained = cached_matcher(tools, pairs, tmp_path)
    assert trained.trained_pairs == 2
    assert trained.best("how many calories in this meal", 1)[0][0] == "tool-a"
    assert trained.best("reserve a seat on the train", 1)[0][0] == "tool-b"
    saved = list(tmp_path.glob("matcher-*.safetensors"))
    assert len(saved) == 1
    loaded = StepMatcher.load(saved[0])
    assert loaded.names == trained.names
    np.testing.assert_allclose(loaded.prototypes, trained.prototypes)
    assert matcher_key(tools, pairs) != matcher_key(tools, pairs[:1])


def test_enough_solved_steps_fine_tune_the_encoder(tmp_path: Path, monkeypatch) -> None:
    """A real fine-tuning run (tiny: 2 tools, 8 steps): the encoder is saved as safetensors
    beside the prototypes, loads again, and moves the steps toward the tool they served."""
    from toolpath.planners import matcher as matcher_module
    from toolpath.planners import matcher_training

    monkeypatch.setattr(matcher_module, "FINE_TUNE_MIN_PAIRS", 4)
    monkeypatch.setattr(matcher_training, "FINE_TUNE_LR", 1e-4)
    tools = [
        ToolSpec(name="ledger", doc="A tool.", inputs=["text"], outputs=["text"]),
        ToolSpec(name="atlas", doc="A tool.", inputs=["text"], outputs=["text"]),
    ]
    steps = ["count the calories in a recipe", "sum the prices on the receipt"]
    steps += ["tally the votes", "add up the hours worked"]
    others = ["find the road to Lyon", "show the coastline of Chile"]
    others += ["locate the nearest harbour", "draw the borders of Peru"]
    pairs = [(s, "ledger") for s in steps] + [(s, "atlas") for s in others]
    prototypes_only = StepMatcher.trained(tools, pairs)
    assert cached_matcher(tools, pairs, tmp_path).encoder is None  # not asked: prototypes
    tuned = cached_matcher(tools, pairs, tmp_path, fine_tune=True)
    assert tuned.encoder is not None and (tuned.encoder / "model.safetensors").is_file()
    assert not [p for p in tuned.encoder.rglob("*") if p.suffix in {".bin", ".pt", ".pkl"}]
    loaded = cached_matcher(tools, pairs, tmp_path)  # the fine-tuned one, now it exists
    assert loaded.encoder == tuned.encoder
    np.testing.assert_allclose(loaded.prototypes, tuned.prototypes)

    def served(matcher: StepMatcher) -> float:
        """Mean log p(tool that served the step | step)."""
        rows = matcher.log_probs([s for s, _ in pairs])
        return float(np.mean([rows[i, matcher.names.index(t)] for i, (_, t) in enumerate(pairs)]))

    assert served(tuned) > served(prototypes_only)


# -- the decomposer with the chooser -----------------------------------------------------------
ANSWER = {
    "task_steps": ["Step 1: write a caption for example.jpg", "Step 2: read the caption aloud"],
    "task_nodes": [
        {"task": "Object Detection", "arguments": ["example.jpg"]},
        {"task": "Translation", "arguments": ["<node-0>"]},
    ],
}


def _decompose(chooser) -> dict:
    catalog = _catalog()
    llm = ScriptedChatModel([json.dumps(ANSWER)])
    planner = Decomposer(llm, catalog, max_retries=0, tool_chooser=chooser)
    return planner.decompose("caption example.jpg and read it out").taskbench


def test_graph_choice_picks_the_tools_the_steps_describe(tmp_path: Path) -> None:
    direct = _decompose(None)
    assert [n["task"] for n in direct["task_nodes"]] == ["Object Detection", "Translation"]
    chooser = chooser_for(_catalog(), [], tmp_path)
    assert chooser is not None
    graph = _decompose(chooser)
    assert [n["task"] for n in graph["task_nodes"]] == ["Image-to-Text", "Text-to-Speech"]
    assert graph["task_nodes"][1]["arguments"] == ["<node-0>"]


def test_the_catalogues_own_bonus_weighs_the_models_tool_names(tmp_path: Path) -> None:
    trusting = _catalog().model_copy(update={"model_tool_bonus": 100.0})
    chooser = chooser_for(trusting, [], tmp_path)
    assert chooser is not None and chooser.llm_bonus == 100.0
    graph = _decompose(chooser)  # the model's names outweigh what its steps describe
    written = [n["task"] for n in graph["task_nodes"]][:2]  # the completion may add more
    assert written == ["Object Detection", "Translation"]


def test_a_function_list_without_a_tool_graph_keeps_the_models_choice(tmp_path: Path) -> None:
    functions = Catalog(
        name="fns",
        tools=[
            ToolSpec(name="get_weather", doc="Weather for a city."),
            ToolSpec(name="get_time", doc="Time in a city."),
        ],
    )
    assert chooser_for(functions, [], tmp_path) is None


def test_the_chooser_reports_what_it_changed(tmp_path: Path) -> None:
    matcher = StepMatcher.untrained(_catalog().tools)
    chooser = GraphToolChooser(matcher, ToolGraph.from_specs(_catalog().tools))
    plan = Plan(
        request="r",
        subtasks=[
            SubTask(
                id=0,
                capability="Translation",
                description="say it out loud",
                arguments=[Argument(value="hello")],
            ),
        ],
    )
    chosen, notes = chooser(plan)
    assert chosen.subtasks[0].capability == "Text-to-Speech"
    assert notes == ["graph choice: node 0 Translation -> Text-to-Speech"]


# -- completion: a node for a clause the plan leaves unserved --------------------------------
def test_requests_are_cut_where_one_thing_asked_for_ends() -> None:
    request = "I have example.jpg. Segment it into regions, and then detect the objects. "
    request += "Finally, read the labels aloud"
    assert request_clauses(request) == [
        "I have example.jpg",
        "Segment it into regions",
        "detect the objects",
        "read the labels aloud",
    ]
    assert request_clauses("Caption example.jpg, then read it aloud.") == [
        "Caption example.jpg",
        "read it aloud",
    ]


def _caption_only(request: str) -> Plan:
    caption = SubTask(
        id=0,
        capability="Image-to-Text",
        description="write a caption for example.jpg",
        arguments=[Argument(value="example.jpg")],
    )
    return Plan(request=request, subtasks=[caption])


def test_a_clause_the_model_left_out_gets_a_node_fed_by_its_input_type() -> None:
    matcher = StepMatcher.untrained(_catalog().tools)
    graph = ToolGraph.from_specs(_catalog().tools)
    plan = _caption_only("Write a caption for example.jpg, then read the caption aloud.")
    completed, notes = complete_plan(plan, matcher, graph)
    assert [t.capability for t in completed.subtasks] == ["Image-to-Text", "Text-to-Speech"]
    assert completed.subtasks[1].arguments == [Argument(value="<node-0>")]
    assert completed.edges() == {(0, 1)}
    assert notes == ["graph completion: node 1 Text-to-Speech for 'read the caption aloud'"]
    assert len(plan.subtasks) == 1  # the plan given is left as it was
    chooser = GraphToolChooser(matcher, graph)
    assert [t.capability for t in chooser(plan)[0].subtasks] == ["Image-to-Text", "Text-to-Speech"]
    unchanged, _ = GraphToolChooser(matcher, graph, completion=None)(plan)
    assert len(unchanged.subtasks) == 1


def test_served_clauses_add_nothing_and_untyped_catalogues_stay_unwired() -> None:
    matcher = StepMatcher.untrained(_catalog().tools)
    graph = ToolGraph.from_specs(_catalog().tools)
    served, notes = complete_plan(_caption_only("Write a caption for example.jpg."), matcher, graph)
    assert len(served.subtasks) == 1 and notes == []
    untyped = [t.model_copy(update={"inputs": [], "outputs": []}) for t in _catalog().tools]
    links_only = ToolGraph.from_specs(untyped)
    plan = _caption_only("Write a caption for example.jpg, then read the caption aloud.")
    completed, _ = complete_plan(plan, matcher, links_only)
    assert completed.subtasks[1].capability == "Text-to-Speech"
    assert completed.subtasks[1].arguments == [] and completed.edges() == set()


# -- wiring: a result read after its latest transform --------------------------------------------
AUDIO_TOOLS = [
    ToolSpec(name="Audio Downloader", doc="Download audio.", inputs=["url"], outputs=["audio"]),
    ToolSpec(name="Noise Reduction", doc="Clean audio.", inputs=["audio"], outputs=["audio"]),
    ToolSpec(name="Speech-to-Text", doc="Transcribe.", inputs=["audio"], outputs=["text"]),
    ToolSpec(name="Video Sync", doc="Sync audio.", inputs=["video", "audio"], outputs=["video"]),
]


def _audio_plan(*nodes: tuple[str, list[str]]) -> Plan:
    subtasks = [
        SubTask(id=i, capability=tool, arguments=[Argument(value=v) for v in values])
        for i, (tool, values) in enumerate(nodes)
    ]
    return Plan(request="download, clean, then sync the voiceover", subtasks=subtasks)


def test_a_result_is_read_after_the_step_that_transformed_it() -> None:
    """The synchronisation given the download reads the cleaned audio written between them;
    not when the cleaned audio feeds a node already, nor when the step between makes
    another type (a transcript), nor in a catalogue without data types."""
    graph = ToolGraph.from_specs(AUDIO_TOOLS)
    download = ("Audio Downloader", ["https://x.org/v.wav"])
    plan = _audio_plan(
        download, ("Noise Reduction", ["<node-0>"]), ("Video Sync", ["a.mp4", "<node-0>"])
    )
    chained, notes = read_latest_transform(plan, graph)
    assert chained.edges() == {(0, 1), (1, 2)}
    assert notes == ["graph wiring: node 2 <- node 1 (not 0)"]
    assert plan.edges() == {(0, 1), (0, 2)}  # the plan given is left as it was
    fed = _audio_plan(
        download,
        ("Noise Reduction", ["<node-0>"]),
        ("Speech-to-Text", ["<node-1>"]),
        ("Video Sync", ["a.mp4", "<node-0>"]),
    )
    assert read_latest_transform(fed, graph) == (fed, [])
    transcript = _audio_plan(
        download, ("Speech-to-Text", ["<node-0>"]), ("Video Sync", ["a.mp4", "<node-0>"])
    )
    assert read_latest_transform(transcript, graph) == (transcript, [])
    untyped = [t.model_copy(update={"inputs": [], "outputs": []}) for t in AUDIO_TOOLS]
    assert read_latest_transform(plan, ToolGraph.from_specs(untyped)) == (plan, [])


# -- wiring: a node that reads nothing although its tool takes an input ------------------------
def _two_steps(request: str, second: str, argument: str) -> Plan:
    first = SubTask(id=0, capability="Image-to-Text", arguments=[Argument(value="example.jpg")])
    then = SubTask(id=1, capability=second, arguments=[Argument(value=argument)])
    return Plan(request=request, subtasks=[first, then])


def test_an_unfed_node_reads_the_latest_node_whose_output_it_takes() -> None:
    """Text-to-Speech given the placeholder "caption.txt" reads the caption instead; an
    image tool given the user's own example.jpg keeps it (given "picture.png", which the
    request does not name, it reads the drawn image); a catalogue without data types is
    left as it is."""
    graph = ToolGraph.from_specs(_catalog().tools)
    plan = _two_steps("Caption example.jpg and read it aloud", "Text-to-Speech", "caption.txt")
    wired, notes = wire_orphans(plan, graph)
    assert wired.subtasks[1].arguments == [Argument(value="<node-0>")]
    assert wired.edges() == {(0, 1)} and notes == ["graph wiring: node 1 <- node 0"]
    assert plan.edges() == set()  # the plan given is left as it was
    draw = ToolSpec(name="Text-to-Image", doc="Draw a picture.", inputs=["text"], outputs=["image"])
    drawn = ToolGraph.from_specs([*_catalog().tools, draw])
    for file, wired_to in (("example.jpg", set()), ("picture.png", {(0, 1)})):
        first = SubTask(id=0, capability="Text-to-Image", arguments=[Argument(value="a cat")])
        then = SubTask(id=1, capability="Object Detection", arguments=[Argument(value=file)])
        plan_of_two = Plan(
            request="Draw a cat; find the objects in example.jpg", subtasks=[first, then]
        )
        assert wire_orphans(plan_of_two, drawn)[0].edges() == wired_to
    untyped = [t.model_copy(update={"inputs": [], "outputs": []}) for t in _catalog().tools]
    assert wire_orphans(plan, ToolGraph.from_specs(untyped)) == (plan, [])
    matcher = StepMatcher.untrained(_catalog().tools)
    chosen, _ = GraphToolChooser(matcher, graph, completion=None)(plan)
    assert chosen.edges() == {(0, 1)}
    unwired, _ = GraphToolChooser(matcher, graph, completion=None, wiring=False)(plan)
    assert unwired.edges() == set()


# -- request files no node reads, and nodes no step was written for ---------------------------
def test_a_request_file_no_node_reads_goes_to_the_first_node_lacking_its_kind() -> None:
    """example.wav, named by the request and read by nobody, goes to the Video Sync (it
    takes a video and an audio and was given the video only), not to the transcription
    that already has its audio; a URL's file is no request file, and a plan where no node
    lacks that kind is left as it is."""
    assert request_files("Sync example.wav to 'clip.mp4', see https://x.org/a.wav or x.wav") == [
        "example.wav",
        "clip.mp4",
        "x.wav",
    ]
    graph = ToolGraph.from_specs(AUDIO_TOOLS)
    plan = _audio_plan(("Speech-to-Text", ["<node-1>"]), ("Video Sync", ["clip.mp4"]))
    plan = plan.model_copy(
        update={"request": "Sync example.wav to clip.mp4; from https://x.org/a.wav"}
    )
    given, notes = give_request_files(plan, graph)
    assert given.subtasks[1].arguments == [
        Argument(value="clip.mp4"),
        Argument(value="example.wav"),
    ]
    assert given.subtasks[0].arguments == plan.subtasks[0].arguments
    assert notes == ["graph wiring: node 1 <- example.wav"]
    assert plan.subtasks[1].arguments == [Argument(value="clip.mp4")]  # left as it was
    full = _audio_plan(("Noise Reduction", ["b.wav"]), ("Video Sync", ["clip.mp4", "<node-0>"]))
    full = full.model_copy(update={"request": "Sync example.wav to clip.mp4"})
    assert give_request_files(full, graph) == (full, [])
    matcher = StepMatcher.untrained(AUDIO_TOOLS)
    chosen, _ = GraphToolChooser(matcher, graph, completion=None)(plan)
    assert Argument(value="example.wav") in chosen.subtasks[1].arguments
    kept, _ = GraphToolChooser(matcher, graph, completion=None, files=False)(plan)
    assert Argument(value="example.wav") not in kept.subtasks[1].arguments


def test_a_stepless_node_reading_a_dropped_unfed_one_reads_its_other_input() -> None:
    """Node 2 reads node 0 and node 1, both of them stepless-or-gone: node 1 read nothing,
    so node 2's bypass is node 0, and node 3 reads that."""
    plan = _audio_plan(
        ("Speech-to-Text", ["a.wav"]),
        ("Noise Reduction", ["b.wav"]),
        ("Video Sync", ["<node-0>", "<node-1>"]),
        ("Noise Reduction", ["<node-2>"]),
    )
    for task, step in zip(plan.subtasks, ["Transcribe it", "", "", "Clean it"], strict=True):
        task.description = step
    trimmed, _ = drop_stepless(plan)
    assert [t.capability for t in trimmed.subtasks] == ["Speech-to-Text", "Noise Reduction"]
    assert trimmed.subtasks[1].arguments == [Argument(value="<node-0>")]


def test_a_node_the_model_wrote_no_step_for_is_dropped_and_bypassed() -> None:
    """Of three nodes with two steps, the stepless middle one goes: the node that read it
    reads what it read, ids close up; a plan where no node has a step stays whole."""
    steps = ["Transcribe the audio", "", "Sync it to the video"]
    plan = _audio_plan(
        ("Speech-to-Text", ["a.wav"]),
        ("Noise Reduction", ["<node-0>"]),
        ("Video Sync", ["clip.mp4", "<node-1>"]),
    )
    for task, step in zip(plan.subtasks, steps, strict=True):
        task.description = step
    trimmed, notes = drop_stepless(plan)
    assert [t.capability for t in trimmed.subtasks] == ["Speech-to-Text", "Video Sync"]
    assert trimmed.subtasks[1].arguments == [Argument(value="clip.mp4"), Argument(value="<node-0>")]
    assert notes == ["graph trim: node 1 has no step; dropped"]
    assert len(plan.subtasks) == 3  # left as it was
    unfed = plan.model_copy(deep=True)
    unfed.subtasks[1].arguments = [Argument(value="b.wav")]
    assert drop_stepless(unfed)[0].subtasks[1].arguments == [Argument(value="clip.mp4")]
    blank = plan.model_copy(deep=True)
    for task in blank.subtasks:
        task.description = ""
    assert drop_stepless(blank) == (blank, [])
    graph, matcher = ToolGraph.from_specs(AUDIO_TOOLS), StepMatcher.untrained(AUDIO_TOOLS)
    assert len(GraphToolChooser(matcher, graph, completion=None)(plan)[0].subtasks) == 2
    kept = GraphToolChooser(matcher, graph, completion=None, stepless=False)(plan)[0]
    assert len(kept.subtasks) == 3


# -- request cues: words that nearly always come with a tool ----------------------------------
_SOLVED = [
    *[(f"make the {n} photo colorized please", ["Colorizer", "Captioner"]) for n in range(5)],
    *[(f"a photo of {n} cats", ["Captioner"]) for n in range(4)],
    ("a photo of a dog", ["Detector"]),
]


def test_a_word_is_a_cue_for_the_tools_that_nearly_always_come_with_it() -> None:
    """'colorized' came with the Colorizer in 5 of 5 solved requests: a cue; 'photo' came
    with the Captioner in 9 of 10 (90%): a cue at 90%, not at 95%; 'cats' (4 requests) is
    too rare at 5; cues are found in the request's order."""
    cues = RequestCues.from_solved(_SOLVED)
    assert cues.tools_of["colorized"] == {"Colorizer", "Captioner"}
    assert cues.tools_of["photo"] == {"Captioner"}
    assert "cats" not in cues.tools_of
    assert "photo" not in RequestCues.from_solved(_SOLVED, min_share=0.95).tools_of
    assert "cats" in RequestCues.from_solved(_SOLVED, min_count=4).tools_of
    assert cues.cued("A colorized PHOTO") == {"Captioner": "colorized", "Colorizer": "colorized"}
    assert RequestCues().cued("a colorized photo") == {}


def test_a_cued_tool_the_plan_lacks_gets_a_node_fed_by_its_input_type() -> None:
    """'colourised' is a cue for the colouriser: the caption-only plan of a drawn picture
    gets it, fed by the drawing, described by the clause holding the word from the word on
    (here the word alone); a plan that has
    it, or a chooser without cues, adds nothing."""
    colorizer = ToolSpec(name="Colorizer", doc="Colour.", inputs=["image"], outputs=["image"])
    draw = ToolSpec(name="Text-to-Image", doc="Draw.", inputs=["text"], outputs=["image"])
    tools = [*_catalog().tools, colorizer, draw]
    graph = ToolGraph.from_specs(tools)
    cues = RequestCues({"colourised": frozenset({"Colorizer"})})
    first = SubTask(id=0, capability="Text-to-Image", arguments=[Argument(value="a cat")])
    plan = Plan(request="Draw a cat, then make it colourised", subtasks=[first])
    cued, notes = add_cued_tools(plan, cues, graph)
    assert [t.capability for t in cued.subtasks] == ["Text-to-Image", "Colorizer"]
    assert cued.subtasks[1].description == "colourised"
    assert cued.edges() == {(0, 1)} and notes == [
        "graph cue: node 1 Colorizer for the word 'colourised'"
    ]
    assert add_cued_tools(cued, cues, graph) == (cued, [])
    matcher = StepMatcher.untrained(tools)
    with_cues, _ = GraphToolChooser(matcher, graph, completion=None, cues=cues)(plan)
    assert "Colorizer" in {t.capability for t in with_cues.subtasks}
    without, _ = GraphToolChooser(matcher, graph, completion=None)(plan)
    assert "Colorizer" not in {t.capability for t in without.subtasks}


def test_an_added_transform_sits_between_its_feeder_and_the_feeders_readers() -> None:
    """A noise reduction added after the download, which the sync reads, is read by the sync
    instead; a node not added, or an added one that changes the kind (a transcription), is
    not threaded; a chooser with `thread=False` leaves the sync reading the download."""
    graph = ToolGraph.from_specs(AUDIO_TOOLS)
    download = ("Audio Downloader", ["https://x.org/v.wav"])
    plan = _audio_plan(
        download, ("Video Sync", ["a.mp4", "<node-0>"]), ("Noise Reduction", ["<node-0>"])
    )
    threaded, notes = thread_transforms(plan, [2], graph)
    assert threaded.edges() == {(0, 2), (2, 1)}
    assert notes == ["graph wiring: node 1 <- node 2 (not 0)"]
    assert plan.edges() == {(0, 1), (0, 2)}  # left as it was
    assert thread_transforms(plan, [], graph)[0].edges() == {(0, 1), (0, 2)}
    transcript = _audio_plan(
        download, ("Video Sync", ["a.mp4", "<node-0>"]), ("Speech-to-Text", ["<node-0>"])
    )
    assert thread_transforms(transcript, [2], graph)[0].edges() == {(0, 1), (0, 2)}
    matcher = StepMatcher.untrained(AUDIO_TOOLS)
    cues = RequestCues({"clean": frozenset({"Noise Reduction"})})
    two = _audio_plan(download, ("Video Sync", ["a.mp4", "<node-0>"]))
    two = two.model_copy(update={"request": "download it, clean it and sync it to a.mp4"})
    for task, step in zip(two.subtasks, ["download the audio", "sync it"], strict=True):
        task.description = step
    chooser = GraphToolChooser(matcher, graph, completion=None, cues=cues)
    assert chooser(two)[0].edges() == {(0, 2), (2, 1)}
    unthreaded = GraphToolChooser(matcher, graph, completion=None, cues=cues, thread=False)
    assert unthreaded(two)[0].edges() == {(0, 1), (0, 2)}


# -- step order: a catalogue without data types -----------------------------------------------
def _errands(request: str, links: list[tuple[int, int]]) -> Plan:
    values = ["hola", "good morning", "photo.jpg"]
    tools = ["Translation", "Text-to-Speech", "Image-to-Text"]
    subtasks = [
        SubTask(id=i, capability=tool, arguments=[Argument(name="text", value=value)])
        for i, (tool, value) in enumerate(zip(tools, values, strict=True))
    ]
    return Plan(request=request, subtasks=subtasks, links=links)


def test_steps_without_data_types_run_in_the_order_written() -> None:
    """The model's own links (0 -> 2 -> 1) give way to the order it wrote the steps in; a
    node the completion added goes before the first step the request mentions after its
    clause, or last when the request does not say the clause."""
    request = "Book the flight, translate hola, say good morning aloud and caption photo.jpg"
    plan = _errands(request, links=[(0, 2), (2, 1)])
    chained, notes = chain_steps(plan, added=[])
    assert chained.links == [(0, 1), (1, 2)] and notes
    assert plan.links == [(0, 2), (2, 1)]  # the plan given is left as it was
    assert chain_steps(chained, added=[]) == (chained, [])
    booked = plan.model_copy(deep=True)
    booked.subtasks.append(SubTask(id=3, capability="Book", description="Book the flight"))
    booked.subtasks.append(SubTask(id=4, capability="Pay", description="pay the bill"))
    assert chain_steps(booked, added=[3, 4])[0].links == [(3, 0), (0, 1), (1, 2), (2, 4)]


def test_steps_that_read_results_keep_their_wiring() -> None:
    plan = _errands("translate hola, then read it aloud", links=[])
    plan.subtasks[2].arguments = [Argument(name="text", value="<node-0>")]
    assert chain_steps(plan, added=[]) == (plan, [])


def test_the_chooser_chains_steps_only_where_tools_have_no_data_types() -> None:
    matcher = StepMatcher.untrained(_catalog().tools)
    untyped = [t.model_copy(update={"inputs": [], "outputs": []}) for t in _catalog().tools]
    plan = _errands("translate hola, say good morning aloud, caption photo.jpg", links=[])
    graph = ToolGraph.from_specs(untyped)
    assert not graph.typed and ToolGraph.from_specs(_catalog().tools).typed
    chosen, _ = GraphToolChooser(matcher, graph, completion=None)(plan)
    assert chosen.links == [(0, 1), (1, 2)]
    unwired, _ = GraphToolChooser(matcher, graph, completion=None, wiring=False)(plan)
    assert unwired.links == []


# -- solved samples ----------------------------------------------------------------------------
def test_solved_store_keeps_plans_and_skips_torn_lines(tmp_path: Path) -> None:
    store = SolvedStore(tmp_path, "taskbench:huggingface")
    plan = Plan(
        request="caption it",
        subtasks=[
            SubTask(
                id=0,
                capability="Image-to-Text",
                description="caption",
                arguments=[Argument(value="a.jpg")],
            )
        ],
    )
    store.add(plan)
    with store.path.open("a") as handle:
        handle.write('{"torn": ')
    assert store.path.name == "taskbench_huggingface.jsonl"
    assert store.steps_and_tools() == [(["caption"], ["Image-to-Text"])]
    assert store.training_pairs()[1] == [("caption it", ["Image-to-Text"])]
