"""Tangent-linear recursion of the joint replica system (THEORY.md section 5).

Replica 2 is replica 1 plus an infinitesimal perturbation eps: a uniform
input pulse (linear response), a shift of h0 (macro Lyapunov exponent) or a
microscopic kick (maximal Lyapunov exponent). Per unit eps its population
state is h + eps a and its microscopic state y + eps dy. The joint sweep of
section 5 (eqs. 4.1-4.5 for R = 2) then reduces, at first order in eps, to
the base sweep of section 4 plus

    a_{k+1} = a_k + dt (-a_k + dm_k + e_k)                         (tangent of eq. 4.4)
    B_kl = Cov(dy_k, y_l),  G_kl = Cov(dy_k, dy_l)               (eq. 4.5, blocks 21 and 22)

with the sources of eq. 4.5 replaced by their eps-derivatives. With
x_k = h_k + y_k, f_0..f_3 = phi..phi''' and Stein's lemma
(E[Z F(Y)] = sum_i Cov(Z, Y_i) E[d_i F] for jointly Gaussian Z, Y):

    dM_k = a_k E phi'_k + B_kk E phi''_k
    P_kl = E[(phi'_k (a_k + dy_k)) phi_l]
         = a_k E[phi'_k phi_l] + B_kk E[phi''_k phi_l] + B_kl E[phi'_k phi'_l]
    Q_kl = E[phi'_k (a_k + dy_k) phi'_l (a_l + dy_l)]
         = (a_k a_l + G_kl) E[phi'_k phi'_l]
           + a_k (B_lk E[phi''_k phi'_l] + B_ll E[phi'_k phi''_l])
           + a_l (B_kk E[phi''_k phi'_l] + B_kl E[phi'_k phi''_l])
           + B_kk B_lk E[phi'''_k phi'_l] + (B_kk B_ll + B_kl B_lk) E[phi''_k phi''_l]
           + B_kl B_ll E[phi'_k phi'''_l]

(P is the source of B, Q of G; all averages over the base law of (y_k, y_l)).

The population feedback of the two replicas is Gaussian given the past, with
the joint connected covariance of (m_k, dm_k / J0) equal to

    [[Chat_kl, T_lk], [T_kl, U_kl]],   T_kl = P_kl - dM_k M_l,   U_kl = Q_kl - dM_k dM_l,

the eps -> 0 limit of the section-5 covariance of (m^1, (m^2 - m^1) / eps).
It is factored by ONE causal Cholesky ordered by time, then (base, tangent),
driven by innovations xi (K+1, 2):

    m_k  = J0 L_(k,base) xi + lambda0 M_k + D_k
    dm_k = J0 L_(k,tan)  xi + lambda0 dM_k + dD_k

Fresh innovations. The conditional variance of dm_k given the past is
O(1) per unit eps: a microscopic perturbation kicks the population mode at
first order through directions the base path has not seen. A finite
difference of the joint sweep with a small eps drops those pivots (their
size eps^2 U is below the pivot tolerance tol * Chat_kk), so it computes the
regression of dm on the base innovations alone; ``fresh=False`` reproduces
exactly that. The tangent pivots here are tested against fresh_tol * U_kk
instead (:data:`FRESH_TOL`), which is invariant under the scale of the perturbation. When fresh pivots are
kept, the base path also uses xi[:, 1] (same section-4 law; identical to
``meanfield.solve(xi=xi[:, 0])`` only with ``fresh=False``).

The recursion is linear and homogeneous of degree 1 (G, U of degree 2) in
the perturbation and is not renormalised: growth factors up to about
1e150 over the horizon are safe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .arguments import flag, instance, model_arguments
from .cholesky import CausalCholesky
from .gaussian.adaptive import EngineLadder
from .gaussian.derivative_kernels import CODES, TANGENT_PRODUCTS
from .model import InitialState, Inputs, Network, TimeGrid
from .population import Drive, _resolve_xi, _within_cauchy_schwarz, delta_step_replicas
from .results import LabelledResult
from .settings import FRESH_TOL, TANGENT_SETTINGS, SolverSettings  # noqa: F401 (re-exported)


def window_indices(times: np.ndarray, window=None, name: str = "window") -> tuple[int, int]:
    """Grid indices (a, b) of ``window`` = (t_a, t_b) on ``times``; the whole grid when None.

    ``name`` is the argument the window came from, for the error message.
    """
    if window is None:
        return 0, times.size - 1
    if isinstance(window, (str, bytes)) or not hasattr(window, "__len__") or len(window) != 2:
        raise ValueError(f"{name} must be None or a pair (t_a, t_b) of times, got {window!r}")
    t_a, t_b = window
    if not all(isinstance(t, (int, float, np.integer, np.floating)) and not isinstance(t, bool)
               and math.isfinite(t) for t in window):
        raise ValueError(f"{name} = {window!r} must be a pair (t_a, t_b) of finite times")
    dt = times[1] - times[0]
    a, b = int(round(t_a / dt)), int(round(t_b / dt))
    if not 0 <= a < b < times.size:
        raise ValueError(f"{name} = {window!r} must satisfy 0 <= t_a < t_b <= T = {times[-1]:g}")
    return a, b


#: What to use instead of the tangent for a phi without closed-form derivatives (the finite differences).
FINITE_DIFFERENCES = ('meanfield.response.impulse_response(..., method="difference") for a response, '
                      "meanfield.lyapunov.macro_separation for the macro exponent")


def require_tangent_phi(network, caller: str, instead: str = FINITE_DIFFERENCES) -> None:
    """ValueError unless ``network.phi`` has the closed-form derivatives the tangent needs (builtin phi).

    ``caller`` is the function the user called and ``instead`` what that
    user can do for a custom phi, so that the message points to an option
    that exists where the user is.
    """
    if not (network.phi.builtin and network.phi.name in CODES):
        raise ValueError(
            f"{caller} needs the closed-form derivatives of a builtin phi {sorted(CODES)}, "
            f"got {network.phi.name!r}; for this phi use {instead}"
        )


@dataclass(frozen=True)
class Perturbation:
    """Direction of the tangent per unit eps (THEORY.md section 5; module docstring).

    Attributes
    ----------
    dh0 : float
        Shift of the initial population state h0 (macro Lyapunov exponent: 1).
    micro : float
        Variance G_00 = (1/N) sum_i u_i(0)^2 of an initial microscopic
        perturbation independent of the initial state (maximal exponent: 1).
    pulse_step : int or None
        A uniform input of height eps / dt on the Euler step s -> s+1, so that
        the tangent of h is the linear response chi(t_k, t_s) (chi(t_{s+1}, t_s) = 1).
    """

    dh0: float = 0.0
    micro: float = 0.0
    pulse_step: int | None = None

    def __post_init__(self):
        for name in ("dh0", "micro"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
                    or not math.isfinite(value):
                raise ValueError(f"Perturbation.{name} must be a finite number, got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.micro < 0:
            raise ValueError(f"Perturbation.micro is a variance and must be >= 0, got {self.micro!r}")
        s = self.pulse_step
        if s is not None and (isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0):
            raise ValueError(f"Perturbation.pulse_step must be None or an integer >= 0, got {s!r}")
        if self.dh0 == 0.0 and self.micro == 0.0 and s is None:
            raise ValueError("Perturbation is zero: set dh0, micro or pulse_step")

    def input_on(self, grid: TimeGrid) -> np.ndarray:
        """Tangent of the uniform input on the grid, e_k (k = 0..K)."""
        e = np.zeros(grid.n_steps + 1)
        if self.pulse_step is not None:
            if self.pulse_step >= grid.n_steps:
                raise ValueError(
                    f"pulse_step = {self.pulse_step} must be < K = {grid.n_steps} (the last Euler step)"
                )
            e[self.pulse_step] = 1.0 / grid.dt
        return e


@dataclass(frozen=True)
class TangentPath(LabelledResult):
    """A theory sample and its tangent along one perturbation (THEORY.md section 5).

    Attributes
    ----------
    times : (K+1,)
    h, m, M : (K+1,)
        Base population path (section 4).
    delta : (K+1, K+1)
        Base microscopic covariance Delta_kl.
    dh, dm, dM : (K+1,)
        Tangents of h, m, M per unit eps (dh = chi(., t_s) for a pulse).
    B : (K+1, K+1)
        B[k, l] = Cov(dy_k, y_l).
    G : (K+1, K+1)
        G[k, l] = Cov(dy_k, dy_l).
    xi : (K+1, 2)
        Innovations (time; base, tangent).
    rank, fresh_rank : int
        Kept columns of the joint factor, and how many of them are tangent pivots.
    """

    times: np.ndarray
    h: np.ndarray
    m: np.ndarray
    M: np.ndarray
    delta: np.ndarray
    dh: np.ndarray
    dm: np.ndarray
    dM: np.ndarray
    B: np.ndarray
    G: np.ndarray
    xi: np.ndarray
    rank: int
    fresh_rank: int

    dims = {"h": ("time",), "m": ("time",), "M": ("time",), "dh": ("time",), "dm": ("time",), "dM": ("time",),
            "delta": ("time", "time2"), "B": ("time", "time2"), "G": ("time", "time2"),
            "xi": ("time", "branch")}
    coords = {"time": "times", "time2": "times"}

    @property
    def squared_distance(self) -> np.ndarray:
        """(1/N) |x^2(t_k) - x^1(t_k)|^2 / eps^2 = dh_k^2 + G_kk (population plus microscopic part)."""
        return self.dh**2 + np.diag(self.G)

    def population_exponent(self, window=None) -> float:
        """log(|dh(t_b)| / |dh(t_a)|) / (t_b - t_a): the macro finite-time exponent for dh0 = 1."""
        a, b = window_indices(self.times, window)
        if self.dh[a] == 0.0:
            raise ValueError("dh vanishes at the start of the window; start it later")
        return float(math.log(max(abs(self.dh[b]), 1e-300) / abs(self.dh[a])) / (self.times[b] - self.times[a]))

    def distance_exponent(self, window=None) -> float:
        """log(d(t_b) / d(t_a)) / (t_b - t_a), d^2 = dh^2 + G_kk: the maximal exponent for micro = 1."""
        a, b = window_indices(self.times, window)
        d2 = self.squared_distance
        if d2[a] <= 0.0:
            raise ValueError("the perturbation vanishes at the start of the window; start it later")
        return float(0.5 * math.log(max(d2[b], 1e-300) / d2[a]) / (self.times[b] - self.times[a]))


_PRODUCT_ROW = {pq: r for r, pq in enumerate(TANGENT_PRODUCTS)}
_T10, _T20, _T11, _T01, _T02, _T21, _T12, _T31, _T22, _T13 = (
    _PRODUCT_ROW[pq] for pq in ((1, 0), (2, 0), (1, 1), (0, 1), (0, 2), (2, 1), (1, 2), (3, 1), (2, 2), (1, 3)))


@njit(cache=True)
def _sources(k, t, a, b_diag, delta4, C, M, dM, row1, row2, c_block):
    """P_kl, P_lk, Q_kl of row k (module docstring) into the joint rows and the Delta sources; returns Q_kk.

    ``t`` holds the products of ``GaussianEngine.tangent_row`` (rows in the
    order of TANGENT_PRODUCTS). row1, row2: the joint connected covariance
    rows of (m_k, dm_k / J0), columns ordered (time, base/tangent);
    c_block[r, l, s]: the sources C, P, P^T, Q of eq. 4.5 for the joint system.
    """
    a_k = a[k]
    B_kk = b_diag[k]
    q_kk = 0.0
    for l in range(k + 1):
        a_l = a[l]
        B_ll = b_diag[l]
        B_kl = delta4[k, 1, l, 0]   # Cov(dy_k, y_l)
        B_lk = delta4[k, 0, l, 1]   # Cov(dy_l, y_k)
        G_kl = delta4[k, 1, l, 1]
        P_kl = a_k * t[_T10, l] + B_kk * t[_T20, l] + B_kl * t[_T11, l]
        P_lk = a_l * t[_T01, l] + B_ll * t[_T02, l] + B_lk * t[_T11, l]
        Q_kl = ((a_k * a_l + G_kl) * t[_T11, l]
                + a_k * (B_lk * t[_T21, l] + B_ll * t[_T12, l])
                + a_l * (B_kk * t[_T21, l] + B_kl * t[_T12, l])
                + B_kk * B_lk * t[_T31, l] + (B_kk * B_ll + B_kl * B_lk) * t[_T22, l]
                + B_kl * B_ll * t[_T13, l])
        row1[2 * l] = C[k, l] - M[k] * M[l]
        if l < k:
            row1[2 * l + 1] = P_lk - dM[l] * M[k]
        row2[2 * l] = P_kl - dM[k] * M[l]
        row2[2 * l + 1] = Q_kl - dM[k] * dM[l]
        c_block[0, l, 0] = C[k, l]
        c_block[1, l, 0] = P_kl
        c_block[0, l, 1] = P_lk
        c_block[1, l, 1] = Q_kl
        q_kk = Q_kl
    return q_kk


def solve_tangent(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    perturbation: Perturbation = Perturbation(dh0=1.0),
    *,
    fresh: bool = True,
    fresh_tol: float = FRESH_TOL,
    xi=None,
    seed=None,
    settings: SolverSettings = TANGENT_SETTINGS,
) -> TangentPath:
    """Base sweep of section 4 and its tangent-linear recursion (THEORY.md section 5; module docstring).

    Parameters
    ----------
    network, inputs, grid, initial
        The model; ``network.phi`` must be builtin (tanh, erf, linear).
    perturbation : Perturbation
        Direction of the tangent (initial h, microscopic kick or input pulse).
    fresh : bool
        Keep the tangent's fresh innovations (default; the exact law). False
        regresses dm on the base innovations only, which is what a finite
        difference of :func:`meanfield.solve_replicas` with small eps computes.
    fresh_tol : float
        Pivot tolerance of the tangent rows, relative to U_kk (see :data:`FRESH_TOL`).
    xi : array (K+1, 2), optional; seed : int or SeedSequence, optional
        Innovations (time; base, tangent); exactly one of them.
    settings : SolverSettings
        Quadrature (also of the derivative averages) and pivot tolerance; the
        default :data:`TANGENT_SETTINGS` is the adaptive rule at accuracy 1e-7
        (see there).

    Returns
    -------
    TangentPath
    """
    model_arguments(network, inputs, grid, initial, settings=settings)
    require_tangent_phi(network, "meanfield.tangent.solve_tangent")
    instance("perturbation", perturbation, Perturbation, "meanfield.tangent.Perturbation")
    flag("fresh", fresh)
    if isinstance(fresh_tol, bool) or not (isinstance(fresh_tol, (int, float, np.floating))
                                           and 0.0 <= fresh_tol < 1.0):
        raise ValueError(f"fresh_tol must lie in [0, 1), got {fresh_tol!r}")
    settings.check_for(network.phi.name)
    xi = _resolve_xi(xi, seed, grid.n_steps, 2)
    drive = Drive.on_grid(network, inputs, grid)
    e = perturbation.input_on(grid)

    K1 = grid.n_steps + 1
    ladder = EngineLadder(network.phi, settings)
    dt, g2, J0, lam = grid.dt, network.g**2, network.J0, network.lambda0
    xi_flat = xi.reshape(-1)

    h, a, m, dm, M, dM, w = (np.zeros(K1) for _ in range(7))
    diag = np.zeros(K1)          # Delta_kk
    b_diag = np.zeros(K1)        # B_kk
    delta4 = np.zeros((K1, 2, K1, 2))   # [k, r, l, s]: r, s = 0 base y, 1 tangent dy
    C = np.zeros((K1, K1))
    chol = CausalCholesky(2 * K1, settings.pivot_tol)
    row1 = np.zeros(2 * K1)
    row2 = np.zeros(2 * K1)
    c_block = np.zeros((2, K1, 2))
    extra = np.zeros((2, K1, 2))

    delta4[0, 0, 0, 0] = diag[0] = initial.sigma0**2
    delta4[0, 1, 0, 1] = perturbation.micro
    h[0], a[0] = initial.h0, perturbation.dh0
    fresh_rank = 0
    for k in range(K1):
        n = k + 1
        engine = ladder.at(diag[k])
        base = _within_cauchy_schwarz(delta4[k, 0, :n, 0], diag[k], diag[:n], engine)
        # row k of C (bit for bit as meanfield.solve) and the ten derivative products the recursion uses
        _, products = engine.tangent_row(h[k], diag[k], h[:n], diag[:n], base, out=C[k, :n])
        C[:n, k] = C[k, :n]
        # M from the phi kernel although mom[0] holds it too: the base rows must be the numbers of
        # meanfield.solve (fresh=False reproduces it bit for bit)
        M[k], mom = engine.tangent_moments(h[k], diag[k])
        b_diag[k] = delta4[k, 1, k, 0]
        B_kk, a_k = b_diag[k], a[k]
        dM[k] = a_k * mom[1] + B_kk * mom[2]
        # P (source of B), Q (source of G) and the joint covariance rows, columns (time, base/tangent)
        Q_kk = _sources(k, products, a, b_diag, delta4, C, M, dM, row1, row2, c_block)
        chol.add_row(row1[: 2 * k + 1], scale=C[k, k])
        m[k] = J0 * chol.innovation_sum(xi_flat) + lam * M[k]
        rank = chol.rank
        chol.add_row(row2[: 2 * k + 2], scale=max(Q_kk, 0.0), allow_pivot=fresh, tol=fresh_tol)
        fresh_rank += chol.rank - rank
        dm[k] = J0 * chol.innovation_sum(xi_flat) + lam * dM[k]
        if drive.rho_S != 0.0:
            sparse_mom = engine.derivative_means(h[k] + w[k], diag[k])
            m[k] += drive.rho_S * (float(engine.mean(h[k] + w[k], diag[k])) - M[k])
            dm[k] += drive.rho_S * (a_k * sparse_mom[1] + B_kk * sparse_mom[2] - dM[k])
        if k == K1 - 1:
            break
        h[k + 1] = h[k] + dt * (-h[k] + m[k] + drive.I0[k])
        a[k + 1] = a_k + dt * (-a_k + dm[k] + e[k])
        w[k + 1] = (1.0 - dt) * w[k] + dt * drive.sparse[k]
        extra[0, :n, 0] = drive.pattern[k] * drive.pattern[:n]
        delta_step_replicas(delta4, k, np.ascontiguousarray(c_block[:, :n]), dt, g2,
                            np.ascontiguousarray(extra[:, :n]))
        diag[k + 1] = delta4[k + 1, 0, k + 1, 0]

    return TangentPath(
        times=grid.times, h=h, m=m, M=M, delta=delta4[:, 0, :, 0].copy(), dh=a, dm=dm, dM=dM,
        B=delta4[:, 1, :, 0].copy(), G=delta4[:, 1, :, 1].copy(), xi=xi, rank=chol.rank,
        fresh_rank=fresh_rank,
    )
