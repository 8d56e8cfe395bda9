"""Session 29: the LLM bonus re-checked under all of today's rules, on all pool folds.

The bonus (0.5: how much the A* favours the tool the model named for a step) was chosen in
session 5 on folds 0 and 1 of two domains, before the completion, the wiring, the cues and
the threading. Here the default graph planner is replayed with each bonus on every pool
fold of the three domains. No LLM call.

    python reports/taskbench/folds/session29/bonus_recheck.py > \
        reports/taskbench/folds/session29/bonus_recheck.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fold_table import print_fold_table

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.graph_planner import GraphToolChooser

BONUSES = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def choosers(fold: _Fold) -> dict[str, GraphToolChooser | None]:
    """The default chooser with each bonus."""
    return {
        f"bonus {b}": GraphToolChooser(fold.matcher, fold.graph, b, cues=fold.cues) for b in BONUSES
    }


if __name__ == "__main__":
    print_fold_table(choosers)
