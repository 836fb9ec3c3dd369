"""Binomial proportions with confidence intervals, for probabilities of states and events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

INTERVAL_METHODS = ("wilson", "exact")  # exact = Clopper-Pearson


@dataclass(frozen=True)
class Proportion:
    """k successes out of n, with a two-sided confidence interval."""

    k: int
    n: int
    low: float
    high: float
    confidence: float
    method: str

    @property
    def p(self) -> float:
        return self.k / self.n if self.n else float("nan")

    def __str__(self) -> str:
        return f"{self.p:.3f} [{self.low:.3f}, {self.high:.3f}] ({self.k}/{self.n})"

    def to_dict(self) -> dict:
        return {"p": self.p, "k": self.k, "n": self.n, "low": self.low, "high": self.high,
                "confidence": self.confidence, "method": self.method}


def proportion(k: int, n: int, confidence: float = 0.95, method: str = "wilson") -> Proportion:
    """Binomial proportion with a Wilson (default) or Clopper-Pearson interval."""
    if method not in INTERVAL_METHODS:
        raise ValueError(f"method must be one of {INTERVAL_METHODS}, got {method!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    k, n = int(k), int(n)
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n >= 1, got k = {k}, n = {n}")
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method=method)
    return Proportion(k, n, float(ci.low), float(ci.high), confidence, method)


def event_proportion(events, confidence: float = 0.95, method: str = "wilson") -> Proportion:
    """:func:`proportion` of a boolean array of events."""
    events = np.asarray(events, dtype=bool).ravel()
    return proportion(int(events.sum()), events.size, confidence, method)
