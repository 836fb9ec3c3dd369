"""Quadrature rules of meanfield.gaussian.rules against exact Gaussian moments."""

import math

import numpy as np
import pytest

from meanfield.gaussian import rules


def double_factorial(k):
    return math.prod(range(k, 0, -2)) if k > 0 else 1


@pytest.mark.parametrize("order", [2, 7, 40, 81, 200])
def test_hermite_rule_integrates_polynomials_exactly(order):
    z, w = rules.hermite_rule(order)
    assert z.shape == w.shape == (order,)
    assert np.all(np.diff(z) > 0)
    np.testing.assert_array_equal(z, -z[::-1])  # exact symmetry used by the paired kernels
    assert w.sum() == pytest.approx(1.0, abs=1e-15)
    # E z^(2k) = (2k-1)!! for 2k <= 2n - 1; compare on the scale of the largest term
    for k in range(0, min(order, 12)):
        exact = double_factorial(2 * k - 1)
        scale = np.sum(w * np.abs(z) ** (2 * k))
        assert abs(np.sum(w * z ** (2 * k)) - exact) <= 1e-13 * scale
    assert abs(np.sum(w * z**3)) <= 1e-15 * np.sum(w * np.abs(z) ** 3)


def test_hermite_rule_large_order_is_finite():
    z, w = rules.hermite_rule(1500)
    assert np.all(np.isfinite(z)) and np.all(w >= 0)
    assert np.sum(w * z * z) == pytest.approx(1.0, rel=1e-12, abs=0)


def test_trapezoid_rule_averages():
    z, w = rules.trapezoid_rule(41, d_max=5.0)
    np.testing.assert_array_equal(z, -z[::-1])
    assert np.allclose(np.diff(z), np.diff(z)[0], rtol=1e-12, atol=0)
    assert w.sum() == pytest.approx(1.0, abs=1e-15)
    # E cos(z) = exp(-1/2); for an entire bounded f only the truncation at
    # L = 20 s is left, which the error model bounds
    err = abs(np.sum(w * np.cos(z)) - math.exp(-0.5))
    assert err <= rules.trapezoid_error(41, 5.0, 0.0)
    L = z[-1]
    assert rules.trapezoid_error(41, 5.0, 0.0) == pytest.approx(
        rules.ERROR_CONSTANT * math.exp(-L * L / 2), rel=1e-12, abs=0)
    z_even, _ = rules.trapezoid_rule(40, d_max=5.0)
    assert z_even.size == 40 and 0.0 not in z_even


def test_prune_drops_only_negligible_mass():
    z, w = rules.hermite_rule(80)
    zp, wp = rules.prune(z, w)
    assert zp.size == 50  # Gauss-Hermite tails carry weights down to 1e-62
    np.testing.assert_array_equal(zp, -zp[::-1])
    gone = np.abs(z) > zp[-1]
    assert gone.sum() == 30
    assert np.sum((w * (1 + z * z))[gone]) <= rules.PRUNE_MASS
    np.testing.assert_array_equal(wp, w[~gone])
    z10, w10 = rules.hermite_rule(10)
    assert rules.prune(z10, w10)[0].size == 10


def test_order_rules_meet_their_own_error_model():
    for acc in (1e-3, 1e-6, 1e-10):
        for d_max in (0.5, 2.0, 10.0):
            n = rules.hermite_order(acc, d_max)
            assert rules.hermite_error(n, d_max) <= acc < rules.hermite_error(n - 1, d_max)
            m = rules.trapezoid_order(acc, d_max)
            assert m % 2 == 1
            assert rules.trapezoid_error(m, d_max, d_max) <= acc < rules.trapezoid_error(m - 2, d_max, d_max)
    assert rules.hermite_order(1e-8, 10.0) > rules.hermite_order(1e-6, 10.0) > rules.hermite_order(1e-6, 2.0)
    # the error model grows with the variance (the order is chosen at d_max)
    errs = [rules.hermite_error(40, d) for d in (0.5, 1, 2, 5, 10)]
    assert errs == sorted(errs)


@pytest.mark.parametrize("bad", [1, 2.0, "40", True, 10**7])
def test_bad_orders_raise(bad):
    with pytest.raises(ValueError, match="order"):
        rules.hermite_rule(bad)


def test_bad_accuracy_and_variance_raise():
    with pytest.raises(ValueError, match="accuracy"):
        rules.hermite_order(0.0, 1.0)
    with pytest.raises(ValueError, match="accuracy"):
        rules.hermite_order(0.5, 1.0)
    with pytest.raises(ValueError, match="d_max"):
        rules.trapezoid_rule(41, d_max=-1.0)
    with pytest.raises(ValueError, match="rule"):
        rules.make_rule("simpson", 10, 1.0)
