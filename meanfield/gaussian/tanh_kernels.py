"""Compiled Gaussian averages of phi = tanh (THEORY.md section 4, "Gaussian averages").

Conditional decomposition: with y = sqrt(d1) x and y' = a x + b z, where
a = c / sqrt(d1), b^2 = d2 - c^2/d1 and x, z iid N(0, 1),

    C = E[tanh(h1 + y) tanh(h2 + y')]
      = sum_i w_i tanh(h1 + sqrt(d1) x_i) * S(h2 + a x_i, b),
    S(A, b) = E_z tanh(A + b z).

The inner sum pairs the symmetric nodes +-z_j:

    tanh(A + B) + tanh(A - B) = 2 sinh(2A) / (cosh(2A) + cosh(2B))

(the equivalent of THEORY.md's 2 tA (1 - tB^2) / (1 - tA^2 tB^2) without its
cancellation at |tA|, |tB| -> 1), so that with v_j = w_j (z_j > 0) and
v_0 = w_0 / 2 (node z = 0, odd orders)

    S(A, b) = 2 sinh(2A) sum_j v_j / (cosh(2A) + cosh(2 b z_j)).

The denominator is a sum of terms >= 1 (no cancellation). sinh(2A) is
computed from expm1 whenever all |A_i| of a pair are small, so C keeps full
relative accuracy as h, d -> 0 (THEORY.md section 4 warns that an exponential
form tanh = (e^2x - 1)/(e^2x + 1) loses it and breaks the Cholesky in
quiescent decay); otherwise exp(+-2A_i) = exp(+-2 h2) exp(+-2 a x_i) costs
one exp per node pair, with absolute error ~1e-16. The inner sums
T_i = sum_j v_j / (Q_i + R_j) take one division per four nodes and vectorise
over the outer nodes.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Arguments |A|, |b z| above this use plain tanh sums: with cosh(2 * 80) ~ 1e69 the
#: product of four denominators in :func:`_cauchy_sums` stays below overflow (1.8e308).
SAFE_ARG = 80.0

#: Below this |A| the expm1 route keeps sinh(2A) relative-accurate (see _sinh_cosh_nodes).
SMALL_ARG = 0.5


@njit(cache=True, fastmath=False, error_model="numpy")
def _sinh_cosh_2x(x):
    """(sinh 2x, cosh 2x) from one expm1, relative-accurate near 0."""
    e = math.expm1(2.0 * abs(x))
    r = 1.0 / (e + 1.0)
    s = 0.5 * e * (e + 2.0) * r
    if x < 0.0:
        s = -s
    return s, 1.0 + 0.5 * e * e * r


@njit(cache=True, fastmath=False, error_model="numpy")
def _mean_direct(h, b, zh, vh):
    # S(h, b) by plain tanh: the fallback for huge arguments
    t = 0.0
    for j in range(zh.size):
        bz = b * zh[j]
        t += vh[j] * (math.tanh(h + bz) + math.tanh(h - bz))
    return t


@njit(cache=True, fastmath=False, error_model="numpy")
def inner_mean(h, b, zh, vh):
    """S(h, b) = E_z tanh(h + b z) with the paired half rule (zh >= 0, vh)."""
    if b == 0.0:
        return math.tanh(h)
    if abs(h) > SAFE_ARG or b * zh[zh.size - 1] > SAFE_ARG:
        return _mean_direct(h, b, zh, vh)
    p, q = _sinh_cosh_2x(h)
    t = 0.0
    for j in range(zh.size):
        t += vh[j] / (q + math.cosh(2.0 * b * zh[j]))
    return 2.0 * p * t


@njit(cache=True, fastmath=False, error_model="numpy")
def mean_many(h, d, zh, vh, out):
    """out[i] = E tanh(h[i] + sqrt(d[i]) z) for flat arrays h, d."""
    for i in range(h.size):
        out[i] = inner_mean(h[i], math.sqrt(d[i]), zh, vh)


@njit(cache=True, fastmath=False, error_model="numpy")
def _outer_weighted(h1, s1, x, w, W):
    # W_i = w_i tanh(h1 + s1 x_i): the outer factor, shared by a whole solver row
    for i in range(x.size):
        W[i] = w[i] * math.tanh(h1 + s1 * x[i])


@njit(cache=True, fastmath=False, error_model="numpy")
def _sinh_cosh_nodes(h2, a, x, P, Q, ex, inv):
    """P_i = sinh(2 A_i), Q_i = cosh(2 A_i) for A_i = h2 + a x_i on a symmetric rule x.

    exp(+-2 A_i) = exp(+-2 h2) exp(+-2 a x_i) costs one exp per node pair. The
    difference e^2A - e^-2A is accurate to ~1e-16 absolute, so pairs whose
    arguments are all small (|A_i| <= SMALL_ARG) take the expm1 route instead:
    there C itself can be tiny and must keep its relative accuracy.
    """
    n = x.size
    nh = n // 2
    if abs(h2) + abs(a) * x[n - 1] <= SMALL_ARG:
        for i in range(n):
            P[i], Q[i] = _sinh_cosh_2x(h2 + a * x[i])
        return
    eh = math.exp(2.0 * h2)
    ieh = 1.0 / eh
    for k in range(nh):
        ex[k] = math.exp(2.0 * a * x[n - nh + k])
    for k in range(nh):
        inv[k] = 1.0 / ex[k]
    for k in range(nh):
        up = n - nh + k
        lo = nh - 1 - k
        ep = eh * ex[k]
        em = ieh * inv[k]
        P[up] = 0.5 * (ep - em)
        Q[up] = 0.5 * (ep + em)
        ep = eh * inv[k]
        em = ieh * ex[k]
        P[lo] = 0.5 * (ep - em)
        Q[lo] = 0.5 * (ep + em)
    if n % 2:
        P[nh] = 0.5 * (eh - ieh)
        Q[nh] = 0.5 * (eh + ieh)


@njit(cache=True, fastmath=False, error_model="numpy")
def _cauchy_sums(Q, R, vh, T):
    """T_i = sum_j vh_j / (Q_i + R_j), four terms per division.

    Combining v1/a1 + ... + v4/a4 into one fraction quarters the divisions
    (the bottleneck); all terms are positive, so no cancellation, and
    a_j <= 2 cosh(2 SAFE_ARG) keeps the product of four below overflow.
    """
    n = Q.size
    m = R.size
    for i in range(n):
        T[i] = 0.0
    j = 0
    while j + 3 < m:
        r1 = R[j]
        r2 = R[j + 1]
        r3 = R[j + 2]
        r4 = R[j + 3]
        v1 = vh[j]
        v2 = vh[j + 1]
        v3 = vh[j + 2]
        v4 = vh[j + 3]
        for i in range(n):  # independent accumulators: vectorises without reassociation
            q = Q[i]
            a1 = q + r1
            a2 = q + r2
            a3 = q + r3
            a4 = q + r4
            num = v1 * a2 + v2 * a1
            den = a1 * a2
            num = num * a3 + v3 * den
            den = den * a3
            num = num * a4 + v4 * den
            den = den * a4
            T[i] += num / den
        j += 4
    while j < m:
        rj = R[j]
        vj = vh[j]
        for i in range(n):
            T[i] += vj / (Q[i] + rj)
        j += 1


@njit(cache=True, fastmath=False, error_model="numpy")
def _pair_given_outer(W, t1, s1, h2, d2, c, x, zh, vh, work):
    """C for one pair given the outer factor W (t1 = tanh(h1), used when d1 = 0).

    ``work`` is a (7, n) scratch array: P, Q, T, ex, inv over outer nodes and
    R, er over inner nodes.
    """
    n = x.size
    m = zh.size
    if s1 == 0.0:
        return t1 * inner_mean(h2, math.sqrt(d2), zh, vh)
    a = c / s1
    b2 = d2 - a * a
    b = math.sqrt(b2) if b2 > 0.0 else 0.0
    if a == 0.0:
        wsum = 0.0
        for i in range(n):
            wsum += W[i]
        return wsum * inner_mean(h2, b, zh, vh)
    if b == 0.0:
        s = 0.0
        for i in range(n):
            s += W[i] * math.tanh(h2 + a * x[i])
        return s
    if abs(h2) + abs(a) * x[n - 1] > SAFE_ARG or b * zh[m - 1] > SAFE_ARG:
        s = 0.0
        for i in range(n):
            s += W[i] * _mean_direct(h2 + a * x[i], b, zh, vh)
        return s
    P = work[0]
    Q = work[1]
    T = work[2]
    R = work[5]
    er = work[6]
    _sinh_cosh_nodes(h2, a, x, P, Q, work[3], work[4])
    for j in range(m):
        er[j] = math.exp(2.0 * b * zh[j])
    for j in range(m):
        R[j] = 0.5 * (er[j] + 1.0 / er[j])
    _cauchy_sums(Q, R[:m], vh, T)
    s = 0.0
    for i in range(n):
        s += W[i] * P[i] * T[i]
    return 2.0 * s


@njit(cache=True, fastmath=False, error_model="numpy")
def correlation_many(h1, d1, h2, d2, c, x, w, zh, vh, out):
    """out[p] = E[tanh(h1 + y) tanh(h2 + y')] for flat arrays of pairs."""
    n = x.size
    W = np.empty(n)
    work = np.empty((7, n))
    for p in range(h1.size):
        s1 = math.sqrt(d1[p])
        _outer_weighted(h1[p], s1, x, w, W)
        out[p] = _pair_given_outer(W, math.tanh(h1[p]), s1, h2[p], d2[p], c[p],
                                   x, zh, vh, work)


@njit(cache=True, fastmath=False, error_model="numpy")
def row(hk, dkk, h, d, c, x, w, zh, vh, out):
    """out[l] = E[tanh(hk + y) tanh(h[l] + y')], Var y = dkk, Var y' = d[l], Cov = c[l].

    The outer nodes carry y, so tanh(hk + sqrt(dkk) x_i) is computed once per row.
    """
    n = x.size
    W = np.empty(n)
    work = np.empty((7, n))
    sk = math.sqrt(dkk)
    _outer_weighted(hk, sk, x, w, W)
    tk = math.tanh(hk)
    for l in range(h.size):
        out[l] = _pair_given_outer(W, tk, sk, h[l], d[l], c[l], x, zh, vh, work)
