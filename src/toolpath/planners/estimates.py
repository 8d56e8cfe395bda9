"""What the system believes about each (tool, capability): quality and cost.

Quality is a Beta posterior over the probability that a step passes verification, seeded
from the tool's quality prior with `PRIOR_STRENGTH` pseudo-observations. Cost is the
tool's cost prior times a multiplier, an exponential moving average of observed/predicted
seconds, so that one measurement on a small input predicts the cost on a large one.

The store persists to SQLite when given a path (the only file the planner touches), or to
PostgreSQL when given a postgresql:// URL (several processes sharing what they learn). An
update is one atomic upsert that adds to the stored counts, so two processes recording
verdicts for the same tool at once lose neither. `held` (what each search reads) re-reads
the stored rows first, so a search sees what other processes recorded up to then: one
query over the pairs that have ever run, not over the catalogue.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from toolpath.planners.database import connect_postgres, is_postgres, migrate
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
_PG_MIGRATIONS = [
    """CREATE TABLE IF NOT EXISTS toolpath_estimates (
    tool TEXT NOT NULL, capability TEXT NOT NULL,
    successes DOUBLE PRECISION NOT NULL, failures DOUBLE PRECISION NOT NULL,
    cost_multiplier DOUBLE PRECISION NOT NULL, observations INTEGER NOT NULL,
    PRIMARY KEY (tool, capability)
)""",
]


def _upsert(table: str, param: str, real: str) -> str:
    """One verdict added to the stored row (or to the prior's counts for a new row):
    atomic, so concurrent updates of one tool all count. `param` formats a named
    placeholder, `real` the SQL type a float parameter is cast to."""

    def p(name: str) -> str:
        return f"CAST({param.format(name)} AS {real})"

    def ema(old: str) -> str:
        ratio = p("ratio")
        return (
            f"CASE WHEN {ratio} IS NULL THEN {old} ELSE {old} + {p('rate')} * ({ratio} - {old}) END"
        )

    return f"""
INSERT INTO {table} (tool, capability, successes, failures, cost_multiplier, observations)
VALUES ({param.format("tool")}, {param.format("capability")}, {p("s0")} + {p("ds")},
        {p("f0")} + {p("df")}, {ema(p("m0"))}, 1)
ON CONFLICT (tool, capability) DO UPDATE SET
    successes = {table}.successes + {p("ds")},
    failures = {table}.failures + {p("df")},
    cost_multiplier = {ema(f"{table}.cost_multiplier")},
    observations = {table}.observations + 1
RETURNING successes, failures, cost_multiplier, observations
"""


_SQLITE_UPSERT = _upsert("estimates", ":{}", "REAL")
_PG_UPSERT = _upsert("toolpath_estimates", "%({})s", "DOUBLE PRECISION")


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
        """`path`: a SQLite file, a postgresql:// URL, or None (kept in memory only)."""
        self._estimates: dict[tuple[str, str], Estimate] = {}
        self._lock = threading.Lock()
        self._db: Any = None
        self._upsert, self._table = _SQLITE_UPSERT, "estimates"
        if isinstance(path, str) and is_postgres(path):
            self._db = connect_postgres(path)
            migrate(self._db, "estimates", _PG_MIGRATIONS)
            self._upsert, self._table = _PG_UPSERT, "toolpath_estimates"
            self._load()
        elif path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.execute(_SCHEMA)
            self._load()

    def _load(self) -> None:
        """Read every stored estimate (what other processes learned, too)."""
        assert self._db is not None
        with self._lock:
            rows = self._db.execute(
                f"SELECT tool, capability, successes, failures, cost_multiplier, observations "
                f"FROM {self._table}"
            ).fetchall()
            for tool, capability, succ, fail, mult, obs in rows:
                self._estimates[(tool, capability)] = Estimate(succ, fail, mult, obs)

    def reload(self) -> None:
        """Refresh from the database (what other processes recorded since)."""
        if self._db is not None:
            self._load()

    def get(self, spec: ToolSpec, capability: str) -> Estimate:
        key = (spec.name, capability)
        if key not in self._estimates:
            self._estimates[key] = Estimate.from_prior(spec.quality)
        return self._estimates[key]

    def quality(self, spec: ToolSpec, capability: str) -> float:
        return self.get(spec, capability).quality

    def held(self) -> dict[tuple[str, str], Estimate]:
        """The estimates now, by (tool, capability), re-read from the database first (what
        other processes recorded since); every other pair has its prior's."""
        self.reload()
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
        predicted = spec.cost.expected(scale)
        ratio = seconds / predicted if seconds is not None and predicted > 0 else None
        with self._lock:
            estimate = self.get(spec, capability)
            if self._db is not None:
                return self._save(spec.name, capability, estimate, ok, ratio)
            if ok:
                estimate.successes += 1
            else:
                estimate.failures += 1
            if ratio is not None:
                estimate.cost_multiplier += COST_EMA_RATE * (ratio - estimate.cost_multiplier)
            estimate.observations += 1
            return estimate

    def _save(
        self, tool: str, capability: str, held: Estimate, ok: bool, ratio: float | None
    ) -> Estimate:
        """Add the verdict to the stored row in one statement; `held` takes what it returns
        (other processes' verdicts included)."""
        values = {  # held: the prior's counts for a new row (ignored when the row exists)
            "tool": tool,
            "capability": capability,
            "s0": held.successes,
            "f0": held.failures,
            "m0": held.cost_multiplier,
            "ds": 1.0 if ok else 0.0,
            "df": 0.0 if ok else 1.0,
            "ratio": ratio,
            "rate": COST_EMA_RATE,
        }
        if isinstance(self._db, sqlite3.Connection):
            with self._db:
                row = self._db.execute(self._upsert, values).fetchone()
        else:
            row = self._db.execute(self._upsert, values).fetchone()
        held.successes, held.failures = float(row[0]), float(row[1])
        held.cost_multiplier, held.observations = float(row[2]), int(row[3])
        return held

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
