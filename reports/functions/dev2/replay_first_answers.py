"""Replay the first answers a `toolpath bench functions` run recorded through the current
checks (no LLM call): what a change to the reading and checking code does to the same
answers. Where the current code would ask the model again, the recorded result stands
(the second answer cannot be replayed) when the run did ask again.

    python reports/functions/dev2/replay_first_answers.py ROWS.jsonl|functions.json QUESTIONS.yaml
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


def replayed(question: bench.Question, recorded: dict) -> bool:
    if not recorded.get("first_raw"):
        return recorded["correct"]
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    answer, _ = call_reading.read_calls(recorded["first_raw"], specs)
    checked = fc.check_answer(answer, specs, question.question)
    if fc.retry_message(answer, checked, recorded["first_raw"], specs) and (
        recorded.get("attempts", 1) > 1
    ):
        return recorded["correct"]
    return bench.is_correct(question, None if checked.problems else checked.calls)


def main(rows_path: str, questions_path: str) -> None:
    questions = {q.id: q for q in bench.load_questions(Path(questions_path))}
    text = Path(rows_path).read_text()
    if rows_path.endswith(".json"):  # a whole report (functions.json) holds its rows
        rows = json.loads(text)["rows"]
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    table: dict[str, list[int]] = {}
    for row in rows:
        recorded = row["systems"][SYSTEM]
        now = replayed(questions[row["id"]], recorded)
        if now != recorded["correct"]:
            print(f"{row['id']}: {recorded['correct']} -> {now}")
        counts = table.setdefault(row["category"], [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += recorded["correct"]
        counts[2] += now
        counts[3] += row["systems"]["direct"]["correct"]
    print("| category | questions | recorded | replayed | direct |\n|---|---|---|---|---|")
    for category, (n, before, after, direct) in table.items():
        print(f"| {category} | {n} | {before} | {after} | {direct} |")


if __name__ == "__main__":
    main(*sys.argv[1:3])
