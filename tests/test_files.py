"""tools.files: atomic writes of files and directories."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from toolpath.tools.files import atomic_dir, atomic_open, atomic_write_json, atomic_write_text


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
    assert [p.name for p in target.iterdir()] == ["one"]
    with atomic_dir(target) as staging:
        (staging / "two").write_text("2")
    assert [p.name for p in target.iterdir()] == ["two"]  # replaced, not merged
    with pytest.raises(RuntimeError), atomic_dir(target) as staging:
        (staging / "three").write_text("3")
        raise RuntimeError("crash")
    assert [p.name for p in target.iterdir()] == ["two"]
    assert leftovers(tmp_path) == []
