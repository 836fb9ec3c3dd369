"""Kernel K(tau) and transfer function H(w) of THEORY.md section 3 against independent references."""

import mpmath
import numpy as np
import pytest
from scipy import integrate

from meanfield.linear import (
    feedback_series, population_kernel, sample_zeta, transfer_function, truncation_order,
)


def _kernel_mpmath(tau, zeta, g, J0):
    """Direct sum of THEORY.md section 3 at 40 digits (tau^(k-1)/(k-1)! without any rewriting)."""
    with mpmath.workdps(40):
        t = mpmath.mpf(tau)
        terms = [
            mpmath.mpf(float(z)) * mpmath.mpf(g) ** k * t ** (k - 1) * mpmath.exp(-t) / mpmath.factorial(k - 1)
            for k, z in enumerate(zeta, start=1)
        ]
        return float(J0 * mpmath.fsum(terms)), float(J0 * mpmath.fsum(abs(x) for x in terms))


def _laplace_mpmath(s, zeta, g, J0):
    with mpmath.workdps(40):
        return float(J0 * mpmath.fsum(
            mpmath.mpf(float(z)) * (mpmath.mpf(g) / (1 + mpmath.mpf(s))) ** k
            for k, z in enumerate(zeta, start=1)
        ))


@pytest.mark.parametrize("g", [0.8, 0.5])
def test_kernel_matches_direct_high_precision_sum(g):
    J0 = 1.7
    zeta = sample_zeta(truncation_order(g), 5)
    # tau = 400: tau^(k-1) alone overflows double for k ~ 120; the Poisson form must not
    taus = np.array([0.0, 1e-3, 0.7, 5.0, 31.0, 120.0, 400.0])
    K = population_kernel(taus, zeta, g, J0)
    for t, k_val in zip(taus, K):
        ref, scale = _kernel_mpmath(t, zeta, g, J0)
        # each term is computed to ~1e-15 relative; cancellation is measured by the sum of |terms|
        assert abs(k_val - ref) <= 1e-13 * scale + 1e-300, (t, k_val, ref)
    assert K[0] == pytest.approx(J0 * g * zeta[0], rel=1e-15)  # only k = 1 at tau = 0


def test_kernel_is_causal_and_batched():
    zeta = sample_zeta(20, 9, 3)
    taus = np.array([[-1.0, 0.5], [2.0, -1e-9]])
    K = population_kernel(taus, zeta, 0.4, 1.0)
    assert K.shape == (3, 2, 2)
    assert np.all(K[:, 0, 0] == 0.0) and np.all(K[:, 1, 1] == 0.0)
    np.testing.assert_allclose(K[1], population_kernel(taus, zeta[1], 0.4, 1.0), rtol=1e-15)


@pytest.mark.parametrize("s", [0.0, 0.4, 2.5])
def test_laplace_transform_of_kernel_is_the_series(s):
    # int_0^inf K(tau) e^(-s tau) dtau = J0 sum zeta_k g^k / (1+s)^k, for the truncated objects
    g, J0 = 0.6, 1.3
    zeta = sample_zeta(truncation_order(g), 21)
    f = lambda t: population_kernel(t, zeta, g, J0) * np.exp(-s * t)  # noqa: E731
    # split at a few Poisson scales so quad sees the bumps; beyond 400 the integrand is < 1e-60
    edges = [0.0, 5.0, 20.0, 60.0, 150.0, 400.0]
    val = sum(integrate.quad(f, a, b, limit=200, epsabs=1e-13, epsrel=1e-12)[0] for a, b in zip(edges, edges[1:]))
    ref = _laplace_mpmath(s, zeta, g, J0)
    assert val == pytest.approx(ref, abs=1e-10)
    assert feedback_series(s, zeta, g, J0).real == pytest.approx(ref, abs=1e-13)


def _euler_sinusoid_response(zeta, g, J0, omegas, dt, T):
    """Plain Euler for dh/dt = -h + K*h + e^{i w t}, with K*h realised by the linear chain
    y_k' = -y_k + y_{k-1}, y_0 = h  (y_k = [tau^(k-1) e^-tau/(k-1)!] * h),  m = J0 sum zeta_k g^k y_k.
    Returns h(T) e^{-i w T} (the steady-state complex amplitude)."""
    c = J0 * zeta * g ** np.arange(1, zeta.size + 1)
    h = np.zeros(omegas.size, dtype=complex)
    y = np.zeros((zeta.size, omegas.size), dtype=complex)
    n = int(round(T / dt))
    drive_step = np.exp(1j * omegas * dt)
    drive = np.ones(omegas.size, dtype=complex)
    for _ in range(n):
        m = c @ y
        prev = np.vstack([h[None, :], y[:-1]])
        h, y = h + dt * (-h + m + drive), y + dt * (-y + prev)
        drive = drive * drive_step
    return h / drive


def _chain_matrix(zeta, g, J0):
    """Generator of the continuous chain system (h, y_1..y_kmax); its eigenvalues are s = lambda - 1."""
    k = zeta.size
    A = np.zeros((k + 1, k + 1))
    A[0, 0] = -1.0
    A[0, 1:] = J0 * zeta * g ** np.arange(1, k + 1)
    for i in range(1, k + 1):
        A[i, i] = -1.0
        A[i, i - 1] = 1.0
    return A


def test_transfer_function_equals_euler_response_of_the_linear_ode():
    g, J0 = 0.6, 1.0
    zeta = sample_zeta(truncation_order(g), 2)
    decay = -np.linalg.eigvals(_chain_matrix(zeta, g, J0)).real.max()
    assert decay > 0.3, "precondition: this sample must be linearly stable (pick another seed)"
    T = 30.0 / decay  # transient e^(-decay T) ~ 1e-13
    omegas = np.array([0.0, 0.3, 1.0, 2.5])
    results = {}
    for dt in (2e-3, 1e-3):
        h_amp = _euler_sinusoid_response(zeta, g, J0, omegas, dt, T)
        # exact statement for Euler: the steady state is H at 1 + s with s = (e^{i w dt} - 1)/dt
        s_euler = (np.exp(1j * omegas * dt) - 1.0) / dt
        H_euler = transfer_function(-1j * s_euler, zeta, g, J0)
        np.testing.assert_allclose(h_amp, H_euler, rtol=1e-9, atol=1e-11)
        results[dt] = np.abs(h_amp - transfer_function(omegas, zeta, g, J0))
    # and H(w) is the dt -> 0 limit: first-order convergence (error halves with dt), small at dt = 1e-3
    err_big, err_small = results[2e-3][1:], results[1e-3][1:]
    np.testing.assert_allclose(err_big / err_small, 2.0, rtol=0.05)
    assert np.all(err_small < 5e-3)
    assert results[1e-3][0] < 1e-10  # w = 0: s_euler = 0 exactly


def test_transfer_function_poles_are_outliers_minus_one():
    # (1 + s) - Khat(s) = 0 at s = lambda - 1: check 1/H vanishes at the chain-matrix eigenvalues
    g, J0 = 0.5, 3.0
    zeta = sample_zeta(truncation_order(g), 44)
    lam = np.linalg.eigvals(_chain_matrix(zeta, g, J0)) + 1.0
    lam = lam[np.abs(lam) > 0.75]  # clear of the bulk, where the series converges fast
    assert lam.size > 0
    inv_H = 1.0 / transfer_function(-1j * (lam - 1.0), zeta, g, J0)
    assert np.max(np.abs(inv_H)) < 1e-9


def test_transfer_function_special_cases_and_errors():
    omegas = np.linspace(-3, 3, 7)
    zeta = sample_zeta(10, 0)
    np.testing.assert_allclose(transfer_function(omegas, zeta, 0.0, 2.0), 1 / (1 + 1j * omegas), rtol=1e-15)
    np.testing.assert_allclose(transfer_function(omegas, zeta, 0.7, 0.0), 1 / (1 + 1j * omegas), rtol=1e-15)
    # single term: H = 1/((1+iw) - J0 zeta_1 g/(1+iw))
    H = transfer_function(omegas, [0.9], 0.5, 2.0)
    np.testing.assert_allclose(H, 1 / ((1 + 1j * omegas) - 0.9 / (1 + 1j * omegas)), rtol=1e-14)
    assert transfer_function(omegas, sample_zeta(10, 0, 4), 0.5, 1.0).shape == (4, 7)
    with pytest.raises(ValueError, match="diverges"):
        transfer_function(0.9j, zeta, 0.5, 1.0)  # 1 + i w = 0.1 < g
    with pytest.raises(ValueError, match="g"):
        transfer_function(omegas, zeta, 1.2, 1.0)
    with pytest.raises(ValueError, match="J0"):
        population_kernel(1.0, zeta, 0.5, -1.0)
    with pytest.raises(ValueError, match="zeta"):
        population_kernel(1.0, [], 0.5, 1.0)
    with pytest.raises(ValueError, match="zeta"):
        population_kernel(1.0, [np.nan, 1.0], 0.5, 1.0)
