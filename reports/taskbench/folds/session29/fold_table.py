"""The session-29 measurements' shared table: each chooser's strict n / e / v-F1 on every
pool fold of the three TaskBench domains, then pooled over each domain's folds (weighted by
the folds' samples). No LLM call: the folds' first answers are replayed."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session27"))
from error_analysis import folders

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.graph_planner import GraphToolChooser

DOMAINS = ("huggingface", "multimedia", "dailylifeapis")
SCORES = ("n_f1", "e_f1", "v_f1")

ChoosersFor = Callable[[_Fold], dict[str, GraphToolChooser | None]]


def print_fold_table(choosers_for: ChoosersFor) -> None:
    """One line per domain, fold and chooser, then one per domain and chooser, pooled."""
    for domain in DOMAINS:
        totals: dict[str, dict[str, float]] = {}
        for folder in folders(domain):
            fold = _Fold.read(domain, folder)
            for name, row in fold.replay(choosers_for(fold)).items():
                scores = {key: round(100 * row[key], 1) for key in SCORES}
                print(domain, folder.name, name, scores, flush=True)
                total = totals.setdefault(name, dict.fromkeys([*SCORES, "n"], 0.0))
                for key in SCORES:
                    total[key] += row[key] * row["samples"]
                total["n"] += row["samples"]
        for name, t in totals.items():
            scores = {key: round(100 * t[key] / t["n"], 2) for key in SCORES}
            print(domain, "pooled", name, scores, f"samples {int(t['n'])}", flush=True)
