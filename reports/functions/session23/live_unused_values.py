"""The spent answers whose first answer leaves a date or UK postcode of the request in no
call (`coverage.unused_values`), answered again live by the current `FunctionCaller` after
their recorded first answer (session 21's `answered_live`): the caller now asks about the
clause that states it. Only first answers that pass the checks reach that question, so
only those are chosen. Resumable (`live_unused_values.jsonl`); prints the table, recorded
against now.

    python reports/functions/session23/live_unused_values.py --list
    TOOLPATH_LLM_THREADS=1 python reports/functions/session23/live_unused_values.py \
        > reports/functions/session23/live_unused_values.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import function_calls as fc
from toolpath.planners.call_reading import read_calls
from toolpath.planners.coverage import unused_values
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session21"))
from needs_loops import live_report  # session 21's live replay

HERE = Path(__file__).resolve().parent


def _leaves_a_value(question: bench.Question, answer: dict) -> bool:
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    read, _ = read_calls(answer["first_raw"], specs)
    checked = fc.check_answer(read, specs, question.question)
    if not checked.calls or fc.retry_message(read, checked, answer["first_raw"], specs):
        return False
    kept = fc.asked_only(checked, list(specs.values()), question.question)
    return bool(unused_values(question.question, kept.calls, list(specs.values())))


if __name__ == "__main__":
    live_report(
        _leaves_a_value,
        HERE / "live_unused_values.jsonl",
        "Spent answers asked about a value no call gives",
    )
