"""Forward-Euler integration of R replicas of one realisation (THEORY.md section 1).

Two engines fill the same record arrays for a dense z (the Gaussian law;
other coupling laws bring their own engines under the same two names,
:mod:`simulate.couplings`):

* ``rows``: one Numba call for the whole run (:func:`kernels.integrate_rows`);
  each step reads every row of z once and forms R dot products from cache.
  Its results do not depend on the number of threads.
* ``blas``: a Python loop over steps around one BLAS product per step,
  G = Phi z^T (gemm, R x N times N x N) or, for one trajectory, z phi
  (gemv), numpy for phi (in place) and one serial Numba call for the
  observables, the records and the update; the path for user-supplied
  phi. OpenBLAS splits its products by thread count, so the results are
  deterministic and bit-identical only for a fixed BLAS thread count
  (1 vs 2 threads differ in the last bits for R >= 2, and for R = 1 at
  some N, e.g. 1001 or 4001 but not 1000 or 4000); ensemble worker
  processes inherit it, so ensembles stay independent of ``workers``.

``engine="auto"`` picks the faster one for the problem size
(:func:`choose_engine`) from a table of crossovers: the size N from which
``rows`` beats ``blas`` for each dtype and number of replicas R. The
default table was measured on the 2-core development machine; on another
machine ``python benchmarks/bench_engine_choice.py --write-calibration``
measures both engines and writes that machine's table to
:data:`CALIBRATION_FILE` (or ``$SIMULATE_ENGINE_CALIBRATION``), which
:func:`choose_engine` then reads. The choice is never timed implicitly
during a run: which engine runs changes the last bits of the results, so
it must not depend on the load of the moment.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import kernels
from .couplings import Couplings, as_couplings
from .drive import Drive

ENGINES = ("auto", "rows", "blas")

# When is the row kernel faster? ``python benchmarks/bench_engine_choice.py`` prints t_rows / t_blas
# over N, R, dtype and thread count. The row kernel's lane accumulators live in memory, not registers,
# so OpenBLAS's gemv/gemm is faster almost everywhere, R = 1 included (there it is the plain numpy
# loop's gemv). Rows can win for float32 with R = 2 at large N, where gemm repacks all of z at every
# step for a left operand of only two rows. The default below is the crossover that benchmark found on
# the development machine; ``--write-calibration`` replaces it with this machine's.
DEFAULT_ROWS_FROM_N = {"float32": {2: 4000}, "float64": {}}
CALIBRATION_FILE = Path.home() / ".cache" / "simulate" / "engine_crossovers.json"
_CALIBRATION_ENV = "SIMULATE_ENGINE_CALIBRATION"


def machine_signature() -> dict:
    """What a calibration is valid for: CPU model, core count and the BLAS numpy uses."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except (KeyError, TypeError, ValueError):  # older numpy: no dict mode
        blas = "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "blas": blas}


def _calibration_path() -> Path:
    return Path(os.environ.get(_CALIBRATION_ENV, CALIBRATION_FILE))


@functools.cache
def _load_crossovers(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return DEFAULT_ROWS_FROM_N
    if data.get("machine") != machine_signature():
        return DEFAULT_ROWS_FROM_N
    return {dt: {int(R): int(n) for R, n in table.items()} for dt, table in data["rows_from_N"].items()}


def rows_crossovers() -> dict:
    """{dtype name: {R: smallest N where rows is faster}}: this machine's calibration or the default."""
    return _load_crossovers(str(_calibration_path()))


def write_calibration(rows_from_N: dict, measurements: list, path=None) -> Path:
    """Store a measured crossover table for this machine (used by ``bench_engine_choice.py``)."""
    path = Path(path) if path is not None else _calibration_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"machine": machine_signature(),
            "rows_from_N": {dt: {str(R): int(n) for R, n in t.items()} for dt, t in rows_from_N.items()},
            "measurements": measurements}
    path.write_text(json.dumps(data, indent=1))
    _load_crossovers.cache_clear()
    return path


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
    n_min = rows_crossovers().get(np.dtype(dtype).name, {}).get(int(replicas))
    return "rows" if n_min is not None and N >= n_min else "blas"


def integrate(
    z: np.ndarray | Couplings,
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
    z : (N, N) array or Couplings
        Coupling noise: a dense float32 or float64 array (the Gaussian model,
        run by the engines above) or any :class:`simulate.couplings.Couplings`,
        which runs its own engines; its dtype is the dtype of the state.
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
        Usually resolved by :func:`choose_engine`; ``"auto"`` is resolved here
        by the couplings (``Couplings.resolve_engine``).

    Returns
    -------
    Records
    """
    couplings = as_couplings(z)
    dtype = couplings.dtype
    X = np.array(x0, dtype=dtype, order="C", copy=True)
    R, N = X.shape
    if N != couplings.N:
        raise ValueError(f"the state has N = {N} neurons, the couplings N = {couplings.N}")
    engine = couplings.resolve_engine(engine, R, phi.builtin)
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
    # a dense z runs integrate_rows or _integrate_blas below (DenseCouplings.integrate); other laws their own
    couplings.integrate(X, gain, v, pattern, b, drive, dt, phi, stride, snap_every, trace_idx,
                        obs, snaps, traces, engine)
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
    if R == 1:  # the matrix-vector product z phi (gemv) into a C-contiguous G (the update vectorises)
        G = np.empty_like(X)
        phi0, g0 = Phi[0], G[0]
    # a registered ufunc (np.tanh) writes phi in place; others return a new array
    ufunc = phi.builtin and isinstance(phi.func, np.ufunc)
    # an overflow on the way to a blow-up is reported by record_step (NonFiniteStateError), not by numpy
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(K + 1):
            # numpy's SIMD tanh is ~40x faster than a scalar loop; user phi goes the same way
            if ufunc:
                phi.func(X, out=Phi)
            else:
                Phi[...] = _phi_values(phi, X)
            if k < K:
                if R == 1:
                    np.dot(z, phi0, out=g0)
                else:
                    np.matmul(z, PhiT, out=GT)
            kernels.blas_step(X, Phi, G, v, moments, k, K, stride, snap_every, trace_idx, obs, snaps, traces,
                              gain, pattern, drive.mask, drive.uniform, b, drive.sparse, dt)


def _phi_values(phi, X):
    out = np.asarray(phi.func(X))
    if out.shape != X.shape:
        raise ValueError(
            f"Network.phi returned shape {out.shape} for a state of shape {X.shape}; "
            "phi must be elementwise"
        )
    return out
