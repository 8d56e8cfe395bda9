"""The recent sets' recorded answers whose final calls leave a date or option the request
states beside the one a call gives (`coverage.other_values`: "raise nitrate by 10 ppm
and phosphate by 1 ppm" answered with one call, for nitrate), answered again live by the
current caller after the recorded first answer (session 21's `answered_live`). Only the
sets from fresh13 on (`RECENT`): their recorded final calls are nearer the ones the current
caller has when it asks than older runs' (fresh20 to fresh23 were checked first, then
fresh13 to fresh19 were added).
Resumable (`other_values_live.jsonl`); prints the table, recorded against now.

`--without` answers again, with `other_values` switched off, each question where a call
was kept for some part left out (the model is deterministic, so the others would come out
the same): the side-by-side baseline (`other_values_without.jsonl`).

    python reports/functions/session26/other_values_live.py --list
    TOOLPATH_LLM_THREADS=2 python reports/functions/session26/other_values_live.py \
        > reports/functions/session26/other_values_live.md
    TOOLPATH_LLM_THREADS=2 python reports/functions/session26/other_values_live.py \
        --without > reports/functions/session26/other_values_without.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import function_calls
from toolpath.planners.coverage import other_values
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session21"))
from needs_loops import live_report  # session 21's live replay

HERE = Path(__file__).resolve().parent


RECENT = tuple(f"fresh{n}" for n in range(13, 24))


def _leaves_other_values(question: bench.Question, answer: dict) -> bool:
    """A recent set's recorded final calls leave a value beside a given one."""
    calls = answer.get("calls") or []
    if question.id.split("-")[0] not in RECENT or not calls:
        return False
    return bool(other_values(question.question, calls, function_specs(question.functions)))


def _kept_a_call(rows: Path) -> set[str]:
    """The questions of `rows` where a call was kept for a part left out."""
    found = map(json.loads, rows.read_text().splitlines())
    return {r["id"] for r in found if any("covered: a call to" in n for n in r["notes"])}


if __name__ == "__main__" and sys.argv[1:] == ["--without"]:
    kept = _kept_a_call(HERE / "other_values_live.jsonl")
    function_calls.other_values = lambda *_: []
    live_report(
        lambda question, answer: question.id in kept,
        HERE / "other_values_without.jsonl",
        "The same, with other_values switched off, where a call was kept",
    )
elif __name__ == "__main__":
    live_report(
        _leaves_other_values,
        HERE / "other_values_live.jsonl",
        "Spent answers asked about a value beside the one a call gives",
    )
