"""The spent questions whose gate decision the clause-wise relevance changes: turned away
before the model is asked when the whole request is far from every function (below
`RELEVANCE_FLOOR`), but asked now because one of its clauses is near one
(`FunctionCaller.relevance`). Each is answered live by the current caller from the start (a
gated question has no recorded first answer). Resumable (`live_relevance_gate.jsonl`);
prints the table, recorded against now.

    python reports/functions/session25/live_relevance_gate.py --list
    TOOLPATH_LLM_THREADS=2 python reports/functions/session25/live_relevance_gate.py \
        > reports/functions/session25/live_relevance_gate.md
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from toolpath.agent.llm import get_backend
from toolpath.evals import functions_bench as bench
from toolpath.planners import function_calls as fc
from toolpath.planners.coverage import function_similarity
from toolpath.tools.catalogs.openai_functions import function_specs

HERE = Path(__file__).resolve().parent
ROWS = HERE / "live_relevance_gate.jsonl"
SETS = HERE / "spent_sets.txt"  # "rows questions" per line, as the offline replay reads them


def _whole_request_gated(question: bench.Question) -> bool:
    """Turned away by the whole request's similarity, asked by a clause's."""
    tools = function_specs(question.functions)
    whole = float(function_similarity([question.question], tools)[0].max())
    now = fc.FunctionCaller(None, tools).relevance(question.question)
    return whole < fc.RELEVANCE_FLOOR <= (now or 0.0)


def _spent() -> list[tuple[bench.Question, dict]]:
    picked = []
    for line in SETS.read_text().splitlines():
        rows_path, questions_path = line.split()
        questions = {q.id: q for q in bench.load_questions(Path(questions_path))}
        text = Path(rows_path).read_text()
        rows = json.loads(text)["rows"] if rows_path.endswith(".json") else [
            json.loads(row) for row in text.splitlines()
        ]  # fmt: skip
        for row in rows:
            question = questions[row["id"]]
            if _whole_request_gated(question):
                picked.append((question, row["systems"]["toolpath tags-free"]))
    return picked


def main() -> None:
    picked = _spent()
    if sys.argv[1:] == ["--list"]:
        print("\n".join(f"{q.id} {a['correct']}" for q, a in picked))
        return
    done = (
        {r["id"]: r for r in map(json.loads, ROWS.read_text().splitlines())}
        if ROWS.exists()
        else {}
    )
    live = get_backend(None)
    for question, recorded in picked:
        if question.id in done:
            continue
        calls, info = bench.toolpath_calls(live, question, "tags-free")
        row = {"id": question.id, "recorded": recorded["correct"],
               "now": bench.is_correct(question, calls), "calls": calls,
               "notes": info.get("notes", [])}  # fmt: skip
        done[question.id] = row
        with ROWS.open("a") as out:
            out.write(json.dumps(row) + "\n")
        print(f"{row['id']}: {row['recorded']} -> {row['now']}", file=sys.stderr)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    print(f"# Questions the clause-wise relevance gate now asks the model about, live ({commit})\n")
    print("| question | recorded | now |\n|---|---|---|")
    for row in done.values():
        print(f"| {row['id']} | {row['recorded']} | {row['now']} |")
    before, after = (sum(r[k] for r in done.values()) for k in ("recorded", "now"))
    print(f"\n{len(done)} answers: {before} right as recorded, {after} right now.")


if __name__ == "__main__":
    main()
