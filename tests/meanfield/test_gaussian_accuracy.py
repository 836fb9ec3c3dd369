"""Accuracy of GaussianEngine against independent quadrature (THEORY.md section 4).

References:
* 1-D Gaussian integrals (means, d = 0, perfect correlation c = +-sqrt(d1 d2),
  erf correlations with the closed-form inner average) by mpmath.quad
  (tanh-sinh) at mp.dps = 30 on panels narrower than the tanh pole distance;
* genuinely 2-D correlations by nested mpmath fp.quad (tanh-sinh in double
  precision; it agrees with a 30-digit nested Gauss-Legendre to ~2e-16 on a
  probe, and is ~30x faster than mp.quad without gmpy).
The engines under test are built with an accuracy that demands it (1e-13).
"""

import functools
import math

import mpmath as mp
import numpy as np
import pytest

from meanfield.gaussian import GaussianEngine
from meanfield.gaussian.rules import hermite_error

L_CUT = 10.0  # Gaussian mass beyond |x| = 10 is 1.5e-23
ERF_A = math.sqrt(math.pi) / 2

MP_FUNCS = {
    "tanh": mp.tanh,
    "erf": lambda x: mp.erf(mp.sqrt(mp.pi) / 2 * x),
    "sigmoid": lambda x: 1 / (1 + mp.exp(-x)),
}
FP_FUNCS = {
    "tanh": math.tanh,
    "erf": lambda x: math.erf(ERF_A * x),
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
}


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# distance of the nearest complex singularity of f(sqrt(d) x) is POLE[f] / sqrt(d)
POLE = {"tanh": math.pi / 2, "sigmoid": math.pi, "erf": math.inf}


def _panels(dmax, name="tanh"):
    # panels no wider than the pole distance keep tanh-sinh fast; erf is entire
    n = max(8, math.ceil(2 * L_CUT * math.sqrt(dmax) / POLE[name]))
    return [-L_CUT + 2 * L_CUT * i / n for i in range(n + 1)]


def mp_line(name, h1, s1, h2, s2):
    """E[f(h1 + s1 x) f(h2 + s2 x)], x ~ N(0,1): 1-D mpmath at 30 digits."""
    f = MP_FUNCS[name]
    with mp.workdps(30):
        h1, s1, h2, s2 = map(mp.mpf, (h1, s1, h2, s2))
        if s1 == 0 and s2 == 0:
            return float(f(h1) * f(h2))
        val = mp.quad(lambda x: f(h1 + s1 * x) * f(h2 + s2 * x) * mp.exp(-x * x / 2),
                      _panels(max(s1, s2) ** 2, name))
        return float(val / mp.sqrt(2 * mp.pi))


@functools.lru_cache(maxsize=None)
def mp_mean(name, h, d):
    f = MP_FUNCS[name]
    with mp.workdps(30):
        if d == 0:
            return float(f(mp.mpf(h)))
        s = mp.sqrt(mp.mpf(d))
        val = mp.quad(lambda x: f(h + s * x) * mp.exp(-x * x / 2), _panels(d, name))
        return float(val / mp.sqrt(2 * mp.pi))


def fp_pair(name, h1, d1, h2, d2, c):
    """Nested double-precision tanh-sinh over y = sqrt(d1) x, y' = a x + b z."""
    f = FP_FUNCS[name]
    s1 = math.sqrt(d1)
    a = c / s1
    b = math.sqrt(max(d2 - a * a, 0.0))
    pts = _panels(max(d1, d2), name)

    def inner(x):
        A = h2 + a * x
        return mp.fp.quad(lambda z: f(A + b * z) * math.exp(-z * z / 2), pts)

    val = mp.fp.quad(lambda x: f(h1 + s1 * x) * math.exp(-x * x / 2) * inner(x), pts)
    return val / (2 * math.pi)


def reference(name, h1, d1, h2, d2, rho):
    """C with c = rho sqrt(d1 d2), choosing the cheapest independent reference."""
    c = rho * math.sqrt(d1 * d2)
    if d1 == 0 or d2 == 0 or abs(rho) == 1:
        return mp_line(name, h1, math.sqrt(d1), h2, math.copysign(math.sqrt(d2), rho or 1.0))
    if rho == 0:
        return mp_mean(name, h1, d1) * mp_mean(name, h2, d2)
    if name == "erf":
        # inner average in closed form: E_z erf(a(A + b z)) = erf(a A / sqrt(1 + 2 a^2 b^2))
        with mp.workdps(30):
            a = mp.mpf(ERF_A)
            s1 = mp.sqrt(d1)
            k = mp.mpf(c) / s1
            b2 = mp.mpf(d2) - k * k
            scale = a / mp.sqrt(1 + 2 * a * a * b2)
            val = mp.quad(lambda x: mp.erf(a * (h1 + s1 * x)) * mp.erf(scale * (h2 + k * x))
                          * mp.exp(-x * x / 2), _panels(max(d1, d2), "erf"))
            return float(val / mp.sqrt(2 * mp.pi))
    return fp_pair(name, h1, d1, h2, d2, c)


def assert_close(value, ref, rel=1e-10, floor=1e-2):
    """Relative 1e-10, absolute 1e-12 where |ref| < 1e-2 (the value is ~0)."""
    tol = rel * max(abs(ref), floor)
    assert abs(value - ref) <= tol, f"value {value!r} vs reference {ref!r}: error {value - ref:.3e}"


# ----------------------------------------------------------------------- grid
MEAN_GRID = [(h, d) for h in (-3.0, -0.7, 0.0, 0.4, 3.0) for d in (0.0, 0.3, 1.0, 5.0)]
# (h1, d1, h2, d2, rho): d = 0, rho = +-1 and rho = 0 use 1-D references
PAIR_GRID = [
    (0.4, 0.0, -0.7, 2.0, 0.0), (-3.0, 5.0, 0.4, 0.0, 0.0), (3.0, 0.0, -3.0, 0.0, 0.0),
    (0.0, 1.0, 0.0, 1.0, 1.0), (0.4, 0.3, -0.7, 5.0, 1.0), (3.0, 5.0, 3.0, 5.0, -1.0),
    (-0.7, 2.0, 2.0, 1.0, -1.0), (0.4, 1.0, -3.0, 5.0, 0.0),
    (0.0, 1.0, 0.0, 1.0, 0.3), (0.4, 0.3, -0.7, 5.0, 0.9), (-3.0, 5.0, 3.0, 5.0, -0.5),
    (3.0, 5.0, 2.0, 0.3, 0.9), (-0.7, 2.0, 0.4, 2.0, -0.5),
]


@pytest.fixture(scope="module")
def engines():
    return {
        "tanh": GaussianEngine("tanh", accuracy=1e-13, d_max=5.0),
        "tanh-trapezoid": GaussianEngine("tanh", accuracy=1e-13, d_max=5.0, rule="trapezoid"),
        "erf": GaussianEngine("erf"),
        "sigmoid": GaussianEngine(sigmoid, accuracy=1e-13, d_max=5.0),
    }


@pytest.fixture(scope="module")
def pair_refs():
    return {name: [reference(name, *case) for case in PAIR_GRID]
            for name in ("tanh", "erf", "sigmoid")}


@pytest.mark.parametrize("engine_name, name", [
    ("tanh", "tanh"), ("tanh-trapezoid", "tanh"), ("erf", "erf"), ("sigmoid", "sigmoid")])
def test_mean_matches_mpmath(engines, engine_name, name):
    eng = engines[engine_name]
    h = np.array([g[0] for g in MEAN_GRID])
    d = np.array([g[1] for g in MEAN_GRID])
    got = eng.mean(h, d)
    for value, (hh, dd) in zip(got, MEAN_GRID):
        assert_close(value, mp_mean(name, hh, dd))


@pytest.mark.parametrize("engine_name, name", [
    ("tanh", "tanh"), ("tanh-trapezoid", "tanh"), ("erf", "erf"), ("sigmoid", "sigmoid")])
def test_correlation_matches_reference(engines, pair_refs, engine_name, name):
    eng = engines[engine_name]
    for (h1, d1, h2, d2, rho), ref in zip(PAIR_GRID, pair_refs[name]):
        c = rho * math.sqrt(d1 * d2)
        assert_close(float(eng.correlation(h1, d1, h2, d2, c)), ref)


def test_erf_zero_mean_is_the_arcsine_law(engines):
    # E[erf(a y) erf(a y')] = (2/pi) arcsin(2 a^2 c / sqrt((1 + 2 a^2 d1)(1 + 2 a^2 d2)))
    d1 = np.array([0.0, 0.1, 1.0, 5.0, 50.0, 4.0])
    d2 = np.array([3.0, 0.2, 1.0, 5.0, 50.0, 0.5])
    rho = np.array([0.0, -0.4, 0.7, 1.0, -1.0, 0.999])
    c = rho * np.sqrt(d1 * d2)
    k = 2 * ERF_A**2
    exact = 2 / np.pi * np.arcsin(k * c / np.sqrt((1 + k * d1) * (1 + k * d2)))
    got = engines["erf"].correlation(0.0, d1, 0.0, d2, c)
    np.testing.assert_allclose(got, exact, rtol=1e-13, atol=1e-16)


def test_quiescent_limit_keeps_relative_accuracy(engines):
    """h, Delta -> 0: C = h1 h2 + c to O(Delta^2); an absolute 1e-16 error would break it.

    THEORY.md section 4: an exponential form of tanh loses relative accuracy
    here and produces negative Cholesky pivots ~ -1e-25 in quiescent decay.
    """
    d1, d2 = 1e-20, 3e-20
    for h1, h2, rho in [(0.0, 0.0, 0.6), (0.0, 0.0, -0.2), (2e-11, -1e-11, 0.5), (0.0, 0.0, 1.0)]:
        c = rho * math.sqrt(d1 * d2)
        exact = h1 * h2 + c
        for name in ("tanh", "tanh-trapezoid", "erf"):
            got = float(engines[name].correlation(h1, d1, h2, d2, c))
            assert got == pytest.approx(exact, rel=1e-12, abs=0), (name, h1, h2, rho)
    # also at the solver's order: quadrature error vanishes with the variance
    eng40 = GaussianEngine("tanh", order=40)
    c = 0.6 * math.sqrt(d1 * d2)
    assert float(eng40.correlation(0.0, d1, 0.0, d2, c)) == pytest.approx(c, rel=1e-12, abs=0)
    assert float(eng40.mean(1e-12, 1e-20)) == pytest.approx(1e-12, rel=1e-14, abs=0)


def test_correlation_is_symmetric_in_its_arguments(engines):
    # conditioning on y or on y' are two different quadratures of one integral
    for name in ("tanh", "sigmoid", "erf"):
        eng = engines[name]
        for h1, d1, h2, d2, rho in PAIR_GRID:
            c = rho * math.sqrt(d1 * d2)
            a = float(eng.correlation(h1, d1, h2, d2, c))
            b = float(eng.correlation(h2, d2, h1, d1, c))
            assert abs(a - b) <= 1e-12, (name, h1, d1, h2, d2, rho)


@pytest.mark.parametrize("order", [20, 40, 60, 80])
def test_solver_orders_stay_within_stated_error(engines, pair_refs, order):
    """Raising the order changes C by less than the stated error model (rules.hermite_error)."""
    eng = GaussianEngine("tanh", order=order)
    for (h1, d1, h2, d2, rho), ref in zip(PAIR_GRID, pair_refs["tanh"]):
        c = rho * math.sqrt(d1 * d2)
        got = float(eng.correlation(h1, d1, h2, d2, c))
        high = float(engines["tanh"].correlation(h1, d1, h2, d2, c))
        bound = hermite_error(order, max(d1, d2))
        assert eng.error_estimate(max(d1, d2)) == bound
        bound += 1e-15  # rounding, for the d = 0 cases whose quadrature is exact
        assert abs(got - high) <= bound
        assert abs(got - ref) <= bound


def test_default_accuracy_engine_meets_its_target(pair_refs):
    eng = GaussianEngine("tanh", accuracy=1e-6, d_max=5.0)
    errs = [abs(float(eng.correlation(h1, d1, h2, d2, rho * math.sqrt(d1 * d2))) - ref)
            for (h1, d1, h2, d2, rho), ref in zip(PAIR_GRID, pair_refs["tanh"])]
    assert max(errs) <= 1e-6
    # and the target is not met by accident: a quarter of the order misses it
    coarse = GaussianEngine("tanh", order=eng.order // 4)
    errs = [abs(float(coarse.correlation(h1, d1, h2, d2, rho * math.sqrt(d1 * d2))) - ref)
            for (h1, d1, h2, d2, rho), ref in zip(PAIR_GRID, pair_refs["tanh"])]
    assert max(errs) > 1e-6


def test_derivative_expectations_match_mpmath():
    """E[phi'(h1 + y) phi(h2 + y')] etc. for linear response (generic 2-D quadrature)."""
    eng = GaussianEngine("tanh", accuracy=1e-12, d_max=3.0)
    sech2 = lambda x: 1 / mp.cosh(x) ** 2  # noqa: E731
    h1, s1, h2, s2 = 0.3, 1.2, -0.5, -0.8  # perfect anticorrelation: a 1-D reference
    d1, d2, c = s1 * s1, s2 * s2, s1 * s2
    with mp.workdps(30):
        ref_dp = mp.quad(lambda x: sech2(h1 + s1 * x) * mp.tanh(h2 + s2 * x) * mp.exp(-x * x / 2),
                         _panels(3.0)) / mp.sqrt(2 * mp.pi)
        ref_dd = mp.quad(lambda x: -2 * mp.tanh(h1 + s1 * x) * sech2(h1 + s1 * x)
                         * sech2(h2 + s2 * x) * mp.exp(-x * x / 2), _panels(3.0)) / mp.sqrt(2 * mp.pi)
        ref_m = mp.quad(lambda x: sech2(h1 + s1 * x) * mp.exp(-x * x / 2),
                        _panels(3.0)) / mp.sqrt(2 * mp.pi)
    assert_close(float(eng.expectation("dphi", "phi", h1, d1, h2, d2, c)), float(ref_dp))
    assert_close(float(eng.expectation("ddphi", "dphi", h1, d1, h2, d2, c)), float(ref_dd))
    assert_close(float(eng.mean(h1, d1, f="dphi")), float(ref_m))
    # a 2-D case by Price's theorem: dC/dc = E[phi'(h1 + y) phi'(h2 + y')]
    d1, d2, c, eps = 1.5, 0.7, 0.4, 1e-4
    slope = (eng.correlation(h1, d1, h2, d2, c + eps) - eng.correlation(h1, d1, h2, d2, c - eps)) / (2 * eps)
    assert float(eng.expectation("dphi", "dphi", h1, d1, h2, d2, c)) == pytest.approx(float(slope), abs=1e-8)


def test_user_callable_derivatives_by_differences():
    eng = GaussianEngine(sigmoid, accuracy=1e-10, d_max=2.0)
    f = MP_FUNCS["sigmoid"]
    with mp.workdps(30):
        ref1 = mp.quad(lambda x: mp.diff(f, 0.2 + 1.1 * x) * mp.exp(-x * x / 2),
                       _panels(2.0, "sigmoid"))
        ref2 = mp.quad(lambda x: mp.diff(f, 0.2 + 1.1 * x, 2) * mp.exp(-x * x / 2),
                       _panels(2.0, "sigmoid"))
        ref1, ref2 = (float(r / mp.sqrt(2 * mp.pi)) for r in (ref1, ref2))
    # central differences: ~1e-9 for phi', ~1e-7 for phi''
    assert abs(float(eng.mean(0.2, 1.21, f="dphi")) - ref1) <= 1e-8
    assert abs(float(eng.mean(0.2, 1.21, f="ddphi")) - ref2) <= 1e-6


# ---------------------------------------------------------------- the adaptive ladder of the solvers
from meanfield.gaussian import adaptive  # noqa: E402
from meanfield.model import get_phi  # noqa: E402


@pytest.mark.parametrize("accuracy", [1e-6, 1e-8])
@pytest.mark.parametrize("d", [0.3, 1.7, 4.0, 9.0, 14.0])
def test_the_rung_chosen_for_a_variance_meets_its_accuracy_there(accuracy, d):
    # the solvers rely on this: the engine of rung_index(d) is accurate to `accuracy` at variance d
    # (and below), for means and for perfectly correlated pairs (double poles, the worst case)
    engine = adaptive.rung_engine(get_phi("tanh"), accuracy, adaptive.rung_index(d))
    assert engine.rule == "trapezoid" and engine.d_max >= d
    worst = 0.0
    for h in (0.0, 0.6, 2.0):
        for dd in (d, 0.5 * d):
            worst = max(worst, abs(float(engine.mean(h, dd)) - mp_mean("tanh", h, dd)))
            s = math.sqrt(dd)
            got = float(engine.correlation(h, dd, 0.3, dd, dd))
            worst = max(worst, abs(got - mp_line("tanh", h, s, 0.3, s)))
    assert worst <= accuracy


def test_rung_index_is_the_smallest_rung_covering_the_variance():
    for d in (0.0, 0.1, 0.5, 0.51, 1.0, 3.3, 8.0, 1e3):
        j = adaptive.rung_index(d)
        assert adaptive.rung_d_max(j) >= d
        assert j == 0 or adaptive.rung_d_max(j - 1) < d


def test_the_rung_check_has_power_a_fixed_rule_fails_it_at_large_variance():
    # 40 Gauss-Hermite nodes (the old fixed default) miss 1e-6 by orders of magnitude at Delta = 4
    engine = GaussianEngine("tanh", order=40)
    assert abs(float(engine.correlation(0.0, 4.0, 0.3, 4.0, 4.0)) - mp_line("tanh", 0.0, 2.0, 0.3, 2.0)) > 1e-5
