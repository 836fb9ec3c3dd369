"""Picard iteration of whole population trajectories for fixed innovations (THEORY.md section 4).

"Iterating the self-consistent equations": the map

    h -> Delta[h] -> Chat[h] -> m = J0 S[Chat] xi + lambda0 M + D -> h

is iterated on whole trajectories. With S the causal Cholesky factor (the
default) its fixed point is the forward sweep of :mod:`meanfield.population`
(a required test). With S the symmetric square root Chat^(1/2), m_k depends on
future times; the fixed point is a different path law, and this mode exists
as the ablation that documents why the causal factor is the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cholesky import CausalCholesky
from .gaussian.adaptive import EngineLadder
from .model import InitialState, Inputs, Network, TimeGrid
from .population import Drive, _resolve_xi, delta_step
from .settings import SolverSettings

SQUARE_ROOTS = ("causal", "symmetric")


@dataclass(frozen=True)
class PicardResult:
    """Fixed point of the trajectory map, with its convergence record (THEORY.md section 4)."""

    times: np.ndarray
    h: np.ndarray
    m: np.ndarray
    M: np.ndarray
    delta: np.ndarray
    xi: np.ndarray
    iterations: int
    residuals: np.ndarray  # max |h^(n+1) - h^(n)| per iteration
    converged: bool


def moments_along(settings: SolverSettings, h, drive: Drive, grid: TimeGrid, network: Network,
                  initial: InitialState):
    """Delta, C and M along a GIVEN path h (eqs. 4.1 and 4.5 without the population update).

    Returns ``(delta, C, M, engines)``; ``engines[k]`` is the quadrature of step k, chosen as in
    :func:`meanfield.population.forward_sweep` so that the fixed point is the sweep's path.
    """
    ladder = EngineLadder(network.phi, settings)
    engines = []
    K = grid.n_steps
    delta = np.zeros((K + 1, K + 1))
    C = np.zeros((K + 1, K + 1))
    M = np.empty(K + 1)
    diag = np.empty(K + 1)
    delta[0, 0] = diag[0] = initial.sigma0**2
    g2 = network.g**2
    for k in range(K + 1):
        engine = ladder.at(diag[k])
        engines.append(engine)
        c_row = engine.row(h[k], diag[k], h[: k + 1], diag[: k + 1], delta[k, : k + 1])
        C[k, : k + 1] = c_row
        C[: k + 1, k] = c_row
        M[k] = float(engine.mean(h[k], diag[k]))
        if k < K:
            delta_step(delta, k, c_row, grid.dt, g2, drive.pattern[k] * drive.pattern[: k + 1])
            diag[k + 1] = delta[k + 1, k + 1]
    return delta, C, M, engines


def _feedback_noise(chat: np.ndarray, C_diag: np.ndarray, xi: np.ndarray, tol: float, square_root: str):
    """S xi for the causal Cholesky factor or the symmetric square root of Chat."""
    if square_root == "causal":
        chol = CausalCholesky(len(xi), tol)
        out = np.empty(len(xi))
        for k in range(len(xi)):
            l_row = chol.add_row(chat[k, : k + 1], scale=C_diag[k])
            out[k] = l_row @ xi[chol.pivots[: chol.rank]]
        return out
    evals, evecs = np.linalg.eigh(chat)
    root = (evecs * np.sqrt(np.clip(evals, 0.0, None))) @ evecs.T
    return root @ xi


def solve_picard(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    xi=None,
    seed=None,
    settings: SolverSettings = SolverSettings(),
    square_root: str = "causal",
    max_iter: int = 500,
    tol: float = 1e-9,
    damping: float = 1.0,
    h_start: np.ndarray | None = None,
) -> PicardResult:
    """Picard iteration of the self-consistent trajectory map (THEORY.md section 4).

    Parameters
    ----------
    square_root : {"causal", "symmetric"}
        Factor S of Chat used for m = J0 S xi + ...
    max_iter, tol
        Stop when max_k |h^(n+1)_k - h^(n)_k| < tol or after ``max_iter`` sweeps.
    damping : float in (0, 1]
        h <- (1 - damping) h_old + damping h_new; 1 is plain Picard.
    h_start : array, optional
        Initial guess of the path (default: h0 at all times).
    """
    if square_root not in SQUARE_ROOTS:
        raise ValueError(f"square_root must be one of {SQUARE_ROOTS}, got {square_root!r}")
    if not 0.0 < damping <= 1.0:
        raise ValueError(f"damping must lie in (0, 1], got {damping}")
    settings.check_for(network.phi.name)
    K = grid.n_steps
    xi = _resolve_xi(xi, seed, K)
    drive = Drive.on_grid(network, inputs, grid)
    dt = grid.dt

    h = np.full(K + 1, initial.h0) if h_start is None else np.array(h_start, dtype=float)
    if h.shape != (K + 1,):
        raise ValueError(f"h_start must have shape ({K + 1},), got {h.shape}")
    residuals = []
    w = np.zeros(K + 1)
    for k in range(K):
        w[k + 1] = (1.0 - dt) * w[k] + dt * drive.sparse[k]
    converged = False
    for _ in range(max_iter):
        delta, C, M, engines = moments_along(settings, h, drive, grid, network, initial)
        chat = C - np.outer(M, M)
        m = network.J0 * _feedback_noise(chat, np.diag(C), xi, settings.pivot_tol, square_root)
        m += network.lambda0 * M
        if inputs.sparse is not None:
            shifted = np.array([float(engines[k].mean(h[k] + w[k], delta[k, k])) for k in range(K + 1)])
            m += drive.rho_S * (shifted - M)
        h_new = np.empty(K + 1)
        h_new[0] = initial.h0
        for k in range(K):
            h_new[k + 1] = h_new[k] + dt * (-h_new[k] + m[k] + drive.I0[k])
        residual = float(np.max(np.abs(h_new - h)))
        residuals.append(residual)
        h = (1.0 - damping) * h + damping * h_new
        if residual < tol:
            converged = True
            break
    delta, C, M, engines = moments_along(settings, h, drive, grid, network, initial)
    return PicardResult(
        times=grid.times, h=h, m=m, M=M, delta=delta, xi=xi,
        iterations=len(residuals), residuals=np.array(residuals), converged=converged,
    )
