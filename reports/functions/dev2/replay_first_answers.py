"""Replay the first answers a `toolpath bench functions` run recorded through the current
checks (no LLM call): what a change to the reading and checking code does to the same
answers. Where the current code would ask the model again, the recorded result stands
(the second answer cannot be replayed) when the run did ask again; with `--retry-live`,
where the run did not ask again, the embedded model is asked now (the recorded first
answer in its context, through `FunctionCaller` itself); so is an answer that stopped after
its Needs line, which the caller now continues (`continues_answers`).

    python reports/functions/dev2/replay_first_answers.py ROWS.jsonl|functions.json \
        QUESTIONS.yaml [--retry-live]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from toolpath.evals import functions_bench as bench
from toolpath.planners import call_reading
from toolpath.planners import function_calls as fc
from toolpath.planners.llm import ChatModel, Completion, continues_answers
from toolpath.tools.catalogs.openai_functions import function_specs

SYSTEM = "toolpath tags-free"


class RecordedFirst:
    """The recorded first answer, then the live model for any further attempt."""

    def __init__(self, first: str, live: ChatModel) -> None:
        self.first, self.live, self.asked = first, live, 0
        self.continues_answers = continues_answers(live)

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Completion:
        self.asked += 1
        if self.asked == 1:
            return Completion(text=self.first)
        return self.live.complete(
            messages, schema=schema, max_tokens=max_tokens, temperature=temperature
        )


def replayed(question: bench.Question, recorded: dict, live: ChatModel | None = None) -> bool:
    if not recorded.get("first_raw"):
        return recorded["correct"]
    specs = {spec.name: spec for spec in function_specs(question.functions)}
    answer, _ = call_reading.read_calls(recorded["first_raw"], specs)
    checked = fc.check_answer(answer, specs, question.question)
    if fc.retry_message(answer, checked, recorded["first_raw"], specs):
        model = RecordedFirst(recorded["first_raw"], live) if live is not None else None
        caller = fc.FunctionCaller(model, list(specs.values()), relevance_floor=None)
        continued = model is not None and caller._continuable(
            answer, checked, recorded["first_raw"]
        )  # the recorded second attempt is not what the caller does now
        if recorded.get("attempts", 1) > 1 and not continued:
            return recorded["correct"]
        if model is not None:
            result = caller.call(question.question)
            calls = bench.plan_calls(result.plan)
            return bench.is_correct(question, None if result.problems else calls)
    if checked.calls and not checked.problems:
        checked = fc.asked_only(checked, list(specs.values()), question.question)
    return bench.is_correct(question, None if checked.problems else checked.calls)


def main(rows_path: str, questions_path: str, retry_live: bool = False) -> None:
    questions = {q.id: q for q in bench.load_questions(Path(questions_path))}
    text = Path(rows_path).read_text()
    if rows_path.endswith(".json"):  # a whole report (functions.json) holds its rows
        rows = json.loads(text)["rows"]
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    live = None
    if retry_live:
        from toolpath.agent.llm import get_backend

        live = get_backend(None)
    table: dict[str, list[int]] = {}
    for row in rows:
        recorded = row["systems"][SYSTEM]
        now = replayed(questions[row["id"]], recorded, live)
        if now != recorded["correct"]:
            print(f"{row['id']}: {recorded['correct']} -> {now}")
        counts = table.setdefault(row["category"], [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += recorded["correct"]
        counts[2] += now
        counts[3] += row["systems"].get("direct", {}).get("correct", False)  # none: 0
    print("| category | questions | recorded | replayed | direct |\n|---|---|---|---|---|")
    for category, (n, before, after, direct) in table.items():
        print(f"| {category} | {n} | {before} | {after} | {direct} |")
    totals = [sum(column) for column in zip(*table.values(), strict=True)]
    print(f"| all | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} |")


if __name__ == "__main__":
    main(*sys.argv[1:3], retry_live="--retry-live" in sys.argv[3:])
