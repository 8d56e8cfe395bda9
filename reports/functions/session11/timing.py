"""Prompt reading of toolpath's function-calling prompt against the direct prompt, the
two asked one after the other for each of the first N dev2 questions (as the bench does):
prompt tokens, tokens the model server had cached, output tokens, seconds.

    python reports/functions/session11/timing.py [N] > reports/functions/session11/timing.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolpath.agent.llm import get_backend
from toolpath.evals import functions_bench as bench
from toolpath.planners.function_calls import direct_prompt, system_prompt
from toolpath.tools.catalogs.openai_functions import function_specs


def main(count: int) -> None:
    llm = get_backend(None)
    questions = bench.load_questions(Path("src/toolpath/evals/functions_dev2.yaml"))[:count]
    print("| question | prompt | tokens | cached | output | seconds | reading ms |")
    print("|---|---|---|---|---|---|---|")
    for question in questions:
        specs = function_specs(question.functions)
        for name, system in (("toolpath", system_prompt(specs)), ("direct", direct_prompt(specs))):
            messages = [
                {"role": "system", "content": system},
                {"role": "user", "content": question.question},
            ]
            usage = llm.complete(messages, max_tokens=512).usage
            reading = getattr(llm, "last_timings", {}).get("prompt_ms", 0.0)
            print(
                f"| {question.id} | {name} | {usage.prompt_tokens} | {usage.cached_tokens} | "
                f"{usage.completion_tokens} | {usage.seconds:.1f} | {reading:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
