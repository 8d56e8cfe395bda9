"""Session 28: what the default graph planner gets wrong on the pool folds, by node (no LLM
call: the folds' first answers replayed). Per sample, the plan's tools against the label's:
exact, tools missing only, extra only, or both (a substitution: one for one, or several);
the commonest missing and extra tools; and where each extra tool came from (the model's
own node kept, the matcher's change of the model's tool, the completion, a request cue).

    python reports/taskbench/folds/session28/node_errors.py > \
        reports/taskbench/folds/session28/node_errors.txt
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session27"))
from error_analysis import folders, plan

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.graph_planner import GraphToolChooser
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

_ADDED = {"graph cue:": "cue", "graph completion:": "completion", "graph choice:": "matcher"}


def _source(tool: str, notes: list[str]) -> str:
    """Which step of the graph planner put `tool` in the plan ("model": none did)."""
    for note in notes:
        for marker, source in _ADDED.items():
            if marker in note and re.search(rf"(?:-> |node \d+ ){re.escape(tool)}\b", note):
                return source
    return "model"


def analyse(domain: str) -> None:
    catalog = load_taskbench_catalog(domain)
    kinds, missing, extra, sources = Counter(), Counter(), Counter(), Counter()
    for folder in folders(domain):
        fold = _Fold.read(domain, folder)
        by_id = fold.domain.by_id()
        chooser = GraphToolChooser(fold.matcher, fold.graph, cues=fold.cues)
        for sample_id in fold.split.eval_ids:
            record = fold.records.get(sample_id)
            if record is None:
                continue
            gold = Counter(node["task"] for node in by_id[sample_id].label["task_nodes"])
            result = plan(fold, catalog, record, chooser)
            tools = Counter(t.capability for t in result.plan.subtasks) if result else Counter()
            lost, added = gold - tools, tools - gold
            if lost and added:
                one = sum(lost.values()) == sum(added.values()) == 1
                kinds["substitution, one for one" if one else "substitution, several"] += 1
            else:
                kinds["missing only" if lost else "extra only" if added else "exact"] += 1
            missing.update(lost)
            extra.update(added)
            for tool, count in added.items():
                sources[_source(tool, result.notes if result else [])] += count
    print(domain, "samples:", dict(kinds))
    print(domain, "extra tools from:", dict(sources))
    print(domain, "missing tools:", missing.most_common(8))
    print(domain, "extra tools:", extra.most_common(8))


if __name__ == "__main__":
    for name in ("huggingface", "multimedia", "dailylifeapis"):
        analyse(name)
