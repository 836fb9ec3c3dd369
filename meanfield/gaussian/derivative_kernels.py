"""Gaussian averages of products of phi and its first three derivatives (THEORY.md sections 4 and 5).

The tangent-linear recursion of the joint replica system (meanfield.tangent)
differentiates C_kl = E[phi(h_k + y) phi(h_l + y')] along a perturbation of
(h, Delta). By Stein's lemma every derivative is a Gaussian average of
products f_p(h_k + y) f_q(h_l + y'), f_0..f_3 = phi, phi', phi'', phi''',
so one table per pair (k, l) serves all of them:

    T[p, q, l] = E[ f_p(h_k + y) f_q(h_l + y') ],  (y, y') ~ N(0, [[d_kk, c_l], [c_l, d_l]]).

The 2-D product rule uses the same conditional decomposition as the compiled
phi kernels (y = sqrt(d_kk) z, y' = b1 z + b2 z'); the derivatives are
polynomials in tanh x (tanh) or in x exp(-a^2 x^2) (erf), so a pair costs one
transcendental evaluation per node pair. Only the builtin phi have these
closed-form derivatives.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..model.nonlinearity import ERF_SCALE

#: phi name -> kernel code
CODES = {"tanh": 0, "erf": 1, "linear": 2}


@njit(cache=True, inline="always")
def _derivatives(x, code, out):
    """out[0..3] = phi(x), phi'(x), phi''(x), phi'''(x)."""
    if code == 0:
        t = math.tanh(x)
        s = 1.0 - t * t
        out[0] = t
        out[1] = s
        out[2] = -2.0 * t * s
        out[3] = -2.0 * s * (1.0 - 3.0 * t * t)
    elif code == 1:
        u = ERF_SCALE * x
        e = math.exp(-u * u)
        out[0] = math.erf(u)
        out[1] = e
        out[2] = -2.0 * ERF_SCALE * u * e
        out[3] = 2.0 * ERF_SCALE * ERF_SCALE * (2.0 * u * u - 1.0) * e
    else:
        out[0] = x
        out[1] = 1.0
        out[2] = 0.0
        out[3] = 0.0


@njit(cache=True)
def derivative_means(h, d, z, w, code, out):
    """out[q] = E f_q(h + y), y ~ N(0, d), q = 0..3."""
    s = math.sqrt(max(d, 0.0))
    f = np.empty(4)
    for q in range(4):
        out[q] = 0.0
    for i in range(z.shape[0]):
        _derivatives(h + s * z[i], code, f)
        for q in range(4):
            out[q] += w[i] * f[q]


@njit(cache=True)
def derivative_table_row(hk, dkk, h, d, c, z, w, code, out):
    """out[p, q, l] = E[f_p(hk + y) f_q(h_l + y')] for l = 0..k (module docstring).

    Arguments are already checked and clipped (d >= 0, c^2 <= dkk d_l).
    """
    n = z.shape[0]
    sk = math.sqrt(max(dkk, 0.0))
    outer = np.empty((n, 4))
    f = np.empty(4)
    inner = np.empty(4)
    for i in range(n):
        _derivatives(hk + sk * z[i], code, f)
        for p in range(4):
            outer[i, p] = f[p]
    for l in range(h.shape[0]):
        dll = max(d[l], 0.0)
        if sk > 0.0:
            b1 = c[l] / sk
            b2 = math.sqrt(max(dll - b1 * b1, 0.0))
        else:
            b1 = 0.0
            b2 = math.sqrt(dll)
        for p in range(4):
            for q in range(4):
                out[p, q, l] = 0.0
        for i in range(n):
            base = h[l] + b1 * z[i]
            for q in range(4):
                inner[q] = 0.0
            for j in range(n):
                _derivatives(base + b2 * z[j], code, f)
                for q in range(4):
                    inner[q] += w[j] * f[q]
            for p in range(4):
                wp = w[i] * outer[i, p]
                for q in range(4):
                    out[p, q, l] += wp * inner[q]
