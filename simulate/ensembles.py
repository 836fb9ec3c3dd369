"""Ensembles over network realisations, on :mod:`meanfield.runner`.

Realisation i is simulated with the i-th child of ``SeedSequence(seed)``
(``meanfield.runner.spawn_seeds``), so its result does not depend on the
number of workers, on the number of realisations requested, or on which
realisations an interrupted run had already stored.

A realisation whose state becomes NaN or infinite does not cost the
ensemble: it is recorded as failed (NaN arrays, ``SimulationEnsemble.failed``)
and :func:`sample` warns naming it, like the failures counted by the
Lyapunov ensembles.
"""

from __future__ import annotations

import numpy as np

from meanfield.arguments import ensemble_arguments, model_arguments
from meanfield.model import InitialState, Inputs, Network, StateCriteria, TimeGrid
from meanfield.runner import FailedSampleWarning, map_seeds, warn_failed

from .couplings import GaussianCouplings
from .options import RunOptions, Setup, make_setup
from .realisation import realise
from .result import SimulationEnsemble, stack_results
from .simulation import NonFiniteStateError, nan_result, simulate_realisation


class FailedRealisationWarning(FailedSampleWarning):
    """Some realisations of an ensemble failed (non-finite state) and are recorded as NaN."""


def _simulate_one(i: int, seed: np.random.SeedSequence, *, setup: Setup) -> dict:
    # module level so that spawned worker processes can unpickle it
    real = realise(setup.network, seed, setup.options.dtype, setup.options.couplings)
    try:
        return simulate_realisation(real, setup).to_arrays()
    except NonFiniteStateError as exc:
        # same seed, same failure: the item may be stored and resumed like any other
        return {**nan_result(setup).to_arrays(), "failed": np.int8(1), "error": np.array(str(exc))}


def sample(
    network: Network,
    inputs=Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial=InitialState(),
    *,
    n_samples: int,
    seed,
    workers: int = 1,
    store_dir=None,
    progress: bool = True,
    dtype=np.float64,
    replicas: int = 1,
    shared_initial_noise: bool = False,
    delta_every: int | None = None,
    trace_neurons=None,
    keep_final_state: bool = False,
    engine: str = "auto",
    criteria: StateCriteria = StateCriteria(),
    couplings=GaussianCouplings(),
) -> SimulationEnsemble:
    """Simulate ``n_samples`` independent network realisations (THEORY.md sections 1 and 7).

    Each realisation draws its own z, p and u (:mod:`simulate.realisation`)
    and is integrated as by :func:`simulate.run` with the same options; the
    simulation counterpart of :func:`meanfield.sample`.

    Parameters
    ----------
    network, inputs, grid, initial
        As for :func:`simulate.run`.
    n_samples : int
        Number of networks (>= 1).
    seed : int or SeedSequence
        Root seed; realisation i uses its i-th child.
    workers : int
        Processes (``meanfield.runner.map_seeds``); results are identical
        for any number. Each worker gets cores // workers Numba threads (the
        row engine); the BLAS engine (the automatic choice for most sizes,
        :func:`simulate.engine.choose_engine`) already uses every core
        through BLAS, whose thread count workers inherit unchanged, so many
        small networks gain from workers and a few large ones do not.
    store_dir : path, optional
        A :class:`meanfield.runner.ResultStore` directory: finished
        realisations are saved as they complete and loaded, not recomputed,
        when the ensemble is run again (resume after an interruption, or
        extend to more realisations).
    progress : bool
        Show a progress bar.
    dtype, replicas, shared_initial_noise, delta_every, trace_neurons,
    keep_final_state, engine, couplings
        As for :func:`simulate.run`.
    criteria : StateCriteria
        Default thresholds of the state classifier (section 7).

    Returns
    -------
    SimulationEnsemble
        ``failed`` marks the realisations whose state became NaN or infinite
        (their arrays are NaN).

    Raises
    ------
    ValueError
        Before any realisation is simulated: for model arguments or
        ``criteria`` of the wrong type, invalid options, n_samples < 1,
        workers < 1, a bad seed or ``store_dir``; later, for a store
        directory holding a different ensemble.

    Warns
    -----
    FailedRealisationWarning
        Naming each failed realisation, its seed and where it failed.
    """
    # every argument is checked here, before the first realisation is drawn and integrated
    model_arguments(network, inputs, grid, initial, criteria=criteria, per_replica=True)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    options = RunOptions(
        dtype=dtype, replicas=replicas, shared_initial_noise=shared_initial_noise,
        delta_every=delta_every,
        trace_neurons=None if trace_neurons is None else tuple(np.atleast_1d(trace_neurons)),
        keep_final_state=keep_final_state, engine=engine, couplings=couplings,
    )
    setup = make_setup(network, inputs, grid, initial, options)
    if workers > 1:
        _warm_up(setup)
    run = map_seeds(_simulate_one, n_samples, seed, function="simulate.sample", context={"setup": setup},
                    workers=workers, progress=progress, store_dir=store_dir, desc="simulate")
    warn_failed("simulate.sample", "realisation", run.items, category=FailedRealisationWarning)
    return stack_results(grid, options.replicas, run.items, criteria=criteria, provenance=run.provenance)


def _warm_up(setup: Setup) -> None:
    """Compile (and cache) the kernels once here, not in every worker at once."""
    # big enough for every coupling law (a sparse law needs round(c N) >= 1 partners)
    N = max(4, setup.options.couplings.smallest_network())
    net = Network(N=N, g=setup.network.g, J0=setup.network.J0, f=0.5, phi=setup.network.phi)
    grid = TimeGrid(dt=0.5, T=1.0)
    opt = RunOptions(dtype=setup.options.dtype, replicas=setup.options.replicas,
                     engine=setup.options.engine, couplings=setup.options.couplings)
    tiny = make_setup(net, Inputs(), grid, InitialState(), opt)
    try:
        simulate_realisation(realise(net, 0, opt.dtype, opt.couplings), tiny)
    except NonFiniteStateError:  # compiled all the same; the real runs report their own failures
        pass
