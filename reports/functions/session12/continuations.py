"""What continuing an answer whose calls stand does, on the development sets' recorded
first answers: the embedded model goes on from a new line after each answer with calls
(as `FunctionCaller` now does), and the added calls are scored with and without the rule
that keeps only calls to functions the answer named before.

    python reports/functions/session12/continuations.py run OUT.jsonl [--failed|--right]
    python reports/functions/session12/continuations.py score OUT.jsonl...

`run` is resumable (questions already in OUT are skipped); --failed / --right: only the
questions the recorded run got wrong / right.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from toolpath.evals import functions_bench as bench
from toolpath.planners import call_reading
from toolpath.planners import function_calls as fc
from toolpath.tools.catalogs.openai_functions import function_specs

SYSTEM = "toolpath tags-free"
SETS = [
    ("reports/functions/functions.json", "src/toolpath/evals/functions_bench.yaml"),
    ("reports/functions/dev2/third-run/rows.jsonl", "src/toolpath/evals/functions_dev2.yaml"),
    ("reports/functions/dev3/second-run/rows.jsonl", "src/toolpath/evals/functions_dev3.yaml"),
    ("reports/functions/fresh/third-run/rows.jsonl", "src/toolpath/evals/functions_fresh.yaml"),
    ("reports/functions/fresh2/second-run/rows.jsonl", "src/toolpath/evals/functions_fresh2.yaml"),
    ("reports/functions/fresh3/second-run/rows.jsonl", "src/toolpath/evals/functions_fresh3.yaml"),
]
CATEGORIES = ("simple", "multiple", "parallel", "parallel_multiple")


def recorded_rows(rows_path: str) -> list[dict]:
    text = Path(rows_path).read_text()
    if rows_path.endswith(".json"):
        return json.loads(text)["rows"]
    return [json.loads(line) for line in text.splitlines()]


def run(out: Path, only: str | None) -> None:
    if only not in (None, "--failed", "--right"):
        raise SystemExit(f"unknown option {only!r}: --failed or --right")
    from toolpath.agent.llm import get_backend

    done = {json.loads(line)["id"] for line in out.open()} if out.exists() else set()
    llm = get_backend(None)
    with out.open("a") as sink:
        for rows_path, questions_path in SETS:
            questions = {q.id: q for q in bench.load_questions(Path(questions_path))}
            for row in recorded_rows(rows_path):
                recorded = row["systems"][SYSTEM]
                wanted = {None: True, "--failed": not recorded["correct"]}.get(only)
                wanted = recorded["correct"] if only == "--right" else wanted
                if row["category"] not in CATEGORIES or row["id"] in done or not wanted:
                    continue
                question, raw = questions[row["id"]], recorded.get("first_raw") or ""
                specs = function_specs(question.functions)
                if not call_reading.read_calls(raw, {s.name: s for s in specs})[0].calls:
                    continue
                caller = fc.FunctionCaller(llm, specs, relevance_floor=None)
                start = {"role": "assistant", "content": raw.rstrip() + "\n"}
                messages = [*caller.messages(question.question), start]
                completion = llm.complete(messages, max_tokens=caller.max_tokens)
                record = {
                    "id": row["id"], "qpath": questions_path, "category": row["category"],
                    "raw": raw, "continued": completion.text, "seconds": completion.usage.seconds,
                }  # fmt: skip
                sink.write(json.dumps(record) + "\n")
                sink.flush()


def right(question: bench.Question, text: str) -> bool:
    """The answer `text` through the current checks is the question's answer."""
    specs = {s.name: s for s in function_specs(question.functions)}
    answer = call_reading.read_calls(text, specs)[0]
    checked = fc.check_answer(answer, specs, question.question)
    return bench.is_correct(question, None if checked.problems else checked.calls)


def score(paths: list[str]) -> None:
    questions: dict[str, dict[str, bench.Question]] = {}
    # per category: answers, continued, kept rule: gained, lost, all added: gained, lost
    table: dict[str, list[int]] = {}
    records = [json.loads(line) for path in paths for line in Path(path).read_text().splitlines()]
    for record in {r["id"]: r for r in reversed(records)}.values():  # the first of an id
        if record["qpath"] not in questions:
            loaded = bench.load_questions(Path(record["qpath"]))
            questions[record["qpath"]] = {q.id: q for q in loaded}
        question = questions[record["qpath"]][record["id"]]
        specs = {s.name: s for s in function_specs(question.functions)}
        start = record["raw"].rstrip() + "\n"
        added = call_reading.read_calls(record["continued"].removeprefix(start), specs)[0]
        counts = table.setdefault(record["category"], [0] * 6)
        counts[0] += 1
        if not added.calls:
            continue
        counts[1] += 1
        before, after = right(question, record["raw"]), right(question, record["continued"])
        before_answer = call_reading.read_calls(record["raw"], specs)[0]
        checked = fc.check_answer(before_answer, specs, question.question)
        whole = call_reading.read_calls(record["continued"], specs)[0]
        after_checked = fc.check_answer(whole, specs, question.question)
        kept = fc.keeps_continuation(
            record["raw"], before_answer, checked, added, after_checked, specs
        )
        for offset, now in ((2, after if kept else before), (4, after)):
            counts[offset] += now and not before
            counts[offset + 1] += before and not now
        if before != after:
            print(f"{record['id']}: {before} -> {after}" + ("" if kept else " (not kept)"))
    print(
        "| category | answers with calls | calls added | kept: gained | kept: lost "
        "| all added: gained | all added: lost |\n|---|---|---|---|---|---|---|"
    )
    for category, counts in sorted(table.items()):
        print(f"| {category} | " + " | ".join(str(c) for c in counts) + " |")
    totals = [sum(column) for column in zip(*table.values(), strict=True)]
    print("| all | " + " | ".join(str(c) for c in totals) + " |")


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        score(sys.argv[2:])
