"""`ToolSpec`: what the planner, the search and the executor know about a tool."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from toolpath.tools.resources import check_type_name

_TOOL_NAME = re.compile(r"^[^\s<>\"'][^\n<>\"']{0,127}$")
_OPENAI_NAME = re.compile(r"[^A-Za-z0-9_\-]")


class ToolArgumentError(ValueError):
    """The tool cannot run with the arguments it was given (a missing or unusable one).

    Says nothing about how well the tool works, so the agent does not count it against
    the tool's quality estimate."""


class CostPrior(BaseModel):
    """Expected cost in seconds: `seconds + per_unit * scale`.

    `unit` says what the scale counts (e.g. "billion_params" for a merge), so that a cost
    measured on one size of input predicts the cost on another.
    """

    model_config = ConfigDict(frozen=True)

    seconds: float = Field(1.0, ge=0)
    per_unit: float = Field(0.0, ge=0)
    unit: str | None = None

    def expected(self, scale: float = 0.0) -> float:
        """Expected seconds for an input of the given scale."""
        return self.seconds + self.per_unit * max(scale, 0.0)


class ToolResources(BaseModel):
    """What one call of the tool needs on the machine that runs it (the Ray executor asks
    the cluster for it; the local executor ignores it)."""

    cpus: float = Field(1.0, ge=0)
    gpus: float = Field(0.0, ge=0)
    memory_gb: float = Field(0.0, ge=0, description="0: no reservation")


class ToolSpec(BaseModel):
    """A tool: its doc, typed inputs and outputs, parameters, capabilities and priors.

    `fn` is the Python callable for tools of the library; tools imported from foreign
    catalogues (TaskBench, OpenAI function lists) have none and are planned, not run.

    `output_schema` (the JSON schema of what the tool returns) declares the output;
    `flows` then names the field a downstream `<node-j>` receives (None: the whole
    output). For an array output, `flows` names the field taken from each item.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    doc: str
    inputs: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    capabilities: list[str] = Field(default_factory=list)
    cost: CostPrior = Field(default_factory=CostPrior)
    quality: float = Field(0.8, gt=0, le=1)
    paths: list[str] = Field(
        default_factory=list, description="parameters that hold file or folder paths"
    )
    output_schema: dict[str, Any] | None = Field(
        None, description="JSON schema of the output; set = the tool declares what flows on"
    )
    flows: str | None = Field(
        None, description="the output field a downstream <node-j> receives; None: all of it"
    )
    origin: str | None = Field(
        None, description="where a foreign tool runs (e.g. 'mcp:notes'); None: toolpath's own"
    )
    changes: bool = Field(
        False, description="the tool changes things outside toolpath (needs approval in serve)"
    )
    cacheable: bool = Field(
        True, description="the same call on the same inputs may reuse a stored output"
    )
    resources: ToolResources = Field(
        default_factory=ToolResources, description="CPUs, GPUs and memory one call needs"
    )
    fn: Callable[..., Any] | None = Field(default=None, exclude=True, repr=False)
    params_model: type[BaseModel] | None = Field(default=None, exclude=True, repr=False)

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        if not name or not _TOOL_NAME.match(name):
            raise ValueError(
                f"invalid tool name {name!r}: 1-128 characters, no quotes, <, > or newline"
            )
        return name

    @field_validator("inputs", "outputs")
    @classmethod
    def _check_types(cls, types: list[str]) -> list[str]:
        return [check_type_name(t) for t in types]

    @field_validator("capabilities")
    @classmethod
    def _default_capability(cls, capabilities: list[str]) -> list[str]:
        return list(dict.fromkeys(capabilities))

    @model_validator(mode="after")
    def _check_flows(self) -> ToolSpec:
        if self.flows is None:
            return self
        if self.output_schema is None:
            raise ValueError(f"tool {self.name!r}: flows={self.flows!r} needs an output_schema")
        if self.flows not in output_fields(self.output_schema):
            raise ValueError(
                f"tool {self.name!r}: flows={self.flows!r} is not a field of its output_schema"
            )
        return self

    def model_post_init(self, __context: Any) -> None:
        if not self.capabilities:
            self.capabilities = [self.name]

    @property
    def runnable(self) -> bool:
        return self.fn is not None

    @property
    def declares_output(self) -> bool:
        """Whether the tool says what it returns (and so which value flows on)."""
        return self.output_schema is not None

    def flowing(self, output: Any, field: str | None = None) -> Any:
        """The value of `output` that a downstream step receives: `field` (default: the
        declared `flows`) of a dict output, or of each item of a list output."""
        field = field or self.flows
        return output if field is None else pick_field(output, field)

    def invoke(self, arguments: dict[str, Any]) -> Any:
        """Validate `arguments` against the tool's parameters and call it."""
        if self.fn is None:
            raise RuntimeError(f"tool {self.name!r} comes from a catalogue and cannot be run")
        if self.params_model is None:
            return self.fn(**arguments)
        validated = self.params_model.model_validate(arguments)
        if getattr(self.fn, "__toolpath_takes_model__", False):
            return self.fn(validated)
        return self.fn(**{name: getattr(validated, name) for name in type(validated).model_fields})

    @property
    def openai_name(self) -> str:
        """The name as OpenAI function names allow it (other characters become `_`)."""
        return _OPENAI_NAME.sub("_", self.name)

    def openai_schema(self) -> dict[str, Any]:
        """The tool as an OpenAI tool (function-calling) schema."""
        return {
            "type": "function",
            "function": {
                "name": self.openai_name,
                "description": self.doc,
                "parameters": self.parameters,
            },
        }

    def mcp_schema(self) -> dict[str, Any]:
        """The tool as an MCP tool description (with `outputSchema` when the tool declares an
        object output, as MCP allows only objects there)."""
        schema = {"name": self.name, "description": self.doc, "inputSchema": self.parameters}
        if self.output_schema is not None and self.output_schema.get("type") == "object":
            schema["outputSchema"] = self.output_schema
        return schema


def output_fields(schema: dict[str, Any]) -> set[str]:
    """The field names of an output schema: an object's properties, or its items' for an
    array."""
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    return set(schema.get("properties", {}))


def pick_field(output: Any, field: str) -> Any:
    """`output[field]` for a dict, `[item[field] ...]` for a list of dicts; KeyError when
    the field is missing."""
    if isinstance(output, dict):
        if field not in output:
            raise KeyError(f"output has no field {field!r} (fields: {sorted(output)})")
        return output[field]
    if isinstance(output, list) and all(isinstance(item, dict) for item in output):
        return [pick_field(item, field) for item in output]
    raise KeyError(f"cannot take field {field!r} of a {type(output).__name__} output")
