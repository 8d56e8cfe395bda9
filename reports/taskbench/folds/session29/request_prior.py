"""Session 29: a request-level tool prior from the nearest solved requests (measured).

Of the tools added wrongly on the pool folds, the model wrote most itself and the step
matcher's change made the rest (session 28's node_errors.py); neither sees which tools
requests like this one were solved with. Here each node's weight also gets a bonus
gamma * share(t): share(t) is the similarity-weighted share of the k pool requests nearest
the request (all-MiniLM-L6-v2 cosine) whose label uses tool t. No LLM call: the pool folds'
first answers replayed with the default graph planner.

    python reports/taskbench/folds/session29/request_prior.py > \
        reports/taskbench/folds/session29/request_prior.txt
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fold_table import print_fold_table

from toolpath.evals.taskbench.choice_grid import _Fold
from toolpath.planners.graph_planner import GraphToolChooser
from toolpath.planners.plan import Plan
from toolpath.tools.retrieval.embedder import embed

GAMMAS = (0.5, 1.0, 2.0)
NEIGHBOURS = (5, 10)


class PriorMatcher:
    """The matcher's log-probabilities plus gamma * share(t) of the current request."""

    def __init__(self, matcher: Any, gamma: float) -> None:
        self.matcher, self.gamma, self.names = matcher, gamma, matcher.names
        self.share = np.zeros(len(self.names))

    def log_probs(self, steps: list[str]) -> np.ndarray:
        return self.matcher.log_probs(steps) + self.gamma * self.share


class PriorChooser(GraphToolChooser):
    """The default chooser, its matcher given the request's neighbour shares per plan."""

    def __init__(self, fold: _Fold, gamma: float, k: int, pool: Neighbours) -> None:
        super().__init__(PriorMatcher(fold.matcher, gamma), fold.graph, cues=fold.cues)
        self.k, self.pool = k, pool

    def __call__(self, plan: Plan) -> tuple[Plan, list[str]]:
        self.matcher.share = self.pool.shares(plan.request, self.k, self.matcher.names)
        return super().__call__(plan)


class Neighbours:
    """The fold's pool requests, embedded once, with their labels' tools."""

    def __init__(self, fold: _Fold) -> None:
        by_id = fold.domain.by_id()
        samples = [by_id[i] for i in fold.split.demo_ids]
        self.vectors = embed([s.user_request for s in samples])
        self.tools = [{n["task"] for n in s.task_nodes} for s in samples]
        self.cache: dict[str, np.ndarray] = {}

    def shares(self, request: str, k: int, names: list[str]) -> np.ndarray:
        if request not in self.cache:
            self.cache[request] = self.vectors @ embed([request])[0]
        sims = self.cache[request]
        nearest = np.argsort(-sims)[:k]
        weights = np.clip(sims[nearest], 0, None)
        total = weights.sum() or 1.0
        return np.array(
            [
                sum(w for j, w in zip(nearest, weights, strict=True) if t in self.tools[j]) / total
                for t in names
            ]
        )


def choosers(fold: _Fold) -> dict[str, GraphToolChooser | None]:
    """The default chooser, and it with the prior at each gamma and k."""
    pool = Neighbours(fold)
    found: dict[str, GraphToolChooser | None] = {
        "default": GraphToolChooser(fold.matcher, fold.graph, cues=fold.cues)
    }
    for gamma in GAMMAS:
        for k in NEIGHBOURS:
            found[f"prior gamma {gamma} k {k}"] = PriorChooser(fold, gamma, k, pool)
    return found


if __name__ == "__main__":
    print_fold_table(choosers)
