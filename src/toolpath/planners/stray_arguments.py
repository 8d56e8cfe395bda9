"""Arguments written into the wrong call: a small model folds a second function's arguments
into the call it is writing ("tickets" for a match put into a season-ticket renewal, a
class booking's time and mat hire into a pass purchase). When those arguments are exactly
parameters of one offered function the answer does not call, they are that function's
call (`calls_from_stray_arguments`).
"""

from __future__ import annotations

from typing import Any

from toolpath.planners.call_reading import parameter_properties, required_parameters, undeclared
from toolpath.planners.grounding import supplied
from toolpath.tools.spec import ToolSpec


def _stray(call: dict[str, Any], specs: dict[str, ToolSpec]) -> dict[str, Any]:
    """The call's arguments its function does not declare (`call_reading.undeclared`)."""
    spec = specs.get(call.get("name", ""))
    arguments = call.get("arguments")
    if spec is None or not isinstance(arguments, dict):
        return {}
    return undeclared(arguments, spec.parameters)


def _taker(stray: dict[str, Any], specs: dict[str, ToolSpec], called: set[str]) -> str | None:
    """The one uncalled function that declares every stray argument; None for none or
    several."""
    takers = [
        name
        for name, spec in specs.items()
        if name not in called and set(stray) <= set(parameter_properties(spec))
    ]
    return takers[0] if len(takers) == 1 else None


def _new_call(
    host: dict[str, Any], stray: dict[str, Any], spec: ToolSpec, request: str
) -> dict[str, Any] | None:
    """The call to `spec` made of the stray arguments and the host's arguments of the same
    name (the customer's name, postcode, date), when it has every required parameter and
    the request gives one of the stray values (made-up arguments make no call); None
    otherwise."""
    if not any(supplied(value, request, name) for name, value in stray.items()):
        return None
    declared = parameter_properties(spec)
    shared = {k: v for k, v in host["arguments"].items() if k in declared and k not in stray}
    arguments = {**shared, **stray}
    if not required_parameters(spec) <= set(arguments):
        return None
    return {"name": spec.name, "arguments": arguments}


def calls_from_stray_arguments(
    calls: list[dict[str, Any]], specs: dict[str, ToolSpec], request: str, notes: list[str]
) -> list[dict[str, Any]]:
    """The calls, each call's undeclared arguments that make a whole call to the one
    uncalled function declaring all of them (`_taker`, `_new_call`) moved into that call,
    added after the others (so that no `<node-j>` reference moves); noted."""
    if not request:
        return calls
    called = {call.get("name", "") for call in calls}
    hosts, added = [], []
    for index, call in enumerate(calls):
        stray = _stray(call, specs)
        taker = _taker(stray, specs, called) if stray else None
        new = _new_call(call, stray, specs[taker], request) if taker else None
        if new is None:
            hosts.append(call)
            continue
        kept = {k: v for k, v in call["arguments"].items() if k not in stray}
        hosts.append({**call, "arguments": kept})
        added.append(new)
        called.add(taker)
        notes.append(
            f"repaired: call {index} ({call['name']}): {', '.join(stray)} are {taker}'s "
            "parameters; moved to a call of their own"
        )
    return hosts + added
