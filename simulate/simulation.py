"""Simulate one realisation of the network of THEORY.md section 1.

A run whose state becomes NaN or infinite stops at that step with a
:class:`NonFiniteStateError` (the kernels check the moments of every step,
:func:`simulate.kernels.check_finite`); it never returns non-finite paths.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from meanfield.arguments import seed_record, seed_sequence
from meanfield.model import InitialState, Inputs, Network, TimeGrid
from meanfield.results import Provenance
from meanfield.runner import describe

from . import kernels
from .couplings import GaussianCouplings
from .drive import build_drive
from .engine import Records, integrate
from .options import RunOptions, Setup, make_setup
from .realisation import Realisation, realise
from .result import SimulationResult


class NonFiniteStateError(FloatingPointError):
    """The state of a simulated network became NaN or infinite.

    Attributes
    ----------
    step : int
        First Euler step k whose state x(t_k) or phi(x(t_k)) is not finite.
    time : float
        t_k = k dt.
    replica : int
        The replica where it happened first.
    seed : dict
        Seed record of the realisation (``meanfield.arguments.seed_record``).
    """

    def __init__(self, message: str, *, step: int, time: float, replica: int, seed: dict):
        super().__init__(message)
        self.step, self.time, self.replica, self.seed = step, time, replica, seed

    def __reduce__(self):  # keyword-only fields: pickle (process pools) needs them spelled out
        return _rebuild_error, (str(self), self.step, self.time, self.replica, self.seed)


def _rebuild_error(message, step, time, replica, seed):
    return NonFiniteStateError(message, step=step, time=time, replica=replica, seed=seed)


def _non_finite_error(exc: FloatingPointError, realisation: Realisation, setup: Setup):
    """The NonFiniteStateError for a kernel's ``(NONFINITE_STATE, k, r)``, or None for another error."""
    if len(exc.args) != 3 or exc.args[0] != kernels.NONFINITE_STATE:
        return None  # e.g. numpy under np.seterr(all="raise"): not ours to rephrase
    k, r = int(exc.args[1]), int(exc.args[2])
    dt = setup.grid.dt
    net = setup.network
    seed = seed_record(realisation.seed)
    where = ("at step 0 (t = 0, phi of the initial state)" if k == 0 else
             f"at step {k} (t = {k * dt:g}; finite at t = {(k - 1) * dt:g})")
    if not net.phi.builtin:
        cause = (f"phi = {net.phi.name!r} is a custom function: unbounded (the activity runs away) or "
                 "undefined where the state went; use a bounded phi (tanh, erf) or one defined everywhere")
    elif net.phi.is_linear:
        cause = (f"with phi = 'linear' this network (g = {net.g:g}, J0 = {net.J0:g}, lambda0 = "
                 f"{net.lambda0:g}) is unstable and grows exponentially until it overflows; use phi = "
                 "'tanh' or 'erf', a weaker coupling, or a shorter T")
    else:
        cause = (f"phi = {net.phi.name!r} is bounded, so the parameters or inputs are extreme "
                 f"(g = {net.g:g}, J0 = {net.J0:g}, lambda0 = {net.lambda0:g}); check them")
    if setup.options.dtype == np.float32:
        cause += "; float64 postpones an overflow"
    message = (f"the network state became NaN or infinite {where} in replica {r} of the realisation "
               f"with seed {seed}: {cause}")
    return NonFiniteStateError(message, step=k, time=k * dt, replica=r, seed=seed)


def run(
    network: Network,
    inputs=Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial=InitialState(),
    *,
    seed=0,
    dtype=np.float64,
    replicas: int = 1,
    shared_initial_noise: bool = False,
    x0=None,
    delta_every: int | None = None,
    trace_neurons=None,
    keep_final_state: bool = False,
    engine: str = "auto",
    couplings=GaussianCouplings(),
) -> SimulationResult:
    """Integrate one network realisation with forward Euler (THEORY.md section 1).

    x(t+dt) = x + dt (-x + J phi(x) + I(t)), J = (g z + u v^T) / sqrt(N), the
    input of step k -> k+1 taken at t_k; observables as in section 1
    "Observables", recorded every ``grid.stride`` steps.

    Parameters
    ----------
    network : Network
    inputs : Inputs or sequence of R Inputs
        One for all replicas or one per replica.
    grid : TimeGrid
    initial : InitialState or sequence of R InitialState
        x_i(0) = h0 + sigma0 u_i (section 1); ignored when ``x0`` is given.
    seed : int or SeedSequence
        Realisation seed: ``SeedSequence(seed).spawn(3)`` seeds (z, p, u)
        (see :mod:`simulate.realisation`).
    dtype : numpy.float32 or numpy.float64
    replicas : int
        Number R of trajectories on the same z (section 5).
    shared_initial_noise : bool
        All replicas use replica 0's u.
    x0 : array of shape (N,) or (R, N), optional
        Explicit initial states.
    delta_every : int, optional
        Also return Delta(t,s) on the steps 0, delta_every, 2 delta_every, ...
    trace_neurons : sequence of int, optional
        Record x_i(t) of these neurons.
    keep_final_state : bool
        Return x(T).
    engine : {"auto", "rows", "blas"}
        Row kernel or BLAS-3 product per step (:mod:`simulate.engine`).
    couplings : CouplingLaw
        Law and storage of z (:mod:`simulate.couplings`): the default iid
        N(0, 1) dense, or e.g. ``CompactCouplings()`` (int8, 1 byte per coupling).

    Returns
    -------
    SimulationResult

    Raises
    ------
    ValueError
        For inputs that do not fit the network, replicas < 1, bad shapes or
        non-finite x0.
    NonFiniteStateError
        If the state becomes NaN or infinite (the run stops at that step).
    """
    options = RunOptions(
        dtype=dtype, replicas=replicas, shared_initial_noise=shared_initial_noise,
        delta_every=delta_every,
        trace_neurons=None if trace_neurons is None else tuple(np.atleast_1d(trace_neurons)),
        keep_final_state=keep_final_state, engine=engine, couplings=couplings,
    )
    setup = make_setup(network, inputs, grid, initial, options)
    x0 = None if x0 is None else _check_x0(x0, network.N, options.replicas)
    ss = seed_sequence(seed)
    result = simulate_realisation(realise(network, ss, options.dtype, options.couplings), setup, x0=x0)
    params = setup.to_dict() if x0 is None else {**setup.to_dict(), "x0": describe(np.asarray(x0))}
    return replace(result, provenance=Provenance(function="simulate.run", params=params, seed=seed_record(ss)))


def _check_x0(x0, N: int, R: int) -> np.ndarray:
    x0 = np.asarray(x0, dtype=np.float64)
    if x0.ndim == 1:
        x0 = np.broadcast_to(x0, (R, x0.shape[0]))
    if x0.shape != (R, N):
        raise ValueError(f"x0 must have shape ({N},) or ({R}, {N}), got {np.shape(x0)}")
    if not np.all(np.isfinite(x0)):
        raise ValueError("x0 contains NaN or infinite values")
    return x0


def initial_states(realisation: Realisation, setup: Setup) -> np.ndarray:
    """x_i^r(0) = h0_r + sigma0_r u_i^r for every replica r, shape (R, N), float64."""
    R = setup.options.replicas
    shared = setup.options.shared_initial_noise
    x0 = np.empty((R, realisation.network.N))
    for r, ini in enumerate(setup.initial):
        u = realisation.initial_noise(0 if shared else r)
        x0[r] = ini.h0 + ini.sigma0 * u
    return x0


def simulate_realisation(
    realisation: Realisation, setup: Setup, x0: np.ndarray | None = None
) -> SimulationResult:
    """Run a validated :class:`~simulate.options.Setup` on a drawn realisation.

    Lets one z serve several simulations without drawing it again.

    Parameters
    ----------
    realisation : Realisation
        From :func:`simulate.realise` with the dtype of ``setup.options``.
    setup : Setup
        From :func:`simulate.options.make_setup`.
    x0 : (R, N) array, optional
        Explicit initial states (default: :func:`initial_states`).

    Returns
    -------
    SimulationResult

    Raises
    ------
    NonFiniteStateError
        If the state becomes NaN or infinite (the run stops at that step).
    """
    net, grid, opt = setup.network, setup.grid, setup.options
    if realisation.network != net:
        raise ValueError("the realisation was drawn for another network")
    couplings = realisation.couplings
    if couplings.dtype != opt.dtype:
        raise ValueError(
            f"the realisation holds z in {couplings.dtype}, the options ask for {opt.dtype}"
        )
    if couplings.law != opt.couplings:
        raise ValueError(f"the realisation's couplings follow {couplings.law!r}, the options ask for "
                         f"{opt.couplings!r}: realise it with couplings={opt.couplings!r}, or pass its law "
                         "in the options")
    if x0 is None:
        x0 = initial_states(realisation, setup)
    engine = couplings.resolve_engine(opt.engine, opt.replicas, net.phi.builtin)
    snap_every = opt.delta_every or 0
    trace_idx = opt.trace_index(net)
    try:
        rec = integrate(
            couplings, x0, realisation.gain, net.mean_weights(), realisation.pattern,
            build_drive(net, setup.inputs, grid), grid.dt, net.phi,
            stride=grid.stride, snap_every=snap_every, trace_idx=trace_idx, engine=engine,
        )
    except FloatingPointError as exc:
        err = _non_finite_error(exc, realisation, setup)
        if err is None:
            raise
        raise err from None
    return _result(rec, setup, trace_idx)


def nan_result(setup: Setup) -> SimulationResult:
    """A result of the shapes a run of ``setup`` records, every observable NaN (a failed realisation)."""
    net, grid, opt = setup.network, setup.grid, setup.options
    R, n_rec = opt.replicas, grid.record_steps.size
    trace_idx = opt.trace_index(net)
    n_snap = grid.n_steps // opt.delta_every + 1 if opt.delta_every else 0
    rec = Records(obs=np.full((n_rec, R, 4), np.nan), snaps=np.full((n_snap, R, net.N), np.nan),
                  traces=np.full((n_rec, R, trace_idx.size), np.nan),
                  final=np.full((R, net.N), np.nan, dtype=opt.dtype))
    return _result(rec, setup, trace_idx)


def _result(rec: Records, setup: Setup, trace_idx: np.ndarray) -> SimulationResult:
    net, grid, opt = setup.network, setup.grid, setup.options
    snap_every = opt.delta_every or 0

    def squeeze(a):
        return np.ascontiguousarray(a[0] if opt.replicas == 1 else a)

    obs = np.transpose(rec.obs, (1, 2, 0))  # (R, 4, n_rec)
    kw = {}
    if snap_every:
        Y = np.transpose(rec.snaps, (1, 0, 2))  # (R, n_snap, N)
        kw["delta_times"] = np.arange(0, grid.n_steps + 1, snap_every) * grid.dt
        kw["delta_ts"] = squeeze(np.matmul(Y, np.transpose(Y, (0, 2, 1))) / net.N)
    if trace_idx.size:
        kw["trace_neurons"] = trace_idx
        kw["traces"] = squeeze(np.transpose(rec.traces, (1, 0, 2)))
    if opt.keep_final_state:
        kw["final_state"] = squeeze(rec.final)
    return SimulationResult(
        grid=grid,
        replicas=opt.replicas,
        times=grid.record_times,
        h=squeeze(obs[:, 0]),
        m=squeeze(obs[:, 1]),
        M=squeeze(obs[:, 2]),
        delta_tt=squeeze(obs[:, 3]),
        **kw,
    )
