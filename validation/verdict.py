"""Verdicts: pass / fail / inconclusive, decided the same way for every comparison.

A comparison of theory and simulation yields (:mod:`validation.statistics`)

* ``discrepancy`` d: a signed or non-negative effect size (difference of two
  probabilities, Kolmogorov-Smirnov distance, relative sup-norm gap of two
  curves);
* ``interval`` [lo, hi]: its 95 % confidence interval;
* ``resolution`` w: the half-width of that interval, i.e. the smallest
  discrepancy the data could have detected;
* ``p_value`` of the test of equality (two-proportion, KS, bootstrap max-t);
* ``tolerance`` tau: the largest discrepancy that is *not* a failure of the
  theory (finite-N corrections allowed), stated with its reason.

Decision rule (alpha is the per-comparison level after the check's Bonferroni
correction; the false-failure rate of a check is at most the check's alpha
when the theory is right to within tau):

* PASS         the interval lies inside [-tau, tau] (equivalence shown), or the
               test does not reject (p >= alpha) and the data resolve tau (w <= tau);
* FAIL         the test rejects (p < alpha) and the whole interval lies beyond tau
               (|d| > tau with confidence);
* INCONCLUSIVE otherwise: too few samples to resolve tau, or a significant
               difference that may still be within the tolerance.

A check aggregates its comparisons: FAIL if any fails, PASS if none fails and
at least half pass, INCONCLUSIVE otherwise.
"""

from __future__ import annotations

from enum import Enum

import numpy as np


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


def decide(discrepancy: float, interval: tuple[float, float], resolution: float,
           p_value: float, tolerance: float, alpha: float) -> Verdict:
    """The decision rule of the module docstring for one comparison.

    Parameters
    ----------
    discrepancy : float
        Point estimate d (signed or >= 0).
    interval : (float, float)
        Confidence interval of d.
    resolution : float
        Half-width of the interval (>= 0).
    p_value : float
        Of the test of equality.
    tolerance : float
        tau > 0.
    alpha : float
        Level of the test, in (0, 1).
    """
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0, got {tolerance}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    lo, hi = float(interval[0]), float(interval[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and np.isfinite(p_value)):
        return Verdict.INCONCLUSIVE
    if -tolerance <= lo and hi <= tolerance:
        return Verdict.PASS
    if p_value < alpha and (lo > tolerance or hi < -tolerance):
        return Verdict.FAIL
    if p_value >= alpha and resolution <= tolerance:
        return Verdict.PASS
    return Verdict.INCONCLUSIVE


def aggregate(verdicts) -> Verdict:
    """FAIL if any fails; PASS if none fails and at least half pass; else INCONCLUSIVE."""
    verdicts = [Verdict(v) for v in verdicts]
    if not verdicts:
        return Verdict.INCONCLUSIVE
    if Verdict.FAIL in verdicts:
        return Verdict.FAIL
    n_pass = sum(v is Verdict.PASS for v in verdicts)
    return Verdict.PASS if 2 * n_pass >= len(verdicts) else Verdict.INCONCLUSIVE
