"""Microscopic and macroscopic Lyapunov exponents of one theory sample (THEORY.md section 5).

Micro exponent (section 5, "two replicas with the same h path and different
microscopic initial states"). Along a fixed population path (h, Delta) the
distance D_kl = Delta^11_kl + Delta^22_kl - 2 Delta^12_kl of two replicas with
c0 -> 1 obeys the Euler recursion of eq. 4.5 with the source linearised by
Price's theorem, 2 g^2 (C_kl - C^12_kl) = g^2 Cp_kl D_kl + O(D^2) with

    Cp_kl = E[ phi'(h_k + y) phi'(h_l + y') ],   (y, y') ~ N(0, [[Delta_kk, Delta_kl], [., Delta_ll]]):

    D_{k+1,0}   = (1-dt) D_{k,0}
    D_{k+1,l+1} = (1-dt)(D_{k,l+1} + D_{k+1,l}) - (1-dt)^2 D_{k,l} + dt^2 g^2 Cp_kl D_kl   (eq. 5.L)

This is the covariance (1/N) sum_i u_i(t_k) u_i(t_l) of a tangent vector u of
the Euler map restricted to the microscopic directions. The recursion is
linear and homogeneous, so it is renormalised by global rescaling (no
saturation, unlike the finite-distance Delta^12 recursion). The micro exponent
on a window [t_a, t_b] is

    lambda_micro = (log D_bb - log D_aa) / (2 (t_b - t_a))

(the factor 2: D is a squared distance; lambda_micro is the growth rate of
the distance, like the Benettin exponent of :mod:`simulate.lyapunov`).
Check (J0 = 0, phi linear): D_kk ~ (1 - dt + g dt)^(2k) / sqrt(k), so
lambda_micro -> log(1 - dt + g dt) / dt, which changes sign at g = 1
(Sompolinsky-Crisanti-Sommers).

Macro finite-time exponent (section 5, "replicas differing by delta in h0"):
two replicas with h0 and h0 + delta, the same xi and the same initial
microscopic state (c0 = 1), solved jointly by :func:`meanfield.solve_replicas`;

    lambda_macro = log( |h^2(t_b) - h^1(t_b)| / |h^2(t_a) - h^1(t_a)| ) / (t_b - t_a).

This is a finite difference, not a tangent recursion. KNOWN LIMITATION
(measured, issue 4): replica 2 receives fresh
innovations only where its conditional variance given replica 1 exceeds the
row-relative pivot tolerance, tol * Chat_kk. That variance is O(delta^2), so
with the default tol = 1e-3 and small delta the fresh part of m^2 - m^1
(which is first order in delta) is dropped and the separation follows the
regression on replica 1 alone: the exponent is then biased low. Measured at
T = 40, dt = 0.1 (medians, 95% intervals; simulation = tangent along u,
N = 1000, 100 networks):

    (g, J0)     default (tol 1e-3, delta 1e-7)   (80 nodes, tol 1e-5, delta 1e-2)   simulation
    (0.8, 2)    -0.291 [-0.302, -0.272]          -0.249 [-0.280, -0.232]            -0.244 [-0.279, -0.216]
    (1.5, 1)    -0.102 [-0.109, -0.094]          -0.027 [-0.037, -0.015]            -0.025 [-0.037, -0.012]

(KS p against simulation: 0.02 and 1e-30 for the first column, 0.28 and 0.97
for the second.) The macro functions therefore default to the second column,
``MACRO_SETTINGS = SolverSettings(80, 1e-5)`` and ``MACRO_DELTA = 1e-2``
(delta^2 well above tol, delta e^(lambda T) still small), until the
tangent-linear recursion of the joint system (fresh innovations scaled by
the O(delta) conditional standard deviation) replaces the finite difference;
that recursion is not implemented yet. At T = 10 the second setting is not
converged in delta (about +-0.05 between delta = 3e-3 and 1e-2).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .model import InitialState, Inputs, Network, TimeGrid
from .population import PopulationPath, gaussian_engine
from .replicas import ReplicaPaths, solve_replicas
from .runner import run_ensemble, spawn_seeds
from .settings import SolverSettings
from .stats import Estimate, median_interval

_DPHI_CODES = {"tanh": 0, "erf": 1, "linear": 2}
_ERF_SCALE = math.sqrt(math.pi) / 2.0


@njit(cache=True)
def _dphi(x, code):
    if code == 0:
        t = math.tanh(x)
        return 1.0 - t * t
    if code == 1:
        u = _ERF_SCALE * x
        return math.exp(-u * u)
    return 1.0


@njit(cache=True)
def _cp_row(k, h, delta, z, w, code, out):
    """Cp_kl = E[phi'(h_k + y) phi'(h_l + y')] for l = 0..k (2-D product Gauss rule)."""
    n = z.shape[0]
    dkk = max(delta[k, k], 0.0)
    sk = math.sqrt(dkk)
    f1 = np.empty(n)
    for i in range(n):
        f1[i] = _dphi(h[k] + sk * z[i], code)
    for l in range(k + 1):
        dll = max(delta[l, l], 0.0)
        if sk > 0.0:
            b1 = delta[k, l] / sk
            b2 = math.sqrt(max(dll - b1 * b1, 0.0))
        else:
            b1 = 0.0
            b2 = math.sqrt(dll)
        acc = 0.0
        for i in range(n):
            base = h[l] + b1 * z[i]
            inner = 0.0
            for j in range(n):
                inner += w[j] * _dphi(base + b2 * z[j], code)
            acc += w[i] * f1[i] * inner
        out[l] = acc


@njit(cache=True)
def _micro_log_distance(h, delta, dt, g2, z, w, code):
    K1 = h.shape[0]
    D = np.zeros((K1, K1))
    logd = np.empty(K1)
    cp = np.ones(K1)
    a = 1.0 - dt
    D[0, 0] = 1.0
    logd[0] = 0.0
    log_scale = 0.0
    for k in range(K1 - 1):
        if code != 2:
            _cp_row(k, h, delta, z, w, code, cp)
        D[k + 1, 0] = a * D[k, 0]
        D[0, k + 1] = D[k + 1, 0]
        # l ascending: D_{k,k+1} = D_{k+1,k} is written at l = k - 1 before it is read at l = k
        for l in range(k + 1):
            val = a * (D[k, l + 1] + D[k + 1, l]) - a * a * D[k, l] + dt * dt * g2 * cp[l] * D[k, l]
            D[k + 1, l + 1] = val
            D[l + 1, k + 1] = val
        s = D[k + 1, k + 1]
        if s > 1e100 or s < 1e-100:       # homogeneous linear recursion: rescale everything
            for i in range(k + 2):
                for j in range(k + 2):
                    D[i, j] /= s
            log_scale += math.log(s)
        logd[k + 1] = math.log(D[k + 1, k + 1]) + log_scale
    return logd


def _path_h_delta(path, replica: int):
    if isinstance(path, PopulationPath):
        return path.times, path.h, path.delta
    if isinstance(path, ReplicaPaths):
        if not 0 <= replica < path.replicas:
            raise ValueError(f"replica = {replica} must lie in [0, {path.replicas})")
        return path.times, path.h[replica], np.ascontiguousarray(path.delta[:, replica, :, replica])
    raise ValueError(f"path must be a PopulationPath or ReplicaPaths, got {type(path).__name__}")


def micro_log_distance(
    network: Network, path, *, replica: int = 0, quadrature_order: int = 24
) -> np.ndarray:
    """log D_kk of the linearised micro distance along a fixed population path (eq. 5.L above).

    Parameters
    ----------
    network : Network
        g and phi (builtin phi only: tanh, erf, linear).
    path : PopulationPath or ReplicaPaths
        The population path (h, Delta) of a theory sample.
    replica : int
        Replica of a ReplicaPaths.
    quadrature_order : int
        Gauss-Hermite order per dimension for Cp (phi' is bounded and smooth;
        24 nodes give Cp to about 1e-4 for tanh at Delta <= 5).

    Returns
    -------
    (K+1,) array, log D_kk with D_00 = 1.
    """
    if network.phi.name not in _DPHI_CODES or not network.phi.builtin:
        raise ValueError(f"micro_log_distance needs phi in {sorted(_DPHI_CODES)}, got {network.phi.name!r}")
    times, h, delta = _path_h_delta(path, replica)
    engine = gaussian_engine(network.phi, int(quadrature_order))
    dt = float(times[1] - times[0])
    return _micro_log_distance(np.ascontiguousarray(h, dtype=float), np.ascontiguousarray(delta, dtype=float),
                               dt, network.g**2, np.ascontiguousarray(engine.nodes),
                               np.ascontiguousarray(engine.weights), _DPHI_CODES[network.phi.name])


def _window(times: np.ndarray, window) -> tuple[int, int]:
    if window is None:
        return 0, times.size - 1
    t_a, t_b = window
    dt = times[1] - times[0]
    a, b = int(round(t_a / dt)), int(round(t_b / dt))
    if not 0 <= a < b < times.size:
        raise ValueError(f"window = {window!r} must satisfy 0 <= t_a < t_b <= T = {times[-1]:g}")
    return a, b


def micro_exponent(network: Network, path, *, replica: int = 0, window=None,
                   quadrature_order: int = 24) -> float:
    """Micro Lyapunov exponent of one theory sample on ``window`` = (t_a, t_b) (default (0, T)).

    lambda_micro = (log D_bb - log D_aa) / (2 (t_b - t_a)), with D from
    :func:`micro_log_distance` (THEORY.md section 5).
    """
    times = _path_h_delta(path, replica)[0]
    a, b = _window(times, window)
    logd = micro_log_distance(network, path, replica=replica, quadrature_order=quadrature_order)
    return float((logd[b] - logd[a]) / (2.0 * (times[b] - times[a])))


@dataclass(frozen=True)
class MacroSeparation:
    """Two replicas of one theory sample with h0 differing by delta (THEORY.md section 5).

    Attributes
    ----------
    paths : ReplicaPaths
    separation : (K+1,)
        |h^2(t_k) - h^1(t_k)|.
    """

    paths: ReplicaPaths
    separation: np.ndarray

    def exponent(self, window=None) -> float:
        """log(sep(t_b) / sep(t_a)) / (t_b - t_a) on ``window`` (default (0, T))."""
        a, b = _window(self.paths.times, window)
        sep = self.separation
        if sep[a] <= 0:
            raise ValueError("the replicas coincide at the start of the window; start it later")
        return float(math.log(max(sep[b], 1e-300) / sep[a]) / (self.paths.times[b] - self.paths.times[a]))


#: Solver settings and h0 offset of the macro exponent (module docstring: the
#: defaults of the population solver bias it low).
MACRO_SETTINGS = SolverSettings(quadrature_order=80, pivot_tol=1e-5)
MACRO_DELTA = 1e-2


def macro_separation(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    delta: float = MACRO_DELTA,
    xi=None,
    seed=None,
    settings: SolverSettings = MACRO_SETTINGS,
) -> MacroSeparation:
    """Joint sweep of two replicas with h0 and h0 + delta, same xi, c0 = 1 (THEORY.md section 5).

    Parameters
    ----------
    delta : float
        Initial separation of h (nonzero; small enough for the linear regime
        over the window: delta exp(lambda T) << 1).
    xi : (K+1, 2) array, optional; seed : int or SeedSequence, optional
        Innovations of the sample (exactly one).
    """
    if not (math.isfinite(delta) and delta != 0.0):
        raise ValueError(f"delta must be a finite nonzero number, got {delta!r}")
    second = InitialState(initial.h0 + delta, initial.sigma0)
    paths = solve_replicas(network, inputs, grid, [initial, second], replicas=2, c0=1.0, xi=xi,
                           seed=seed, settings=settings)
    return MacroSeparation(paths=paths, separation=np.abs(paths.h[1] - paths.h[0]))


def _lyapunov_sample(i, ss, *, network, inputs, grid, initial, delta, window, micro_window, settings, order):
    sep = macro_separation(network, inputs, grid, initial, delta=delta, seed=ss, settings=settings)
    micro = micro_exponent(network, sep.paths, replica=0, window=micro_window, quadrature_order=order)
    return {"macro": np.float64(sep.exponent(window)), "micro": np.float64(micro),
            "h_T": np.float64(sep.paths.h[0, -1])}


@dataclass(frozen=True)
class LyapunovEnsemble:
    """Micro and macro exponents of many theory samples (THEORY.md section 5).

    Attributes
    ----------
    micro, macro, h_T : (n_samples,)
    """

    micro: np.ndarray
    macro: np.ndarray
    h_T: np.ndarray

    def median_micro(self, confidence: float = 0.95) -> Estimate:
        return median_interval(self.micro, confidence)

    def median_macro(self, confidence: float = 0.95) -> Estimate:
        return median_interval(self.macro, confidence)


def lyapunov_ensemble(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    n_samples: int,
    seed,
    delta: float = MACRO_DELTA,
    window=None,
    micro_window=None,
    workers: int = 1,
    settings: SolverSettings = MACRO_SETTINGS,
    quadrature_order: int = 24,
    progress: bool = False,
) -> LyapunovEnsemble:
    """Micro and macro finite-time exponents of ``n_samples`` theory samples (THEORY.md section 5).

    Sample i: :func:`macro_separation` with the i-th child of ``seed``; the
    micro exponent is taken along replica 0 of the same joint solution.
    ``window`` = (t_a, t_b) is the macro window, ``micro_window`` the micro one
    (default: ``window``; both default to (0, T)).
    """
    micro_window = window if micro_window is None else micro_window
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    task = functools.partial(_lyapunov_sample, network=network, inputs=inputs, grid=grid, initial=initial,
                             delta=float(delta), window=window, micro_window=micro_window, settings=settings,
                             order=quadrature_order)
    res = run_ensemble(task, spawn_seeds(seed, int(n_samples)), workers=workers, progress=progress,
                       desc="lyapunov")
    stack = lambda key: np.array([r[key] for r in res], dtype=float)  # noqa: E731
    return LyapunovEnsemble(micro=stack("micro"), macro=stack("macro"), h_T=stack("h_T"))
