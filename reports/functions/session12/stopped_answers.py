"""Development questions whose recorded first answer stopped before any call (the cases
`FunctionCaller` now continues): each run again through the caller, the recorded first
answer given back and the embedded model asked live for the continuation and any retry.
Prints one JSON line per question: was (recorded), now, direct, the answer's end, the calls.

    python reports/functions/session12/stopped_answers.py > OUT.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "dev2"))
sys.path.insert(0, str(Path(__file__).parent))
from continuations import SETS, SYSTEM, recorded_rows
from replay_first_answers import RecordedFirst

from toolpath.agent.llm import get_backend
from toolpath.evals import functions_bench as bench
from toolpath.planners import call_reading
from toolpath.planners import function_calls as fc
from toolpath.tools.catalogs.openai_functions import function_specs


def main() -> None:
    live = get_backend(None)
    for rows_path, questions_path in SETS:
        questions = {q.id: q for q in bench.load_questions(Path(questions_path))}
        for row in recorded_rows(rows_path):
            question, recorded = questions[row["id"]], row["systems"][SYSTEM]
            raw = recorded.get("first_raw") or ""
            specs = {s.name: s for s in function_specs(question.functions)}
            answer = call_reading.read_calls(raw, specs)[0]
            checked = fc.check_answer(answer, specs, question.question)
            caller = fc.FunctionCaller(
                RecordedFirst(raw, live), list(specs.values()), relevance_floor=None
            )
            if not raw or answer.calls or not caller._continuable(answer, checked, raw):
                continue
            result = caller.call(question.question)
            calls = [
                {"name": t.capability, "arguments": {a.name: a.value for a in t.arguments}}
                for t in result.plan.subtasks
            ]
            now = bench.is_correct(question, None if result.problems else calls)
            line = {
                "id": question.id, "was": recorded["correct"], "now": now,
                "direct": row["systems"]["direct"]["correct"], "raw": result.first_raw[-400:],
                "calls": calls, "attempts": result.attempts,
            }  # fmt: skip
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
