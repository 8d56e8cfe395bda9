"""The recorded toolpath answers of every spent set's committed run, with their questions:
what the session 20 report scripts read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from toolpath.evals import functions_bench as bench

ROOT = Path(__file__).resolve().parents[3]
SYSTEM = "toolpath tags-free"
UNREAD = ("fresh16",)  # sets not run yet: never read here


def spent_answers() -> Iterator[tuple[bench.Question, dict]]:
    """(question, recorded answer) of each set's `reports/functions/<set>/rows.jsonl`."""
    for name, file in bench.QUESTION_SETS.items():
        rows = ROOT / "reports" / "functions" / name / "rows.jsonl"
        if name in UNREAD or not rows.exists():
            continue
        questions = {q.id: q for q in bench.load_questions(bench.question_file(file))}
        for line in rows.read_text().splitlines():
            row = json.loads(line)
            answer = row["systems"].get(SYSTEM)
            if answer:
                yield questions[row["id"]], answer
