"""Discrepancy versus network size: a fitted power law d(N) ~ a N^(-p).

The theory is the N -> infinity limit; a discrepancy that is a finite-N
effect shrinks with N (like N^(-1/2) for the fluctuations of population
averages, like N^(-1/4) for the sparse drive of THEORY.md section 4). A
discrepancy that does not shrink is a finding, never hidden.

The fit is a weighted least-squares line through (log N, log d) with weights
from se(log d) = se(d) / d. A discrepancy within twice its standard error of
zero is *noise-limited*: it measures the sample size, not N, and the fitted
exponent then says little; the fit reports how many points are so.

An exponent is fitted only from :data:`MIN_SIZES` = 3 sizes or more: a line
through two points fits them exactly, so its residuals cannot show whether
d(N) is a power law at all, and its interval rests on the stated errors
alone. With fewer sizes the fit holds the data and says "not fitted".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: sizes needed for a fitted exponent (module docstring)
MIN_SIZES = 3


@dataclass(frozen=True)
class ConvergenceFit:
    """Result of :func:`fit_exponent`.

    Attributes
    ----------
    metric : str
        What d is.
    N, discrepancy, se : tuple
        The data.
    exponent : float
        p in d ~ a N^(-p) (nan with fewer than :data:`MIN_SIZES` sizes: not fitted).
    exponent_se : float
        Its standard error (inf when not estimable).
    prefactor : float
        a.
    noise_limited : int
        Number of sizes with d < 2 se.
    finding : str
        "" or a sentence when the discrepancy does not shrink.
    """

    metric: str
    N: tuple
    discrepancy: tuple
    se: tuple
    exponent: float
    exponent_se: float
    prefactor: float
    noise_limited: int
    finding: str

    def to_dict(self) -> dict:
        def f(x):
            return None if not math.isfinite(x) else float(x)
        return {
            "metric": self.metric, "N": list(self.N), "discrepancy": [float(x) for x in self.discrepancy],
            "se": [float(x) for x in self.se], "exponent": f(self.exponent),
            "exponent_se": f(self.exponent_se), "prefactor": f(self.prefactor),
            "noise_limited": self.noise_limited, "finding": self.finding,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "ConvergenceFit":
        """Inverse of :meth:`to_dict` (null numbers, i.e. non-finite ones, come back as NaN)."""
        def f(x):
            return float("nan") if x is None else float(x)
        return cls(metric=d["metric"], N=tuple(d["N"]), discrepancy=tuple(f(x) for x in d["discrepancy"]),
                   se=tuple(f(x) for x in d["se"]), exponent=f(d["exponent"]), exponent_se=f(d["exponent_se"]),
                   prefactor=f(d["prefactor"]), noise_limited=int(d["noise_limited"]), finding=d["finding"])

    def describe(self) -> str:
        if not math.isfinite(self.exponent):
            data = ", ".join(f"{d:.3g} at N = {n}" for n, d in zip(self.N, self.discrepancy))
            return f"{self.metric}: not fitted (fewer than {MIN_SIZES} sizes; {data})"
        se = "" if not math.isfinite(self.exponent_se) else f" +- {self.exponent_se:.2f}"
        txt = f"{self.metric} ~ N^-({self.exponent:.2f}{se})"
        if self.noise_limited:
            txt += f" ({self.noise_limited}/{len(self.N)} sizes noise-limited)"
        return txt


def fit_exponent(N, discrepancy, se, metric: str = "discrepancy") -> ConvergenceFit:
    """Fit d(N) = a N^(-p) by weighted least squares in log-log coordinates.

    Parameters
    ----------
    N : sequence of int
        Network sizes (distinct, > 0).
    discrepancy : sequence of float
        |d| at each size (non-negative; values below se are floored at se,
        so the logarithm is defined).
    se : sequence of float
        Standard errors of d (> 0).
    metric : str
        Name of d for the report.

    Returns
    -------
    ConvergenceFit
    """
    N = np.asarray(N, dtype=float)
    d = np.abs(np.asarray(discrepancy, dtype=float))
    s = np.asarray(se, dtype=float)
    if not (N.shape == d.shape == s.shape) or N.ndim != 1:
        raise ValueError("N, discrepancy and se must be 1-D of equal length")
    if np.any(N <= 0) or len(np.unique(N)) != N.size:
        raise ValueError(f"N must be distinct positive sizes, got {N.tolist()}")
    if np.any(~np.isfinite(d)) or np.any(~np.isfinite(s)) or np.any(s < 0):
        raise ValueError("discrepancy and se must be finite, se >= 0")
    order = np.argsort(N)
    N, d, s = N[order], d[order], s[order]
    noise = int(np.sum(d < 2 * s))
    nan = float("nan")
    if N.size < MIN_SIZES:
        return ConvergenceFit(metric, tuple(int(n) for n in N), tuple(float(v) for v in d),
                              tuple(float(v) for v in s), nan, math.inf, nan, noise, "")
    s = np.maximum(s, 1e-12)
    dd = np.maximum(d, s)  # floor at the noise level so log d exists
    x, y = np.log(N), np.log(dd)
    sy = s / dd  # se of log d
    w = 1.0 / sy**2
    X = np.stack([np.ones_like(x), x], axis=1)
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = cov @ (X.T @ (w * y))
    p = -float(beta[1])
    p_se = float(math.sqrt(cov[1, 1]))
    # scale by the residual scatter when it exceeds the stated errors (N.size >= 3: one dof at least)
    chi2 = float(np.sum(w * (y - X @ beta) ** 2) / (N.size - 2))
    p_se *= math.sqrt(max(1.0, chi2))
    finding = ""
    if noise < N.size and p + 2 * p_se < 0:
        finding = (f"{metric} grows with N (exponent {p:.2f} +- {p_se:.2f}): "
                   "a discrepancy that is not a finite-N effect")
    elif noise < N.size and p < 2 * p_se and d[-1] > 2 * s[-1]:
        finding = (f"{metric} does not shrink measurably with N (exponent {p:.2f} +- {p_se:.2f}) "
                   "while it is resolved at the largest N")
    return ConvergenceFit(metric, tuple(int(n) for n in N), tuple(float(v) for v in d),
                          tuple(float(v) for v in s), p, p_se, float(math.exp(beta[0])), noise, finding)
