"""Linear response of a realised network to a small uniform input pulse (THEORY.md sections 1, 5).

Two replicas on the same realisation (same z, same initial state x(0)); the
second receives an extra uniform input eps on the Euler step s -> s+1, and

    chi(t_k, t_s) = (h^2(t_k) - h^1(t_k)) / (eps dt),   k > s,

the finite-N counterpart of :func:`meanfield.response.impulse_response`.
Its distribution over realisations is compared with the theory's
distribution over xi.
"""

from __future__ import annotations

import numpy as np

from meanfield.arguments import ensemble_arguments, model_arguments
from meanfield.model import InitialState, Inputs, Network, TimeGrid
from meanfield.response import ResponseEnsemble, pulsed_inputs
from meanfield.runner import map_seeds

from .options import RunOptions, make_setup
from .realisation import Realisation, realise
from .simulation import simulate_realisation


def realisation_response(
    realisation: Realisation,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    step: int = 0,
    eps: float = 1e-6,
) -> np.ndarray:
    """chi(t_k, t_step), k = 0..K, of one given realisation (stride 1 grids only).

    Parameters
    ----------
    realisation : Realisation
        Use float64 z: eps is below float32 resolution.
    inputs, grid, initial
        As for :func:`simulate.run`.
    step : int
        Pulse on the Euler step step -> step + 1.
    eps : float
        Pulse height.

    Raises
    ------
    ValueError
        Naming the argument, before the realisation is simulated: model
        objects of the wrong type, a grid with stride > 1, ``step`` outside
        [0, K), ``eps`` not a finite nonzero number, inputs that do not fit
        the network, or a float32 realisation.
    simulate.NonFiniteStateError
        If the state becomes NaN or infinite.
    """
    if realisation.z.dtype != np.float64:
        raise ValueError("the response needs a float64 realisation (eps is below float32 resolution)")
    setup = _response_setup(realisation.network, inputs, grid, initial, step, eps)
    res = simulate_realisation(realisation, setup)
    chi = (res.h[1] - res.h[0]) / (eps * grid.dt)
    chi[: step + 1] = 0.0
    return chi


def _response_setup(network, inputs, grid, initial, step, eps):
    """The two-replica setup of a response (plain and pulsed inputs); ValueError naming a bad argument."""
    model_arguments(network, inputs, grid, initial)
    if grid.stride != 1:
        raise ValueError(f"the response needs every step recorded: use a TimeGrid with stride = 1, "
                         f"got {grid.stride}")
    options = RunOptions(replicas=2, shared_initial_noise=True)
    return make_setup(network, [inputs, pulsed_inputs(inputs, grid, step, eps)], grid, initial, options)


def impulse_response(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    step: int = 0,
    seed=0,
    eps: float = 1e-6,
) -> np.ndarray:
    """chi(t_k, t_step), k = 0..K, of one network realised from ``seed`` (THEORY.md sections 1, 5; module docstring).

    The network is realised as :func:`simulate.run` realises it; the
    simulation counterpart of :func:`meanfield.response.impulse_response`.
    """
    return realisation_response(realise(network, seed), inputs, grid, initial, step=step, eps=eps)


def _response_task(i, ss, *, network, inputs, grid, initial, step, eps):
    return {"chi": realisation_response(realise(network, ss), inputs, grid, initial, step=step, eps=eps)}


def response_ensemble(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    step: int = 0,
    n_samples: int,
    seed,
    eps: float = 1e-6,
    workers: int = 1,
    store_dir=None,
    progress: bool = True,
) -> ResponseEnsemble:
    """chi(t_k, t_step) of ``n_samples`` networks (THEORY.md sections 1, 5; realisation i: i-th child of ``seed``).

    The simulation counterpart of :func:`meanfield.response.response_ensemble`.

    Raises
    ------
    ValueError
        For invalid arguments (as :func:`realisation_response`, and the
        ensemble's), before any network is simulated.
    simulate.NonFiniteStateError
        If the state of a network becomes NaN or infinite.
    """
    # every argument is checked here, not inside each realisation
    _response_setup(network, inputs, grid, initial, step, eps)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    run = map_seeds(
        _response_task, n_samples, seed, function="simulate.response.response_ensemble",
        context=dict(network=network, inputs=inputs, grid=grid, initial=initial, step=step, eps=float(eps)),
        workers=workers, progress=progress, store_dir=store_dir, desc="response",
    )
    return ResponseEnsemble(times=grid.times, chi=run.stack("chi"), step=int(step), provenance=run.provenance)
