"""`ToolSpec`: what the planner, the search and the executor know about a tool."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class ToolSpec(BaseModel):
    """A tool: its doc, typed inputs and outputs, parameters, capabilities and priors.

    `fn` is the Python callable for tools of the library; tools imported from foreign
    catalogues (TaskBench, OpenAI function lists) have none and are planned, not run.
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

    def model_post_init(self, __context: Any) -> None:
        if not self.capabilities:
            self.capabilities = [self.name]

    @property
    def runnable(self) -> bool:
        return self.fn is not None

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
        """The tool as an MCP tool description."""
        return {"name": self.name, "description": self.doc, "inputSchema": self.parameters}
