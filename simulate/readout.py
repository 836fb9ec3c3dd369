"""Readouts and stimulus discrimination of realised networks (THEORY.md sections 1, 5 and 6).

The simulation counterparts of :mod:`meanfield.readout`, with the same
calls and result classes:

* :func:`readout_value`: r = (1/sqrt N) sum_i w_i phi(x_i) of a state;
* :func:`readout_ensemble`: r(T) and h(T) over network realisations
  (a :class:`meanfield.readout.ReadoutEnsemble` with ``sd`` = 0);
* :func:`discriminate`: two stimuli on the same realisation (two replicas,
  same z, same initial state), scored by sign h(T) and by r(T) > theta.

The readout vector w is fixed (drawn independently of z by the caller) and
shared by all realisations, so that its statistics (offset, q_vw, q_ww) are
those of :class:`meanfield.readout.ReadoutWeights.from_vector`.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from meanfield.arguments import ensemble_arguments, model_arguments, number
from meanfield.model import InitialState, Inputs, Network, TimeGrid
from meanfield.readout import Discrimination, ReadoutEnsemble, check_stimuli
from meanfield.runner import map_seeds

from .options import RunOptions, make_setup
from .realisation import realise
from .simulation import simulate_realisation


def readout_value(network: Network, x, w) -> np.ndarray:
    """r = (1/sqrt N) sum_i w_i phi(x_i) (THEORY.md section 1 "Observables") for states x (..., N)."""
    x = np.asarray(x, dtype=float)
    w = _check_w(network, w)
    return np.asarray(network.phi(x)) @ w / math.sqrt(network.N)


def _check_w(network: Network, w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    if w.shape != (network.N,) or not np.all(np.isfinite(w)):
        raise ValueError(f"the readout vector w (weights) must be finite with shape ({network.N},), "
                         f"got {w.shape}; a network needs the vector itself, not its ReadoutWeights statistics")
    return w


#: One network with its final state (for r(T)); two replicas on the same network for the two stimuli.
READOUT_OPTIONS = RunOptions(keep_final_state=True)
DISCRIMINATION_OPTIONS = RunOptions(replicas=2, shared_initial_noise=True, keep_final_state=True)


def _readout_task(i, ss, *, network, inputs, grid, initial, w):
    setup = make_setup(network, inputs, grid, initial, READOUT_OPTIONS)
    res = simulate_realisation(realise(network, ss), setup)
    return {"h_T": np.float64(res.h[-1]), "r_T": np.float64(readout_value(network, res.final_state, w))}


def readout_ensemble(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    weights,
    n_samples: int,
    seed,
    workers: int = 1,
    store_dir=None,
    progress: bool = True,
) -> ReadoutEnsemble:
    """r(T) and h(T) of ``n_samples`` networks (THEORY.md sections 1 and 6; realisation i: i-th child of ``seed``).

    The simulation counterpart of :func:`meanfield.readout.readout_ensemble`.

    Parameters
    ----------
    weights : array (N,)
        The readout vector w.

    Returns
    -------
    ReadoutEnsemble
        ``mean`` is the realised r(T) of each network and ``sd`` is 0.

    Raises
    ------
    ValueError
        For invalid arguments, before any network is simulated.
    simulate.NonFiniteStateError
        If the state of a network becomes NaN or infinite.
    """
    # every argument is checked here, before the first network is drawn and integrated
    model_arguments(network, inputs, grid, initial)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    make_setup(network, inputs, grid, initial, READOUT_OPTIONS)
    w = _check_w(network, weights)
    run = map_seeds(
        _readout_task, n_samples, seed, function="simulate.readout.readout_ensemble",
        context=dict(network=network, inputs=inputs, grid=grid, initial=initial, w=w),
        workers=workers, progress=progress, store_dir=store_dir, desc="readout",
    )
    r_T = run.stack("r_T", float)
    return ReadoutEnsemble(mean=r_T, sd=np.zeros_like(r_T), h_T=run.stack("h_T", float),
                           provenance=run.provenance)


def _discrimination_task(i, ss, *, network, stimuli, grid, initial, w, theta):
    setup = make_setup(network, list(stimuli), grid, initial, DISCRIMINATION_OPTIONS)
    res = simulate_realisation(realise(network, ss), setup)
    out = {"h_T": res.h[:, -1].copy()}
    if w is not None:
        r_T = readout_value(network, res.final_state, w)
        out["r_T"] = r_T
        out["above"] = (r_T > theta).astype(float)
    return out


def discriminate(
    network: Network,
    stimuli: Sequence[Inputs],
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    n_samples: int,
    seed,
    weights=None,
    theta: float = 0.0,
    workers: int = 1,
    store_dir=None,
    progress: bool = True,
) -> Discrimination:
    """Simulation: two stimuli given to the same realised network (THEORY.md sections 5, 6).

    Two replicas share z and the initial state x(0) and differ only by their
    input; h(T) and (if the readout vector ``weights`` is given) r(T) and the
    indicator r(T) > theta are recorded for each. Realisation i uses the
    i-th child of ``seed``. The counterpart of :func:`meanfield.readout.discriminate`.

    Returns
    -------
    meanfield.readout.Discrimination
        With ``p_exceed`` the 0/1 indicators of r(T) > theta and ``r_T`` the readouts.

    Raises
    ------
    ValueError
        For invalid arguments, before any network is simulated.
    simulate.NonFiniteStateError
        If the state of a network becomes NaN or infinite.
    """
    # every argument is checked here, before the first network is drawn and integrated
    model_arguments(network, grid=grid, initial=initial, per_replica=True)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    stimuli = check_stimuli(network, stimuli)
    theta = number("theta", theta)
    make_setup(network, list(stimuli), grid, initial, DISCRIMINATION_OPTIONS)
    w = None if weights is None else _check_w(network, weights)
    run = map_seeds(
        _discrimination_task, n_samples, seed, function="simulate.readout.discriminate",
        context=dict(network=network, stimuli=stimuli, grid=grid, initial=initial, w=w, theta=theta),
        workers=workers, progress=progress, store_dir=store_dir, desc="discrimination",
    )
    if w is None:
        return Discrimination(h_T=run.stack("h_T"), provenance=run.provenance)
    return Discrimination(h_T=run.stack("h_T"), p_exceed=run.stack("above"), r_T=run.stack("r_T"),
                          provenance=run.provenance)
