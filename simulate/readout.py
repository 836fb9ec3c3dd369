"""Readouts and stimulus discrimination of realised networks (THEORY.md sections 1, 5 and 6).

The simulation counterparts of :mod:`meanfield.readout`:

* :func:`readout_value`: r = (1/sqrt N) sum_i w_i phi(x_i) of a state;
* :func:`readout_samples`: r(T) and h(T) over network realisations;
* :func:`discriminate`: two stimuli on the same realisation (two replicas,
  same z, same initial state), scored by sign h(T) and by r(T) > theta.

The readout vector w is fixed (drawn independently of z by the caller) and
shared by all realisations, so that its statistics (offset, q_vw, q_ww) are
those of :class:`meanfield.readout.ReadoutWeights.from_vector`.
"""

from __future__ import annotations

import functools
import math
from typing import Sequence

import numpy as np

from meanfield.model import InitialState, Inputs, Network, TimeGrid
from meanfield.readout import Discrimination
from meanfield.runner import run_ensemble, spawn_seeds

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
        raise ValueError(f"the readout vector w must be finite with shape ({network.N},), got {w.shape}")
    return w


def _readout_task(i, ss, *, network, inputs, grid, initial, w):
    setup = make_setup(network, inputs, grid, initial, RunOptions(keep_final_state=True))
    res = simulate_realisation(realise(network, ss), setup)
    out = {"h_T": np.float64(res.h[-1])}
    if w is not None:
        out["r_T"] = np.float64(readout_value(network, res.final_state, w))
    return out


def readout_samples(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    w,
    n_realisations: int,
    seed,
    workers: int = 1,
    progress: bool = False,
) -> dict[str, np.ndarray]:
    """r(T) and h(T) of ``n_realisations`` networks (realisation i: i-th child of ``seed``).

    Returns
    -------
    dict with ``r_T`` and ``h_T``, arrays of shape (n_realisations,).
    """
    w = _check_w(network, w)
    res = run_ensemble(functools.partial(_readout_task, network=network, inputs=inputs, grid=grid,
                                         initial=initial, w=w),
                       spawn_seeds(seed, int(n_realisations)), workers=workers, progress=progress,
                       desc="readout")
    return {k: np.array([r[k] for r in res]) for k in ("r_T", "h_T")}


def _discrimination_task(i, ss, *, network, stimuli, grid, initial, w, theta):
    options = RunOptions(replicas=2, shared_initial_noise=True, keep_final_state=True)
    setup = make_setup(network, list(stimuli), grid, initial, options)
    res = simulate_realisation(realise(network, ss), setup)
    out = {"h_T": res.h[:, -1].copy()}
    if w is not None:
        out["above"] = (readout_value(network, res.final_state, w) > theta).astype(float)
    return out


def discriminate(
    network: Network,
    stimuli: Sequence[Inputs],
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    n_realisations: int,
    seed,
    w=None,
    theta: float = 0.0,
    workers: int = 1,
    progress: bool = False,
) -> Discrimination:
    """Simulation: two stimuli given to the same realised network (THEORY.md sections 5, 6).

    Two replicas share z and the initial state x(0) and differ only by their
    input; h(T) and (if ``w`` is given) the indicator r(T) > theta are
    recorded for each. Realisation i uses the i-th child of ``seed``.

    Returns
    -------
    meanfield.readout.Discrimination
        With ``p_exceed`` the 0/1 indicators of r(T) > theta.
    """
    stimuli = tuple(stimuli)
    if len(stimuli) != 2 or not all(isinstance(s, Inputs) for s in stimuli):
        raise ValueError("stimuli must be a pair of Inputs (stimulus 0, stimulus 1)")
    if w is not None:
        w = _check_w(network, w)
    res = run_ensemble(functools.partial(_discrimination_task, network=network, stimuli=stimuli,
                                         grid=grid, initial=initial, w=w, theta=float(theta)),
                       spawn_seeds(seed, int(n_realisations)), workers=workers, progress=progress,
                       desc="discrimination")
    h_T = np.stack([r["h_T"] for r in res])
    above = np.stack([r["above"] for r in res]) if w is not None else None
    return Discrimination(h_T=h_T, p_exceed=above)
