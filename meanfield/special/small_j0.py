"""Small J0, g > 1: the population state as a Gaussian process (THEORY.md section 8, second item).

To leading order in J0, h = O(J0) does not act back on the microscopic state,
which is the SCS state of :mod:`.scs` (h = 0, M = 0 for odd phi). The feedback
of eq. 4.3 is then a stationary Gaussian process with covariance J0^2 Chat(tau),
Chat(tau) = C(Delta(tau); Delta0), and dh/dt = -h + m filters it:

    S_h(w) = J0^2 S_Chat(w) / (1 + w^2),   S_Chat(w) = int Chat(tau) e^(-i w tau) dtau
    Var h  = int S_h(w) dw / (2 pi) = J0^2 int_0^inf Chat(tau) e^(-tau) dtau         (P1)

(the last form from int int e^(-s - s') Chat(s - s') ds ds' = int_0^inf Chat e^(-tau)).
Corrections are relative O(J0^2): h enters M and Chat only at second order.

Euler grid (what the general solver computes, eqs. 4.3-4.5): h_{k+1} = a h_k + dt m_k,
a = 1 - dt, with m stationary of covariance J0^2 Chat_n, Chat_n = C(D_n; D_0) from
the Euler SCS orbit. With S(w) = dt sum_n Chat_n e^(-i w n dt) on |w| <= pi/dt,

    S_h(w) = J0^2 S_Chat(w) dt^2 / (1 - 2 a cos(w dt) + a^2)
    Var h  = J0^2 dt / (2 - dt) [Chat_0 + 2 sum_{n>=1} a^n Chat_n]                     (P2)

(sum_{i,j>=0} a^(i+j) f(|i-j|) = [f(0) + 2 sum_n a^n f(n)] / (1 - a^2)). Both tend to (P1)
as dt -> 0; the Euler forms are the exact leading-order law of the solver's h.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_array, check_dt, check_g, check_J0
from .scs import TAIL_START, scs_euler_orbit, scs_orbit

GL_NODES = 16     # Gauss-Legendre nodes per panel of the lag integrals
TAIL_CUT = 1e-5   # lag integrals switch to the exponential tail at Delta = TAIL_CUT * Delta0


def _check(g, J0, dt):
    g = check_g(g)
    if g <= 1.0:
        raise ValueError(
            f"the small-J0 Gaussian process needs g > 1 (a chaotic SCS state to drive h), got g = {g}"
        )
    return g, check_J0(J0), (None if dt is None else check_dt(dt))


def _tau_cut(orbit) -> float:
    """Lag where Delta = TAIL_CUT * Delta0: beyond it Chat is its linear exponential tail."""
    return orbit.tau_eps - math.log(TAIL_CUT / TAIL_START) / orbit.kappa


def _lag_quadrature(orbit, omega_max: float):
    """Gauss-Legendre nodes and weights on [0, tau_cut] resolving Chat and cos(w tau) to omega_max."""
    width = min(2.0, 8.0 / max(omega_max, 1e-300))  # <= 8 rad of cos per 16-node panel
    t_cut = _tau_cut(orbit)
    n_panels = max(1, math.ceil(t_cut / width))
    edges = np.linspace(0.0, t_cut, n_panels + 1)
    x, w = np.polynomial.legendre.leggauss(GL_NODES)
    half = 0.5 * np.diff(edges)[:, None]
    tau = (0.5 * (edges[:-1] + edges[1:]))[:, None] + half * x[None, :]
    return tau.ravel(), (half * w[None, :]).ravel()


def _tail(orbit):
    """(A, kappa, tau_cut): Chat = A exp(-kappa (tau - tau_cut)) beyond tau_cut.

    C(D) = C'(0) D + O(D^3) for odd phi and Delta approaches 0 along the stable
    direction, so the relative error is O(TAIL_CUT^2).
    """
    t_cut = _tau_cut(orbit)
    return orbit.table.slope0() * float(orbit.delta(t_cut)[()]), orbit.kappa, t_cut


def scs_rate_spectrum(g, omega, phi="tanh", dt=None) -> np.ndarray:
    """Spectrum S_Chat(w) of the connected rate covariance of the SCS network (THEORY.md section 8).

    Parameters
    ----------
    g : float
        Random coupling, > 1.
    omega : array_like
        Angular frequencies (for ``dt`` given, |w| <= pi / dt is the Nyquist band).
    phi : str, callable or Nonlinearity
        Odd transfer function.
    dt : float, optional
        None: continuous time, S = int Chat(tau) e^(-i w tau) dtau. Otherwise the
        Euler-grid spectrum dt sum_n Chat_n e^(-i w n dt) (module docstring).

    Returns
    -------
    ndarray, the shape of ``omega``
    """
    g, _, dt = _check(g, 0.0, dt)
    omega = check_array("omega", omega)
    if dt is None:
        orbit = scs_orbit(g, phi)
        w_abs = np.abs(omega)
        tau, wts = _lag_quadrature(orbit, float(w_abs.max(initial=0.0)))
        c = orbit.chat(tau) * wts
        A, kappa, te = _tail(orbit)
        flat = w_abs.ravel()
        chunks = np.array_split(flat, flat.size * tau.size // 4_000_000 + 1)  # bound memory
        body = np.concatenate([np.cos(np.outer(ch, tau)) @ c for ch in chunks])
        tail = A * (kappa * np.cos(flat * te) - flat * np.sin(flat * te)) / (kappa**2 + flat**2)
        return (2.0 * (body + tail)).reshape(omega.shape)
    orbit = scs_euler_orbit(g, dt, phi)
    chat = orbit.chat(_n_lags(orbit))
    n = np.arange(chat.size)
    flat = omega.ravel()
    chunks = np.array_split(flat, flat.size * n.size // 4_000_000 + 1)
    S = np.concatenate([chat[0] + 2.0 * np.cos(np.outer(ch, dt * n[1:])) @ chat[1:] for ch in chunks])
    return (dt * S).reshape(omega.shape)


def _n_lags(orbit) -> int:
    """Lags until Chat_n ~ D_n is below 1e-17 D_0 (geometric tail lam^n beyond the head)."""
    return orbit.head.size + int(math.ceil(math.log(1e-17) / math.log(orbit.lam)))


def small_J0_spectrum(g, J0, omega, phi="tanh", dt=None) -> np.ndarray:
    """Leading-order spectrum of h at small J0, S_h(w) = J0^2 S_Chat(w) / (1 + w^2) (THEORY.md section 8).

    Parameters
    ----------
    g : float
        Random coupling, > 1.
    J0 : float
        Balanced E/I strength (the result is exactly quadratic in J0).
    omega : array_like
        Angular frequencies.
    phi : str, callable or Nonlinearity
        Odd transfer function.
    dt : float, optional
        None for continuous time; otherwise the exact Euler-grid form
        J0^2 S_Chat(w) dt^2 / (1 - 2 (1-dt) cos(w dt) + (1-dt)^2) (eq. P2 setting).

    Returns
    -------
    ndarray, the shape of ``omega``
    """
    g, J0, dt = _check(g, J0, dt)
    omega = check_array("omega", omega)
    S = scs_rate_spectrum(g, omega, phi, dt)
    if dt is None:
        return J0 * J0 * S / (1.0 + omega**2)
    a = 1.0 - dt
    return J0 * J0 * S * dt * dt / (1.0 - 2.0 * a * np.cos(omega * dt) + a * a)


def small_J0_variance(g, J0, phi="tanh", dt=None) -> float:
    """Leading-order stationary variance of h at small J0 (eqs. P1, P2; THEORY.md section 8).

    Parameters
    ----------
    g : float
        Random coupling, > 1.
    J0 : float
        Balanced E/I strength.
    phi : str, callable or Nonlinearity
        Odd transfer function.
    dt : float, optional
        None: J0^2 int_0^inf Chat(tau) e^(-tau) dtau. Otherwise the Euler-grid
        J0^2 dt/(2-dt) [Chat_0 + 2 sum_n (1-dt)^n Chat_n].

    Returns
    -------
    float
    """
    g, J0, dt = _check(g, J0, dt)
    if dt is None:
        orbit = scs_orbit(g, phi)
        tau, wts = _lag_quadrature(orbit, 1.0)
        A, kappa, t_cut = _tail(orbit)
        body = float(np.dot(orbit.chat(tau) * wts, np.exp(-tau)))
        tail = A * math.exp(-t_cut) / (1.0 + kappa)
        return J0 * J0 * (body + tail)
    orbit = scs_euler_orbit(g, dt, phi)
    chat = orbit.chat(_n_lags(orbit))
    a_n = (1.0 - dt) ** np.arange(chat.size)
    return J0 * J0 * dt / (2.0 - dt) * (chat[0] + 2.0 * float(np.dot(a_n[1:], chat[1:])))
