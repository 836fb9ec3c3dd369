"""Numba kernels of the compact coupling model: z_eff = s q with q int8 (THEORY.md section 1).

:class:`simulate.couplings.CompactCouplings` stores one byte per coupling, a
quarter of float32: a single trajectory, which reads every coupling once per
step and is bound by memory bandwidth, reads 4x fewer bytes. The update is
that of :func:`simulate.kernels.integrate_rows` with g / sqrt(N) replaced by
s g / sqrt(N) and z_ij by the integer q_ij::

    x_i <- x_i + dt * ( -x_i + (s g / sqrt N) sum_j q_ij phi(x_j) + m + I_i(t_k) )

Accumulation: the products q_ij phi_j are summed in the state dtype (float32
or float64), as the float kernels sum z_ij phi_j. int8 converts exactly to
either type, so float32 sums carry the same relative rounding as the float32
Gaussian model (about 1e-7 of the row sum); a float64 accumulator would halve
the SIMD width of the float32 kernel and buy accuracy that the float32 state
discards at the next store anyway.

Determinism: every number is computed by one thread in a fixed order (the
sum of row i by one thread, the moments serially), so the results are
bit-identical for any number of Numba threads. The row sums are compiled with
``fastmath={"reassoc", "contract"}``: LLVM may then split a row's sum into
vector lanes (and fuse multiply-adds), and the order it picks is fixed at
compile time, the same for every row and every thread count (a reduction is
never split across threads). The flags exclude ``nnan``/``ninf``, so a NaN
or inf still reaches the moments and stops the run
(:func:`simulate.kernels.check_finite`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .kernels import OBS_M, _record, phi_row, replica_moments

# Rows per parallel task (a task allocates its float copy of a row once, for R > 1).
ROW_BLOCK = 32
# Columns per parallel task of the transposed product.
COL_BLOCK = 256

_SUM = {"reassoc", "contract"}


@njit(fastmath=_SUM, cache=True)
def dot_i8(q, p):
    """sum_j q_j p_j for an int8 row q, in the dtype of p (vectorised; see the module docstring)."""
    s = p.dtype.type(0)
    for j in range(q.shape[0]):
        s += p[j] * q[j]
    return s


@njit(fastmath=_SUM, cache=True)
def dot_i8x4(Q, i0, p):
    """sum_j q_(i0+k, j) p_j for the 4 rows i0..i0+3 of Q: each p_j loaded once for four rows."""
    s0 = p.dtype.type(0)
    s1 = p.dtype.type(0)
    s2 = p.dtype.type(0)
    s3 = p.dtype.type(0)
    q0, q1, q2, q3 = Q[i0], Q[i0 + 1], Q[i0 + 2], Q[i0 + 3]
    for j in range(p.shape[0]):
        pj = p[j]
        s0 += pj * q0[j]
        s1 += pj * q1[j]
        s2 += pj * q2[j]
        s3 += pj * q3[j]
    return s0, s1, s2, s3


@njit(fastmath=_SUM, cache=True)
def dot_float(zf, p):
    """sum_j zf_j p_j (both in the state dtype)."""
    s = p.dtype.type(0)
    for j in range(zf.shape[0]):
        s += zf[j] * p[j]
    return s


@njit(fastmath=_SUM, cache=True)
def dot_float4(Z, p):
    """sum_j Z[k, j] p_j for the 4 rows k of Z: each p_j loaded once for four rows."""
    s0 = p.dtype.type(0)
    s1 = p.dtype.type(0)
    s2 = p.dtype.type(0)
    s3 = p.dtype.type(0)
    z0, z1, z2, z3 = Z[0], Z[1], Z[2], Z[3]
    for j in range(p.shape[0]):
        pj = p[j]
        s0 += z0[j] * pj
        s1 += z1[j] * pj
        s2 += z2[j] * pj
        s3 += z3[j] * pj
    return s0, s1, s2, s3


@njit(fastmath=_SUM, cache=True)
def dot_4x4(Z, P, r0):
    """sum_j Z[k, j] P[r0 + l, j] for 4 rows k and 4 replicas l (a register tile: 16 sums, 8 loads)."""
    zero = P.dtype.type(0)
    s00 = s01 = s02 = s03 = zero
    s10 = s11 = s12 = s13 = zero
    s20 = s21 = s22 = s23 = zero
    s30 = s31 = s32 = s33 = zero
    z0, z1, z2, z3 = Z[0], Z[1], Z[2], Z[3]
    p0, p1, p2, p3 = P[r0], P[r0 + 1], P[r0 + 2], P[r0 + 3]
    for j in range(P.shape[1]):
        a0, a1, a2, a3 = z0[j], z1[j], z2[j], z3[j]
        b0, b1, b2, b3 = p0[j], p1[j], p2[j], p3[j]
        s00 += a0 * b0
        s01 += a0 * b1
        s02 += a0 * b2
        s03 += a0 * b3
        s10 += a1 * b0
        s11 += a1 * b1
        s12 += a1 * b2
        s13 += a1 * b3
        s20 += a2 * b0
        s21 += a2 * b1
        s22 += a2 * b2
        s23 += a2 * b3
        s30 += a3 * b0
        s31 += a3 * b1
        s32 += a3 * b2
        s33 += a3 * b3
    return (s00, s10, s20, s30, s01, s11, s21, s31, s02, s12, s22, s32, s03, s13, s23, s33)


@njit(cache=True)
def _to_float(q, out):
    for j in range(q.shape[0]):
        out[j] = q[j]


@njit(cache=True)
def _update(X, r, i, s, k, gain, moments, pattern, mask, a, b, c, dt):
    # the update of kernels.integrate_rows, in the same order
    drive = a[k, r]
    for p in range(pattern.shape[0]):
        drive += b[k, r, p] * pattern[p, i]
    drive += c[k, r] * mask[r, i]
    x = X[r, i]
    X[r, i] = x + dt * (-x + gain * s + moments[r, OBS_M] + drive)


@njit(parallel=True, cache=True)
def integrate_compact(
    Q, X, gain, v, pattern, mask, a, b, c, dt, code,
    stride, snap_every, trace_idx, obs, snaps, traces,
):
    """The whole run in one call, one parallel region per Euler step (as :func:`kernels.integrate_rows`).

    Each task takes a block of rows: it forms the R sums of q_i with
    phi(x(t_k)), updates x_i and evaluates phi(x_i(t_{k+1})) into a second
    buffer (one barrier per step). For R = 1 the int8 rows are converted on
    the fly inside the sums, four rows per pass over phi; for R > 1 four rows
    are converted once into a float copy that tiles of 4 rows x 4 replicas
    read from cache (16 sums per 8 vector loads). Either way q is read from
    memory once per step.

    Parameters
    ----------
    Q : (N, N) int8
        Quantised couplings q (z_eff = s q).
    X : (R, N) float32/float64
        State at t_0, overwritten with the state at t_K.
    gain : float
        s g / sqrt(N).
    v, pattern, mask, a, b, c, dt, code, stride, snap_every, trace_idx, obs, snaps, traces
        As for :func:`simulate.kernels.integrate_rows`.

    Raises
    ------
    FloatingPointError
        ``(NONFINITE_STATE, k, r)`` at the first step k whose moments are not finite.
    """
    R, N = X.shape
    K = a.shape[0]
    Phi = np.empty_like(X)
    Phi_next = np.empty_like(X)
    moments = np.empty((R, 4))
    n_blocks = (N + ROW_BLOCK - 1) // ROW_BLOCK
    n_float = N if R > 1 else 1
    for r in range(R):
        phi_row(X[r], Phi[r], code)
    for k in range(K + 1):
        for r in range(R):
            replica_moments(X[r], Phi[r], v, moments[r])
        _record(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces)
        if k == K:
            break
        for blk in prange(n_blocks):
            zf = np.empty((4, n_float), dtype=X.dtype)
            lo = blk * ROW_BLOCK
            hi = min(N, lo + ROW_BLOCK)
            if R == 1:
                for i0 in range(lo, hi, 4):
                    if i0 + 4 <= hi:
                        s0, s1, s2, s3 = dot_i8x4(Q, i0, Phi[0])
                        _update(X, 0, i0, s0, k, gain, moments, pattern, mask, a, b, c, dt)
                        _update(X, 0, i0 + 1, s1, k, gain, moments, pattern, mask, a, b, c, dt)
                        _update(X, 0, i0 + 2, s2, k, gain, moments, pattern, mask, a, b, c, dt)
                        _update(X, 0, i0 + 3, s3, k, gain, moments, pattern, mask, a, b, c, dt)
                    else:
                        for i in range(i0, hi):
                            _update(X, 0, i, dot_i8(Q[i], Phi[0]), k, gain, moments, pattern, mask, a, b, c,
                                    dt)
            else:
                for i0 in range(lo, hi, 4):
                    if i0 + 4 <= hi:
                        for q in range(4):
                            _to_float(Q[i0 + q], zf[q])
                        r4 = R - R % 4
                        for r0 in range(0, r4, 4):
                            t = dot_4x4(zf, Phi, r0)  # t[4 l + q]: row i0 + q, replica r0 + l
                            for l in range(4):
                                for q in range(4):
                                    _update(X, r0 + l, i0 + q, t[4 * l + q], k, gain, moments, pattern, mask,
                                            a, b, c, dt)
                        for r in range(r4, R):
                            s0, s1, s2, s3 = dot_float4(zf, Phi[r])
                            _update(X, r, i0, s0, k, gain, moments, pattern, mask, a, b, c, dt)
                            _update(X, r, i0 + 1, s1, k, gain, moments, pattern, mask, a, b, c, dt)
                            _update(X, r, i0 + 2, s2, k, gain, moments, pattern, mask, a, b, c, dt)
                            _update(X, r, i0 + 3, s3, k, gain, moments, pattern, mask, a, b, c, dt)
                    else:
                        for i in range(i0, hi):
                            _to_float(Q[i], zf[0])
                            for r in range(R):
                                _update(X, r, i, dot_float(zf[0], Phi[r]), k, gain, moments, pattern, mask,
                                        a, b, c, dt)
            for r in range(R):
                phi_row(X[r, lo:hi], Phi_next[r, lo:hi], code)
        Phi, Phi_next = Phi_next, Phi


@njit(parallel=True, cache=True)
def product(Q, Phi, G):
    """G[r, i] = sum_j q_ij Phi[r, j] in the dtype of Phi (the step loop's product, any phi)."""
    R, N = Phi.shape
    n_blocks = (N + ROW_BLOCK - 1) // ROW_BLOCK
    for blk in prange(n_blocks):
        lo = blk * ROW_BLOCK
        hi = min(N, lo + ROW_BLOCK)
        for i in range(lo, hi):
            for r in range(R):
                G[r, i] = dot_i8(Q[i], Phi[r])


@njit(parallel=True, cache=True)
def matvec_f64(Q, x, out):
    """out = q @ x in float64."""
    N = Q.shape[0]
    for i in prange(N):
        out[i] = dot_i8(Q[i], x)


@njit(parallel=True, cache=True)
def rmatvec_f64(Q, y, out):
    """out = q.T @ y in float64: each task owns a block of columns and adds the rows in order."""
    N, M = Q.shape
    n_blocks = (M + COL_BLOCK - 1) // COL_BLOCK
    for blk in prange(n_blocks):
        lo = blk * COL_BLOCK
        hi = min(M, lo + COL_BLOCK)
        for j in range(lo, hi):
            out[j] = 0.0
        for i in range(N):
            yi = y[i]
            for j in range(lo, hi):
                out[j] += yi * Q[i, j]
