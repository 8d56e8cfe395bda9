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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session27"))
from error_analysis import folders

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.graph_planner import GraphToolChooser

BONUSES = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def main() -> None:
    for domain in ("huggingface", "multimedia", "dailylifeapis"):
        totals: dict[str, dict[str, float]] = {}
        for folder in folders(domain):
            fold = _Fold.read(domain, folder)
            choosers: dict[str, GraphToolChooser | None] = {
                f"bonus {b}": GraphToolChooser(fold.matcher, fold.graph, b, cues=fold.cues)
                for b in BONUSES
            }
            for name, row in fold.replay(choosers).items():
                scores = {key: round(100 * row[key], 1) for key in ("n_f1", "e_f1", "v_f1")}
                print(domain, folder.name, name, scores, flush=True)
                total = totals.setdefault(name, {"n_f1": 0, "e_f1": 0, "v_f1": 0, "n": 0})
                for key in ("n_f1", "e_f1", "v_f1"):
                    total[key] += row[key] * row["samples"]
                total["n"] += row["samples"]
        for name, t in totals.items():
            scores = {key: round(100 * t[key] / t["n"], 2) for key in ("n_f1", "e_f1", "v_f1")}
            print(domain, "pooled", name, scores, f"samples {t['n']}", flush=True)


if __name__ == "__main__":
    main()
