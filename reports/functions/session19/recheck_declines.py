"""The spent runs' answers that made no call (the model said no function fits) for requests
near a function, asked about once more the way `FunctionCaller._rechecked` asks, live: how
many become right, and whether right declines (irrelevance) stay. Rows from similarity 0.55
so the chosen threshold (`RECHECK_SIMILARITY`, 0.6) can be seen against its neighbours.
The model is shown its recorded first answer (a later attempt's is not recorded); where it
keeps no call, the recorded answer stands. Resumable (`rechecked.jsonl`); prints the table.

    TOOLPATH_LLM_THREADS=2 python reports/functions/session19/recheck_declines.py \
        > reports/functions/session19/recheck_declines.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import call_reading
from toolpath.planners import function_calls as fc
from toolpath.planners.coverage import function_similarity
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spent import spent_answers

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "rechecked.jsonl"
FROM = 0.55


def _declines() -> list[tuple[float, bench.Question, dict]]:
    """(similarity, question, recorded answer) of the spent runs' answers with no call and
    nothing wrong, for requests at least `FROM` near a function, nearest first."""
    found = []
    for question, answer in spent_answers():
        if answer["calls"] or answer.get("problems"):
            continue
        similarity = function_similarity([question.question], function_specs(question.functions))
        if similarity is not None and similarity.max() >= FROM:
            found.append((float(similarity.max()), question, answer))
    return sorted(found, key=lambda item: -item[0])


def _checked(question: bench.Question, answer: dict) -> fc.Checked:
    """The recorded first answer through the current checks."""
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    first = call_reading.read_calls(answer["first_raw"], specs)[0]
    return fc.check_answer(first, specs, question.question)


def main() -> None:
    from toolpath.agent.llm import get_backend

    done = {}
    if RECORDED.exists():
        done = {
            json.loads(line)["id"]: json.loads(line) for line in RECORDED.read_text().splitlines()
        }
    llm, fc.RECHECK_SIMILARITY = get_backend(None), FROM
    with RECORDED.open("a") as out:
        for top, question, answer in _declines():
            if question.id in done:
                continue
            caller = fc.FunctionCaller(
                llm, function_specs(question.functions), relevance_floor=None
            )
            checked = _checked(question, answer)
            after, _, notes = caller._rechecked(
                caller.messages(question.question), answer["first_raw"], checked, question.question
            )
            # nothing kept: the answer stays the recorded one (no call)
            kept = bool(notes) and notes[-1].endswith("calls kept")
            right = bench.is_correct(question, after.calls) if kept else answer["correct"]
            row = {
                "id": question.id,
                "similarity": round(top, 3),
                "irrelevance": not question.answers[0],
            }
            row |= {"recorded": answer["correct"], "now": right, "note": notes[-1] if notes else ""}
            done[question.id] = row
            out.write(json.dumps(row) + "\n")
            out.flush()
    print("| question | similarity | accepted: no call | right before | right after the ask |")
    print("|---|---|---|---|---|")
    for row in sorted(done.values(), key=lambda r: -r["similarity"]):
        print(
            f"| {row['id']} | {row['similarity']} | {row['irrelevance']} | {row['recorded']} "
            f"| {row['now']} |"
        )
    at = [r for r in done.values() if r["similarity"] >= 0.6]
    print(
        f"\nAt 0.6 or more: {len(at)} questions, right before {sum(r['recorded'] for r in at)}, "
        f"after {sum(r['now'] for r in at)}."
    )


if __name__ == "__main__":
    main()
