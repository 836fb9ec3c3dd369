"""Forward-Euler integration of R replicas of one realisation (THEORY.md section 1).

Two engines fill the same record arrays:

* ``rows``: one Numba call for the whole run (:func:`kernels.integrate_rows`);
  each step reads every row of z once and forms R dot products from cache.
  Its results do not depend on the number of threads.
* ``blas``: a Python loop over steps around one BLAS product
  G = Phi z^T (R x N times N x N) per step, numpy for phi and serial
  Numba kernels for the observables and the update; the path for
  user-supplied phi. OpenBLAS results of the R >= 2 products depend on its
  thread count (measured: 1 vs 2 threads differ in the last bits at
  N = 500-2000; the R = 1 matrix-vector product did not), so they are
  bit-identical only for a fixed BLAS thread count; ensemble worker
  processes inherit it, so ensembles stay independent of ``workers``.

``engine="auto"`` picks the faster one for the size of the problem
(:func:`choose_engine`; the measurements behind the rule are printed by
``benchmarks/bench_engine_choice.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels
from .drive import Drive

ENGINES = ("auto", "rows", "blas")

# When is the row kernel faster? ``python benchmarks/bench_engine_choice.py`` prints t_rows / t_blas
# over N, R, dtype and thread count. The row kernel's dot product runs at ~3 GMAC/s per thread (its
# lane accumulators live in memory, not registers), OpenBLAS's gemv/gemm at 10-25, so blas wins almost
# everywhere, R = 1 included, also with a second busy process on the machine. Rows wins only for
# float32 with 2 <= R <= 4 at large N, where OpenBLAS's gemm repacks all of z at every step for a
# left operand of only R rows (R = 1 goes to gemv, which does not). A two-replica N = 500 network once
# seemed to take seconds with the row kernel: that was JIT compilation in a process with a cold Numba
# cache, not its run time.
ROWS_MAX_REPLICAS = 4
ROWS_MIN_N_PER_REPLICA = 500  # rows from N >= 500 R: R = 2 from N = 1000, R = 4 from N = 2000


@dataclass(frozen=True, eq=False)
class Records:
    """Raw output of an engine.

    Attributes
    ----------
    obs : (n_rec, R, 4) float64
        h, m, M, Delta(t,t) at the recorded steps.
    snaps : (n_snap, R, N) float64
        Centred states x - h at the snapshot steps.
    traces : (n_rec, R, n_trace) float64
        Traced x.
    final : (R, N)
        State at t = T in the simulation dtype.
    """

    obs: np.ndarray
    snaps: np.ndarray
    traces: np.ndarray
    final: np.ndarray


def choose_engine(engine: str, replicas: int, builtin_phi: bool, N: int | None = None,
                  dtype=None) -> str:
    """Resolve ``"auto"`` and validate the requested engine.

    Parameters
    ----------
    engine : {"auto", "rows", "blas"}
    replicas : int
        R trajectories per step.
    builtin_phi : bool
        Whether phi is a registered (compiled) transfer function; others run with ``blas``.
    N : int, optional
        Network size.
    dtype : numpy dtype, optional
        Floating type of z and x.

    Returns
    -------
    str
        ``"rows"`` or ``"blas"``; ``"auto"`` while N or dtype is not given
        (:func:`integrate` then resolves it from z).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if not builtin_phi:
        if engine == "rows":
            raise ValueError(
                "engine='rows' needs a registered phi ('tanh', 'erf', 'linear'); "
                "user callables run with engine='blas' or 'auto'"
            )
        return "blas"
    if engine != "auto":
        return engine
    if N is None or dtype is None:
        return "auto"
    rows = (np.dtype(dtype) == np.float32 and 2 <= replicas <= ROWS_MAX_REPLICAS
            and N >= ROWS_MIN_N_PER_REPLICA * replicas)
    return "rows" if rows else "blas"


def integrate(
    z: np.ndarray,
    x0: np.ndarray,
    gain: float,
    v: np.ndarray,
    pattern: np.ndarray,
    drive: Drive,
    dt: float,
    phi,
    *,
    stride: int,
    snap_every: int,
    trace_idx: np.ndarray,
    engine: str,
) -> Records:
    """Integrate K = drive.uniform.shape[0] Euler steps from x0.

    Parameters
    ----------
    z : (N, N) array
        Coupling noise, float32 or float64 (sets the dtype of the state).
    x0 : (R, N) array
        Initial states.
    gain : float
        g / sqrt(N).
    v : (N,) array
        Mean weights v_j.
    pattern : (N,) or (P, N) array
        Pattern p of input (b), or P patterns (the input channels of a reservoir).
    drive : Drive
        Tabulated inputs; ``drive.pattern`` is (K, R) for one pattern and
        (K, R, P) for P patterns.
    dt : float
        Euler step.
    phi : Nonlinearity
        Transfer function; registered ones run compiled.
    stride, snap_every : int
        Recording intervals in steps (snap_every = 0: no snapshots).
    trace_idx : (n_trace,) int array
        Traced neurons.
    engine : {"auto", "rows", "blas"}
        Usually resolved by :func:`choose_engine`; ``"auto"`` is resolved here from z.

    Returns
    -------
    Records
    """
    dtype = z.dtype
    X = np.array(x0, dtype=dtype, order="C", copy=True)
    R, N = X.shape
    if engine == "auto":
        engine = choose_engine(engine, R, phi.builtin, N=N, dtype=dtype)
    K = drive.uniform.shape[0]
    n_rec = K // stride + 1
    n_snap = K // snap_every + 1 if snap_every > 0 else 0
    obs = np.zeros((n_rec, R, 4))
    snaps = np.zeros((n_snap, R, N))
    traces = np.zeros((n_rec, R, trace_idx.shape[0]))
    v = np.ascontiguousarray(v, dtype=np.float64)
    # one pattern (N,) with coefficients (K, R), or P patterns (P, N) with coefficients (K, R, P)
    pattern = np.ascontiguousarray(np.atleast_2d(pattern), dtype=np.float64)
    b = drive.pattern if drive.pattern.ndim == 3 else drive.pattern[:, :, None]
    b = np.ascontiguousarray(b, dtype=np.float64)
    if b.shape[2] != pattern.shape[0] or pattern.shape[1] != N:
        raise ValueError(f"{pattern.shape[0]} input patterns of length {pattern.shape[1]} do not fit "
                         f"coefficients for {b.shape[2]} patterns and N = {N} neurons")
    trace_idx = np.ascontiguousarray(trace_idx, dtype=np.int64)
    if engine == "rows":
        code = kernels.PHI_CODES[phi.name]
        kernels.integrate_rows(
            z, X, float(gain), v, pattern, drive.mask, drive.uniform, b,
            drive.sparse, float(dt), code, kernels.dot_lanes(dtype),
            stride, snap_every, trace_idx, obs, snaps, traces,
        )
    else:
        _integrate_blas(
            z, X, gain, v, pattern, b, drive, dt, phi, stride, snap_every, trace_idx,
            obs, snaps, traces,
        )
    return Records(obs=obs, snaps=snaps, traces=traces, final=X)


def _integrate_blas(z, X, gain, v, pattern, b, drive, dt, phi, stride, snap_every,
                    trace_idx, obs, snaps, traces):
    R, N = X.shape
    K = drive.uniform.shape[0]
    Phi = np.empty_like(X)
    # G^T = z Phi^T into an (N, R) C array: BLAS reads z row-major as stored, without a copy, which is
    # faster for R > 1 than Phi z^T through the transposed view
    GT = np.empty((X.shape[1], X.shape[0]), dtype=X.dtype)
    G = GT.T
    moments = np.empty((R, 4))
    PhiT = Phi.T
    # an overflow on the way to a blow-up is reported by record_step (NonFiniteStateError), not by numpy
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(K + 1):
            # numpy's SIMD tanh is ~40x faster than a scalar loop; user phi goes the same way
            Phi[...] = _phi_values(phi, X)
            kernels.moments_batch(X, Phi, v, moments)
            kernels.record_step(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces)
            if k == K:
                break
            np.matmul(z, PhiT, out=GT)
            kernels.euler_update(
                X, G, gain, moments, pattern, drive.mask,
                drive.uniform[k], b[k], drive.sparse[k], dt,
            )


def _phi_values(phi, X):
    out = np.asarray(phi.func(X))
    if out.shape != X.shape:
        raise ValueError(
            f"Network.phi returned shape {out.shape} for a state of shape {X.shape}; "
            "phi must be elementwise"
        )
    return out
