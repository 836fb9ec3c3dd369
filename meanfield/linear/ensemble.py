"""Monte-Carlo over zeta: P(x = 0 unstable) and the outlier distribution (THEORY.md section 3).

Sample i always uses the i-th child of ``SeedSequence(seed)`` (as in
:func:`sample_zeta`), so results do not depend on n_samples, on the number
of workers or on the chunking of the work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy.stats import binomtest

from ..model._checks import require_int, require_range
from ..runner import run_ensemble, spawn_seeds
from .instability import unstable_flags
from .outliers import outlier_eigenvalues
from .zeta import OWNER, check_g_subcritical, check_J0, truncation_order, zeta_from_children

_CHUNK = 1000  # samples per process-pool task (only affects speed)


@dataclass(frozen=True)
class InstabilityProbability:
    """P(x = 0 linearly unstable | g, J0) with a Wilson interval (THEORY.md section 3).

    Attributes
    ----------
    g, J0 : float
        Parameters.
    n_samples, n_unstable : int
        Monte-Carlo samples of zeta and how many had an outlier with Re lambda > 1.
    probability : float
        n_unstable / n_samples (1.0 exactly when ``bulk_unstable``).
    ci_low, ci_high : float
        Wilson score interval at ``confidence_level``.
    confidence_level : float
    k_max : int
        Truncation order used (0 when no sampling was needed).
    tol : float
        Tail bound g^k_max <= tol.
    bulk_unstable : bool
        True for g > 1: the bulk disk of radius g already crosses Re lambda = 1.
    note : str
        How the number was obtained.
    """

    g: float
    J0: float
    n_samples: int
    n_unstable: int
    probability: float
    ci_low: float
    ci_high: float
    confidence_level: float
    k_max: int
    tol: float
    bulk_unstable: bool
    note: str

    @property
    def ci(self) -> tuple[float, float]:
        """(ci_low, ci_high), the Wilson interval."""
        return (self.ci_low, self.ci_high)


@dataclass(frozen=True, eq=False)
class OutlierDistribution:
    """All outliers of all zeta samples (THEORY.md section 3).

    Attributes
    ----------
    g, J0 : float
    n_samples, k_max : int
    w_max : float
        Roots |w| < w_max were kept, i.e. outliers with |lambda| > g / w_max.
    outliers : numpy.ndarray (complex)
        All outliers, concatenated sample by sample.
    sample_index : numpy.ndarray (int)
        Sample of each outlier.
    n_outliers : numpy.ndarray (int), shape (n_samples,)
    max_re : numpy.ndarray (float), shape (n_samples,)
        Spectral abscissa of J as N -> infinity, max(g, max Re of the outliers):
        the quantity to compare with max Re eig(J) of finite networks.
    unstable : numpy.ndarray (bool), shape (n_samples,)
        max_re > 1.
    """

    g: float
    J0: float
    n_samples: int
    k_max: int
    w_max: float
    outliers: np.ndarray
    sample_index: np.ndarray
    n_outliers: np.ndarray
    max_re: np.ndarray
    unstable: np.ndarray


def _chunks(seed, n_samples):
    children = spawn_seeds(seed, n_samples)
    return [children[i : i + _CHUNK] for i in range(0, n_samples, _CHUNK)]


def _instability_task(i, children, *, g, J0, k_max):
    flags, n_fallback = unstable_flags(zeta_from_children(children, k_max), g, J0)
    return {"unstable": flags, "n_fallback": np.array(n_fallback)}


def _outlier_task(i, children, *, g, J0, k_max, w_max):
    zeta = zeta_from_children(children, k_max)
    lams = [outlier_eigenvalues(z, g, J0, w_max=w_max) for z in zeta]
    counts = np.array([lam.size for lam in lams], dtype=int)
    flat = np.concatenate(lams) if lams else np.zeros(0, dtype=complex)
    return {"outliers": flat.astype(complex), "n_outliers": counts}


def _run(task, chunks, workers):
    # run_ensemble calls task(i, seeds[i]); here seeds[i] is a chunk of per-sample children
    return run_ensemble(task, chunks, workers=workers, progress=False, desc="zeta samples")


def probability_unstable(g, J0, n_samples, seed, workers=1, *, tol=1e-12, confidence_level=0.95):
    """Probability that x = 0 is linearly unstable, P(some outlier has Re lambda > 1) (THEORY.md section 3).

    zeta is sampled with k_max = truncation_order(g, tol); each sample is
    decided exactly for the truncated series (:func:`unstable_flags`), whose
    tail on the decisive region |w| <= g is <= g^k_max. The interval is the
    Wilson score interval (scipy.stats.binomtest(...).proportion_ci).

    For g > 1 the bulk (radius g) is itself unstable: the result is
    probability 1 with interval (1, 1), ``bulk_unstable=True`` and a note; no
    sampling. g = 1 (bulk edge exactly at Re lambda = 1) is marginal and
    raises ValueError. J0 = 0 or g = 0 has no outliers: probability 0.

    Parameters
    ----------
    g : float
        Random coupling, >= 0, != 1.
    J0 : float
        Balanced E/I strength, >= 0.
    n_samples : int
        Monte-Carlo samples of zeta (>= 1).
    seed : int or numpy.random.SeedSequence
        Root seed; sample i uses its i-th spawned child.
    workers : int
        Processes (results do not depend on it).
    tol : float
        Tail bound of the truncation.
    confidence_level : float
        Of the Wilson interval.

    Returns
    -------
    InstabilityProbability
    """
    g = require_range(OWNER, "g", g, lo=0.0)
    J0 = check_J0(J0)
    tol = require_range(OWNER, "tol", tol, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    n_samples = require_int(OWNER, "n_samples", n_samples, lo=1)
    workers = require_int(OWNER, "workers", workers, lo=1)
    confidence_level = require_range(
        OWNER, "confidence_level", confidence_level, lo=0.0, hi=1.0, lo_open=True, hi_open=True
    )
    if g == 1.0:
        raise ValueError(
            f"{OWNER}.probability_unstable: g = 1 is marginal (the bulk edge sits exactly at "
            "Re lambda = 1, and the outlier series would need infinitely many terms); "
            "use g < 1 or g > 1"
        )
    if g > 1.0:
        return InstabilityProbability(
            g=g, J0=J0, n_samples=n_samples, n_unstable=n_samples, probability=1.0,
            ci_low=1.0, ci_high=1.0, confidence_level=confidence_level, k_max=0,
            tol=tol, bulk_unstable=True,
            note="g > 1: the bulk of radius g crosses Re lambda = 1, x = 0 is unstable "
            "for every network (N -> infinity); no sampling",
        )
    k_max = truncation_order(g, tol)
    if J0 == 0.0 or g == 0.0:
        flags = np.zeros(n_samples, dtype=bool)
        note = "no outliers (J0 = 0 or g = 0): never unstable"
    else:
        task = partial(_instability_task, g=g, J0=J0, k_max=k_max)
        results = _run(task, _chunks(seed, n_samples), workers)
        flags = np.concatenate([r["unstable"] for r in results])
        n_fallback = sum(int(r["n_fallback"]) for r in results)
        note = (
            f"Monte Carlo over zeta, k_max = {k_max}; {n_fallback} of {n_samples} samples "
            "decided by root finding, the rest by certified argument principle"
        )
    n_unstable = int(flags.sum())
    ci = binomtest(n_unstable, n_samples).proportion_ci(
        confidence_level=confidence_level, method="wilson"
    )
    return InstabilityProbability(
        g=g, J0=J0, n_samples=n_samples, n_unstable=n_unstable,
        probability=n_unstable / n_samples, ci_low=float(ci.low), ci_high=float(ci.high),
        confidence_level=confidence_level, k_max=k_max, tol=tol,
        bulk_unstable=False, note=note,
    )


def outlier_distribution(g, J0, n_samples, seed, *, w_max=None, tol=1e-6, workers=1):
    """All outliers and the spectral abscissa of n_samples networks (THEORY.md section 3).

    Sample i draws zeta from the i-th child of ``SeedSequence(seed)`` with
    k_max = truncation_order(w_max, tol), so the truncation tail at the
    outermost kept roots |w| ~ w_max is <= tol, and on the decisive region
    |w| <= g it is g^k_max <= tol^(log g / log w_max). The defaults
    (w_max = sqrt(g), tol = 1e-6) give tol^2 = 1e-12 there and the same
    k_max, zeta and instability decisions as :func:`probability_unstable`
    with its default tol = 1e-12 and the same seed.

    Parameters
    ----------
    g : float
        0 <= g < 1.
    J0 : float
        >= 0.
    n_samples : int
    seed : int or numpy.random.SeedSequence
    w_max : float, optional
        Keep outliers with |lambda| > g / w_max; g <= w_max < 1. Default
        sqrt(g) (|lambda| > sqrt(g)). A larger w_max reaches closer to the
        bulk edge |lambda| = g at a cost ~ k_max^3 per sample (companion
        eigenvalues).
    tol : float
        Tail bound at |w| = w_max.
    workers : int

    Returns
    -------
    OutlierDistribution
    """
    g = check_g_subcritical(g)
    J0 = check_J0(J0)
    n_samples = require_int(OWNER, "n_samples", n_samples, lo=1)
    workers = require_int(OWNER, "workers", workers, lo=1)
    if w_max is None:
        w_max = math.sqrt(g)
    w_max = require_range(
        OWNER, "w_max", w_max, lo=g, hi=1.0, hi_open=True,
        why="w_max >= g keeps every outlier that can have Re lambda > 1; the series needs w_max < 1",
    )
    k_max = truncation_order(w_max, tol)
    task = partial(_outlier_task, g=g, J0=J0, k_max=k_max, w_max=w_max)
    results = _run(task, _chunks(seed, n_samples), workers)
    outliers = np.concatenate([r["outliers"] for r in results]).astype(complex)
    n_out = np.concatenate([r["n_outliers"] for r in results]).astype(int)
    sample_index = np.repeat(np.arange(n_samples), n_out)
    max_re = np.full(n_samples, g)
    if outliers.size:
        np.maximum.at(max_re, sample_index, outliers.real)
    for arr in (outliers, sample_index, n_out, max_re):
        arr.flags.writeable = False
    unstable = max_re > 1.0
    unstable.flags.writeable = False
    return OutlierDistribution(
        g=g, J0=J0, n_samples=n_samples, k_max=k_max, w_max=w_max, outliers=outliers,
        sample_index=sample_index, n_outliers=n_out, max_re=max_re, unstable=unstable,
    )
