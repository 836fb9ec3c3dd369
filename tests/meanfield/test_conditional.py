"""The microscopic equations given an imposed population path (meanfield.conditional, THEORY.md eqs. 4.1, 4.5).

References are independent of the recursion of eq. 4.5: Delta is written as
the covariance of y_k = (1-dt)^k y_0 + dt sum_{j<k} (1-dt)^(k-1-j) eta_j,

    Delta_kl = (1-dt)^(k+l) sigma0^2 + dt^2 sum_{i<k, j<l} (1-dt)^(k-1-i) (1-dt)^(l-1-j) Q_ij,
    Q_ij = g^2 C_ij + sigma_in^2 s_i s_j,

with C from a plain numpy tensor Gauss-Hermite rule (phi = tanh) or in
closed form (phi linear: C = h h^T + Delta, a causal linear fixed point).
"""

import math

import mpmath
import numpy as np
import pytest

import meanfield as mf
from meanfield.conditional import conditional_moments


def propagator(K, dt):
    """B[k, i] = (1-dt)^(k-1-i) for i < k (rows k = 0..K)."""
    k = np.arange(K + 1)[:, None]
    i = np.arange(K + 1)[None, :]
    return np.where(i < k, (1.0 - dt) ** np.maximum(k - 1 - i, 0), 0.0)


def test_linear_phi_matches_the_causal_linear_fixed_point():
    g, dt, K, sigma0, sigma_in = 0.8, 0.1, 60, 0.7, 0.4
    grid = mf.TimeGrid(dt=dt, T=K * dt)
    t = grid.times
    h = 0.5 * np.sin(0.7 * t) + 0.2 * t / t[-1]
    net = mf.Network(N=1000, g=g, J0=1.0, phi="linear")
    inputs = mf.Inputs(pattern=mf.PatternInput(sigma_in=sigma_in))
    got = conditional_moments(net, h, inputs, grid, mf.InitialState(sigma0=sigma0))

    B = propagator(K, dt)
    a = (1.0 - dt) ** np.arange(K + 1)
    pat = sigma_in * np.ones(K + 1)
    delta = np.zeros((K + 1, K + 1))
    for _ in range(K + 2):  # strictly causal: exact after K + 1 sweeps
        Q = g**2 * (np.outer(h, h) + delta) + np.outer(pat, pat)
        delta = sigma0**2 * np.outer(a, a) + dt**2 * B @ Q @ B.T
    np.testing.assert_allclose(got.delta, delta, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(got.M, h, rtol=0, atol=1e-14)
    np.testing.assert_allclose(got.C, np.outer(h, h) + delta, rtol=1e-12, atol=1e-13)


def gh_pair(h1, d1, h2, d2, c, n=120):
    """E[tanh(h1 + y) tanh(h2 + y')] by a tensor Gauss-Hermite rule on the 2x2 Cholesky factor."""
    z, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / w.sum()
    a = math.sqrt(d1)
    b = c / a if a > 0 else 0.0
    e = math.sqrt(max(d2 - b * b, 0.0))
    y1 = h1 + a * z[:, None]
    y2 = h2 + b * z[:, None] + e * z[None, :]
    return float(np.sum(w[:, None] * w[None, :] * np.tanh(y1) * np.tanh(y2)))


def gh_mean(h, d, n=120):
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return float(np.sum(w / w.sum() * np.tanh(h + math.sqrt(d) * z)))


def reference_tanh(h, g, dt, sigma0, w_sparse=None):
    """Plain double loop: C row k from Delta up to k, then row k+1 of Delta from the sum formula."""
    K = h.size - 1
    B = propagator(K, dt)
    a = (1.0 - dt) ** np.arange(K + 1)
    delta = np.zeros((K + 1, K + 1))
    C = np.zeros((K + 1, K + 1))
    M = np.zeros(K + 1)
    E_sparse = np.zeros(K + 1)
    delta[0, 0] = sigma0**2
    for k in range(K + 1):
        for l in range(k + 1):
            C[k, l] = C[l, k] = gh_pair(h[k], delta[k, k], h[l], delta[l, l], delta[k, l])
        M[k] = gh_mean(h[k], delta[k, k])
        if w_sparse is not None:
            E_sparse[k] = gh_mean(h[k] + w_sparse[k], delta[k, k])
        if k == K:
            break
        Q = g**2 * C[: k + 1, : k + 1]
        for l in range(k + 2):
            val = sigma0**2 * a[k + 1] * a[l] + dt**2 * B[k + 1, : k + 1] @ Q @ B[l, : k + 1]
            delta[k + 1, l] = delta[l, k + 1] = val
    return delta, C, M, E_sparse


def test_tanh_matches_a_plain_quadrature_double_loop():
    g, dt, K, sigma0 = 1.5, 0.1, 14, 1.0
    grid = mf.TimeGrid(dt=dt, T=K * dt)
    h = 0.4 * np.cos(1.3 * grid.times) - 0.1
    net = mf.Network(N=1000, g=g, J0=1.0)
    settings = mf.SolverSettings(pivot_tol=1e-6, quadrature_accuracy=1e-8)
    got = conditional_moments(net, h, grid=grid, initial=mf.InitialState(sigma0=sigma0), settings=settings)
    delta, C, M, _ = reference_tanh(h, g, dt, sigma0)
    # the engine's stated accuracy is 1e-8 per average; Delta accumulates dt^2 g^2 of them per entry
    np.testing.assert_allclose(got.C, C, rtol=0, atol=2e-8)
    np.testing.assert_allclose(got.M, M, rtol=0, atol=2e-8)
    np.testing.assert_allclose(got.delta, delta, rtol=0, atol=2e-8)
    np.testing.assert_allclose(got.chat, C - np.outer(M, M), rtol=0, atol=5e-8)
    assert not np.allclose(got.delta, np.diag(np.diag(got.delta)))  # a genuinely two-time function
    wrong = conditional_moments(net.replace(g=1.1 * g), h, grid=grid, initial=mf.InitialState(sigma0=sigma0),
                                settings=settings)
    assert np.abs(wrong.delta - delta).max() > 1e4 * 2e-8  # the comparison sees a wrong g


def test_the_reference_quadrature_agrees_with_mpmath():
    h, d = 0.3, 1.7
    exact = mpmath.quad(lambda z: mpmath.tanh(h + mpmath.sqrt(d) * z) * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
    # 120 Gauss-Hermite nodes at d = 1.7: the tanh pole model predicts ~1e-9, far below the 2e-8 used above
    assert gh_mean(h, d) == pytest.approx(float(exact), abs=1e-9)


def test_sparse_drive_matches_the_plain_reference():
    g, dt, K, A, kappa = 1.5, 0.1, 10, 2.0, 1.0
    grid = mf.TimeGrid(dt=dt, T=K * dt)
    h = 0.2 * np.sin(grid.times)
    net = mf.Network(N=900, g=g, J0=1.0)
    inputs = mf.Inputs(sparse=mf.SparseInput(kappa=kappa, A=A))
    settings = mf.SolverSettings(pivot_tol=1e-6, quadrature_accuracy=1e-8)
    got = conditional_moments(net, h, inputs, grid, settings=settings)
    w = np.zeros(K + 1)
    for k in range(K):
        w[k + 1] = (1 - dt) * w[k] + dt * A
    rho = 30 * 0.5 / 30.0  # |S| = 30 excitatory neurons of v = J0 sqrt(N_I/N_E) = 0.5, over sqrt(900)
    _, _, M, E = reference_tanh(h, g, dt, 1.0, w_sparse=w)
    np.testing.assert_allclose(got.w, w, rtol=1e-14)
    np.testing.assert_allclose(got.D, rho * (E - M), rtol=0, atol=2e-8)
    assert abs(got.D[-1]) > 0.05  # the drive is on


def test_the_forward_sweeps_own_path_gives_back_its_moments():
    net = mf.Network(N=1000, g=1.5, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=8.0)
    path = mf.solve(net, grid=grid, seed=3)
    got = conditional_moments(net, path.h, grid=grid)
    np.testing.assert_array_equal(got.delta, path.delta)
    np.testing.assert_array_equal(got.C, path.C)
    np.testing.assert_array_equal(got.M, path.M)


def test_a_path_of_the_wrong_length_is_refused():
    net = mf.Network(N=100, g=1.0, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=1.0)
    with pytest.raises(ValueError, match="K\\+1 = 11 steps"):
        conditional_moments(net, np.zeros(6), grid=grid)
    with pytest.raises(ValueError, match="NaN"):
        conditional_moments(net, np.full(11, np.nan), grid=grid)
