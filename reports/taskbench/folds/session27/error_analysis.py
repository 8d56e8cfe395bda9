"""Session 27's error analysis of the graph planner on the pool folds (no LLM call: the
folds' first answers replayed), behind the README's stepless / request-file / cue rules:

- where the links are lost, with the planner before session 27 (session 27's four rules off):
  a missed gold link with an endpoint the plan lacks, or both present; an extra link with
  an endpoint the label lacks, or both in the label;
- nodes the model wrote no step for: how many of their tools the label has;
- tools the request cues add: how many of them the label has.

    python reports/taskbench/folds/session27/error_analysis.py > \
        reports/taskbench/folds/session27/error_analysis.json
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from toolpath.evals.provenance import provenance
from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.evals.taskbench.metrics import normalise_pair
from toolpath.planners.decomposer import Decomposer, DecompositionError
from toolpath.planners.graph_planner import GraphToolChooser
from toolpath.planners.llm import ScriptedChatModel
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

FOLDS = "reports/taskbench/folds"


def folders(domain: str) -> list[Path]:
    if domain == "dailylifeapis":
        names = [
            "dailylifeapis-fold0",
            "dailylifeapis-fold1",
            "demo-retrieval/dailylifeapis-fold2-bm25",
            "demo-retrieval/dailylifeapis-fold3-bm25",
            "dailylifeapis-fold4",
        ]
    else:
        names = [
            f"{domain}-fold0",
            f"{domain}-fold1",
            f"{domain}-fold2",
            f"demo-retrieval/{domain}-fold3-bm25",
            f"demo-retrieval/{domain}-fold4-bm25",
        ]
    return [Path(FOLDS) / name for name in names]


def plan(fold: _Fold, catalog, record: dict, chooser: GraphToolChooser):
    llm = ScriptedChatModel([record["toolpath"]["first_raw"]])
    planner = Decomposer(llm, catalog, graph=fold.graph, max_retries=0, tool_chooser=chooser)
    try:
        return planner.decompose(record["user_request"])
    except DecompositionError:
        return None


def _tally(counts: Counter, links: set, names: set, kind: str, other: str) -> None:
    """Count each link as having both endpoints in `other` (its `names`) or not."""
    for source, target in links:
        both = source in names and target in names
        counts[
            f"{kind}, both endpoints in {other}" if both else f"{kind}, an endpoint not in {other}"
        ] += 1


def analyse(domain: str) -> dict:
    catalog = load_taskbench_catalog(domain)
    links, stepless, cued = Counter(), Counter(), Counter()
    for folder in folders(domain):
        fold = _Fold.read(domain, folder)
        by_id = fold.domain.by_id()
        before = GraphToolChooser(
            fold.matcher, fold.graph, stepless=False, files=False, thread=False
        )
        for sample_id in fold.split.eval_ids:
            record = fold.records.get(sample_id)
            if record is None:
                continue
            label = by_id[sample_id].label
            gold_tools = Counter(node["task"] for node in label["task_nodes"])
            old = plan(fold, catalog, record, before)
            if old is None:
                continue
            gold, predicted = normalise_pair(label, old.taskbench, fold.domain)
            _tally(links, gold.links - predicted.links, predicted.names, "missed", "the plan")
            _tally(links, predicted.links - gold.links, gold.names, "extra", "the label")
            for task in old.plan.subtasks:
                if not task.description.strip() and any(
                    t.description.strip() for t in old.plan.subtasks
                ):
                    stepless[
                        "in the label" if gold_tools[task.capability] else "not in the label"
                    ] += 1
            new = plan(
                fold, catalog, record, GraphToolChooser(fold.matcher, fold.graph, cues=fold.cues)
            )
            for note in new.notes if new else []:
                if "graph cue:" in note:
                    tool = (
                        note.split("graph cue: node ", 1)[1]
                        .split(" ", 1)[1]
                        .split(" for the word")[0]
                    )
                    cued["in the label" if gold_tools[tool] else "not in the label"] += 1
    return {"links": dict(links), "stepless nodes": dict(stepless), "cued tools": dict(cued)}


if __name__ == "__main__":
    out = {d: analyse(d) for d in ("huggingface", "multimedia", "dailylifeapis")}
    out["provenance"] = provenance(sys.argv[1:])
    sys.stdout.write(json.dumps(out, indent=1) + "\n")
