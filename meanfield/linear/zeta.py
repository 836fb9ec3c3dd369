"""The random series coefficients zeta_k of THEORY.md section 3 and their truncation.

As N -> infinity, b^T X^k a = J0 g^k zeta_k with zeta_1, zeta_2, ... iid N(0,1)
(section 3). Every object of the linear theory (kernel, transfer function,
outliers) is a power series in g with these coefficients; it is truncated at
k_max with the tail bound g^k_max.
"""

from __future__ import annotations

import math

import numpy as np

from ..model._checks import require_int, require_range
from ..runner import spawn_seeds

OWNER = "meanfield.linear"


def check_g_subcritical(g) -> float:
    """Validate 0 <= g < 1, the range of the linear theory (THEORY.md section 3)."""
    return require_range(
        OWNER, "g", g, lo=0.0, hi=1.0, hi_open=True,
        why="the linear theory of THEORY.md section 3 needs g < 1; for g >= 1 the bulk "
        "of radius g reaches Re lambda >= 1 and x = 0 is unstable regardless of zeta",
    )


def check_J0(J0) -> float:
    """Validate J0 >= 0 (THEORY.md section 1)."""
    return require_range(OWNER, "J0", J0, lo=0.0)


def check_zeta(zeta) -> np.ndarray:
    """``zeta`` as a finite float array of shape (..., k_max), k_max >= 1."""
    arr = np.asarray(zeta, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] < 1:
        raise ValueError(
            f"{OWNER}: zeta must have shape (..., k_max) with k_max >= 1 "
            f"(zeta_1..zeta_kmax on the last axis), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{OWNER}: zeta contains NaN or infinite values")
    return arr


def truncation_order(g, tol=1e-12) -> int:
    """Truncation order k_max of the zeta series (THEORY.md section 3).

    The terms of every series of section 3 (kernel, transfer function,
    outlier equation on the instability region |w| <= g) are zeta_k g^k
    times factors of modulus <= 1, so the neglected tail beyond k_max is
    bounded in expectation by

        E sum_{k > k_max} |zeta_k| g^k = sqrt(2/pi) g^(k_max+1) / (1 - g) <= g^k_max / (1-g).

    k_max is the smallest integer >= 1 with g^k_max <= tol.

    Parameters
    ----------
    g : float
        Random coupling strength, 0 <= g < 1 (the series diverge at g >= 1).
    tol : float
        Tail bound, 0 < tol < 1.

    Returns
    -------
    int
        k_max (1 when g = 0: every term vanishes).
    """
    g = check_g_subcritical(g)
    tol = require_range(OWNER, "tol", tol, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    if g == 0.0:
        return 1
    k = max(1, math.ceil(math.log(tol) / math.log(g)))
    # guard the rounding of the logarithms: make k the smallest integer with g^k <= tol
    while g**k > tol:
        k += 1
    while k > 1 and g ** (k - 1) <= tol:
        k -= 1
    return k


def sample_zeta(k_max, seed, n_samples=None) -> np.ndarray:
    """Draw zeta_1..zeta_kmax iid N(0,1) (THEORY.md section 3).

    Sample i is drawn from the i-th child of ``SeedSequence(seed)``
    (:func:`meanfield.runner.spawn_seeds`), so it does not depend on
    ``n_samples``; and zeta_1..zeta_k of a sample do not depend on k_max
    (a larger truncation order only appends coefficients).

    Parameters
    ----------
    k_max : int
        Number of coefficients (>= 1), e.g. :func:`truncation_order`.
    seed : int or numpy.random.SeedSequence
        Root seed. A SeedSequence object is spawned from (numpy advances its
        child counter), so pass an int to get the same samples on every call.
    n_samples : int, optional
        None returns the single sample 0 with shape (k_max,); otherwise an
        array of shape (n_samples, k_max).

    Returns
    -------
    numpy.ndarray
    """
    k_max = require_int(OWNER, "k_max", k_max, lo=1)
    if n_samples is None:
        return np.random.default_rng(spawn_seeds(seed, 1)[0]).standard_normal(k_max)
    n_samples = require_int(OWNER, "n_samples", n_samples, lo=0)
    return zeta_from_children(spawn_seeds(seed, n_samples), k_max)


def zeta_from_children(children, k_max) -> np.ndarray:
    """zeta for an explicit list of per-sample SeedSequences (used by process-pool chunks)."""
    out = np.empty((len(children), k_max))
    for i, child in enumerate(children):
        out[i] = np.random.default_rng(child).standard_normal(k_max)
    return out
