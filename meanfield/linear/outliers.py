"""Outlier eigenvalues of J for one sample of zeta (THEORY.md section 3).

J = X + a b^T with X = g z / sqrt(N), a = u, b = v / sqrt(N). An eigenvalue
lambda of J outside the spectrum of X solves det(1 - (lambda - X)^{-1} a b^T) = 0,
i.e. 1 = b^T (lambda - X)^{-1} a = sum_{k>=0} b^T X^k a / lambda^(k+1)
(the Neumann series converges for |lambda| > rho(X) -> g). With b^T a = 0 and
b^T X^k a = J0 g^k zeta_k, and w = g / lambda (so g^k / lambda^(k+1) = w^(k+1) / g):

    1 = (J0 / g) sum_{k>=1} zeta_k w^(k+1)   <=>   w^2 sum_{k>=0} zeta_{k+1} w^k = g / J0,

the equation of section 3; outliers are lambda = g / w for its roots |w| < 1.
"""

from __future__ import annotations

import mpmath
import numpy as np

from ..model._checks import require_range
from .zeta import OWNER, check_g_subcritical, check_J0, check_zeta

_EPS = np.finfo(float).eps
_MP_DPS = 50  # digits of the mpmath refinement: far beyond double, cheap at degree ~100-300


def outlier_polynomial(zeta, g, J0) -> np.ndarray:
    """Ascending coefficients of P(w) = sum_{k=1}^{k_max} zeta_k w^(k+1) - g / J0 (THEORY.md section 3).

    Its roots |w| < 1 give the outliers lambda = g / w.

    Parameters
    ----------
    zeta : array_like, shape (k_max,)
    g : float
        0 <= g < 1.
    J0 : float
        > 0 (J0 = 0 has no outlier equation).

    Returns
    -------
    numpy.ndarray, shape (k_max + 2,)
        c with P(w) = sum_j c_j w^j.
    """
    zeta = check_zeta(zeta)
    if zeta.ndim != 1:
        raise ValueError(f"{OWNER}: outlier_polynomial takes one sample, zeta of shape (k_max,)")
    g = check_g_subcritical(g)
    if check_J0(J0) == 0.0:
        raise ValueError(f"{OWNER}: outlier_polynomial needs J0 > 0 (J0 = 0 has no outliers)")
    c = np.zeros(zeta.size + 2)
    c[0] = -g / J0
    c[2:] = zeta
    return c


def _horner(c, w):
    """P(w), P'(w) and sum_j |c_j| |w|^j for ascending coefficients c (vectorised in w)."""
    p = np.zeros_like(w)
    dp = np.zeros_like(w)
    absum = np.zeros(np.shape(w))
    r = np.abs(w)
    for a in c[::-1]:
        dp = dp * w + p
        p = p * w + a
        absum = absum * r + abs(a)
    return p, dp, absum


def _refine_mp(c, w0: complex) -> complex:
    """Polish a root of the polynomial with (exact) double coefficients c in mpmath.

    Newton at 50 digits from the double-precision root; if Newton does not
    settle (near-multiple root), mpmath.polyroots on the whole polynomial and
    the root nearest to w0.
    """
    with mpmath.workdps(_MP_DPS):
        cs = [mpmath.mpf(float(a)) for a in c[::-1]]  # descending, exact copies of the doubles
        w = mpmath.mpc(w0)
        tiny = mpmath.mpf(10) ** (-(_MP_DPS - 8))
        for _ in range(60):
            p = mpmath.mpc(0)
            dp = mpmath.mpc(0)
            for a in cs:
                dp = dp * w + p
                p = p * w + a
            if dp == 0:
                break
            step = p / dp
            w -= step
            if abs(step) <= tiny * max(1, abs(w)):
                return complex(w)
        while abs(cs[0]) == 0:  # polyroots needs a nonzero leading coefficient
            cs = cs[1:]
        roots = mpmath.polyroots(cs, maxsteps=2000, extraprec=4 * _MP_DPS)
        return complex(min(roots, key=lambda r: abs(r - w0)))


def outlier_roots(zeta, g, J0, *, w_max=None, tail_tol=1e-6) -> np.ndarray:
    """Roots w, |w| < w_max, of the outlier equation (THEORY.md section 3).

    See :func:`outlier_eigenvalues`, which returns lambda = g / w; same
    parameters. Roots are returned in the order of decreasing Re(g / w).
    """
    zeta = check_zeta(zeta)
    if zeta.ndim != 1:
        raise ValueError(
            f"{OWNER}: outlier_eigenvalues takes one sample, zeta of shape (k_max,), got "
            f"{zeta.shape}; use outlier_distribution for many samples"
        )
    g = check_g_subcritical(g)
    J0 = check_J0(J0)
    tail_tol = require_range(OWNER, "tail_tol", tail_tol, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    if w_max is None:
        w_max = tail_tol ** (1.0 / zeta.size)
    w_max = require_range(OWNER, "w_max", w_max, lo=0.0, hi=1.0, lo_open=True,
                          why="the zeta series converges only for |w| < 1")
    if J0 == 0.0 or g == 0.0:  # b = 0 or X = 0: the outlier equation 1 = 0 has no solution
        return np.zeros(0, dtype=complex)
    nz = np.flatnonzero(zeta)
    if nz.size == 0:
        return np.zeros(0, dtype=complex)
    c = outlier_polynomial(zeta[: nz[-1] + 1], g, J0)
    w = np.polynomial.polynomial.polyroots(c).astype(complex)
    # generous pre-selection: the double-precision roots below are trusted to far better than 1e-3
    w = w[np.abs(w) < w_max + 1e-3]
    if w.size == 0:
        return w
    # Newton polish in double (accept a step only if it lowers |P|)
    last_step = np.zeros(w.shape)
    for _ in range(3):
        p, dp, _ = _horner(c, w)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(dp != 0, p / dp, 0.0)
        w_new = w - step
        better = np.abs(_horner(c, w_new)[0]) < np.abs(p)
        w = np.where(better, w_new, w)
        last_step = np.where(better, np.abs(step), last_step)
    p, dp, absum = _horner(c, w)
    # forward error of a simple root: (backward error of the evaluation) / |P'|
    with np.errstate(divide="ignore"):
        err = np.maximum(last_step, 8 * c.size * _EPS * absum / np.abs(dp))
    err = np.where(np.isfinite(err), err, np.inf)
    lam = g / w
    err_lam = g * err / np.abs(w) ** 2
    # decisions that double precision cannot make: membership |w| < w_max and the sign of Re lambda - 1
    doubtful = (np.abs(np.abs(w) - w_max) < 10 * err + 4 * _EPS) | (
        np.abs(lam.real - 1.0) < 10 * err_lam + 4 * _EPS
    )
    for i in np.flatnonzero(doubtful):
        w[i] = _refine_mp(c, complex(w[i]))
    w = w[np.abs(w) < w_max]
    return w[np.argsort(-(g / w).real, kind="stable")]


def outlier_eigenvalues(zeta, g, J0, *, w_max=None, tail_tol=1e-6) -> np.ndarray:
    """Outlier eigenvalues lambda = g / w of J as N -> infinity (THEORY.md section 3).

    w runs over the roots with |w| < w_max of the truncated outlier equation

        P(w) = w^2 sum_{k=0}^{k_max-1} zeta_{k+1} w^k - g / J0 = 0

    (derived in this module's docstring from 1 = b^T (lambda - X)^{-1} a; it
    agrees with section 3). Only roots with |w| < w_max are returned, i.e.
    outliers with |lambda| > g / w_max. The truncation moves a root at |w|
    by about |w|^(k_max+2) / |P'(w)|, so by default w_max is the radius where
    w^k_max = tail_tol. With zeta from ``sample_zeta(truncation_order(g, tol))``,
    tol = 1e-12 and the default tail_tol = 1e-6 this is w_max ~ sqrt(g): all
    outliers with |lambda| > ~sqrt(g) are returned, those near that edge
    accurate to ~1e-6, those with |lambda| >= 1 (w <= g, all that can make
    x = 0 unstable) to ~g^k_max = 1e-12. Roots of the truncated
    polynomial near |w| = 1 are truncation artefacts (the full random series
    has infinitely many zeros accumulating at |w| = 1, i.e. at the bulk edge
    |lambda| = g), hence w_max < 1 is the meaningful use.

    Numerics: all roots from ``numpy.polynomial.polynomial.polyroots``
    (balanced companion eigenvalues), polished by Newton in double. Criterion
    for mpmath: with the forward-error estimate
    err = max(last Newton step, 8 (k_max+2) eps sum_j |c_j||w|^j / |P'(w)|),
    a root whose |w| lies within 10 err of w_max, or whose Re lambda lies
    within 10 g err / |w|^2 of 1, is re-solved by Newton at 50 digits
    (mpmath.polyroots if Newton does not settle), so that both decisions
    (returned or not; Re lambda > 1 or not) are exact for the truncated
    polynomial.

    Parameters
    ----------
    zeta : array_like, shape (k_max,)
        One sample of the series coefficients (:func:`sample_zeta`).
    g : float
        0 <= g < 1.
    J0 : float
        >= 0. J0 = 0 (b = 0) and g = 0 (X = 0) have no outliers.
    w_max : float, optional
        Keep roots with |w| < w_max, 0 < w_max <= 1. Default
        tail_tol^(1/k_max).
    tail_tol : float
        Truncation tail allowed at the edge |w| = w_max; only sets the
        default w_max.

    Returns
    -------
    numpy.ndarray (complex)
        Outliers, ordered by decreasing real part.
    """
    g = check_g_subcritical(g)
    w = outlier_roots(zeta, g, J0, w_max=w_max, tail_tol=tail_tol)
    return g / w
