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
the tangent of h for a unit shift of h0, from the tangent-linear recursion of
the joint two-replica system (:mod:`meanfield.tangent`, ``Perturbation(dh0=1)``):

    lambda_macro = log( |dh(t_b)| / |dh(t_a)| ) / (t_b - t_a).

Maximal exponent: the same recursion for a microscopic kick
(``Perturbation(micro=1)``), with the distance d^2 = dh^2 + G_kk of the two
replicas. Unlike eq. 5.L it lets the kick reach the population mode: the
population feedback's response to a microscopic perturbation has an O(1)
fresh component (module docstring of :mod:`meanfield.tangent`), which
then acts back on every neuron. This is the theory's counterpart of the
Benettin exponent of a network (:mod:`simulate.lyapunov`); eq. 5.L, which
holds h fixed, is the micro exponent conditional on the population path and
lies below it when J0 > 0.

The agreement of both exponents with networks is measured by
``scripts/lyapunov_discrimination_numbers.py`` and reported in the README.

The finite difference of :func:`macro_separation` with small delta drops the
fresh innovations (pivots of size delta^2 fall below tol * Chat_kk) and is
biased low; it agrees with simulation only when delta^2 sits well above the
pivot tolerance (``MACRO_SETTINGS``: 80 nodes, tol 1e-5, delta 1e-2), and is
kept as that cross-check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .arguments import count, ensemble_arguments, instance, model_arguments, number
from .gaussian.adaptive import fixed_engine
from .model import InitialState, Inputs, Network, TimeGrid
from .population import PopulationPath
from .replicas import ReplicaPaths, solve_replicas
from .results import LabelledResult, Provenance
from .runner import map_seeds
from .settings import MACRO_SETTINGS, TANGENT_SETTINGS, SolverSettings
from .stats import Estimate, median_interval
from .tangent import (
    Perturbation,
    TangentPath,
    require_tangent_phi,
    solve_tangent,
    window_indices,
)

_DPHI_CODES = {"tanh": 0, "erf": 1, "linear": 2}
_ERF_SCALE = math.sqrt(math.pi) / 2.0

#: What a custom phi can use instead of the exponents that need phi' in closed form.
MACRO_BY_DIFFERENCES = ("meanfield.lyapunov.macro_separation(...).exponent() for the macro exponent (finite "
                        "differences of two replicas); the micro and maximal exponents exist for builtin phi only")


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
    if isinstance(path, (PopulationPath, TangentPath)):
        return path.times, path.h, path.delta
    if isinstance(path, ReplicaPaths):
        if not 0 <= replica < path.replicas:
            raise ValueError(f"replica = {replica} must lie in [0, {path.replicas})")
        return path.times, path.h[replica], np.ascontiguousarray(path.delta[:, replica, :, replica])
    raise ValueError(f"path must be a PopulationPath, ReplicaPaths or TangentPath, got {type(path).__name__}")


def micro_log_distance(
    network: Network, path, *, replica: int = 0, quadrature_order: int = 24
) -> np.ndarray:
    """log D_kk of the linearised micro distance along a fixed population path (eq. 5.L above).

    Parameters
    ----------
    network : Network
        g and phi (builtin phi only: tanh, erf, linear).
    path : PopulationPath, ReplicaPaths or TangentPath
        The population path (h, Delta) of a theory sample (the base path of a TangentPath).
    replica : int
        Replica of a ReplicaPaths.
    quadrature_order : int
        Gauss-Hermite order per dimension for Cp (phi' is bounded and smooth;
        24 nodes give Cp to about 1e-4 for tanh at Delta <= 5).

    Returns
    -------
    (K+1,) array, log D_kk with D_00 = 1.
    """
    instance("network", network, Network)
    if network.phi.name not in _DPHI_CODES or not network.phi.builtin:
        raise ValueError(f"micro_log_distance needs phi in {sorted(_DPHI_CODES)}, got {network.phi.name!r}")
    quadrature_order = count("quadrature_order", quadrature_order, lo=2)
    times, h, delta = _path_h_delta(path, replica)
    engine = fixed_engine(network.phi, quadrature_order)
    dt = float(times[1] - times[0])
    return _micro_log_distance(np.ascontiguousarray(h, dtype=float), np.ascontiguousarray(delta, dtype=float),
                               dt, network.g**2, np.ascontiguousarray(engine.nodes),
                               np.ascontiguousarray(engine.weights), _DPHI_CODES[network.phi.name])


def micro_exponent(network: Network, path, *, replica: int = 0, window=None,
                   quadrature_order: int = 24) -> float:
    """Micro Lyapunov exponent of one theory sample on ``window`` = (t_a, t_b) (default (0, T)).

    lambda_micro = (log D_bb - log D_aa) / (2 (t_b - t_a)), with D from
    :func:`micro_log_distance` (THEORY.md section 5).
    """
    times = _path_h_delta(path, replica)[0]
    a, b = window_indices(times, window)
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
        a, b = window_indices(self.paths.times, window)
        sep = self.separation
        if sep[a] <= 0:
            raise ValueError("the replicas coincide at the start of the window; start it later")
        return float(math.log(max(sep[b], 1e-300) / sep[a]) / (self.paths.times[b] - self.paths.times[a]))


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
    model_arguments(network, inputs, grid, initial, settings=settings)
    delta = number("delta", delta, nonzero=True)
    second = InitialState(initial.h0 + delta, initial.sigma0)
    paths = solve_replicas(network, inputs, grid, [initial, second], replicas=2, c0=1.0, xi=xi,
                           seed=seed, settings=settings)
    return MacroSeparation(paths=paths, separation=np.abs(paths.h[1] - paths.h[0]))


def macro_exponent(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    window=None,
    xi=None,
    seed=None,
    settings: SolverSettings = TANGENT_SETTINGS,
) -> float:
    """Macro finite-time exponent of one theory sample on ``window`` (THEORY.md section 5; module docstring).

    The tangent of h for a unit shift of h0 (:func:`meanfield.tangent.solve_tangent`,
    fresh innovations included); ``xi`` (K+1, 2) or ``seed`` as there.
    """
    model_arguments(network, inputs, grid, initial, settings=settings)
    require_tangent_phi(network, "meanfield.lyapunov.macro_exponent",
                        "meanfield.lyapunov.macro_separation(...).exponent() (finite differences of two replicas)")
    window_indices(grid.times, window)
    tangent = solve_tangent(network, inputs, grid, initial, Perturbation(dh0=1.0), xi=xi, seed=seed,
                            settings=settings)
    return tangent.population_exponent(window)


def maximal_exponent(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    window=None,
    xi=None,
    seed=None,
    settings: SolverSettings = TANGENT_SETTINGS,
) -> float:
    """Maximal finite-time exponent of one theory sample: growth of a microscopic kick (module docstring).

    Distance d^2 = dh^2 + G_kk of :func:`meanfield.tangent.solve_tangent` with
    ``Perturbation(micro=1)``; the counterpart of the Benettin exponent.
    """
    model_arguments(network, inputs, grid, initial, settings=settings)
    require_tangent_phi(network, "meanfield.lyapunov.maximal_exponent", MACRO_BY_DIFFERENCES)
    window_indices(grid.times, window)
    tangent = solve_tangent(network, inputs, grid, initial, Perturbation(micro=1.0), xi=xi, seed=seed,
                            settings=settings)
    return tangent.distance_exponent(window)


def _lyapunov_sample(i, ss, *, network, inputs, grid, initial, window, micro_window, settings, order):
    macro_seed, maximal_seed = ss.spawn(2)
    nan = np.float64(np.nan)
    out = {"macro": nan, "micro": nan, "maximal": nan, "h_T": nan, "failures": np.int64(0)}
    # a negative tangent pivot (quadrature error, module docstring of meanfield.tangent) fails one
    # sample; it is counted and reported, never dropped silently
    try:
        macro = solve_tangent(network, inputs, grid, initial, Perturbation(dh0=1.0), seed=macro_seed,
                              settings=settings)
        out["macro"] = np.float64(macro.population_exponent(window))
        out["micro"] = np.float64(micro_exponent(network, macro, window=micro_window, quadrature_order=order))
        out["h_T"] = np.float64(macro.h[-1])
    except FloatingPointError:
        out["failures"] += 1
    try:
        out["maximal"] = np.float64(maximal_exponent(network, inputs, grid, initial, window=micro_window,
                                                     seed=maximal_seed, settings=settings))
    except FloatingPointError:
        out["failures"] += 1
    return out


def _finite_median(values: np.ndarray, confidence: float) -> Estimate:
    return median_interval(values[np.isfinite(values)], confidence)


@dataclass(frozen=True)
class LyapunovEnsemble(LabelledResult):
    """Finite-time Lyapunov exponents of many theory samples or networks (THEORY.md section 5).

    The theory's :func:`lyapunov_ensemble` and the simulator's
    :func:`simulate.lyapunov.lyapunov_ensemble` both return it.

    Attributes
    ----------
    maximal : (n_samples,)
        Growth of a microscopic kick including the population mode (theory:
        module docstring) or the Benettin exponent (networks).
    macro : (n_samples,)
        Macro finite-time exponent: growth of a perturbation of h.
    h_T : (n_samples,)
        h(T) of the path of the macro exponent.
    micro : (n_samples,) or None
        Theory only: the micro exponent along the fixed population path (eq. 5.L).
    failures : int
        Theory: tangent solves that stopped at a negative pivot; networks:
        realisations whose state became NaN or infinite. Their entries are
        NaN; the medians are over the finite entries and report their count n.
    provenance : Provenance or None
    """

    maximal: np.ndarray
    macro: np.ndarray
    h_T: np.ndarray
    micro: np.ndarray | None = None
    failures: int = 0
    provenance: Provenance | None = None

    dims = {"maximal": ("sample",), "macro": ("sample",), "h_T": ("sample",), "micro": ("sample",)}

    @property
    def n_samples(self) -> int:
        return int(self.macro.shape[0])

    def median_micro(self, confidence: float = 0.95) -> Estimate:
        """Median of the micro exponent (theory only) with an order-statistic interval."""
        if self.micro is None:
            raise ValueError("networks have no micro exponent along a fixed population path (theory only)")
        return _finite_median(self.micro, confidence)

    def median_maximal(self, confidence: float = 0.95) -> Estimate:
        """Median of the maximal exponent with an order-statistic interval."""
        return _finite_median(self.maximal, confidence)

    def median_macro(self, confidence: float = 0.95) -> Estimate:
        """Median of the macro exponent with an order-statistic interval."""
        return _finite_median(self.macro, confidence)


def lyapunov_ensemble(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    n_samples: int,
    seed,
    window=None,
    micro_window=None,
    workers: int = 1,
    settings: SolverSettings = TANGENT_SETTINGS,
    quadrature_order: int = 24,
    store_dir=None,
    progress: bool = True,
) -> LyapunovEnsemble:
    """Micro, maximal and macro finite-time exponents of ``n_samples`` theory samples (THEORY.md section 5).

    Sample i uses two children of the i-th child of ``seed``: one for the
    macro tangent (whose base path also gives the micro exponent of eq. 5.L)
    and one for the maximal exponent. ``window`` = (t_a, t_b) is the macro
    window, ``micro_window`` that of the micro and maximal exponents (default:
    ``window``; both default to (0, T)). ``quadrature_order`` is that of eq. 5.L.
    ``store_dir`` saves each sample as it finishes and resumes from what is there.
    """
    model_arguments(network, inputs, grid, initial, settings=settings)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    require_tangent_phi(network, "meanfield.lyapunov.lyapunov_ensemble", MACRO_BY_DIFFERENCES)
    micro_window = window if micro_window is None else micro_window
    window_indices(grid.times, window)
    window_indices(grid.times, micro_window, "micro_window")
    quadrature_order = count("quadrature_order", quadrature_order, lo=2)
    settings.check_for(network.phi.name)
    inputs.check_against(network)
    run = map_seeds(
        _lyapunov_sample, n_samples, seed, function="meanfield.lyapunov.lyapunov_ensemble",
        context=dict(network=network, inputs=inputs, grid=grid, initial=initial, window=window,
                     micro_window=micro_window, settings=settings, order=quadrature_order),
        workers=workers, progress=progress, store_dir=store_dir, desc="lyapunov",
    )
    return LyapunovEnsemble(maximal=run.stack("maximal", float), macro=run.stack("macro", float),
                            h_T=run.stack("h_T", float), micro=run.stack("micro", float),
                            failures=run.total("failures"), provenance=run.provenance)
