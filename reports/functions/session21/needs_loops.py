"""The spent runs' first answers that stopped in a looping Needs line ("board up broken
glass; board up broken glass; ..." to the token limit, no call), answered again live by
the current `FunctionCaller`, which cuts such a line to its distinct items
(`call_reading.without_needs_loop`) before it lets the model go on. The model is shown its
recorded first answer; everything after it is live (`answered_live`). Resumable
(`needs_loops.jsonl`); prints the table, recorded against now.

    TOOLPATH_LLM_THREADS=1 python reports/functions/session21/needs_loops.py \
        > reports/functions/session21/needs_loops.md
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from toolpath.agent.llm import get_backend
from toolpath.evals import functions_bench as bench
from toolpath.planners.call_reading import without_needs_loop

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session19"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dev2"))
import spent  # session 19's reader of the spent sets' recorded answers
from replay_first_answers import RecordedFirst

spent.UNREAD = ()  # fresh16 is read now: every set with a run
spent_answers = spent.spent_answers

HERE = Path(__file__).resolve().parent


def looping() -> list[tuple[bench.Question, dict]]:
    """(question, recorded answer) of each first answer that ends in a looping Needs line."""
    return [
        (question, answer)
        for question, answer in spent_answers()
        if answer.get("first_raw") and without_needs_loop(answer["first_raw"]) is not None
    ]


def answered_live(
    chosen: list[tuple[bench.Question, dict]], rows: Path, title: str, from_start: bool = False
) -> None:
    """Each chosen question answered by the current caller after its recorded first answer,
    or from the start (`from_start`: a question the run never asked the model about; rows
    appended to `rows`, those there kept); prints the table under `title`."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    done = (
        {r["id"]: r for r in map(json.loads, rows.read_text().splitlines())}
        if rows.exists()
        else {}
    )
    live = get_backend(None)
    for question, recorded in chosen:
        if question.id in done:
            continue
        model = live if from_start else RecordedFirst(recorded["first_raw"], live)
        calls, info = bench.toolpath_calls(model, question, "tags-free")
        row = {
            "id": question.id,
            "category": question.category,
            "recorded": recorded["correct"],
            "now": bench.is_correct(question, calls),
            "calls": calls,
            "notes": info.get("notes", []),
        }
        done[question.id] = row
        with rows.open("a") as out:
            out.write(json.dumps(row) + "\n")
        print(f"{row['id']}: {row['recorded']} -> {row['now']}", file=sys.stderr)
    print(f"# {title}, live (started at {commit}; uncommitted changes not shown)\n")
    print("| question | recorded | now |\n|---|---|---|")
    for row in done.values():
        print(f"| {row['id']} | {row['recorded']} | {row['now']} |")
    before = sum(r["recorded"] for r in done.values())
    after = sum(r["now"] for r in done.values())
    print(f"\n{len(done)} answers: {before} right as recorded, {after} right now.")


def live_report(
    fires: Callable[[bench.Question, dict], bool],
    rows: Path,
    title: str,
    from_start: bool = False,
) -> None:
    """The spent first answers a rule `fires` on (or, `from_start`, the spent questions,
    with or without a first answer): listed (`--list` on the command line, with whether
    each was right as recorded) or answered again live (`answered_live`)."""
    picked = [
        (question, answer)
        for question, answer in spent_answers()
        if (from_start or answer.get("first_raw")) and fires(question, answer)
    ]
    if sys.argv[1:] == ["--list"]:
        print("\n".join(f"{q.id} {a['correct']}" for q, a in picked))
    else:
        answered_live(picked, rows, title, from_start)


if __name__ == "__main__":
    answered_live(looping(), HERE / "needs_loops.jsonl", "Looping Needs lines cut and continued")
