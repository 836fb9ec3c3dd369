"""Truncation order and sampling of zeta (THEORY.md section 3)."""

import mpmath
import numpy as np
import pytest
from scipy import stats

from meanfield.linear import sample_zeta, truncation_order


@pytest.mark.parametrize("g", [0.1, 0.5, 0.8, 0.9, 0.99, 0.3])
@pytest.mark.parametrize("tol", [1e-12, 1e-6, 0.5])
def test_truncation_order_is_smallest_k_with_tail_below_tol(g, tol):
    # independent reference: exact rational powers in mpmath, scanning k upward
    with mpmath.workdps(60):
        gm, tm = mpmath.mpf(g), mpmath.mpf(tol)
        k_ref = 1
        while gm**k_ref > tm:
            k_ref += 1
    assert truncation_order(g, tol) == k_ref


def test_truncation_order_edge_cases_and_errors():
    assert truncation_order(0.0) == 1
    assert truncation_order(0.8) == 124  # 0.8^123 = 1.18e-12 > 1e-12 >= 0.8^124 = 9.5e-13
    assert 0.8**124 <= 1e-12 < 0.8**123
    for bad_g in (1.0, 1.5, -0.1, float("nan")):
        with pytest.raises(ValueError, match="g"):
            truncation_order(bad_g)
    for bad_tol in (0.0, 1.0, -1e-3, 2.0):
        with pytest.raises(ValueError, match="tol"):
            truncation_order(0.5, bad_tol)


def test_sample_zeta_is_independent_of_batch_size_and_truncation():
    one = sample_zeta(40, 123)
    few = sample_zeta(40, 123, 3)
    many = sample_zeta(60, 123, 50)
    assert one.shape == (40,) and few.shape == (3, 40) and many.shape == (50, 60)
    np.testing.assert_array_equal(one, few[0])
    np.testing.assert_array_equal(few, many[:3, :40])  # prefix in samples and in k
    assert not np.array_equal(many[0], many[1])
    assert not np.array_equal(sample_zeta(40, 124), one)
    # each sample is the i-th spawned child, as in meanfield.runner
    child = np.random.SeedSequence(123).spawn(5)[4]
    np.testing.assert_array_equal(many[4], np.random.default_rng(child).standard_normal(60))
    assert sample_zeta(5, 1, 0).shape == (0, 5)


def test_sample_zeta_is_iid_standard_normal():
    # 4000 x 30 draws. Kolmogorov-Smirnov on all, and on one column and one row
    # direction (independence across k and samples): each at alpha = 1e-4 (fixed seed:
    # a false failure would need a < 3e-4 event).
    z = sample_zeta(30, 2024, 4000)
    assert stats.kstest(z.ravel(), "norm").pvalue > 1e-4
    assert stats.kstest(z[:, 17], "norm").pvalue > 1e-4
    # correlation between consecutive k is ~N(0, 1/n): |r| < 3.9 / sqrt(n) (two-sided 1e-4)
    r = np.corrcoef(z[:, 0], z[:, 1])[0, 1]
    assert abs(r) < 3.9 / np.sqrt(4000)


def test_sample_zeta_rejects_bad_input():
    with pytest.raises(ValueError, match="k_max"):
        sample_zeta(0, 1)
    with pytest.raises(ValueError, match="n_samples"):
        sample_zeta(5, 1, -2)
