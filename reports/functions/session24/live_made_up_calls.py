"""The spent answers whose recorded final calls kept a call with a made-up date, name,
e-mail address or phone number (`made_up_final_calls.py`), answered again live by the
current `FunctionCaller` after their recorded first answer (session 21's `answered_live`):
the whole caller, retries and rechecks included, not the drop alone. Resumable
(`live_made_up_calls.jsonl`); prints the table, recorded against now.

    python reports/functions/session24/live_made_up_calls.py --list
    TOOLPATH_LLM_THREADS=2 python reports/functions/session24/live_made_up_calls.py \
        > reports/functions/session24/live_made_up_calls.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners.call_checks import check_answer, without_made_up_calls
from toolpath.planners.call_reading import Answer
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session21"))
from needs_loops import live_report  # session 21's live replay

HERE = Path(__file__).resolve().parent


def _kept_a_made_up_call(question: bench.Question, answer: dict) -> bool:
    if not answer.get("calls"):
        return False
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    checked = check_answer(Answer(calls=answer["calls"]), specs, question.question)
    return without_made_up_calls(checked, specs, question.question) is not checked


if __name__ == "__main__":
    live_report(
        _kept_a_made_up_call,
        HERE / "live_made_up_calls.jsonl",
        "Spent answers that kept a made-up call, answered again",
    )
