"""Proxy evaluation: accuracy on a random subset, with a Wilson interval and a decision.

The verifier uses the decision: `pass` when the whole interval lies at or above the
threshold, `fail` when it lies below, `full` when it straddles the threshold and only the
full set can tell. When the subset is the whole set the accuracy is exact and the
decision is `pass` or `fail` directly.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from toolpath.tools.evaluation.datasets import read_jsonl
from toolpath.tools.evaluation.metrics import wilson_interval
from toolpath.tools.evaluation.model_eval import evaluate_records


class ProxyDecision(BaseModel):
    """A subset's accuracy, its confidence interval and what it implies for the threshold."""

    decision: Literal["pass", "fail", "full"]
    accuracy: float
    correct: int
    n: int
    total: int
    low: float
    high: float
    threshold: float
    seconds: float

    @property
    def interval(self) -> tuple[float, float]:
        return self.low, self.high


def decide(
    correct: int, n: int, total: int, threshold: float, z: float = 1.96
) -> tuple[str, float, float]:
    """The decision and the interval for `correct` out of `n` sampled from `total`."""
    low, high = wilson_interval(correct, n, z)
    if n >= total:
        exact = correct / n
        return ("pass" if exact >= threshold else "fail"), exact, exact
    if low >= threshold:
        return "pass", low, high
    if high < threshold:
        return "fail", low, high
    return "full", low, high


def proxy_evaluate(
    model_dir: Path,
    dataset: Path,
    threshold: float,
    *,
    sample: int = 50,
    seed: int = 0,
    batch_size: int = 32,
    max_new_tokens: int = 16,
) -> ProxyDecision:
    """Evaluate on `sample` records drawn at random (seeded) and decide pass / fail / full."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must lie in [0, 1], got {threshold}")
    if sample < 1:
        raise ValueError(f"sample must be at least 1, got {sample}")
    start = time.perf_counter()
    records = read_jsonl(dataset)
    chosen = sorted(random.Random(seed).sample(range(len(records)), min(sample, len(records))))
    result = evaluate_records(
        model_dir,
        [records[i] for i in chosen],
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
        source=repr(str(dataset)),
    )
    decision, low, high = decide(result.correct, result.n, len(records), threshold)
    return ProxyDecision(
        decision=decision,  # type: ignore[arg-type]
        accuracy=result.accuracy,
        correct=result.correct,
        n=result.n,
        total=len(records),
        low=low,
        high=high,
        threshold=threshold,
        seconds=time.perf_counter() - start,
    )
