"""Lyapunov exponents of a realised network (THEORY.md sections 1 and 5).

The Euler map x_{k+1} = x_k + dt (-x_k + J phi(x_k) + I(t_k)) has the tangent map

    v_{k+1} = (1 - dt) v_k + dt J (phi'(x_k) * v_k),   J = (g z + u v^T) / sqrt(N),

integrated here alongside the state (J is never formed: J y = (g/sqrt N) z y + u (v . y)/sqrt N).

* Maximal exponent (Benettin et al. 1980): a random unit tangent vector,
  renormalised every ``renorm_every`` steps; lambda_max = sum of the log
  norm growth factors over the window / its length. Its theory counterpart
  is :func:`meanfield.lyapunov.maximal_exponent` (a microscopic kick that
  also moves the population mode).
* Macroscopic finite-time exponent: a second tangent vector started along the
  uniform direction u = (1, ..., 1) (h0 -> h0 + delta), not renormalised;
  its population component dh_k = (1/N) sum_i v_i(t_k) gives
  lambda_macro = log(|dh(t_b)| / |dh(t_a)|) / (t_b - t_a), the
  counterpart of :func:`meanfield.lyapunov.macro_exponent` (the tangent of
  h for a shift of h0).

Tangent vectors are O(1) linear objects; the macro tangent is rescaled
(its log scale tracked) so that it neither overflows nor underflows.

A run whose state (or a tangent vector) becomes NaN or infinite stops with
:class:`simulate.NonFiniteStateError`, as :func:`simulate.run` does; it never
returns NaN exponents. :func:`lyapunov_ensemble` records such a network as a
failure (NaN entries, counted in ``LyapunovEnsemble.failures``) and warns
naming it, as :func:`simulate.sample` does.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from numba import njit

from meanfield.arguments import count, ensemble_arguments, model_arguments, seed_record
from meanfield.lyapunov import LyapunovEnsemble
from meanfield.model import InitialState, Inputs, Network, TimeGrid
from meanfield.results import LabelledResult
from meanfield.runner import map_seeds
from meanfield.tangent import window_indices

from . import kernels
from .couplings import DenseCouplings
from .drive import build_drive
from .ensembles import FailedRealisationWarning
from .options import RunOptions, Setup, make_setup
from .realisation import Realisation, child_seed, realise
from .simulation import NonFiniteStateError, _non_finite_error, initial_states

# The tangent seed of a realisation: child 3 of its SeedSequence (children 0-2 seed z, p, u).
TANGENT_CHILD = 3


@njit(cache=True)
def _z_times(z, Yt, out):
    """out[c] = z @ Yt[c] for the 3 rows of Yt, serial: on a shared 2-core machine a threaded BLAS
    call per step was measured 15x slower than this loop (N = 1000)."""
    N = Yt.shape[1]
    y0, y1, y2 = Yt[0], Yt[1], Yt[2]
    for i in range(z.shape[0]):
        zi = z[i]
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        for j in range(N):
            a0 += zi[j] * y0[j]
            a1 += zi[j] * y1[j]
            a2 += zi[j] * y2[j]
        out[0, i] = a0
        out[1, i] = a1
        out[2, i] = a2


@dataclass(frozen=True)
class LyapunovRun(LabelledResult):
    """Tangent-space run of one realisation.

    Attributes
    ----------
    times : (K+1,)
    log_norm : (K+1,)
        Accumulated log of the Benettin tangent norm (relative to t = 0; the
        norm is (1/N) |v|^2 to the power 1/2).
    log_dh : (K+1,)
        log |dh(t_k)| of the macro tangent (dh(0) = 1).
    h : (K+1,)
        Population state of the trajectory.
    """

    times: np.ndarray
    log_norm: np.ndarray
    log_dh: np.ndarray
    h: np.ndarray

    dims = {"log_norm": ("time",), "log_dh": ("time",), "h": ("time",)}
    coords = {"time": "times"}

    def maximal_exponent(self, window=None) -> float:
        """Benettin maximal exponent on ``window`` = (t_a, t_b) (default (0, T))."""
        a, b = window_indices(self.times, window)
        return float((self.log_norm[b] - self.log_norm[a]) / (self.times[b] - self.times[a]))

    def macro_exponent(self, window=None) -> float:
        """Finite-time exponent of the population perturbation on ``window``."""
        a, b = window_indices(self.times, window)
        return float((self.log_dh[b] - self.log_dh[a]) / (self.times[b] - self.times[a]))


def lyapunov_run(
    realisation: Realisation,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    renorm_every: int = 1,
    tangent_seed=None,
    x0=None,
) -> LyapunovRun:
    """Integrate one realisation with a Benettin tangent and a macro tangent (module docstring).

    Parameters
    ----------
    realisation : Realisation
        From :func:`simulate.realise` (float64 or float32 z, or any coupling law; the tangents are float64).
    inputs, grid, initial
        As for :func:`simulate.run` (one replica).
    renorm_every : int
        Renormalise the Benettin vector every this many steps.
    tangent_seed : int or SeedSequence, optional
        Seed of the random initial Benettin vector (default: child 3 of the
        realisation seed).
    x0 : (N,) array, optional
        Initial state (default x_i(0) = h0 + sigma0 u_i as in :func:`simulate.run`).

    Returns
    -------
    LyapunovRun

    Raises
    ------
    NonFiniteStateError
        If the state x, phi(x) or a tangent vector becomes NaN or infinite
        (the run stops at that step, as :func:`simulate.run` does).
    """
    net = realisation.network
    count("renorm_every", renorm_every)
    setup = make_setup(net, inputs, grid, initial, RunOptions())
    N, K, dt = net.N, grid.n_steps, grid.dt
    if x0 is None:
        x = initial_states(realisation, setup)[0]
    else:
        x = np.array(x0, dtype=float)
        if x.shape != (N,) or not np.all(np.isfinite(x)):
            raise ValueError(f"x0 must be a finite array of shape ({N},)")
    drive = build_drive(net, setup.inputs, grid)
    if tangent_seed is None:
        tangent_seed = child_seed(realisation.seed, TANGENT_CHILD)
    rng = np.random.default_rng(tangent_seed)
    v_mean = net.mean_weights() / math.sqrt(N)
    gain = realisation.gain
    z = realisation.couplings
    phi, dphi = net.phi.func, net.phi.prime

    ZY = np.empty((3, N))
    Y = np.empty((3, N))                # rows: phi(x), phi'(x) * benettin, phi'(x) * macro
    b = rng.standard_normal(N)
    b /= math.sqrt(b @ b / N)
    c = np.ones(N)                      # macro tangent: dh(0) = 1
    log_norm = np.zeros(K + 1)
    log_dh = np.zeros(K + 1)
    h = np.zeros(K + 1)
    acc_b = 0.0
    acc_c = 0.0
    for k in range(K + 1):
        h[k] = x.mean()
        nb = math.sqrt(b @ b / N)
        dh = c.mean()
        # a NaN or inf anywhere in x, b or c reaches these sums and is absorbing: without this check
        # the run would go on and return NaN or infinite exponents
        if not math.isfinite(h[k]):
            raise _non_finite_error(FloatingPointError(kernels.NONFINITE_STATE, k, 0), realisation, setup)
        if not (math.isfinite(nb) and math.isfinite(dh)):
            raise _tangent_error(k, "Benettin" if not math.isfinite(nb) else "macro", renorm_every,
                                 realisation, setup)
        log_norm[k] = acc_b + math.log(nb)
        log_dh[k] = acc_c + (math.log(abs(dh)) if dh != 0 else -math.inf)
        if k == K:
            break
        if k % renorm_every == 0:
            acc_b += math.log(nb)
            b /= nb
        nc = math.sqrt(c @ c / N)
        if nc > 1e50 or nc < 1e-50:
            acc_c += math.log(nc)
            c /= nc
        d = dphi(x)
        Y[0] = phi(x)
        if not math.isfinite(Y[0].sum()):  # a finite x where phi is undefined (a custom phi)
            raise _non_finite_error(FloatingPointError(kernels.NONFINITE_STATE, k, 0), realisation, setup)
        Y[1] = d * b
        Y[2] = d * c
        if isinstance(z, DenseCouplings):
            _z_times(z.z, Y, ZY)
        else:  # another coupling law: its own products
            for c_ in range(3):
                ZY[c_] = z.matvec(Y[c_])
        G = gain * ZY + (Y @ v_mean)[:, None]             # J @ Y without forming J
        I_k = drive.uniform[k, 0] + drive.pattern[k, 0] * realisation.pattern + drive.sparse[k, 0] * drive.mask[0]
        x = x + dt * (-x + G[0] + I_k)
        b = (1.0 - dt) * b + dt * G[1]
        c = (1.0 - dt) * c + dt * G[2]
    return LyapunovRun(times=grid.times, log_norm=log_norm, log_dh=log_dh, h=h)


def _tangent_error(k: int, which: str, renorm_every: int, realisation: Realisation,
                   setup: Setup) -> NonFiniteStateError:
    """The error for a tangent vector that became NaN or infinite while the state stayed finite."""
    dt = setup.grid.dt
    seed = seed_record(realisation.seed)
    cause = (f"phi' of phi = {setup.network.phi.name!r} is not finite where the state went"
             if which == "macro" else
             f"phi' of phi = {setup.network.phi.name!r} is not finite where the state went, or the vector "
             f"overflowed between renormalisations (renorm_every = {renorm_every}; renormalise more often)")
    message = (f"the {which} tangent vector became NaN or infinite at step {k} (t = {k * dt:g}) of the "
               f"realisation with seed {seed}, the state still finite: {cause}")
    return NonFiniteStateError(message, step=k, time=k * dt, replica=0, seed=seed)


def _lyapunov_task(i, ss, *, network, inputs, grid, initial, window, micro_window, renorm_every):
    try:
        run = lyapunov_run(realise(network, ss), inputs, grid, initial, renorm_every=renorm_every)
    except NonFiniteStateError as exc:
        # same seed, same failure: stored and resumed like any other item, counted in `failures`
        nan = np.float64(np.nan)
        return {"maximal": nan, "macro": nan, "h_T": nan, "failures": np.int64(1), "error": np.array(str(exc))}
    return {"maximal": np.float64(run.maximal_exponent(micro_window)),
            "macro": np.float64(run.macro_exponent(window)), "h_T": np.float64(run.h[-1]),
            "failures": np.int64(0)}


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
    renorm_every: int = 1,
    workers: int = 1,
    store_dir=None,
    progress: bool = True,
) -> LyapunovEnsemble:
    """Benettin (maximal) and macro exponents of ``n_samples`` networks (THEORY.md section 5; module docstring).

    Realisation i uses the i-th child of ``seed``. The simulation counterpart
    of :func:`meanfield.lyapunov.lyapunov_ensemble` (``micro`` is None: a
    network has no fixed population path).
    ``window`` = (t_a, t_b) is the window of the macro exponent, ``micro_window``
    that of the Benettin exponent (default: ``window``; both default to (0, T)).

    Returns
    -------
    LyapunovEnsemble
        ``failures`` counts the networks whose state or a tangent vector
        became NaN or infinite (:func:`lyapunov_run` raised
        NonFiniteStateError); their entries are NaN.

    Raises
    ------
    ValueError
        For invalid arguments, before any network is simulated.

    Warns
    -----
    FailedRealisationWarning
        Naming each failed network and where it failed.
    """
    # every argument is checked here, before the first network is drawn and integrated
    model_arguments(network, inputs, grid, initial)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    count("renorm_every", renorm_every)
    micro_window = window if micro_window is None else micro_window
    window_indices(grid.times, window)
    window_indices(grid.times, micro_window, "micro_window")
    make_setup(network, inputs, grid, initial, RunOptions())
    run = map_seeds(
        _lyapunov_task, n_samples, seed, function="simulate.lyapunov.lyapunov_ensemble",
        context=dict(network=network, inputs=inputs, grid=grid, initial=initial, window=window,
                     micro_window=micro_window, renorm_every=renorm_every),
        workers=workers, progress=progress, store_dir=store_dir, desc="lyapunov",
    )
    failed = [(i, str(it["error"])) for i, it in enumerate(run.items) if int(it.get("failures", 0))]
    if failed:
        lines = "\n".join(f"  realisation {i}: {msg}" for i, msg in failed)
        warnings.warn(
            f"simulate.lyapunov.lyapunov_ensemble: {len(failed)} of {len(run.items)} networks failed; their "
            f"exponents are NaN and LyapunovEnsemble.failures counts them:\n{lines}",
            FailedRealisationWarning, stacklevel=2,
        )
    return LyapunovEnsemble(maximal=run.stack("maximal", float), macro=run.stack("macro", float),
                            h_T=run.stack("h_T", float), failures=len(failed), provenance=run.provenance)
