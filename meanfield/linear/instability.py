"""Is x = 0 linearly unstable for a given zeta? (THEORY.md section 3)

For g < 1 the bulk is stable and x = 0 is unstable iff an outlier has
Re lambda > 1. With lambda = g / w,

    Re(g / w) > 1   <=>   |w|^2 < g Re w   <=>   |w - g/2| < g/2,

so the question is whether the outlier polynomial P(w) (see ``outliers``)
has a zero in the disk D = {|w - g/2| < g/2} (inside |w| <= g, where the
truncation error is <= g^k_max). Many samples are decided at once by the
argument principle on the boundary of D, certified per sample; the few
samples it cannot certify (a zero within a grid spacing of the boundary) go
through the root finder of :func:`outlier_eigenvalues`.
"""

from __future__ import annotations

import numpy as np

from ..model._checks import require_int
from .outliers import outlier_eigenvalues
from .zeta import OWNER, check_g_subcritical, check_J0, check_zeta

_EPS = np.finfo(float).eps
_BLOCK = 512  # samples per matrix product (memory ~ _BLOCK * n_theta * 16 bytes)


def _winding_block(zeta, g, J0, n_theta):
    """Certified zero counts of P in D for a block of samples; -1 where not certified.

    P is sampled at n_theta points w_j of the circle dD (arc spacing
    h = pi g / n_theta). On dD, |w| <= g, so |P'| <= L = sum_k (k+1)|zeta_k| g^k.
    If min_j |P(w_j)| > L h (+ rounding), P maps every arc [w_j, w_j+1] into
    the disk around P(w_j) of radius |P(w_j)|, which excludes 0: the change of
    arg P along the arc is then the principal value of arg(P(w_j+1)/P(w_j)),
    and the sum over arcs is 2 pi times the number of zeros in D.
    """
    k_max = zeta.shape[1]
    theta = 2 * np.pi * np.arange(n_theta) / n_theta
    w = 0.5 * g * (1.0 + np.exp(1j * theta))
    powers = np.cumprod(np.broadcast_to(w, (k_max, n_theta)), axis=0) * w  # w^(k+1), k = 1..k_max
    P = zeta @ powers - g / J0
    turns = np.angle(np.roll(P, -1, axis=1) / P).sum(axis=1) / (2 * np.pi)
    count = np.rint(turns)
    k = np.arange(1, k_max + 1)
    lip = np.abs(zeta) @ ((k + 1) * g**k)
    rounding = 4 * (k_max + 2) * _EPS * (np.abs(zeta) @ g ** (k + 1) + g / J0)
    certified = (
        (np.abs(P).min(axis=1) > lip * np.pi * g / n_theta + rounding)
        & (np.abs(turns - count) < 1e-6)
        & (count >= 0)
    )
    return np.where(certified, count, -1).astype(int)


def unstable_flags(zeta, g, J0, *, n_theta=2048):
    """For each sample of zeta: does some outlier have Re lambda > 1? (THEORY.md section 3)

    Exact for the truncated series (tail <= g^k_max on the region that
    matters, see :func:`truncation_order`). Decided by a certified
    argument-principle count of the zeros of P in |w - g/2| < g/2 (module
    docstring); samples that cannot be certified fall back to
    :func:`outlier_eigenvalues` (with mpmath refinement near Re lambda = 1).

    Parameters
    ----------
    zeta : array_like, shape (n_samples, k_max) or (k_max,)
    g : float
        0 <= g < 1.
    J0 : float
        >= 0.
    n_theta : int
        Points on the circle; more points certify more samples directly.

    Returns
    -------
    flags : numpy.ndarray of bool, shape (n_samples,) (or a 0-d array for 1-D zeta)
    n_fallback : int
        Number of samples decided by the root finder instead.
    """
    zeta = check_zeta(zeta)
    g = check_g_subcritical(g)
    J0 = check_J0(J0)
    n_theta = require_int(OWNER, "n_theta", n_theta, lo=16)
    single = zeta.ndim == 1
    z2 = zeta.reshape(-1, zeta.shape[-1])
    flags = np.zeros(z2.shape[0], dtype=bool)
    n_fallback = 0
    if J0 > 0.0 and g > 0.0:
        counts = np.concatenate(
            [_winding_block(z2[i : i + _BLOCK], g, J0, n_theta) for i in range(0, z2.shape[0], _BLOCK)]
        ) if z2.shape[0] else np.zeros(0, dtype=int)
        flags = counts > 0
        for i in np.flatnonzero(counts < 0):
            lam = outlier_eigenvalues(z2[i], g, J0, w_max=g)
            flags[i] = bool(np.any(lam.real > 1.0))
            n_fallback += 1
    if single:
        flags = flags.reshape(())
    else:
        flags = flags.reshape(zeta.shape[:-1])
    return flags, n_fallback
