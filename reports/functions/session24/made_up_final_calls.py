"""The spent sets' recorded final answers that kept a call with a made-up date, name,
e-mail address or phone number (`call_checks.without_made_up_calls`, which now drops such
calls after the last attempt), scored as recorded and with those calls dropped. Offline, no
LLM; the recorded final calls came from the code of each run, so this estimates the rule
on the answers it would have seen.

    python reports/functions/session24/made_up_final_calls.py \
        > reports/functions/session24/made_up_final_calls.md
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners.call_checks import check_answer, without_made_up_calls
from toolpath.planners.call_reading import Answer
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session21"))
from needs_loops import spent_answers  # every spent set's recorded answers


def main() -> None:
    print("| question | category | recorded | calls dropped | now |\n|---|---|---|---|---|")
    totals: Counter[str] = Counter()
    for question, answer in spent_answers():
        calls = answer.get("calls")
        if not calls:
            continue
        specs = {spec.name: spec for spec in function_specs(question.functions)}
        checked = check_answer(Answer(calls=calls), specs, question.question)
        kept = without_made_up_calls(checked, specs, question.question)
        if kept is checked:
            continue
        now = bench.is_correct(question, kept.calls)
        dropped = len(checked.calls) - len(kept.calls)
        print(f"| {question.id} | {question.category} | {answer['correct']} | {dropped} | {now} |")
        totals["answers"] += 1
        totals["recorded"] += answer["correct"]
        totals["now"] += now
    print(
        f"\n{totals['answers']} answers: {totals['recorded']} right as recorded, "
        f"{totals['now']} right with the calls dropped."
    )


if __name__ == "__main__":
    main()
