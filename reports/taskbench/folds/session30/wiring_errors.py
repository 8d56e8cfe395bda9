"""Session 30: the links lost where the graph planner's tools are right (no LLM call: the
pool folds' first answers replayed with today's chooser). For each sample whose planned
tool names equal the label's but whose links differ: the request, the label's links and
the plan's, one block per sample, then counts by kind of difference.

    python reports/taskbench/folds/session30/wiring_errors.py > \
        reports/taskbench/folds/session30/wiring_errors.txt
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session27"))
from error_analysis import folders, plan

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.evals.taskbench.metrics import normalise_pair
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog


def kind(gold: set, predicted: set) -> str:
    """A name for how the plan's links differ from the label's."""
    missed, extra = gold - predicted, predicted - gold
    if {(b, a) for a, b in missed} == extra:
        return "reversed"
    if missed and extra:
        return "rewired"
    return "missing only" if missed else "extra only"


def analyse(domain: str) -> Counter:
    catalog = load_taskbench_catalog(domain)
    kinds: Counter = Counter()
    for folder in folders(domain):
        fold = _Fold.read(domain, folder)
        by_id = fold.domain.by_id()
        chooser = fold.chooser(cues=fold.cues)
        for sample_id in fold.split.eval_ids:
            record = fold.records.get(sample_id)
            result = None if record is None else plan(fold, catalog, record, chooser)
            if result is None:
                continue
            gold, predicted = normalise_pair(by_id[sample_id].label, result.taskbench, fold.domain)
            if gold.names != predicted.names or gold.links == predicted.links:
                continue
            kinds[kind(gold.links, predicted.links)] += 1
            print(f"## {domain} {sample_id} ({kind(gold.links, predicted.links)})")
            print(record["user_request"])
            print("label:", sorted(gold.links))
            print("plan: ", sorted(predicted.links))
            for task in result.plan.subtasks:
                args = [a.value for a in task.arguments]
                print(f"  {task.id} {task.capability} {args} | {task.description[:80]}")
            print(flush=True)
    return kinds


if __name__ == "__main__":
    for name in ("huggingface", "multimedia"):
        print(name, dict(analyse(name)), flush=True)
