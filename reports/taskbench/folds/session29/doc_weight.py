"""Session 29: the step matcher's documentation weight (1.0, never measured) on the pool folds.

A trained prototype is the normalised blend of the tool's documentation embedding (times
this weight) and the mean embedding of the steps it served in the solved samples. Here the
fold's matcher is trained again (not from the cache) with each weight and the default graph
planner (each catalogue's LLM bonus) replayed. No LLM call.

    python reports/taskbench/folds/session29/doc_weight.py > \\
        reports/taskbench/folds/session29/doc_weight.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fold_table import print_fold_table

import toolpath.planners.matcher as matcher_module
from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.evals.taskbench.graph_planning import pool_steps
from toolpath.planners.alignment import solved_pairs
from toolpath.planners.graph_planner import GraphToolChooser
from toolpath.planners.matcher import StepMatcher
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

DOC_WEIGHTS = (0.5, 1.0, 2.0)


def choosers(fold: _Fold) -> dict[str, GraphToolChooser | None]:
    """The default chooser with the matcher trained at each documentation weight."""
    by_id = fold.domain.by_id()
    pairs = solved_pairs(pool_steps([by_id[i] for i in fold.split.demo_ids]))
    tools = load_taskbench_catalog(fold.domain.name).tools
    found: dict[str, GraphToolChooser | None] = {}
    for weight in DOC_WEIGHTS:
        matcher_module.DOC_WEIGHT = weight
        matcher = StepMatcher.trained(tools, pairs)
        found[f"doc weight {weight}"] = GraphToolChooser(
            matcher, fold.graph, fold.bonus, cues=fold.cues
        )
    matcher_module.DOC_WEIGHT = 1.0
    return found


if __name__ == "__main__":
    print_fold_table(choosers)
