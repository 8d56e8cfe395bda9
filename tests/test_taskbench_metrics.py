"""Hand-computed cases for every rule of TASKBENCH_METRICS.md (resource and temporal modes)."""

from __future__ import annotations

import pytest

from toolpath.evals.taskbench.loader import TaskBenchDomain, TaskBenchSample
from toolpath.evals.taskbench.metrics import (
    DROP,
    EMPTY_PLAN,
    UnparsablePrediction,
    content_type,
    micro_f1,
    normalise_pair,
    score_predictions,
    steps_text,
)

RESOURCE_TOOLS = [
    {"id": "Text-to-Image", "desc": "", "input-type": ["text"], "output-type": ["image"]},
    {"id": "Image Editing", "desc": "", "input-type": ["image", "text"], "output-type": ["image"]},
    {"id": "Image Classification", "desc": "", "input-type": ["image"], "output-type": ["text"]},
    {"id": "Speaker", "desc": "", "input-type": ["text"], "output-type": []},
]
TEMPORAL_TOOLS = [
    {"id": "get_weather", "desc": "", "parameters": [{"name": "location", "type": "string"}]},
    {"id": "send_sms", "desc": "", "parameters": [{"name": "content", "type": "string"}]},
    {"id": "book_hotel", "desc": "", "parameters": [{"name": "name", "type": "string"}]},
]


def sample(sample_id: str, kind: str, nodes: list, links=None, steps=None) -> TaskBenchSample:
    steps = steps if steps is not None else [f"Step {i + 1}" for i in range(len(nodes))]
    record = {
        "id": sample_id,
        "type": kind,
        "user_request": "do it",
        "task_steps": steps,
        "task_nodes": nodes,
        "task_links": links or [],
    }
    return TaskBenchSample(
        id=sample_id,
        type=kind,
        user_request="do it",
        task_steps=steps,
        task_nodes=nodes,
        task_links=links or [],
        record=record,
    )


def plan(nodes: list, steps=None, links=None) -> dict:
    result = {"task_steps": steps if steps is not None else ["s"] * len(nodes), "task_nodes": nodes}
    if links is not None:
        result["task_links"] = links
    return result


def resource_domain(samples=()) -> TaskBenchDomain:
    return TaskBenchDomain(name="toy", tools=RESOURCE_TOOLS, samples=list(samples))


def temporal_domain(samples=()) -> TaskBenchDomain:
    return TaskBenchDomain(name="toy-temporal", tools=TEMPORAL_TOOLS, samples=list(samples))


CHAIN = [
    {"task": "Text-to-Image", "arguments": ["a red cat"]},
    {"task": "Image Editing", "arguments": ["<node-0>", "make it blue"]},
]


# --- normalisation, resource mode ---------------------------------------------------------


def test_node_reference_becomes_link_and_typed_argument():
    label, _ = normalise_pair(plan(CHAIN), plan([]), resource_domain())
    assert label.names == ("Text-to-Image", "Image Editing")
    assert label.links == {("Text-to-Image", "Image Editing")}
    assert label.task_args == {"Text-to-Image-text", "Image Editing-image", "Image Editing-text"}
    assert label.task_arg_values == {
        "Text-to-Image-text-a red cat",
        "Image Editing-image-Text-to-Image",
        "Image Editing-text-make it blue",
    }


def test_reference_to_tool_without_output_is_none_and_unknown_tool_is_other():
    nodes = [
        {"task": "Speaker", "arguments": ["hello"]},
        {"task": "Mystery Tool", "arguments": ["<node-0>"]},
        {"task": "Image Classification", "arguments": ["<node-1>"]},
    ]
    label, _ = normalise_pair(plan(nodes), plan([]), resource_domain())
    assert "Mystery Tool-none-Speaker" in label.task_arg_values
    assert "Image Classification-other-Mystery Tool" in label.task_arg_values
    assert label.links == {("Speaker", "Mystery Tool"), ("Mystery Tool", "Image Classification")}


def test_self_reference_is_dropped():
    nodes = [{"task": "Image Editing", "arguments": ["<node-0>", "photo.png"]}]
    label, _ = normalise_pair(plan(nodes), plan([]), resource_domain())
    assert label.links == frozenset()
    assert label.task_args == {"Image Editing-image"}
    assert label.task_arg_values == {"Image Editing-image-photo.png"}


def test_underscores_become_spaces_but_link_target_keeps_the_written_name():
    predicted = [
        {"task": "Text-to-Image", "arguments": ["a red cat"]},
        {"task": "Image_Editing", "arguments": ["<node-0>", "make it blue"]},
    ]
    label, pred = normalise_pair(plan(CHAIN), plan(predicted), resource_domain())
    assert pred.names == label.names
    assert pred.task_arg_values == label.task_arg_values
    # the reference builds a link's target from the node's task as written
    assert pred.links == {("Text-to-Image", "Image_Editing")}


def test_dict_argument_takes_first_value_and_list_is_joined():
    nodes = [
        {"task": "Image Editing", "arguments": [{"image": "photo.png", "x": "y"}, ["make", "it"]]}
    ]
    label, _ = normalise_pair(plan(nodes), plan([]), resource_domain())
    assert label.task_arg_values == {"Image Editing-image-photo.png", "Image Editing-text-make it"}


def test_dict_argument_holding_a_reference_makes_a_link():
    nodes = [
        {"task": "Text-to-Image", "arguments": ["cat"]},
        {"task": "Image Classification", "arguments": [{"from": "<node-0>"}]},
    ]
    label, _ = normalise_pair(plan(nodes), plan([]), resource_domain())
    assert label.links == {("Text-to-Image", "Image Classification")}


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("photo.jpeg", "image"),
        ("'scan.bmp'", "image"),
        ("icon.svg", "image"),
        ("song.wav", "audio"),
        ("talk.flac", "audio"),
        ("'clip.mkv'", "video"),
        ("movie.mp4", "video"),
        ("notes.txt", "text"),
        ("a jpg without a dot", "text"),
        ("CLIP.MP4", "text"),  # matching is case-sensitive
    ],
)
def test_arguments_are_typed_by_content(content, kind):
    assert content_type(content) == kind


def test_typed_value_keeps_quotes():
    nodes = [{"task": "Image Classification", "arguments": ["'cat.jpg'"]}]
    label, _ = normalise_pair(plan(nodes), plan([]), resource_domain())
    assert label.task_arg_values == {"Image Classification-image-'cat.jpg'"}


def test_task_links_are_ignored_in_resource_mode():
    links = [{"source": "Image Editing", "target": "Text-to-Image"}]
    label, pred = normalise_pair(
        plan(CHAIN, links=links), plan(CHAIN, links=links), resource_domain()
    )
    assert label.links == pred.links == {("Text-to-Image", "Image Editing")}


def test_resource_prediction_without_task_links_parses():
    _, pred = normalise_pair(
        plan(CHAIN), {"task_steps": [], "task_nodes": CHAIN}, resource_domain()
    )
    assert pred.names == ("Text-to-Image", "Image Editing")


# --- normalisation, temporal mode ---------------------------------------------------------


def test_temporal_mode_uses_links_and_arguments_as_given():
    nodes = [
        {"task": "get_weather", "arguments": [{"name": "location", "value": "Paris"}]},
        {"task": "send_sms", "arguments": [{"name": "content", "value": "get_weather"}]},
    ]
    links = [{"source": "get_weather", "target": "send_sms"}]
    label, _ = normalise_pair(plan(nodes, links=links), plan([], links=[]), temporal_domain())
    assert label.names == ("get_weather", "send_sms")  # underscores kept
    assert label.links == {("get_weather", "send_sms")}
    assert label.task_args == {"get_weather-location", "send_sms-content"}
    assert label.task_arg_values == {"get_weather-location-Paris", "send_sms-content-get_weather"}


def test_temporal_mode_ignores_node_references():
    nodes = [
        {"task": "get_weather", "arguments": [{"name": "location", "value": "Paris"}]},
        {"task": "send_sms", "arguments": [{"name": "content", "value": "<node-0>"}]},
    ]
    label, _ = normalise_pair(plan(nodes, links=[]), plan([], links=[]), temporal_domain())
    assert label.links == frozenset()
    assert "send_sms-content-<node-0>" in label.task_arg_values


def test_temporal_prediction_needs_task_links():
    label = plan([{"task": "book_hotel", "arguments": []}], links=[])
    with pytest.raises(UnparsablePrediction):
        normalise_pair(label, plan([{"task": "book_hotel", "arguments": []}]), temporal_domain())


def test_temporal_argument_without_value_is_unparsable():
    label = plan([{"task": "book_hotel", "arguments": []}], links=[])
    bad = plan([{"task": "book_hotel", "arguments": [{"name": "name"}]}], links=[])
    with pytest.raises(UnparsablePrediction):
        normalise_pair(label, bad, temporal_domain())


# --- scores ---------------------------------------------------------------------------------


def test_micro_f1_formula():
    assert micro_f1(0, 3, 4) == 0.0
    assert micro_f1(2, 1, 1) == pytest.approx(4 / 6)


def test_node_f1_is_pooled_over_samples():
    # sample a: label {T2I, Edit}, pred {T2I}: TP 1, FN 1; sample b: label {Cls}, pred {Edit}:
    # FP 1, FN 1. n-F1 = 2*1 / (2*1 + 1 + 2) = 0.4
    samples = [
        sample("a", "chain", CHAIN),
        sample("b", "single", [{"task": "Image Classification", "arguments": ["x.jpg"]}]),
    ]
    predictions = {
        "a": plan([{"task": "Text-to-Image", "arguments": ["a red cat"]}]),
        "b": plan([{"task": "Image Editing", "arguments": ["x.jpg"]}]),
    }
    scores = score_predictions(resource_domain(samples), predictions)
    assert scores.strict["all"]["n_f1"] == pytest.approx(0.4)
    assert scores.strict["all"]["samples"] == 2
    assert scores.strict["chain"]["n_f1"] == pytest.approx(2 / 3)
    assert scores.strict["single"]["n_f1"] == 0.0
    assert scores.strict["dag"]["samples"] == 0
    assert scores.strict["dag"]["n_f1"] is None


def test_duplicates_collapse():
    samples = [sample("a", "single", [{"task": "Image Classification", "arguments": ["x.jpg"]}])]
    twice = [{"task": "Image Classification", "arguments": ["x.jpg"]}] * 2
    scores = score_predictions(resource_domain(samples), {"a": plan(twice, steps=["Step 1"])})
    row = scores.strict["all"]
    assert (row["n_f1"], row["t_f1"], row["v_f1"]) == (1.0, 1.0, 1.0)


def test_unknown_tools_are_ignored_for_nodes_only():
    samples = [sample("a", "single", [{"task": "Image Classification", "arguments": ["x.jpg"]}])]
    predicted = [
        {"task": "Image Classification", "arguments": ["x.jpg"]},
        {"task": "Made Up Tool", "arguments": ["x.jpg"]},
    ]
    scores = score_predictions(resource_domain(samples), {"a": plan(predicted)})
    row = scores.reference["all"]
    assert row["n_f1"] == 1.0
    # t-F1: label {Cls-image}, prediction {Cls-image, Made Up Tool-image}: 2/(2+1)
    assert row["t_f1"] == pytest.approx(2 / 3)
    assert row["v_f1"] == pytest.approx(2 / 3)


def test_edge_and_argument_f1():
    # label links {T2I->Edit}; prediction links {Edit->Cls}: TP 0 -> e-F1 0.
    samples = [sample("a", "chain", CHAIN)]
    predicted = [
        {"task": "Text-to-Image", "arguments": ["a red cat"]},
        {"task": "Image Editing", "arguments": ["a red cat.png", "make it blue"]},
        {"task": "Image Classification", "arguments": ["<node-1>"]},
    ]
    scores = score_predictions(resource_domain(samples), {"a": plan(predicted)})
    row = scores.strict["chain"]
    assert row["e_f1"] == 0.0
    # label t: {T2I-text, Edit-image, Edit-text}; pred t: those + {Cls-image}: 2*3/(6+1)
    assert row["t_f1"] == pytest.approx(6 / 7)
    # label v: {T2I-text-a red cat, Edit-image-Text-to-Image, Edit-text-make it blue}
    # pred v: {T2I-text-a red cat, Edit-image-a red cat.png, Edit-text-make it blue,
    #          Cls-image-Image Editing}: TP 2, FP 2, FN 1 -> 4/7
    assert row["v_f1"] == pytest.approx(4 / 7)


def test_single_split_does_not_report_edges():
    samples = [sample("a", "single", [{"task": "Image Classification", "arguments": ["x.jpg"]}])]
    scores = score_predictions(resource_domain(samples), {"a": plan(CHAIN)})
    assert scores.reference["single"]["e_f1"] is None
    assert scores.reference["all"]["e_f1"] == 0.0


def test_normalised_edit_distance():
    # indices: Text-to-Image 1, Image Editing 2, Image Classification 3, unknown 0.
    # a: pred [1, 3] vs label [1, 2]: indel distance 2 over 4 -> ratio 0.5
    # b: pred [0] vs label [3]: ratio 0.    NED = 1 - (0.5 + 0) / 2 = 0.75
    samples = [
        sample("a", "chain", CHAIN),
        sample("b", "single", [{"task": "Image Classification", "arguments": ["x.jpg"]}]),
    ]
    predictions = {
        "a": plan(
            [
                {"task": "Text-to-Image", "arguments": ["a red cat"]},
                {"task": "Image Classification", "arguments": ["<node-0>"]},
            ]
        ),
        "b": plan([{"task": "Nope", "arguments": []}]),
    }
    scores = score_predictions(resource_domain(samples), predictions)
    assert scores.strict["all"]["ned"] == pytest.approx(0.75)
    assert scores.strict["chain"]["ned"] == pytest.approx(0.5)


def test_rouge_on_steps_joined_by_newlines():
    # label "a b c" / prediction "a b\nd": R1 = 2/3; bigrams {a b, b c} vs {a b, b d}: R2 = 1/2
    nodes = [{"task": "Image Classification", "arguments": ["x.jpg"]}]
    samples = [sample("a", "single", nodes, steps=["a b c"])]
    scores = score_predictions(resource_domain(samples), {"a": plan(nodes, steps=["a b", "d"])})
    assert scores.strict["all"]["rouge1"] == pytest.approx(2 / 3)
    assert scores.strict["all"]["rouge2"] == pytest.approx(1 / 2)


@pytest.mark.parametrize(
    ("steps", "text"),
    [
        (["one", "two"], "one\ntwo"),
        ([{"description": "d1"}, {"description": "d2"}], "d1\nd2"),
        ([{"task": "t", "description": "d"}], "t"),
        ([{"step": "s", "id": "i"}], "s"),
        ([{"id": "i", "step_name": "n"}], "i"),
        ([{"step_name": "n"}], "n"),
        ([], "[]"),
        ([1, 2], "[1, 2]"),
        (["ok", 3], "['ok', 3]"),
    ],
)
def test_steps_text(steps, text):
    assert steps_text(steps) == text


# --- unparsable predictions and malformed arguments ------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "not a plan",
        None,
        ["task_nodes"],
        {"task_nodes": []},  # no task_steps
        {"task_steps": []},  # no task_nodes
        {"task_steps": [], "task_nodes": [{"arguments": []}]},  # node without task
        {"task_steps": [], "task_nodes": [{"task": 3}]},  # task is not a string
        {"task_steps": [], "task_nodes": [{"task": "Speaker", "arguments": None}]},
    ],
)
def test_unparsable_prediction_is_dropped_by_reference_and_empty_in_strict(bad):
    nodes = [{"task": "Image Classification", "arguments": ["x.jpg"]}]
    samples = [sample("a", "single", nodes), sample("b", "single", nodes)]
    scores = score_predictions(resource_domain(samples), {"a": bad, "b": plan(nodes)})
    assert scores.unparsable == 1
    assert scores.unparsable_ids == ["a"]
    assert scores.reference["all"]["samples"] == 1
    assert scores.reference["all"]["n_f1"] == 1.0
    assert scores.strict["all"]["samples"] == 2
    # strict: TP 1 (b), FN 1 (a scored as an empty plan) -> 2/3
    assert scores.strict["all"]["n_f1"] == pytest.approx(2 / 3)
    assert scores.strict["all"]["ned"] == pytest.approx(0.5)


def test_samples_without_prediction_are_not_scored():
    nodes = [{"task": "Image Classification", "arguments": ["x.jpg"]}]
    samples = [sample("a", "single", nodes), sample("b", "single", nodes)]
    scores = score_predictions(resource_domain(samples), {"a": plan(nodes)})
    assert scores.missing_ids == ["b"]
    assert scores.strict["all"]["samples"] == 1


def test_malformed_argument_repeats_previous_in_reference_and_is_dropped_in_strict():
    nodes = [{"task": "Image Classification", "arguments": ["x.jpg"]}]
    samples = [sample("a", "single", nodes)]
    bad_argument = plan([{"task": "Image Classification", "arguments": [5]}])
    scores = score_predictions(resource_domain(samples), {"a": bad_argument})
    assert scores.unparsable == 0
    # reference: the number copies the label's last argument -> a perfect match
    assert scores.reference["all"]["v_f1"] == 1.0
    # strict: the number earns nothing
    assert scores.strict["all"]["v_f1"] == 0.0


@pytest.mark.parametrize("argument", ["<node-7>", "<node-x>", "x> <node-0", {}, [1, 2]])
def test_malformed_arguments(argument):
    label = plan([{"task": "Image Classification", "arguments": ["x.jpg"]}])
    prediction = plan([{"task": "Image Classification", "arguments": [argument]}])
    _, pred = normalise_pair(label, prediction, resource_domain())
    assert pred.task_arg_values == {"Image Classification-image-x.jpg"}
    assert pred.links == frozenset()
    _, strict = normalise_pair(label, prediction, resource_domain(), DROP)
    assert strict.task_arg_values == frozenset()


def test_empty_plan_scores_zero():
    label, pred = normalise_pair(plan(CHAIN), EMPTY_PLAN, resource_domain())
    assert pred.names == () and pred.steps_text == "[]"
    assert label.names


def test_json_shape():
    nodes = [{"task": "Image Classification", "arguments": ["x.jpg"]}]
    samples = [sample("a", "single", nodes)]
    result = score_predictions(resource_domain(samples), {"a": plan(nodes)}).to_json()
    assert set(result) == {"domain", "reference", "strict", "unparsable"}
    for view in ("reference", "strict"):
        assert set(result[view]) == {"all", "single", "chain", "dag"}
        for row in result[view].values():
            assert set(row) == {
                "n_f1",
                "e_f1",
                "t_f1",
                "v_f1",
                "ned",
                "rouge1",
                "rouge2",
                "samples",
            }
    assert result["unparsable"] == 0
    assert result["strict"]["all"]["samples"] == 1
