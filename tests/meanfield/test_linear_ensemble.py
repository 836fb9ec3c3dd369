"""P(x = 0 unstable) and the outlier distribution over zeta (THEORY.md section 3)."""

import dataclasses

import numpy as np
import pytest
from scipy import stats

from meanfield.linear import (
    outlier_distribution, outlier_eigenvalues, probability_unstable, sample_zeta, truncation_order,
    unstable_flags,
)


def _wilson(k, n, conf=0.95):
    """Wilson score interval written out (Wilson 1927)."""
    z = stats.norm.ppf(0.5 + conf / 2)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_probability_counts_the_per_sample_decisions_with_a_wilson_interval():
    g, J0, n = 0.8, 2.0, 700
    res = probability_unstable(g, J0, n, seed=42)
    flags, _ = unstable_flags(sample_zeta(truncation_order(g), 42, n), g, J0)
    assert res.n_unstable == int(flags.sum())
    assert res.probability == res.n_unstable / n
    np.testing.assert_allclose(res.ci, _wilson(res.n_unstable, n), rtol=1e-12)
    assert res.ci_low < res.probability < res.ci_high
    assert res.k_max == truncation_order(g) and not res.bulk_unstable
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.probability = 0.0


def test_samples_do_not_depend_on_batch_size():
    g, J0 = 0.7, 3.0
    small = outlier_distribution(g, J0, 40, seed=9)
    large = outlier_distribution(g, J0, 90, seed=9)
    np.testing.assert_array_equal(small.max_re, large.max_re[:40])
    np.testing.assert_array_equal(small.n_outliers, large.n_outliers[:40])
    m = small.outliers.size
    np.testing.assert_array_equal(small.outliers, large.outliers[:m])


def test_workers_do_not_change_the_result():
    # 2500 samples = 3 chunks of work; 2 processes must reproduce the serial result exactly
    a = probability_unstable(0.6, 2.5, 2500, seed=3, workers=1)
    b = probability_unstable(0.6, 2.5, 2500, seed=3, workers=2)
    assert a == b


def test_outlier_distribution_is_consistent_with_single_samples_and_probability():
    g, J0, n = 0.8, 2.0, 120
    dist = outlier_distribution(g, J0, n, seed=11)
    assert dist.w_max == pytest.approx(np.sqrt(g))
    assert dist.k_max == truncation_order(g)  # w_max = sqrt(g), tol = 1e-6 <=> g, 1e-12
    zeta = sample_zeta(dist.k_max, 11, n)
    for i in (0, 5, 77):
        lam = dist.outliers[dist.sample_index == i]
        np.testing.assert_array_equal(lam, outlier_eigenvalues(zeta[i], g, J0, w_max=dist.w_max))
        assert dist.max_re[i] == max(g, lam.real.max(initial=-np.inf))
    assert np.all(np.abs(dist.outliers) > g / dist.w_max)
    assert dist.n_outliers.sum() == dist.outliers.size
    np.testing.assert_array_equal(dist.unstable, dist.max_re > 1.0)
    flags, _ = unstable_flags(zeta, g, J0)
    np.testing.assert_array_equal(dist.unstable, flags)
    assert probability_unstable(g, J0, n, seed=11).n_unstable == int(dist.unstable.sum())
    # outliers come in conjugate pairs (real polynomial)
    np.testing.assert_allclose(np.sort_complex(dist.outliers), np.sort_complex(np.conj(dist.outliers)), atol=1e-12)


def test_special_parameters():
    res = probability_unstable(1.3, 2.0, 50, seed=0)
    assert res.bulk_unstable and res.probability == 1.0 and res.ci == (1.0, 1.0)
    assert "bulk" in res.note
    with pytest.raises(ValueError, match="marginal"):
        probability_unstable(1.0, 2.0, 50, seed=0)
    res0 = probability_unstable(0.8, 0.0, 50, seed=0)
    assert res0.probability == 0.0 and res0.n_unstable == 0
    np.testing.assert_allclose(res0.ci, _wilson(0, 50), rtol=1e-12)


def test_limits_of_small_and_large_J0_per_sample():
    g, n = 0.5, 400
    zeta = sample_zeta(truncation_order(g), 1, n)
    k = np.arange(1, zeta.shape[1] + 1)
    # on |w| <= g: |(J0/g) sum zeta_k w^(k+1)| <= (J0/g) sum |zeta_k| g^(k+1); below 1 there is
    # no root with |w| <= g, hence no outlier with |lambda| >= 1: certainly stable
    J0 = 0.05
    bound = (J0 / g) * np.abs(zeta) @ g ** (k + 1)
    assert np.mean(bound < 1) > 0.99
    flags, _ = unstable_flags(zeta, g, J0)
    assert not flags[bound < 1].any()
    # large J0: 1 = J0 sum zeta_k g^k / lambda^(k+1) has the root lambda^2 ~ J0 g zeta_1, corrected
    # by g zeta_2 / (2 zeta_1) + O(J0^-1/2): for zeta_1 > 0.5, |zeta_2| < 2 and J0 = 400 (J0 g = 200),
    # lambda ~ sqrt(200 zeta_1) + O(1) > 9: certainly unstable
    J0 = 400.0
    sure = (zeta[:, 0] > 0.5) & (np.abs(zeta[:, 1]) < 2)
    assert sure.sum() > 100
    flags, _ = unstable_flags(zeta, g, J0)
    assert flags[sure].all()


def test_bad_input_raises():
    with pytest.raises(ValueError, match="n_samples"):
        probability_unstable(0.5, 1.0, 0, seed=1)
    with pytest.raises(ValueError, match="J0"):
        probability_unstable(0.5, -1.0, 10, seed=1)
    with pytest.raises(ValueError, match="workers"):
        probability_unstable(0.5, 1.0, 10, seed=1, workers=0)
    with pytest.raises(ValueError, match="w_max"):
        outlier_distribution(0.5, 1.0, 10, seed=1, w_max=0.3)
    with pytest.raises(ValueError, match="g"):
        outlier_distribution(1.2, 1.0, 10, seed=1)
