"""Session 29: the A*'s edge and file penalties re-checked under all of today's rules.

The edge penalty (1.0, per plan edge the tool graph lacks) was chosen in session 5 on two
folds, before the completion, wiring, cues and threading; the file penalty (2.0, per media
file given to a tool with no input of its kind) was never put on a grid. Here the default
graph planner (each catalogue's LLM bonus) is replayed with each on every pool fold of the
three domains, the other at its default. No LLM call.

    python reports/taskbench/folds/session29/penalties.py > \\
        reports/taskbench/folds/session29/penalties.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fold_table import print_fold_table

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.graph_planner import GraphToolChooser, Penalties

EDGES = (0.5, 1.0, 2.0, 3.0)
FILES = (1.0, 4.0)


def choosers(fold: _Fold) -> dict[str, GraphToolChooser | None]:
    """The default chooser with each edge penalty, then each other file penalty."""
    found: dict[str, GraphToolChooser | None] = {
        f"edge {edge}": fold.chooser(penalties=Penalties(edge=edge), cues=fold.cues)
        for edge in EDGES
    }
    for file in FILES:
        found[f"file {file}"] = fold.chooser(penalties=Penalties(file=file), cues=fold.cues)
    return found


if __name__ == "__main__":
    print_fold_table(choosers)
