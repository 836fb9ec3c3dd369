"""Numba kernels of the forward-Euler simulator on a sparse coupling part (THEORY.md section 1).

The random part of J is stored in ELL form, K presynaptic partners per row::

    (g / sqrt N) sum_j z_eff_ij phi(x_j) = gain * sum_q val[i, q] phi(x_{idx[i, q]})

with gain = g / sqrt(N) and val = z / sqrt(c) (:mod:`simulate.couplings_sparse`).
The step, the records and the rank-one mean part m are those of
:func:`simulate.kernels.integrate_rows`; only the row product differs.

State layout: X is (R, N) as in the dense kernels, but phi(x) is kept as
PhiT (N, R), one contiguous row per neuron, so that a synapse's index is
read once and its R presynaptic rates come from one cache line.

phi: tanh of a float32 state is Eigen's rational approximation
(:func:`tanh_f32`, at most 7 float32 ulps from tanh, vectorised over blocks
of rows), where the dense kernels call the scalar libm tanhf (about 20x
slower per neuron, a quarter of a sparse step at c = 0.1); float64 tanh,
erf and linear are those of :mod:`simulate.kernels`.

Determinism: the row sum of neuron i for replica r is always formed by
:data:`ELL_LANES` lane sums in synapse order followed by a fixed pairwise
tree, by one thread, for any number of replicas and threads; the moments are
summed serially. Results are therefore bit-identical for any number of Numba
threads, and replica r of a batched run equals the same replica run alone.
"""

from __future__ import annotations

import math
import types

import numpy as np
from numba import njit, prange, uintp

from meanfield.model.nonlinearity import ERF_SCALE

from .kernels import OBS_M, _record, replica_moments

# Lane sums of the sparse row product. The products are gathers, which LLVM does not vectorise;
# 8 scalar lanes break the latency chain of a single running sum.
ELL_LANES = 8  # ell_row_dot is written out for 8

# Rows per parallel task; phi of a task's rows is evaluated as one vectorised block.
SPARSE_ROW_BLOCK = 64


# Eigen's rational approximation of tanh for float32 (numerator odd of degree 13, denominator even
# of degree 6, argument clamped to +-7.9053111, where it reaches 1 - ulp/2): no libm call, so the
# loop over a block vectorises (about 20x the scalar tanhf on AVX-512). Largest error 7 float32
# ulps for normal float32 x, measured against float64 tanh (tests/simulate/test_couplings_sparse.py);
# subnormal x (|x| < 1.2e-38) keep only a few digits; NaN stays NaN.
_TANH32_CLAMP = 7.90531110763549805


@njit(fastmath=False, error_model="numpy", cache=True)
def tanh_f32(x, out):
    """out = tanh(x) for float32 arrays by the rational approximation above (vectorises)."""
    c = np.float32(_TANH32_CLAMP)
    a0 = np.float32(-2.76076847742355e-16)
    a1 = np.float32(2.00018790482477e-13)
    a2 = np.float32(-8.60467152213735e-11)
    a3 = np.float32(5.12229709037114e-08)
    a4 = np.float32(1.48572235717979e-05)
    a5 = np.float32(6.37261928875436e-04)
    a6 = np.float32(4.89352455891786e-03)
    b0 = np.float32(1.19825839466702e-06)
    b1 = np.float32(1.18534705686654e-04)
    b2 = np.float32(2.26843463243900e-03)
    b3 = np.float32(4.89352518554385e-03)
    for i in range(x.shape[0]):
        y = min(max(x[i], -c), c)
        y2 = y * y
        p = y2 * a0 + a1
        p = y2 * p + a2
        p = y2 * p + a3
        p = y2 * p + a4
        p = y2 * p + a5
        p = y2 * p + a6
        q = y2 * b0 + b1
        q = y2 * q + b2
        q = y2 * q + b3
        out[i] = (y * p) / q


@njit(cache=True)
def phi_block(x, out, code):
    """out = phi(x) for a block of one replica (PHI_CODES); tanh of float32 by :func:`tanh_f32`."""
    if code == 0:
        if x.itemsize == 4:
            tanh_f32(x, out)
        else:
            for i in range(x.shape[0]):
                out[i] = np.tanh(x[i])
    elif code == 1:
        for i in range(x.shape[0]):
            out[i] = math.erf(ERF_SCALE * x[i])
    else:
        for i in range(x.shape[0]):
            out[i] = x[i]


@njit(cache=True)
def ell_row_dot(idx_i, val_i, p):
    """sum_q val_i[q] p[idx_i[q]] by ELL_LANES = 8 lane sums and a fixed pairwise tree.

    The row length must be a multiple of 8 (the ELL rows are padded with
    zero values): a remainder loop after the lane loop was measured to
    nearly double the cost of the whole product. Lane l sums the synapses
    q = l mod 8 in order; the tree is ((l0 + l4) + (l2 + l6)) + ((l1 + l5) +
    (l3 + l7)), the order of the batched kernel. Scalars, so that the lane
    sums stay in registers. The gathered index is cast to an unsigned integer: Numba then
    omits its negative-index wraparound, which was measured to cost up to half of the product
    (the partners are validated to lie in [0, N) when the couplings are built).
    """
    K = idx_i.shape[0]
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = val_i.dtype.type(0)
    q = 0
    while q + 8 <= K:
        a0 += val_i[q] * p[uintp(idx_i[q])]
        a1 += val_i[q + 1] * p[uintp(idx_i[q + 1])]
        a2 += val_i[q + 2] * p[uintp(idx_i[q + 2])]
        a3 += val_i[q + 3] * p[uintp(idx_i[q + 3])]
        a4 += val_i[q + 4] * p[uintp(idx_i[q + 4])]
        a5 += val_i[q + 5] * p[uintp(idx_i[q + 5])]
        a6 += val_i[q + 6] * p[uintp(idx_i[q + 6])]
        a7 += val_i[q + 7] * p[uintp(idx_i[q + 7])]
        q += 8
    return ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7))


def _integrate_ell(idx, val, X, gain, v, pattern, mask, a, b, c, dt, code,
                   stride, snap_every, trace_idx, obs, snaps, traces):
    R, N = X.shape
    K = a.shape[0]
    P = pattern.shape[0]
    L = ELL_LANES
    deg = idx.shape[1]
    PhiT = np.empty((N, R), dtype=X.dtype)
    PhiT_next = np.empty((N, R), dtype=X.dtype)
    moments = np.empty((R, 4))
    n_blocks = (N + SPARSE_ROW_BLOCK - 1) // SPARSE_ROW_BLOCK
    tmp = np.empty(N, dtype=X.dtype)
    for r in range(R):
        phi_block(X[r], tmp, code)
        PhiT[:, r] = tmp
    for k in range(K + 1):
        for r in range(R):
            replica_moments(X[r], PhiT[:, r], v, moments[r])
        _record(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces)
        if k == K:
            break
        for blk in prange(n_blocks):
            acc = np.empty((L, R), dtype=X.dtype)
            lo = blk * SPARSE_ROW_BLOCK
            hi = min(N, lo + SPARSE_ROW_BLOCK)
            for i in range(lo, hi):
                acc[:, :] = 0
                ii = idx[i]
                vi = val[i]
                # the lane sums and the tree of ell_row_dot, for all replicas at once
                q = 0
                while q + L <= deg:
                    for lane in range(L):
                        j = uintp(ii[q + lane])
                        w = vi[q + lane]
                        for r in range(R):
                            acc[lane, r] += w * PhiT[j, r]
                    q += L
                width = L
                while width > 1:
                    width //= 2
                    for lane in range(width):
                        for r in range(R):
                            acc[lane, r] += acc[lane + width, r]
                for r in range(R):
                    drive = a[k, r]
                    for qq in range(P):
                        drive += b[k, r, qq] * pattern[qq, i]
                    drive += c[k, r] * mask[r, i]
                    x = X[r, i]
                    X[r, i] = x + dt * (-x + gain * acc[0, r] + moments[r, OBS_M] + drive)
            buf = np.empty(hi - lo, dtype=X.dtype)
            for r in range(R):
                phi_block(X[r, lo:hi], buf, code)
                for i in range(lo, hi):
                    PhiT_next[i, r] = buf[i - lo]
        PhiT, PhiT_next = PhiT_next, PhiT


def _integrate_ell_single(idx, val, X, gain, v, pattern, mask, a, b, c, dt, code,
                          stride, snap_every, trace_idx, obs, snaps, traces):
    # R = 1 with 1-D buffers: the same operations in the same order as _integrate_ell
    N = X.shape[1]
    K = a.shape[0]
    P = pattern.shape[0]
    x0 = X[0]
    phi = np.empty(N, dtype=X.dtype)
    phi_next = np.empty(N, dtype=X.dtype)
    moments = np.empty((1, 4))
    n_blocks = (N + SPARSE_ROW_BLOCK - 1) // SPARSE_ROW_BLOCK
    phi_block(x0, phi, code)
    for k in range(K + 1):
        replica_moments(x0, phi, v, moments[0])
        _record(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces)
        if k == K:
            break
        m = moments[0, OBS_M]
        ak = a[k, 0]
        ck = c[k, 0]
        for blk in prange(n_blocks):
            lo = blk * SPARSE_ROW_BLOCK
            hi = min(N, lo + SPARSE_ROW_BLOCK)
            for i in range(lo, hi):
                s = ell_row_dot(idx[i], val[i], phi)
                drive = ak
                for qq in range(P):
                    drive += b[k, 0, qq] * pattern[qq, i]
                drive += ck * mask[0, i]
                x = x0[i]
                x0[i] = x + dt * (-x + gain * s + m + drive)
            phi_block(x0[lo:hi], phi_next[lo:hi], code)
        phi, phi_next = phi_next, phi


def _named(fn, suffix):
    # a copy of fn under its own qualified name: Numba's on-disk cache is keyed by the name and
    # line, so the parallel and serial compilations of one function would overwrite each other
    out = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + suffix, fn.__defaults__,
                             fn.__closure__)
    out.__qualname__ = fn.__qualname__ + suffix
    return out


# Both variants compiled twice: parallel over row blocks, and serial (no per-step thread fork,
# which costs more than it saves on small networks). Same arithmetic, same bits.
integrate_ell_batch = njit(parallel=True, fastmath=False, cache=True)(_named(_integrate_ell, "_parallel"))
integrate_ell_batch_serial = njit(fastmath=False, cache=True)(_named(_integrate_ell, "_serial"))
integrate_ell_one = njit(parallel=True, fastmath=False, cache=True)(_named(_integrate_ell_single, "_parallel"))
integrate_ell_one_serial = njit(fastmath=False, cache=True)(_named(_integrate_ell_single, "_serial"))


def integrate_ell(idx, val, X, gain, v, pattern, mask, a, b, c, dt, code,
                  stride, snap_every, trace_idx, obs, snaps, traces, parallel=True):
    """The whole run on an ELL coupling part, in one Numba call (THEORY.md section 1).

    Same step, inputs and records as :func:`simulate.kernels.integrate_rows`,
    with ``(g / sqrt N) z phi`` replaced by ``gain * sum_q val[i, q] phi_{idx[i, q]}``.

    Parameters
    ----------
    idx : (N, K8) uint16 or int32
        Presynaptic partners of each neuron, in [0, N) (not checked here);
        K8 a multiple of :data:`ELL_LANES`.
    val : (N, K8) float32/float64
        Entries of z_eff on those synapses (0 on padding), in the dtype of X.
    X : (R, N)
        State at t_0, overwritten with the state at t_K.
    gain, v, pattern, mask, a, b, c, dt, code, stride, snap_every, trace_idx, obs, snaps, traces
        As in :func:`simulate.kernels.integrate_rows`.
    parallel : bool
        Parallel over row blocks (one fork per step) or serial; the results are identical.

    Raises
    ------
    FloatingPointError
        ``(NONFINITE_STATE, k, r)`` at the first step whose moments are not finite.
    """
    if X.shape[0] == 1:
        fn = integrate_ell_one if parallel else integrate_ell_one_serial
    else:
        fn = integrate_ell_batch if parallel else integrate_ell_batch_serial
    fn(idx, val, X, gain, v, pattern, mask, a, b, c, dt, code,
       stride, snap_every, trace_idx, obs, snaps, traces)


# Stored synapse-replica products per step below which the serial kernel runs. A parallel step
# waits at its barrier for the slowest thread: on a shared machine a descheduled thread costs a
# scheduler time slice (milliseconds) per step, which only a step of ~10 ms (about 8e6 products)
# amortises; below it the serial kernel is the robust choice: much faster under load, at most a
# small factor slower on an idle machine (``python benchmarks/bench_sparse.py`` prints both).
PARALLEL_FROM_WORK = 1 << 23


def use_parallel(N: int, row_length: int, replicas: int) -> bool:
    """Whether :func:`integrate_ell` should run parallel (the results are the same either way)."""
    return N * row_length * replicas >= PARALLEL_FROM_WORK
