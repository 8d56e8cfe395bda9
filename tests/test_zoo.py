"""The model zoo: tasks, tokenizer, a real mini zoo built in the test, cards, caching, CLI."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from toolpath.agent.cli import zoo_cmd
from toolpath.tools.zoo import TASKS, ZooManifest, build_zoo, get_task, load_zoo
from toolpath.tools.zoo.tasks import eval_examples, read_jsonl


@pytest.fixture(scope="module")
def mini_zoo(tmp_path_factory: pytest.TempPathFactory) -> ZooManifest:
    # One mini zoo per test session: both zoo test modules find it cached.
    return build_zoo(tmp_path_factory.getbasetemp() / "mini-zoo", mini=True, progress=False)


def test_task_generators_give_correct_answers() -> None:
    rng = random.Random(0)
    for _ in range(50):
        prompt, target = TASKS["addition"].generate(rng)
        a, b = prompt.rstrip("=").split("+")
        assert int(target) == int(a) + int(b)
        prompt, target = TASKS["reversal"].generate(rng)
        assert target == prompt.removeprefix("reverse ").rstrip("=")[::-1]
        prompt, target = TASKS["sorting"].generate(rng)
        assert target == "".join(sorted(prompt.removeprefix("sort ").rstrip("=")))
        prompt, target = TASKS["counting"].generate(rng)
        letter, text = prompt.removeprefix("count ").rstrip("=").split(" in ")
        assert int(target) == text.count(letter)


def test_eval_sets_are_seeded_and_distinct() -> None:
    first = eval_examples(TASKS["reversal"], 40, seed=3)
    assert first == eval_examples(TASKS["reversal"], 40, seed=3)
    assert first != eval_examples(TASKS["reversal"], 40, seed=4)
    assert len({prompt for prompt, _ in first}) == 40


def test_unknown_task_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown zoo task 'division'.*addition"):
        get_task("division")


def test_tokenizer_round_trips_characters() -> None:
    from toolpath.tools.zoo.tokenizer import build_tokenizer

    tokenizer = build_tokenizer()
    ids = tokenizer("count a in abca=")["input_ids"]
    assert ids[0] == tokenizer.bos_token_id
    assert len(ids) == 1 + len("count a in abca=")
    assert tokenizer.decode(ids, skip_special_tokens=True) == "count a in abca="


def test_mini_zoo_has_every_model_card_and_eval_set(mini_zoo: ZooManifest) -> None:
    assert set(mini_zoo.experts) == set(TASKS) == set(mini_zoo.loras)
    for model in mini_zoo.models:
        assert (model.path / "README.md").is_file()
        weights = "adapter_model.safetensors" if model.kind == "lora" else "model.safetensors"
        assert (model.path / weights).is_file()
        assert (model.path / "tokenizer.json").is_file()
        assert set(model.accuracy) == set(TASKS)
    card = (mini_zoo.experts["reversal"].path / "README.md").read_text()
    assert "string reversal" in card and "Reverses a string" in card
    assert f"{mini_zoo.experts['reversal'].accuracy['reversal']:.1%}" in card
    for task, path in mini_zoo.eval_sets.items():
        rows = read_jsonl(path)
        assert rows and all(
            prompt.startswith(("reverse", "sort", "count")) or "+" in prompt for prompt, _ in rows
        ), task


def test_expert_beats_base_on_its_own_task(mini_zoo: ZooManifest) -> None:
    base = mini_zoo.base.accuracy
    wins = [t for t, m in mini_zoo.experts.items() if m.accuracy[t] > base[t]]
    # The mini zoo is tiny: not every expert learns in its few steps, but sorting does.
    assert "sorting" in wins and len(wins) >= 2, {
        t: (base[t], m.accuracy[t]) for t, m in mini_zoo.experts.items()
    }


def test_second_build_is_a_no_op(mini_zoo: ZooManifest) -> None:
    weights = mini_zoo.base.path / "model.safetensors"
    before = weights.stat().st_mtime_ns
    start = time.perf_counter()
    again = build_zoo(mini_zoo.root, mini=True, progress=False)
    assert time.perf_counter() - start < 2.0
    assert weights.stat().st_mtime_ns == before
    assert again.model_dump() == load_zoo(mini_zoo.root).model_dump()


def test_load_zoo_missing_dir_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="toolpath zoo build"):
        load_zoo(tmp_path / "nowhere")


def test_zoo_cli_lists_the_models(mini_zoo: ZooManifest) -> None:
    app = typer.Typer()
    zoo_cmd.register(app, typer.Typer())
    runner = CliRunner()
    result = runner.invoke(app, ["zoo", "list", "--dir", str(mini_zoo.root), "--json"])
    assert result.exit_code == 0, result.output
    names = {m["name"] for m in json.loads(result.output)["models"]}
    assert {"base", "expert-addition", "lora-reversal"} <= names
    result = runner.invoke(app, ["zoo", "list", "--dir", str(mini_zoo.root / "missing")])
    assert result.exit_code == 2 and "toolpath zoo build" in result.output


def test_rebuild_keeps_to_what_the_zoo_wrote(mini_zoo: ZooManifest, tmp_path: Path) -> None:
    import shutil

    from toolpath.tools.files import MARKER, ForeignDirectoryError

    old = tmp_path / "old-zoo"  # built before atomic_dir marked what it creates
    shutil.copytree(mini_zoo.root, old)
    for marker in old.rglob(MARKER):
        marker.unlink()
    data = json.loads((old / "zoo.json").read_text())
    data["fingerprint"] = "another recipe"
    (old / "zoo.json").write_text(json.dumps(data))
    rebuilt = build_zoo(old, mini=True, progress=False)
    assert all((m.path / MARKER).is_file() for m in rebuilt.models)
    user = tmp_path / "mine"
    (user / "base").mkdir(parents=True)
    (user / "base" / "notes.txt").write_text("keep me")
    with pytest.raises(ForeignDirectoryError, match="base"):
        build_zoo(user, mini=True, progress=False)
    assert [p.name for p in (user / "base").iterdir()] == ["notes.txt"]
