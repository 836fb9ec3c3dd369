"""J0 = 0: the Sompolinsky-Crisanti-Sommers (1988) network (THEORY.md section 8, first item).

With J0 = 0 (and no input) h = 0, M = 0 for odd phi, and section 4 reduces to the
classical SCS theory. Its stationary autocorrelation Delta(tau) = Delta(t, t + tau)
is computed here in two forms.

Continuous time (the dt -> 0 limit of eq. 4.5, end of section 4)
-----------------------------------------------------------------
(d/dt + 1)(d/ds + 1) Delta = g^2 C at stationarity reads

    Delta''(tau) = Delta - g^2 C(Delta; Delta0),
    C(c; d0) = E[phi(y) phi(y')],  Var y = Var y' = d0 = Delta0,  Cov(y, y') = c.

It is Newton's law Delta'' = -dV/dDelta in the potential

    V(Delta; Delta0) = -Delta^2/2 + g^2 E[Phi(y) Phi(y')],   Phi' = phi  (Phi = log cosh for tanh),

because d/dc E[Phi(y) Phi(y')] = E[phi(y) phi(y')] (Price's theorem). Delta is even
and smooth, so Delta'(0) = 0; for odd phi it decays to Delta_inf = 0 with zero
velocity. Energy conservation, V(Delta0; Delta0) = V(0; Delta0), gives the exact condition

    Delta0^2 / 2 = g^2 [E Phi(y)^2 - (E Phi(y))^2] = g^2 Var Phi(sqrt(Delta0) u)
                 = g^2 int_0^Delta0 C(c; Delta0) dc                                (S1)

(the last form again by Price's theorem; it is what is solved, with C tabulated).
Near Delta = 0, V(Delta0) - V(Delta) ~ kappa^2 Delta^2 / 2, so Delta decays like
exp(-kappa tau) with the classical rate

    kappa = sqrt(1 - g^2 (E phi'(y))^2).                                           (S2)

Chaos onset at g = 1. For odd phi, C(c; d0) = sum_n c^n (E phi^(n)(y))^2 / n! has
nonnegative coefficients, so C is convex in c with C(0) = 0; if moreover
E phi(y)^2 < Var y (tanh, erf) then C(c) <= c C(d0)/d0 < c and the right side of
(S1) is < g^2 Delta0^2 / 2. Hence for g <= 1 the only solution is Delta0 = 0;
for g > 1 there is exactly one positive root.

Small g - 1 (tanh). With tanh x = x - x^3/3 + 2x^5/15 - 17x^7/315 + ..., hence
Phi = x^2/2 - x^4/12 + x^6/45 - 17x^8/2520 + ..., and E u^(2n) = (2n-1)!!,

    Var Phi(sqrt(D) u) = D^2/2 - D^3 + (8/3) D^4 - 9 D^5 + O(D^6).

Keeping only tanh x = x - x^3/3 (Phi = x^2/2 - x^4/12), (S1) reads
g^2 (D^2/2 - D^3) = D^2/2, so Delta0 = (1 - 1/g^2)/2 = (g-1) + O((g-1)^2): the
chaotic variance grows linearly from the onset. With the higher terms,

    Delta0 = (g-1) + (7/6)(g-1)^2 - (7/9)(g-1)^3 + O((g-1)^4).                   (S3)

Numerics: Delta(tau) is the separatrix of (S1)-(S2), a homoclinic orbit of a
saddle. Integrating forward from the top is unstable; integrating BACKWARD in
time from the tail Delta = eps Delta0, Delta' = -kappa Delta is stable (the
deviation from the stable manifold contracts like exp(-kappa s)), and the
turning point Delta' = 0 is reached at Delta = Delta0 (checked against (S1)).
Beyond that start point, Delta = eps Delta0 exp(-kappa (tau - tau_eps)).

Euler grid (exactly what the general solver computes, eq. 4.5)
---------------------------------------------------------------
With Delta_kl = D_|k-l| eq. 4.5 becomes, with a = 1 - dt,

    D_0     = 2 a D_1 - a^2 D_0 + dt^2 g^2 C(D_0; D_0)                 (n = 0, D_-1 = D_1)
    D_{n+1} = [(1 + a^2) D_n - dt^2 g^2 C(D_n; D_0)] / a - D_{n-1}     (n >= 1)

an area-preserving map with the saddle D = 0 (multipliers lambda, 1/lambda,
lambda + 1/lambda = [1 + a^2 - dt^2 g^2 C'(0)] / a). D_0 selects the orbit that
falls onto the stable manifold of 0: too small a D_0 overshoots below 0, too
large a D_0 turns back up; D_0 is found by bisection between the two to machine
precision. The onset stays at g = 1 (the Euler map x -> (1-dt) x + dt J phi(x)
has the multiplier 1 - dt + dt g at the bulk edge). The discrete lag profile
differs from the continuous one by O(dt) (max gap ~0.21 dt at g = 1.5, ~0.53 dt
at g = 2), while D_0 itself differs only by O(dt^2) (-1.2e-6 at g = 1.5, dt = 0.1).

Relaxation (a property of the general solver that comparisons must respect):
from x(0) independent of z, Delta(t, t) approaches the stationary state slowly,
roughly like t^-2 up to t ~ 60 and then like exp(-0.04 t) at g = 1.5 (deviation
6e-3 at t = 40, 5e-5 at t = 150; at g = 2: 2.5e-3 and 1e-6).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit
from scipy import integrate, optimize

from ..model import Nonlinearity, get_phi
from ._checks import check_count, check_dt, check_g, check_positive
from ._gauss import averages, check_odd
from ._table import CorrelationTable

TAIL_START = 1e-8    # continuous: backward shooting starts at Delta = TAIL_START * Delta0
EULER_TAIL = 1e-5    # Euler: the orbit is iterated down to D = EULER_TAIL * D0, then the linear tail
TURN_RTOL = 1e-7     # turning point of the orbit must reproduce the root of (S1) to this


def _resolve(phi, owner: str) -> Nonlinearity:
    p = get_phi(phi)
    check_odd(p, owner)
    return p


def _cached(fn):
    """Memoise fn(*args, phi) for registered phi, keyed by its name.

    User callables are not cached: two different functions may share a ``__name__``.
    """
    by_name = functools.lru_cache(maxsize=64)(lambda args, name: fn(*args, get_phi(name)))

    @functools.wraps(fn)
    def wrapper(*args):
        *rest, p = args
        return by_name(tuple(rest), p.name) if p.builtin else fn(*rest, p)

    return wrapper


# --------------------------------------------------------------------------- continuous time
def _energy_residual(g: float, p: Nonlinearity, d0: float) -> float:
    """g^2 int_0^d0 C(c; d0) dc / d0^2 - 1/2: zero at the SCS variance (eq. S1)."""
    table = CorrelationTable(averages(p), d0)
    return g * g * table.integral(d0) / (d0 * d0) - 0.5


@_cached
def _scs_root(g: float, p: Nonlinearity) -> float:
    f = functools.partial(_energy_residual, g, p)
    # f -> (g^2 - 1)/2 > 0 as d0 -> 0 and the root is ~ (g^2 - 1)/(2 g^2) (eq. S3)
    lo = 0.01 * (g * g - 1.0) / (2 * g * g)
    while f(lo) <= 0.0:
        lo *= 0.1
        if lo < 1e-14:
            raise RuntimeError(f"SCS energy condition (S1) not positive near Delta0 = 0 at g = {g}")
    hi = max(4.0 * lo, 1.0)
    while f(hi) >= 0.0:
        hi *= 2.0
        if hi > 1e8:
            raise ValueError(
                f"no finite SCS variance for g = {g} and phi = {p.name!r}: "
                "g^2 Var Phi(y) grows at least like Delta0^2 / 2 (phi too steep at large x?)"
            )
    return optimize.brentq(f, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)


def scs_variance(g, phi="tanh") -> float:
    """Stationary variance Delta0 of the SCS network (THEORY.md section 8; eq. S1 of this module).

    Solves Delta0^2 / 2 = g^2 Var Phi(sqrt(Delta0) u) (energy conservation of the
    potential formulation). Delta0 = 0 for g <= 1 (chaos onset at g = 1) and
    Delta0 = (g-1) + (7/6)(g-1)^2 - (7/9)(g-1)^3 + ... for tanh as g -> 1+ (eq. S3).

    Parameters
    ----------
    g : float
        Random coupling strength, >= 0.
    phi : str, callable or Nonlinearity
        An odd transfer function (tanh, erf, or an odd callable).

    Returns
    -------
    float
        Delta0 = Delta(t, t) of the stationary chaotic state (0 for g <= 1).
    """
    g = check_g(g)
    p = _resolve(phi, "scs_variance")
    if g <= 1.0:
        return 0.0
    return float(_scs_root(g, p))


def scs_decay_rate(g, phi="tanh") -> float:
    """Decay rate kappa = sqrt(1 - g^2 (E phi'(y))^2), y ~ N(0, Delta0) of Delta(tau) (eq. S2).

    Parameters
    ----------
    g : float
        Random coupling, > 1 (no decaying chaotic state otherwise).
    phi : str, callable or Nonlinearity
        Odd transfer function.

    Returns
    -------
    float
        kappa in Delta(tau) ~ A exp(-kappa tau) as tau -> infinity (THEORY.md section 8).
    """
    g = check_g(g)
    p = _resolve(phi, "scs_decay_rate")
    if g <= 1.0:
        raise ValueError(f"scs_decay_rate needs g > 1 (chaotic state), got g = {g}")
    d0 = scs_variance(g, p)
    return math.sqrt(1.0 - g * g * averages(p).mean_prime(0.0, d0) ** 2)


@dataclass(frozen=True)
class SCSOrbit:
    """The separatrix Delta(tau) of the continuous-time SCS potential (eqs. S1, S2).

    Attributes
    ----------
    g, delta0, kappa : float
        Coupling, Delta(0) from (S1) and the tail rate (S2).
    tau_eps : float
        Time at which Delta reaches ``TAIL_START * delta0``; exponential tail beyond.
    delta_top : float
        Delta at the turning point of the backward-shot orbit (= delta0 to ``TURN_RTOL``).
    """

    g: float
    delta0: float
    kappa: float
    tau_eps: float
    delta_top: float
    table: CorrelationTable = field(repr=False)
    _sol: object = field(repr=False)

    def delta(self, tau) -> np.ndarray:
        """Delta(tau) for tau >= 0 (even in tau: |tau| is used)."""
        tau = np.abs(np.asarray(tau, dtype=float))
        inner = tau <= self.tau_eps
        out = np.empty_like(tau)
        out[inner] = self._sol(self.tau_eps - tau[inner])[0]
        out[~inner] = TAIL_START * self.delta0 * np.exp(-self.kappa * (tau[~inner] - self.tau_eps))
        return out

    def chat(self, tau) -> np.ndarray:
        """Connected rate covariance Chat(tau) = C(Delta(tau); Delta0) (M = 0 for odd phi)."""
        return self.table(self.delta(tau))


@_cached
def _continuous_orbit(g: float, p: Nonlinearity) -> SCSOrbit:
    d0 = _scs_root(g, p)
    table = CorrelationTable(averages(p), d0)
    kappa = math.sqrt(1.0 - g * g * table.slope0())
    C = table.scalar()
    g2 = g * g

    def rhs(s, y):  # time-reversal invariant: Delta'' = Delta - g^2 C(Delta)
        return (y[1], y[0] - g2 * C(y[0]))

    def top(s, y):  # Delta' = 0 at the turning point
        return y[1]

    top.terminal, top.direction = True, -1.0
    eps = TAIL_START * d0
    s_max = (math.log(1.0 / TAIL_START) + 20.0) / kappa + 20.0
    sol = integrate.solve_ivp(
        rhs, (0.0, s_max), (eps, kappa * eps), method="DOP853", rtol=1e-12,
        atol=1e-15 * d0, events=top, dense_output=True,
    )
    if sol.status != 1 or not sol.t_events[0].size:
        raise RuntimeError(f"SCS backward shooting at g = {g} found no turning point")
    s_top = float(sol.t_events[0][0])
    d_top = float(sol.y_events[0][0][0])
    if not math.isclose(d_top, d0, rel_tol=TURN_RTOL):
        raise RuntimeError(
            f"SCS orbit at g = {g}: turning point {d_top:.12g} disagrees with the energy root "
            f"{d0:.12g} of (S1); the Gaussian averages are not accurate enough"
        )
    return SCSOrbit(g=g, delta0=d0, kappa=kappa, tau_eps=s_top, delta_top=d_top,
                    table=table, _sol=sol.sol)


def scs_orbit(g, phi="tanh") -> SCSOrbit:
    """The continuous-time stationary SCS autocorrelation as an object (eqs. S1, S2).

    Parameters
    ----------
    g : float
        Random coupling, > 1.
    phi : str, callable or Nonlinearity
        Odd transfer function.

    Returns
    -------
    SCSOrbit
        With ``delta(tau)`` and ``chat(tau)`` (THEORY.md section 8).
    """
    g = check_g(g)
    p = _resolve(phi, "scs_orbit")
    if g <= 1.0:
        raise ValueError(f"scs_orbit needs g > 1 (for g <= 1 Delta(tau) = 0), got g = {g}")
    return _continuous_orbit(g, p)


def scs_autocorrelation(g, phi="tanh", tau_max=30.0, n_tau=301):
    """Stationary SCS autocorrelation Delta(tau) in continuous time (THEORY.md section 8).

    The separatrix of Delta'' = Delta - g^2 C(Delta; Delta0) with Delta(0) = Delta0
    from (S1), Delta'(0) = 0 and Delta -> 0 (module docstring).

    Parameters
    ----------
    g : float
        Random coupling, >= 0 (Delta = 0 for g <= 1).
    phi : str, callable or Nonlinearity
        Odd transfer function.
    tau_max : float
        Largest lag (> 0).
    n_tau : int
        Number of equally spaced lags in [0, tau_max] (>= 2).

    Returns
    -------
    tau, Delta : ndarray (n_tau,)
    """
    g = check_g(g)
    p = _resolve(phi, "scs_autocorrelation")
    tau = np.linspace(0.0, check_positive("tau_max", tau_max), check_count("n_tau", n_tau, 2))
    if g <= 1.0:
        return tau, np.zeros_like(tau)
    return tau, _continuous_orbit(g, p).delta(tau)


# --------------------------------------------------------------------------- Euler grid
@njit(cache=True)
def _clenshaw(coef, d0, c):
    s = 1.0 if c >= 0.0 else -1.0
    x = 2.0 * abs(c) / d0 - 1.0
    b1 = 0.0
    b2 = 0.0
    for j in range(coef.size - 1, 0, -1):
        b1, b2 = 2.0 * x * b1 - b2 + coef[j], b1
    return s * (x * b1 - b2 + coef[0])


@njit(cache=True)
def _euler_shoot(coef, d0, g2, dt, stop, out):
    """Iterate the stationary Euler map from D_0 = d0 (module docstring).

    Returns (status, n): status -1 if the orbit overshoots below 0 (d0 too small),
    +1 if it turns back up (d0 too large), 0 if it reached D_n <= stop * d0
    while still decreasing; out[:n+1] holds D_0..D_n.
    """
    a = 1.0 - dt
    e = dt * dt * g2
    out[0] = d0
    out[1] = ((1.0 + a * a) * d0 - e * _clenshaw(coef, d0, d0)) / (2.0 * a)
    for n in range(1, out.size - 1):
        d = out[n]
        if d < 0.0:
            return -1, n
        if d > out[n - 1]:
            return 1, n
        if d <= stop * d0:
            return 0, n
        out[n + 1] = ((1.0 + a * a) * d - e * _clenshaw(coef, d0, d)) / a - out[n - 1]
    return 0, out.size - 1


@dataclass(frozen=True)
class EulerSCSOrbit:
    """The stationary SCS autocorrelation on the Euler grid, D_n = Delta(t, t + n dt).

    Attributes
    ----------
    g, dt, delta0 : float
    head : ndarray
        D_0..D_n0 from the map, down to ``EULER_TAIL * delta0``.
    lam : float
        Stable multiplier of the saddle: D_{n0+j} = D_n0 lam^j beyond the head.
    """

    g: float
    dt: float
    delta0: float
    head: np.ndarray = field(repr=False)
    lam: float
    table: CorrelationTable = field(repr=False)

    def lags(self, n_lags: int) -> np.ndarray:
        """D_0..D_{n_lags-1}."""
        n0 = self.head.size - 1
        n = np.arange(n_lags)
        out = np.empty(n_lags)
        inner = n <= n0
        out[inner] = self.head[n[inner]]
        out[~inner] = self.head[-1] * self.lam ** (n[~inner] - n0)
        return out

    def chat(self, n_lags: int) -> np.ndarray:
        """Chat_n = C(D_n; D_0), n = 0..n_lags-1."""
        return self.table(self.lags(n_lags))


def _euler_status(g, dt, p, d0, buf):
    table = CorrelationTable(averages(p), d0)
    return _euler_shoot(table.coef, d0, g * g, dt, 0.0, buf)[0]


@_cached
def _euler_orbit(g: float, dt: float, p: Nonlinearity) -> EulerSCSOrbit:
    guess = _scs_root(g, p)
    kappa = math.sqrt(1.0 - g * g * CorrelationTable(averages(p), guess).slope0())
    buf = np.empty(int(200.0 / (kappa * dt)) + 1000)
    # bracket: D_0 = lo overshoots (-1), D_0 = hi turns back (+1); the Euler D_0 is O(dt^2) away
    lo, hi = 0.7 * guess, 1.4 * guess
    for _ in range(60):
        if _euler_status(g, dt, p, lo, buf) == -1:
            break
        lo *= 0.5
    for _ in range(60):
        if _euler_status(g, dt, p, hi, buf) == 1:
            break
        hi *= 2.0
    if not (_euler_status(g, dt, p, lo, buf) == -1 and _euler_status(g, dt, p, hi, buf) == 1):
        raise RuntimeError(f"could not bracket the Euler SCS variance at g = {g}, dt = {dt}")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        if _euler_status(g, dt, p, mid, buf) == -1:
            lo = mid
        else:
            hi = mid
    d0 = lo
    table = CorrelationTable(averages(p), d0)
    status, n = _euler_shoot(table.coef, d0, g * g, dt, EULER_TAIL, buf)
    if status != 0:
        raise RuntimeError(
            f"Euler SCS orbit at g = {g}, dt = {dt} left the stable manifold before "
            f"D = {EULER_TAIL:g} D0 (bisection ended at D0 = {d0!r})"
        )
    a = 1.0 - dt
    mu = (1.0 + a * a - dt * dt * g * g * table.slope0()) / a
    lam = 0.5 * (mu - math.sqrt(mu * mu - 4.0))
    return EulerSCSOrbit(g=g, dt=dt, delta0=d0, head=buf[: n + 1].copy(), lam=lam, table=table)


def scs_euler_orbit(g, dt, phi="tanh") -> EulerSCSOrbit:
    """Stationary SCS state on the Euler grid of THEORY.md eq. 4.5 (module docstring).

    This is the exact late-time limit of the general solver at J0 = 0, so it
    isolates quadrature and transient effects from the O(dt) Euler bias.

    Parameters
    ----------
    g : float
        Random coupling, > 1.
    dt : float
        Euler step in (0, 1).
    phi : str, callable or Nonlinearity
        Odd transfer function.

    Returns
    -------
    EulerSCSOrbit
    """
    g = check_g(g)
    dt = check_dt(dt)
    p = _resolve(phi, "scs_euler_orbit")
    if g <= 1.0:
        raise ValueError(f"scs_euler_orbit needs g > 1 (for g <= 1 D_n = 0), got g = {g}")
    return _euler_orbit(g, dt, p)


def scs_autocorrelation_euler(g, dt, n_lags, phi="tanh"):
    """Stationary SCS autocorrelation on the Euler grid, D_n = Delta(t, t + n dt) (eq. 4.5).

    Parameters
    ----------
    g : float
        Random coupling, >= 0 (D = 0 for g <= 1).
    dt : float
        Euler step in (0, 1).
    n_lags : int
        Number of lags n = 0..n_lags-1 (>= 1).
    phi : str, callable or Nonlinearity
        Odd transfer function.

    Returns
    -------
    tau, D : ndarray (n_lags,)
        tau = n dt and D_n.
    """
    g = check_g(g)
    dt = check_dt(dt)
    p = _resolve(phi, "scs_autocorrelation_euler")
    n_lags = check_count("n_lags", n_lags, 1)
    tau = np.arange(n_lags) * dt
    if g <= 1.0:
        return tau, np.zeros(n_lags)
    return tau, _euler_orbit(g, dt, p).lags(n_lags)
