"""Tangent-linear recursion of the joint replica system (THEORY.md section 5, meanfield.tangent)."""

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import integrate

import meanfield as mf
from meanfield import lyapunov as ly
from meanfield.gaussian import GaussianEngine
from meanfield.tangent import TANGENT_SETTINGS, Perturbation, solve_tangent


def _pair_average(fp, fq, h1, d1, h2, d2, c):
    """E[fp(h1 + y) fq(h2 + y')] by adaptive 2-D quadrature (scipy dblquad), y = sqrt(d1) u, y' = b1 u + b2 v.

    (Nested mpmath quadrature takes ~15 s per average; the 1-D means below use mpmath.)
    """
    s1 = math.sqrt(d1)
    b1 = c / s1
    b2 = math.sqrt(max(d2 - b1 * b1, 0.0))
    gauss = lambda u: math.exp(-u * u / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    if b2 == 0.0:
        return integrate.quad(lambda u: gauss(u) * fp(h1 + s1 * u) * fq(h2 + b1 * u), -12, 12,
                              epsabs=1e-14, epsrel=1e-13, limit=200)[0]
    val, _ = integrate.dblquad(lambda v, u: gauss(u) * gauss(v) * fp(h1 + s1 * u) * fq(h2 + b1 * u + b2 * v),
                               -12, 12, -12, 12, epsabs=1e-13, epsrel=1e-12)
    return val


def _tanh_derivatives():
    t = mp.tanh
    return (t, lambda x: 1 - t(x) ** 2, lambda x: -2 * t(x) * (1 - t(x) ** 2),
            lambda x: -2 * (1 - t(x) ** 2) * (1 - 3 * t(x) ** 2))


def _erf_derivatives():
    a = mp.sqrt(mp.pi) / 2
    e = lambda x: mp.exp(-(a * x) ** 2)  # noqa: E731
    return (lambda x: mp.erf(a * x), e, lambda x: -2 * a * a * x * e(x),
            lambda x: (4 * a**4 * x * x - 2 * a * a) * e(x))


_TANH, _ERF = _tanh_derivatives(), _erf_derivatives()
_A = math.sqrt(math.pi) / 2
# the same closed forms in double precision for the 2-D reference (checked against mp.diff below)
_FLOAT = {
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2, lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2),
             lambda x: -2 * (1 - math.tanh(x) ** 2) * (1 - 3 * math.tanh(x) ** 2)),
    "erf": (lambda x: math.erf(_A * x), lambda x: math.exp(-(_A * x) ** 2),
            lambda x: -2 * _A * _A * x * math.exp(-(_A * x) ** 2),
            lambda x: (4 * _A**4 * x * x - 2 * _A * _A) * math.exp(-(_A * x) ** 2)),
}


@pytest.mark.parametrize("funcs", [_TANH, _ERF])
def test_reference_derivatives_are_derivatives(funcs):
    for x in (-1.3, 0.2, 0.9):
        for q in (1, 2, 3):
            assert float(funcs[q](x)) == pytest.approx(float(mp.diff(funcs[0], x, q)), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("phi, order, funcs, tol", [("erf", 40, _ERF, 1e-11), ("tanh", 80, _TANH, 1e-7)])
def test_derivative_averages_agree_with_independent_quadrature(phi, order, funcs, tol):
    # tol: erf products are entire and Gaussian-damped (Gauss-Hermite converges geometrically); for tanh at
    # Delta <= 0.8 the error model of meanfield.gaussian.rules gives ~1e-9 at 80 nodes for phi itself,
    # the derivatives' poles of higher order cost about two digits.
    mp.mp.dps = 20
    engine = GaussianEngine(phi, order=order)
    as_float = _FLOAT[phi]
    hk, dkk = 0.4, 0.6
    h, d, c = np.array([-0.7, 0.3]), np.array([0.8, 0.6]), np.array([0.25, 0.6])   # c = dkk: same time
    table = engine.derivative_row(hk, dkk, h, d, c)
    for p, q in [(0, 1), (1, 1), (2, 1), (3, 1), (2, 2), (0, 2), (1, 3)]:
        for l in range(2):
            ref = _pair_average(as_float[p], as_float[q], hk, dkk, h[l], d[l], c[l])
            assert table[p, q, l] == pytest.approx(ref, abs=tol), (p, q, l)
    means = engine.derivative_means(hk, dkk)
    for q in range(4):
        ref = mp.quad(lambda u: mp.exp(-u * u / 2) / mp.sqrt(2 * mp.pi) * funcs[q](hk + mp.sqrt(dkk) * u),
                      [-mp.inf, 0, mp.inf])
        assert means[q] == pytest.approx(float(ref), abs=tol), q


NET = mf.Network(N=1000, g=1.5, J0=1.0, phi="erf")
GRID = mf.TimeGrid(0.1, 15.0)
XI = np.random.default_rng(7).standard_normal((GRID.n_steps + 1, 2))


def test_base_path_without_fresh_innovations_is_the_single_solver():
    tp = solve_tangent(NET, grid=GRID, perturbation=Perturbation(dh0=1.0), fresh=False, xi=XI)
    single = mf.solve(NET, grid=GRID, xi=XI[:, 0])
    assert tp.fresh_rank == 0
    np.testing.assert_array_equal(tp.h, single.h)
    np.testing.assert_array_equal(tp.delta, single.delta)


@pytest.mark.parametrize("perturbation, shift", [
    (Perturbation(pulse_step=20), {"step": 20}),
    (Perturbation(dh0=1.0), {"h0": 1.0}),
])
def test_tangent_equals_finite_difference_of_the_joint_sweep(perturbation, shift):
    # erf: C has closed forms, so a central finite difference of the two-replica sweep of section 5 is the
    # derivative the tangent computes (Stein's lemma in place of differentiating C). With eps = 1e-5 the
    # replica-2 pivots (~eps^2) are below the pivot tolerance, so the sweep regresses replica 2 on the base
    # innovations: that is fresh=False. Checked: dh (from P, dM), B = dDelta^21/deps and
    # G = d^2(Delta^22 - 2 Delta^21 + Delta^11)/2deps^2 (from Q). Central differences, eps = 1e-4: truncation
    # O(eps^2); measured worst gaps relative to max |.|: dh 1e-8, G 3e-6 (rounding of Delta / eps^2 ~ 1e-8 and
    # the O(eps^2) truncation; the same gap at 40, 80 and 160 nodes, so it is not quadrature).
    eps = 1e-4
    tp = solve_tangent(NET, grid=GRID, perturbation=perturbation, fresh=False, xi=XI)

    def pair(e):
        if "step" in shift:
            from meanfield.response import pulsed_inputs

            inputs = [mf.Inputs(), pulsed_inputs(mf.Inputs(), GRID, shift["step"], e / GRID.dt)]
            initial = mf.InitialState()
        else:
            inputs = mf.Inputs()
            initial = [mf.InitialState(), mf.InitialState(e * shift["h0"], 1.0)]
        return mf.solve_replicas(NET, inputs, GRID, initial, replicas=2, c0=1.0, xi=XI)

    plus, minus = pair(eps), pair(-eps)
    dh = (plus.h[1] - minus.h[1]) / (2 * eps)
    np.testing.assert_allclose(tp.dh, dh, atol=1e-6 * np.abs(dh).max())
    B = (plus.delta_between(1, 0) - minus.delta_between(1, 0)) / (2 * eps)
    np.testing.assert_allclose(tp.B, B, atol=1e-6 * np.abs(B).max())
    D = lambda p: p.delta_between(1, 1) - p.delta_between(1, 0) - p.delta_between(0, 1) + p.delta_between(0, 0)  # noqa: E731
    G = (D(plus) + D(minus)) / (2 * eps**2)
    np.testing.assert_allclose(tp.G, G, atol=3e-5 * np.abs(G).max())


def test_tangent_is_homogeneous_and_its_pivot_rule_scale_free():
    # dh, B scale with the perturbation and G with its square; the fresh pivots are tested against
    # tol * U_kk, so the set of kept columns must not depend on the size of the perturbation.
    net = mf.Network(N=1000, g=1.5, J0=1.0)
    one = solve_tangent(net, grid=GRID, perturbation=Perturbation(dh0=1.0, micro=0.5), xi=XI)
    big = solve_tangent(net, grid=GRID, perturbation=Perturbation(dh0=1e3, micro=0.5e6), xi=XI)
    assert one.fresh_rank > 0 and big.fresh_rank == one.fresh_rank
    np.testing.assert_allclose(big.h, one.h, rtol=0, atol=1e-9)
    np.testing.assert_allclose(big.dh, 1e3 * one.dh, rtol=1e-7, atol=1e-9 * np.abs(big.dh).max())
    np.testing.assert_allclose(big.G, 1e6 * one.G, rtol=1e-7, atol=1e-9 * np.abs(big.G).max())


@pytest.mark.parametrize("g", [0.9, 1.3])
def test_maximal_exponent_without_population_feedback_is_the_micro_exponent(g):
    # J0 = 0 (Sompolinsky-Crisanti-Sommers): the microscopic kick never reaches h (dm = 0), and the G
    # recursion with source G_kl E[phi'_k phi'_l] is eq. 5.L of meanfield.lyapunov, implemented
    # independently there. Both change sign at g = 1 (eq. 5.L measured -0.107 at 0.9, +0.022 at 1.3 on
    # (20, 60)). Same quadrature order in both, so they agree to rounding.
    net = mf.Network(N=1000, g=g, J0=0.0)
    grid = mf.TimeGrid(0.1, 40.0)
    fixed = mf.SolverSettings(quadrature_order=60)   # one fixed rule for both computations
    tp = solve_tangent(net, grid=grid, perturbation=Perturbation(micro=1.0), seed=1, settings=fixed)
    np.testing.assert_array_equal(tp.dh, 0.0)
    path = mf.solve(net, grid=grid, xi=tp.xi[:, 0], settings=fixed)
    micro = ly.micro_exponent(net, path, window=(20, 40), quadrature_order=fixed.quadrature_order)
    assert tp.distance_exponent((20, 40)) == pytest.approx(micro, abs=1e-9)
    assert np.sign(micro) == (1 if g > 1 else -1)


def test_tangent_arguments_are_checked():
    with pytest.raises(ValueError, match="zero"):
        Perturbation()
    with pytest.raises(ValueError, match="variance"):
        Perturbation(micro=-1.0)
    with pytest.raises(ValueError, match="finite"):
        Perturbation(dh0=math.nan)
    with pytest.raises(ValueError, match="pulse_step"):
        Perturbation(pulse_step=-2)
    with pytest.raises(ValueError, match="pulse_step"):
        solve_tangent(NET, grid=GRID, perturbation=Perturbation(pulse_step=GRID.n_steps), seed=1)
    custom = mf.Network(N=100, g=1.0, J0=1.0, phi=lambda x: np.tanh(x))
    with pytest.raises(ValueError, match="builtin"):
        solve_tangent(custom, grid=GRID, seed=1)
    with pytest.raises(ValueError, match="shape"):
        solve_tangent(NET, grid=GRID, xi=XI[:, :1])
