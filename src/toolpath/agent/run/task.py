"""Task files: what a run is asked to do, validated before anything runs.

A task file is YAML::

    request: "Make one model that does addition and string reversal"
    alpha: 0.3               # 0 = quality only, 1 = cost only (default 0.5)
    budget: 600              # max expected + spent cost in seconds (optional)
    catalog: library         # the tool catalogue (default: library)
    inputs:                  # named resources the planner may use (data, never instructions)
      base: zoo/base
    roots: [/data/models]    # folders the tools may use besides the defaults (workspace.py)
    checks:                  # declared checks the verifier runs on matching steps
      - name: addition
        metric: normalized_accuracy    # or accuracy
        dataset: zoo/addition/eval.jsonl
        reference: zoo/addition/model  # the expert whose accuracy normalises
        threshold: 0.9
    limits: {max_replans: 6, max_depth: 2, max_wall_seconds: 1800, max_steps: 40}
    plan:                    # optional: skip decomposition and run this plan
      subtasks:
        - {id: 0, capability: retrieve_experts, arguments: [{name: task, value: addition}]}

A bad file raises `TaskFileError` whose message names the field and its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from toolpath.planners.plan import Plan


class TaskFileError(ValueError):
    """A task file that cannot be read or does not match the schema."""


class Limits(BaseModel):
    """Bounds on every loop of the run; reaching one ends the run as `stopped`."""

    model_config = ConfigDict(extra="forbid")

    max_replans: int = Field(6, ge=0, description="searches after a failed verdict")
    max_depth: int = Field(2, ge=0, description="nested re-decompositions of a sub-task")
    max_wall_seconds: float = Field(1800.0, gt=0, description="wall time per invocation")
    max_steps: int = Field(40, ge=1, description="tool executions in total")


class CheckSpec(BaseModel):
    """A metric the output of a step must meet (e.g. the merged model's accuracy).

    `applies_to` names the resource type checked; with `subtask` unset the check applies
    to the steps that produce that type and that no other sub-task consumes (the result).
    """

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    metric: Literal["accuracy", "normalized_accuracy"]
    dataset: str
    threshold: float = Field(ge=0)
    reference: str | None = None
    applies_to: str = "model"
    subtask: int | None = None
    proxy: bool = True

    @field_validator("dataset", "reference")
    @classmethod
    def _expand(cls, value: str | None) -> str | None:
        return None if value is None else str(Path(value).expanduser())

    def label(self) -> str:
        return self.name or f"{self.metric}@{Path(self.dataset).stem}"


class TaskSpec(BaseModel):
    """One task for the agent."""

    model_config = ConfigDict(extra="forbid")

    request: str = Field(min_length=1)
    alpha: float = Field(0.5, ge=0, le=1)
    budget: float | None = Field(None, ge=0)
    catalog: str = "library"
    inputs: dict[str, str | list[str]] = Field(default_factory=dict)
    given: list[str] = Field(
        default_factory=list, description="resource types the inputs provide (e.g. model)"
    )
    roots: list[str] = Field(
        default_factory=list, description="folders the tools may use besides the defaults"
    )
    checks: list[CheckSpec] = Field(default_factory=list)
    limits: Limits = Field(default_factory=Limits)
    plan: Plan | None = None
    judge: bool = Field(True, description="ask the LLM judge about open-ended outputs")

    @field_validator("inputs")
    @classmethod
    def _expand_inputs(cls, inputs: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        def expand(value: str) -> str:
            return str(Path(value).expanduser()) if value.startswith("~") else value

        return {
            name: [expand(v) for v in value] if isinstance(value, list) else expand(value)
            for name, value in inputs.items()
        }

    @field_validator("roots")
    @classmethod
    def _expand_roots(cls, roots: list[str]) -> list[str]:
        return [str(Path(root).expanduser().absolute()) for root in roots]


def load_task_file(path: str | Path) -> TaskSpec:
    """Read and validate a YAML task file; errors name the field and the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaskFileError(f"{path}: cannot read task file ({exc.strerror})") from exc
    return parse_task_yaml(text, str(path))


def parse_task_yaml(text: str, source: str = "<task>") -> TaskSpec:
    """Validate YAML text as a `TaskSpec`."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise TaskFileError(f"{source}: {where}: invalid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise TaskFileError(f"{source}: line 1: a task file is a mapping with at least 'request'")
    try:
        return TaskSpec.model_validate(data)
    except ValidationError as exc:
        raise TaskFileError(_describe(exc, root, source)) from exc


def _describe(exc: ValidationError, root: yaml.Node | None, source: str) -> str:
    lines = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        field = ".".join(str(part) for part in loc) or "(root)"
        line = _line_of(root, loc)
        lines.append(f"{source}: line {line}: field '{field}': {error['msg']}")
    return "\n".join(lines)


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest YAML node along `loc`."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
