"""The microscopic equations of THEORY.md section 4 given a population path (the paired check).

The forward sweep of :mod:`meanfield.population` draws the population path
h from the innovations. Given instead one network's own path h_0..h_K (on
the Euler grid), steps 1 and 5 of the sweep, i.e. eq. 4.1 (the Gaussian
averages M_k, C_kl, Chat_kl) and eq. 4.5 (the exact Euler recursion of
Delta), no longer involve any randomness: they predict that network's
microscopic covariance Delta(t, s), its rate correlation C(t, s) and
connected covariance Chat(t, s) = C(t, s) - M(t) M(s), and its mean rate
M(t). The finite-N network departs from them only by its finite-N
fluctuations, which removes the sampling noise of the population path from
the comparison of theory and simulation.

The sparse drive D_k of section 4 is also returned: it is what the
network's population feedback m_k contains besides J0 (Lc xi)_k and
lambda0 M_k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arguments import model_arguments
from .gaussian.adaptive import EngineLadder
from .model import InitialState, Inputs, Network, TimeGrid
from .population import Drive, _within_cauchy_schwarz, delta_step
from .settings import SolverSettings


@dataclass(frozen=True)
class ConditionalMoments:
    """Deterministic microscopic moments of one network given its population path (THEORY.md section 4).

    Attributes
    ----------
    times : (K+1,) grid times t_k
    h : (K+1,) the imposed population path
    M : (K+1,) mean rate M_k = E phi(h_k + y)                  (eq. 4.1)
    delta : (K+1, K+1) microscopic covariance Delta_kl         (eq. 4.5)
    C : (K+1, K+1) rate correlation C_kl                       (eq. 4.1)
    w : (K+1,) extra state of the sparse-driven neurons (zeros without sparse input)
    D : (K+1,) sparse drive D_k = rho_S (E phi(h_k + w_k + y) - M_k) (section 4; zeros without)
    """

    times: np.ndarray
    h: np.ndarray
    M: np.ndarray
    delta: np.ndarray
    C: np.ndarray
    w: np.ndarray
    D: np.ndarray

    @property
    def chat(self) -> np.ndarray:
        """Connected rate covariance Chat_kl = C_kl - M_k M_l (eq. 4.1)."""
        return self.C - np.outer(self.M, self.M)


def conditional_moments(
    network: Network,
    h,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    settings: SolverSettings = SolverSettings(),
) -> ConditionalMoments:
    """Eqs. 4.1 and 4.5 of THEORY.md section 4 run along an imposed population path.

    For k = 0..K: C_kl (l <= k) and M_k are the Gaussian averages of eq. 4.1
    at (h_k, h_l) with the covariance Delta accumulated so far, and row k+1
    of Delta follows from eq. 4.5,

        Delta_{k+1,0}   = (1-dt) Delta_{k,0}
        Delta_{k+1,l+1} = (1-dt)(Delta_{k,l+1} + Delta_{k+1,l}) - (1-dt)^2 Delta_{k,l}
                          + dt^2 (g^2 C_kl + sigma_in^2 s_k s_l),

    from Delta_00 = sigma0^2. Steps 2-4 of the sweep (the causal factor, m_k
    and the update of h) are replaced by the given h. The quadrature is the
    one the forward sweep uses (the variance ladder of ``settings``).

    Parameters
    ----------
    network : Network
        ``network.N`` enters only through rho_S of a sparse input.
    h : array (K+1,)
        The population path h(t_k) on every step of ``grid`` (for a
        simulation: ``simulate.run(...).h`` with ``grid.stride == 1``).
        ``initial.h0`` is not used: h_0 is taken from ``h``.
    inputs, grid, initial, settings
        As for :func:`meanfield.solve`; only ``initial.sigma0`` is used.

    Returns
    -------
    ConditionalMoments

    Raises
    ------
    ValueError
        If h is not finite or has not K+1 values.
    """
    model_arguments(network, inputs, grid, initial, settings=settings)
    settings.check_for(network.phi.name)
    K = grid.n_steps
    h = np.asarray(h, dtype=float)
    if h.shape != (K + 1,):
        raise ValueError(
            f"h must give the population path on all K+1 = {K + 1} steps of the grid (dt = {grid.dt:g}, "
            f"T = {grid.T:g}), got shape {h.shape}; record the simulation with stride 1"
        )
    if not np.all(np.isfinite(h)):
        raise ValueError("h contains NaN or infinite values")
    h = np.ascontiguousarray(h)
    drive = Drive.on_grid(network, inputs, grid)
    ladder = EngineLadder(network.phi, settings)
    dt, g2 = grid.dt, network.g**2

    M = np.empty(K + 1)
    D = np.zeros(K + 1)
    w = np.zeros(K + 1)
    delta = np.zeros((K + 1, K + 1))
    C = np.zeros((K + 1, K + 1))
    diag = np.empty(K + 1)
    delta[0, 0] = diag[0] = initial.sigma0**2
    for k in range(K + 1):
        engine = ladder.at(float(diag[k]))
        row = _within_cauchy_schwarz(delta[k, : k + 1], diag[k], diag[: k + 1], engine)
        engine.row(h[k], diag[k], h[: k + 1], diag[: k + 1], row, out=C[k, : k + 1])
        C[: k + 1, k] = C[k, : k + 1]
        M[k] = float(engine.mean(h[k], diag[k]))
        if drive.rho_S != 0.0:
            D[k] = drive.rho_S * (float(engine.mean(h[k] + w[k], diag[k])) - M[k])
        if k == K:
            break
        w[k + 1] = (1.0 - dt) * w[k] + dt * drive.sparse[k]
        extra = drive.pattern[k] * drive.pattern[: k + 1]
        delta_step(delta, k, np.ascontiguousarray(C[k, : k + 1]), dt, g2, extra)
        diag[k + 1] = delta[k + 1, k + 1]
    return ConditionalMoments(times=grid.times, h=h, M=M, delta=delta, C=C, w=w, D=D)
