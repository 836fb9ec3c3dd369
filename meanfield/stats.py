"""Estimates with confidence intervals.

* :func:`proportion`: binomial proportions, for probabilities of states and events;
* :func:`mean_interval`, :func:`median_interval`: quantities that are not events,
  e.g. an average of per-sample conditional probabilities (THEORY.md section 6)
  or a median of per-sample Lyapunov exponents (section 5).
"""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class Estimate:
    """A point estimate over n samples with a two-sided confidence interval."""

    value: float
    low: float
    high: float
    n: int
    confidence: float
    method: str

    def __str__(self) -> str:
        return f"{self.value:.4g} [{self.low:.4g}, {self.high:.4g}] (n={self.n})"

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _values(values, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    if x.size < 2:
        raise ValueError(f"{name}: need at least 2 samples, got {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: the samples contain NaN or infinite values; drop or fix them first")
    return x


def _check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    return float(confidence)


def mean_interval(values, confidence: float = 0.95, lo: float | None = None,
                  hi: float | None = None) -> Estimate:
    """Sample mean with a Student-t interval, optionally clipped to [lo, hi].

    Used for averages over xi of conditional probabilities (THEORY.md section 6),
    which lie in [0, 1]: pass ``lo=0, hi=1``.
    """
    confidence = _check_confidence(confidence)
    x = _values(values, "mean_interval")
    mean = float(x.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    low, high = mean - half, mean + half
    if lo is not None:
        low = max(low, lo)
    if hi is not None:
        high = min(high, hi)
    return Estimate(mean, low, high, int(x.size), confidence, "t")


def median_interval(values, confidence: float = 0.95) -> Estimate:
    """Sample median with the distribution-free order-statistic interval.

    The interval [x_(j), x_(k)] uses the binomial(n, 1/2) quantiles, so its
    coverage is at least ``confidence`` for any continuous distribution.
    """
    confidence = _check_confidence(confidence)
    x = np.sort(_values(values, "median_interval"))
    n = x.size
    # [x_(l), x_(n+1-l)] (1-based) covers the median with probability 1 - 2 P(B <= l-1),
    # B ~ binomial(n, 1/2); binom.ppf gives the largest l with P(B <= l-1) < alpha/2.
    l = max(int(stats.binom.ppf((1.0 - confidence) / 2, n, 0.5)), 1)
    j, k = l - 1, n - l
    return Estimate(float(np.median(x)), float(x[j]), float(x[k]), int(n), confidence, "order statistics")
