"""A realisation's own zeta_k (THEORY.md section 3) against the eigenvalues of its matrix and the iid law."""

import numpy as np
import pytest
from scipy import stats

from meanfield.model import Network
import simulate
from meanfield.linear import outlier_eigenvalues, truncation_order
from simulate.zeta import realisation_zeta


@pytest.mark.parametrize("g, J0, seed", [(0.6, 2.0, 0), (0.6, 2.0, 2), (0.8, 2.0, 1), (0.5, 3.0, 4)])
def test_paired_outliers_match_the_matrix_eigenvalues(g, J0, seed):
    """The section 3 root finder on one matrix's own zeta gives that matrix's outliers beyond sqrt(g).

    Reference: numpy.linalg.eigvals of the dense J of the same seed. The
    outliers with |lambda| > sqrt(g) (|w| < sqrt(g), where the truncated
    series is accurate) are compared one by one; finite N moves them by
    O(N^-1/2) only through the matrix itself, which both sides share, so the
    agreement is limited by the truncation (tail g^k_max = 1e-10).
    """
    net = Network(N=800, g=g, J0=J0)
    zeta = realisation_zeta(simulate.realise(net, seed=seed), truncation_order(g, 1e-10))
    predicted = outlier_eigenvalues(zeta, g, J0)
    lam = simulate.coupling_eigenvalues(net, seed=seed)
    edge = np.sqrt(g) * 1.05      # keep clear of the truncation radius of the root finder
    predicted = predicted[np.abs(predicted) > edge]
    actual = lam[np.abs(lam) > edge]
    assert predicted.size == actual.size >= 1
    for p in predicted:
        assert np.min(np.abs(actual - p)) < 1e-6 * max(1.0, abs(p))


def test_zeta_of_many_realisations_are_iid_standard_normal():
    """zeta_1..zeta_4 over 120 realisations at N = 600: mean 0, variance 1, uncorrelated (section 3).

    Each test has level 1e-3 and there are 4 + 4 + 6 of them: family-wise
    false-failure rate <= 1.4 % at the fixed seeds. A wrong normalisation
    (dividing by g^(k-1) instead of g^k) scales zeta_k by g = 0.7 and fails
    the variance test (checked in the next test).
    """
    net = Network(N=600, g=0.7, J0=1.5)
    Z = np.array([realisation_zeta(simulate.realise(net, seed=s), 4) for s in range(120)])
    n = Z.shape[0]
    for k in range(4):
        assert abs(Z[:, k].mean()) < stats.norm.ppf(1 - 5e-4) / np.sqrt(n)
        chi2 = (n - 1) * Z[:, k].var(ddof=1)
        assert stats.chi2.ppf(5e-4, n - 1) < chi2 < stats.chi2.ppf(1 - 5e-4, n - 1)
    r = np.corrcoef(Z.T)[np.triu_indices(4, 1)]
    assert np.all(np.abs(r) < stats.norm.ppf(1 - 5e-4) / np.sqrt(n - 3) * 1.05)
    _wrong = Z * 0.7
    assert not stats.chi2.ppf(5e-4, n - 1) < (n - 1) * _wrong[:, 1].var(ddof=1) < stats.chi2.ppf(1 - 5e-4, n - 1)


def test_zeta_needs_a_mean_part_and_a_random_part():
    with pytest.raises(ValueError, match="J0 > 0"):
        realisation_zeta(simulate.realise(Network(N=50, g=0.5, J0=0.0), seed=0), 3)
    with pytest.raises(ValueError, match="simulate.Realisation"):
        realisation_zeta(Network(N=50, g=0.5, J0=1.0), 3)
