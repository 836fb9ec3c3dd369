"""Ensembles over network realisations, on :mod:`meanfield.runner`.

Realisation i is simulated with the i-th child of ``SeedSequence(seed)``
(``meanfield.runner.spawn_seeds``), so its result does not depend on the
number of workers, on the number of realisations requested, or on which
realisations an interrupted run had already stored.
"""

from __future__ import annotations

import functools

import numpy as np

from meanfield.model import InitialState, Inputs, Network, TimeGrid
from meanfield.runner import ResultStore, run_ensemble, seed_record, spawn_seeds

from .options import RunOptions, Setup, make_setup
from .realisation import as_seed_sequence, realise
from .result import EnsembleResult, stack_results
from .simulation import simulate_realisation

STORE_KIND = "simulate.ensemble"


def _simulate_one(setup: Setup, index: int, seed: np.random.SeedSequence) -> dict:
    # module level so that spawned worker processes can unpickle it
    real = realise(setup.network, seed, setup.options.dtype)
    return simulate_realisation(real, setup).to_arrays()


def ensemble(
    network: Network,
    inputs=Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial=InitialState(),
    n_realisations: int = 10,
    seed=0,
    workers: int = 1,
    store_dir=None,
    progress: bool = True,
    *,
    dtype=np.float64,
    replicas: int = 1,
    shared_initial_noise: bool = False,
    delta_every: int | None = None,
    trace_neurons=None,
    keep_final_state: bool = False,
    engine: str = "auto",
) -> EnsembleResult:
    """Simulate independent realisations of the network (THEORY.md sections 1 and 7).

    Each realisation draws its own z, p and u (:mod:`simulate.realisation`)
    and is integrated as by :func:`simulate.run` with the same options.

    Parameters
    ----------
    network, inputs, grid, initial
        As for :func:`simulate.run`.
    n_realisations : int
        Number of networks (>= 1).
    seed : int or SeedSequence
        Root seed; realisation i uses its i-th child.
    workers : int
        Processes (``meanfield.runner.run_ensemble``); results are identical
        for any number. Each worker gets cores // workers Numba threads, which
        suits the row engine (one or a few replicas). The BLAS engine
        (``replicas >= 8``) already uses every core through BLAS, whose
        thread count workers inherit unchanged: prefer ``workers=1`` there,
        since two threaded BLAS processes per core pair were measured several
        times slower.
    store_dir : path, optional
        A :class:`meanfield.runner.ResultStore` directory: finished
        realisations are saved as they complete and loaded, not recomputed,
        when the ensemble is run again (resume after an interruption, or
        extend to more realisations).
    progress : bool
        Show a progress bar.
    dtype, replicas, shared_initial_noise, delta_every, trace_neurons,
    keep_final_state, engine
        As for :func:`simulate.run`.

    Returns
    -------
    EnsembleResult

    Raises
    ------
    ValueError
        For invalid options, n_realisations < 1 or workers < 1, or a store
        directory holding a different ensemble.
    """
    if isinstance(n_realisations, bool) or not isinstance(n_realisations, (int, np.integer)) \
            or n_realisations < 1:
        raise ValueError(f"n_realisations must be an integer >= 1, got {n_realisations!r}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    options = RunOptions(
        dtype=dtype, replicas=replicas, shared_initial_noise=shared_initial_noise,
        delta_every=delta_every,
        trace_neurons=None if trace_neurons is None else tuple(np.atleast_1d(trace_neurons)),
        keep_final_state=keep_final_state, engine=engine,
    )
    setup = make_setup(network, inputs, grid, initial, options)
    root = as_seed_sequence(seed)
    seeds = spawn_seeds(root, int(n_realisations))
    store = None
    if store_dir is not None:
        store = ResultStore(
            store_dir, params=setup.to_dict(), seed_root=seed_record(root),
            n_items=int(n_realisations), kind=STORE_KIND,
        )
    if workers > 1:
        _warm_up(setup)
    items = run_ensemble(
        functools.partial(_simulate_one, setup), seeds,
        workers=int(workers), progress=progress, store=store, desc="simulate",
    )
    return stack_results(grid, options.replicas, [seed_record(s) for s in seeds], items)


def _warm_up(setup: Setup) -> None:
    """Compile (and cache) the kernels once here, not in every worker at once."""
    net = Network(N=4, g=setup.network.g, J0=setup.network.J0, f=0.5, phi=setup.network.phi)
    grid = TimeGrid(dt=0.5, T=1.0)
    opt = RunOptions(dtype=setup.options.dtype, replicas=setup.options.replicas,
                     engine=setup.options.engine)
    tiny = make_setup(net, Inputs(), grid, InitialState(), opt)
    simulate_realisation(realise(net, 0, opt.dtype), tiny)
