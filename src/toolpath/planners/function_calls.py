"""Function calls over an OpenAI-function catalogue: typed arguments, the right number of
calls, and no call when no function fits.

The model sees each function's JSON schema and answers with the calls to make (free
text, read back as JSON, or under a JSON schema built from the functions' parameter
schemas; `call_reading` reads the calls); in free text it first lists what the user asks
for ("Needs: ..."), which sets how many calls it writes. The calls are checked
(`call_checks`: typed, put in the request's form, made-up ones dropped); what is still wrong
is fed back to the model, as are inputs the request does not give (asked once: the second
answer stands, unless it drops every call; then the first answer's calls whose values the
request gives stand). An answer with no call is a valid plan; its reason says why no
function fits.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from toolpath.planners.call_checks import (
    Checked,
    calls_plan,
    check_answer,
    without_failing_calls,
    without_invented_calls,
    without_made_up_calls,
    without_unasked_calls,
)
from toolpath.planners.call_reading import (
    MAX_REASON_CHARS,
    Answer,
    read_calls,
    without_needs_loop,
)
from toolpath.planners.coverage import (
    clauses,
    function_similarity,
    gives,
    nearest_functions,
    uncovered,
    unused_values,
)
from toolpath.planners.llm import ChatModel, Completion, Usage, continues_answers
from toolpath.planners.mentions import REFERENCE_DATE, WORD
from toolpath.planners.plan import Plan
from toolpath.tools.spec import ToolSpec

MAX_CALLS = 10
# Below this cosine similarity (all-MiniLM-L6-v2) between the request and every offered
# function (`matcher.tool_document`), no function fits and the model is not asked. It sits
# just under the lowest similarity of a request some function fits among the 84
# development questions of `toolpath bench functions` (0.149, "Send 'Dinner at 8' to Tom
# and to Priya"); 0.15 was that value with an earlier spelling of the function text.
RELEVANCE_FLOOR = 0.14
# A request at least this near (cosine) one function, that the model declined, is asked
# about once more with that function named (set on the spent sets' recorded declines: see
# the README, session 19).
RECHECK_SIMILARITY = 0.6
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


def coverage_message(clause: str, function: str) -> str:
    """Ask about one part of the request that no call covers (`coverage.uncovered`)."""
    return (
        f'No call covers this part of the request yet: "{clause}". If it asks for what '
        f"{function} does, write that call in <tool_call></tool_call> tags with its "
        "arguments from the request; if it does not, say so and make no call."
    )


def recheck_message(spec: ToolSpec) -> str:
    """Ask again, naming the function nearest a request the model said no function fits."""
    return (
        f"The function {spec.name} may do what the request asks ({spec.doc}). If it does, "
        "write the call to it in <tool_call></tool_call> tags; if it does not, say why no "
        "function fits."
    )


def _named_functions(text: str, specs: dict[str, ToolSpec]) -> list[str]:
    """Offered functions an answer with no call names: the model wrote a call's arguments
    as prose ("Needs: set_thermostat; room: office"), it did not decline."""
    return [name for name in specs if _names(text, name)]


def _names(text: str, function: str) -> bool:
    return re.search(rf"\b{re.escape(function)}\b", text) is not None


def _follows_what_it_wrote(added: Answer, before: str, specs: dict[str, ToolSpec]) -> bool:
    """Every function the continuation calls is named in what the model wrote before it,
    or one of its own words is (`_own_words`: "podcast_search" after "Needs: podcast
    search"; not "define_word" after "Needs: summary of Hamlet's plot", nor
    "optician_repair_request" after calls to optician_eye_test_book)."""
    written = before.casefold()
    return all(
        _names(before, c["name"])
        or any(re.search(rf"\b{word}", written) for word in _own_words(c["name"], specs))
        for c in added.calls
    )


def _own_words(function: str, specs: dict[str, ToolSpec]) -> set[str]:
    """The words of 4+ letters in a function's name that no other offered function's name
    has ("repair" and "request" of optician_repair_request beside optician_lens_order)."""
    others = {word for name in specs if name != function for word in WORD.findall(name.casefold())}
    return {word for word in WORD.findall(function.casefold()) if len(word) >= 4} - others


def keeps_continuation(
    raw: str,
    before: Answer,
    checked: Checked,
    added: Answer,
    after: Checked,
    specs: dict[str, ToolSpec],
    nearest: frozenset[str] = frozenset(),
) -> bool:
    """Whether an answer (`raw`, read as `before`, checked as `checked`) continued by the
    model (`added`; the whole checked as `after`) replaces it. After no call: when the calls
    added follow what it wrote (`_follows_what_it_wrote`; their checks come next, as for
    any answer). After calls that stood: when the calls added follow what it wrote, or are
    each to a function that some clause of the request is nearest (`nearest`:
    `coverage.nearest_functions`), and the checked calls are more than before with nothing
    wrong or unsupplied (not a repeat, nor a JSON call in place of calls its prose made)."""
    if not added.calls:
        return False
    if not before.calls:
        return _follows_what_it_wrote(added, raw, specs)
    asked = all(call["name"] in nearest for call in added.calls)
    return (
        after.stands
        and len(after.calls) > len(checked.calls)
        and (asked or _follows_what_it_wrote(added, raw, specs))
    )


def _calls_that_stood(
    asked: Checked, now: Checked, specs: dict[str, ToolSpec], request: str
) -> Checked:
    """Asked about values the request does not give, the model answered with no call at
    all: the calls of the answer asked about whose values the request does give stand
    (`without_invented_calls`); none such, and the empty answer stands."""
    kept = without_invented_calls(asked, specs, request)
    return kept if kept is not asked else now


def _reason(answer: Answer, checked: Checked) -> str:
    if answer.reason:
        return answer.reason
    if checked.missing:
        return f"no function fits: the request needs {', '.join(checked.missing)}, not offered"
    if checked.beyond:
        return f"no function fits: {'; '.join(checked.beyond[:3])}"
    return "no function fits the request"


# -- the caller -------------------------------------------------------------------------------
def asked_only(checked: Checked, tools: list[ToolSpec], request: str) -> Checked:
    """The calls less those no part of the request asks for (`without_unasked_calls`); as
    they are with one call, or without the embedding model."""
    if len(checked.calls) < 2:
        return checked
    nearest = nearest_functions(request, tools)
    if nearest is None:
        return checked
    specs = {spec.name: spec for spec in tools}
    return without_unasked_calls(checked, specs, request, nearest)


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


_DECLINED_TASK = re.compile(
    r"\bno (?:offered |such )?function (?:that )?(?:can|could|will|is able to|to|for)\s+([^.\n]+)",
    re.I,
)


def declined_task(raw: str) -> str | None:
    """What an answer says no function can do ("No function can reserve a Christmas tree"
    -> "reserve a Christmas tree"); None when it says no such thing."""
    found = _DECLINED_TASK.search(raw)
    return found.group(1).strip() if found else None


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
    (`mentions.REFERENCE_DATE`); None: the prompt states no date. `cover`: ask the model
    about each part of the request that no call covers (`_covered`), drop the calls no
    part asks for (`asked_only`), and ask once more about a request near a function that
    it answered with no call (`_rechecked`).
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
        cover: bool = True,
    ) -> None:
        if output not in OUTPUTS:
            raise ValueError(f"unknown output {output!r}; choose one of {OUTPUTS}")
        if output == "constrained":
            style = "json"
        self.llm, self.tools, self.output, self.style = llm, tools, output, style
        self.max_retries, self.max_tokens = max_retries, max_tokens
        self.relevance_floor = relevance_floor
        self.today, self.cover = today, cover
        self.specs = {spec.name: spec for spec in tools}

    def messages(self, request: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": system_prompt(self.tools, self.style, self.today)},
            {"role": "user", "content": request},
        ]

    def relevance(self, request: str) -> float | None:
        """The highest cosine similarity of the request, or of one of its clauses
        (`coverage.clauses`: a long request of several bookings is near a function in the
        clause that asks for it), to an offered function's name and description; None
        without the embedding model (the `retrieval` extra)."""
        texts = [request, *clauses(request)]
        similarity = function_similarity(texts, self.tools) if self.tools else None
        return None if similarity is None else float(similarity.max())

    def _nearest(self, request: str) -> tuple[ToolSpec, float] | None:
        """The offered function nearest the request and its cosine similarity; None
        without the embedding model or without functions."""
        similarity = function_similarity([request], self.tools) if self.tools else None
        if similarity is None:
            return None
        best = int(similarity[0].argmax())
        return self.tools[best], float(similarity[0][best])

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

    def _read(self, raw: str, notes: list[str], attempt: int) -> tuple[str, Answer]:
        """The answer (cut when it stopped in a looping Needs line, `without_needs_loop`)
        and its calls (`read_calls`), noting a cut and a fallback reading."""
        answer, note = read_calls(raw, self.specs)
        cut = None if answer.calls else without_needs_loop(raw)
        if cut is not None:
            notes.append(f"attempt {attempt}: repaired: a looping Needs line cut to its items")
            raw, (answer, note) = cut, read_calls(cut, self.specs)
        if note:
            notes.append(f"attempt {attempt}: {note}")
        return raw, answer

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
        nearest = (
            nearest_functions(request, self.tools) if added.calls and before[0].calls else None
        )
        if keeps_continuation(raw, *before, added, after, self.specs, frozenset(nearest or ())):
            return completion.text, completion, "continued: calls added"
        if added.calls:
            return raw, completion, "continued: the calls added not kept"
        return raw, completion, "" if before[0].calls else "continued: no call added"

    def _revised(
        self, messages: list[dict[str, str]], raw: str, checked: Checked, request: str
    ) -> tuple[Checked, Usage, list[str]]:
        """The calls less those no part of the request asks for (`asked_only`), then with
        one more for each part that no call covers (`_covered`); no call at all, asked about
        again (`_rechecked`). The usage and notes."""
        if not checked.calls:
            return self._rechecked(messages, raw, checked, request)
        asked_for = asked_only(checked, self.tools, request)
        dropped = asked_for.notes[len(checked.notes) :]
        checked, usage, covered = self._covered(messages, raw, asked_for, request)
        return checked, usage, [*dropped, *covered]

    def _rechecked(
        self, messages: list[dict[str, str]], raw: str, checked: Checked, request: str
    ) -> tuple[Checked, Usage, list[str]]:
        """The model said no function fits a request that is near one, or in words near one
        (`_declined_function`): asked once more with that function named
        (`recheck_message`), the calls it then writes are kept when they pass the checks
        with nothing unsupplied; the usage and a note."""
        spec = self._declined_function(request, raw)
        if spec is None:
            return checked, Usage(), []
        asked = [
            *messages,
            {"role": "assistant", "content": raw},
            {"role": "user", "content": recheck_message(spec)},
        ]
        completion = self.llm.complete(asked, max_tokens=self.max_tokens)
        after = check_answer(read_calls(completion.text, self.specs)[0], self.specs, request)
        if after.stands:
            return after, completion.usage, [f"rechecked: asked about {spec.name}; calls kept"]
        return checked, completion.usage, [f"rechecked: asked about {spec.name}; nothing kept"]

    def _declined_function(self, request: str, raw: str) -> ToolSpec | None:
        """The function to ask about again when the model wrote no call: the one nearest
        the request or, when that is not near enough, the one nearest what the model said
        no function can do ("No function can reserve a Christmas tree"); None when neither
        is at `RECHECK_SIMILARITY` or nearer."""
        for text in (request, declined_task(raw)):
            nearest = self._nearest(text) if text else None
            if nearest is not None and nearest[1] >= RECHECK_SIMILARITY:
                return nearest[0]
        return None

    def _covered(
        self, messages: list[dict[str, str]], raw: str, checked: Checked, request: str
    ) -> tuple[Checked, Usage, list[str]]:
        """The calls, with one more for each part of the request that no call covers
        (`coverage.uncovered`), or that states a date or postcode no call gives
        (`coverage.unused_values`), when the model, asked about that part alone
        (`coverage_message`), writes a call to the function it points at (giving that
        value) and all the calls then pass the checks with nothing unsupplied; the usage
        and a note per part."""
        called = {c["name"] for c in checked.calls}
        parts = [
            (clause, function, "") for clause, function in uncovered(request, called, self.tools)
        ]
        parts += unused_values(request, checked.calls, self.tools)
        usage, notes, done = Usage(), [], set()
        for clause, function, value in parts:
            if clause in done or (value and gives(checked.calls, value)):
                continue  # asked about already, or a call added for an earlier part gives it
            done.add(clause)
            asked = [
                *messages,
                {"role": "assistant", "content": raw},
                {"role": "user", "content": coverage_message(clause, function)},
            ]
            completion = self.llm.complete(asked, max_tokens=self.max_tokens)
            usage = usage + completion.usage
            answer = read_calls(completion.text, self.specs)[0]
            added = [c for c in answer.calls if c["name"] == function and gives([c], value)]
            after = check_answer(Answer(calls=[*checked.calls, *added]), self.specs, request)
            more = len(after.calls) > len(checked.calls)
            if added and more and after.stands:
                checked = after
                notes.append(f"covered: a call to {function} added for {clause!r}")
                continue
            notes.append(f"covered: asked about {function} for {clause!r}; nothing kept")
        return checked, usage, notes

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
        asked: Checked | None = None  # the answer asked about values the request lacks
        for attempt in range(1, self.max_retries + 2):
            completion = self.llm.complete(messages, schema=schema, max_tokens=self.max_tokens)
            usage, raw = usage + completion.usage, completion.text
            raw, answer = self._read(raw, notes, attempt)
            checked = check_answer(answer, self.specs, request)
            if not continued and self._continuable(answer, checked, raw):
                continued, before = True, raw
                raw, completion, note = self._went_on(messages, raw, (answer, checked), request)
                usage = usage + completion.usage
                notes += [f"attempt {attempt}: {note}"] if note else []
                if raw != before:
                    raw, answer = self._read(raw, notes, attempt)
                    checked = check_answer(answer, self.specs, request)
            first_raw = first_raw or raw
            if asked is not None and not checked.calls and not checked.problems:
                checked = _calls_that_stood(asked, checked, self.specs, request)
            notes += [f"attempt {attempt}: {m}" for m in [*checked.problems, *checked.notes]]
            last = attempt == self.max_retries + 1
            retry = None if last else retry_message(answer, checked, raw, self.specs)
            if last and checked.problems:
                kept = without_failing_calls(checked, self.specs)
                notes += [f"attempt {attempt}: {n}" for n in kept.notes[len(checked.notes) :]]
                checked = kept
            if last and checked.unsupplied:
                kept = without_made_up_calls(checked, self.specs, request)
                notes += [f"attempt {attempt}: {n}" for n in kept.notes[len(checked.notes) :]]
                checked = kept
            if retry is None:
                if self.cover and not checked.problems:
                    checked, more, revised = self._revised(messages, raw, checked, request)
                    usage = usage + more
                    notes += [f"attempt {attempt}: {n}" for n in revised]
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
            asked = checked if not checked.problems and checked.unsupplied else None
            messages = [
                *messages,
                {"role": "assistant", "content": raw},
                {"role": "user", "content": retry},
            ]
        raise AssertionError("unreachable")
