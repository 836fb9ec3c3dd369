"""Learning curves from Mercer eigenvalues (meanfield.learning_curve) and the SGD readouts (simulate.sgd).

References: exact GP posterior variances averaged over training draws on a
finite input set (Monte Carlo over draws, each draw exact); the mean of the
inverse Wishart law (ridgeless regression on isotropic Gaussian features);
the closed form of full-batch gradient descent and of ridge regression.

Statistical tests use fixed seeds; their bounds sit at >= 4 Monte Carlo
standard errors from the reference (false-failure rate below 1e-4 each
if the seeds were redrawn), and each is shown to reject a deliberately wrong
model.
"""

from __future__ import annotations

import numpy as np
import pytest

from meanfield.learning_curve import (
    effective_ridge,
    learning_curve,
    mercer_spectrum,
    mercer_spectrum_from_features,
    optimal_ridge,
)
from simulate.readouts import RidgeReadout
from simulate.sgd import SGDReadout, TheorySGDReadout, gd_filter_weights

P = 30
NOISE = 0.1


def _exp_kernel(P=P, ell=0.2):
    x = np.linspace(0.0, 1.0, P)
    return np.exp(-np.abs(x[:, None] - x[None, :]) / ell)


def _low_rank_kernel(P=P, r=4, seed=1):
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((P, r)) * np.array([1.0, 0.7, 0.5, 0.3])[:r]
    return F @ F.T, F


def _exact_bayes(K, n, s2, draws, seed):
    """Mean over draws of the posterior variance averaged over the P inputs, and its standard error."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    P = K.shape[0]
    out = np.empty(draws)
    for d in range(draws):
        idx = rng.integers(0, P, n)
        Kx = K[:, idx]
        A = np.linalg.solve(K[np.ix_(idx, idx)] + s2 * np.eye(n), Kx.T)
        out[d] = np.mean(np.diag(K) - np.einsum("ij,ji->i", Kx, A))
    return out.mean(), out.std(ddof=1) / np.sqrt(draws)


def _exact_bayes_features(F, n, s2, draws, seed):
    """As :func:`_exact_bayes` for the kernel F F^T, in weight space: tr[(I + X^T X / s2)^-1 F^T F / P]."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    P, r = F.shape
    M = F.T @ F / P
    out = np.empty(draws)
    for d in range(draws):
        X = F[rng.integers(0, P, n)]
        out[d] = np.trace(np.linalg.solve(np.eye(r) + X.T @ X / s2, M))
    return out.mean(), out.std(ddof=1) / np.sqrt(draws)


def _exact_ridge(F, w0, n, s2, beta, draws, seed):
    """Mean over draws (inputs and noise) of mean_x (f_hat(x) - f(x))^2, f = F w0, ridge in weight space."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    P, r = F.shape
    out = np.empty(draws)
    for d in range(draws):
        X = F[rng.integers(0, P, n)]
        y = X @ w0 + np.sqrt(s2) * rng.standard_normal(n)
        w = np.linalg.solve(X.T @ X + beta * np.eye(r), X.T @ y)
        out[d] = np.mean((F @ (w - w0)) ** 2)
    return out.mean(), out.std(ddof=1) / np.sqrt(draws)


def _wrong_variance(spectrum, n, s2, beta, a2):
    """A deliberately wrong LC-1: variance term sigma^2 n lambda instead of sigma^2 n lambda^2."""
    lam = spectrum.eigenvalues
    return float(np.sum((beta**2 * a2 + s2 * n * lam) / (n * lam + beta) ** 2))


# ------------------------------------------------------------------ Mercer eigenvalues


def test_mercer_spectrum_is_the_eigendecomposition_of_K_over_P():
    K, F = _low_rank_kernel()
    sp = mercer_spectrum(K)
    ref = np.sort(np.linalg.eigvalsh(K))[::-1][:4] / P
    np.testing.assert_allclose(sp.eigenvalues, ref, rtol=1e-10)
    # eigenfunctions orthonormal under the empirical law and the Mercer sum rebuilds K
    np.testing.assert_allclose(sp.eigenfunctions.T @ sp.eigenfunctions / P, np.eye(4), atol=1e-10)
    np.testing.assert_allclose((sp.eigenfunctions * sp.eigenvalues) @ sp.eigenfunctions.T, K, atol=1e-10)
    sf = mercer_spectrum_from_features(F)
    np.testing.assert_allclose(sf.eigenvalues, sp.eigenvalues, rtol=1e-10)
    _, res = sp.coefficients(K[:, 0])
    assert res == pytest.approx(0.0, abs=1e-10)      # a column of K lies in the span


def test_mercer_spectrum_refuses_bad_kernels():
    with pytest.raises(ValueError, match="square"):
        mercer_spectrum(np.ones((3, 2)))
    with pytest.raises(ValueError, match="symmetric"):
        mercer_spectrum(np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="positive semi-definite"):
        mercer_spectrum(np.array([[1.0, 2.0], [2.0, 1.0]]))


# ------------------------------------------------------------------ against exact GP posterior variances


def test_asymptotic_curve_is_a_lower_bound_of_the_exact_bayes_error():
    """Jensen: sum s lambda sigma^2 / (sigma^2 + n s lambda) <= E[posterior variance] at every n."""
    K = _exp_kernel()
    sp = mercer_spectrum(K)
    violated = []
    for n in (1, 3, 10, 30, 100):
        exact, se = _exact_bayes(K, n, NOISE, 300, seed=n)
        pred = float(learning_curve(sp, n, NOISE))
        assert pred <= exact + 4 * se, (n, pred, exact, se)
        # the same formula with the eigenvalues of K instead of K / P breaks the bound
        wrong = float(np.sum(P * sp.eigenvalues * NOISE / (NOISE + n * P * sp.eigenvalues)))
        violated.append(wrong > exact + 4 * se)
    assert any(violated)


def test_asymptotic_curve_converges_to_the_exact_error_for_a_finite_rank_kernel():
    """For rank r the Jensen gap is O((r + 1) / n) (the inverse-Wishart rate): it must shrink like 1 / n."""
    K, F = _low_rank_kernel()
    sp = mercer_spectrum(K)
    gaps = []
    for n in (50, 200):
        exact, se = _exact_bayes_features(F, n, NOISE, 4000, seed=10 + n)
        gaps.append((exact - float(learning_curve(sp, n, NOISE))) / exact)
        assert -4 * se / exact < gaps[-1] < 2 * 5 / n, (n, gaps[-1])
        sc = float(learning_curve(sp, n, NOISE, method="self-consistent"))
        assert abs(sc - exact) < 4 * se + 0.5 * 5 / n * exact, (n, sc, exact)
    # 4 x more samples, about 4 x smaller gap (at least 2.5 x)
    assert gaps[1] < gaps[0] / 2.5, gaps


def test_ridge_curve_with_a_fixed_target_and_a_misspecified_ridge():
    """Bias-variance LC-1 and LC-4 against exact ridge errors (fixed target, beta far from sigma^2 / s).

    Both forms drop O((r + 1) / n) terms (r = 4): LC-1 must land within 2 (r + 1) / n and shrink with n,
    LC-4 (which keeps the first correction) within (r + 1) / (2 n).
    """
    K, F = _low_rank_kernel()
    sp = mercer_spectrum(K)
    w0 = F[3] - 0.5 * F[17]
    a, res = sp.coefficients(F @ w0)
    for beta in (0.01, 10.0):
        gaps = []
        for n in (100, 400):
            exact, se = _exact_ridge(F, w0, n, NOISE, beta, 5000, seed=(n, int(beta * 100)))
            sc = float(learning_curve(sp, n, NOISE, beta, coefficients=a, residual=res, method="self-consistent"))
            asym = float(learning_curve(sp, n, NOISE, beta, coefficients=a, residual=res))
            assert abs(sc - exact) <= 0.5 * 5 / n * exact + 4 * se, (beta, n, sc, exact, se)
            assert abs(asym - exact) <= 2 * 5 / n * exact + 4 * se, (beta, n, asym, exact, se)
            gaps.append(abs(asym - exact) / exact)
            wrong = _wrong_variance(sp, n, NOISE, beta, a * a)
            assert abs(wrong - exact) > 2 * 5 / n * exact + 4 * se
        assert gaps[1] < gaps[0], (beta, gaps)


def test_self_consistent_curve_against_the_inverse_wishart_mean():
    """Ridgeless regression on isotropic Gaussian features in d dimensions (an exact closed form).

    x ~ N(0, I / d), so lambda_p = 1 / d (p <= d). For n > d + 1 the exact mean excess error is
    sigma^2 d / (n - d - 1) (mean of the inverse Wishart law); for n < d - 1 the min-norm solution
    has bias (1 - n / d) ||a||^2 and variance sigma^2 n / (d - n - 1). LC-4 gives the same with
    n - d (resp. d - n) in place of n - d - 1 (d - n - 1): the one-sample correction it drops.
    """
    d = 40
    lam = np.full(d, 1.0 / d)
    from meanfield.learning_curve import MercerSpectrum

    sp = MercerSpectrum(lam, np.eye(d))
    a = np.linspace(-1, 1, d) / np.sqrt(d)
    for n in (10, 20, 60, 200):
        pred = float(learning_curve(sp, n, NOISE, 0.0, coefficients=a, method="self-consistent"))
        if n > d:
            exact = NOISE * d / (n - d - 1)
            lc = NOISE * d / (n - d)
        else:
            exact = (1 - n / d) * np.sum(a * a) + NOISE * n / (d - n - 1)
            lc = (1 - n / d) * np.sum(a * a) + NOISE * n / (d - n)
        assert pred == pytest.approx(lc, rel=1e-8)
        assert abs(pred - exact) / exact <= 1.0 / (abs(n - d) - 1)


def test_effective_ridge_solves_its_equation():
    lam = 1.0 / np.arange(1, 200) ** 2
    for n, beta in ((5, 0.1), (50, 1e-3), (500, 1e-6)):
        k = float(effective_ridge(lam, n, beta))
        assert np.sum(lam / (lam + k)) + beta / k == pytest.approx(n, rel=1e-10)


def test_optimal_ridge():
    K = _exp_kernel()
    sp = mercer_spectrum(K)
    # prior target with LC-1: the minimiser is sigma^2 / s at every n (closed form)
    for s in (0.5, 2.0):
        np.testing.assert_allclose(optimal_ridge(sp, [5, 50], NOISE, prior_scale=s), NOISE / s, rtol=1e-4)
    f = K[:, 4]
    a, res = sp.coefficients(f)
    for method in ("asymptotic", "self-consistent"):
        b = float(optimal_ridge(sp, 20, NOISE, coefficients=a, residual=res, method=method))
        e = lambda beta, method=method: float(learning_curve(sp, 20, NOISE, beta, coefficients=a, residual=res,
                                              method=method))
        assert e(b) <= min(e(1.05 * b), e(b / 1.05))


def test_learning_curve_refuses_bad_arguments():
    sp = mercer_spectrum(_exp_kernel())
    with pytest.raises(ValueError, match="method"):
        learning_curve(sp, 10, NOISE, method="exact")
    with pytest.raises(ValueError, match=">= 1"):
        learning_curve(sp, 0, NOISE)
    with pytest.raises(ValueError, match="beta must be given"):
        learning_curve(sp, 10, NOISE, coefficients=np.zeros(sp.eigenvalues.size))
    with pytest.raises(ValueError, match="not both"):
        learning_curve(sp, 10, NOISE, 1.0, coefficients=np.zeros(sp.eigenvalues.size), prior_scale=1.0)


# ------------------------------------------------------------------ SGD readouts (linear-Gaussian case)


def _linear_gaussian(n=200, p=20, seed=3):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    X = rng.standard_normal((n, p)) * np.linspace(1.0, 0.1, p)
    w = rng.standard_normal(p)
    return X, X @ w + 0.3 * rng.standard_normal(n)


def test_full_batch_gd_is_its_closed_form_spectral_filter():
    X, y = _linear_gaussian()
    for wd, epochs in ((0.0, 30), (0.05, 30), (0.05, 3000)):
        m = SGDReadout(weight_decay=wd, epochs=epochs, batch_size=X.shape[0], average=False).fit(X, y)
        ref = gd_filter_weights(X, y, wd, m.learning_rate_, m.n_steps_)
        np.testing.assert_allclose(m.coef_, ref, rtol=1e-9, atol=1e-12)
    # converged: the ridge solution with beta = n * weight_decay
    ridge = RidgeReadout(ridge=X.shape[0] * 0.05, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(m.coef_, ridge.coef_, rtol=1e-8)
    # a wrong closed form (beta = weight_decay, not n * weight_decay) is far from it
    wrong = RidgeReadout(ridge=0.05, fit_intercept=False).fit(X, y)
    assert np.max(np.abs(wrong.coef_ - m.coef_)) > 1e-2


def test_minibatch_sgd_with_averaging_converges_to_ridge():
    """Averaged constant-step SGD on a quadratic loss is unbiased: its error falls like 1 / sqrt(steps)."""
    X, y = _linear_gaussian()
    wd = 0.05
    ridge = RidgeReadout(ridge=X.shape[0] * wd, fit_intercept=False).fit(X, y)

    def rel(epochs):
        return np.mean([np.linalg.norm(SGDReadout(weight_decay=wd, epochs=epochs, batch_size=16, seed=s)
                                       .fit(X, y).coef_ - ridge.coef_) for s in range(3)]) \
            / np.linalg.norm(ridge.coef_)

    short, long = rel(100), rel(1600)
    # 16 x the steps: 4 x smaller if unbiased; a bias floor (e.g. reshuffled passes, ~1.4 % here) would stall it
    assert long < short / 2.5 and long < 0.006, (short, long)
    plain = SGDReadout(weight_decay=0.0, epochs=400, batch_size=16, seed=7).fit(X, y)
    assert np.linalg.norm(plain.coef_ - ridge.coef_) / np.linalg.norm(ridge.coef_) > 0.05
    with_intercept = SGDReadout(weight_decay=wd, epochs=400, batch_size=16, fit_intercept=True, seed=7).fit(X, y + 3)
    ref = RidgeReadout(ridge=X.shape[0] * wd, fit_intercept=True).fit(X, y + 3)
    np.testing.assert_allclose(with_intercept.intercept_, ref.intercept_, rtol=0.02)


def test_theory_sgd_uses_the_theory_ridge():
    X, y = _linear_gaussian(n=100)
    sp = mercer_spectrum_from_features(X)
    m = TheorySGDReadout(spectrum=sp, noise_var=0.09, prior_scale=1.0, method="asymptotic",
                         batch_size=100, average=False).fit(X, y)
    assert m.ridge_ == pytest.approx(0.09, rel=1e-4)           # sigma^2 / s, the closed form
    ridge = RidgeReadout(ridge=m.ridge_, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(m.coef_, ridge.coef_, rtol=1e-3, atol=1e-6)
    assert set(m.get_params()) >= {"spectrum", "noise_var", "method", "seed"}
    with pytest.raises(ValueError, match="MercerSpectrum"):
        TheorySGDReadout().fit(X, y)


# ------------------------------------------------------------------ kernels from the meanfield solvers


def _linear_delta(g, dt, K, s_a, s_b, sigma0=1.0):
    """Plain numpy eq. 4.5 for phi linear (C = Delta, h = 0): the joint covariance of two replicas."""
    R = 2
    s = np.stack([s_a, s_b])
    D = np.zeros((K + 1, R, K + 1, R))
    D[0, :, 0, :] = sigma0**2
    a = 1 - dt
    for k in range(K):
        for ra in range(R):
            for rb in range(R):
                D[k + 1, ra, 0, rb] = a * D[k, ra, 0, rb]
                D[0, rb, k + 1, ra] = D[k + 1, ra, 0, rb]
        for l in range(k + 1):
            for ra in range(R):
                for rb in range(R):
                    v = (a * (D[k, ra, l + 1, rb] + D[k + 1, ra, l, rb]) - a * a * D[k, ra, l, rb]
                         + dt * dt * (g * g * D[k, ra, l, rb] + s[ra, k] * s[rb, l]))
                    D[k + 1, ra, l + 1, rb] = v
                    D[l + 1, rb, k + 1, ra] = v
    return D


def test_replica_and_rate_kernels_against_the_linear_recursion():
    import meanfield as mf
    from meanfield.learning_curve import rate_kernel, replica_kernel
    from meanfield.model import Custom, Inputs, PatternInput, TimeGrid

    net = mf.Network(N=1000, g=0.5, J0=0.0, phi="linear")
    grid = TimeGrid(dt=0.1, T=3.0)
    prof = [lambda t: np.sin(3 * np.asarray(t)), lambda t: np.cos(2 * np.asarray(t))]
    inputs = [Inputs(pattern=PatternInput(sigma_in=1.0, profile=Custom(p))) for p in prof]
    paths = mf.solve_replicas(net, inputs, grid, replicas=2, seed=0)
    t = grid.times[:-1]
    ref = _linear_delta(0.5, 0.1, grid.n_steps, prof[0](t), prof[1](t))
    np.testing.assert_allclose(replica_kernel(paths), ref[-1, :, -1, :], rtol=1e-9, atol=1e-12)
    one = mf.solve(net, inputs[0], grid, seed=0)
    steps = np.array([3, 10, 30])
    np.testing.assert_allclose(rate_kernel(one.C, steps), ref[np.ix_(steps, [0], steps, [0])][:, 0, :, 0],
                               rtol=1e-9, atol=1e-12)
