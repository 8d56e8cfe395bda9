"""The house rules that code review would otherwise have to remember."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import toolpath

PACKAGE = Path(toolpath.__file__).parent
# Each part may import itself and the parts listed after it, never the ones before.
ALLOWED = {
    "evals": {"evals", "agent", "planners", "tools"},
    "agent": {"agent", "planners", "tools"},
    "planners": {"planners", "tools"},
    "tools": {"tools"},
}


def _toolpath_imports(path: Path) -> set[str]:
    """The toolpath parts (agent, planners, ...) a module imports, lazily or not."""
    parts = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            pieces = name.split(".")
            if pieces[0] == "toolpath" and len(pieces) > 1:
                parts.add(pieces[1])
    return parts


def test_imports_point_one_way() -> None:
    wrong = []
    for part, allowed in ALLOWED.items():
        for module in sorted((PACKAGE / part).rglob("*.py")):
            for imported in _toolpath_imports(module) - allowed:
                wrong.append(f"{module.relative_to(PACKAGE)} imports toolpath.{imported}")
    assert not wrong, "\n".join(wrong)


def test_only_toolpath_is_importable(tmp_path: Path) -> None:
    """Installed, the parts live under `toolpath.` only: `import agent` finds nothing."""
    probe = (
        "import importlib.util as u; "
        "print([n for n in ('agent', 'planners', 'tools', 'evals') if u.find_spec(n)]); "
        "import toolpath.agent, toolpath.planners, toolpath.tools, toolpath.evals"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
