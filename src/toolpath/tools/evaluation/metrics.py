"""Retrieval metrics, normalised accuracy and the Wilson score interval.

Ranking metrics take one query's ranked ids and its relevant ids (a collection for binary
relevance, a mapping id -> gain for graded relevance); average them over queries yourself
or with `mean_metrics`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence

Relevance = Collection[Hashable] | Mapping[Hashable, float]


def _gains(relevant: Relevance) -> dict[Hashable, float]:
    if isinstance(relevant, Mapping):
        return {doc: float(gain) for doc, gain in relevant.items() if gain > 0}
    return dict.fromkeys(relevant, 1.0)


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def recall_at_k(ranked: Sequence[Hashable], relevant: Relevance, k: int) -> float:
    """Share of the relevant ids found in the top k (0.0 when nothing is relevant)."""
    _check_k(k)
    gains = _gains(relevant)
    if not gains:
        return 0.0
    return len(set(ranked[:k]) & gains.keys()) / len(gains)


def ndcg_at_k(ranked: Sequence[Hashable], relevant: Relevance, k: int) -> float:
    """Normalised discounted cumulative gain at k, gain / log2(rank + 1), ideal order as norm."""
    _check_k(k)
    gains = _gains(relevant)
    if not gains:
        return 0.0
    seen: set[Hashable] = set()
    dcg = 0.0
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in gains and doc not in seen:
            dcg += gains[doc] / math.log2(rank + 1)
        seen.add(doc)
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(ideal, start=1))
    return dcg / idcg


def mrr(ranked: Sequence[Hashable], relevant: Relevance) -> float:
    """Reciprocal rank of the first relevant id (0.0 when none is retrieved)."""
    gains = _gains(relevant)
    for rank, doc in enumerate(ranked, start=1):
        if doc in gains:
            return 1.0 / rank
    return 0.0


def mean_metrics(
    runs: Sequence[Sequence[Hashable]], qrels: Sequence[Relevance], ks: Sequence[int] = (5, 10)
) -> dict[str, float]:
    """recall@k, nDCG@k for each k and MRR, averaged over queries."""
    if len(runs) != len(qrels):
        raise ValueError(f"{len(runs)} rankings but {len(qrels)} relevance sets")
    if not runs:
        raise ValueError("no queries to score")
    totals: dict[str, float] = {}
    for ranked, relevant in zip(runs, qrels, strict=True):
        scores = {"mrr": mrr(ranked, relevant)}
        for k in ks:
            scores[f"recall_at_{k}"] = recall_at_k(ranked, relevant, k)
            scores[f"ndcg_at_{k}"] = ndcg_at_k(ranked, relevant, k)
        for name, value in scores.items():
            totals[name] = totals.get(name, 0.0) + value
    return {name: value / len(runs) for name, value in totals.items()}


def normalized_accuracy(acc: dict[str, float], expert_acc: dict[str, float]) -> dict[str, float]:
    """Each task's accuracy divided by its own expert's accuracy on that task.

    1.0 means the (merged) model matches the expert; tasks absent from `acc` are skipped.
    """
    normalised = {}
    for task, value in acc.items():
        if task not in expert_acc:
            raise ValueError(f"normalized_accuracy: no expert accuracy for task {task!r}")
        reference = expert_acc[task]
        if reference <= 0:
            raise ValueError(
                f"normalized_accuracy: expert accuracy for task {task!r} is {reference}; "
                "it must be positive"
            )
        normalised[task] = value / reference
    return normalised


def wilson_interval(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (z = 1.96: 95 %)."""
    if n < 0 or not 0 <= correct <= n:
        raise ValueError(f"wilson_interval needs 0 <= correct <= n (got {correct}, {n})")
    if n == 0:
        return 0.0, 1.0
    p = correct / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)
