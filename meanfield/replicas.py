"""The same network under several conditions: R replicas solved jointly (THEORY.md section 5).

Sample-path questions about ONE network (its response to an input, two
initial states, two stimuli) need the joint law of several population paths
h^(a) on the same network. The replicas share the innovations, which are tied
to the network: the joint connected covariance of all (time, replica) pairs,
ordered by time then replica, is factored by one causal Cholesky. With one
replica this is exactly :func:`meanfield.solve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .arguments import count, model_arguments, per_replica
from .model import InitialState, Inputs, Network, TimeGrid
from .model._checks import require_range
from .population import Drive, _resolve_xi, forward_sweep
from .results import LabelledResult
from .settings import SolverSettings


@dataclass(frozen=True)
class ReplicaPaths(LabelledResult):
    """Joint population paths of R replicas of one theory sample (THEORY.md section 5).

    Attributes
    ----------
    times : (K+1,)
    h, m, M, w : (R, K+1)
        Per-replica population state, feedback, mean rate, sparse-set state.
    delta : (K+1, R, K+1, R)
        Joint microscopic covariance Delta^(ab)_kl.
    C : (K+1, R, K+1, R)
        Joint rate correlation C^(ab)_kl.
    xi : (K+1, R)
        Innovations (time, replica).
    rank : int
        Number of kept columns of the joint causal factor.
    """

    times: np.ndarray
    h: np.ndarray
    m: np.ndarray
    M: np.ndarray
    w: np.ndarray
    delta: np.ndarray
    C: np.ndarray
    xi: np.ndarray
    rank: int

    dims = {"h": ("replica", "time"), "m": ("replica", "time"), "M": ("replica", "time"),
            "w": ("replica", "time"), "delta": ("time", "replica", "time2", "replica2"),
            "C": ("time", "replica", "time2", "replica2"), "xi": ("time", "replica")}
    coords = {"time": "times", "time2": "times"}

    @property
    def replicas(self) -> int:
        return self.h.shape[0]

    def delta_between(self, a: int, b: int) -> np.ndarray:
        """Delta^(ab)_kl as a (K+1, K+1) matrix."""
        return self.delta[:, a, :, b]

    def distance(self, a: int, b: int) -> np.ndarray:
        """Microscopic distance Delta^aa_kk + Delta^bb_kk - 2 Delta^ab_kk (THEORY.md section 5)."""
        k = np.arange(self.delta.shape[0])
        return self.delta[k, a, k, a] + self.delta[k, b, k, b] - 2.0 * self.delta[k, a, k, b]


def solve_replicas(
    network: Network,
    inputs: Inputs | Sequence[Inputs] = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState | Sequence[InitialState] = InitialState(),
    *,
    replicas: int = 2,
    c0: float = 1.0,
    xi=None,
    seed=None,
    settings: SolverSettings = SolverSettings(),
) -> ReplicaPaths:
    """Joint forward sweep of R replicas of one network (THEORY.md sections 4 and 5).

    Parameters
    ----------
    inputs, initial
        One value for all replicas or a sequence of ``replicas`` values.
    replicas : int
        R >= 1.
    c0 : float in [-1, 1]
        Correlation of the initial microscopic states of different replicas:
        1 when they share the initial state, 0 for independent draws
        (Delta^(ab)_00 = c0 sigma0^a sigma0^b).
    xi : array (K+1, R), optional
        Innovations in (time, replica) order; exactly one of ``xi``, ``seed``.
    """
    model_arguments(network, inputs, grid, initial, settings=settings, per_replica=True)
    replicas = count("replicas", replicas)
    c0 = require_range("solve_replicas", "c0", c0, lo=-1.0, hi=1.0)
    settings.check_for(network.phi.name)
    inputs = per_replica("inputs", inputs, Inputs, replicas)
    initial = per_replica("initial", initial, InitialState, replicas)
    xi = _resolve_xi(xi, seed, grid.n_steps, replicas)
    drives = [Drive.on_grid(network, inp, grid) for inp in inputs]
    out = forward_sweep(network, drives, grid, initial, c0, xi.reshape(-1), settings)
    K1, R = grid.n_steps + 1, replicas
    by_replica = lambda a: a.reshape(K1, R).T.copy()  # noqa: E731
    return ReplicaPaths(
        times=grid.times, h=by_replica(out.h), m=by_replica(out.m), M=by_replica(out.M),
        w=by_replica(out.w), delta=out.delta.reshape(K1, R, K1, R), C=out.C.reshape(K1, R, K1, R),
        xi=xi, rank=int(out.pivots.size),
    )
