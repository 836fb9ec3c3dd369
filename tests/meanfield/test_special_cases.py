"""THEORY.md section 8: the special-case solvers against independent references.

References used: mpmath quadrature (1-D), an independent nested Gauss-Hermite
rule written here (2-D), sympy series, the arcsine closed form for erf, the
classical SCS results (onset at g = 1, decay rate sqrt(1 - g^2 <phi'>^2)) and the
general causal solver of section 4 (``meanfield.solve``).
"""

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import optimize, stats

import meanfield as mf
from meanfield.special import (
    scs_autocorrelation, scs_autocorrelation_euler, scs_decay_rate, scs_euler_orbit, scs_orbit,
    scs_rate_spectrum, scs_variance, small_J0_spectrum, small_J0_variance, static_amplitude,
    static_branch, static_fixed_point,
)

# 80 Gauss-Hermite nodes with tol 1e-6 is a safe pair of THEORY.md section 4; its
# quadrature error (~1e-7 at Delta ~ 2) is far below the tolerances used here.
ACCURATE = mf.SolverSettings(quadrature_order=80, pivot_tol=1e-6)


# --------------------------------------------------------------------------- independent helpers
def _mp_gauss(f, d, h=0.0):
    """E f(h + sqrt(d) u) by mpmath quadrature."""
    s = mp.sqrt(d)
    return mp.quad(lambda u: f(h + s * u) * mp.npdf(u), [-mp.inf, -4, 0, 4, mp.inf])


def _log_cosh(x):
    return mp.log(mp.cosh(x))


def _mp_var_log_cosh(d):
    m1 = _mp_gauss(_log_cosh, d)
    m2 = _mp_gauss(lambda x: _log_cosh(x) ** 2, d)
    return m2 - m1 * m1


def _nested_hermite_corr(d0, c, n=120):
    """C(c; d0) = E_w[(E_z tanh(sqrt(c) w + sqrt(d0 - c) z))^2] (0 <= c <= d0), plain numpy."""
    x, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / w.sum()
    c = np.atleast_1d(c)
    out = np.empty(c.shape)
    for i, ci in enumerate(c):
        inner = np.tanh(math.sqrt(ci) * x[:, None] + math.sqrt(d0 - ci) * x[None, :]) @ w
        out[i] = np.sum(w * inner**2)
    return out


# --------------------------------------------------------------------------- SCS: the variance
@pytest.mark.parametrize("g", [1.5, 2.0])
def test_scs_variance_solves_the_log_cosh_energy_condition(g):
    # Energy conservation F(d) = g^2 Var log cosh(sqrt(d) u) - d^2/2 = 0 (mpmath quadrature):
    # F changes sign across [d0 (1 - 1e-9), d0 (1 + 1e-9)], so d0 is the root to 1e-9.
    d0 = scs_variance(g)
    with mp.workdps(20):
        F = [g * g * _mp_var_log_cosh(d) - d * d / 2 for d in (d0 * (1 - 1e-9), d0 * (1 + 1e-9))]
    assert F[0] > 0 > F[1]


def test_chaos_onset_at_g_equal_one():
    # SCS 1988: the quiescent state x = 0 is the only state for g <= 1, chaos for g > 1.
    assert scs_variance(0.9) == 0.0
    assert scs_variance(1.0) == 0.0
    d105, d12 = scs_variance(1.05), scs_variance(1.2)
    assert 0.0 < d105 < d12
    t, D = scs_autocorrelation(0.9, tau_max=5.0, n_tau=11)
    np.testing.assert_array_equal(D, 0.0)


def _onset_series_coefficients():
    """Delta0 = sum_k c_k (g-1)^k from the Taylor series of tanh (sympy, exact rationals)."""
    import sympy as sp

    x, D, d = sp.symbols("x D d")
    u = sp.Symbol("u")
    Phi = sp.integrate(sp.series(sp.tanh(x), x, 0, 10).removeO(), x)   # log cosh to x^10
    P = sp.Poly(sp.expand(Phi.subs(x, sp.sqrt(D) * u)), u)

    def E(poly):  # E u^(2n) = (2n-1)!!
        return sum(c * sp.factorial2(k - 1) for (k,), c in poly.terms() if k % 2 == 0)

    var_phi = sp.expand(E(P**2) - E(P) ** 2)
    c = sp.symbols("c1:4")
    ansatz = sum(ck * d ** (k + 1) for k, ck in enumerate(c))
    eq = sp.expand(((1 + d) ** 2 * var_phi - D**2 / 2).subs(D, ansatz))
    eqs = [eq.coeff(d, k) for k in range(3, 6)]            # orders d^3, d^4, d^5
    sol = [s for s in sp.solve(eqs, c, dict=True) if s[c[0]] != 0][0]
    return [float(sol[ck]) for ck in c]


def test_small_g_minus_one_asymptotics_from_the_tanh_series():
    c1, c2, c3 = _onset_series_coefficients()
    assert (c1, c2, c3) == pytest.approx((1.0, 7.0 / 6.0, -7.0 / 9.0))   # eq. S3
    # Delta0 ~ (g - 1): the leading term needs only tanh x = x - x^3/3.
    res = []
    for delta in (0.04, 0.02, 0.01):
        d0 = scs_variance(1.0 + delta)
        assert abs(d0 / delta - 1.0) < 2.0 * delta
        res.append(d0 - (c1 * delta + c2 * delta**2 + c3 * delta**3))
    # the remainder is O((g-1)^4): halving g - 1 divides it by ~16
    assert 12.0 < res[0] / res[1] < 20.0
    assert 12.0 < res[1] / res[2] < 20.0


@pytest.mark.parametrize("g", [1.3, 2.5])
def test_erf_variance_against_the_arcsine_closed_form(g):
    # phi = erf(sqrt(pi) x / 2): C(c; d0) = (2/pi) arcsin(b c), b = (pi/2) / (1 + pi d0 / 2), so
    # int_0^d0 C = (2/pi) [d0 arcsin(b d0) + (sqrt(1 - b^2 d0^2) - 1) / b] in closed form.
    def energy(d):
        b = (math.pi / 2) / (1 + math.pi * d / 2)
        integral = (2 / math.pi) * (d * math.asin(b * d) + (math.sqrt(1 - (b * d) ** 2) - 1) / b)
        return g * g * integral - d * d / 2

    ref = optimize.brentq(energy, 1e-3, 100.0, xtol=1e-14)
    assert scs_variance(g, "erf") == pytest.approx(ref, rel=1e-10)


# --------------------------------------------------------------------------- SCS: the orbit
@pytest.mark.parametrize("g", [1.5, 2.0])
def test_autocorrelation_obeys_the_newton_equation(g):
    # Delta'' = Delta - g^2 C(Delta; Delta0) with C from an independent 2-D quadrature, Delta(0) =
    # Delta0, Delta'(0) = 0 and Delta -> 0.  Central differences on a 1e-3 grid: error ~1e-7.
    h = 1e-3
    tau, D = scs_autocorrelation(g, tau_max=20.0, n_tau=20001)
    d0 = scs_variance(g)
    assert D[0] == pytest.approx(d0, rel=1e-7)
    idx = np.array([1, 500, 2000, 5000, 10000, 19999])
    second = (D[idx + 1] - 2 * D[idx] + D[idx - 1]) / h**2
    rhs = D[idx] - g * g * _nested_hermite_corr(d0, D[idx])
    np.testing.assert_allclose(second, rhs, atol=2e-6)
    assert abs((D[1] - D[0]) / h) < abs(second[0]) * h         # Delta'(0) = 0: slope O(h)
    assert np.all(np.diff(D) < 0) and D[-1] < 0.1 * d0


def test_tail_decays_at_the_classical_rate():
    # Delta(tau) ~ exp(-kappa tau), kappa = sqrt(1 - g^2 (E phi'(y))^2), y ~ N(0, Delta0).
    g = 2.0
    with mp.workdps(20):
        mean_dphi = _mp_gauss(lambda x: 1 / mp.cosh(x) ** 2, scs_variance(g))
    kappa = math.sqrt(1 - g * g * float(mean_dphi) ** 2)
    assert scs_decay_rate(g) == pytest.approx(kappa, rel=1e-9)
    D = scs_orbit(g).delta(np.array([50.0, 70.0]))
    assert -math.log(D[1] / D[0]) / 20.0 == pytest.approx(kappa, rel=1e-6)


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="odd"):
        scs_variance(1.5, phi=lambda x: np.tanh(x + 0.3))
    with pytest.raises(ValueError, match="g"):
        scs_variance(-1.0)
    with pytest.raises(ValueError, match="dt"):
        scs_autocorrelation_euler(1.5, dt=1.0, n_lags=3)
    with pytest.raises(ValueError, match="g > 1"):
        small_J0_variance(0.9, 0.1)
    with pytest.raises(ValueError, match="g"):
        static_fixed_point(1.2, 0.5)
    with pytest.raises(ValueError, match="J0 > 0"):
        static_branch(0.8, [0.5], 0.0)


# --------------------------------------------------------------------------- SCS vs the general solver
@pytest.fixture(scope="module")
def scs_paths():
    """General solver at J0 = 0 (dt = 0.1, T = 150). T must be long: Delta(t, t) relaxes to the
    stationary state slowly (deviation 6e-3 at t = 40, 5e-5 at t = 150 for g = 1.5)."""
    grid = mf.TimeGrid(dt=0.1, T=150.0)
    return {
        g: mf.solve(mf.Network(N=1000, g=g, J0=0.0), grid=grid,
                    initial=mf.InitialState(0.0, 1.0), seed=0, settings=ACCURATE)
        for g in (1.5, 2.0)
    }


def _aitken(x0, x1, x2):
    """Limit of a geometrically converging sequence sampled at equal steps (Aitken delta^2)."""
    return x2 - (x2 - x1) ** 2 / ((x2 - x1) - (x1 - x0))


@pytest.mark.parametrize("g", [1.5, 2.0])
def test_general_solver_relaxes_to_the_euler_scs_state(scs_paths, g):
    path = scs_paths[g]
    dt, K, lag = 0.1, path.times.size - 1, 200              # lags up to tau = 20
    euler = scs_euler_orbit(g, dt)
    D = euler.lags(lag + 1)

    def late(k):  # Delta(t_k, t_k - n dt), n = 0..lag
        return path.delta[k - lag: k + 1, k][::-1]

    rows = [late(K - 400), late(K - 200), late(K)]            # t = 110, 130, 150
    dev = [np.max(np.abs(r - D)) for r in rows]
    assert dev[0] > dev[1] > dev[2]                           # still converging, monotonically
    # Aitken-extrapolating the relaxation lands on the stationary Euler state. What remains is
    # the non-geometric part of the relaxation (at g = 1.5 it is still leaving its ~t^-2 regime:
    # ~1e-4 Delta0, against 1.4e-3 Delta0 raw; at g = 2 ~1e-6 Delta0); the 80-node quadrature
    # contributes ~1e-7.
    limit = _aitken(*rows)
    np.testing.assert_allclose(limit, D, atol=2e-4 * euler.delta0)
    assert np.max(np.abs(limit - D)) < 0.2 * dev[2]
    assert _aitken(*(r[0] for r in rows)) == pytest.approx(euler.delta0, abs=2e-5)
    # The Euler D_0 is within O(dt^2) of the continuous Delta0 of eq. S1 ...
    assert path.delta[K, K] == pytest.approx(scs_variance(g), rel=2e-4)
    # ... but the lag profile carries the O(dt) Euler bias (0.2 dt at g = 1.5, 0.55 dt at g = 2).
    gap = np.max(np.abs(rows[2] - scs_orbit(g).delta(np.arange(lag + 1) * dt)))
    assert 0.1 * dt < gap < dt


@pytest.mark.parametrize("g", [1.5, 2.0])
def test_euler_bias_is_first_order_and_richardson_removes_it(g):
    # The exact stationary Euler state (checked against the general solver above) converges
    # to the continuous separatrix like dt; Richardson 2 D(dt/2) - D(dt) like dt^2.
    tau = np.arange(0, 201) * 0.1                      # common lags 0..20
    cont = scs_orbit(g).delta(tau)
    D = {}
    for dt in (0.1, 0.05, 0.025):
        step = int(round(0.1 / dt))
        D[dt] = scs_autocorrelation_euler(g, dt, 200 * step + 1)[1][::step]
    gaps = [np.max(np.abs(D[dt] - cont)) for dt in (0.1, 0.05, 0.025)]
    assert 1.8 < gaps[0] / gaps[1] < 2.2 and 1.8 < gaps[1] / gaps[2] < 2.2
    rich = [np.max(np.abs(2 * D[b] - D[a] - cont)) for a, b in ((0.1, 0.05), (0.05, 0.025))]
    assert rich[0] < 0.1 * gaps[1] and 3.0 < rich[0] / rich[1] < 5.0


@pytest.mark.slow
def test_general_solver_richardson_extrapolates_to_the_continuous_scs():
    # Two general-solver runs at dt = 0.1 and 0.05 (T = 150, g = 2): their late lag profiles
    # differ from Delta(tau) by O(dt), their Richardson combination by O(dt^2) + transient.
    g = 2.0
    cont = scs_orbit(g).delta(np.arange(0, 201) * 0.1)
    rows = {}
    for dt in (0.1, 0.05):
        path = mf.solve(mf.Network(N=1000, g=g, J0=0.0), grid=mf.TimeGrid(dt=dt, T=150.0),
                        initial=mf.InitialState(0.0, 1.0), seed=0, settings=ACCURATE)
        K, step = path.times.size - 1, int(round(0.1 / dt))
        rows[dt] = path.delta[K - 200 * step: K + 1, K][::-1][::step]
    gap_coarse = np.max(np.abs(rows[0.1] - cont))
    gap_fine = np.max(np.abs(rows[0.05] - cont))
    rich = np.max(np.abs(2 * rows[0.05] - rows[0.1] - cont))
    assert 1.8 < gap_coarse / gap_fine < 2.2
    assert rich < 0.1 * gap_fine


# --------------------------------------------------------------------------- static fixed points
@pytest.mark.parametrize("phi, h_star", [("tanh", 0.5), ("tanh", -1.3), ("erf", 0.8)])
def test_static_fixed_point_against_mpmath(phi, h_star):
    g = 0.8
    # d - g^2 E phi(h* + sqrt(d) u)^2 changes sign across d0 (1 -+ 1e-9) (mpmath quadrature)
    f = (mp.tanh if phi == "tanh" else (lambda x: mp.erf(mp.sqrt(mp.pi) * x / 2)))
    d0 = static_fixed_point(g, h_star, phi)
    with mp.workdps(20):
        r = [d - g * g * _mp_gauss(lambda x: f(x) ** 2, d, h_star) for d in (d0 * (1 - 1e-9), d0 * (1 + 1e-9))]
    assert r[0] < 0 < r[1]
    assert static_fixed_point(g, 0.0, phi) == 0.0          # the trivial state for odd phi


@pytest.mark.parametrize("phi", ["tanh", "erf"])
def test_general_solver_holds_the_static_state(phi):
    # J0 = 0 with a constant input I0 = h* makes h* a fixed point of eq. 4.4; start at
    # (h0, sigma0^2) = (h*, Delta0*). Delta(t, t) dips (the frozen field must rebuild its
    # correlation with z) and returns to Delta0*; late Delta(t, s) is flat (static).
    g, h_star = 0.8, 0.5
    d0 = static_fixed_point(g, h_star, phi)
    assert d0 > 0.1                                         # not the trivial solution
    path = mf.solve(mf.Network(N=1000, g=g, J0=0.0, phi=phi),
                    inputs=mf.Inputs(uniform=mf.UniformInput(I0=h_star)),
                    grid=mf.TimeGrid(dt=0.1, T=40.0), initial=mf.InitialState(h_star, math.sqrt(d0)),
                    seed=0)
    np.testing.assert_allclose(path.h, h_star, rtol=1e-14)
    K = path.times.size - 1
    # Perturbations of the frozen state decay like exp(-(1 - g sqrt(E phi'^2)) t) (rate 0.39 here),
    # Delta's like the square: below 1e-9 for t >= 30. atol 1e-6 covers the solver's 40-node
    # quadrature (its fixed point moves by ~1e-8) with room ...
    late = path.delta[K - 100:, K - 100:]                  # t, s in [30, 40]
    np.testing.assert_allclose(late, d0, atol=1e-6)
    # ... and not because it never moved: the diagonal left Delta0* on the way.
    assert np.min(path.delta_diag) < 0.9 * d0


def test_coherent_static_samples_lie_on_the_branch():
    # g < 1, J0 = 2: some theory samples settle in static coherent states h* != 0 (P ~ 0.2,
    # THEORY.md section 4). Each must sit on the branch of eqs. F1-F3.
    g, J0 = 0.8, 2.0
    found = 0
    for seed in range(12):
        path = mf.solve(mf.Network(N=1000, g=g, J0=J0), grid=mf.TimeGrid(dt=0.1, T=60.0),
                        initial=mf.InitialState(0.0, 1.0), seed=seed)
        h = path.h[-100:]
        if abs(h[-1]) < 0.3 or np.std(h) > 1e-6:
            continue
        found += 1
        h_star, K = h[-1], path.times.size - 1
        branch = static_branch(g, [h_star], J0)
        assert path.delta[K, K] == pytest.approx(branch.delta0[0], rel=1e-7)       # F1 (E phi^2)
        assert path.delta[K - 50, K] == pytest.approx(branch.delta0[0], rel=1e-7)  # static
        assert path.M[K] == pytest.approx(branch.M[0], rel=1e-7)
        assert path.chat[K, K] == pytest.approx(branch.chat[0], rel=1e-6)
        # the feedback m_K = J0 sqrt(Chat*) xi_eff equals h* (F2, F3)
        xi_path = path.m[K] / (J0 * math.sqrt(path.chat[K, K]))
        assert xi_path == pytest.approx(static_amplitude(g, h_star, J0), rel=1e-6)
        assert branch.gain[0] < 1.0
        # the connected part alone would miss Delta by far: F1 uses the full E phi^2
        assert branch.delta0[0] > 2 * g * g * branch.chat[0]
    assert found >= 2, "expected at least two static coherent samples among 12 seeds"


# --------------------------------------------------------------------------- small J0
@pytest.mark.parametrize("dt", [None, 0.1])
def test_spectrum_integrates_to_the_variance(dt):
    # Var h = int S_h dw / 2pi (Parseval) against the lag-domain formulas P1 / P2. S_h is
    # analytic and narrow (width ~ kappa; S_h(5) / S_h(0) < 1e-13 at g = 1.5), so Gauss-Legendre
    # panels on [0, 10] (continuous) or the whole Nyquist band [0, pi/dt] (Euler) are exact.
    g, J0 = 1.5, 0.3
    w_max = 10.0 if dt is None else math.pi / dt
    edges = np.linspace(0.0, w_max, int(math.ceil(w_max / 0.5)) + 1)
    x, wt = np.polynomial.legendre.leggauss(16)
    half = 0.5 * np.diff(edges)[:, None]
    w = ((0.5 * (edges[:-1] + edges[1:]))[:, None] + half * x).ravel()
    total = np.sum((half * wt).ravel() * small_J0_spectrum(g, J0, w, dt=dt)) / math.pi
    assert total == pytest.approx(small_J0_variance(g, J0, dt=dt), rel=1e-9)


def test_euler_rate_spectrum_converges_to_continuous():
    g, w = 1.5, np.array([0.0, 0.5, 1.0, 2.0, 4.0])
    cont = scs_rate_spectrum(g, w)
    gaps = [np.max(np.abs(scs_rate_spectrum(g, w, dt=dt) - cont)) for dt in (0.1, 0.05, 0.025)]
    assert 1.7 < gaps[0] / gaps[1] < 2.3 and 1.7 < gaps[1] / gaps[2] < 2.3


def test_variance_formula_matches_the_filtered_solver_covariance(scs_paths):
    # At J0 -> 0 the solver's m has covariance J0^2 Chat (eq. 4.3) and h_K = sum_j w_j m_j with
    # w_j = dt (1-dt)^(K-1-j) (eq. 4.4): Var h_K = J0^2 w^T Chat w from the J0 = 0 path.
    g, dt = 1.5, 0.1
    path = scs_paths[g]
    K = path.times.size - 1
    w = dt * (1 - dt) ** (K - 1 - np.arange(K))
    direct = w @ path.chat[:K, :K] @ w
    # residual transient at t = 150: ~1e-4 relative in Delta, the same order in Chat
    assert small_J0_variance(g, 1.0, dt=dt) == pytest.approx(direct, rel=1e-3)


@pytest.mark.slow
def test_small_J0_ensemble_variance_of_h():
    # 200 theory samples at J0 = 0.1, g = 1.5, dt = 0.1: h(T) is Gaussian with mean 0 and the
    # variance of eq. P2, so n s^2 / sigma^2 ~ chi^2_n with s^2 = mean of h(T)^2.
    # Systematic terms (O(J0^2) ~ 1%, Delta transient at T = 30 ~ 1%) are well inside the
    # 99% interval (about +-18%).
    g, J0, dt, n = 1.5, 0.1, 0.1, 200
    ens = mf.sample(mf.Network(N=1000, g=g, J0=J0), grid=mf.TimeGrid(dt=dt, T=30.0),
                    initial=mf.InitialState(0.0, 1.0), n_samples=n, seed=2024,
                    criteria=None, progress=False)
    s2 = np.mean(ens.h[:, -1] ** 2)
    sigma2 = small_J0_variance(g, J0, dt=dt)
    lo, hi = stats.chi2.ppf([0.005, 0.995], n)
    assert lo / n < s2 / sigma2 < hi / n
