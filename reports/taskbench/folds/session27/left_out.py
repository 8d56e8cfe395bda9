"""Session 27's graph-planner rules measured on the pool folds and left out (no LLM call:
the folds' first answers replayed), each against the default planner:

- "short steps": a step of fewer than three words, or a bare tool name, read as no step
  (so `drop_stepless` drops its node);
- "no having clauses": no completion node for a clause that only says what the user has
  ("I have an audio file example.wav") and asks for nothing;
- "chain end": a node reading a result that a chain of same-kind transforms written after
  it transformed reads the chain's end, not only a transform that reads the result itself.

    python reports/taskbench/folds/session27/left_out.py > \
        reports/taskbench/folds/session27/left_out.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import toolpath.planners.graph_planner as graph_planner
from toolpath.evals.provenance import provenance
from toolpath.evals.taskbench.choice_grid import _Fold, pooled
from toolpath.planners.graph_planner import GraphToolChooser, _outputs

HAVING = re.compile(r"^(i have|i've got|user has|here is|here's|i got)\b", re.IGNORECASE)
ASKING = re.compile(r"\b(want|would like|'d like|need|please|help|can you|could you)\b", re.I)
CLAUSES = graph_planner.request_clauses
LEAF = graph_planner._leaf_transform


def folders(domain: str) -> list[Path]:
    root = Path("reports/taskbench/folds")
    if domain == "dailylifeapis":
        names = ["dailylifeapis-fold0", "dailylifeapis-fold1", "dailylifeapis-fold4"]
        names += [f"demo-retrieval/dailylifeapis-fold{k}-bm25" for k in (2, 3)]
    else:
        names = [f"{domain}-fold{k}" for k in (0, 1, 2)]
        names += [f"demo-retrieval/{domain}-fold{k}-bm25" for k in (3, 4)]
    return [root / name for name in names]


def asking_clauses(request: str) -> list[str]:
    return [c for c in CLAUSES(request) if not (HAVING.match(c) and not ASKING.search(c))]


def chain_end(plan, source, reader, graph):
    fed = {ref for task in plan.subtasks for ref in task.references()}
    made = _outputs(graph, plan.subtasks[source].capability)
    if not made:
        return None
    chain = {source}
    for task in plan.subtasks:
        same = _outputs(graph, task.capability) == made
        if source < task.id < reader and task.references() & chain and same:
            chain.add(task.id)
    ends = [node for node in sorted(chain) if node != source and node not in fed]
    return ends[-1] if ends else None


class ShortSteps(GraphToolChooser):
    def __call__(self, plan):
        if plan.subtasks and not plan.problems():
            plan = plan.model_copy(deep=True)
            for task in plan.subtasks:
                step = task.description.strip()
                if len(re.findall(r"\w+", step)) < 3 or step in self.matcher.names:
                    task.description = ""
        return super().__call__(plan)


class Patched(GraphToolChooser):
    """The default chooser with one module function replaced while it runs."""

    name, replacement = "", None

    def __call__(self, plan):
        original = getattr(graph_planner, self.name)
        setattr(graph_planner, self.name, self.replacement)
        try:
            return super().__call__(plan)
        finally:
            setattr(graph_planner, self.name, original)


def rows(domain: str, folder: Path) -> dict:
    fold = _Fold.read(domain, folder)
    matcher, graph, cues = fold.matcher, fold.graph, fold.cues
    having = Patched(matcher, graph, cues=cues)
    having.name, having.replacement = "request_clauses", asking_clauses
    end = Patched(matcher, graph, cues=cues)
    end.name, end.replacement = "_leaf_transform", chain_end
    choosers = {
        "default": GraphToolChooser(matcher, graph, cues=cues),
        "short steps": ShortSteps(matcher, graph, cues=cues),
        "no having clauses": having,
        "chain end": end,
    }
    scores = fold.replay(choosers)
    return {
        name: {k: row[k] for k in ("n_f1", "e_f1", "v_f1", "samples")}
        for name, row in scores.items()
    }


if __name__ == "__main__":
    out = {}
    for domain in ("huggingface", "multimedia", "dailylifeapis"):
        per_fold = {str(folder): rows(domain, folder) for folder in folders(domain)}
        out[domain] = {"folds": per_fold, "pooled": pooled(per_fold)}
    out["provenance"] = provenance(sys.argv[1:])
    sys.stdout.write(json.dumps(out, indent=1) + "\n")
