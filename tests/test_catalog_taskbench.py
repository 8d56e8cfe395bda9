"""TaskBench catalogues and the tool graph, on the real TaskBench data of all three domains."""

import json
from pathlib import Path

import pytest

from toolpath.planners.graph import ToolGraph
from toolpath.tools.catalogs.taskbench import (
    DOMAINS,
    ENV_VAR,
    TaskBenchDataError,
    load_taskbench_catalog,
    resolve_data_dir,
)
from toolpath.tools.spec import ToolSpec


@pytest.mark.taskbench_data
@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogue_matches_files(domain: str) -> None:
    catalog = load_taskbench_catalog(domain)
    data = resolve_data_dir()
    nodes = json.loads((data / domain / "tool_desc.json").read_text())["nodes"]
    links = json.loads((data / domain / "graph_desc.json").read_text())["links"]
    assert catalog.names() == [n["id"] for n in nodes]
    graph = ToolGraph.from_catalog(catalog)
    assert graph.graph.number_of_edges() == len({(lk["source"], lk["target"]) for lk in links})
    first = links[0]
    assert graph.allows(first["source"], first["target"])


@pytest.mark.taskbench_data
def test_dailylifeapis_tools_have_named_parameters() -> None:
    catalog = load_taskbench_catalog("dailylifeapis")
    assert catalog.argument_style == "named"
    weather = catalog.registry().get("get_weather")
    assert weather.inputs == [] and weather.outputs == []
    assert weather.parameters["properties"]["date"] == {
        "type": "string",
        "format": "date",
        "description": "The date to get the weather for",
    }


@pytest.mark.taskbench_data
def test_huggingface_tools_have_resource_types() -> None:
    catalog = load_taskbench_catalog("huggingface")
    assert catalog.argument_style == "resource"
    tts = catalog.registry().get("Text-to-Speech")
    assert tts.inputs == ["text"] and tts.outputs == ["audio"]


@pytest.mark.taskbench_data
def test_only_huggingface_sets_its_own_model_tool_bonus() -> None:
    bonuses = {domain: load_taskbench_catalog(domain).model_tool_bonus for domain in DOMAINS}
    assert bonuses == {"huggingface": 0.0, "multimedia": None, "dailylifeapis": None}


def test_missing_directory_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(TaskBenchDataError, match=f"from {ENV_VAR}.*public TaskBench release"):
        resolve_data_dir()


def test_the_default_is_found_from_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    """An installed toolpath (no source checkout) run from a clone beside shared/ finds
    ../shared/taskbench; with none there the error lists where it looked."""
    import toolpath.tools.catalogs.taskbench as taskbench

    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(taskbench, "__file__", str(tmp_path / "site" / "taskbench.py"))
    clone = tmp_path / "clone" / "src"
    clone.mkdir(parents=True)
    monkeypatch.chdir(clone)
    with pytest.raises(TaskBenchDataError, match=r"default locations.*clone/src/shared"):
        resolve_data_dir()
    (tmp_path / "shared" / "taskbench").mkdir(parents=True)
    assert resolve_data_dir() == (tmp_path / "shared" / "taskbench").resolve()


def test_malformed_files_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "huggingface").mkdir()
    with pytest.raises(TaskBenchDataError, match="missing file"):
        load_taskbench_catalog("huggingface", tmp_path)
    (tmp_path / "huggingface" / "tool_desc.json").write_text('{"nodes": [{"id": "A"}]}')
    (tmp_path / "huggingface" / "graph_desc.json").write_text('{"nodes": [], "links": [')
    with pytest.raises(TaskBenchDataError, match="not valid JSON"):
        load_taskbench_catalog("huggingface", tmp_path)
    (tmp_path / "huggingface" / "graph_desc.json").write_text('{"nodes": [], "links": []}')
    with pytest.raises(TaskBenchDataError, match="node 0 has no 'desc'"):
        load_taskbench_catalog("huggingface", tmp_path)
    with pytest.raises(TaskBenchDataError, match="unknown TaskBench domain"):
        load_taskbench_catalog("nope", tmp_path)


def test_graph_from_types() -> None:
    specs = [
        ToolSpec(name="caption", doc="d", inputs=["image"], outputs=["text"]),
        ToolSpec(name="speak", doc="d", inputs=["text"], outputs=["audio"]),
        ToolSpec(name="translate", doc="d", inputs=["text"], outputs=["text"]),
    ]
    graph = ToolGraph.from_specs(specs)
    assert graph.allows("caption", "speak") and graph.allows("caption", "translate")
    assert not graph.allows("speak", "caption")
    assert not graph.allows("translate", "translate")  # no self-loops
    assert [s.name for s in graph.producers("audio")] == ["speak"]
