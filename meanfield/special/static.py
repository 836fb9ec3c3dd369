"""Static coherent fixed points (h*, Delta0*) of the section-4 theory (THEORY.md section 8, third item).

Derivation. Call a state of the forward sweep of THEORY.md section 4 static if,
at late times, h_k = h* and Delta_kl = Delta0 for all late k, l (the rates are
frozen, so the microscopic fields are fully correlated across time).

* Eq. 4.5 with Delta_{k,l} = Delta_{k,l+1} = Delta_{k+1,l} = Delta_{k+1,l+1} = Delta0:
  Delta0 = 2 (1-dt) Delta0 - (1-dt)^2 Delta0 + dt^2 g^2 C*, i.e. dt^2 Delta0 = dt^2 g^2 C*:

      Delta0 = g^2 C*,   C* = E[phi(h* + y) phi(h* + y')] with y = y' ~ N(0, Delta0)
             = g^2 E phi(h* + sqrt(Delta0) u)^2                                     (F1)

  for every dt (no Euler bias at a fixed point). It is the full second moment
  E phi^2, as THEORY.md section 8 states, not the connected part: Delta is the
  variance of the frozen field eta_i = g sum_j z_ij phi(x_j*) / sqrt(N), which
  sees the mean rate as well.
* The connected covariance is then Chat_kl = Chat* = C* - M*^2 = Var_u phi(h* + sqrt(Delta0) u)
  for all late k, l: a rank-one block, so the causal factor of eq. 4.2 has one
  column there and eq. 4.3 gives a constant feedback

      m* = J0 sqrt(Chat*) xi_eff + lambda0 M*,                                     (F2)

  xi_eff = lim_k sum_j Lc_kj xi_j / sqrt(Chat*): one effective Gaussian amplitude,
  fixed by the innovations of the network (its value is selected by the
  transient; it is not an N(0, 1) draw conditioned on nothing).
* Eq. 4.4 at a fixed point: h* = m* + I0. Hence the static states form a
  branch parametrised by h*: for each h*, Delta0*(h*) from (F1) and the amplitude

      xi_eff(h*) = (h* - I0 - lambda0 M*) / (J0 sqrt(Chat*))                       (F3)

  that the network's innovations must supply. With J0 = 0 the only static
  states are h* = I0 + lambda0 M*; a constant input I0 = h* (lambda0 = 0) makes
  any h* a fixed point of eq. 4.4, which is how the tests pin the branch.
  Starting the solver at (h0, sigma0^2) = (h*, Delta0*) does NOT keep Delta(t, t)
  constant: the initial u_i are independent of z, Delta(t, 0) decays like (1-dt)^k,
  and Delta(t, t) dips (to ~0.48 Delta0* at g = 0.8, h* = 0.5) before it returns
  geometrically to Delta0*, with Delta(t, s) -> Delta0* for all late t, s.

Uniqueness of (F1) for g < 1: d/dDelta E phi(h + sqrt(Delta) u)^2 = E[phi'^2 + phi phi''],
and phi'^2 + phi phi'' lies in [-1/3, 1] for tanh and in [-0.43, 1] for erf, so
Delta -> g^2 E phi^2 is a contraction and (F1) has exactly one root. It is
positive whenever phi(h*) != 0 (for odd phi: h* != 0), so such a state is never
the trivial one; Delta0 = 0 only at h* = 0.

Microscopic stability: the Jacobian -1 + g z diag(phi'(x*)) / sqrt(N) has its bulk
in the disk of radius g sqrt(E phi'^2), so the frozen state is microscopically
stable iff g^2 E phi'(h* + sqrt(Delta0) u)^2 < 1 (reported as ``gain``; < 1 for
all g < 1 when |phi'| <= 1). Stability of the population mode (outliers driven
by J0) is not claimed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..model import get_phi
from ._checks import check_array, check_g, check_J0, check_real
from ._gauss import averages


def static_fixed_point(g, h_star, phi="tanh") -> float:
    """Delta0* solving Delta0 = g^2 E phi(h* + sqrt(Delta0) u)^2 (eq. F1; THEORY.md section 8).

    Parameters
    ----------
    g : float
        Random coupling, 0 <= g < 1 (the root is unique there).
    h_star : float
        Population state h* of the fixed point.
    phi : str, callable or Nonlinearity
        Transfer function.

    Returns
    -------
    float
        Delta0* >= 0 (0 only for h* = 0 with an odd phi, or g = 0).
    """
    g = check_g(g, below_one=True)
    h = check_real("h_star", h_star)
    avg = averages(phi)
    g2 = g * g

    def residual(d):
        return d - g2 * avg.mean_sq(h, d)

    if residual(0.0) >= 0.0:  # g = 0, or phi(h*) = 0 (h* = 0 for odd phi)
        return 0.0
    hi = max(1.0, g2 * avg.mean_sq(h, 0.0))
    while residual(hi) <= 0.0:
        hi *= 2.0
        if hi > 1e12:
            raise ValueError(
                f"no static fixed point for g = {g}, h* = {h}: g^2 E phi^2 grows as fast as Delta"
            )
    return float(optimize.brentq(residual, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps))


@dataclass(frozen=True)
class StaticBranch:
    """Static coherent states parametrised by h* (eqs. F1-F3 of this module); the attributes are arrays over h*.

    Attributes
    ----------
    h_star : population state h*
    delta0 : Delta0*(h*), eq. F1
    M : mean rate E phi(h* + sqrt(Delta0) u)
    C : rate second moment E phi^2 = Delta0 / g^2
    chat : connected covariance C - M^2
    xi_eff : effective innovation amplitude that makes h* a fixed point, eq. F3
    gain : g^2 E phi'^2 (< 1: microscopically stable frozen state)
    """

    g: float
    J0: float
    lambda0: float
    I0: float
    h_star: np.ndarray
    delta0: np.ndarray
    M: np.ndarray
    C: np.ndarray
    chat: np.ndarray
    xi_eff: np.ndarray
    gain: np.ndarray


def static_branch(g, h_star, J0, phi="tanh", *, lambda0=0.0, I0=0.0) -> StaticBranch:
    """The branch of static coherent fixed points over h* (THEORY.md sections 4 and 8).

    For each h*: Delta0* from (F1), the moments M*, C*, Chat*, and the effective
    Gaussian amplitude xi_eff = (h* - I0 - lambda0 M*) / (J0 sqrt(Chat*)) of the
    constant feedback m* = J0 sqrt(Chat*) xi_eff + lambda0 M* (F2, F3).

    Parameters
    ----------
    g : float
        Random coupling, 0 <= g < 1.
    h_star : array_like
        Population states at which to evaluate the branch.
    J0 : float
        Balanced E/I strength, > 0 (with J0 = 0 there is no branch, only h* = I0 + lambda0 M*).
    phi : str, callable or Nonlinearity
        Transfer function.
    lambda0, I0 : float
        Detuning and constant uniform input.

    Returns
    -------
    StaticBranch
    """
    g = check_g(g, below_one=True)
    J0 = check_J0(J0)
    if J0 == 0.0:
        raise ValueError(
            "static_branch needs J0 > 0: with J0 = 0 the static states are only h* = I0 + lambda0 M*; "
            "use static_fixed_point for Delta0* at a given h*"
        )
    lambda0, I0 = check_real("lambda0", lambda0), check_real("I0", I0)
    hs = np.atleast_1d(check_array("h_star", h_star))
    avg = averages(get_phi(phi))
    delta0 = np.array([static_fixed_point(g, h, avg.phi) for h in hs])
    M = np.array([avg.mean(h, d) for h, d in zip(hs, delta0)])
    C = np.array([avg.mean_sq(h, d) for h, d in zip(hs, delta0)])
    chat = np.maximum(C - M * M, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = (hs - I0 - lambda0 * M) / (J0 * np.sqrt(chat))
    gain = g * g * np.array([avg.mean_prime_sq(h, d) for h, d in zip(hs, delta0)])
    return StaticBranch(g=g, J0=J0, lambda0=lambda0, I0=I0, h_star=hs, delta0=delta0,
                        M=M, C=C, chat=chat, xi_eff=xi, gain=gain)


def static_amplitude(g, h_star, J0, phi="tanh", *, lambda0=0.0, I0=0.0) -> float:
    """xi_eff(h*) of eq. F3 at one h* (see :func:`static_branch`; THEORY.md section 8)."""
    return float(static_branch(g, [h_star], J0, phi, lambda0=lambda0, I0=I0).xi_eff[0])

