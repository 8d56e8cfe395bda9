"""The agent's run: task files, the LangGraph state graph, executor, verifier, artifacts."""

from agent.run.artifacts import Artifact, ArtifactStore
from agent.run.planning import DecomposerPlanner, Planner, PlannerError
from agent.run.runner import AgentRunner, UnknownRunError, default_home
from agent.run.state import RunSummary, StepRecord
from agent.run.task import CheckSpec, Limits, TaskFileError, TaskSpec, load_task_file
from agent.run.verifier import LibraryEvaluator, MetricEvaluator, Verifier

__all__ = [
    "AgentRunner",
    "Artifact",
    "ArtifactStore",
    "CheckSpec",
    "DecomposerPlanner",
    "LibraryEvaluator",
    "Limits",
    "MetricEvaluator",
    "Planner",
    "PlannerError",
    "RunSummary",
    "StepRecord",
    "TaskFileError",
    "TaskSpec",
    "UnknownRunError",
    "Verifier",
    "default_home",
    "load_task_file",
]
