"""Reading the calls out of a model's answer: `<tool_call>` blocks, a {"calls": [...]}
object, bare call objects, and calls written as Python or as prose instead of JSON.
Reading never runs anything: JSON is decoded, Python is parsed (`ast`) and only literals
are read."""

from __future__ import annotations

import ast
import contextlib
import json
import re
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import json_repair

from toolpath.tools.spec import ToolSpec

MAX_REASON_CHARS = 200
TOOL_CALL = re.compile(r"<tool_call>(.*?)(?:</tool_call>|$)", re.S)


def is_scalar(value: Any) -> bool:
    """A text or a number (not a boolean): a value a request can state."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def parameter_properties(spec: ToolSpec) -> dict[str, Any]:
    """The `properties` of a function's parameter schema ({} without one)."""
    return spec.parameters.get("properties", {}) if spec.parameters else {}


def required_parameters(spec: ToolSpec) -> set[str]:
    """The parameters a function's schema requires (none without a schema)."""
    return set(spec.parameters.get("required", [])) if spec.parameters else set()


def undeclared(arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The arguments a function's parameter schema does not declare ({} where it declares
    no properties or allows others, `additionalProperties`)."""
    properties = schema.get("properties")
    if not isinstance(properties, dict) or schema.get("additionalProperties", False):
        return {}
    return {name: value for name, value in arguments.items() if name not in properties}


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; one call object that gives its "arguments" several times ({"name":
    "signup", "arguments": {...}, "arguments": {...}}, as small models write parallel
    calls) is that many calls, {"calls": [...]}, instead of its last arguments only."""
    value = dict(pairs)
    arguments = [v for key, v in pairs if key == "arguments"]
    if len(arguments) > 1 and isinstance(value.get("name"), str):
        return {"calls": [{"name": value["name"], "arguments": a} for a in arguments]}
    return value


def _repaired_call(text: str, start: int) -> tuple[Any, int] | None:
    """A call object whose brackets balance in number but not in kind, repaired
    (`json_repair`): `...}]}]}` for `...}]}}`. A cut-off object is not completed, and only
    an object naming a call ("name", or "calls") is taken, so prose in braces stays prose."""
    end = _closing(text, start)
    if end is None:
        return None
    value = json_repair.repair_json(
        text[start : end + 1], return_objects=True, skip_json_loads=True
    )
    if isinstance(value, dict) and (isinstance(value.get("name"), str) or "calls" in value):
        return value, end + 1
    return None


def json_values(text: str) -> list[Any]:
    """Every top-level JSON object or array written in the text, in order; a call object
    written with mismatched brackets is read repaired."""
    decoder = json.JSONDecoder(object_pairs_hook=_object)
    found, index = [], 0
    while index < len(text):
        starts = [i for i in (text.find("{", index), text.find("[", index)) if i >= 0]
        if not starts:
            break
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            repaired = _repaired_call(text, start) if text[start] == "{" else None
            if repaired is None:
                index = start + 1
                continue
            value, end = repaired
        found.append(value)
        index = end
    return found


def _as_call(value: Any) -> dict[str, Any] | None:
    """{"name", "arguments"} from the spellings models use, or None."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("function"), dict):
        value = value["function"]
    name = value.get("name")
    if not isinstance(name, str):
        return None
    arguments = value.get("arguments", value.get("parameters", {}))
    if isinstance(arguments, str):
        with contextlib.suppress(json.JSONDecodeError):
            arguments = json.loads(arguments) if arguments.strip() else {}
    return {"name": name, "arguments": arguments}


def _calls_in(value: Any) -> list[dict[str, Any]] | None:
    if isinstance(value, dict) and isinstance(value.get("calls"), list):
        value = value["calls"]
    items = value if isinstance(value, list) else [value]
    calls = [_as_call(item) for item in items]
    if not calls or any(c is None for c in calls):
        return [] if isinstance(value, list) and not value else None
    return calls  # type: ignore[return-value]


@dataclass
class Answer:
    """The calls read from a model's answer, its stated reason, reading problems, and the
    separate things its "Needs:" line lists."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    problems: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)


def read_answer(text: str) -> Answer:
    """The calls in an answer: <tool_call> blocks, a {"calls": [...]} object, a list of
    calls or bare call objects; text without any call is a plan with no call."""
    blocks = TOOL_CALL.findall(text)
    values = [v for block in blocks for v in json_values(block)] if blocks else json_values(text)
    if blocks and not values:
        return Answer(problems=["a <tool_call> block does not hold a JSON object"])
    calls: list[dict[str, Any]] = []
    reason = ""
    for value in values:
        if isinstance(value, dict) and isinstance(value.get("reason"), str):
            reason = value["reason"]
        found = _calls_in(value)
        if found is not None:
            calls.extend(found)
    if not calls and not reason:
        prose = TOOL_CALL.sub("", text).strip()
        if "{" in prose and not values:
            return Answer(problems=["the answer is not valid JSON"])
        reason = prose if not values else reason
    return Answer(calls=calls, reason=" ".join(reason.split())[:MAX_REASON_CHARS])


_PROSE_PIECE = re.compile(r"[;\n]\s*|,\s*(?=[A-Za-z_][\w.]*\s*[:=;\n])")
PROSE_PAIR = re.compile(r"^([A-Za-z_]\w*)\s*[:=]\s*(.+)$", re.S)  # "start_time: 14:00"
_SPACED_PAIR = re.compile(r"^([A-Za-z_]\w*)\s+(\S.*)$", re.S)
_NEEDS_LINE = re.compile(r"(?m)^(?=\s*Needs:)", re.I)
_NEEDS = re.compile(r"^\s*needs:\s*", re.I | re.M)


def _prose_value(text: str) -> Any:
    with contextlib.suppress(json.JSONDecodeError):
        return json.loads(text)
    return text.strip().strip("\"'`").strip()


def _prose_pieces(text: str) -> list[str]:
    """The pieces of a prose answer: split at ";" and line ends, and at a comma that a
    `parameter:` follows (a value may hold commas: "350 5th Ave, New York")."""
    pieces = (piece.strip().rstrip(".") for piece in _PROSE_PIECE.split(_NEEDS.sub("", text)))
    return [piece for piece in pieces if piece]


def _prose_pair(piece: str, properties: dict[str, Any]) -> tuple[str, Any] | None:
    """(parameter, value) of `parameter: value`, `parameter = value` or `parameter value`
    when `parameter` is one of `properties`; None otherwise."""
    for pattern in (PROSE_PAIR, _SPACED_PAIR):
        found = pattern.match(piece)
        if found and found.group(1) in properties:
            return found.group(1), _prose_value(found.group(2))
    return None


def _complete(call: dict[str, Any], specs: dict[str, ToolSpec]) -> bool:
    return bool(call["arguments"]) and required_parameters(specs[call["name"]]) <= set(
        call["arguments"]
    )


def _unnamed_call(pieces: list[str], specs: dict[str, ToolSpec]) -> list[dict[str, Any]]:
    """The call of prose that lists arguments but names no function ("Needs: price
    estimate; pickup: Ferry Building; dropoff: SFO"): the one offered function that has
    every `parameter: value` given and is given all it requires, with the most arguments
    (a tie is no call: the prose does not say which)."""
    named = {m.group(1) for p in pieces if (m := PROSE_PAIR.match(p))}
    fitting = []
    for name, spec in specs.items():
        properties = parameter_properties(spec)
        pairs = [pair for piece in pieces if (pair := _prose_pair(piece, properties))]
        call = {"name": name, "arguments": dict(pairs)}
        if named <= set(properties) and _complete(call, specs):
            fitting.append(call)
    fitting.sort(key=lambda call: -len(call["arguments"]))
    if not fitting or (
        len(fitting) > 1 and len(fitting[1]["arguments"]) == len(fitting[0]["arguments"])
    ):
        return []
    return fitting[:1]


def _is_array(prop: Any) -> bool:
    return isinstance(prop, dict) and prop.get("type") == "array"


def _as_items(value: Any) -> list[Any]:
    """A prose value for an array parameter as its items: "push, email" or "[a, b]"."""
    if isinstance(value, list):
        return value
    text = str(value).strip()
    text = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    return [_prose_value(item) for item in text.split(",") if item.strip()]


class _ProseCalls:
    """The calls prose writes, piece by piece (see `prose_calls`)."""

    def __init__(self, specs: dict[str, ToolSpec]) -> None:
        self.specs = specs
        self.calls: list[dict[str, Any]] = []
        self.group: list[dict[str, Any]] = []  # the last function's calls (copies)
        self.last_array: str | None = None  # the parameter a bare piece adds an item to
        self.set_since_copy: set[str] = set()  # what the prose gave the last copy itself

    def read(self, piece: str) -> None:
        name = "_".join(piece.split())  # "restaurant reservation create" names a function too
        if name in self.specs:
            self.group = [{"name": name, "arguments": {}}]
            self.calls += self.group
            self.last_array, self.set_since_copy = None, set()
            return
        if not self.calls:
            return
        last = self.calls[-1]
        properties = parameter_properties(self.specs[last["name"]])
        pair = _prose_pair(piece, properties)
        if pair is None:
            if self.last_array is not None:  # "channels: push, email;" split at the comma
                for call in self.group:
                    call["arguments"][self.last_array].append(_prose_value(piece))
            return
        key, value = pair
        self.last_array = key if _is_array(properties[key]) else None
        if self.last_array is not None:
            items = _as_items(value)
            for call in self.group:
                call["arguments"].setdefault(key, []).extend(items)
        elif key in last["arguments"] and len(self.group) > 1 and key not in self.set_since_copy:
            last["arguments"][key] = value  # the copy's own value: "date: ...; hours: 4"
            self.set_since_copy.add(key)
        elif key in last["arguments"]:  # a value given again: another call with it
            copy = {"name": last["name"], "arguments": {**deepcopy(last["arguments"]), key: value}}
            self.calls.append(copy)
            self.group.append(copy)
            self.set_since_copy = {key}
        else:
            for call in self.group:
                call["arguments"][key] = value


def prose_calls(text: str, specs: dict[str, ToolSpec]) -> list[dict[str, Any]]:
    """Calls written as prose instead of JSON ("Needs: resize_image; path = cat.png;
    width = 640"): an offered function's name (or its words apart), then `parameter:
    value`, `parameter = value` or `parameter value` pieces. A value is read as JSON where
    it is JSON, else as text; an array parameter's value as its items ("tags: a, b"); a
    parameter given again starts another call with the new value ("episode=10; episode=11"
    are two calls). A call missing a required parameter is not read. Without any function's
    name, or when no named call is complete, the one function those arguments fit
    (`_unnamed_call`): one for each "Needs:" line when two or more lines give calls."""
    pieces = _prose_pieces(text)
    reader = _ProseCalls(specs)
    for piece in pieces:
        reader.read(piece)
    complete = [call for call in reader.calls if _complete(call, specs)]
    if complete:
        return complete
    lines = [line for line in _NEEDS_LINE.split(text) if line.strip()]
    each = [call for line in lines for call in _unnamed_call(_prose_pieces(line), specs)]
    return each if len(each) > 1 else _unnamed_call(pieces, specs)


_PYTHON_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


def _closing(text: str, start: int) -> int | None:
    """The index of the bracket that closes the one at `start`, brackets of every kind
    counted alike ("{[}}" closes at its last "}"), quotes respected; None if none does."""
    depth, quote = 0, ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote and text[index - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index
    return None


def _json_like(value: Any) -> Any:
    """A Python literal as JSON would hold it (tuples as lists); ValueError otherwise."""
    if isinstance(value, list | tuple):
        return [_json_like(item) for item in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_like(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"{type(value).__name__} is not a JSON value")


_JSON_NAMES = {"true": True, "false": False, "null": None}


def _literal(node: ast.expr) -> Any:
    """A literal's value, JSON's true, false and null read as Python's (never run)."""
    if isinstance(node, ast.Name) and node.id in _JSON_NAMES:
        return _JSON_NAMES[node.id]
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(item) for item in node.elts]
    if isinstance(node, ast.Dict) and None not in node.keys:
        pairs = zip(node.keys, node.values, strict=True)
        return {_literal(k): _literal(v) for k, v in pairs if k is not None}
    return ast.literal_eval(node)


def python_calls(text: str, specs: dict[str, ToolSpec]) -> list[dict[str, Any]]:
    """Calls written as Python (`lights_control(room="kitchen", on=False)`): an offered
    function's name and keyword arguments whose values are literals (JSON's true, false,
    null too). The text is parsed, never run (`ast.literal_eval` reads each value); a call
    with a positional argument or anything but a literal is not read."""
    calls = []
    for match in _PYTHON_CALL.finditer(text):
        end = _closing(text, match.end() - 1) if match.group(1) in specs else None
        if end is None or text[end] != ")":
            continue
        try:
            node = ast.parse(text[match.start() : end + 1], mode="eval").body
            if not isinstance(node, ast.Call) or node.args:
                continue
            arguments = {k.arg: _json_like(_literal(k.value)) for k in node.keywords if k.arg}
        except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
            continue
        calls.append({"name": match.group(1), "arguments": arguments})
    return calls


def read_calls(raw: str, specs: dict[str, ToolSpec]) -> tuple[Answer, str]:
    """The answer's calls (`read_answer`), or one written as a Needs line naming the function
    and an "Arguments:" line (`named_arguments_calls`); when it has none, calls written as
    Python (`python_calls`), else as prose (`prose_calls`). Also a note naming the fallback."""
    needs = needs_items(raw)
    named = named_arguments_calls(raw, specs, needs)
    if named:
        note = "repaired: 1 call read from an Arguments line"
        return Answer(calls=named, needs=needs), note
    answer = read_answer(raw)
    answer.needs = needs
    if answer.calls or answer.problems:
        return answer, ""
    for kind, reader in (("Python", python_calls), ("prose", prose_calls)):
        calls = reader(raw, specs)
        if calls:
            note = f"repaired: {len(calls)} call(s) read from {kind}"
            return Answer(calls=calls, needs=answer.needs), note
    return answer, ""


_ARGUMENTS_LINE = re.compile(r"^\s*Arguments:\s*(?=\{)", re.I | re.M)
_IDENTIFIER = re.compile(r"[A-Za-z]\w*_\w+")


def named_arguments_calls(
    raw: str, specs: dict[str, ToolSpec], needs: list[str]
) -> list[dict[str, Any]]:
    """The call of an answer written as "Needs: function_name" and then "Arguments: {...}",
    without <tool_call> tags (`needs`: its Needs line's items), and the calls written as
    JSON after it (a continuation's); the function is the offered one the Needs line names,
    else its one function-like name (a misspelt name is the checks' to mend:
    `closest_function`), else the one function the arguments fit (`_only_declaring`). No
    call for any other answer, so an argument called "name" is not read as a function."""
    found = _ARGUMENTS_LINE.search(raw)
    if found is None or TOOL_CALL.search(raw):
        return []
    values = json_values(raw[found.end() :])
    if not values or not isinstance(values[0], dict):
        return []
    names = [item for item in needs if _IDENTIFIER.fullmatch(item)]
    offered = [name for name in names if name in specs]
    name = offered[0] if offered else names[0] if len(names) == 1 else None
    name = name or _only_declaring(values[0], specs)
    if name is None:
        return []
    more = [v for v in values[1:] if isinstance(v, dict) and set(v) == {"name", "arguments"}]
    return [{"name": name, "arguments": values[0]}, *more]


def _only_declaring(arguments: dict[str, Any], specs: dict[str, ToolSpec]) -> str | None:
    """The one offered function that declares every key of `arguments` and is given every
    required one ("Needs: make a donation" and then the donation's arguments); None for
    none or several."""
    fits = [
        name
        for name, spec in specs.items()
        if set(arguments) <= set(parameter_properties(spec))
        and required_parameters(spec) <= set(arguments)
    ]
    return fits[0] if len(fits) == 1 else None


def needs_items(raw: str) -> list[str]:
    """The separate things the answer's first "Needs:" line lists (split at ";")."""
    found = _NEEDS.search(raw)
    if found is None:
        return []
    line = raw[found.end() :].split("\n", 1)[0]
    return [item.strip().rstrip(".") for item in line.split(";") if item.strip()]


LOOP_REPEATS = 3  # one item this many times in a Needs line: the model is looping


def without_needs_loop(raw: str) -> str | None:
    """The answer cut to a Needs line of its distinct items, in order, when that line ends
    the answer and lists one item `LOOP_REPEATS` times or more (the small model repeating it
    until its token limit: "board up broken glass; board up broken glass; ..."); a last item
    cut off by the limit (the start of another) is left out. None otherwise."""
    found = _NEEDS.search(raw)
    if found is None or "\n" in raw[found.end() :].rstrip():
        return None
    line = raw[found.end() :].rstrip()
    items = [item.strip() for item in line.split(";") if item.strip()]
    keys = [item.casefold().rstrip(".") for item in items]
    if not keys or max(map(keys.count, keys)) < LOOP_REPEATS:
        return None
    if keys.count(keys[-1]) == 1 and any(k != keys[-1] and k.startswith(keys[-1]) for k in keys):
        keys, items = keys[:-1], items[:-1]  # cut off by the token limit
    first = [items[keys.index(key)] for key in dict.fromkeys(keys)]
    return f"{raw[: found.start()]}Needs: {'; '.join(first)}"
