"""What the system believes about each (tool, capability): quality and cost.

Quality is a Beta posterior over the probability that a step passes verification, seeded
from the tool's quality prior with `PRIOR_STRENGTH` pseudo-observations. Cost is the
tool's cost prior times a multiplier, an exponential moving average of observed/predicted
seconds, so that one measurement on a small input predicts the cost on a large one.

The store persists to SQLite when given a path (the only file the planner touches).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from toolpath.tools.spec import ToolSpec

PRIOR_STRENGTH = 4.0
COST_EMA_RATE = 0.3
_SCHEMA = """
CREATE TABLE IF NOT EXISTS estimates (
    tool TEXT NOT NULL, capability TEXT NOT NULL,
    successes REAL NOT NULL, failures REAL NOT NULL,
    cost_multiplier REAL NOT NULL, observations INTEGER NOT NULL,
    PRIMARY KEY (tool, capability)
)
"""


@dataclass
class Estimate:
    """Beta(successes, failures) pseudo-counts and the cost multiplier."""

    successes: float
    failures: float
    cost_multiplier: float = 1.0
    observations: int = 0

    @classmethod
    def from_prior(cls, quality: float) -> Estimate:
        quality = min(max(quality, 1e-6), 1 - 1e-6)
        return cls(successes=quality * PRIOR_STRENGTH, failures=(1 - quality) * PRIOR_STRENGTH)

    @property
    def quality(self) -> float:
        """Posterior mean probability of passing verification."""
        return self.successes / (self.successes + self.failures)


def prior_qualities(priors: np.ndarray) -> np.ndarray:
    """`Estimate.from_prior(q).quality` for an array of priors, with the same float steps."""
    clamped = np.clip(priors, 1e-6, 1 - 1e-6)
    successes, failures = clamped * PRIOR_STRENGTH, (1 - clamped) * PRIOR_STRENGTH
    return successes / (successes + failures)


class EstimateStore:
    """Estimates per (tool, capability), seeded lazily from the tool's priors."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._estimates: dict[tuple[str, str], Estimate] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.execute(_SCHEMA)
            self._load()

    def _load(self) -> None:
        assert self._db is not None
        rows = self._db.execute("SELECT * FROM estimates").fetchall()
        for tool, capability, succ, fail, mult, obs in rows:
            self._estimates[(tool, capability)] = Estimate(succ, fail, mult, obs)

    def get(self, spec: ToolSpec, capability: str) -> Estimate:
        key = (spec.name, capability)
        if key not in self._estimates:
            self._estimates[key] = Estimate.from_prior(spec.quality)
        return self._estimates[key]

    def quality(self, spec: ToolSpec, capability: str) -> float:
        return self.get(spec, capability).quality

    def held(self) -> dict[tuple[str, str], Estimate]:
        """The estimates held now, by (tool, capability); every other pair has its prior's."""
        with self._lock:
            return dict(self._estimates)

    def cost(self, spec: ToolSpec, capability: str, scale: float = 0.0) -> float:
        """Expected seconds for this tool on this capability at this input scale."""
        return spec.cost.expected(scale) * self.get(spec, capability).cost_multiplier

    def record(
        self,
        spec: ToolSpec,
        capability: str,
        ok: bool,
        seconds: float | None = None,
        scale: float = 0.0,
    ) -> Estimate:
        """Update from one verified execution (a verdict and, if known, its duration)."""
        with self._lock:
            estimate = self.get(spec, capability)
            if ok:
                estimate.successes += 1
            else:
                estimate.failures += 1
            predicted = spec.cost.expected(scale)
            if seconds is not None and predicted > 0:
                ratio = seconds / predicted
                estimate.cost_multiplier += COST_EMA_RATE * (ratio - estimate.cost_multiplier)
            estimate.observations += 1
            self._save(spec.name, capability, estimate)
            return estimate

    def _save(self, tool: str, capability: str, estimate: Estimate) -> None:
        if self._db is None:
            return
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO estimates VALUES (?, ?, ?, ?, ?, ?)",
                (
                    tool,
                    capability,
                    estimate.successes,
                    estimate.failures,
                    estimate.cost_multiplier,
                    estimate.observations,
                ),
            )

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
