"""The tool registry and the `@tool` decorator that fills it."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, create_model

from toolpath.tools.spec import CostPrior, ToolResources, ToolSpec
from toolpath.tools.workspace import PATH_PARAMS

F = TypeVar("F", bound=Callable[..., Any])


class UnknownToolError(KeyError):
    """A tool name that the registry does not hold."""

    def __str__(self) -> str:
        return str(self.args[0])


class ToolRegistry:
    """Tools by name, in registration order."""

    def __init__(self, specs: Iterable[ToolSpec] = ()) -> None:
        self._specs: dict[str, ToolSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: ToolSpec, *, replace: bool = False) -> ToolSpec:
        if spec.name in self._specs and not replace:
            raise ValueError(f"tool {spec.name!r} is already registered")
        self._specs[spec.name] = spec
        return spec

    def get(self, name: str) -> ToolSpec:
        try:
            return self._specs[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._specs, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise UnknownToolError(f"unknown tool {name!r}{hint}") from None

    def find(self, name: str) -> ToolSpec | None:
        """The tool's spec, None when no such tool is registered."""
        return self._specs.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[ToolSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def names(self) -> list[str]:
        return list(self._specs)

    def capabilities(self) -> set[str]:
        return {cap for spec in self for cap in spec.capabilities}

    def with_capability(self, capability: str) -> list[ToolSpec]:
        return [spec for spec in self if capability in spec.capabilities]


default_registry = ToolRegistry()


def params_model_for(fn: Callable[..., Any]) -> tuple[type[BaseModel], bool]:
    """The pydantic model of a function's parameters, and whether fn takes that model whole.

    A function whose only parameter is annotated with a pydantic model uses that model;
    any other function gets a model built from its signature.
    """
    signature = inspect.signature(fn)
    hints = inspect.get_annotations(fn, eval_str=True)
    params = list(signature.parameters.values())
    if len(params) == 1:
        annotation = hints.get(params[0].name)
        if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            return annotation, True
    fields: dict[str, Any] = {}
    for param in params:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"tool {fn.__name__!r}: *args/**kwargs cannot be typed parameters")
        annotation = hints.get(param.name, Any)
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (annotation, default)
    model = create_model(f"{fn.__name__}_params", **fields)  # type: ignore[call-overload]
    return model, False


def tool(
    *,
    capabilities: list[str],
    inputs: list[str] | None = None,
    outputs: list[str] | None = None,
    cost: CostPrior | float = 1.0,
    quality: float = 0.8,
    name: str | None = None,
    doc: str | None = None,
    registry: ToolRegistry | None = None,
    paths: list[str] | None = None,
    output_schema: dict[str, Any] | None = None,
    flows: str | None = None,
    resources: ToolResources | None = None,
) -> Callable[[F], F]:
    """Register a typed Python function as a tool.

    The doc defaults to the function's docstring; the parameters come from a pydantic
    model (when the function takes one) or from the signature. `paths` names the
    parameters that hold paths (the workspace policy checks them); by default, those
    whose name is in workspace.PATH_PARAMS. `output_schema` (JSON schema of the result)
    and `flows` (its field that a downstream `<node-j>` receives; None: all of it) declare
    the output, so the executor need not guess. `resources` is what one call needs (CPUs,
    GPUs, memory) when steps run on a Ray cluster.
    """

    def register(fn: F) -> F:
        model, takes_model = params_model_for(fn)
        fn.__toolpath_takes_model__ = takes_model  # type: ignore[attr-defined]
        description = doc or inspect.getdoc(fn)
        if not description:
            raise ValueError(f"tool {fn.__name__!r} needs a doc (a docstring or doc=...)")
        spec = ToolSpec(
            name=name or fn.__name__,
            doc=description,
            inputs=inputs or [],
            outputs=outputs or [],
            parameters=model.model_json_schema(),
            capabilities=capabilities,
            cost=cost if isinstance(cost, CostPrior) else CostPrior(seconds=cost),
            quality=quality,
            paths=paths if paths is not None else sorted(PATH_PARAMS & set(model.model_fields)),
            output_schema=output_schema,
            flows=flows,
            resources=resources or ToolResources(),
            fn=fn,
            params_model=model,
        )
        (registry if registry is not None else default_registry).add(spec)
        fn.__toolpath_spec__ = spec  # type: ignore[attr-defined]
        return fn

    return register
