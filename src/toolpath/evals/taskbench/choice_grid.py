"""How the graph planner's weights were chosen: a grid over (LLM bonus, edge penalty,
repeat penalty; the file penalty stays 2.0) replayed on cross-validation folds of the
demonstration pool, the completion's thresholds (a node for a request clause the plan leaves
unserved; `--completion`, beside the default planner with the orphan wiring), the later
rules each left out and the request cues' grid (`--rules`), and the node-count prior that
was measured and left out. No LLM call: the folds' first answers are replayed. The
completion and rules rows use the catalogue's LLM bonus (huggingface's is 0 since
session 29; the JSON outputs committed before then were made with 0.5).

    python -m toolpath.evals.taskbench.choice_grid --domain multimedia \\
        --fold reports/taskbench/folds/multimedia-fold0 --json
    python -m toolpath.evals.taskbench.choice_grid --domain multimedia --completion \
        --fold reports/taskbench/folds/multimedia-fold0 --fold ... --json
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from toolpath.evals.provenance import RUN_FILE, provenance
from toolpath.evals.taskbench.graph_planning import (
    DIRECT,
    pool_cues,
    pool_matcher,
    replay_first_answers,
)
from toolpath.evals.taskbench.loader import load_domain, split_domain
from toolpath.evals.taskbench.runner import PREDICTIONS_FILE, read_records
from toolpath.planners.cues import RequestCues
from toolpath.planners.graph import ToolGraph
from toolpath.planners.graph_planner import (
    Completion,
    GraphToolChooser,
    Penalties,
    catalogue_bonus,
)

BONUSES = (0.5, 1.0, 2.0)
EDGES: tuple[float | None, ...] = (1.0, 2.0, 3.0, None)
REPEATS = (0.0, 1.0, 2.0)
MIN_PROBS = (0.5, 0.7, 0.9)
COVERED_RATIOS = (0.3, 0.6)
CUE_COUNTS = (3, 5, 8)
CUE_SHARES = (0.85, 0.9, 0.95)
DEFAULT_ROW = "default: completion, then wiring (orphans by type, or the steps chained)"


def _fold_split(domain: Any, folder: Path) -> Any:
    fold = json.loads((folder / RUN_FILE).read_text())["fold"]
    k, n = (int(part) for part in fold.split("/"))
    return split_domain(domain).pool_fold(k, n)


@dataclass(frozen=True)
class _Fold:
    """One pool fold's recorded run, with the tool graph, and the matcher and request cues
    of its pool."""

    domain: Any
    split: Any
    records: dict[str, dict[str, Any]]
    graph: ToolGraph
    matcher: Any
    cues: RequestCues
    bonus: float  # the catalogue's LLM bonus

    @classmethod
    def read(cls, domain_name: str, folder: Path) -> _Fold:
        from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

        domain = load_domain(domain_name)
        split = _fold_split(domain, folder)
        catalog = load_taskbench_catalog(domain_name)
        matcher = pool_matcher(domain, split, catalog.tools)
        records = read_records(folder / PREDICTIONS_FILE)
        graph = ToolGraph.from_catalog(catalog)
        cues, bonus = pool_cues(domain, split), catalogue_bonus(catalog)
        return cls(domain, split, records, graph, matcher, cues, bonus)

    def chooser(self, **settings: Any) -> GraphToolChooser:
        """The graph planner's chooser on this fold, with the catalogue's LLM bonus."""
        return GraphToolChooser(self.matcher, self.graph, self.bonus, **settings)

    def replay(self, choosers: dict[str, GraphToolChooser | None]) -> dict[str, Any]:
        """Strict scores of the fold's first answers under each tool chooser."""
        ids = [i for i in self.split.eval_ids if i in self.records]
        scores = replay_first_answers(self.domain, self.records, ids, self.split, choosers=choosers)
        return scores or {}


def grid(domain_name: str, folder: Path) -> list[dict[str, Any]]:
    """Strict n/e/v-F1 of every grid point (and of the direct planner) on one fold."""
    fold = _Fold.read(domain_name, folder)
    graph, matcher = fold.graph, fold.matcher
    choosers: dict[str, GraphToolChooser | None] = {DIRECT: None}
    for bonus, edge, repeat in itertools.product(BONUSES, EDGES, REPEATS):
        penalties = Penalties(edge=edge, repeat=repeat)
        choosers[json.dumps([bonus, edge, repeat])] = GraphToolChooser(
            matcher, graph, bonus, penalties
        )
    scores = fold.replay(choosers)
    rows = []
    for name, row in scores.items():
        setting = (
            None
            if name == DIRECT
            else dict(zip(("bonus", "edge", "repeat"), json.loads(name), strict=True))
        )
        rows.append(
            {
                "setting": setting,
                **{k: row[k] for k in ("n_f1", "e_f1", "v_f1", "samples")},
            }
        )
    return rows


def _rows(scores: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {
        name: {k: row[k] for k in ("n_f1", "e_f1", "v_f1", "samples")}
        for name, row in scores.items()
    }


def completion_grid(domain_name: str, folder: Path) -> dict[str, dict[str, float]]:
    """Strict n/e/v-F1 of the graph planner without completion and with each (min_prob,
    covered_ratio) of the completion grid, both without the wiring, and of the default
    planner (completion at its defaults, then the wiring: orphans fed by type, or in a
    catalogue without data types the steps chained), on one fold."""
    fold = _Fold.read(domain_name, folder)
    choosers: dict[str, GraphToolChooser | None] = {
        "no completion": fold.chooser(completion=None, wiring=False)
    }
    for min_prob, ratio in itertools.product(MIN_PROBS, COVERED_RATIOS):
        choosers[f"min_prob {min_prob}, covered_ratio {ratio}"] = fold.chooser(
            completion=Completion(min_prob, ratio), wiring=False
        )
    choosers[DEFAULT_ROW] = fold.chooser(cues=fold.cues)
    return _rows(fold.replay(choosers))


def rules_left_out(domain_name: str, folder: Path) -> dict[str, dict[str, float]]:
    """Strict n/e/v-F1 of the default graph planner, of it with each later rule left out
    (the stepless nodes kept; the request files no node reads left unread; no request
    cues; added transforms not threaded) and with all four, and of each point of the cues'
    grid, on one fold."""
    fold = _Fold.read(domain_name, folder)
    cues = fold.cues
    choosers: dict[str, GraphToolChooser | None] = {
        DEFAULT_ROW: fold.chooser(cues=cues),
        "without the stepless drop": fold.chooser(stepless=False, cues=cues),
        "without the request files": fold.chooser(files=False, cues=cues),
        "without the request cues": fold.chooser(),
        "without the threading": fold.chooser(cues=cues, thread=False),
        "without all four": fold.chooser(stepless=False, files=False, thread=False),
    }
    for min_count, min_share in itertools.product(CUE_COUNTS, CUE_SHARES):
        learned = pool_cues(fold.domain, fold.split, min_count, min_share)
        choosers[f"cues: {min_count} requests, {min_share:.0%}"] = fold.chooser(cues=learned)
    return _rows(fold.replay(choosers))


def pooled(per_fold: dict[str, dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Each setting's F1s over all folds, weighted by the folds' samples."""
    totals: dict[str, dict[str, float]] = {}
    for rows in per_fold.values():
        for name, row in rows.items():
            total = totals.setdefault(name, {"n_f1": 0.0, "e_f1": 0.0, "v_f1": 0.0, "samples": 0})
            for key in ("n_f1", "e_f1", "v_f1"):
                total[key] += row[key] * row["samples"]
            total["samples"] += row["samples"]
    return {
        name: {
            **{k: t[k] / t["samples"] for k in ("n_f1", "e_f1", "v_f1")},
            "samples": t["samples"],
        }
        for name, t in totals.items()
    }


def size_prior(domain_name: str, folder: Path, k: int = 5) -> dict[str, int]:
    """How often the model's node count and the median count of the k nearest pool
    requests match the label (same / over / under), on one fold."""
    from toolpath.tools.retrieval.embedder import embed

    domain = load_domain(domain_name)
    split, by_id = _fold_split(domain, folder), domain.by_id()
    records = read_records(folder / PREDICTIONS_FILE)
    pool = [by_id[i] for i in split.demo_ids]
    vectors = embed([s.user_request for s in pool])
    counts = {"model_same": 0, "knn_same": 0, "samples": 0}
    for sample_id, record in records.items():
        gold = len(by_id[sample_id].task_nodes)
        predicted = len(((record.get("result") or {}).get("task_nodes")) or [])
        query = embed([by_id[sample_id].user_request])[0]
        nearest = np.argsort(-(vectors @ query))[:k]
        prior = int(np.median([len(pool[j].task_nodes) for j in nearest]))
        counts["model_same"] += predicted == gold
        counts["knn_same"] += prior == gold
        counts["samples"] += 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domain", required=True)
    parser.add_argument("--fold", type=Path, action="append", required=True)
    parser.add_argument("--json", action="store_true", help="one line instead of indented")
    parser.add_argument(
        "--completion", action="store_true", help="the completion's thresholds instead"
    )
    parser.add_argument(
        "--rules", action="store_true", help="the default with each later rule left out instead"
    )
    args = parser.parse_args(argv)
    out: dict[str, Any]
    if args.completion or args.rules:
        rows = rules_left_out if args.rules else completion_grid
        per_fold = {str(f): rows(args.domain, f) for f in args.fold}
        out = {"folds": per_fold, "pooled": pooled(per_fold)}
    else:
        out = {
            str(folder): {
                "grid": grid(args.domain, folder),
                "size_prior": size_prior(args.domain, folder),
            }
            for folder in args.fold
        }
    out["provenance"] = provenance(argv)
    sys.stdout.write(json.dumps(out, indent=None if args.json else 1) + "\n")


if __name__ == "__main__":
    main()
