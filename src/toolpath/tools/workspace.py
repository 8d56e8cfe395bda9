"""The workspace policy: the folders tools may read and write.

Every path a tool takes (the parameters its ToolSpec lists in `paths`) is resolved,
symlinks and `..` included, and must lie under one of the allowed roots: the run's home
($TOOLPATH_HOME, with the artifact store), toolpath's caches (file hashes, the GGUF
model, the zoo), the TaskBench data, the current working directory, and the roots the
user adds (`roots` in the task file, `[workspace] roots` in the config file, or
$TOOLPATH_ROOTS, separated by the OS path separator). Anything else is refused before
the tool runs, with a `PathPolicyError` naming the path and the rule; it is a
`ToolArgumentError`, so the agent forbids the tool for that sub-task without lowering
its quality estimate.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolpath.tools.files import cache_root
from toolpath.tools.spec import ToolArgumentError, ToolSpec

logger = logging.getLogger(__name__)

ROOTS_ENV = "TOOLPATH_ROOTS"
# Parameters that hold paths, by name, for tools that do not list theirs.
PATH_PARAMS = frozenset(
    {
        "adapter",
        "adapter_dirs",
        "adapters",
        "base",
        "catalog",
        "dataset",
        "demos",
        "index_dir",
        "model_dir",
        "model_dirs",
        "models",
        "out",
        "out_dir",
        "output_dir",
        "output_path",
        "paths",
        "queries",
    }
)
# Values that name a built-in catalogue, not a file (see catalogs/resolve.py).
_NOT_FILES = ("library",)
_NOT_FILE_PREFIXES = ("taskbench:",)
RULE = (
    "tools read and write only under the run's home, the artifact store, toolpath's "
    "caches, the TaskBench data and the working directory; add a root with 'roots:' in "
    f"the task file, 'roots' in the config file's workspace table or ${ROOTS_ENV}"
)


class PathPolicyError(ToolArgumentError):
    """A tool argument names a path outside the allowed roots."""


def _resolve(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()


def default_roots(home: str | Path | None = None) -> list[Path]:
    """The roots every run allows: its home, toolpath's caches, TaskBench data, the cwd,
    and $TOOLPATH_ROOTS."""
    roots = [Path.home() / ".toolpath" if home is None else Path(home), cache_root(), Path.cwd()]
    for env in ("TOOLPATH_HOME", "TOOLPATH_MODEL_CACHE", "TOOLPATH_ZOO_DIR"):
        if os.environ.get(env):
            roots.append(Path(os.environ[env]))
    roots += _taskbench_dir()
    roots += [Path(p) for p in os.environ.get(ROOTS_ENV, "").split(os.pathsep) if p]
    return roots


def _taskbench_dir() -> list[Path]:
    from toolpath.tools.catalogs.taskbench import TaskBenchDataError, resolve_data_dir

    try:
        return [resolve_data_dir()]
    except TaskBenchDataError:
        return []


@dataclass(frozen=True)
class Workspace:
    """Allowed roots (resolved); `check` refuses any path outside them."""

    roots: tuple[Path, ...]

    @classmethod
    def of(cls, roots: Iterable[str | Path]) -> Workspace:
        return cls(tuple(dict.fromkeys(_resolve(r) for r in roots)))

    def with_roots(self, extra: Iterable[str | Path]) -> Workspace:
        return Workspace.of([*self.roots, *extra])

    def allows(self, path: str | Path) -> bool:
        resolved = _resolve(path)
        return any(resolved.is_relative_to(root) for root in self.roots)

    def check(self, path: str | Path, what: str = "path") -> Path:
        """The resolved path, or PathPolicyError naming it and the rule."""
        resolved = _resolve(path)
        if not any(resolved.is_relative_to(root) for root in self.roots):
            shown = repr(str(path))
            if str(resolved) != str(path):
                shown += f" (resolves to {str(resolved)!r})"
            raise PathPolicyError(f"{what} {shown} is outside the allowed roots; {RULE}")
        return resolved

    def check_arguments(self, spec: ToolSpec, arguments: dict[str, Any]) -> None:
        """Refuse the call when any path argument of the tool lies outside the roots."""
        for name in spec.paths:
            for value in _strings(arguments.get(name)):
                if value in _NOT_FILES or value.startswith(_NOT_FILE_PREFIXES):
                    continue
                self.check(value, f"tool {spec.name!r}: argument {name!r}")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str | Path):
        yield str(value)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
