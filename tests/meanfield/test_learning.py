"""meanfield.learning: the mean-field slope and the linearised population loop gain (THEORY.md sections 3, 8, 9)."""

import mpmath
import numpy as np
import pytest

from meanfield.learning import effective_gain, effective_outliers, macro_stability_score
from meanfield.linear import outlier_eigenvalues
from meanfield.special import scs_variance


@pytest.mark.parametrize("g", [1.5, 2.0, 3.0])
def test_effective_gain_is_the_mean_slope_at_the_chaotic_variance(g):
    """c = E sech^2(sqrt(Delta0) u) by mpmath quadrature at the stationary Delta0 of section 8."""
    d0 = scs_variance(g)
    ref = mpmath.quad(lambda u: mpmath.sech(mpmath.sqrt(d0) * u) ** 2 * mpmath.npdf(u), [-mpmath.inf, 0, mpmath.inf])
    assert effective_gain(g) == pytest.approx(float(ref), rel=1e-10)
    # the chaotic state sits just below marginal stability of the averaged linearisation
    assert 0.9 < effective_gain(g) * g < 1.0


def test_effective_gain_below_the_transition_is_the_slope_at_zero():
    assert effective_gain(0.7) == pytest.approx(1.0, abs=1e-12)
    # the package's erf is scaled to unit slope at 0 (meanfield.model.nonlinearity.ERF_SCALE)
    assert effective_gain(0.7, "erf") == pytest.approx(1.0, abs=1e-12)


def test_score_is_the_zero_frequency_loop_gain():
    """c J0 sum_k zeta_k (c g)^k, summed directly."""
    rng = np.random.default_rng(np.random.SeedSequence(3))
    zeta = rng.standard_normal((5, 30))
    g, J0 = 1.5, 2.0
    c = effective_gain(g)
    ref = c * J0 * (zeta * (c * g) ** np.arange(1, 31)).sum(axis=1)
    assert np.allclose(macro_stability_score(zeta, g, J0), ref, rtol=1e-12, atol=1e-12)


def test_effective_outliers_are_scaled_outliers():
    """Outliers of c J = c times the outliers of J (same roots w of the section 3 equation)."""
    rng = np.random.default_rng(np.random.SeedSequence(5))
    zeta = rng.standard_normal(60)
    g, J0 = 0.8, 3.0
    assert np.allclose(effective_outliers(zeta, g, J0), outlier_eigenvalues(zeta, g, J0), rtol=1e-9)
