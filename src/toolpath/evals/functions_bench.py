"""`toolpath bench functions`: function calling, toolpath beside the same model asked directly.

The questions (functions_bench.yaml, written for this project) each offer their own list
of OpenAI functions and give the accepted answers. functions_heldout.yaml (`--set
heldout`) and functions_fresh.yaml, functions_fresh2.yaml ... functions_fresh28.yaml
(`--set fresh`, `--set fresh2` ... `--set fresh28`) are sets in the same format, with other
functions, written blind to the planner after it was developed (each is development data
once its first run's failures are read); `--questions PATH` runs any file in that format.
With `--out DIR` each finished question is kept (rows.jsonl) and the same command resumes an
interrupted run.
Categories: one call of the one function offered (simple), the right one among several
(multiple), several calls to one function (parallel), calls to several functions
(parallel_multiple) and requests no function fits (irrelevance: the right answer is no
call).

Scoring is exact: the function names, the argument names (an optional argument may be
left out; one not in the answer may not be added) and the values with their JSON types
(10 is not "10"; 10 and 10.0 are the same number; strings compare case-insensitively,
without surrounding spaces or a final full stop); parallel calls in any order.

"toolpath" plans through the `Decomposer` on an OpenAI-function catalogue (typed
arguments, checks, coercions, one round of feedback) in one or more variants (prompt
style x free or constrained output); "direct" is the model with the functions' schemas
in its own tool-calling system message, free output, the JSON read from the answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from toolpath.evals.progress import progress_bar
from toolpath.evals.provenance import RunSettingsError, claim_run_folder, provenance
from toolpath.planners.call_reading import read_answer
from toolpath.planners.decomposer import Decomposer, DecompositionError
from toolpath.planners.function_calls import direct_prompt
from toolpath.planners.llm import ChatModel
from toolpath.planners.plan import Plan
from toolpath.tools.catalogs.openai_functions import function_catalog, function_specs
from toolpath.tools.files import atomic_write_json, atomic_write_text
from toolpath.tools.jsonl import append_jsonl

log = logging.getLogger(__name__)

CATEGORIES = ("simple", "multiple", "parallel", "parallel_multiple", "irrelevance")
VARIANTS = {"tags-free": ("tags", "free"), "json-free": ("json", "free"),
            "json-constrained": ("json", "constrained")}  # fmt: skip
DEFAULT_VARIANT = "tags-free"
DEV_SET = "functions_bench.yaml"
HELDOUT_SET = "functions_heldout.yaml"
FRESH_SET = "functions_fresh.yaml"
FRESH2_SET = "functions_fresh2.yaml"
FRESH3_SET = "functions_fresh3.yaml"
FRESH4_SET = "functions_fresh4.yaml"
FRESH5_SET = "functions_fresh5.yaml"
FRESH6_SET = "functions_fresh6.yaml"
FRESH7_SET = "functions_fresh7.yaml"
FRESH8_SET = "functions_fresh8.yaml"
FRESH9_SET = "functions_fresh9.yaml"
FRESH10_SET = "functions_fresh10.yaml"
FRESH11_SET = "functions_fresh11.yaml"
FRESH12_SET = "functions_fresh12.yaml"
FRESH13_SET = "functions_fresh13.yaml"
FRESH14_SET = "functions_fresh14.yaml"
FRESH15_SET = "functions_fresh15.yaml"
FRESH16_SET = "functions_fresh16.yaml"
FRESH17_SET = "functions_fresh17.yaml"
FRESH18_SET = "functions_fresh18.yaml"
FRESH19_SET = "functions_fresh19.yaml"
FRESH20_SET = "functions_fresh20.yaml"
FRESH21_SET = "functions_fresh21.yaml"
FRESH22_SET = "functions_fresh22.yaml"
FRESH23_SET = "functions_fresh23.yaml"
FRESH24_SET = "functions_fresh24.yaml"
FRESH25_SET = "functions_fresh25.yaml"
FRESH26_SET = "functions_fresh26.yaml"
FRESH27_SET = "functions_fresh27.yaml"
FRESH28_SET = "functions_fresh28.yaml"
QUESTION_SETS = {
    "dev": DEV_SET, "heldout": HELDOUT_SET, "fresh": FRESH_SET, "fresh2": FRESH2_SET,
    "fresh3": FRESH3_SET, "fresh4": FRESH4_SET, "fresh5": FRESH5_SET, "fresh6": FRESH6_SET,
    "fresh7": FRESH7_SET, "fresh8": FRESH8_SET, "fresh9": FRESH9_SET, "fresh10": FRESH10_SET,
    "fresh11": FRESH11_SET, "fresh12": FRESH12_SET, "fresh13": FRESH13_SET,
    "fresh14": FRESH14_SET, "fresh15": FRESH15_SET, "fresh16": FRESH16_SET,
    "fresh17": FRESH17_SET, "fresh18": FRESH18_SET, "fresh19": FRESH19_SET,
    "fresh20": FRESH20_SET, "fresh21": FRESH21_SET, "fresh22": FRESH22_SET,
    "fresh23": FRESH23_SET, "fresh24": FRESH24_SET, "fresh25": FRESH25_SET,
    "fresh26": FRESH26_SET, "fresh27": FRESH27_SET, "fresh28": FRESH28_SET,
}  # fmt: skip
_SETS = list(QUESTION_SETS.items())
ROWS_FILE = "rows.jsonl"

Call = dict[str, Any]


@dataclass
class Question:
    id: str
    category: str
    question: str
    functions: list[dict[str, Any]]
    answers: list[list[dict[str, Any]]]


def question_file(name: str = DEV_SET) -> Traversable:
    """A question set shipped with the package (DEV_SET or HELDOUT_SET)."""
    return files("toolpath.evals").joinpath(name)


def load_questions(path: Path | Traversable | None = None) -> list[Question]:
    """The question set (default: the development set), each question with its own
    function list expanded."""
    source = path or question_file(DEV_SET)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    library = data["functions"]
    return [
        Question(
            id=q["id"],
            category=q["category"],
            question=q["question"],
            functions=[{"name": name, **library[name]} for name in q["functions"]],
            answers=q["answers"],
        )
        for q in data["questions"]
    ]


# -- scoring ----------------------------------------------------------------------------------
def _text(value: str) -> str:
    return " ".join(value.split()).casefold().rstrip(".")


def value_matches(got: Any, want: Any) -> bool:
    """`got` equals `want` with its JSON type; `{"any": [...]}` accepts any listed value."""
    if isinstance(want, dict) and set(want) == {"any"}:
        return any(value_matches(got, w) for w in want["any"])
    if isinstance(want, bool) or isinstance(got, bool):
        return isinstance(want, bool) and isinstance(got, bool) and got == want
    if isinstance(want, int | float):
        return isinstance(got, int | float) and abs(got - want) <= 1e-9 * max(1, abs(want))
    if isinstance(want, str):
        return isinstance(got, str) and _text(got) == _text(want)
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(value_matches(g, w) for g, w in zip(got, want, strict=True))
        )
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(want)
            and all(value_matches(got[k], want[k]) for k in want)
        )
    return got is None and want is None


def call_matches(got: Call, want: dict[str, Any]) -> bool:
    """Same function; every `args` value given and right; any other argument is one of
    `optional` with its accepted value."""
    if got.get("name") != want["name"] or not isinstance(got.get("arguments"), dict):
        return False
    arguments = got["arguments"]
    needed, optional = want.get("args", {}), want.get("optional", {})
    if any(k not in arguments or not value_matches(arguments[k], v) for k, v in needed.items()):
        return False
    return all(
        k in needed or (k in optional and value_matches(v, optional[k]))
        for k, v in arguments.items()
    )


def calls_match(got: list[Call], want: list[dict[str, Any]]) -> bool:
    """The same calls in any order (an empty `want`: no call at all)."""
    if len(got) != len(want):
        return False
    return any(
        all(call_matches(g, w) for g, w in zip(order, want, strict=True))
        for order in itertools.permutations(got)
    )


def is_correct(question: Question, calls: list[Call] | None) -> bool:
    """None (the planner gave up) is never right."""
    return calls is not None and any(calls_match(calls, alt) for alt in question.answers)


# -- the two systems --------------------------------------------------------------------------
def plan_calls(plan: Plan) -> list[Call]:
    """A function-call plan's calls, as the questions' answers are written."""
    return [
        {"name": t.capability, "arguments": {a.name: a.value for a in t.arguments}}
        for t in plan.subtasks
    ]


def toolpath_calls(
    llm: ChatModel,
    question: Question,
    variant: str,
    max_retries: int = 1,
    today: dt.date | None = None,
) -> tuple[list[Call] | None, dict[str, Any]]:
    """toolpath's calls for the question (None when no valid plan came back); the prompt
    states `today` when given (no date: the questions give theirs)."""
    style, output = VARIANTS[variant]
    catalog = function_catalog(function_specs(question.functions), f"functions:{question.id}")
    decomposer = Decomposer(
        llm, catalog, max_retries=max_retries, function_output=output, function_style=style,
        today=lambda: today,
    )  # fmt: skip
    try:
        result = decomposer.decompose(question.question)
    except DecompositionError as exc:
        return None, {"error": str(exc), "first_raw": exc.first_raw, "attempts": exc.attempts}
    calls = plan_calls(result.plan)
    info = {"attempts": result.attempts, "notes": result.notes, "first_raw": result.first_raw}
    if result.reason:
        info["reason"] = result.reason
    return calls, info


def direct_calls(llm: ChatModel, question: Question) -> tuple[list[Call] | None, dict[str, Any]]:
    """The model asked directly: its own tool-calling prompt, free output, JSON read back."""
    specs = function_specs(question.functions)
    messages = [
        {"role": "system", "content": direct_prompt(specs)},
        {"role": "user", "content": question.question},
    ]
    text = llm.complete(messages, max_tokens=512).text
    answer = read_answer(text)
    return answer.calls, {"raw": text}


# -- the benchmark ----------------------------------------------------------------------------
def run_benchmark(
    llm: ChatModel,
    questions: list[Question],
    variants: list[str],
    *,
    direct: bool = True,
    max_retries: int = 1,
    today: dt.date | None = None,
    done: dict[str, dict[str, Any]] | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Every question through each toolpath variant (and the direct baseline). Rows in
    `done` (by question id, from an interrupted run) are kept, not asked again; `on_row`
    gets each new row as it finishes."""
    systems: dict[str, Callable[[Question], tuple[list[Call] | None, dict[str, Any]]]] = {
        f"toolpath {v}": (lambda q, v=v: toolpath_calls(llm, q, v, max_retries, today))
        for v in variants
    }
    if direct:
        systems["direct"] = lambda q: direct_calls(llm, q)
    made_by = provenance()  # the code that answers, not what HEAD is when the run ends
    done = done or {}
    todo = [q for q in questions if q.id not in done]
    rows = {q.id: _rescored(q, done[q.id]) for q in questions if q.id in done}
    with progress_bar(len(todo), show_progress, "questions") as advance:
        for question in todo:
            row = _row(question, systems)
            rows[question.id] = row
            if on_row is not None:
                on_row(row)
            status = _status(row)
            log.info("%d/%d %s %s", len(rows), len(questions), question.id, status)
            advance(f"{question.id} {status}")
    ordered = [rows[q.id] for q in questions]
    return {
        "questions": len(questions),
        "systems": list(systems),
        "summary": summarise(ordered, list(systems)),
        "rows": ordered,
        "provenance": made_by,
    }


def _rescored(question: Question, row: dict[str, Any]) -> dict[str, Any]:
    """A kept row scored again with the current scorer (its calls stand as answered)."""
    for result in row["systems"].values():
        result["correct"] = is_correct(question, result["calls"])
    return row


def _status(row: dict[str, Any]) -> str:
    """ "toolpath tags-free=ok direct=x": how each system did on one question."""
    return " ".join(f"{n}={'ok' if r['correct'] else 'x'}" for n, r in row["systems"].items())


def _row(
    question: Question,
    systems: dict[str, Callable[[Question], tuple[list[Call] | None, dict[str, Any]]]],
) -> dict[str, Any]:
    """One question asked of every system, scored, with each system's seconds."""
    row: dict[str, Any] = {"id": question.id, "category": question.category, "systems": {}}
    for name, system in systems.items():
        started = time.perf_counter()
        calls, info = system(question)
        row["systems"][name] = {
            "correct": is_correct(question, calls),
            "calls": calls,
            "seconds": round(time.perf_counter() - started, 2),
            **info,
        }
    return row


def finished_rows(path: Path, systems: list[str]) -> dict[str, dict[str, Any]]:
    """Rows an interrupted run wrote to `path` (JSON lines) for the same systems, by id; a
    torn last line (a crash mid-write) is skipped."""
    if not path.exists():
        return {}
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            row = json.loads(line)
            if isinstance(row, dict) and sorted(row.get("systems", {})) == sorted(systems):
                rows[row["id"]] = row
    return rows


def summarise(rows: list[dict[str, Any]], systems: list[str]) -> dict[str, dict[str, Any]]:
    """Per category and overall: questions and, per system, how many answered right."""
    summary = {}
    for category in [*CATEGORIES, "all"]:
        chosen = [r for r in rows if category in ("all", r["category"])]
        if not chosen:
            continue
        summary[category] = {
            "questions": len(chosen),
            **{s: sum(r["systems"][s]["correct"] for r in chosen) for s in systems},
        }
    return summary


def markdown(result: dict[str, Any]) -> str:
    """The per-category table, with the command and code version that made it."""
    systems = result["systems"]
    lines = [
        "| category | questions | " + " | ".join(systems) + " |",
        "|---|---|" + "---|" * len(systems),
    ]
    for category, counts in result["summary"].items():
        n = counts["questions"]
        cells = [f"{counts[s]} ({100 * counts[s] / n:.0f}%)" for s in systems]
        lines.append(f"| {category} | {n} | " + " | ".join(cells) + " |")
    prov = result["provenance"]
    question_set = f"questions: {result['question_set']}  \n" if "question_set" in result else ""
    return (
        "# toolpath bench functions\n\n"
        + "\n".join(lines)
        + f"\n\n{question_set}command: `{prov['command']}`  \ncode: {prov['code']['version']}  \n"
        + f"recorded: {prov['recorded']}\n"
    )


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"--today {text!r} is not a YYYY-MM-DD date") from None


def functions_command(
    variants: Annotated[
        str, typer.Option(help=f"toolpath variants, comma-separated: {', '.join(VARIANTS)}")
    ] = DEFAULT_VARIANT,
    direct: Annotated[bool, typer.Option(help="also ask the model directly")] = True,
    category: Annotated[list[str] | None, typer.Option(help="only these categories")] = None,
    limit: Annotated[int, typer.Option(min=0, help="questions per category (0: all)")] = 0,
    max_retries: Annotated[int, typer.Option(min=0, help="rounds of feedback")] = 1,
    today: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD the prompt states as today (default: none)")
    ] = None,
    llm: Annotated[str | None, typer.Option("--llm", help="embedded | openai")] = None,
    out: Annotated[Path | None, typer.Option(help="write functions.json and .md here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    questions_path: Annotated[
        Path | None,
        typer.Option(
            "--questions",
            exists=True,
            dir_okay=False,
            help=f"question set YAML in the {DEV_SET} format (default: {DEV_SET})",
        ),
    ] = None,
    question_set: Annotated[
        str,
        typer.Option(
            "--set",
            help="a shipped question set: " + ", ".join(f"{k} ({v})" for k, v in _SETS),
        ),
    ] = "dev",
) -> None:
    """Function calling: toolpath beside the same model asked directly, per category.
    With --out, each finished question is kept in rows.jsonl: run the same command again
    to resume after an interruption."""
    chosen = [v.strip() for v in variants.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in VARIANTS]
    if unknown or not chosen:
        raise typer.BadParameter(f"unknown variants {unknown}; choose from {list(VARIANTS)}")
    source = _question_source(question_set, questions_path)
    questions = [q for q in load_questions(source) if not category or q.category in category]
    if limit:
        questions = [
            q for c in CATEGORIES for q in [x for x in questions if x.category == c][:limit]
        ]
    systems = [f"toolpath {v}" for v in chosen] + (["direct"] if direct else [])
    settings = {"question_set": str(questions_path or source.name), "systems": systems,
                "max_retries": max_retries, "llm": llm or "embedded"}  # fmt: skip
    day = _date(today)
    if day is not None:  # runs without a date keep their settings as before
        settings["today"] = day.isoformat()
    done = _resume(out, settings) if out is not None else {}
    from toolpath.agent.llm import get_backend

    result = run_benchmark(
        get_backend(llm), questions, chosen, direct=direct, max_retries=max_retries,
        today=day, done=done, on_row=_row_writer(out), show_progress=not as_json,
    )  # fmt: skip
    result["question_set"] = settings["question_set"]
    if out is not None:
        atomic_write_json(out / "functions.json", result)
        atomic_write_text(out / "functions.md", markdown(result))
    if as_json:
        typer.echo(json.dumps({k: v for k, v in result.items() if k != "rows"}))
    else:
        typer.echo(markdown(result))


def _question_source(name: str, path: Path | None) -> Path | Traversable:
    if name not in QUESTION_SETS:
        raise typer.BadParameter(f"unknown --set {name!r}; choose from {list(QUESTION_SETS)}")
    if path is not None and name != "dev":
        raise typer.BadParameter("give --questions or --set, not both")
    return path or question_file(QUESTION_SETS[name])


def _resume(out: Path, settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rows an earlier run with the same settings left in `out`; refuses other settings."""
    try:
        claim_run_folder(out, settings)
    except RunSettingsError as exc:
        raise typer.BadParameter(str(exc)) from exc
    rows = finished_rows(out / ROWS_FILE, settings["systems"])
    if rows:
        log.info("resuming: %d questions already answered in %s", len(rows), out)
    return rows


def _row_writer(out: Path | None) -> Callable[[dict[str, Any]], None] | None:
    """Appends each finished row to out/rows.jsonl, flushed to disk."""
    if out is None:
        return None

    return lambda row: append_jsonl(out / ROWS_FILE, row)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    bench_app.command("functions")(functions_command)
