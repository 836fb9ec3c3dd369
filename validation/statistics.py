"""Statistical comparisons of a theory ensemble with a simulation ensemble.

Four kinds, one result type (:class:`Comparison`) and one decision rule
(:func:`validation.verdict.decide`):

* :func:`compare_proportions`  probabilities (P(state), P(x = 0 unstable),
  P(|h(T)| > 0.5)): Wilson intervals per side (``meanfield.stats.proportion``),
  the Newcombe hybrid-score interval of the difference, and the pooled
  two-proportion z-test;
* :func:`compare_distributions` laws of a scalar (h(t), Re lambda): the
  two-sample Kolmogorov-Smirnov distance and test (``scipy.stats.ks_2samp``),
  with the k-sample Anderson-Darling test (``scipy.stats.anderson_ksamp``)
  reported beside it;
* :func:`compare_curves` ensemble-mean curves (Delta(t,t), autocorrelations,
  spectra): a bootstrap over realisations on both sides gives pointwise
  standard errors and a simultaneous (max-t) 95 % band of the difference;
* :func:`compare_estimate` a number that the theory fixes once each network's
  own population path is given (paired checks: a convergence exponent, the
  variance of whitened innovations) against its estimate on networks.

Every interval is a 95 % interval; ``alpha`` is the level of the test of
equality (the caller's Bonferroni-corrected level).
"""

from __future__ import annotations

import math
import warnings
import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from meanfield.jsonable import to_jsonable
from meanfield.stats import Proportion, proportion

from .verdict import Verdict, decide

Z95 = float(stats.norm.ppf(0.975))
#: c(0.05) = 1.3581 of the asymptotic two-sample KS critical distance c sqrt((n + m) / (n m))
#: (the 95 % point of the Kolmogorov distribution)
KS_C95 = float(stats.kstwobign.isf(0.05))
#: mean of the Kolmogorov distribution, sqrt(pi/2) ln 2: E[D] under equality is about this times sqrt((n+m)/(nm))
KS_NULL_MEAN = math.sqrt(math.pi / 2) * math.log(2)


@dataclass(frozen=True)
class Comparison:
    """One theory-versus-simulation comparison and its verdict.

    Attributes
    ----------
    kind : {"proportion", "distribution", "curve", "estimate"}
    label : str
        What is compared, e.g. ``"P(coherent), g=0.8 J0=2"``.
    N : int or None
        Network size of the simulation side.
    theory, simulation : dict
        Summaries of each side (probability and interval, mean and quantiles, ...).
    discrepancy : float
        Effect size d (see the ``kind``'s function).
    interval : (float, float)
        95 % interval of d.
    resolution : float
        Half-width of the interval.
    se : float
        Noise level of d, for the discrepancy-versus-N fits: the standard
        error of a difference of proportions; for a KS distance its
        expectation under equality (D is >= 0 and biased upwards); for a
        sup-norm curve gap the median sup-norm of the bootstrap noise.
    p_value : float
        Test of equality.
    tolerance : float
        tau; ``tolerance_reason`` says why.
    alpha : float
        Level of the test.
    verdict : Verdict
    extra : dict
        Further numbers (other tests, curves for the figures).
    """

    kind: str
    label: str
    N: int | None
    theory: dict
    simulation: dict
    discrepancy: float
    interval: tuple[float, float]
    resolution: float
    se: float
    p_value: float
    tolerance: float
    tolerance_reason: str
    alpha: float
    verdict: Verdict
    extra: dict = field(default_factory=dict)

    def to_dict(self, with_curves: bool = True) -> dict:
        extra = dict(self.extra)
        if not with_curves:
            extra.pop("curves", None)
        return {
            "kind": self.kind, "label": self.label, "N": self.N,
            "theory": self.theory, "simulation": self.simulation,
            "discrepancy": self.discrepancy, "interval": list(self.interval),
            "resolution": self.resolution, "se": self.se, "p_value": self.p_value,
            "tolerance": self.tolerance, "tolerance_reason": self.tolerance_reason,
            "alpha": self.alpha, "verdict": self.verdict.value, "extra": to_jsonable(extra),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Comparison":
        """Inverse of :meth:`to_dict` (null numbers, i.e. non-finite ones, come back as NaN)."""
        def f(x):
            return float("nan") if x is None else float(x)
        return cls(kind=d["kind"], label=d["label"], N=d["N"], theory=d["theory"], simulation=d["simulation"],
                   discrepancy=f(d["discrepancy"]), interval=tuple(f(x) for x in d["interval"]),
                   resolution=f(d["resolution"]), se=f(d["se"]), p_value=f(d["p_value"]),
                   tolerance=f(d["tolerance"]), tolerance_reason=d["tolerance_reason"], alpha=f(d["alpha"]),
                   verdict=Verdict(d["verdict"]), extra=d.get("extra", {}))

    def summary(self) -> str:
        """One line with the numbers behind the verdict."""
        from .power import growth_needed  # power sizes samples from this module's constants

        lo, hi = self.interval
        txt = (f"{self.label}: d = {self.discrepancy:+.3f} [{lo:+.3f}, {hi:+.3f}], "
               f"tol {self.tolerance:g}, p = {self.p_value:.3g} -> {self.verdict.value}")
        if self.verdict is Verdict.INCONCLUSIVE and self.resolution > self.tolerance:
            txt += (f" (resolution {self.resolution:.3f} > tol: about "
                    f"{growth_needed(self.resolution, self.tolerance):.1f}x the samples on both sides would resolve it)")
        return txt


def _check_alpha_tol(alpha, tolerance):
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0, got {tolerance}")


# ----------------------------------------------------------------------------- proportions
def newcombe_interval(a: Proportion, b: Proportion) -> tuple[float, float]:
    """Newcombe's hybrid-score interval of p_b - p_a from the two Wilson intervals.

    Newcombe (1998), Stat. Med. 17, 873, method 10: with Wilson limits
    (l_a, u_a), (l_b, u_b) and d = p_b - p_a,
    lo = d - sqrt((p_b - l_b)^2 + (u_a - p_a)^2), hi = d + sqrt((u_b - p_b)^2 + (p_a - l_a)^2).
    The confidence level is that of the Wilson intervals.
    """
    d = b.p - a.p
    lo = d - math.sqrt((b.p - b.low) ** 2 + (a.high - a.p) ** 2)
    hi = d + math.sqrt((b.high - b.p) ** 2 + (a.p - a.low) ** 2)
    return lo, hi


def two_proportion_p_value(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided pooled z-test of p1 = p2 (1.0 when both samples are all 0 or all 1)."""
    p = (k1 + k2) / (n1 + n2)
    var = p * (1 - p) * (1 / n1 + 1 / n2)
    if var <= 0:
        return 1.0
    z = (k2 / n2 - k1 / n1) / math.sqrt(var)
    return float(2 * stats.norm.sf(abs(z)))


def compare_proportions(k_theory: int, n_theory: int, k_sim: int, n_sim: int, *, tolerance: float,
                        tolerance_reason: str = "", alpha: float = 0.05, label: str = "",
                        N: int | None = None) -> Comparison:
    """Compare P_theory = k_theory / n_theory with P_sim = k_sim / n_sim.

    The discrepancy is d = P_sim - P_theory with Newcombe's 95 % interval
    (:func:`newcombe_interval`); the test is the pooled two-proportion z-test.

    Raises
    ------
    ValueError
        For counts outside 0 <= k <= n, n >= 1, or bad alpha / tolerance.
    """
    _check_alpha_tol(alpha, tolerance)
    th = proportion(k_theory, n_theory)
    sim = proportion(k_sim, n_sim)
    lo, hi = newcombe_interval(th, sim)
    d = sim.p - th.p
    p_value = two_proportion_p_value(th.k, th.n, sim.k, sim.n)
    resolution = 0.5 * (hi - lo)
    verdict = decide(d, (lo, hi), resolution, p_value, tolerance, alpha)
    return Comparison(
        kind="proportion", label=label, N=N, theory=th.to_dict(), simulation=sim.to_dict(),
        discrepancy=d, interval=(lo, hi), resolution=resolution, se=resolution / Z95,
        p_value=p_value, tolerance=tolerance, tolerance_reason=tolerance_reason, alpha=alpha,
        verdict=verdict,
    )


# ----------------------------------------------------------------------------- distributions
def ks_critical_distance(n: int, m: int) -> float:
    """Asymptotic 95 % critical value of the two-sample KS distance, 1.358 sqrt((n + m) / (n m))."""
    return KS_C95 * math.sqrt((n + m) / (n * m))


def _describe(x: np.ndarray) -> dict:
    q = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {"n": int(x.size), "mean": float(x.mean()), "std": float(x.std(ddof=1)) if x.size > 1 else 0.0,
            "quantiles": {"5": q[0], "25": q[1], "50": q[2], "75": q[3], "95": q[4]}}


def compare_distributions(theory, simulation, *, tolerance: float, tolerance_reason: str = "",
                          alpha: float = 0.05, label: str = "", N: int | None = None) -> Comparison:
    """Compare the laws of a scalar: two-sample KS (verdict) and Anderson-Darling (reported).

    The discrepancy is the KS distance D = sup |F_theory - F_sim|; its
    interval is [max(0, D - c), D + c] with c the 95 % critical distance
    (:func:`ks_critical_distance`), which is also the resolution.

    Raises
    ------
    ValueError
        For fewer than 2 finite values on a side.
    """
    _check_alpha_tol(alpha, tolerance)
    a = np.asarray(theory, dtype=float).ravel()
    b = np.asarray(simulation, dtype=float).ravel()
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError(f"{label}: samples contain non-finite values")
    if a.size < 2 or b.size < 2:
        raise ValueError(f"{label}: need at least 2 values per side, got {a.size} and {b.size}")
    ks = stats.ks_2samp(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # AD p-values are capped to [0.001, 0.25] with a warning
        ad = stats.anderson_ksamp([a, b])
    c = ks_critical_distance(a.size, b.size)
    D = float(ks.statistic)
    interval = (max(0.0, D - c), D + c)
    verdict = decide(D, interval, c, float(ks.pvalue), tolerance, alpha)
    return Comparison(
        kind="distribution", label=label, N=N, theory=_describe(a), simulation=_describe(b),
        discrepancy=D, interval=interval, resolution=c,
        se=KS_NULL_MEAN * math.sqrt((a.size + b.size) / (a.size * b.size)), p_value=float(ks.pvalue),
        tolerance=tolerance, tolerance_reason=tolerance_reason, alpha=alpha, verdict=verdict,
        extra={"anderson_darling": {"statistic": float(ad.statistic),
                                    "p_value_capped": float(ad.pvalue)}},
    )


# ----------------------------------------------------------------------------- curves
def _label_seed(label: str, seed: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(seed), zlib.crc32(label.encode())])


def bootstrap_difference(theory: np.ndarray, simulation: np.ndarray, n_boot: int, seed) -> np.ndarray:
    """Bootstrap replicates of mean(simulation) - mean(theory) (rows resampled on each side).

    Written by hand (not ``scipy.stats.bootstrap``) because the simultaneous
    band needs the joint bootstrap distribution of the whole curve.

    Returns
    -------
    ndarray, shape (n_boot, n_t)
    """
    rng = np.random.default_rng(seed)
    nt, ns = theory.shape[0], simulation.shape[0]
    out = np.empty((n_boot, theory.shape[1]))
    for b in range(n_boot):
        out[b] = simulation[rng.integers(0, ns, ns)].mean(0) - theory[rng.integers(0, nt, nt)].mean(0)
    return out


def compare_curves(theory, simulation, x=None, *, tolerance: float, tolerance_reason: str = "",
                   alpha: float = 0.05, label: str = "", N: int | None = None, scale: float | None = None,
                   n_boot: int = 1000, seed: int = 0) -> Comparison:
    """Compare ensemble-mean curves c(x) = mean over samples of per-sample curves.

    With d(x) = c_sim(x) - c_theory(x), se(x) the bootstrap standard error and
    q the 95 % quantile of max_x |d*(x) - d(x)| / se(x) over the bootstrap,
    the discrepancy is the relative sup-norm gap max_x |d(x)| / scale
    (scale = max_x |c_theory(x)| unless given), its interval
    [max_x (|d| - q se)_+, max_x (|d| + q se)] / scale. The p-value of d = 0
    is n_x * 2 Phi(-max_x |d(x)| / se(x)) (Bonferroni over the points, valid
    for any correlation and able to reach small levels); the bootstrap
    p-value of the max-t statistic, at most 1 / (n_boot + 1) below, is in
    ``extra["p_bootstrap"]``.

    Parameters
    ----------
    theory, simulation : array, shape (n_samples, n_x)
        Per-sample curves (rows are independent samples).
    x : array (n_x,), optional
        Abscissa, kept for the figures.
    seed : int
        The bootstrap's SeedSequence is (seed, crc32(label)).
    """
    _check_alpha_tol(alpha, tolerance)
    a = np.atleast_2d(np.asarray(theory, dtype=float))
    b = np.atleast_2d(np.asarray(simulation, dtype=float))
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{label}: curves have {a.shape[1]} and {b.shape[1]} points; use the same abscissa")
    if a.shape[0] < 2 or b.shape[0] < 2:
        raise ValueError(f"{label}: need at least 2 samples per side, got {a.shape[0]} and {b.shape[0]}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError(f"{label}: curves contain non-finite values")
    ca, cb = a.mean(0), b.mean(0)
    d = cb - ca
    boot = bootstrap_difference(a, b, n_boot, _label_seed(label, seed))
    se = boot.std(0, ddof=1)
    floor = 1e-12 * max(1.0, float(np.max(np.abs(ca))))
    se = np.maximum(se, floor)
    tmax_boot = np.max(np.abs(boot - d) / se, axis=1)
    q = float(np.quantile(tmax_boot, 0.95))
    tmax = float(np.max(np.abs(d) / se))
    p_boot = float((1 + np.sum(tmax_boot >= tmax)) / (1 + n_boot))
    # decision p-value: Bonferroni over the points with normal tails, valid and able to reach the
    # small Bonferroni levels of a check (a bootstrap p-value cannot go below 1 / (n_boot + 1))
    p_value = float(min(1.0, a.shape[1] * 2 * stats.norm.sf(tmax)))
    if scale is None:
        scale = float(np.max(np.abs(ca)))
    if not scale > 0:
        raise ValueError(f"{label}: the theory curve is identically 0; pass a positive scale")
    disc = float(np.max(np.abs(d)) / scale)
    interval = (float(np.max(np.clip(np.abs(d) - q * se, 0, None)) / scale),
                float(np.max(np.abs(d) + q * se) / scale))
    resolution = float(np.max(q * se) / scale)
    noise = float(np.median(np.max(np.abs(boot - d), axis=1)) / scale)
    verdict = decide(disc, interval, resolution, p_value, tolerance, alpha)
    xs = np.arange(a.shape[1]) if x is None else np.asarray(x, dtype=float)
    return Comparison(
        kind="curve", label=label, N=N,
        theory={"n": int(a.shape[0]), "max_abs": float(np.max(np.abs(ca)))},
        simulation={"n": int(b.shape[0]), "max_abs": float(np.max(np.abs(cb)))},
        discrepancy=disc, interval=interval, resolution=resolution, se=noise,
        p_value=p_value, tolerance=tolerance, tolerance_reason=tolerance_reason, alpha=alpha,
        verdict=verdict,
        extra={"scale": scale, "max_t": tmax, "band_quantile": q, "n_boot": n_boot, "p_bootstrap": p_boot,
               "curves": {"x": xs, "theory": ca, "simulation": cb, "band": q * se}},
    )


# ----------------------------------------------------------------------------- paired estimates
def compare_estimate(estimate: float, interval: tuple[float, float], expected: float, z: float, *,
                     tolerance: float, tolerance_reason: str = "", alpha: float = 0.05, label: str = "",
                     N: int | None = None, extra: dict | None = None) -> Comparison:
    """Compare an estimate measured on networks with the value the theory fixes (a paired check).

    For quantities that the theory predicts exactly once each network's own
    population path is given (a fitted convergence exponent, the variance of
    whitened innovations), there is no theory sample: the discrepancy is
    d = estimate - expected, with the estimate's 95 % interval shifted by
    ``expected``, and the test of d = 0 uses the z-score the caller computed
    under the null (two-sided normal p-value).

    Parameters
    ----------
    estimate : float
    interval : (float, float)
        95 % interval of the estimate.
    expected : float
        The theory's value.
    z : float
        Standardised d under the null hypothesis d = 0.
    """
    _check_alpha_tol(alpha, tolerance)
    lo, hi = float(interval[0]) - expected, float(interval[1]) - expected
    d = float(estimate) - expected
    p_value = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan")
    resolution = 0.5 * (hi - lo)
    verdict = decide(d, (lo, hi), resolution, p_value, tolerance, alpha)
    return Comparison(
        kind="estimate", label=label, N=N, theory={"expected": float(expected)},
        simulation={"estimate": float(estimate), "interval": [float(interval[0]), float(interval[1])]},
        discrepancy=d, interval=(lo, hi), resolution=resolution, se=resolution / Z95, p_value=p_value,
        tolerance=tolerance, tolerance_reason=tolerance_reason, alpha=alpha, verdict=verdict,
        extra=dict(extra or {}),
    )
