"""The agent's run: task files, the LangGraph state graph, executor, verifier, artifacts.

Names are imported on first use, so that a command importing one light module (say
`agent.run.render` for `--help`) does not load LangGraph.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "Artifact": "artifacts",
    "ArtifactStore": "artifacts",
    "DecomposerPlanner": "planning",
    "Planner": "planning",
    "PlannerError": "planning",
    "AgentRunner": "runner",
    "UnknownRunError": "runner",
    "default_home": "runner",
    "RunSummary": "state",
    "StepRecord": "state",
    "CheckSpec": "task",
    "Limits": "task",
    "TaskFileError": "task",
    "TaskSpec": "task",
    "load_task_file": "task",
    "LibraryEvaluator": "verifier",
    "MetricEvaluator": "verifier",
    "Verifier": "verifier",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'toolpath.agent.run' has no attribute {name!r}")
    return getattr(import_module(f"toolpath.agent.run.{_WHERE[name]}"), name)
