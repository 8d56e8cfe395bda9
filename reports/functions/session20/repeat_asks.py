"""The spent runs' answers where a function called once leaves values of its kind unused
(`unused_values`), asked about the way `FunctionCaller._repeated` asks, live: how many
become right, and how many right ones are lost. The model is shown its recorded first
answer; the calls it is asked about are that answer through the current offline checks
(`replay`); where it keeps nothing, those calls stand. A row recorded under an earlier
form of the rule that the current one no longer asks about counts as unchanged.
Resumable (`repeated.jsonl`); prints the table, the spent sets first, then fresh15 (the
rule was written before its run was read; `--spent-only` leaves it out).

    TOOLPATH_LLM_THREADS=2 python reports/functions/session20/repeat_asks.py \
        > reports/functions/session20/repeat_asks.md

It needs the code of commit a2605bf (`planners/unused_values.py`, `FunctionCaller._repeated`):
the ask was left out after this measurement (see repeat_asks.md).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import call_reading
from toolpath.planners import function_calls as fc
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spent import spent_answers

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "repeated.jsonl"
LATE = ("fresh15",)  # read after the rule was written


def unused_values(request: str, calls: list, specs: dict) -> list:
    """`planners.unused_values.unused_values` of commit a2605bf (left out after this)."""
    try:
        from toolpath.planners.unused_values import unused_values as found
    except ImportError:
        raise SystemExit("run this on the code of commit a2605bf") from None
    return found(request, calls, specs)


def replay(question: bench.Question, answer: dict) -> fc.Checked | None:
    """The recorded first answer through the current offline checks (no LLM): None where
    the run asked again (its second answer is not recorded) or the checks find problems."""
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    first = call_reading.read_calls(answer["first_raw"], specs)[0]
    checked = fc.check_answer(first, specs, question.question)
    if fc.retry_message(first, checked, answer["first_raw"], specs) or checked.problems:
        return None
    return fc.asked_only(checked, list(specs.values()), question.question)


def _asked(llm, question: bench.Question, answer: dict) -> dict | None:
    checked = replay(question, answer) if answer.get("first_raw") else None
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    if checked is None or not unused_values(question.question, checked.calls, specs):
        return None
    caller = fc.FunctionCaller(llm, list(specs.values()), relevance_floor=None)
    messages = caller.messages(question.question)
    after, _, notes = caller._repeated(messages, answer["first_raw"], checked, question.question)
    return {
        "id": question.id,
        "before": bench.is_correct(question, checked.calls),
        "now": bench.is_correct(question, after.calls),
        "notes": notes,
        "calls": after.calls,
    }


def main() -> None:
    from toolpath.agent.llm import get_backend

    done = {}
    if RECORDED.exists():
        rows = [json.loads(line) for line in RECORDED.read_text().splitlines()]
        done = {row["id"]: row for row in rows}
    llm, spent_only = get_backend(None), "--spent-only" in sys.argv
    with RECORDED.open("a") as out:
        for question, answer in spent_answers():
            if question.id in done or (spent_only and question.id.startswith(LATE)):
                continue
            row = _asked(llm, question, answer)
            if row is not None:
                out.write(json.dumps(row) + "\n")
                out.flush()
                done[question.id] = row
    _table(
        [
            _as_now(row, question, answer)
            for question, answer in spent_answers()
            if (row := done.get(question.id))
        ]
    )


def _as_now(row: dict, question: bench.Question, answer: dict) -> dict:
    """A recorded row the current rule no longer asks about (it was recorded under an
    earlier one) keeps its answer from before."""
    checked = replay(question, answer)
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    if checked is not None and unused_values(question.question, checked.calls, specs):
        return row
    return {**row, "now": row["before"], "notes": ["no longer asked"]}


def _table(rows) -> None:
    print("| sets | asked | right before | right now | gained | lost | calls kept |")
    print("|---|---|---|---|---|---|---|")
    for label, late in (("spent (rule written on these)", False), ("fresh15", True)):
        part = [r for r in rows if r["id"].startswith(LATE) == late]
        c = Counter()
        for r in part:
            c["before"] += r["before"]
            c["now"] += r["now"]
            c["gained"] += r["now"] and not r["before"]
            c["lost"] += r["before"] and not r["now"]
            c["kept"] += any("calls to" in n for n in r["notes"])
        print(
            f"| {label} | {len(part)} | {c['before']} | {c['now']} | {c['gained']} | "
            f"{c['lost']} | {c['kept']} |"
        )


if __name__ == "__main__":
    main()
