"""Outlier eigenvalues and the instability decision (THEORY.md section 3) against independent references."""

import mpmath
import numpy as np
import pytest
import sympy

from meanfield.linear import (
    outlier_eigenvalues, outlier_polynomial, outlier_roots, sample_zeta, truncation_order, unstable_flags,
)


def _residual_mp(lam, zeta, g, J0):
    """|1 - J0 sum_k zeta_k g^k / lambda^(k+1)| at 40 digits: the outlier condition
    1 = b^T (lambda - X)^{-1} a written with b^T X^k a = J0 g^k zeta_k (derived in the test docstring
    of test_linear_finite_n.py); independent of the w-polynomial used by the code."""
    with mpmath.workdps(40):
        lm = mpmath.mpc(lam)
        s = mpmath.fsum(mpmath.mpf(float(z)) * mpmath.mpf(g) ** k / lm ** (k + 1) for k, z in enumerate(zeta, 1))
        return float(abs(1 - J0 * s))


def _winding_count(zeta, g, J0, r, n=2**15):
    """Zeros of 1 - (J0/g) sum zeta_k w^(k+1) in |w| < r by the phase change on the circle."""
    w = r * np.exp(2j * np.pi * np.arange(n) / n)
    F = 1 - (J0 / g) * np.polynomial.polynomial.polyval(w, np.concatenate([[0.0, 0.0], zeta]))
    assert np.abs(F).min() > 1e-3, "a zero sits on the contour: choose another radius"
    return int(np.rint(np.angle(np.roll(F, -1) / F).sum() / (2 * np.pi)))


def test_single_term_has_the_closed_form_pair():
    # zeta = (zeta_1): 1 = J0 zeta_1 g / lambda^2  =>  lambda = +-sqrt(J0 g zeta_1)
    g, J0 = 0.5, 2.0
    for z1 in (1.3, -0.7):
        lam = outlier_eigenvalues([z1], g, J0, w_max=0.99)
        ref = np.array([1, -1]) * np.sqrt(complex(J0 * g * z1))
        np.testing.assert_allclose(np.sort_complex(lam), np.sort_complex(ref), rtol=1e-14)


def test_two_terms_match_sympy_cubic():
    # lambda^3 = J0 (zeta_1 g lambda + zeta_2 g^2): roots by sympy at 30 digits
    g, J0, z1, z2 = 0.7, 3.0, 0.4, -1.1
    lam = sympy.symbols("lam")
    poly = lam**3 - J0 * (z1 * g * lam + z2 * g**2)
    ref = np.array([complex(r) for r in sympy.Poly(poly, lam).nroots(n=30)])
    ref = ref[np.abs(ref) > g / 0.99]
    got = outlier_eigenvalues([z1, z2], g, J0, w_max=0.99)
    assert got.size == ref.size == 3
    np.testing.assert_allclose(np.sort_complex(got), np.sort_complex(ref), rtol=1e-13)


def test_roots_match_mpmath_polyroots_at_moderate_degree():
    g, J0 = 0.5, 2.5
    zeta = sample_zeta(truncation_order(g, 1e-9), 17)  # degree 32
    with mpmath.workdps(40):
        # lambda^(K+1) = J0 sum_k zeta_k g^k lambda^(K-k), descending coefficients in lambda
        K = zeta.size
        coeffs = [mpmath.mpf(1), mpmath.mpf(0)] + [-J0 * mpmath.mpf(float(z)) * mpmath.mpf(g) ** k for k, z in enumerate(zeta, 1)]
        assert len(coeffs) == K + 2
        ref = np.array([complex(r) for r in mpmath.polyroots(coeffs, maxsteps=500, extraprec=200)])
    w_max = 0.9
    ref = ref[np.abs(ref) > g / w_max]
    got = outlier_eigenvalues(zeta, g, J0, w_max=w_max)
    assert got.size == ref.size > 0
    np.testing.assert_allclose(np.sort_complex(got), np.sort_complex(ref), rtol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_outliers_solve_the_outlier_condition_and_none_are_missed(seed):
    g, J0 = 0.8, 2.0
    zeta = sample_zeta(truncation_order(g), seed)
    w_max = 0.85
    lam = outlier_eigenvalues(zeta, g, J0, w_max=w_max)
    for x in lam:
        assert _residual_mp(x, zeta, g, J0) < 1e-10
    assert np.all(np.abs(lam) > g / w_max)
    assert lam.size == _winding_count(zeta, g, J0, w_max)
    assert np.all(np.diff(lam.real) <= 0)  # ordered by decreasing real part


def test_default_w_max_covers_the_instability_region():
    g, J0 = 0.8, 2.0
    zeta = sample_zeta(truncation_order(g, 1e-12), 4)
    lam = outlier_eigenvalues(zeta, g, J0)  # default: w_max = 1e-6^(1/k_max) ~ sqrt(g)
    assert np.all(np.abs(lam) > g / (1e-6 ** (1 / zeta.size)))
    np.testing.assert_allclose(g / outlier_roots(zeta, g, J0), lam, rtol=1e-15)
    assert (1e-6 ** (1 / zeta.size)) > g


def test_no_outliers_without_mean_or_random_coupling():
    zeta = sample_zeta(50, 1)
    assert outlier_eigenvalues(zeta, 0.8, 0.0).size == 0
    assert outlier_eigenvalues(zeta, 0.0, 2.0).size == 0
    assert outlier_eigenvalues(np.zeros(5), 0.5, 2.0, w_max=0.9).size == 0
    flags, _ = unstable_flags(sample_zeta(50, 1, 4), 0.8, 0.0)
    assert not flags.any()


def _zeta_with_root_at(lam_star, g, J0, k_max, seed):
    """Random zeta_3.. and (zeta_1, zeta_2) solved so that lambda* (complex) is an exact outlier."""
    zeta = sample_zeta(k_max, seed)
    w = g / lam_star
    # (J0/g) [zeta_1 w^2 + zeta_2 w^3 + rest] = 1: two real unknowns, one complex equation
    rest = sum(zeta[k - 1] * w ** (k + 1) for k in range(3, k_max + 1))
    rhs = g / J0 - rest
    A = np.array([[(w**2).real, (w**3).real], [(w**2).imag, (w**3).imag]])
    zeta[:2] = np.linalg.solve(A, [rhs.real, rhs.imag])
    return zeta


@pytest.mark.parametrize("delta", [2e-15, -2e-15, 3e-13, -3e-13, 1e-11, -1e-11])
def test_instability_is_decided_right_at_re_lambda_one(delta):
    # a root placed at Re lambda = 1 + delta; companion eigenvalues alone are accurate to ~1e-14
    # here, so |delta| <= 3e-13 goes through the mpmath refinement. The reference side is decided
    # by mpmath.findroot at 50 digits on the exact double coefficients (independent of the
    # module's refinement code); for |delta| >= 3e-13 it must also be the side of delta
    # (rounding zeta_1, zeta_2 to double moves the root by ~1e-16)
    g, J0 = 0.8, 2.0
    k_max = truncation_order(g)
    zeta = _zeta_with_root_at(complex(1 + delta, 0.37), g, J0, k_max, seed=8)
    c = outlier_polynomial(zeta, g, J0)
    with mpmath.workdps(50):
        cm = [mpmath.mpf(float(a)) for a in c]
        f = lambda w: mpmath.fsum(a * w**j for j, a in enumerate(cm))  # noqa: E731
        w_ref = mpmath.findroot(f, mpmath.mpc(g / complex(1 + delta, 0.37)), tol=mpmath.mpf(10) ** -45)
        re_lam_ref = float((g / w_ref).real)
    if abs(delta) >= 3e-13:
        assert np.sign(re_lam_ref - 1.0) == np.sign(delta)
    lam = outlier_eigenvalues(zeta, g, J0)
    closest = lam[np.argmin(np.abs(lam - complex(1 + delta, 0.37)))]
    assert abs(closest - complex(1 + delta, 0.37)) < 1e-12
    assert np.sign(closest.real - 1.0) == np.sign(re_lam_ref - 1.0)
    others = lam[np.abs(lam - closest) > 1e-6]
    others = others[np.abs(others - np.conj(closest)) > 1e-6]
    expected = re_lam_ref > 1.0 or bool(np.any(others.real > 1.0))
    flags, _ = unstable_flags(zeta[None, :], g, J0)
    assert flags[0] == expected
    assert unstable_flags(zeta, g, J0)[0].shape == ()


def test_fast_instability_decision_agrees_with_root_finding():
    # certified argument principle (with fallback) vs the companion-eigenvalue roots, 600 samples
    g, J0 = 0.8, 2.0
    zeta = sample_zeta(truncation_order(g), 77, 600)
    flags, n_fallback = unstable_flags(zeta, g, J0)
    ref = np.array([np.any(outlier_eigenvalues(z, g, J0, w_max=g).real > 1.0) for z in zeta])
    np.testing.assert_array_equal(flags, ref)
    assert 0 < n_fallback < 120  # the fallback is exercised, and is the exception
    # coarse circle: more fallbacks, same answers
    flags_coarse, n_coarse = unstable_flags(zeta, g, J0, n_theta=256)
    np.testing.assert_array_equal(flags_coarse, ref)
    assert n_coarse > n_fallback


def test_outlier_input_errors():
    with pytest.raises(ValueError, match="one sample"):
        outlier_eigenvalues(np.ones((2, 5)), 0.5, 1.0)
    with pytest.raises(ValueError, match="w_max"):
        outlier_eigenvalues(np.ones(5), 0.5, 1.0, w_max=1.5)
    with pytest.raises(ValueError, match="g"):
        outlier_eigenvalues(np.ones(5), 1.0, 1.0)
    with pytest.raises(ValueError, match="n_theta"):
        unstable_flags(np.ones((2, 5)), 0.5, 1.0, n_theta=4)
