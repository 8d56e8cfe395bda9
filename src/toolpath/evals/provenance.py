"""Where a benchmark result came from: the code version and the command line.

`provenance()` goes into every benchmark report's JSON. The code version is the git
commit of the checkout that holds the running toolpath package (with "-dirty" when the
tree has uncommitted changes, untracked files included), or the installed package
version when toolpath does not run from a git checkout (a wheel in site-packages).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import toolpath
from toolpath.tools.files import atomic_write_text

PACKAGE_FILE = Path(toolpath.__file__).resolve()
RUN_FILE = "run.json"  # where a benchmark run records its settings (`claim_run_folder`)


def _git(args: list[str], cwd: Path) -> str | None:
    """Output of `git ARGS` in `cwd`, or None when git is missing or fails."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(package_file: Path = PACKAGE_FILE) -> tuple[str, bool] | None:
    """(commit, dirty) of the checkout that tracks `package_file`; None outside one (a venv
    inside a repository does not count: the installed file is not tracked there)."""
    folder = package_file.parent
    if _git(["ls-files", "--error-unmatch", package_file.name], folder) is None:
        return None
    commit = _git(["rev-parse", "HEAD"], folder)
    # benchmark outputs under reports/ are not code: writing one does not make the code dirty
    status = _git(["status", "--porcelain", "--", ":/", ":(top,exclude)reports"], folder)
    if not commit or status is None:
        return None
    return commit.strip(), bool(status.strip())


def package_version() -> str | None:
    try:
        return version("toolpath")
    except PackageNotFoundError:
        return None


def code_version(package_file: Path = PACKAGE_FILE) -> dict[str, Any]:
    """{"version": "<commit>[-dirty]" or "toolpath <version>", "git_commit", "git_dirty",
    "package_version"}."""
    state = git_state(package_file)
    installed = package_version()
    if state is None:
        label = f"toolpath {installed}" if installed else "unknown"
        return {
            "version": label,
            "git_commit": None,
            "git_dirty": None,
            "package_version": installed,
        }
    commit, dirty = state
    return {
        "version": commit + ("-dirty" if dirty else ""),
        "git_commit": commit,
        "git_dirty": dirty,
        "package_version": installed,
    }


def command_line(argv: list[str] | None = None) -> str:
    """The command as typed: the program's name (not its path) and its arguments."""
    argv = list(sys.argv if argv is None else argv)
    if not argv:
        return ""
    return shlex.join([Path(argv[0]).name, *argv[1:]])


def provenance(argv: list[str] | None = None) -> dict[str, Any]:
    """The `provenance` object of a benchmark report."""
    return {
        "code": code_version(),
        "command": command_line(argv),
        "python": sys.version.split()[0],
        "recorded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


class RunSettingsError(ValueError):
    """An output folder holds results made with other settings."""


def claim_run_folder(
    out: Path, settings: dict[str, Any], recorded_defaults: dict[str, Any] | None = None
) -> None:
    """Record `settings` (and the code version) in `out/RUN_FILE`, or, when a run already
    recorded its own there, refuse to mix results made with other settings. Settings a run
    predates read as `recorded_defaults`."""
    run_file = out / RUN_FILE
    if run_file.is_file():
        stored = {**(recorded_defaults or {}), **json.loads(run_file.read_text("utf-8"))}
        differ = {k: (stored.get(k), v) for k, v in settings.items() if stored.get(k) != v}
        if differ:
            listed = ", ".join(f"{k}: {a!r} there, {b!r} now" for k, (a, b) in differ.items())
            raise RunSettingsError(
                f"{str(out)!r} holds results made with other settings ({listed}); use another --out"
            )
        return
    out.mkdir(parents=True, exist_ok=True)
    record = {**settings, "code": code_version()}
    atomic_write_text(run_file, json.dumps(record, indent=2) + "\n")
