"""Function calls over an OpenAI-function catalogue: typed arguments, the right number of
calls, and no call when no function fits.

The model sees each function's JSON schema and answers with the calls to make (free
text, read back as JSON, or under a JSON schema built from the functions' parameter
schemas; `call_reading` reads the calls); in free text it first lists what the user asks
for ("Needs: ..."), which sets how many calls it writes. Each call is checked against its
function's schema: unambiguous coercions (`coercion`: '10' -> 10 for an integer, an enum
value spelled another way) are made and reported, optional parameters the request does
not give (`grounding`: in any form) are left out, a call none
of whose inputs the request gives is dropped, and what is still wrong is fed back to the
model, as are inputs the request does not give (asked once: the second answer stands).
An answer with no call is a valid plan; its reason says why no function fits.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from toolpath.planners.call_reading import (
    MAX_REASON_CHARS,
    Answer,
    parameter_properties,
    read_calls,
)
from toolpath.planners.coercion import against_the_request, coerce, times_given
from toolpath.planners.enumerations import calls_for_listed_items, calls_for_needs
from toolpath.planners.grounding import CODE, from_request, shares_a_word, supplied
from toolpath.planners.llm import ChatModel, Completion, Usage, continues_answers
from toolpath.planners.matcher import tool_document
from toolpath.planners.mentions import NUMBER, REFERENCE_DATE, WORD
from toolpath.planners.plan import Argument, Plan, SubTask
from toolpath.planners.references import (
    counts_from_one,
    is_ref,
    references,
    renumber,
    results_read,
)
from toolpath.tools.spec import ToolSpec

MAX_CALLS = 10
# Below this cosine similarity (all-MiniLM-L6-v2) between the request and every offered
# function (`matcher.tool_document`), no function fits and the model is not asked. It sits
# just under the lowest similarity of a request some function fits among the 84
# development questions of `toolpath bench functions` (0.149, "Send 'Dinner at 8' to Tom
# and to Priya"); 0.15 was that value with an earlier spelling of the function text.
RELEVANCE_FLOOR = 0.14
OUTPUTS = ("free", "constrained")
STYLES = ("tags", "json")

# What llama.cpp's schema grammar is given of a parameter schema (the rest is prose).
_GRAMMAR_KEYS = {
    "type", "properties", "required", "items", "enum", "const", "anyOf",
    "additionalProperties", "minItems", "maxItems",
}  # fmt: skip

# Tags style only: the things asked for, listed before the calls, set how many calls come
# (on the development questions the model wrote all three weather calls for three cities
# where, without the list, it wrote one).
_NEEDS_RULE = """- First write one line that starts with "Needs:" and lists each separate thing \
the user asks for, separated by ";" (or says that no function does it). Then write one call \
per listed thing.
"""
_RULES = """- Make one call when one call does what the user asks; make one call per item when \
the user asks for several things (the same function several times, or several functions).
- Argument values follow the function's JSON schema: numbers and integers as JSON numbers, \
booleans as true or false, arrays as JSON arrays, objects as JSON objects, an enum value \
exactly as listed.
- Give every required parameter. Leave out an optional parameter unless the user gives its \
value.
- When a call needs the result of an earlier call, write "<node-0>" as the value for the \
result of the first call, "<node-1>" for the second, and so on.
- Call a function only when it does what the user asks. A function on a related subject \
that does something else does not fit: then make no call and say why in one sentence."""

# A worked example with a function no question of the benchmark offers.
_EXAMPLE_TAGS = """Example, with a function get_local_time(city, format): for "What time is it in \
Rome and in Quito?" answer
Needs: time in Rome; time in Quito
<tool_call>
{"name": "get_local_time", "arguments": {"city": "Rome"}}
</tool_call>
<tool_call>
{"name": "get_local_time", "arguments": {"city": "Quito"}}
</tool_call>
and for "Order a taxi" answer
Needs: order a taxi. No function can order a taxi."""

_EXAMPLE_JSON = """Example, with a function get_local_time(city, format): for "What time is it in \
Rome and in Quito?" answer {"calls": [{"name": "get_local_time", "arguments": {"city": "Rome"}}, \
{"name": "get_local_time", "arguments": {"city": "Quito"}}]} and for "Order a taxi" answer \
{"calls": [], "reason": "No function can order a taxi."}"""

_TAGS = """You may call one or more functions to assist with the user query.

You are provided with function signatures within <tools></tools> XML tags:
<tools>
{functions}
</tools>

For each function call, return a json object with function name and arguments within \
<tool_call></tool_call> XML tags:
<tool_call>
{{"name": <function-name>, "arguments": <args-json-object>}}
</tool_call>
"""

_JSON = """You call functions. The functions, as JSON schemas:
{functions}

Answer with one JSON object only: {{"calls": [{{"name": <function-name>, "arguments": \
<args-json-object>}}, ...], "reason": <one sentence, only when "calls" is empty>}}
"""


def _function_json(spec: ToolSpec) -> str:
    entry = {"name": spec.name, "description": spec.doc, "parameters": spec.parameters}
    # what it returns, so "<node-j>.field" can name one field; no rule explains it: with
    # one, the 1.5B model wrote "<node-1> * 4 = <node-2>" where it had written "<node-1>"
    if spec.output_schema is not None:
        entry["returns"] = spec.output_schema
    return json.dumps({"type": "function", "function": entry}, ensure_ascii=False)


def direct_prompt(tools: list[ToolSpec]) -> str:
    """The model's own function-calling system message (no rules): the baseline."""
    return _TAGS.format(functions="\n".join(_function_json(s) for s in tools)).rstrip()


def _date_rule(today: dt.date) -> str:
    return (
        f"\n- Today is {today:%A} {today.isoformat()}: count the dates the user gives "
        "relative to today (tomorrow, on Friday) from it."
    )


def system_prompt(tools: list[ToolSpec], style: str = "tags", today: dt.date | None = None) -> str:
    """Instructions, the functions' schemas and the rules, in one prompt style; with
    `today`, a rule that says the date."""
    if style not in STYLES:
        raise ValueError(f"unknown prompt style {style!r}; choose one of {STYLES}")
    template, example = (_TAGS, _EXAMPLE_TAGS) if style == "tags" else (_JSON, _EXAMPLE_JSON)
    rules = f"Rules:\n{_NEEDS_RULE if style == 'tags' else ''}{_RULES}"
    rules += _date_rule(today) if today else ""
    functions = "\n".join(_function_json(s) for s in tools)
    return f"{template.format(functions=functions)}\n{rules}\n\n{example}"


# -- the answer schema (constrained output) --------------------------------------------------
def _grammar_schema(schema: Any) -> Any:
    """A parameter schema cut to what the grammar needs; objects closed to other keys."""
    if not isinstance(schema, dict):
        return schema
    out = {k: copy.deepcopy(v) for k, v in schema.items() if k in _GRAMMAR_KEYS}
    if "properties" in out:
        out["properties"] = {k: _grammar_schema(v) for k, v in out["properties"].items()}
        out.setdefault("additionalProperties", False)
    if isinstance(out.get("items"), dict):
        out["items"] = _grammar_schema(out["items"])
    if "anyOf" in out:
        out["anyOf"] = [_grammar_schema(v) for v in out["anyOf"]]
    return out


def answer_schema(tools: list[ToolSpec]) -> dict[str, Any]:
    """JSON schema of {"calls": [...], "reason": ...}: each call one function of `tools`
    with arguments of that function's parameter schema; "calls" may be empty."""
    call_options = [
        {
            "type": "object",
            "properties": {
                "name": {"const": spec.name},
                "arguments": _grammar_schema(spec.parameters),
            },
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for spec in tools
    ]
    return {
        "type": "object",
        "properties": {
            "calls": {"type": "array", "items": {"anyOf": call_options}, "maxItems": MAX_CALLS},
            "reason": {"type": "string", "maxLength": MAX_REASON_CHARS},
        },
        "required": ["calls"],
        "additionalProperties": False,
    }


# -- the checks -------------------------------------------------------------------------------
def _message(error: Any, where: str) -> str:
    path = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"{where}{path}: {error.message}"


def _fillable(value: Any) -> bool:
    """A scalar, a list of scalars or an object of scalars ({"start": "00:00", "end":
    "06:00"}): what a model fills in unasked."""
    if isinstance(value, dict):
        return bool(value) and _fillable(list(value.values()))
    items = value if isinstance(value, list) else [value]
    return all(isinstance(item, str | int | float) for item in items)


_DEFAULT = re.compile(r"\bdefault(?:s to| is|:)?\s+([\w.+-]+)", re.I)
_NO_DEFAULT = object()


def _stated_default(prop: Any) -> Any:
    """A parameter's default: its schema's `default`, or the word after "default" in its
    description ("(default false)", "default 16", "default metric" of an enum), typed like
    the parameter; `_NO_DEFAULT` when neither says."""
    if not isinstance(prop, dict):
        return _NO_DEFAULT
    if "default" in prop:
        return prop["default"]
    found = _DEFAULT.search(str(prop.get("description", "")))
    if found is None:
        return _NO_DEFAULT
    word = found.group(1).rstrip(".").casefold()
    kind = prop.get("type")
    if kind == "boolean":
        return {"true": True, "false": False}.get(word, _NO_DEFAULT)
    if kind in ("integer", "number"):
        return float(word) if NUMBER.match(word) else _NO_DEFAULT
    # a text default is a value only when it is one of the enum's ("default today" is not)
    listed = [str(v).casefold() for v in prop.get("enum", [])]
    return word if word in listed else _NO_DEFAULT


def _chosen(value: Any, prop: Any) -> bool:
    """A scalar set against its stated default: the model chose it, it did not fill it in
    ("imperial" where the default is metric, 20 characters where it is 16)."""
    default = _stated_default(prop)
    if default is _NO_DEFAULT or isinstance(value, list | dict):
        return False
    if isinstance(value, bool) or isinstance(default, bool):
        return isinstance(value, bool) and isinstance(default, bool) and value != default
    if isinstance(value, int | float):
        return not isinstance(default, int | float) or float(value) != float(default)
    return str(value).strip().casefold() != str(default).casefold()


def _repeated(name: str, value: Any, arguments: dict[str, Any], required: set[str]) -> str | None:
    """The required argument whose text of two words or more `value` repeats ("dentist":
    "Ruby Cole" beside "patient_name": "Ruby Cole"), or None."""
    if not isinstance(value, str) or len(value.split()) < 2:
        return None
    same = value.strip().casefold()
    return next(
        (
            k
            for k, v in arguments.items()
            if k != name and k in required and isinstance(v, str) and v.strip().casefold() == same
        ),
        None,
    )


def _ungrounded_optional(
    arguments: dict[str, Any], schema: dict[str, Any], request: str, where: str, index: int = 0
) -> tuple[dict[str, Any], list[str]]:
    """Optional arguments of plain values (`_fillable`) the request does not mention are left
    out (small models fill them with defaults or guesses); a boolean stays when the request
    names it, and any scalar when it is set against its stated default. An optional
    argument that reads this call's own result or a later one's cannot be meant, nor one
    that repeats a required argument's name or phrase: it goes."""
    required = set(schema.get("required", []))
    properties = schema.get("properties", {})
    kept, notes = {}, []
    for name, value in arguments.items():
        if name not in required and any(ref >= index for ref in references(value)):
            notes.append(f"{where}: optional {name} reads a result not made yet; left out")
            continue
        if name not in required and (twin := _repeated(name, value, arguments, required)):
            notes.append(f"{where}: optional {name} repeats {twin}; left out")
            continue
        if (
            name in required
            or not _fillable(value)
            or supplied(value, request, name)
            or _chosen(value, properties.get(name))
        ):
            kept[name] = value
        else:
            notes.append(
                f"{where}: optional {name}={json.dumps(value)} is not in the request; left out"
            )
    return kept, notes


def check_call(
    call: dict[str, Any],
    specs: dict[str, ToolSpec],
    index: int,
    request: str = "",
    taken: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], list[str], list[str]]:
    """(the call repaired, problems left, repairs made) for call number `index`; with a
    `request`, optional arguments it does not mention are left out. `taken`: times of day
    other calls give (`coercion.against_the_request`)."""
    name, arguments = call["name"], call["arguments"]
    notes: list[str] = []
    if name not in specs:
        close = closest_function(name, specs)
        if close is None:
            known = ", ".join(list(specs)[:12])
            return call, [f"call {index}: there is no function {name!r} (functions: {known})"], []
        notes.append(f"repaired: call {index}: function {name!r} -> {close!r}")
        name = close
    where = f"call {index} ({name})"
    if not isinstance(arguments, dict):
        return call, [f"{where}: arguments must be a JSON object"], notes
    schema = specs[name].parameters
    arguments, more = coerce(arguments, schema, where)
    if request:
        arguments, repaired = against_the_request(arguments, schema, request, where, taken)
        more += repaired
        arguments, dropped = _ungrounded_optional(arguments, schema, request, where, index)
        more += dropped
    notes += [f"repaired: {note}" for note in more]
    errors = _schema_errors(arguments, schema)
    problems = [_message(e, where) for e in sorted(errors, key=lambda e: list(e.absolute_path))]
    problems += _impossible_dates(arguments, where)
    return {"name": name, "arguments": arguments}, problems, notes


def _schema_errors(arguments: Any, schema: dict[str, Any]) -> list[Any]:
    """The arguments' JSON-schema errors, but for references (<node-j>) to other results."""
    return [
        e for e in Draft202012Validator(schema).iter_errors(arguments) if not is_ref(e.instance)
    ]


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?=$|T)")


def _impossible_dates(value: Any, where: str) -> list[str]:
    """Dates written YYYY-MM-DD that no calendar has ("2026-02-29", "2025-04-31")."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _impossible_dates(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _impossible_dates(v, f"{where}[{i}]")]
    day = _ISO_DAY.match(value) if isinstance(value, str) else None
    if day is None:
        return []
    try:
        dt.date(*(int(part) for part in day.groups()))
    except ValueError:
        return [f"{where}: {value!r} is no date on the calendar"]
    return []


@dataclass
class Checked:
    """An answer's calls after the checks: what is left wrong, what was repaired, and the
    functions it asked for that the list does not offer (dropped)."""

    calls: list[dict[str, Any]]
    problems: list[str]
    notes: list[str]
    missing: list[str]
    unsupplied: list[str] = field(default_factory=list)  # made-up inputs of kept calls
    beyond: list[str] = field(default_factory=list)  # values outside an enum: calls dropped


def _same_word(a: str, b: str) -> bool:
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def _words_kept(words: list[str], offered: list[str]) -> bool:
    """`words` are `offered` with words dropped from either end ("checkin_online" of
    "flight_checkin_online"), two of them at least."""
    size = len(words)
    return 2 <= size < len(offered) and any(
        offered[start : start + size] == words for start in range(len(offered) - size + 1)
    )


def closest_function(name: str, specs: dict[str, ToolSpec]) -> str | None:
    """The offered function `name` misspells: the same words with other separators or
    case ("getWeather", "get_weather"), each word a near spelling of the function's
    ("get_wether"), or the only function whose name holds its words in a row ("checkin_
    online" for "flight_checkin_online"), or the one named alike but for a prefix no
    function has (`_other_prefix`). A different word is another function ("note_delete" is
    not "note_create"), so None."""
    if name in specs:
        return name
    words = WORD.findall(name.casefold())
    for close in difflib.get_close_matches(name, list(specs), 3, 0.8):
        offered = WORD.findall(close.casefold())
        if "".join(words) == "".join(offered) or (
            len(words) == len(offered) and all(map(_same_word, words, offered))
        ):
            return close
    holding = [n for n in specs if _words_kept(words, WORD.findall(n.casefold()))]
    if len(holding) == 1:
        return holding[0]
    return _other_prefix(words, specs)


def _other_prefix(words: list[str], specs: dict[str, ToolSpec]) -> str | None:
    """The only offered function named like `words` but for its first word, a prefix no
    offered function has ("bookwall_induction_book" for "climbwall_induction_book"); two
    words after the prefix at least."""
    offered = {name: WORD.findall(name.casefold()) for name in specs}
    if len(words) < 3 or words[0] in {parts[0] for parts in offered.values() if parts}:
        return None
    alike = [name for name, parts in offered.items() if parts[1:] == words[1:]]
    return alike[0] if len(alike) == 1 else None


def _offered(name: str, specs: dict[str, ToolSpec]) -> bool:
    return closest_function(name, specs) is not None


def _is_choice(value: Any, prop: Any) -> bool:
    """A choice among the function's own options, not an input the request must supply: a
    boolean, one of the parameter's enum values, or a list of its items' enum values."""
    if isinstance(value, bool) or not isinstance(prop, dict):
        return isinstance(value, bool)
    if value in prop.get("enum", []):
        return True
    options = prop.get("items", {}).get("enum", []) if isinstance(prop.get("items"), dict) else []
    return isinstance(value, list) and bool(value) and all(item in options for item in value)


def _inputs(
    call: dict[str, Any], specs: dict[str, ToolSpec], *, optional: bool = False
) -> list[str]:
    """The call's required arguments (with `optional`, all of them) that are inputs the
    request must supply: not choices (`_is_choice`), and not the number 1, which a singular
    request says ("tomorrow's forecast" is 1 day, "a table" 1 table)."""
    spec = specs.get(call["name"])
    arguments = call.get("arguments")
    if spec is None or not isinstance(arguments, dict):
        return []
    properties = parameter_properties(spec)
    names = arguments if optional else spec.parameters.get("required", [])
    return [
        name
        for name in names
        if name in arguments
        and not _is_choice(arguments[name], properties.get(name))
        and not _is_one(arguments[name])
    ]


def _invented(call: dict[str, Any], specs: dict[str, ToolSpec], request: str) -> list[str]:
    """The call's inputs (`_inputs`) that neither the request nor another call supplies:
    the model made them up ("2023-04-15" for a tide question that gives no date). A code
    (AAPL, ORD) may be the model's knowledge of a name the request gives ("Apple",
    "Chicago"): it counts only when no input comes from the request."""
    inputs, invented = _unsourced(call, specs, request)
    if len(invented) == len(inputs):
        return invented
    arguments = call["arguments"]
    return [name for name in invented if not CODE.fullmatch(str(arguments[name]).strip())]


def _made_up(call: dict[str, Any], specs: dict[str, ToolSpec], request: str, index: int) -> bool:
    """No input of the call, required or optional, comes from the request, and it has a
    required one: the function does not do what was asked (a BMI from made-up weights for a
    question about boiling water). Its own result is no input it was given."""
    required = _inputs(call, specs)
    inputs = _inputs(call, specs, optional=True)
    arguments = call.get("arguments") or {}
    return bool(required) and not any(
        from_request(arguments[k], request, k) and index not in references(arguments[k])
        for k in inputs
    )


def _unsourced(
    call: dict[str, Any], specs: dict[str, ToolSpec], request: str
) -> tuple[list[str], list[str]]:
    """(the call's inputs, those that neither the request nor another call supplies)."""
    inputs = _inputs(call, specs)
    arguments = call.get("arguments") or {}
    return inputs, [k for k in inputs if not from_request(arguments[k], request, k)]


def _is_one(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and value == 1


def _kept_calls(
    calls: list[dict[str, Any]], specs: dict[str, ToolSpec], request: str, notes: list[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The calls worth checking, references renumbered, and the functions asked for that
    the list does not offer. A call to such a function goes (the model's way of saying that
    nothing fits), and so does a made-up call (`_made_up`) that no other call reads."""
    read = results_read(calls)
    kept, missing = [], []
    for index, call in enumerate(calls):
        if not _offered(call["name"], specs):
            missing.append(call["name"])
            notes.append(f"repaired: {call['name']!r} is not offered; call dropped")
        elif request and index not in read and _made_up(call, specs, request, index):
            notes.append(
                f"repaired: call {index} ({call['name']}): none of its inputs is in the "
                "request; call dropped"
            )
        else:
            kept.append(index)
    return (calls if len(kept) == len(calls) else _only(calls, kept)), missing


def _only(calls: list[dict[str, Any]], kept: list[int]) -> list[dict[str, Any]]:
    """The calls at the `kept` indices, their references renumbered to the new positions."""
    shift = {old: new for new, old in enumerate(kept)}
    return [{**calls[i], "arguments": renumber(calls[i]["arguments"], shift)} for i in kept]


def one_call_per_item(
    calls: list[dict[str, Any]], specs: dict[str, ToolSpec], notes: list[str]
) -> list[dict[str, Any]]:
    """A call giving a list where its parameter takes one value (`booking_ref: ["GT-7781",
    "GT-7790"]`) becomes a call for each item; only where one argument is such a list and
    no call reads another's result."""
    if results_read(calls):
        return calls
    out: list[dict[str, Any]] = []
    for call in calls:
        spec = specs.get(call.get("name", ""))
        arguments = call.get("arguments")
        properties = parameter_properties(spec) if spec is not None else {}
        lists = [
            name
            for name, value in (arguments.items() if isinstance(arguments, dict) else [])
            if isinstance(value, list) and value and _takes_one(properties.get(name))
        ]
        if len(lists) != 1:
            out.append(call)
            continue
        name = lists[0]
        out += [{**call, "arguments": {**arguments, name: item}} for item in arguments[name]]
        notes.append(
            f"repaired: {call['name']}: {name} lists {len(arguments[name])} values where it "
            "takes one; a call for each"
        )
    return out


def _takes_one(prop: Any) -> bool:
    return isinstance(prop, dict) and prop.get("type") in ("string", "integer", "number")


def check_answer(answer: Answer, specs: dict[str, ToolSpec], request: str = "") -> Checked:
    """The whole answer checked. Repeated identical calls go, and so do calls `_kept_calls`
    leaves out; each further item of a list the request gives gets its call
    (`enumerations`); inputs the request does not give are listed (`unsupplied`)."""
    calls, problems, notes, seen = [], list(answer.problems), [], set()
    spread = one_call_per_item(_from_zero(answer.calls, notes), specs, notes)
    kept, missing = _kept_calls(spread, specs, request, notes)
    if request:
        kept = calls_for_listed_items(kept, request, notes)
        kept = calls_for_needs(kept, answer.needs, notes)
    given = [times_given(call.get("arguments")) for call in kept]
    for position, call in enumerate(kept):
        key = json.dumps(call, sort_keys=True, default=str)
        if key in seen:
            notes.append(f"repaired: call {len(calls)} repeated an earlier call; dropped")
            continue
        seen.add(key)
        taken = frozenset().union(*(times for i, times in enumerate(given) if i != position))
        checked, wrong, more = check_call(call, specs, len(calls), request, taken)
        calls.append(checked)
        problems += wrong
        notes += more
    plan_problems = [str(p) for p in calls_plan(calls).problems()]
    unsupplied = _unsupplied(calls, specs, request) if request else []
    return Checked(calls, problems + plan_problems, notes, missing, unsupplied)


def _unsupplied(calls: list[dict[str, Any]], specs: dict[str, ToolSpec], request: str) -> list[str]:
    """Each kept call's made-up inputs (`_invented`), as `call i (name): k=value`."""
    return [
        f"call {index} ({call['name']}): {name}={json.dumps(call['arguments'][name])}"
        for index, call in enumerate(calls)
        for name in _invented(call, specs, request)
    ]


def _from_zero(calls: list[dict[str, Any]], notes: list[str]) -> list[dict[str, Any]]:
    """Calls whose references count from 1 (`references.counts_from_one`, the rule the
    TaskBench repair uses) renumbered from 0."""
    pairs = [(i, r) for i, call in enumerate(calls) for r in references(call.get("arguments"))]
    if not counts_from_one(pairs, len(calls)):
        return calls
    notes.append("repaired: <node-j> references were numbered from 1; shifted to 0-based")
    shift = {r: r - 1 for _, r in pairs}
    return [{**call, "arguments": renumber(call.get("arguments"), shift)} for call in calls]


def calls_plan(calls: list[dict[str, Any]], request: str = "") -> Plan:
    """The calls as a plan: one node per call, `<node-j>` values its edges."""
    subtasks = [
        SubTask(
            id=index,
            description=f"call {call['name']}",
            capability=call["name"],
            arguments=[Argument(name=k, value=v) for k, v in call["arguments"].items()]
            if isinstance(call["arguments"], dict)
            else [],
        )
        for index, call in enumerate(calls)
    ]
    return Plan(request=request, subtasks=subtasks)


def tool_calls(plan: Plan) -> list[dict[str, Any]]:
    """The plan as OpenAI `tool_calls` (arguments as a JSON string)."""
    return [
        {
            "id": f"call_{task.id}",
            "type": "function",
            "function": {
                "name": task.capability,
                "arguments": json.dumps(
                    {a.name: a.value for a in task.arguments}, ensure_ascii=False
                ),
            },
        }
        for task in plan.subtasks
    ]


def feedback_message(problems: list[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems[:6])
    return f"Those calls do not fit the functions' schemas:\n{listed}\nAnswer again, corrected."


def unsupplied_message(unsupplied: list[str]) -> str:
    """Ask once about inputs the request does not give: the model either takes them from
    the request or finds that no function does what is asked. A second answer stands (the
    checks cannot read every form a value takes: "ORD" for Chicago)."""
    listed = "\n".join(f"- {item}" for item in unsupplied[:6])
    return (
        f"The request does not give these values:\n{listed}\nIf it does, answer again with "
        "its values; if no function does what is asked, make no call and say why."
    )


def _named_functions(text: str, specs: dict[str, ToolSpec]) -> list[str]:
    """Offered functions an answer with no call names: the model wrote a call's arguments
    as prose ("Needs: set_thermostat; room: office"), it did not decline."""
    return [name for name in specs if _names(text, name)]


def _names(text: str, function: str) -> bool:
    return re.search(rf"\b{re.escape(function)}\b", text) is not None


def _follows_what_it_wrote(added: Answer, before: str) -> bool:
    """Every function the continuation calls is named in what the model wrote before it,
    or shares a word with that ("podcast_search" after "Needs: podcast search"; not
    "define_word" after "Needs: summary of Hamlet's plot")."""
    return all(
        _names(before, c["name"]) or shares_a_word(c["name"].replace("_", " "), before)
        for c in added.calls
    )


def keeps_continuation(
    raw: str, before: Answer, checked: Checked, added: Answer, after: Checked
) -> bool:
    """Whether an answer (`raw`, read as `before`, checked as `checked`) continued by the
    model (`added`; the whole checked as `after`) replaces it. After no call: when the calls
    added follow what it wrote (`_follows_what_it_wrote`; their checks come next, as for
    any answer). After calls that stood: when the calls added follow what it wrote too, and
    the checked calls are more than before with nothing wrong or unsupplied (not a repeat,
    nor a JSON call in place of calls its prose made)."""
    if not added.calls:
        return False
    if not before.calls:
        return _follows_what_it_wrote(added, raw)
    return (
        not after.problems
        and not after.unsupplied
        and len(after.calls) > len(checked.calls)
        and _follows_what_it_wrote(added, raw)
    )


def _reason(answer: Answer, checked: Checked) -> str:
    if answer.reason:
        return answer.reason
    if checked.missing:
        return f"no function fits: the request needs {', '.join(checked.missing)}, not offered"
    if checked.beyond:
        return f"no function fits: {'; '.join(checked.beyond[:3])}"
    return "no function fits the request"


# -- the caller -------------------------------------------------------------------------------
def retry_message(
    answer: Answer, checked: Checked, raw: str, specs: dict[str, ToolSpec]
) -> str | None:
    """What to tell the model before another attempt; None when the answer stands."""
    if checked.problems:
        return feedback_message(checked.problems)
    if checked.unsupplied:
        return unsupplied_message(checked.unsupplied)
    return _no_call_message(answer, raw, specs)


def _no_call_message(answer: Answer, raw: str, specs: dict[str, ToolSpec]) -> str | None:
    """Ask for the calls of an answer that stopped before writing any: it named offered
    functions, or listed what the request needs without saying that nothing fits."""
    unwritten = [] if answer.calls else _named_functions(raw, specs)
    if not unwritten:
        return _needs_without_calls(answer, raw)
    needs = "; ".join(
        f"{name} requires {', '.join(specs[name].parameters.get('required', []))}"
        for name in unwritten
        if specs[name].parameters.get("required")
    )
    return (
        f"You named {', '.join(unwritten)} but wrote no <tool_call>"
        + (f" ({needs})" if needs else "")
        + ". Write each call in <tool_call></tool_call> tags, with every required argument, "
        "or say why no function fits."
    )


_DECLINES = re.compile(
    r"\bno (?:offered |such )?function|\bnone of the functions|\bcan(?:no|')t\b|\bcan not\b"
    r"|\bnot (?:possible|available|offered|supported)\b",
    re.I,
)


def _needs_without_calls(answer: Answer, raw: str) -> str | None:
    """The model listed what the request needs and stopped before any call, without saying
    that no function fits: ask for the calls once."""
    if answer.calls or not answer.needs or _DECLINES.search(raw):
        return None
    return (
        "You listed what the request needs but wrote no <tool_call>. Write each call in "
        "<tool_call></tool_call> tags, with every required argument, or say why no "
        "function fits."
    )


def without_calls_beyond_options(checked: Checked, specs: dict[str, ToolSpec]) -> Checked:
    """After the last attempt: when every problem left is a value outside a parameter's
    enum ("handbag" for an engraving's item), the calls holding one go, noted (the function
    cannot do what is asked, as with a function not offered); any other problem leaves the
    answer as it is."""
    outside = set()
    for index, call in enumerate(checked.calls):
        spec = specs.get(call["name"])
        if spec is None:
            return checked
        errors = _schema_errors(call["arguments"], spec.parameters)
        if errors and any(e.validator != "enum" for e in errors):
            return checked
        if errors:
            outside.add(index)
    if (
        not outside
        or results_read(checked.calls) & outside
        or not all(any(p.startswith(f"call {i} ") for i in outside) for p in checked.problems)
    ):
        return checked
    notes = [
        f"dropped: {p} (after the last attempt: the function cannot do this)"
        for p in checked.problems
    ]
    calls = _only(checked.calls, [i for i in range(len(checked.calls)) if i not in outside])
    return Checked(calls, [], checked.notes + notes, checked.missing, beyond=checked.problems)


@dataclass
class CallsResult:
    """The calls as a plan, why there is none (when none), and how they were obtained."""

    plan: Plan
    reason: str
    attempts: int
    usage: Usage
    notes: list[str]
    raw: str
    first_raw: str  # the first attempt's answer, with its continuation when one was kept
    problems: list[str] = field(default_factory=list)


class FunctionCaller:
    """Request + function list -> checked calls, through a `ChatModel`.

    `output`: "free" (the answer read as JSON from text) or "constrained" (under
    `answer_schema`); `style`: "tags" (the model's own <tool_call> format) or "json"
    (one {"calls": [...]} object). Free output in the tags style is the default: it
    scored best on `toolpath bench functions` (see the README). `relevance_floor`: below
    this similarity of the request to every function, no call is made (None: always ask).
    `today`: the date the prompt states and relative dates in the request are read on
    (`mentions.REFERENCE_DATE`); None: the prompt states no date.
    """

    def __init__(
        self,
        llm: ChatModel,
        tools: list[ToolSpec],
        *,
        output: str = "free",
        style: str = "tags",
        max_retries: int = 1,
        max_tokens: int = 512,
        relevance_floor: float | None = RELEVANCE_FLOOR,
        today: dt.date | None = None,
    ) -> None:
        if output not in OUTPUTS:
            raise ValueError(f"unknown output {output!r}; choose one of {OUTPUTS}")
        if output == "constrained":
            style = "json"
        self.llm, self.tools, self.output, self.style = llm, tools, output, style
        self.max_retries, self.max_tokens = max_retries, max_tokens
        self.relevance_floor = relevance_floor
        self.today = today
        self.specs = {spec.name: spec for spec in tools}

    def messages(self, request: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": system_prompt(self.tools, self.style, self.today)},
            {"role": "user", "content": request},
        ]

    def relevance(self, request: str) -> float | None:
        """The highest cosine similarity of the request to an offered function's name and
        description; None without the embedding model (the `retrieval` extra)."""
        try:
            from toolpath.tools.retrieval.embedder import embed
        except ImportError:
            return None
        documents = [tool_document(spec) for spec in self.tools]
        vectors = embed([request, *documents])
        return float((vectors[1:] @ vectors[0]).max()) if documents else None

    def _nothing_fits(self, request: str) -> CallsResult | None:
        """An empty plan without asking the model, when the request is far from every
        function (below `relevance_floor`)."""
        if self.relevance_floor is None:
            return None
        score = self.relevance(request)
        if score is None or score >= self.relevance_floor:
            return None
        reason = f"no function fits: the request is far from every function ({score:.2f})"
        return CallsResult(
            plan=calls_plan([], request), reason=reason, attempts=0, usage=Usage(),
            notes=[reason], raw="", first_raw="",
        )  # fmt: skip

    def _read(self, raw: str, notes: list[str], attempt: int) -> Answer:
        """The answer's calls (`read_calls`), noting a fallback reading."""
        answer, note = read_calls(raw, self.specs)
        if note:
            notes.append(f"attempt {attempt}: {note}")
        return answer

    def _continuable(self, answer: Answer, checked: Checked, raw: str) -> bool:
        """Whether to let the model go on from a new line after its answer: one that stopped
        before its calls (a Needs line and nothing after: cheaper and surer than asking
        again), or one whose calls stand (it may have stopped before the last of them).
        Only where the backend continues answers (`continues_answers`), in free tags."""
        if self.style != "tags" or self.output != "free" or not continues_answers(self.llm):
            return False
        if checked.problems or checked.unsupplied:
            return False
        return bool(answer.calls) or _no_call_message(answer, raw, self.specs) is not None

    def _went_on(
        self, messages: list[dict[str, str]], raw: str, before: tuple[Answer, Checked], request: str
    ) -> tuple[str, Completion, str]:
        """The model's answer continued from a new line: the answer it makes now (the old
        one unless `keeps_continuation`), the completion, and a note ("" for none)."""
        start = {"role": "assistant", "content": raw.rstrip() + "\n"}
        completion = self.llm.complete([*messages, start], max_tokens=self.max_tokens)
        added = read_calls(completion.text.removeprefix(start["content"]), self.specs)[0]
        after = check_answer(read_calls(completion.text, self.specs)[0], self.specs, request)
        if keeps_continuation(raw, *before, added, after):
            return completion.text, completion, "continued: calls added"
        if added.calls:
            return raw, completion, "continued: the calls added not kept"
        return raw, completion, "" if before[0].calls else "continued: no call added"

    def call(self, request: str) -> CallsResult:
        """The calls for `request`; `problems` is non-empty when retries ran out."""
        day = REFERENCE_DATE.set(self.today)
        try:
            return self._call(request)
        finally:
            REFERENCE_DATE.reset(day)

    def _call(self, request: str) -> CallsResult:
        far = self._nothing_fits(request)
        if far is not None:
            return far
        messages = self.messages(request)
        schema = answer_schema(self.tools) if self.output == "constrained" else None
        usage, notes, first_raw, continued = Usage(), [], "", False
        for attempt in range(1, self.max_retries + 2):
            completion = self.llm.complete(messages, schema=schema, max_tokens=self.max_tokens)
            usage, raw = usage + completion.usage, completion.text
            answer = self._read(raw, notes, attempt)
            checked = check_answer(answer, self.specs, request)
            if not continued and self._continuable(answer, checked, raw):
                continued, before = True, raw
                raw, completion, note = self._went_on(messages, raw, (answer, checked), request)
                usage = usage + completion.usage
                notes += [f"attempt {attempt}: {note}"] if note else []
                if raw != before:
                    answer = self._read(raw, notes, attempt)
                    checked = check_answer(answer, self.specs, request)
            first_raw = first_raw or raw
            notes += [f"attempt {attempt}: {m}" for m in [*checked.problems, *checked.notes]]
            last = attempt == self.max_retries + 1
            retry = None if last else retry_message(answer, checked, raw, self.specs)
            if last and checked.problems:
                checked = without_calls_beyond_options(checked, self.specs)
            if retry is None:
                return CallsResult(
                    plan=calls_plan(checked.calls, request),
                    reason="" if checked.calls else _reason(answer, checked),
                    attempts=attempt,
                    usage=usage,
                    notes=notes,
                    raw=raw,
                    first_raw=first_raw,
                    problems=checked.problems,
                )
            if not checked.problems:
                notes.append(f"attempt {attempt}: {retry}")
            messages = [
                *messages,
                {"role": "assistant", "content": raw},
                {"role": "user", "content": retry},
            ]
        raise AssertionError("unreachable")
