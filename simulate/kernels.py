"""Numba kernels of the forward-Euler simulator (THEORY.md section 1).

State layout: X has shape (R, N), one contiguous row per replica, so that a
replica's phi(x) is contiguous for the row dot products with z.

Determinism: every number a kernel writes is computed by one thread in a
fixed order (the dot product of row i, the sums of replica r), so results are
bit-identical for any number of Numba threads. No reduction is split across
threads.

Step k -> k+1 (forward Euler, input at t_k)::

    x_i <- x_i + dt * ( -x_i + (g / sqrt N) sum_j z_ij phi(x_j) + m + I_i(t_k) )

where m = (1/sqrt N) sum_j v_j phi(x_j) is both the population feedback of
THEORY.md section 1 and the rank-one mean part of J phi, which is therefore
never formed.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from meanfield.model.nonlinearity import ERF_SCALE

PHI_CODES = {"tanh": 0, "erf": 1, "linear": 2}

# Observable columns of the (n_rec, R, 4) record array.
OBS_H, OBS_M, OBS_RATE, OBS_DELTA = 0, 1, 2, 3

# Rows per parallel task: a task allocates its accumulator once.
ROW_BLOCK = 16

# First argument of the FloatingPointError a kernel raises when the moments of a
# step are not finite; the others are the step k and the replica r
# (simulate.simulation turns it into a NonFiniteStateError).
NONFINITE_STATE = "non-finite state"


def dot_lanes(dtype) -> int:
    """Independent accumulators in the row dot product (4 AVX-512 registers).

    Without fastmath LLVM keeps the order of a single running sum, which
    cannot be vectorised; a fixed number of lane sums can, and still gives a
    result that does not depend on the number of threads.
    """
    return 256 // np.dtype(dtype).itemsize


@njit(cache=True)
def phi_row(x, out, code):
    """out = phi(x) for one replica; code from PHI_CODES."""
    n = x.shape[0]
    if code == 0:
        for i in range(n):
            out[i] = np.tanh(x[i])
    elif code == 1:
        for i in range(n):
            out[i] = math.erf(ERF_SCALE * x[i])
    else:
        for i in range(n):
            out[i] = x[i]


@njit(fastmath=False, cache=True)
def dot_row(z, p, acc):
    """sum_j z_j p_j with len(acc) lane accumulators (in the dtype of acc)."""
    n = z.shape[0]
    lanes = acc.shape[0]
    acc[:] = 0
    j = 0
    while j + lanes <= n:
        for q in range(lanes):
            acc[q] += z[j + q] * p[j + q]
        j += lanes
    for q in range(n - j):
        acc[q] += z[j + q] * p[j + q]
    # fixed pairwise tree over the lanes
    width = lanes
    while width > 1:
        width //= 2
        for q in range(width):
            acc[q] += acc[q + width]
    return acc[0]


@njit(cache=True)
def replica_moments(x, phi, v, out):
    """out[:] = h, m, M, Delta(t,t) of one replica (THEORY.md section 1 "Observables").

    Sums in float64, sequentially (deterministic); Delta by the two-pass
    formula mean((x - h)^2).
    """
    n = x.shape[0]
    sx = 0.0
    sphi = 0.0
    svphi = 0.0
    for i in range(n):
        sx += x[i]
        sphi += phi[i]
        svphi += v[i] * phi[i]
    h = sx / n
    sd = 0.0
    for i in range(n):
        d = x[i] - h
        sd += d * d
    out[0] = h
    out[1] = svphi / math.sqrt(n)
    out[2] = sphi / n
    out[3] = sd / n


@njit(cache=True)
def check_finite(moments, k):
    """Raise FloatingPointError(NONFINITE_STATE, k, r) if a moment of replica r is NaN or inf.

    Checking the four moments of every step is enough: a NaN or inf in any
    x_i reaches h, and in any phi(x_j) reaches M (sums never drop a NaN and
    turn inf into inf or NaN), and both are absorbing under the Euler step.
    Costs 4 R comparisons per step, against the N^2 R of the step itself.
    """
    for r in range(moments.shape[0]):
        for c in range(moments.shape[1]):
            if not math.isfinite(moments[r, c]):
                raise FloatingPointError(NONFINITE_STATE, k, r)


@njit(cache=True)
def _record(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces):
    # every step passes here (both engines): stop at the first non-finite one
    check_finite(moments, k)
    R = X.shape[0]
    if k % stride == 0:
        rec = k // stride
        for r in range(R):
            for c in range(4):
                obs[rec, r, c] = moments[r, c]
            for q in range(trace_idx.shape[0]):
                traces[rec, r, q] = X[r, trace_idx[q]]
    if snap_every > 0 and k % snap_every == 0:
        s = k // snap_every
        for r in range(R):
            h = moments[r, OBS_H]
            for i in range(X.shape[1]):
                snaps[s, r, i] = X[r, i] - h


@njit(parallel=True, fastmath=False, cache=True)
def integrate_rows(
    Z, X, gain, v, pattern, mask, a, b, c, dt, code, lanes,
    stride, snap_every, trace_idx, obs, snaps, traces,
):
    """The whole run in one call: one parallel region per Euler step.

    Each task takes a block of rows: it forms the R dot products of z_i with
    phi(x(t_k)), updates x_i and evaluates phi(x_i(t_{k+1})) into a second
    buffer, so a step needs one barrier only (two would double the cost of
    a descheduled thread on a shared machine). The moments are summed
    serially between steps (O(N R), deterministic).

    Parameters
    ----------
    Z : (N, N) float32/float64
        Coupling noise z.
    X : (R, N), same dtype
        State at t_0, overwritten with the state at t_K.
    gain : float
        g / sqrt(N).
    v : (N,) float64
        Mean weights v_j.
    pattern : (P, N) float64
        Patterns p_q of input (b) (P = 1 for the network of THEORY.md section 1;
        a reservoir with d input channels has P = d).
    mask : (R, N) float64
        Driven set of input (c) per replica.
    a, c : (K, R) float64
        Uniform and sparse coefficients at t_0..t_{K-1}.
    b : (K, R, P) float64
        Pattern coefficients: the input is a + sum_q b_q p_q + c mask.
    dt : float
    code : int
        phi, from PHI_CODES.
    lanes : int
        Accumulators of the row dot product (:func:`dot_lanes`).
    stride, snap_every : int
        Record observables every ``stride`` steps and the centred state every
        ``snap_every`` steps (0: never).
    trace_idx : (n_trace,) int64
        Neurons whose x is recorded every ``stride`` steps.
    obs : (K // stride + 1, R, 4) float64
        Output: h, m, M, Delta(t,t).
    snaps : (n_snap, R, N) float64
        Output: x - h at the snapshot steps.
    traces : (K // stride + 1, R, n_trace) float64
        Output: traced x.

    Raises
    ------
    FloatingPointError
        ``(NONFINITE_STATE, k, r)`` at the first step k whose moments are
        not finite (:func:`check_finite`); the outputs are then incomplete.
    """
    R, N = X.shape
    K = a.shape[0]
    P = pattern.shape[0]
    Phi = np.empty_like(X)
    Phi_next = np.empty_like(X)
    moments = np.empty((R, 4))
    n_blocks = (N + ROW_BLOCK - 1) // ROW_BLOCK
    for r in range(R):
        phi_row(X[r], Phi[r], code)
    for k in range(K + 1):
        for r in range(R):
            replica_moments(X[r], Phi[r], v, moments[r])
        _record(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces)
        if k == K:
            break
        for blk in prange(n_blocks):
            acc = np.empty(lanes, dtype=X.dtype)
            lo = blk * ROW_BLOCK
            hi = min(N, lo + ROW_BLOCK)
            for i in range(lo, hi):
                zi = Z[i]
                for r in range(R):
                    s = dot_row(zi, Phi[r], acc)
                    # a + sum_q b_q p_qi + c mask: for one pattern the rounding of a + b p + c mask
                    drive = a[k, r]
                    for q in range(P):
                        drive += b[k, r, q] * pattern[q, i]
                    drive += c[k, r] * mask[r, i]
                    x = X[r, i]
                    X[r, i] = x + dt * (-x + gain * s + moments[r, OBS_M] + drive)
            for r in range(R):
                phi_row(X[r, lo:hi], Phi_next[r, lo:hi], code)
        Phi, Phi_next = Phi_next, Phi


# The BLAS engine calls the kernels below between BLAS-3 products. They are
# serial on purpose: OpenBLAS worker threads keep spinning after a product and
# a parallel Numba region competing with them was measured 25x slower.


@njit(cache=True)
def moments_batch(X, Phi, v, moments):
    """The moments of every replica given Phi = phi(X) (serial)."""
    for r in range(X.shape[0]):
        replica_moments(X[r], Phi[r], v, moments[r])


@njit(cache=True)
def record_step(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces):
    """Record observables, traces and snapshots of step k (used by the BLAS engine).

    Raises FloatingPointError ``(NONFINITE_STATE, k, r)`` if the moments are
    not finite (:func:`check_finite`), which stops the engine's step loop.
    """
    _record(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces)


@njit(cache=True)
def euler_update(X, G, gain, moments, pattern, mask, a_k, b_k, c_k, dt):
    """X <- X + dt (-X + gain G + m + I(t_k)) given G = phi z^T per replica (R, N); serial.

    ``pattern`` is (P, N) and ``b_k`` (R, P), as in :func:`integrate_rows`.
    """
    R, N = X.shape
    P = pattern.shape[0]
    for r in range(R):
        m = moments[r, OBS_M]
        for i in range(N):
            drive = a_k[r]
            for q in range(P):
                drive += b_k[r, q] * pattern[q, i]
            drive += c_k[r] * mask[r, i]
            x = X[r, i]
            X[r, i] = x + dt * (-x + gain * G[r, i] + m + drive)


# Lanes of the BLAS engine's moment sums: independent partial sums that LLVM vectorises (a single
# running sum is a latency chain, a few microseconds per step at N = 1000, a tenth of the step).
_SUM_LANES = 8


@njit(cache=True)
def lane_moments(x, phi, v, out):
    """h, m, M, Delta(t,t) of one replica as :func:`replica_moments`, with _SUM_LANES partial sums.

    Serial and in a fixed order, so deterministic; it differs from
    :func:`replica_moments` only in the rounding of the float64 sums.
    """
    n = x.shape[0]
    L = _SUM_LANES
    sx = np.zeros(L)
    sphi = np.zeros(L)
    svphi = np.zeros(L)
    nb = n - n % L
    for i0 in range(0, nb, L):
        for q in range(L):
            xi = np.float64(x[i0 + q])
            pi = np.float64(phi[i0 + q])
            sx[q] += xi
            sphi[q] += pi
            svphi[q] += v[i0 + q] * pi
    tx = 0.0
    tp = 0.0
    tv = 0.0
    for q in range(L):
        tx += sx[q]
        tp += sphi[q]
        tv += svphi[q]
    for i in range(nb, n):
        tx += x[i]
        tp += phi[i]
        tv += v[i] * phi[i]
    h = tx / n
    sd = np.zeros(L)
    for i0 in range(0, nb, L):
        for q in range(L):
            d = np.float64(x[i0 + q]) - h
            sd[q] += d * d
    td = 0.0
    for q in range(L):
        td += sd[q]
    for i in range(nb, n):
        d = x[i] - h
        td += d * d
    out[0] = h
    out[1] = tv / math.sqrt(n)
    out[2] = tp / n
    out[3] = td / n


@njit(cache=True)
def blas_step(X, Phi, G, v, moments, k, K, stride, snap_every, trace_idx, obs, snaps, traces,
              gain, pattern, mask, uniform, b, sparse, dt):
    """One step of the BLAS engine after G = phi z^T: moments and records of step k, then the update.

    What :func:`moments_batch` (with :func:`lane_moments`), :func:`record_step`
    and :func:`euler_update` do one after the other, in one call: the
    Python-to-Numba dispatch is paid once per step (a sizeable part of a step
    at N ~ 1000). For k = K only the records are written. The update is
    :func:`euler_update`'s expression in the same order, specialised to one
    input pattern so that it vectorises.
    """
    R, N = X.shape
    for r in range(R):
        lane_moments(X[r], Phi[r], v, moments[r])
    _record(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces)
    if k == K:
        return
    if pattern.shape[0] != 1:
        euler_update(X, G, gain, moments, pattern, mask, uniform[k], b[k], sparse[k], dt)
        return
    p = pattern[0]
    for r in range(R):
        m = moments[r, OBS_M]
        a = uniform[k, r]
        bq = b[k, r, 0]
        c = sparse[k, r]
        xr = X[r]
        gr = G[r]
        mr = mask[r]
        for i in range(N):
            drive = a + bq * p[i] + c * mr[i]
            x = xr[i]
            xr[i] = x + dt * (-x + gain * gr[i] + m + drive)
