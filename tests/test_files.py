"""tools.files: atomic writes of files and directories."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from toolpath.tools.files import (
    MARKER,
    ForeignDirectoryError,
    atomic_dir,
    atomic_open,
    atomic_write_json,
    atomic_write_text,
)
from toolpath.tools.spec import ToolArgumentError


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_write_text_and_json(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.txt"
    assert atomic_write_text(target, "héllo") == target
    assert target.read_text(encoding="utf-8") == "héllo"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    atomic_write_json(tmp_path / "b.json", {"x": [1, 2]})
    text = (tmp_path / "b.json").read_text()
    assert json.loads(text) == {"x": [1, 2]} and text.endswith("\n")
    assert leftovers(tmp_path) == []


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write("half of the new")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []
    with pytest.raises(TypeError):
        atomic_write_json(target, {"not json": object()})
    assert target.read_text() == "old"


def test_binary_with_fsync(tmp_path: Path) -> None:
    with atomic_open(tmp_path / "b.bin", "wb", fsync=True) as handle:
        handle.write(b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    with pytest.raises(ValueError):
        atomic_open(tmp_path / "c", "a").__enter__()


def test_target_invisible_until_complete(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    with atomic_open(target) as handle:
        handle.write("data")
        handle.flush()
        assert not target.exists()
    assert target.read_text() == "data"


def test_atomic_dir_replaces_and_rolls_back(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_dir(target) as staging:
        (staging / "one").write_text("1")
        assert not target.exists()
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "one"]
    with atomic_dir(target) as staging:
        (staging / "two").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "two"]  # replaced, not merged
    with pytest.raises(RuntimeError), atomic_dir(target) as staging:
        (staging / "three").write_text("3")
        raise RuntimeError("crash")
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "two"]
    assert leftovers(tmp_path) == []


def user_folder(path: Path, **files: str) -> Path:
    path.mkdir(parents=True)
    for name, text in files.items():
        (path / name).write_text(text)
    return path


def refused(target: Path, match: str) -> None:
    ran = []
    with pytest.raises(ForeignDirectoryError, match=match) as info, atomic_dir(target) as staging:
        ran.append(staging)
    assert not ran  # refused before the block, so before any work
    assert isinstance(info.value, ToolArgumentError) and str(target) in str(info.value)
    assert "did not create" in str(info.value) or "created" in str(info.value)


@pytest.mark.parametrize(
    "files",
    [
        {"notes.txt": "keep me"},
        {"manifest.json": json.dumps({"name": "my project", "version": 3})},
        # the index kind without an index beside it is still the user's manifest
        {"manifest.json": json.dumps({"kind": "hybrid", "format_version": 1})},
        {"merge_card.json": "not a card"},
    ],
)
def test_atomic_dir_refuses_a_folder_it_did_not_create(tmp_path: Path, files) -> None:
    target = user_folder(tmp_path / "out", **files)
    refused(target, "holds files toolpath did not write")
    assert {p.name: p.read_text() for p in target.iterdir()} == files
    assert leftovers(tmp_path) == []


def test_atomic_dir_refuses_a_file_or_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("keep me")
    refused(tmp_path / "file", "it is a file")
    assert (tmp_path / "file").read_text() == "keep me"
    data = user_folder(tmp_path / "data", **{"a.txt": "keep me"})
    (tmp_path / "link").symlink_to(data, target_is_directory=True)
    refused(tmp_path / "link", "it is a symlink")
    (tmp_path / "empty").mkdir()
    (tmp_path / "link2").symlink_to(tmp_path / "empty", target_is_directory=True)
    refused(tmp_path / "link2", "it is a symlink")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    refused(tmp_path / "dangling", "it is a symlink")
    assert (data / "a.txt").read_text() == "keep me" and (tmp_path / "link").is_symlink()


def test_atomic_dir_checks_again_before_the_swap(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(ForeignDirectoryError), atomic_dir(target) as staging:
        (staging / "new").write_text("new")
        user_folder(target, **{"notes.txt": "written meanwhile"})
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert leftovers(tmp_path) == []


def test_atomic_dir_replaces_an_empty_folder_and_legacy_outputs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    index = json.dumps({"kind": "bm25", "format_version": 1, "n": 0})
    legacy = {
        "empty": {},
        "index": {"manifest.json": index, "docs.jsonl": ""},
        "merged": {"merge_card.json": json.dumps({"method": "ties"}), "model.safetensors": "x"},
    }
    for name, files in legacy.items():
        if files:
            user_folder(tmp_path / name, **files)
        with atomic_dir(tmp_path / name) as staging:
            (staging / "new").write_text("new")
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == [MARKER, "new"]
    mine = user_folder(tmp_path / "mine", **{"weights.bin": "x"})
    with atomic_dir(mine, legacy=lambda p: p.name == "mine") as staging:
        (staging / "new").write_text("new")
    assert (mine / "new").is_file() and not (mine / "weights.bin").exists()
