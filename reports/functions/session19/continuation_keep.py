"""The continuations the recorded runs did not keep, made again live and judged by the keep
rule before and after session 19 (a call to a function some clause of the request is
nearest is kept too). `--record` asks the embedded model for the continuations the spent
sets' runs noted as "calls added not kept" (wrong answers and right ones other than
irrelevance, taken in turn; resumable) into continuations.jsonl; without it, the table.

    TOOLPATH_LLM_THREADS=2 python reports/functions/session19/continuation_keep.py --record
    python reports/functions/session19/continuation_keep.py > \
        reports/functions/session19/continuation_keep.md
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import call_reading
from toolpath.planners import function_calls as fc
from toolpath.planners.coverage import nearest_functions
from toolpath.tools.catalogs.openai_functions import function_specs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spent import spent_answers

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "continuations.jsonl"


def _spent() -> list[tuple[bench.Question, dict]]:
    """(question, recorded answer) of every spent run whose continuation was not kept."""
    return [
        (question, answer)
        for question, answer in spent_answers()
        if any("calls added not kept" in note for note in answer.get("notes") or [])
    ]


def record() -> None:
    from toolpath.agent.llm import get_backend

    done = (
        {json.loads(line)["id"] for line in RECORDED.read_text().splitlines()}
        if (RECORDED.exists())
        else set()
    )
    spent = _spent()
    wrong = [x for x in spent if not x[1]["correct"]]
    right = [x for x in spent if x[1]["correct"] and x[0].category != "irrelevance"]
    llm = get_backend(None)
    with RECORDED.open("a") as out:
        for pair in itertools.zip_longest(wrong, right):
            for question, answer in (x for x in pair if x is not None):
                if question.id in done:
                    continue
                caller = fc.FunctionCaller(
                    llm, function_specs(question.functions), relevance_floor=None
                )
                start = {"role": "assistant", "content": answer["first_raw"].rstrip() + "\n"}
                text = llm.complete([*caller.messages(question.question), start], max_tokens=384)
                row = {"id": question.id, "correct": answer["correct"]}
                out.write(json.dumps({**row, "first_raw": answer["first_raw"], "text": text.text}))
                out.write("\n")
                out.flush()


def _right(question: bench.Question, raw: str, text: str, nearest_too: bool) -> bool:
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    tools, request = list(specs.values()), question.question
    before = call_reading.read_calls(raw, specs)[0]
    checked = fc.check_answer(before, specs, request)
    added = call_reading.read_calls(text.removeprefix(raw.rstrip() + "\n"), specs)[0]
    after = fc.check_answer(call_reading.read_calls(text, specs)[0], specs, request)
    nearest = frozenset(nearest_functions(request, tools) or ()) if nearest_too else frozenset()
    kept = fc.keeps_continuation(raw, before, checked, added, after, specs, nearest)
    final = after if kept else checked
    if final.calls and not final.problems:
        final = fc.asked_only(final, tools, request)
    return bench.is_correct(question, None if final.problems else final.calls)


def main() -> None:
    questions = {q.id: q for q, _ in _spent()}
    rows = [json.loads(line) for line in RECORDED.read_text().splitlines()]
    counts = {key: [0, 0] for key in ("wrong when recorded", "right when recorded")}
    changed = []
    for row in rows:
        question = questions[row["id"]]
        before = _right(question, row["first_raw"], row["text"], nearest_too=False)
        after = _right(question, row["first_raw"], row["text"], nearest_too=True)
        key = "right when recorded" if row["correct"] else "wrong when recorded"
        counts[key][0] += before
        counts[key][1] += after
        if before != after:
            changed.append(f"- {row['id']}: {before} -> {after}")
    print("| recorded answers | continuations | right, named only | right, named or nearest |")
    print("|---|---|---|---|")
    for key, (before, after) in counts.items():
        n = sum(1 for row in rows if (key == "right when recorded") == row["correct"])
        print(f"| {key} | {n} | {before} | {after} |")
    print("\nChanged:\n" + ("\n".join(changed) or "- none"))


if __name__ == "__main__":
    record() if "--record" in sys.argv[1:] else main()
