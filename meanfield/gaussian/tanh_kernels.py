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

The denominator is a sum of terms >= 1 (no cancellation). exp(+-2A_i) =
exp(+-2 h2) exp(+-2 a x_i) costs one exp per node pair; where |2A_i| < 1,
sinh(2A_i) comes from its Taylor series instead of e^2A - e^-2A, so every
factor keeps full relative accuracy and so does C as h, d -> 0 (THEORY.md
section 4 warns that an exponential form tanh = (e^2x - 1)/(e^2x + 1) loses
it and breaks the Cholesky in quiescent decay). The inner sums
T_i = sum_j v_j / (Q_i + R_j) take one division per four nodes and vectorise
over the outer nodes, whose scratch arrays are padded with zero-weight entries
to a multiple of the SIMD width (the padding adds exact zeros: the numbers do
not depend on it).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Arguments |A|, |b z| above this use plain tanh sums: with cosh(2 * 80) ~ 1e69 the
#: product of four denominators in :func:`_cauchy_sums` stays below overflow (1.8e308).
SAFE_ARG = 80.0

#: Outer scratch arrays are padded to a multiple of this (8 doubles: one AVX-512 register), so the
#: vectorised loops over the outer nodes run without a scalar remainder; the padding has weight 0.
PAD = 8

def fold(z: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reorder a symmetric rule as (z_+, -z_+, [0]) with z_+ > 0 increasing (the outer layout)."""
    n = z.size
    pos = z[n - n // 2:]
    wpos = w[n - n // 2:]
    xs = [pos, -pos]
    ws = [wpos, wpos]
    if n % 2:
        xs.append(z[n // 2:n // 2 + 1])
        ws.append(w[n // 2:n // 2 + 1])
    return np.ascontiguousarray(np.concatenate(xs)), np.ascontiguousarray(np.concatenate(ws))


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
def _sinh_small(u):
    """sinh(u) for |u| <= 1 by its Taylor series to u^17 (truncation < 1e-17 relative)."""
    v = u * u
    p = 1.0 / 355687428096000.0          # 1/17!
    p = p * v + 1.0 / 1307674368000.0    # 1/15!
    p = p * v + 1.0 / 6227020800.0       # 1/13!
    p = p * v + 1.0 / 39916800.0         # 1/11!
    p = p * v + 1.0 / 362880.0           # 1/9!
    p = p * v + 1.0 / 5040.0             # 1/7!
    p = p * v + 1.0 / 120.0              # 1/5!
    p = p * v + 1.0 / 6.0                # 1/3!
    return u + u * v * p


@njit(cache=True, fastmath=False, error_model="numpy")
def _sinh_cosh_nodes(h2, a, x, P, Q, ex, inv):
    """P_i = sinh(2 A_i), Q_i = cosh(2 A_i) for A_i = h2 + a x_i on a folded rule x.

    Folded layout (see :func:`fold`): x = (x_+, -x_+, [0]) with x_+ > 0
    increasing, so exp(+-2 A_i) = exp(+-2 h2) exp(+-2 a x_+) costs one exp per
    node pair and every loop is contiguous. Where |2 A_i| < 1 the difference
    e^2A - e^-2A would lose relative accuracy, so sinh comes from its Taylor
    series there: C keeps full relative accuracy as h, d -> 0 (quiescent decay).
    """
    n = x.size
    nh = n // 2
    eh = math.exp(2.0 * h2)
    ieh = 1.0 / eh
    for k in range(nh):
        ex[k] = math.exp(2.0 * a * x[k])
    for k in range(nh):
        inv[k] = 1.0 / ex[k]
    for k in range(nh):
        ep = eh * ex[k]
        em = ieh * inv[k]
        P[k] = 0.5 * (ep - em)
        Q[k] = 0.5 * (ep + em)
    for k in range(nh):
        ep = eh * inv[k]
        em = ieh * ex[k]
        P[nh + k] = 0.5 * (ep - em)
        Q[nh + k] = 0.5 * (ep + em)
    if n % 2:
        P[n - 1] = 0.5 * (eh - ieh)
        Q[n - 1] = 0.5 * (eh + ieh)
    for i in range(n):  # branch-free select: vectorises
        u = 2.0 * (h2 + a * x[i])
        p = _sinh_small(u)
        P[i] = p if abs(u) < 1.0 else P[i]


@njit(cache=True, fastmath=False, error_model="numpy")
def _cauchy_sums(Q, R, vh, m, T):
    """T_i = sum_{j < m} vh_j / (Q_i + R_j), four terms per division.

    Combining v1/a1 + ... + v4/a4 into one fraction quarters the divisions
    (the bottleneck); all terms are positive, so no cancellation, and
    a_j <= 2 cosh(2 SAFE_ARG) keeps the product of four below overflow.
    """
    n = Q.size  # padded: every loop over i vectorises without a scalar remainder
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
def padded_size(n):
    """n rounded up to a multiple of :data:`PAD`."""
    return ((n + PAD - 1) // PAD) * PAD


@njit(cache=True, fastmath=False, error_model="numpy")
def pair_scratch(n):
    """Scratch (P, Q, T, ex, inv, R, er) of :func:`pair_given_outer` for a rule of n outer nodes.

    P, Q, T are padded (:func:`padded_size`) with P = 0, Q = 1, so that the
    padding contributes exact zeros (its outer weight W is 0).
    """
    npad = padded_size(n)
    return (np.zeros(npad), np.ones(npad), np.zeros(npad), np.empty(n), np.empty(n),
            np.empty(n), np.empty(n))


@njit(cache=True, fastmath=False, error_model="numpy")
def outer_weighted(h1, s1, x, w, W):
    """W_i = w_i tanh(h1 + s1 x_i) for i < x.size: the outer factor, shared by a whole solver row.

    W may be longer than x (padded); its tail must be 0.
    """
    for i in range(x.size):
        W[i] = w[i] * math.tanh(h1 + s1 * x[i])


# inlined into the row loop (a call with 16 array arguments measured ~5% slower)
@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def pair_given_outer(W, t1, s1, h2, d2, c, x, zh, vh, P, Q, T, ex, inv, R, er):
    """C for one pair given the outer factor W (t1 = tanh(h1), used when d1 = 0).

    W, P, Q, T have the padded length (:func:`pair_scratch`); ex, inv, R, er
    length n (separate arrays, not views of one block: a view per pair costs
    reference-count traffic).
    """
    n = x.size
    m = zh.size
    npad = W.size
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
    if abs(h2) + abs(a) * x[n // 2 - 1] > SAFE_ARG or b * zh[m - 1] > SAFE_ARG:
        s = 0.0
        for i in range(n):
            s += W[i] * _mean_direct(h2 + a * x[i], b, zh, vh)
        return s
    _sinh_cosh_nodes(h2, a, x, P, Q, ex, inv)
    for j in range(m):
        er[j] = math.exp(2.0 * b * zh[j])
    for j in range(m):
        R[j] = 0.5 * (er[j] + 1.0 / er[j])
    _cauchy_sums(Q, R, vh, m, T)
    # two accumulators halve the dependency chain of the final sum; the padding adds exact zeros
    s0 = 0.0
    s1_ = 0.0
    i = 0
    while i + 1 < npad:
        s0 += W[i] * P[i] * T[i]
        s1_ += W[i + 1] * P[i + 1] * T[i + 1]
        i += 2
    if i < npad:
        s0 += W[i] * P[i] * T[i]
    return 2.0 * (s0 + s1_)


@njit(cache=True, fastmath=False, error_model="numpy")
def correlation_many(h1, d1, h2, d2, c, x, w, zh, vh, out):
    """out[p] = E[tanh(h1 + y) tanh(h2 + y')] for flat arrays of pairs.

    x, w: the outer rule in the folded layout of :func:`fold`; zh, vh: the
    inner half rule (z_j >= 0 increasing, centre weight halved).
    """
    P, Q, T, ex, inv, R, er = pair_scratch(x.size)
    W = np.zeros(P.size)
    for p in range(h1.size):
        s1 = math.sqrt(d1[p])
        outer_weighted(h1[p], s1, x, w, W)
        out[p] = pair_given_outer(W, math.tanh(h1[p]), s1, h2[p], d2[p], c[p],
                                  x, zh, vh, P, Q, T, ex, inv, R, er)


@njit(cache=True, fastmath=False, error_model="numpy")
def row(hk, dkk, h, d, c, x, w, zh, vh, out):
    """out[l] = E[tanh(hk + y) tanh(h[l] + y')], Var y = dkk, Var y' = d[l], Cov = c[l].

    The outer nodes carry y, so tanh(hk + sqrt(dkk) x_i) is computed once per
    row. Rules as in :func:`correlation_many`.
    """
    P, Q, T, ex, inv, R, er = pair_scratch(x.size)
    W = np.zeros(P.size)
    sk = math.sqrt(dkk)
    outer_weighted(hk, sk, x, w, W)
    tk = math.tanh(hk)
    for l in range(h.size):
        out[l] = pair_given_outer(W, tk, sk, h[l], d[l], c[l], x, zh, vh, P, Q, T, ex, inv, R, er)
