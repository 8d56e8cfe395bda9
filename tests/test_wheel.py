"""The built wheel works on its own: installed into a fresh venv, not the editable checkout.

The fresh venv sees this venv's site-packages for the dependencies only (a .pth line;
the editable install's own .pth is not processed there), so the test runs offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The fresh venv must not see this checkout through PYTHONPATH.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}

PRIORS_CHECK = """
import json, sys
from pathlib import Path
from toolpath.tools.merging import priors
for path in (priors.COST_TABLE, priors.QUALITY_PRIORS):
    assert path.is_file(), path
costs = json.loads(priors.COST_TABLE.read_text())["cost_table"]
quality = json.loads(priors.QUALITY_PRIORS.read_text())["quality"]
print(json.dumps({
    "dir": str(priors.HERE),
    "cost": {m: priors.cost_per_billion(m) for m in costs},
    "quality": {m: priors.quality_prior(m) for m in quality},
    "fixed": priors.fixed_seconds(),
}))
"""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=CLEAN_ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel built from this checkout; returns its bin folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # build from a copy: no build/ or egg-info in the shared tree
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    pip = [sys.executable, "-m", "pip"]
    _run(
        [
            *pip,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp / "dist"),
            str(source),
        ],
        tmp,
    )
    (wheel,) = (tmp / "dist").glob("toolpath-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    python = venv / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp
    )
    deps = sysconfig.get_paths()["purelib"]
    (Path(purelib.stdout.strip()) / "_toolpath_test_deps.pth").write_text(deps + "\n")
    _run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], tmp)
    return venv / "bin"


def test_package_imported_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    done = _run(
        [str(installed / "python"), "-c", "import toolpath; print(toolpath.__file__)"], tmp_path
    )
    location = Path(done.stdout.strip())
    assert location.is_relative_to(installed.parent), location
    assert not location.is_relative_to(ROOT)


def test_old_top_level_packages_are_gone(installed: Path, tmp_path: Path) -> None:
    for name in ("agent", "planners", "tools", "evals"):
        done = subprocess.run(
            [str(installed / "python"), "-c", f"import {name}"],
            cwd=tmp_path,
            env=CLEAN_ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, name


def test_cli_runs(installed: Path, tmp_path: Path) -> None:
    help_text = _run([str(installed / "toolpath"), "--help"], tmp_path).stdout
    for command in ("demo", "plan", "merge", "tools", "bench", "eval"):
        assert command in help_text
    listing = _run([str(installed / "toolpath"), "tools", "list", "--json"], tmp_path).stdout
    tools = {tool["name"]: tool for tool in json.loads(listing)["tools"]}
    assert "merge_ties" in tools
    assert "merge_ties" in _run([str(installed / "toolpath"), "tools", "list"], tmp_path).stdout


def test_merge_priors_load_from_the_installed_package(installed: Path, tmp_path: Path) -> None:
    from toolpath.tools.merging import priors

    found = json.loads(_run([str(installed / "python"), "-c", PRIORS_CHECK], tmp_path).stdout)
    assert Path(found["dir"]).is_relative_to(installed.parent)
    costs = json.loads(priors.COST_TABLE.read_text())
    quality = json.loads(priors.QUALITY_PRIORS.read_text())["quality"]
    assert found["cost"] == costs["cost_table"]
    assert found["quality"] == quality
    assert found["fixed"] == costs["fixed_seconds"]
    # the values are the files', not the fallback tables
    assert found["cost"] != {m: priors.FALLBACK_COST_PER_BILLION[m] for m in found["cost"]}
    assert found["quality"] != {m: priors.DEFAULT_QUALITY[m] for m in found["quality"]}


def test_every_data_file_ships(installed: Path) -> None:
    """Each non-Python file under src/toolpath (read at run time, e.g. the merge priors)."""
    package = ROOT / "src" / "toolpath"
    data = {
        p.relative_to(package.parent)
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }
    assert Path("toolpath/tools/merging/cost_table.json") in data
    site = next(installed.parent.glob("lib/python*/site-packages"))
    missing = sorted(str(p) for p in data if not (site / p).is_file())
    assert not missing, f"not in the wheel (declare them in package-data): {missing}"
