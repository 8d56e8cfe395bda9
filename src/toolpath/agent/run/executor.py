"""Running one step of a tool path: bind arguments, call the tools, store the artifact.

Arguments come from the plan. A value that is exactly `<node-j>` becomes the output of
sub-task j: the field its tool declares in `flows` (a path for file outputs, the list of
paths for a ranked list; the whole output when `flows` is None); `<node-j>.field` names
another field of that output. A tool that declares no output schema (a user's MCP or
function tool) gets its main value guessed by `main_value`, with a warning. A
`<node-j>` inside longer text is replaced by that value's text. Values are then
coerced to the tool's JSON schema (a list where it wants a list, one item where it
wants one). A tool with an `out`/`out_dir`/`output_dir` parameter writes its files
into the artifact's directory. Outputs are data: they are passed on as values, never
read as instructions.
"""

from __future__ import annotations

import logging
import os
import re
import time
import traceback
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from toolpath.agent.run.artifacts import Artifact, ArtifactStore, step_key, tool_version
from toolpath.planners.plan import Argument, PathStep, SubTask
from toolpath.planners.references import NODE_REF, map_strings
from toolpath.tools.registry import ToolRegistry
from toolpath.tools.spec import ToolArgumentError, ToolSpec, pick_field
from toolpath.tools.workspace import Workspace

log = logging.getLogger(__name__)

OUT_PARAMS = ("out", "out_dir", "output_dir", "output_path")
PATH_KEYS = ("path", "out", "out_dir", "output_dir", "model_dir", "model", "output")
# `<node-j>` with an optional `.field`; NODE_REF's group 1 (the index) is group 1 here too
FIELD_REF = re.compile(NODE_REF.pattern + r"(?:\.([A-Za-z_]\w*))?")
_guessed: set[str] = set()
EXECUTORS = ("local", "ray")
EXECUTOR_ENV = "TOOLPATH_EXECUTOR"


class StepOutcome(BaseModel):
    """What executing one step produced (before the verifier judges it)."""

    subtask: int
    tool: str
    tools: list[str]
    ok: bool
    arguments: dict[str, Any] = {}
    output: Any = None
    artifact: str | None = None
    key: str | None = None
    seconds: float = 0.0
    cached: bool = False
    error: str | None = None
    argument_error: bool = False  # failed on its arguments: no evidence about its quality
    ran: list[float | None] = []  # seconds of each tool of the chain reached (None: a cache hit)

    def tool_verdicts(self, step_ok: bool) -> list[tuple[str, bool, float]]:
        """(tool, ok, seconds) for each tool of the chain that ran: a preparation tool is
        judged on its own (it ran and handed on a value), the sub-task's tool by the step's
        verdict. A tool after the one that failed did not run and is not judged."""
        verdicts = []
        for index, seconds in enumerate(self.ran):
            name, last = self.tools[index], index == len(self.tools) - 1
            failed_here = not self.ok and index == len(self.ran) - 1
            if seconds is not None:  # a cache hit was counted when it ran
                verdicts.append((name, step_ok if last else not failed_here, seconds))
        return verdicts


def flowing_value(output: Any, spec: ToolSpec | None, field: str | None = None) -> Any:
    """The value of `output` (made by `spec`'s tool) that a downstream `<node-j>` receives:
    `field` when given, else what the tool declares in `flows`; for a tool that declares
    no output schema (or an unknown producer), the guess of `main_value`, logged."""
    if spec is not None and spec.declares_output:
        return spec.flowing(output, field)
    if field is not None:
        return pick_field(output, field)
    name = spec.name if spec is not None else "<unknown tool>"
    if name not in _guessed:
        _guessed.add(name)
        log.warning(
            "tool %s declares no output_schema/flows: guessing which of its output flows on",
            name,
        )
    return main_value(output)


def main_value(output: Any) -> Any:
    """A guess of the value a downstream step receives for `<node-j>`, for tools that do
    not declare it (a path key, then a list key, then ranked-list heuristics)."""
    if isinstance(output, dict):
        for key in PATH_KEYS:
            if isinstance(output.get(key), str):
                return output[key]
        for key in ("paths", "results", "hits", "experts", "items"):
            if isinstance(output.get(key), list):
                return main_value(output[key])
        return output
    if isinstance(output, list) and output:
        if all(
            isinstance(item, list | tuple) and item and isinstance(item[0], str) for item in output
        ):
            return [item[0] for item in output]
        if all(isinstance(item, dict) for item in output):
            values = [main_value(item) for item in output]
            if all(isinstance(v, str) for v in values):
                return values
    return output


def _has_field(output: Any, field: str) -> bool:
    if isinstance(output, dict):
        return field in output
    return (
        isinstance(output, list)
        and bool(output)
        and all(isinstance(item, dict) and field in item for item in output)
    )


def substitute(
    value: Any, outputs: Mapping[int, Any], producers: Mapping[int, ToolSpec | None] | None = None
) -> Any:
    """Replace `<node-j>` (and `<node-j>.field`) references with the values that flow from
    the upstream outputs; `producers` gives the tool that made each. A string that is one
    reference becomes the value itself, not its text. A `.suffix` that is no field of the
    output stays text (`<node-0>.txt`)."""
    producers = producers or {}

    def value_of(match: re.Match[str]) -> tuple[Any, str]:
        index, field = int(match.group(1)), match.group(2)
        output, spec = outputs[index], producers.get(index)
        if field is not None and _has_field(output, field):
            return flowing_value(output, spec, field), ""
        return flowing_value(output, spec), f".{field}" if field else ""

    def as_text(match: re.Match[str]) -> str:
        found, rest = value_of(match)
        return _as_text(found) + rest

    def resolve(text: str) -> Any:
        whole = FIELD_REF.fullmatch(text.strip())
        if whole:
            found, rest = value_of(whole)
            return found if not rest else _as_text(found) + rest
        return FIELD_REF.sub(as_text, text)

    return map_strings(value, resolve)


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _flatten(items: list[Any]) -> list[Any]:
    """One level down; several ranked lists (one per reference) give their top item each."""
    nested = [item for item in items if isinstance(item, list)]
    if len(items) > 1 and nested:
        return [item[0] if isinstance(item, list) and item else item for item in items]
    flat: list[Any] = []
    for item in items:
        flat.extend(item if isinstance(item, list) else [item])
    return flat


def coerce(value: Any, schema: dict[str, Any]) -> Any:
    """Fit a value to a JSON-schema property: list <-> single item."""
    kinds = _kinds(schema)
    if "array" in kinds and not isinstance(value, list):
        return [value]
    if "array" in kinds and isinstance(value, list):
        return _flatten(value)
    if isinstance(value, list) and value and "array" not in kinds and kinds & {"string", None}:
        return value[0] if len(value) == 1 or "string" in kinds else value
    return value


def _is_ref(value: Any) -> bool:
    return isinstance(value, str) and bool(NODE_REF.fullmatch(value.strip()))


def _bind_positional(
    values: list[Any],
    free: list[str],
    properties: dict[str, Any],
    outputs: Mapping[int, Any],
    producers: Mapping[int, ToolSpec | None] | None = None,
) -> dict[str, Any]:
    """Positional values (TaskBench's resource style) to parameters, in order.

    Upstream references fill the first list parameter together (several models feeding
    one merge) or the next parameter one by one; literal values fill parameters in order.
    """
    refs = [v for v in values if _is_ref(v)]
    literals = [v for v in values if not _is_ref(v)]
    bound: dict[str, Any] = {}
    for name in free:
        wants_list = "array" in _kinds(properties.get(name, {}))
        if refs and wants_list:
            bound[name] = [substitute(r, outputs, producers) for r in refs]
            refs = []
        elif refs:
            bound[name] = substitute(refs.pop(0), outputs, producers)
        elif literals:
            bound[name] = substitute(literals.pop(0), outputs, producers)
    return bound


def _kinds(schema: dict[str, Any]) -> set[Any]:
    return {schema.get("type")} | {part.get("type") for part in schema.get("anyOf", [])}


def bind_arguments(
    spec: ToolSpec,
    arguments: list[Argument],
    outputs: Mapping[int, Any],
    defaults: dict[str, Any] | None = None,
    producers: Mapping[int, ToolSpec | None] | None = None,
) -> dict:
    """Named arguments for the tool from the sub-task's arguments and upstream outputs.

    `defaults` (the task's named inputs) fill required parameters the plan left out;
    `producers` are the tools that made the upstream outputs (see `substitute`).
    """
    properties: dict[str, Any] = spec.parameters.get("properties", {})
    bound: dict[str, Any] = {}
    positional = []
    for argument in arguments:
        if argument.name and (argument.name in properties or not properties):
            bound[argument.name] = substitute(argument.value, outputs, producers)
        elif argument.name is None:
            positional.append(argument.value)
    free = [name for name in properties if name not in bound and name not in OUT_PARAMS]
    bound |= _bind_positional(positional, free, properties, outputs, producers)
    for name, value in (defaults or {}).items():
        if name in properties and name not in bound and name not in OUT_PARAMS:
            bound[name] = value
    return {name: coerce(value, properties.get(name, {})) for name, value in bound.items()}


class Executor:
    """Runs path steps through the artifact store."""

    def __init__(self, registry: ToolRegistry, store: ArtifactStore) -> None:
        self.registry = registry
        self.store = store

    def run(
        self,
        task: SubTask,
        step: PathStep,
        outputs: dict[int, Any],
        defaults: dict[str, Any] | None = None,
        workspace: Workspace | None = None,
        producers: Mapping[int, str] | None = None,
    ) -> StepOutcome:
        """Execute the step's tool chain; never raises for a tool's own failure.

        With a `workspace`, every path argument is checked before its tool runs (or is
        looked up in the store); one outside the roots fails the step as an argument error.
        `producers` names the tool that made each upstream output (what flows from it).
        """
        started = time.perf_counter()
        makers = {j: self.registry.find(name) for j, name in (producers or {}).items()}
        previous: Any = None
        previous_spec: ToolSpec | None = None
        artifact: Artifact | None = None
        cached = True
        arguments: dict[str, Any] = {}
        ran: list[float | None] = []
        try:
            for index, name in enumerate(step.tools):
                ran.append(0.0)
                tool_started = time.perf_counter()
                spec = self.registry.get(name)
                arguments = bind_arguments(spec, task.arguments, outputs, defaults, makers)
                if index > 0:
                    self._feed(spec, arguments, flowing_value(previous, previous_spec))
                if workspace is not None:  # the executor sets the out parameter itself
                    workspace.check_arguments(spec, _without(arguments, _out_param(spec)))
                artifact, hit = self._call(spec, arguments)
                cached = cached and hit
                ran[-1] = None if hit else time.perf_counter() - tool_started
                previous, previous_spec = artifact.value, spec
        except Exception as exc:
            return StepOutcome(
                subtask=task.id,
                tool=step.tool,
                tools=step.tools,
                ok=False,
                arguments=_safe(arguments),
                seconds=time.perf_counter() - started,
                error=_error_text(exc),
                argument_error=isinstance(exc, ValidationError | ToolArgumentError),
                ran=[*ran[:-1], time.perf_counter() - tool_started] if ran else [],
            )
        assert artifact is not None
        return StepOutcome(
            subtask=task.id,
            tool=step.tool,
            tools=step.tools,
            ok=True,
            arguments=_safe(arguments),
            output=artifact.value,
            artifact=artifact.path,
            key=artifact.key,
            seconds=0.0 if cached else time.perf_counter() - started,
            cached=cached,
            ran=ran,
        )

    def warm_up(self) -> int:
        """Make ready the processes steps run in before timed work: none here (steps run in
        this process); the number of workers warmed."""
        return 0

    def _feed(self, spec: ToolSpec, arguments: dict[str, Any], previous: Any) -> None:
        """Hand the value flowing from a preparation tool to the next tool of the chain."""
        properties = spec.parameters.get("properties", {})
        for kind in spec.inputs:
            for name in (kind, f"{kind}s", f"{kind}_dir", f"{kind}_path"):
                if name in properties and name not in arguments:
                    arguments[name] = coerce(previous, properties[name])
                    return

    def _call(self, spec: ToolSpec, arguments: dict[str, Any]) -> tuple[Artifact, bool]:
        out_param = _out_param(spec)
        named = {name: arguments[name] for name in spec.paths if name in arguments}
        key = step_key(
            spec.name,
            arguments,
            version=tool_version(spec),
            contents=self.store.contents(_without(named, out_param)),
        )
        if not spec.cacheable:  # its state is not ours (an MCP tool): always call it
            key = step_key(spec.name, {"call": uuid.uuid4().hex}, version=key)
        existing = self.store.get(key)
        if existing is not None:
            return existing, True

        def produce(out_dir):
            call_args = dict(arguments)
            if out_param is not None:
                call_args[out_param] = str(out_dir)
            return spec.invoke(call_args)

        return self.store.put(key, spec.name, produce), False


def executor_kind(kind: str | None = None) -> str:
    """The executor asked for: `kind`, else $TOOLPATH_EXECUTOR, else local."""
    chosen = (kind or os.environ.get(EXECUTOR_ENV) or "local").strip().lower()
    if chosen not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {chosen!r}")
    return chosen


def make_executor(kind: str | None, registry: ToolRegistry, store: ArtifactStore) -> Executor:
    """The local executor, or a RayExecutor (`kind` None reads $TOOLPATH_EXECUTOR)."""
    if executor_kind(kind) == "ray":
        from toolpath.agent.run.ray_executor import RayExecutor  # it builds on Executor

        return RayExecutor(registry, store)
    return Executor(registry, store)


def _out_param(spec: ToolSpec) -> str | None:
    """The parameter the executor points at the artifact's directory, if the tool has one."""
    return next((p for p in OUT_PARAMS if p in spec.parameters.get("properties", {})), None)


def _without(arguments: dict[str, Any], name: str | None) -> dict[str, Any]:
    return {k: v for k, v in arguments.items() if k != name}


def _safe(arguments: dict[str, Any]) -> dict[str, Any]:
    from toolpath.agent.run.artifacts import to_jsonable

    return to_jsonable(arguments)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(map(str, first["loc"]))
        return f"bad arguments: field '{field}': {first['msg']}"
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
