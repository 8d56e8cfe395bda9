"""evals.provenance: the code version and command line recorded in benchmark reports."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from toolpath.evals import provenance as prov
from toolpath.evals.search_bench import run_benchmark


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    git(root, "init", "-q")
    git(root, "add", "pkg/__init__.py")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    return root


def test_clean_checkout(repo: Path) -> None:
    found = prov.code_version(repo / "pkg" / "__init__.py")
    head = git(repo, "rev-parse", "HEAD")
    assert found["version"] == head and found["git_commit"] == head
    assert found["git_dirty"] is False


@pytest.mark.parametrize("change", ["modified", "untracked"])
def test_dirty_checkout(repo: Path, change: str) -> None:
    if change == "modified":
        (repo / "pkg" / "__init__.py").write_text("x = 1\n")
    else:
        (repo / "pkg" / "new.py").write_text("")
    found = prov.code_version(repo / "pkg" / "__init__.py")
    assert found["version"] == git(repo, "rev-parse", "HEAD") + "-dirty"
    assert found["git_dirty"] is True


def test_untracked_package_in_a_repository_uses_the_package_version(repo: Path) -> None:
    """A venv inside a checkout: the installed file is not tracked, so no commit."""
    site = repo / ".venv" / "toolpath"
    site.mkdir(parents=True)
    (site / "__init__.py").write_text("")
    found = prov.code_version(site / "__init__.py")
    assert found["git_commit"] is None
    assert found["version"] == f"toolpath {prov.package_version()}"


def test_outside_git(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("")
    found = prov.code_version(tmp_path / "__init__.py")
    assert found["git_commit"] is None and found["package_version"] == prov.package_version()


def test_command_line() -> None:
    argv = ["/venv/bin/toolpath", "bench", "search", "--seed", "3", "--name", "two words"]
    assert prov.command_line(argv) == "toolpath bench search --seed 3 --name 'two words'"


def test_this_checkout_and_a_report() -> None:
    record = prov.provenance(["toolpath", "bench", "search", "--json"])
    assert record["command"] == "toolpath bench search --json"
    root = Path(prov.PACKAGE_FILE).parents[2]
    if (root / ".git").exists():
        head = git(root, "rev-parse", "HEAD")
        assert record["code"]["git_commit"] == head
        assert record["code"]["version"].startswith(head)
    report = run_benchmark(instances=5, seed=0, large_runs=2)
    assert report["provenance"]["code"]["version"]
    assert report["provenance"]["command"]
