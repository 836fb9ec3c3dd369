"""Forward-Euler integration of R replicas of one realisation (THEORY.md section 1).

Two engines fill the same record arrays:

* ``rows``: one Numba call for the whole run (:func:`kernels.integrate_rows`);
  each step reads every row of z once and forms R dot products from cache.
  Memory-bound; the fastest for one or a few replicas.
* ``blas``: a Python loop over steps around one BLAS-3 product
  G = Phi z^T (R x N times N x N) per step, numpy for phi and serial
  Numba kernels for the observables and the update. Faster for many
  replicas, and the path for user-supplied phi. OpenBLAS results depend on
  its thread count (measured: 1 vs 2 threads differ in the last bits), so
  they are bit-identical only for a fixed BLAS thread count; ensemble worker
  processes inherit it, so ensembles stay independent of ``workers``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels
from .drive import Drive

ENGINES = ("auto", "rows", "blas")

# The row kernel forms R dot products per row from cache at ~2-3 elements per
# cycle and thread (no FMA without fastmath), so its cost grows like R once z
# streams at memory speed; BLAS-3 runs at tens of GFLOP/s. On the 2-core
# development machine BLAS won from R = 8 on at N = 1000 (0.28 s vs 0.42 s
# for 600 float32 steps); benchmarks/bench_simulate.py prints both engines
# for R = 4, 8, 32 so the crossover can be re-measured.
BLAS_MIN_REPLICAS = 8


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


def choose_engine(engine: str, replicas: int, builtin_phi: bool) -> str:
    """Resolve ``"auto"`` and validate the requested engine."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if not builtin_phi:
        if engine == "rows":
            raise ValueError(
                "engine='rows' needs a registered phi ('tanh', 'erf', 'linear'); "
                "user callables run with engine='blas' or 'auto'"
            )
        return "blas"
    if engine == "auto":
        return "blas" if replicas >= BLAS_MIN_REPLICAS else "rows"
    return engine


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
    pattern : (N,) array
        Pattern p of input (b).
    drive : Drive
        Tabulated inputs.
    dt : float
        Euler step.
    phi : Nonlinearity
        Transfer function; registered ones run compiled.
    stride, snap_every : int
        Recording intervals in steps (snap_every = 0: no snapshots).
    trace_idx : (n_trace,) int array
        Traced neurons.
    engine : {"rows", "blas"}
        Already resolved by :func:`choose_engine`.

    Returns
    -------
    Records
    """
    dtype = z.dtype
    X = np.array(x0, dtype=dtype, order="C", copy=True)
    R, N = X.shape
    K = drive.uniform.shape[0]
    n_rec = K // stride + 1
    n_snap = K // snap_every + 1 if snap_every > 0 else 0
    obs = np.zeros((n_rec, R, 4))
    snaps = np.zeros((n_snap, R, N))
    traces = np.zeros((n_rec, R, trace_idx.shape[0]))
    v = np.ascontiguousarray(v, dtype=np.float64)
    pattern = np.ascontiguousarray(pattern, dtype=np.float64)
    trace_idx = np.ascontiguousarray(trace_idx, dtype=np.int64)
    if engine == "rows":
        code = kernels.PHI_CODES[phi.name]
        kernels.integrate_rows(
            z, X, float(gain), v, pattern, drive.mask, drive.uniform, drive.pattern,
            drive.sparse, float(dt), code, kernels.dot_lanes(dtype),
            stride, snap_every, trace_idx, obs, snaps, traces,
        )
    else:
        _integrate_blas(
            z, X, gain, v, pattern, drive, dt, phi, stride, snap_every, trace_idx,
            obs, snaps, traces,
        )
    return Records(obs=obs, snaps=snaps, traces=traces, final=X)


def _integrate_blas(z, X, gain, v, pattern, drive, dt, phi, stride, snap_every,
                    trace_idx, obs, snaps, traces):
    R, N = X.shape
    K = drive.uniform.shape[0]
    Phi = np.empty_like(X)
    G = np.empty_like(X)
    moments = np.empty((R, 4))
    zT = z.T  # F-ordered view: BLAS reads z without a copy
    for k in range(K + 1):
        # numpy's SIMD tanh is ~40x faster than a scalar loop; user phi goes the same way
        Phi[...] = _phi_values(phi, X)
        kernels.moments_batch(X, Phi, v, moments)
        kernels.record_step(X, moments, k, stride, snap_every, trace_idx, obs, snaps, traces)
        if k == K:
            break
        np.matmul(Phi, zT, out=G)
        kernels.euler_update(
            X, G, gain, moments, pattern, drive.mask,
            drive.uniform[k], drive.pattern[k], drive.sparse[k], dt,
        )


def _phi_values(phi, X):
    out = np.asarray(phi.func(X))
    if out.shape != X.shape:
        raise ValueError(
            f"Network.phi returned shape {out.shape} for a state of shape {X.shape}; "
            "phi must be elementwise"
        )
    return out
