"""The checks of an answer's function calls (`check_answer`), before they become a plan.

Each call is checked against its function's schema: unambiguous coercions (`coercion`:
'10' -> 10 for an integer, an enum value spelled another way) are made and reported,
values are put in the request's form, optional parameters the request does not give
(`grounding`: in any form) are left out, a call none of whose inputs the request gives is
dropped, a list where one value goes becomes a call per item, and what is still wrong is
listed (`Checked.problems`), as are inputs the request does not give (`Checked.unsupplied`).
After the last attempt, calls still failing go where others stand or their only fault is
a value outside an enum (`without_failing_calls`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from toolpath.planners.call_context import CallContext
from toolpath.planners.call_reading import Answer, is_scalar, parameter_properties, undeclared
from toolpath.planners.coercion import (
    against_the_request,
    coerce,
    is_code,
    values_given,
    without_repeated_codes,
)
from toolpath.planners.enumerations import calls_for_listed_items, calls_for_needs
from toolpath.planners.grounding import (
    CODE,
    from_request,
    grounded,
    name_parts,
    shares_a_word,
    stem_in,
    supplied,
)
from toolpath.planners.mentions import ISO_DATE, NEGATIONS, WORD, fold, mentions, sentences
from toolpath.planners.option_repairs import LIST_SEPARATORS, item_schema
from toolpath.planners.parameter_words import (
    NO_DEFAULT,
    distinct_words,
    names_one,
    stated_default,
)
from toolpath.planners.placement import (
    items_where_named,
    optional_values_where_named,
    switches_where_named,
    times_where_named,
)
from toolpath.planners.plan import Argument, Plan, SubTask
from toolpath.planners.references import (
    counts_from_one,
    is_ref,
    references,
    renumber,
    results_read,
)
from toolpath.planners.stray_arguments import calls_from_stray_arguments
from toolpath.tools.spec import ToolSpec


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


def _chosen(value: Any, prop: Any) -> bool:
    """A scalar set against its stated default: the model chose it, it did not fill it in
    ("imperial" where the default is metric, 20 characters where it is 16)."""
    default = stated_default(prop)
    if default is NO_DEFAULT or isinstance(value, list | dict):
        return False
    if isinstance(value, bool) or isinstance(default, bool):
        return isinstance(value, bool) and isinstance(default, bool) and value != default
    if isinstance(value, int | float):
        return not isinstance(default, int | float) or float(value) != float(default)
    return str(value).strip().casefold() != str(default).casefold()


def _options_said(value: Any, prop: Any, request: str) -> bool:
    """One of the parameter's enum options, or a list of them (`_is_choice`), each sharing
    a word with the request (["no_cooking_facilities"] for "they can't cook anything",
    "maxi_12yd" for "make it a maxi"); an invented option is rarely said."""
    return _is_choice(value, prop) and all(shares_a_word(item, request) for item in _items(value))


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


_DECLINE = re.compile(r"\b(?:rather than|instead of)\b")


def _declined_words(sentence: str) -> list[str]:
    """The words of a sentence that may name what it declines: all of them with a negation
    ("we won't need one of yours"), those after "rather than" or "instead of" ("quote us
    first rather than swapping them"), else none."""
    words = WORD.findall(fold(sentence))
    if NEGATIONS & set(words):
        return words
    found = _DECLINE.search(" ".join(words))
    return found.string[found.end() :].split() if found else []


def _declined_defaults(
    arguments: dict[str, Any], schema: dict[str, Any], request: str, where: str
) -> tuple[dict[str, Any], list[str]]:
    """A boolean whose stated default is true is false when a sentence of the request that
    names it (a word of its name or description, `grounding.stem_in`) declines it
    (`_declined_words`: "he won't need to borrow kit" for `hire_kit`, "don't bother storing
    the summer ones" for `store_removed`, "rather than swapping them on the day" for
    `replace_condemned`, described "replace on the day any extinguisher that fails"):
    the model keeps the default, and leaving the default out says nothing."""
    notes = []
    declining = [_declined_words(sentence) for sentence in sentences(request)]
    properties = schema.get("properties", {})
    for name, prop in properties.items():
        if stated_default(prop) is not True or arguments.get(name) is False:
            continue
        own = distinct_words(name, properties)
        if any(stem_in(word, words) for words in declining for word in own):
            notes.append(f"{where}: {name} false: the request declines it (default true)")
            arguments = {**arguments, name: False}
    return arguments, notes


def _stated_switches(
    arguments: dict[str, Any], call: CallContext
) -> tuple[dict[str, Any], list[str]]:
    """A boolean left out (or written false, where there is no other call to set it for)
    whose name's words (of four letters or more) one sentence of the request all says, with
    no negation, beside a value of this call, is true unless its stated default is: "we're
    local residents and we'd love a hut at West Cliff" sets `resident`, "a leasehold flat
    at £215,000" `leasehold`, "I'm thirty weeks pregnant and my lower back is killing me"
    `pregnant`; not "if you ever get lobster in, give me a text" for a platter's
    `add_lobster`, nor in a sentence that gives another call's text (`taken`: "for Oslo
    and, hour by hour, for Rome")."""
    notes = []
    said = [
        WORD.findall(fold(sentence))
        for sentence in sentences(call.request)
        if any(grounded(v, sentence, k) for k, v in arguments.items() if is_scalar(v))
        and not any(grounded(text, sentence) for text in call.taken)
    ]
    for name, prop in call.schema.get("properties", {}).items():
        own = name_parts(name)
        written = name in arguments
        if (
            (written and (arguments[name] is not False or call.taken))
            or not isinstance(prop, dict)
            or prop.get("type") != "boolean"
            or stated_default(prop) is True
            or not own
        ):
            continue
        if any(
            not NEGATIONS & set(words) and all(stem_in(part, words) for part in own)
            for words in said
        ):
            notes.append(f"{call.where}: {name} true: the request says it")
            arguments = {**arguments, name: True}
    return arguments, notes


def _unnamed_switch(name: str, value: Any, properties: dict[str, Any], request: str) -> bool:
    """A true the request names by no word of its own (`distinct_words`): set against a
    default false, it is the model's guess ("crackers" for a cheese wedding cake, "express"
    for trousers wanted in a week), not the user's choice. A plural word names its singular
    too ("cars": "bringing the car"). A false against a default true stays: a user turns a
    feature off in words of their own ("in black and white" for `color`)."""
    if value is not True:
        return False
    words = mentions(request).words
    return not names_one(distinct_words(name, properties), words)


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
            or (
                _chosen(value, properties.get(name))
                and not _unnamed_switch(name, value, properties, request)
            )
            or _options_said(value, properties.get(name), request)
        ):
            kept[name] = value
        else:
            notes.append(
                f"{where}: optional {name}={json.dumps(value)} is not in the request; left out"
            )
    return kept, notes


def _undeclared(
    arguments: dict[str, Any], schema: dict[str, Any], where: str
) -> tuple[dict[str, Any], list[str]]:
    """Arguments the function does not declare are left out (a model carries one over from
    another function's call: "tickets" for a season-ticket renewal), unless its schema
    allows others (`additionalProperties`)."""
    stray = undeclared(arguments, schema)
    kept = {k: v for k, v in arguments.items() if k not in stray}
    return kept, [f"{where}: {k} is not a parameter; left out" for k in stray]


def _lifted(
    arguments: dict[str, Any], schema: dict[str, Any], where: str
) -> tuple[dict[str, Any], list[str]]:
    """A parameter of the function written inside the items of a list parameter, where the
    items do not declare it ("name_embroidery" put in a kit order's item), goes up to the
    call's own parameters when the call does not give it already and the items holding it
    agree on its value."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return arguments, []
    notes = []
    for name, value in list(arguments.items()):
        declared = item_schema(properties.get(name)).get("properties")
        if not isinstance(value, list) or not isinstance(declared, dict):
            continue
        held = {k for item in value if isinstance(item, dict) for k in item}
        for key in sorted(held - set(declared) - set(arguments)):
            values = [item[key] for item in value if isinstance(item, dict) and key in item]
            if key not in properties or any(v != values[0] for v in values):
                continue
            value = [
                {k: v for k, v in item.items() if k != key} if isinstance(item, dict) else item
                for item in value
            ]
            arguments = {**arguments, name: value, key: values[0]}
            notes.append(f"{where}.{name}: {key} is the call's own parameter; moved to it")
    return arguments, notes


def check_call(
    call: dict[str, Any],
    specs: dict[str, ToolSpec],
    index: int,
    request: str = "",
    taken: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], list[str], list[str]]:
    """(the call repaired, problems left, repairs made) for call number `index`; with a
    `request`, optional arguments it does not mention are left out. `taken`: texts and times
    of day other calls give (`coercion.against_the_request`)."""
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
    arguments, lifted = _lifted(arguments, schema, where)
    arguments, more = _undeclared(arguments, schema, where)
    more = lifted + more
    arguments, coerced = coerce(arguments, schema, where)
    more += coerced
    if isinstance(arguments, dict):
        arguments, cut = without_repeated_codes(arguments, where)
        more += cut
    if request:
        context = CallContext(schema, request, where, taken)
        arguments, repaired = against_the_request(arguments, context)
        more += repaired
        arguments, declined = _declined_defaults(arguments, schema, request, where)
        more += declined
        arguments, dropped = _ungrounded_optional(arguments, schema, request, where, index)
        more += dropped
        arguments, stated = _stated_switches(arguments, context)
        more += stated
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

    @property
    def stands(self) -> bool:
        """Calls, with nothing wrong and nothing made up: an answer a second ask may keep."""
        return bool(self.calls) and not self.problems and not self.unsupplied


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
    options = item_schema(prop).get("enum", [])
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


def without_options_run_through(
    calls: list[dict[str, Any]], specs: dict[str, ToolSpec], request: str, notes: list[str]
) -> list[dict[str, Any]]:
    """Three calls or more to one function, alike but for one enum option each
    ("hearing_test", "aid_fitting", "aid_review", ...): the model ran through the options.
    Those whose option the request gives stay; when it gives none, the first (the model's
    own choice) stays. Only where no call reads another's result."""
    if results_read(calls):
        return calls
    runs: dict[tuple[str, str, str], list[int]] = {}
    for index, call in enumerate(calls):
        for name in _options_set(call, specs):
            rest = {k: v for k, v in call["arguments"].items() if k != name}
            key = (call["name"], name, json.dumps(rest, sort_keys=True, default=str))
            runs.setdefault(key, []).append(index)
    dropped: set[int] = set()
    for (function, name, _), members in runs.items():
        if len({calls[i]["arguments"][name] for i in members}) < 3:
            continue
        given = [i for i in members if supplied(calls[i]["arguments"][name], request, name)]
        dropped |= set(members) - set(given or members[:1])
        notes.append(
            f"repaired: {function}: {len(members)} calls alike but for {name}; only "
            + ("those with a value the request gives" if given else "the first")
            + " kept"
        )
    return _only(calls, [i for i in range(len(calls)) if i not in dropped]) if dropped else calls


def _options_set(call: dict[str, Any], specs: dict[str, ToolSpec]) -> list[str]:
    """The call's arguments that hold one of their parameter's enum options."""
    spec = specs.get(call["name"])
    arguments = call.get("arguments")
    if spec is None or not isinstance(arguments, dict):
        return []
    properties = parameter_properties(spec)
    return [
        name
        for name, value in arguments.items()
        if isinstance(prop := properties.get(name), dict)
        and isinstance(value, str)
        and value in prop.get("enum", [])
    ]


def _only(calls: list[dict[str, Any]], kept: list[int]) -> list[dict[str, Any]]:
    """The calls at the `kept` indices, their references renumbered to the new positions."""
    shift = {old: new for new, old in enumerate(kept)}
    return [{**calls[i], "arguments": renumber(calls[i]["arguments"], shift)} for i in kept]


def one_call_per_item(
    calls: list[dict[str, Any]], specs: dict[str, ToolSpec], notes: list[str], request: str = ""
) -> list[dict[str, Any]]:
    """A call giving several values where its parameter takes one becomes a call for each:
    a list (`booking_ref: ["GT-7781", "GT-7790"]`), or a text joining references the
    request gives each on its own (`"CAT-1187;CAT-1192"`, `_joined_codes`); only where one
    argument is such and no call reads another's result."""
    if results_read(calls):
        return calls
    out: list[dict[str, Any]] = []
    for call in calls:
        spec = specs.get(call.get("name", ""))
        arguments = call.get("arguments")
        properties = parameter_properties(spec) if spec is not None else {}
        several = {
            name: items
            for name, value in (arguments.items() if isinstance(arguments, dict) else [])
            if _takes_one(properties.get(name))
            and (items := value if isinstance(value, list) else _joined_codes(value, request))
        }
        if len(several) != 1:
            out.append(call)
            continue
        ((name, items),) = several.items()
        out += [{**call, "arguments": {**arguments, name: item}} for item in items]
        notes.append(
            f"repaired: {call['name']}: {name} gives {len(items)} values where it takes one; "
            "a call for each"
        )
    return out


def _joined_codes(value: Any, request: str) -> list[str] | None:
    """The references ("CAT-1187") a text joins with commas, semicolons or "and", when the
    request gives each on its own and not the whole; None otherwise."""
    if not isinstance(value, str) or not request or value in request:
        return None
    parts = [part for part in LIST_SEPARATORS.split(value.strip()) if part]
    if len(parts) < 2 or not all(is_code(part) and part in request for part in parts):
        return None
    return parts


def _takes_one(prop: Any) -> bool:
    return isinstance(prop, dict) and prop.get("type") in ("string", "integer", "number")


def _without_repeats(
    calls: list[dict[str, Any]], notes: list[str], stage: str = ""
) -> list[dict[str, Any]]:
    """The calls less each one identical to an earlier one (the same function and
    arguments: the same action twice), noted; as they are when a call reads another's
    result (dropping one would renumber them)."""
    if results_read(calls):
        return calls
    kept, seen = [], set()
    for position, call in enumerate(calls):
        key = json.dumps(call, sort_keys=True, default=str)
        if key in seen:
            notes.append(f"repaired: call {position} repeated an earlier call{stage}; dropped")
            continue
        seen.add(key)
        kept.append(call)
    return kept


def check_answer(answer: Answer, specs: dict[str, ToolSpec], request: str = "") -> Checked:
    """The whole answer checked. Repeated identical calls go, and so do calls `_kept_calls`
    leaves out; each further item of a list the request gives gets its call
    (`enumerations`); inputs the request does not give are listed (`unsupplied`)."""
    calls, problems, notes = [], list(answer.problems), []
    spread = one_call_per_item(_from_zero(answer.calls, notes), specs, notes, request)
    spread = calls_from_stray_arguments(spread, specs, request, notes)
    kept, missing = _kept_calls(spread, specs, request, notes)
    if request:
        kept = without_options_run_through(kept, specs, request, notes)
        kept = calls_for_listed_items(kept, request, notes)
        kept = calls_for_needs(kept, answer.needs, notes)
    kept = _without_repeats(kept, notes)
    given = [values_given(call.get("arguments")) for call in kept]
    for position, call in enumerate(kept):
        taken = frozenset().union(*(values for i, values in enumerate(given) if i != position))
        checked, wrong, more = check_call(call, specs, len(calls), request, taken)
        calls.append(checked)
        problems += wrong
        notes += more
    if request:
        calls = switches_where_named(calls, specs, request, notes)
        calls = items_where_named(calls, request, notes)
        calls = times_where_named(calls, request, notes)
        calls = optional_values_where_named(calls, specs, request, notes)
        calls = _without_repeats(calls, notes, stage=" once repaired")
    plan_problems = [str(p) for p in calls_plan(calls).problems()]
    unsupplied = _unsupplied(calls, specs, request) if request else []
    return Checked(calls, problems + plan_problems, notes, missing, unsupplied)


def without_invented_calls(checked: Checked, specs: dict[str, ToolSpec], request: str) -> Checked:
    """The checked calls less those with an input the request does not give (`_invented`),
    noted; as they are when another call reads one of those, or when none is left."""
    invented = {i for i, call in enumerate(checked.calls) if _invented(call, specs, request)}
    if not invented or len(invented) == len(checked.calls):
        return checked
    if results_read(checked.calls) & invented:
        return checked
    kept = [i for i in range(len(checked.calls)) if i not in invented]
    notes = [f"repaired: calls {sorted(invented)} had values the request does not give; dropped"]
    return Checked(_only(checked.calls, kept), [], checked.notes + notes, checked.missing)


def without_unasked_calls(
    checked: Checked, specs: dict[str, ToolSpec], request: str, nearest: set[str]
) -> Checked:
    """Of two calls or more, those to a function that is the nearest to no part of the
    request (`nearest`: `coverage.nearest_functions`) and that pick an option of theirs the
    request does not say (`_unsaid_option`) go, noted: the small model adds a call the
    request never asked for ("pet_tag" engraving beside keys cut and shoes heeled). Kept
    when another call reads one, or when none would be left."""
    calls = checked.calls
    unasked = {
        i
        for i, call in enumerate(calls)
        if call["name"] not in nearest and _unsaid_option(call, specs, request)
    }
    if len(calls) < 2 or not unasked or len(unasked) == len(calls):
        return checked
    if results_read(calls) & unasked:
        return checked
    kept = [i for i in range(len(calls)) if i not in unasked]
    notes = [
        f"repaired: call {i} ({calls[i]['name']}) picks an option the request does not say "
        "and no part of the request is nearest its function; dropped"
        for i in sorted(unasked)
    ]
    return Checked(_only(calls, kept), checked.problems, checked.notes + notes, checked.missing)


def _unsaid_option(call: dict[str, Any], specs: dict[str, ToolSpec], request: str) -> bool:
    """The call has an argument that is one of its parameter's options (or a list of
    them), not a boolean, that shares no word with the request: neither a word of four
    letters or more in some form (`_options_said`) nor a short one as it is ("km")."""
    spec = specs.get(call["name"])
    arguments = call.get("arguments")
    if spec is None or not isinstance(arguments, dict):
        return False
    properties, said = parameter_properties(spec), _words(request)
    return any(
        not isinstance(value, bool)
        and _is_choice(value, properties.get(name))
        and not _options_said(value, properties.get(name), request)
        and not all(_words(str(item)) & said for item in _items(value))
        for name, value in arguments.items()
    )


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_LINKING_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to"}
)


def _words(text: str) -> set[str]:
    """The text's words but linking ones, case-folded, "_" a break ("time_of_use" -> time,
    use)."""
    return set(WORD.findall(fold(text.replace("_", " ")))) - _LINKING_WORDS


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


_NODE_PROBLEM = re.compile(r"node (\d+): ")  # a plan problem of one call: its references


def _one_of(problem: str, failing: set[int]) -> bool:
    """Whether the problem is one of the failing calls'."""
    return any(problem.startswith((f"call {i} ", f"node {i}: ")) for i in failing)


def without_failing_calls(checked: Checked, specs: dict[str, ToolSpec]) -> Checked:
    """After the last attempt, the calls still failing their schema go, noted, where each
    problem left is one of theirs and no other call reads their results: all of them when
    every fault is a value outside an enum ("handbag" for an engraving's item: the function
    cannot do what is asked, as with a function not offered) or a reference no plan can
    hold (a call reading its own output), else only while a valid call stays beside them (a
    call the request does not give the values of, such as a cleaning booked with no date, is
    no reason to lose the TV mounting beside it). Otherwise the answer is left as it is, an
    error."""
    errors: dict[int, list[Any]] = {}  # each failing call's schema errors
    for index, call in enumerate(checked.calls):
        spec = specs.get(call["name"])
        if spec is None:
            return checked
        if found := _schema_errors(call["arguments"], spec.parameters):
            errors[index] = found
    only_options = all(e.validator == "enum" for found in errors.values() for e in found)
    wired = {int(found[1]) for p in checked.problems if (found := _NODE_PROBLEM.match(p))}
    failing = set(errors) | {index for index in wired if index < len(checked.calls)}
    if (
        not failing
        or (len(failing) == len(checked.calls) and not only_options)
        or results_read(checked.calls) & failing
        or not all(_one_of(p, failing) for p in checked.problems)
    ):
        return checked
    why = "the function cannot do this" if only_options else "the calls beside it stand"
    notes = [f"dropped: {p} (after the last attempt: {why})" for p in checked.problems]
    calls = _only(checked.calls, [i for i in range(len(checked.calls)) if i not in failing])
    return Checked(calls, [], checked.notes + notes, checked.missing, beyond=checked.problems)


# parameters no reading of a request can fill when it does not give them: who and how to reach
_IDENTITY = re.compile(r"(?:^|_)(?:name|surname|email|phone)$")


def _dated_or_named(call: dict[str, Any], specs: dict[str, ToolSpec], request: str) -> list[str]:
    """The call's made-up inputs (`_invented`) that are a date or a person's name, e-mail
    address or phone number: what the model invents when nothing fits ("2023-04-15", "John
    Doe"), unlike a time or a number it may read from words ("overnight")."""
    arguments = call["arguments"]
    return [
        name
        for name in _invented(call, specs, request)
        if _IDENTITY.search(name) or ISO_DATE.fullmatch(str(arguments[name]).strip())
    ]


def without_made_up_calls(checked: Checked, specs: dict[str, ToolSpec], request: str) -> Checked:
    """After the last attempt, the calls with a made-up date, name, e-mail address or phone
    number (`_dated_or_named`) go, noted, but those another call reads: such a call would
    act on values nobody gave (of the spent sets' recorded final answers that kept a call
    with made-up inputs, none was right, and most answered a request no function fits)."""
    read = results_read(checked.calls)
    made_up = {
        i: names
        for i, call in enumerate(checked.calls)
        if i not in read and (names := _dated_or_named(call, specs, request))
    }
    if not made_up:
        return checked
    notes = [
        f"dropped: call {i} ({checked.calls[i]['name']}): {', '.join(names)} not in the "
        "request (after the last attempt)"
        for i, names in made_up.items()
    ]
    calls = _only(checked.calls, [i for i in range(len(checked.calls)) if i not in made_up])
    unsupplied = _unsupplied(calls, specs, request)
    return Checked(
        calls, checked.problems, checked.notes + notes, checked.missing, unsupplied,
        checked.beyond,
    )  # fmt: skip
