"""The spent questions whose gate decision the clause-wise relevance changes: turned away
before the model is asked when the whole request is far from every function (below
`RELEVANCE_FLOOR`), but asked now because one of its clauses is near one
(`FunctionCaller.relevance`). Each is answered live by the current caller from the start (a
gated question has no recorded first answer; session 21's `answered_live`). Resumable
(`live_relevance_gate.jsonl`); prints the table, recorded against now.

    python reports/functions/session25/live_relevance_gate.py --list
    TOOLPATH_LLM_THREADS=2 python reports/functions/session25/live_relevance_gate.py \
        > reports/functions/session25/live_relevance_gate.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import function_calls as fc
from toolpath.planners.coverage import function_similarity
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session21"))
from needs_loops import live_report  # session 21's live replay

HERE = Path(__file__).resolve().parent


def _whole_request_gated(question: bench.Question, answer: dict) -> bool:
    """Turned away by the whole request's similarity, asked by a clause's."""
    tools = function_specs(question.functions)
    whole = float(function_similarity([question.question], tools)[0].max())
    now = fc.FunctionCaller(None, tools).relevance(question.question)
    return whole < fc.RELEVANCE_FLOOR <= (now or 0.0)


if __name__ == "__main__":
    live_report(
        _whole_request_gated,
        HERE / "live_relevance_gate.jsonl",
        "Questions the clause-wise relevance gate now asks the model about",
        from_start=True,
    )
