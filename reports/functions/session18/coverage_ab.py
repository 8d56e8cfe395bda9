"""The coverage ask (`planners/coverage.py`) on the spent sets, side by side.

First, offline: over the latest recorded toolpath answer of every spent question (the
development sets and the blind sets already read; fresh12 and later are left out), the
clauses `coverage.uncovered` flags, and whether the question's accepted answer calls the
function flagged. Then, with `--live`, each flagged question is answered twice by the
embedded model, from its recorded first answer (`RecordedFirst`): with the coverage ask
and without, everything else the same; the two results are scored exactly.

    python reports/functions/session18/coverage_ab.py [--live] [--only PREFIX]

`--only fresh12`: only the questions whose id starts so (fresh12 was read after the
thresholds were set, so its flags measure them on questions they were not set on).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import coverage
from toolpath.planners import function_calls as fc
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dev2"))
from replay_first_answers import SYSTEM, RecordedFirst

ROOT = Path(__file__).resolve().parents[3]
UNREAD = ("fresh13",)  # blind sets not yet read: never looked at here


def spent_questions() -> dict[str, bench.Question]:
    paths = sorted((ROOT / "src/toolpath/evals").glob("functions_*.yaml"))
    return {
        q.id: q
        for path in paths
        if not any(name in path.name for name in UNREAD)
        for q in bench.load_questions(path)
    }


def latest_answers(questions: dict[str, bench.Question]) -> dict[str, dict]:
    """Each question's toolpath answer in the last rows file (sorted path order) holding it."""
    latest = {}
    for path in sorted((ROOT / "reports/functions").glob("**/rows.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            answer = row["systems"].get(SYSTEM)
            if answer and row["id"] in questions:
                latest[row["id"]] = answer
    return latest


def flagged(questions: dict, answers: dict) -> list[tuple[str, str, str, bool]]:
    """(question id, clause, function, whether an accepted answer calls it)."""
    found = []
    for qid, answer in answers.items():
        question = questions[qid]
        called = {c["name"] for c in answer.get("calls") or []}
        specs = function_specs(question.functions)
        accepted = {call["name"] for alternative in question.answers for call in alternative}
        for clause, function in coverage.uncovered(question.question, called, specs):
            found.append((qid, clause, function, function in accepted))
    return found


def answered(question: bench.Question, first_raw: str, live, cover: bool) -> bool:
    specs = function_specs(question.functions)
    caller = fc.FunctionCaller(RecordedFirst(first_raw, live), specs, cover=cover)
    result = caller.call(question.question)
    calls = bench.plan_calls(result.plan)
    logging.info("%s cover=%s: %s", question.id, cover, result.notes[-3:])
    return bench.is_correct(question, None if result.problems else calls)


def main(live_run: bool, only: str = "") -> None:
    questions = spent_questions()
    answers = {k: v for k, v in latest_answers(questions).items() if k.startswith(only)}
    found = flagged(questions, answers)
    print(f"{len(answers)} questions with a recorded answer; {len(found)} clauses flagged:")
    for qid, clause, function, accepted in found:
        print(f"- {qid}: {function} for {clause!r}; accepted answer calls it: {accepted}")
    if not live_run:
        return
    from toolpath.agent.llm import get_backend

    live = get_backend(None)
    print("\n| question | recorded | without the ask | with the ask |\n|---|---|---|---|")
    totals = [0, 0, 0]
    for qid in dict.fromkeys(q for q, *_ in found):
        recorded = answers[qid]
        if not recorded.get("first_raw"):
            continue
        row = [
            recorded["correct"],
            answered(questions[qid], recorded["first_raw"], live, cover=False),
            answered(questions[qid], recorded["first_raw"], live, cover=True),
        ]
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        print(f"| {qid} | {' | '.join(str(r) for r in row)} |")
    print(f"| right | {' | '.join(str(t) for t in totals)} |")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    arguments = sys.argv[1:]
    only = arguments[arguments.index("--only") + 1] if "--only" in arguments else ""
    main("--live" in arguments, only)
