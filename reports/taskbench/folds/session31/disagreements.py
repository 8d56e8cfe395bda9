"""Session 31: where the graph planner's A* changes the tool the model wrote for a step, on
the pool folds of huggingface and multimedia (no LLM call: the folds' first answers
replayed). For each change: is the model's tool in the label, is the matcher's? With
`--ask`, the embedded model is also asked, for each change, which of the two tools the step
needs (a short multiple choice), to see whether it would adjudicate better than either.

    python reports/taskbench/folds/session31/disagreements.py [--ask] > \
        reports/taskbench/folds/session31/disagreements.txt
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session27"))
from error_analysis import folders, plan

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.alignment import node_tools
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

CHANGE = re.compile(r"graph choice: node (\d+) (.+) -> (.+)$")
DOMAINS = ("huggingface", "multimedia")


def changes(domain: str):
    """(fold, sample id, step, model's tool, matcher's tool, gold tools) per change."""
    catalog = load_taskbench_catalog(domain)
    for folder in folders(domain):
        fold = _Fold.read(domain, folder)
        chooser = fold.chooser(cues=fold.cues)
        by_id = fold.domain.by_id()
        for sample_id in fold.split.eval_ids:
            record = fold.records.get(sample_id)
            if record is None:
                continue
            seen: list = []

            def recording(p, _chooser=chooser, _seen=seen):
                _seen.append(p)
                return _chooser(p)

            result = plan(fold, catalog, record, recording)
            if result is None or not seen:
                continue
            before = seen[0]
            gold = set(node_tools(by_id[sample_id].task_nodes))
            for note in result.notes:
                found = CHANGE.search(note)
                if found:
                    i, model_tool, matcher_tool = int(found[1]), found[2], found[3]
                    task = before.subtasks[i] if i < len(before.subtasks) else None
                    step = (task.description or task.capability) if task else ""
                    yield folder.name, sample_id, step, model_tool, matcher_tool, gold


def ask(llm, catalog, step: str, a: str, b: str) -> str:
    """The tool the model picks for `step` among a and b (shown in a fixed order)."""
    docs = {t.name: t.description for t in catalog.tools}
    first, second = sorted([a, b])
    prompt = (
        f"Step: {step}\nWhich tool does this step need?\n"
        f"A) {first}: {docs.get(first, '')}\nB) {second}: {docs.get(second, '')}\n"
        "Answer with A or B only."
    )
    reply = llm.complete([{"role": "user", "content": prompt}], max_tokens=3).text.strip()
    return first if reply.upper().startswith("A") else second


def _where(tool: str, gold: set[str]) -> str:
    return "in" if tool in gold else "out"


def main(asking: bool) -> None:
    llm = None
    if asking:
        from toolpath.agent.llm import get_backend

        llm = get_backend(None)
    for domain in DOMAINS:
        catalog = load_taskbench_catalog(domain)
        tally: Counter[str] = Counter()
        for fold, sample_id, step, model_tool, matcher_tool, gold in changes(domain):
            key = f"model {_where(model_tool, gold)}, matcher {_where(matcher_tool, gold)}"
            tally[key] += 1
            row = {
                "fold": fold,
                "id": sample_id,
                "step": step,
                "model": model_tool,
                "matcher": matcher_tool,
                "case": key,
            }
            if llm is not None and (model_tool in gold) != (matcher_tool in gold):
                picked = ask(llm, catalog, step, model_tool, matcher_tool)
                row["asked"] = picked
                tally[f"asked right ({key})"] += picked in gold
            print(json.dumps(row), flush=True)
        print(domain, dict(sorted(tally.items())), flush=True)


if __name__ == "__main__":
    main("--ask" in sys.argv[1:])
