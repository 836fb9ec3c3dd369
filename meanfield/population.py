"""The causal population-mode solver: discrete-time DMFT on the Euler grid (THEORY.md section 4).

For a fixed sequence of innovations xi_0, xi_1, ... (one network of the
ensemble), :func:`solve` runs the forward sweep

1. C_kl (l <= k), M_k, Chat_kl = C_kl - M_k M_l          (Gaussian averages, eq. 4.1)
2. the causal Cholesky row of Chat                        (eq. 4.2)
3. m_k = J0 sum_j Lc_kj xi_j + lambda0 M_k + D_k          (eq. 4.3)
4. h_{k+1} = h_k + dt (-h_k + m_k + I0_k)                 (eq. 4.4)
5. the exact Euler recursion of Delta                     (eq. 4.5)

The result is the N -> infinity law of the population path of a network
integrated with the same Euler scheme, conditioned on its innovations.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from .cholesky import CausalCholesky
from .model import InitialState, Inputs, Network, TimeGrid
from .settings import SolverSettings


@functools.lru_cache(maxsize=16)
def gaussian_engine(phi, order: int):
    """One Gauss-Hermite engine per (phi, order), shared by all solves in a process."""
    from .gaussian import GaussianEngine

    return GaussianEngine(phi, order=order)


@njit(cache=True)
def delta_step(delta, k, c_row, dt, g2, extra_row):
    """Row k+1 of Delta from rows k and the rate correlations C_k. (THEORY.md eq. 4.5)

    Delta_{k+1,0}   = (1-dt) Delta_{k,0}
    Delta_{k+1,l+1} = (1-dt)(Delta_{k,l+1} + Delta_{k+1,l}) - (1-dt)^2 Delta_{k,l}
                      + dt^2 (g^2 C_kl + sigma_in^2 s_k s_l)
    """
    a = 1.0 - dt
    delta[k + 1, 0] = a * delta[k, 0]
    delta[0, k + 1] = delta[k + 1, 0]
    for l in range(k + 1):
        val = (
            a * (delta[k, l + 1] + delta[k + 1, l])
            - a * a * delta[k, l]
            + dt * dt * (g2 * c_row[l] + extra_row[l])
        )
        delta[k + 1, l + 1] = val
        delta[l + 1, k + 1] = val


@dataclass(frozen=True)
class Drive:
    """The inputs of one solve evaluated on the Euler grid (t_0..t_K)."""

    I0: np.ndarray          # uniform input I0 s(t_k)
    pattern: np.ndarray     # sigma_in s(t_k) of the random-pattern input
    sparse: np.ndarray      # A s(t_k) of the sparse input
    rho_S: float            # (1/sqrt N) sum_{i in S} v_i

    @classmethod
    def on_grid(cls, network: Network, inputs: Inputs, grid: TimeGrid) -> "Drive":
        t = grid.times
        zero = np.zeros_like(t)
        inputs.check_against(network)
        return cls(
            I0=inputs.uniform.series(t) if inputs.uniform else zero,
            pattern=inputs.pattern.series(t) if inputs.pattern else zero,
            sparse=inputs.sparse.series(t) if inputs.sparse else zero,
            rho_S=inputs.sparse.rho(network) if inputs.sparse else 0.0,
        )


@dataclass(frozen=True)
class PopulationPath:
    """One theory sample: the population path for one draw of the innovations.

    Attributes
    ----------
    times : (K+1,) grid times t_k
    h, m, M : (K+1,) population state, population feedback, mean rate
    delta : (K+1, K+1) microscopic covariance Delta_kl
    C : (K+1, K+1) rate correlation C_kl (symmetric)
    factor : (K+1, rank) kept columns of the causal factor of Chat
    pivot_times : (rank,) time index of each kept column
    xi : (K+1,) the innovations (only those at pivot times act)
    w : (K+1,) extra state of the sparse-driven neurons (zeros without sparse input)
    """

    times: np.ndarray
    h: np.ndarray
    m: np.ndarray
    M: np.ndarray
    delta: np.ndarray
    C: np.ndarray
    factor: np.ndarray
    pivot_times: np.ndarray
    xi: np.ndarray
    w: np.ndarray
    record_steps: np.ndarray = field(repr=False)

    @property
    def delta_diag(self) -> np.ndarray:
        return np.diag(self.delta).copy()

    @property
    def chat(self) -> np.ndarray:
        """Connected rate covariance Chat_kl = C_kl - M_k M_l."""
        return self.C - np.outer(self.M, self.M)

    @property
    def rank(self) -> int:
        return int(self.pivot_times.size)

    def recorded(self) -> dict[str, np.ndarray]:
        """h, m, M, Delta(t,t) at the recording times of the grid (as the simulator records them)."""
        r = self.record_steps
        return {
            "times": self.times[r],
            "h": self.h[r],
            "m": self.m[r],
            "M": self.M[r],
            "delta_tt": self.delta_diag[r],
        }


def draw_innovations(seed, n_steps: int) -> np.ndarray:
    """xi_0..xi_K iid N(0, 1) from one SeedSequence (or int) per sample."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.default_rng(ss).standard_normal(n_steps + 1)


def _resolve_xi(xi, seed, n_steps: int) -> np.ndarray:
    if (xi is None) == (seed is None):
        raise ValueError("give exactly one of `xi` (innovations) or `seed`")
    if xi is None:
        return draw_innovations(seed, n_steps)
    xi = np.asarray(xi, dtype=float)
    if xi.shape != (n_steps + 1,):
        raise ValueError(f"xi must have shape (K+1,) = ({n_steps + 1},), got {xi.shape}")
    if not np.all(np.isfinite(xi)):
        raise ValueError("xi contains non-finite values")
    return xi


def solve(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    xi=None,
    seed=None,
    settings: SolverSettings = SolverSettings(),
) -> PopulationPath:
    """Forward sweep of THEORY.md section 4 (eqs. 4.1-4.5) for one draw of the innovations.

    Parameters
    ----------
    network, inputs, grid, initial
        The model (``network.N`` enters only through |S| and rho_S of a sparse input).
    xi : array (K+1,), optional
        Innovations; exactly one of ``xi`` and ``seed`` must be given.
    seed : int or SeedSequence, optional
        Draws ``xi`` with :func:`draw_innovations`.
    settings : SolverSettings
        Quadrature order and pivot tolerance.

    Returns
    -------
    PopulationPath
    """
    settings.check_for(network.phi.name)
    K = grid.n_steps
    xi = _resolve_xi(xi, seed, K)
    engine = gaussian_engine(network.phi, settings.quadrature_order)
    drive = Drive.on_grid(network, inputs, grid)
    dt, g2, J0, lam = grid.dt, network.g**2, network.J0, network.lambda0
    has_sparse = inputs.sparse is not None

    h = np.empty(K + 1)
    m = np.empty(K + 1)
    M = np.empty(K + 1)
    w = np.zeros(K + 1)
    diag = np.empty(K + 1)
    delta = np.zeros((K + 1, K + 1))
    C = np.zeros((K + 1, K + 1))
    chol = CausalCholesky(K + 1, settings.pivot_tol)

    h[0] = initial.h0
    delta[0, 0] = diag[0] = initial.sigma0**2
    for k in range(K + 1):
        c_row = engine.row(h[k], diag[k], h[: k + 1], diag[: k + 1], delta[k, : k + 1])
        M[k] = float(engine.mean(h[k], diag[k]))
        C[k, : k + 1] = c_row
        C[: k + 1, k] = c_row
        l_row = chol.add_row(c_row - M[k] * M[: k + 1], scale=c_row[k])
        noise = J0 * float(l_row @ xi[chol.pivots[: chol.rank]])
        D = 0.0
        if has_sparse:
            D = drive.rho_S * (float(engine.mean(h[k] + w[k], diag[k])) - M[k])
        m[k] = noise + lam * M[k] + D
        if k == K:
            break
        h[k + 1] = h[k] + dt * (-h[k] + m[k] + drive.I0[k])
        w[k + 1] = (1.0 - dt) * w[k] + dt * drive.sparse[k]
        extra = drive.pattern[k] * drive.pattern[: k + 1]
        delta_step(delta, k, c_row, dt, g2, extra)
        diag[k + 1] = delta[k + 1, k + 1]

    return PopulationPath(
        times=grid.times, h=h, m=m, M=M, delta=delta, C=C,
        factor=chol.factor(), pivot_times=chol.pivot_times, xi=xi, w=w,
        record_steps=grid.record_steps,
    )
