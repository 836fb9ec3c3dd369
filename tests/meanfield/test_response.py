"""Linear response chi(t, s) = dh(t)/dI0(s) in theory and simulation (THEORY.md sections 3 and 5)."""

import numpy as np
import pytest
from scipy import stats

import meanfield as mf
from meanfield import response as rs
from simulate import response as sr

# Linear regime of section 3: phi linear, g < 1, lambda0 = 0; sigma0 = 0 so that the unperturbed
# replica stays at x = 0 and the whole population path is the response.
G, J0, DT = 0.6, 1.5, 0.1
LINEAR = mf.Network(N=1000, g=G, J0=J0, phi="linear")
QUIET = mf.InitialState(0.0, 0.0)
LAGS = (10, 20, 40)


@pytest.fixture(scope="module")
def exact_linear_law():
    zeta = np.random.default_rng(0).standard_normal((20000, 60))   # tail g^60 ~ 5e-14
    return rs.linear_impulse_response(zeta, G, J0, DT, max(LAGS))


def test_euler_linear_response_tends_to_the_section3_transfer_function():
    # As dt -> 0 the Euler-grid response of one zeta sample has the Laplace transform
    # H(-i s) = 1 / ((1 + s) - J0 sum_k zeta_k g^k / (1 + s)^k) of THEORY.md section 3.
    zeta = np.random.default_rng(5).standard_normal(40)
    g, J0_, dt, T = 0.5, 1.0, 0.002, 40.0
    n = int(round(T / dt))
    chi = rs.linear_impulse_response(zeta, g, J0_, dt, n)
    t = np.arange(n + 1) * dt
    for s in (0.5, 1.0, 2.0):
        laplace = np.sum(chi[1:] * np.exp(-s * t[:-1])) * dt      # chi[k] is the response at t_{k-1} + dt
        exact = mf.linear.transfer_function(-1j * s, zeta, g, J0_).real
        assert laplace == pytest.approx(exact, rel=5e-3)


@pytest.mark.parametrize("method", rs.METHODS)
def test_theory_response_has_the_exact_linear_law(exact_linear_law, method):
    # chi over 100 xi samples (one pulse at t = 0), from the tangent-linear recursion or the finite
    # difference of the joint sweep, against 20000 draws of the exact Euler-grid law over zeta: two-sample
    # KS at 3 lags, each at p > 3.3e-4 (false-failure rate <= 1e-3 per method by Bonferroni). On the quiet
    # state the base path is x = 0 and the whole response comes from fresh innovations of replica 2.
    grid = mf.TimeGrid(DT, max(LAGS) * DT)
    chi = rs.response_ensemble(LINEAR, grid=grid, initial=QUIET, method=method, eps=1.0, n_samples=100,
                               seed=1).chi
    np.testing.assert_allclose(chi[:, 1], 1.0, rtol=1e-12)
    for lag in LAGS:
        assert stats.ks_2samp(chi[:, lag], exact_linear_law[:, lag]).pvalue > 1e-3 / 3, lag


def test_finite_difference_response_is_linear_in_eps():
    # tanh, chaotic (g, J0) = (1.5, 1): the finite difference is converged at eps = 1e-5.
    net = mf.Network(N=1000, g=1.5, J0=1.0)
    grid = mf.TimeGrid(0.1, 8.0)
    a = rs.impulse_response(net, grid=grid, step=20, method="difference", eps=1e-5, seed=1)
    b = rs.impulse_response(net, grid=grid, step=20, method="difference", eps=1e-6, seed=1)
    assert a[21] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(a, b, atol=1e-4)
    np.testing.assert_array_equal(a[:21], 0.0)
    with pytest.raises(ValueError, match="method"):
        rs.impulse_response(net, grid=grid, step=20, method="adjoint", seed=1)


def test_pulsed_inputs_add_a_one_step_pulse():
    grid = mf.TimeGrid(0.1, 2.0)
    base = mf.Inputs(uniform=mf.UniformInput(0.3, mf.Sine(1.0)))
    pulsed = rs.pulsed_inputs(base, grid, 7, 0.5)
    diff = pulsed.uniform.series(grid.times) - base.uniform.series(grid.times)
    expected = np.zeros(grid.n_steps + 1)
    expected[7] = 0.5
    np.testing.assert_allclose(diff, expected, atol=1e-15)
    alone = rs.pulsed_inputs(mf.Inputs(), grid, 3, 2.0).uniform.series(grid.times)
    np.testing.assert_array_equal(np.nonzero(alone)[0], [3])
    with pytest.raises(ValueError, match="pulse step"):
        rs.pulsed_inputs(base, grid, grid.n_steps, 0.5)
    with pytest.raises(ValueError, match="eps"):
        rs.pulsed_inputs(base, grid, 1, 0.0)


@pytest.mark.slow
def test_simulated_response_has_the_exact_linear_law(exact_linear_law, one_numba_thread):
    # 50 realisations at N = 1000 (same z and x(0) = 0 for both replicas), pulse at t = 0; KS against
    # the exact law at 3 lags with p > 3.3e-4 each (false-failure rate <= 1e-3 if N = 1000 were exact;
    # the finite-N corrections of section 3 are well below this power).
    grid = mf.TimeGrid(DT, max(LAGS) * DT)
    chi = sr.response_ensemble(LINEAR, grid=grid, initial=QUIET, eps=1e-3, n_samples=50, seed=3).chi
    np.testing.assert_allclose(chi[:, 1], 1.0, rtol=1e-9)
    for lag in LAGS:
        assert stats.ks_2samp(chi[:, lag], exact_linear_law[:, lag]).pvalue > 1e-3 / 3, lag


@pytest.mark.slow
def test_tanh_response_law_agrees_with_simulation_at_N1000(one_numba_thread):
    # Chaotic (g, J0) = (1.5, 1), pulse at t = 1, T = 10. Theory: 80 tangent samples (fresh innovations);
    # networks: 60 realisations at N = 1000, paired replicas (same z and x(0)), eps = 1e-4. Two-sample KS
    # at lags 2 and 5 with p > 5e-4 each (false-failure rate <= 1e-3 by Bonferroni). Measured (100 vs 100):
    # sd of chi(t_s + 5) 0.573 (tangent), 0.568 (networks), 0.085 (finite difference of the joint sweep,
    # which drops the fresh innovations: KS p ~ 1e-5, the bias this test guards against).
    net = mf.Network(N=1000, g=1.5, J0=1.0)
    grid = mf.TimeGrid(0.1, 10.0)
    theory = rs.response_ensemble(net, grid=grid, step=10, n_samples=80, seed=1).chi
    sim = sr.response_ensemble(net, grid=grid, step=10, eps=1e-4, n_samples=60, seed=2).chi
    for lag in (20, 50):
        assert stats.ks_2samp(theory[:, 10 + lag], sim[:, 10 + lag]).pvalue > 5e-4, lag
