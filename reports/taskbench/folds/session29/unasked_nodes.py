"""Session 29: dropping a node whose tool no clause of the request asks for (measured).

Session 19 measured this before the session-27 rules: huggingface gained, multimedia and
dailylifeapis lost. Re-measured here under today's rules, with each catalogue's LLM bonus:
right after the tool choice (before the completion), a node (not the plan's only one) whose
tool has p(tool | clause) below a floor for every clause of the request is dropped, its
readers reading what it read (as a stepless node is). No LLM call: the pool folds' first
answers replayed.

    python reports/taskbench/folds/session29/unasked_nodes.py > \
        reports/taskbench/folds/session29/unasked_nodes.txt
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fold_table import print_fold_table

import toolpath.planners.graph_planner as graph_planner
from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.graph_planner import GraphToolChooser, drop_stepless, request_clauses
from toolpath.planners.plan import Plan

FLOORS = (0.01, 0.02, 0.05, 0.1, 0.2)
_apply_choice = graph_planner.apply_choice


class FlooredChooser(GraphToolChooser):
    """The default chooser, with unasked nodes dropped right after its tool choice."""

    current: FlooredChooser | None = None

    def __init__(self, fold: _Fold, floor: float) -> None:
        super().__init__(fold.matcher, fold.graph, fold.bonus, cues=fold.cues)
        self.floor = floor

    def __call__(self, plan: Plan) -> tuple[Plan, list[str]]:
        FlooredChooser.current = self
        try:
            return super().__call__(plan)
        finally:
            FlooredChooser.current = None

    def drop_unasked(self, plan: Plan) -> Plan:
        clauses = request_clauses(plan.request)
        if not clauses or len(plan.subtasks) < 2:
            return plan
        best = np.exp(self.matcher.log_probs(clauses)).max(axis=0)
        index = {name: k for k, name in enumerate(self.matcher.names)}
        unasked = {
            t.id
            for t in plan.subtasks
            if t.capability in index and best[index[t.capability]] < self.floor
        }
        if not unasked or len(unasked) == len(plan.subtasks):
            return plan
        marked = plan.model_copy(deep=True)
        for task in marked.subtasks:
            if task.id in unasked:
                task.description = ""
        return drop_stepless(marked)[0]


def apply_then_drop(plan: Plan, choice: Any) -> Plan:
    plan = _apply_choice(plan, choice)
    chooser = FlooredChooser.current
    return plan if chooser is None else chooser.drop_unasked(plan)


graph_planner.apply_choice = apply_then_drop


def choosers(fold: _Fold) -> dict[str, GraphToolChooser | None]:
    """The default chooser, and it dropping unasked nodes under each floor."""
    found: dict[str, GraphToolChooser | None] = {"default": fold.chooser(cues=fold.cues)}
    for floor in FLOORS:
        found[f"floor {floor}"] = FlooredChooser(fold, floor)
    return found


if __name__ == "__main__":
    print_fold_table(choosers)
