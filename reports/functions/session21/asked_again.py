"""The spent runs' first answers that the session 21 checks ask about differently, answered
again live by the current `FunctionCaller` after the recorded first answer: a number in a
list of objects the request does not give (`call_checks._invented_in_items`: "eight
vegetarian" written as 40 portions) and an enum value that is an option of another
parameter (`call_checks._option_of_another`). Resumable (`asked_again.jsonl`).

    TOOLPATH_LLM_THREADS=1 python reports/functions/session21/asked_again.py \
        > reports/functions/session21/asked_again.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import call_reading
from toolpath.planners import function_calls as fc
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from needs_loops import HERE, answered_live, spent_answers


def asked_differently(question: bench.Question, recorded: dict) -> bool:
    """The checks of the recorded first answer list an item's number as not given, or name
    another parameter whose option a value is."""
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    answer, _ = call_reading.read_calls(recorded["first_raw"], specs)
    checked = fc.check_answer(answer, specs, question.question)
    items = any("]." in entry.split(": ", 1)[1] for entry in checked.unsupplied)
    return items or any("is an option of" in problem for problem in checked.problems)


if __name__ == "__main__":
    chosen = [(q, a) for q, a in spent_answers() if a.get("first_raw") and asked_differently(q, a)]
    answered_live(
        chosen,
        HERE / "asked_again.jsonl",
        "Items' numbers and other parameters' options asked about",
    )
