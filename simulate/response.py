"""Linear response of a realised network to a small uniform input pulse (THEORY.md sections 1, 5).

Two replicas on the same realisation (same z, same initial state x(0)); the
second receives an extra uniform input eps on the Euler step s -> s+1, and

    chi(t_k, t_s) = (h^2(t_k) - h^1(t_k)) / (eps dt),   k > s,

the finite-N counterpart of :func:`meanfield.response.impulse_response`.
Its distribution over realisations is compared with the theory's
distribution over xi.
"""

from __future__ import annotations

import functools

import numpy as np

from meanfield.model import InitialState, Inputs, Network, TimeGrid
from meanfield.response import pulsed_inputs
from meanfield.runner import run_ensemble, spawn_seeds

from .options import RunOptions, make_setup
from .realisation import Realisation, realise
from .simulation import simulate_realisation


def pulse_response(
    realisation: Realisation,
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    inputs: Inputs = Inputs(),
    *,
    step: int = 0,
    eps: float = 1e-6,
) -> np.ndarray:
    """chi(t_k, t_step), k = 0..K, of one realisation (stride 1 grids only).

    Parameters
    ----------
    realisation : Realisation
        Use float64 z: eps is below float32 resolution.
    step : int
        Pulse on the Euler step step -> step + 1.
    eps : float
        Pulse height.
    """
    if grid.stride != 1:
        raise ValueError(f"pulse_response needs every step recorded: use a TimeGrid with stride = 1, got {grid.stride}")
    if realisation.z.dtype != np.float64:
        raise ValueError("pulse_response needs a float64 realisation (eps is below float32 resolution)")
    options = RunOptions(replicas=2, shared_initial_noise=True)
    setup = make_setup(realisation.network, [inputs, pulsed_inputs(inputs, grid, step, eps)], grid, initial,
                       options)
    res = simulate_realisation(realisation, setup)
    chi = (res.h[1] - res.h[0]) / (eps * grid.dt)
    chi[: step + 1] = 0.0
    return chi


def _response_task(i, ss, *, network, grid, initial, inputs, step, eps):
    return {"chi": pulse_response(realise(network, ss), grid, initial, inputs, step=step, eps=eps)}


def pulse_responses(
    network: Network,
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    inputs: Inputs = Inputs(),
    *,
    step: int = 0,
    eps: float = 1e-6,
    n_realisations: int,
    seed,
    workers: int = 1,
    progress: bool = False,
) -> np.ndarray:
    """chi(t_k, t_step) of ``n_realisations`` networks, shape (n, K+1) (realisation i: i-th child of seed)."""
    task = functools.partial(_response_task, network=network, grid=grid, initial=initial, inputs=inputs,
                             step=step, eps=float(eps))
    res = run_ensemble(task, spawn_seeds(seed, int(n_realisations)), workers=workers, progress=progress,
                       desc="response")
    return np.stack([r["chi"] for r in res])
