"""Session 29: the step matcher's softmax temperature (0.05, never measured) on the pool folds.

The temperature sets how sharp p(tool | step) is, so how much the A*'s -log p weighs
against the LLM bonus and the edge penalty, and which clauses reach the completion's
p >= 0.7. Here the default graph planner (each catalogue's LLM bonus) is replayed with
the fold's matcher at each temperature. No LLM call.

    python reports/taskbench/folds/session29/temperature.py > \\
        reports/taskbench/folds/session29/temperature.txt
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fold_table import print_fold_table

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.graph_planner import GraphToolChooser

TEMPERATURES = (0.03, 0.04, 0.05, 0.065, 0.08)


def choosers(fold: _Fold) -> dict[str, GraphToolChooser | None]:
    """The default chooser with the matcher at each temperature."""
    return {
        f"temperature {t}": GraphToolChooser(
            dataclasses.replace(fold.matcher, temperature=t), fold.graph, fold.bonus, cues=fold.cues
        )
        for t in TEMPERATURES
    }


if __name__ == "__main__":
    print_fold_table(choosers)
