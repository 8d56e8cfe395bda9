"""The spent answers that wrote no call and said what no function can do ("No function can
reserve a Christmas tree"), where that phrase is near an offered function but the request
is not (`FunctionCaller._declined_function`): the caller now asks about that function once
more. Answered again live by the current `FunctionCaller` after their recorded first answer
(session 21's `answered_live`). Resumable (`live_declined_tasks.jsonl`); prints the table,
recorded against now.

    python reports/functions/session24/live_declined_tasks.py --list
    TOOLPATH_LLM_THREADS=2 python reports/functions/session24/live_declined_tasks.py \
        > reports/functions/session24/live_declined_tasks.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import function_calls as fc
from toolpath.planners.call_reading import read_calls
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session21"))
from needs_loops import live_report  # session 21's live replay

HERE = Path(__file__).resolve().parent


def _asked_by_its_decline(question: bench.Question, answer: dict) -> bool:
    """The first answer has no call and stands, and only its declined task (not the
    request) is near a function."""
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    raw = answer["first_raw"]
    read, _ = read_calls(raw, specs)
    checked = fc.check_answer(read, specs, question.question)
    if checked.calls or fc.retry_message(read, checked, raw, specs):
        return False
    caller = fc.FunctionCaller(None, list(specs.values()), relevance_floor=None)
    nearest = caller._nearest(question.question)
    near_request = nearest is not None and nearest[1] >= fc.RECHECK_SIMILARITY
    return not near_request and caller._declined_function(question.question, raw) is not None


if __name__ == "__main__":
    live_report(
        _asked_by_its_decline,
        HERE / "live_declined_tasks.jsonl",
        "Spent answers that declined a task near a function, asked about it again",
    )
