"""The spent answers this session's rules change in a way an offline replay cannot show,
answered again live by the current `FunctionCaller` after their recorded first answer
(session 21's `answered_live`): the runs that ended with no valid calls after the last
attempt though their first answer had two calls or more (`without_failing_calls` now keeps
the valid ones), and the first answers now asked about a number the request gives only as
someone's age (`grounding.grounded`: "our twelve-year-old" is no 12 children). Resumable
(`live_changes.jsonl`); prints the table, recorded against now.

    TOOLPATH_LLM_THREADS=1 python reports/functions/session22/live_changes.py \
        > reports/functions/session22/live_changes.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners.call_checks import check_answer
from toolpath.planners.call_reading import read_calls
from toolpath.planners.mentions import mentions
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session21"))
from needs_loops import answered_live, spent_answers  # session 21's live replay

HERE = Path(__file__).resolve().parent


def _failed_with_calls_beside(answer: dict) -> bool:
    return "no valid calls after" in (answer.get("error") or "") and (
        answer.get("first_raw", "").count('"name"') >= 2
    )


def _asked_about_an_age(question: bench.Question, answer: dict) -> bool:
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    read, _ = read_calls(answer.get("first_raw") or "", specs)
    checked = check_answer(read, specs, question.question)
    ages = mentions(question.question).ages
    values = [re.search(r"=(-?[\d.]+)$", item) for item in checked.unsupplied]
    return any(value and float(value[1]) in ages for value in values)


def chosen() -> list[tuple[bench.Question, dict]]:
    return [
        (question, answer)
        for question, answer in spent_answers()
        if answer.get("first_raw")
        and (_failed_with_calls_beside(answer) or _asked_about_an_age(question, answer))
    ]


if __name__ == "__main__":
    picked = chosen()
    if sys.argv[1:] == ["--list"]:
        print("\n".join(q.id for q, _ in picked))
    else:
        answered_live(picked, HERE / "live_changes.jsonl", "Spent answers the new rules change")
