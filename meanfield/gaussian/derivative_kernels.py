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

For tanh, :func:`tanh_tangent_row` computes C_kl and only the products the
tangent uses in one pass on the rule of the C kernel, with rational inner
sums that need no transcendental function per node pair.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..compiled import depends_on
from ..model.nonlinearity import ERF_SCALE
from . import tanh_kernels

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


#: The products E[f_p(h_k + y) f_q(h_l + y')] the tangent recursion uses (meanfield.tangent), in the
#: order of the rows of :func:`tanh_tangent_row`'s output.
TANGENT_PRODUCTS = ((1, 0), (2, 0), (1, 1), (0, 1), (0, 2), (2, 1), (1, 2), (3, 1), (2, 2), (1, 3))


@njit(cache=True, fastmath=False, error_model="numpy")
def _inner_direct(A, b, zh, vh, I):
    """I[q] = sum_j vh_j (f_q(A + b z_j) + f_q(A - b z_j)): E f_q(A + b z) on the paired half rule."""
    f = np.empty(4)
    for q in range(4):
        I[q] = 0.0
    for j in range(zh.size):
        bz = b * zh[j]
        _derivatives(A + bz, 0, f)
        for q in range(4):
            I[q] += vh[j] * f[q]
        _derivatives(A - bz, 0, f)
        for q in range(4):
            I[q] += vh[j] * f[q]


@njit(cache=True, fastmath=False, error_model="numpy")
def _inner_rational(P, Q, R, vh, n, m, I0, I1, I2, I3):
    """Inner sums of f_0..f_3 for tanh from P_i = sinh 2A_i, Q_i = cosh 2A_i, R_j = cosh 2 b z_j.

    With g(A) = tanh(A + B) + tanh(A - B) = 2P/(Q + R) (R = cosh 2B) and
    dP/dA = 2Q, dQ/dA = 2P, Q^2 - P^2 = 1:

        g'   = 4 (1 + Q R) / (Q + R)^2
        g''  = 8 P (R (R - Q) - 2) / (Q + R)^3
        g''' = 16 (Q R ((Q - R)^2 - 2 Q R) + 4 ((Q - R)^2 + Q R) - 6) / (Q + R)^4

    (written so that no two large terms cancel), so one division per node
    pair replaces the tanh of the direct sum. I_q[i] = sum_j vh_j g^(q)(A_i, B_j).
    """
    for i in range(n):
        I0[i] = 0.0
        I1[i] = 0.0
        I2[i] = 0.0
        I3[i] = 0.0
    # n may be the padded length (Q = 1 in the padding: finite, and unused by the caller)
    for j in range(m):
        r = R[j]
        v = vh[j]
        for i in range(n):  # vectorises over the outer nodes
            q = Q[i]
            e = 1.0 / (q + r)
            e2 = e * e
            qr = q * r
            dq = q - r
            dq2 = dq * dq
            I0[i] += v * e
            I1[i] += v * (1.0 + qr) * e2
            I2[i] += v * (-r * dq - 2.0) * (e2 * e)
            I3[i] += v * (qr * (dq2 - 2.0 * qr) + 4.0 * (dq2 + qr) - 6.0) * (e2 * e2)
    for i in range(n):
        p = P[i]
        I0[i] *= 2.0 * p
        I1[i] *= 4.0
        I2[i] *= 8.0 * p
        I3[i] *= 16.0


@depends_on(tanh_kernels)
@njit(cache=True, fastmath=False, error_model="numpy")
def tanh_tangent_row(hk, dkk, h, d, c, x, w, zh, vh, out_c, out):
    """C_kl (exactly as :func:`meanfield.gaussian.tanh_kernels.row`) and the tangent products of row k.

    out[r, l] = E[f_p(hk + y) f_q(h_l + y')] for (p, q) = TANGENT_PRODUCTS[r],
    f_0..f_3 = tanh, tanh', tanh'', tanh''' (module docstring), on the same
    rule as C: outer nodes folded (x, w), inner half rule (zh, vh). The inner
    sums reuse the node functions P, Q, R that the C kernel computed for the
    pair (:func:`_inner_rational`); pairs on the kernel's special paths
    (d_kk = 0, c = 0, perfect correlation, huge arguments) sum f_q directly.
    Arguments are checked and clipped as for ``row``.
    """
    n = x.size
    m = zh.size
    P, Q, T, ex, inv, R, er = tanh_kernels.pair_scratch(n)
    W = np.zeros(P.size)
    sk = math.sqrt(dkk)
    tanh_kernels.outer_weighted(hk, sk, x, w, W)
    tk = math.tanh(hk)
    F = np.empty((4, n))      # w_i f_p(hk + sk x_i)
    f = np.empty(4)
    for i in range(n):
        _derivatives(hk + sk * x[i], 0, f)
        for p in range(4):
            F[p, i] = w[i] * f[p]
    npad = P.size
    I0, I1, I2, I3 = np.empty(npad), np.empty(npad), np.empty(npad), np.empty(npad)
    Id = np.empty(4)
    for l in range(h.size):
        out_c[l] = tanh_kernels.pair_given_outer(W, tk, sk, h[l], d[l], c[l], x, zh, vh,
                                                 P, Q, T, ex, inv, R, er)
        dll = d[l]
        if sk > 0.0:
            a = c[l] / sk
            b2 = dll - a * a
            b = math.sqrt(b2) if b2 > 0.0 else 0.0
        else:
            a = 0.0
            b = math.sqrt(dll)
        # the C kernel's general path left P, Q, R of this pair in the scratch arrays
        general = (sk != 0.0 and a != 0.0 and b != 0.0
                   and not (abs(h[l]) + abs(a) * x[n // 2 - 1] > tanh_kernels.SAFE_ARG
                            or b * zh[m - 1] > tanh_kernels.SAFE_ARG))
        if general:
            _inner_rational(P, Q, R, vh, P.size, m, I0, I1, I2, I3)
        else:
            for i in range(n):
                _inner_direct(h[l] + a * x[i], b, zh, vh, Id)
                I0[i] = Id[0]
                I1[i] = Id[1]
                I2[i] = Id[2]
                I3[i] = Id[3]
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = 0.0   # in registers, not in out
        for i in range(n):
            f0, f1, f2, f3 = F[0, i], F[1, i], F[2, i], F[3, i]
            i0, i1, i2, i3 = I0[i], I1[i], I2[i], I3[i]
            s0 += f1 * i0
            s1 += f2 * i0
            s2 += f1 * i1
            s3 += f0 * i1
            s4 += f0 * i2
            s5 += f2 * i1
            s6 += f1 * i2
            s7 += f3 * i1
            s8 += f2 * i2
            s9 += f1 * i3
        out[0, l] = s0
        out[1, l] = s1
        out[2, l] = s2
        out[3, l] = s3
        out[4, l] = s4
        out[5, l] = s5
        out[6, l] = s6
        out[7, l] = s7
        out[8, l] = s8
        out[9, l] = s9
