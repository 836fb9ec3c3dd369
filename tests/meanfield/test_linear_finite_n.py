"""The linear theory of THEORY.md section 3 against eigenvalues of finite matrices.

Derivation checked here (independently of the code's docstrings): with J = X + a b^T,
X = g z / sqrt(N), a = u = (1..1), b = v / sqrt(N), an eigenvalue lambda of J that is not an
eigenvalue of X satisfies det(lambda - X - a b^T) = det(lambda - X) (1 - b^T (lambda - X)^{-1} a) = 0,
so 1 = b^T (lambda - X)^{-1} a = sum_{k>=0} b^T X^k a / lambda^(k+1) for |lambda| > rho(X).
b^T a = J0 sum_j s_j / sqrt(N) = 0 removes k = 0. Writing b^T X^k a = J0 g^k zeta_k and
w = g / lambda (g^k / lambda^(k+1) = w^(k+1) / g) gives (J0/g) sum_{k>=1} zeta_k w^(k+1) = 1, i.e.
w^2 sum_{k>=0} zeta_{k+1} w^k = g / J0: exactly the form of THEORY.md section 3.
"""

import functools

import numpy as np
import pytest
from scipy import stats

from meanfield.linear import outlier_eigenvalues, probability_unstable
from meanfield.model import Network
from meanfield.runner import run_ensemble, spawn_seeds


def _finite_matrix(N, g, J0, seed):
    net = Network(N, g, J0)
    z = np.random.default_rng(seed).standard_normal((N, N))
    X = g * z / np.sqrt(N)
    a = np.ones(N)
    b = net.mean_weights() / np.sqrt(N)
    return X, a, b


def _bXa(X, a, b, k_max):
    """b^T X^k a for k = 1..k_max by repeated products (never forms X^k)."""
    out = np.empty(k_max)
    y = a.copy()
    for k in range(k_max):
        y = X @ y
        out[k] = b @ y
    return out


def test_bXa_are_independent_gaussians_with_variance_J0_g_k_squared():
    # 150 networks at N = 1000. Each of the 9 checks below is two-sided at false-failure
    # rate 1e-4 for exact N(0,1) iid zeta (total <= 1e-3); the finite-N corrections are
    # O(1/N) (k = 1 is exactly N(0,1): sum_ij s_i z_ij / N has variance sum s_i^2 / N = 1).
    N, g, J0, n = 1000, 0.7, 1.5, 150
    zeta = np.empty((n, 3))
    for i, ss in enumerate(spawn_seeds(31, n)):
        X, a, b = _finite_matrix(N, g, J0, ss)
        if i == 0:
            assert abs(b @ a) < 1e-12  # sum_j s_j = 0: no k = 0 term
        zeta[i] = _bXa(X, a, b, 3) / (J0 * g ** np.arange(1, 4))
    z_crit = stats.norm.ppf(1 - 5e-5)  # 3.89
    lo, hi = stats.chi2.ppf([5e-5, 1 - 5e-5], n - 1)
    for k in range(3):
        col = zeta[:, k]
        assert abs(col.mean()) < z_crit / np.sqrt(n), k
        assert lo < (n - 1) * col.var(ddof=1) < hi, (k, col.var(ddof=1))
    r = np.corrcoef(zeta.T)
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        # Fisher: atanh(r) sqrt(n - 3) ~ N(0, 1) under independence
        assert abs(np.arctanh(r[i, j])) * np.sqrt(n - 3) < z_crit, (i, j, r[i, j])


def test_outliers_equal_finite_matrix_eigenvalues_given_its_own_zeta():
    # Deterministic: zeta_k := b^T X^k a / (J0 g^k) of THIS matrix makes the outlier equation
    # exact for it, so only truncation (|w| rho(X)/g)^k_max and eigen-solver rounding remain
    # (both far below 1e-10; the O(N^-1/2) finite-size error is in zeta, not in this identity).
    N, g, J0 = 2000, 0.8, 2.0
    X, a, b = _finite_matrix(N, g, J0, 3)
    k_max = 250
    zeta = _bXa(X, a, b, k_max) / (J0 * g ** np.arange(1, k_max + 1))
    ev = np.linalg.eigvals(X + np.outer(a, b))
    assert np.abs(ev).max() > 1.5 * g, "precondition: a realisation with an outlier far outside the bulk"
    # cut between the bulk and the outliers, in a gap of both sets
    mods = np.abs(ev)
    r_cut = next(r for r in g * np.array([1.15, 1.2, 1.25, 1.3]) if not np.any(np.abs(mods / r - 1) < 0.03))
    lam = outlier_eigenvalues(zeta, g, J0, w_max=g / r_cut)
    assert not np.any(np.abs(np.abs(lam) / r_cut - 1) < 0.03)
    ev_out = ev[mods > r_cut]
    assert lam.size == ev_out.size >= 2
    for x in ev_out:
        assert np.min(np.abs(lam - x)) < 1e-10, x  # measured ~6e-15


def _finite_unstable(net, i, ss):
    """Does the realised J = (g z + u v^T)/sqrt(N) have an eigenvalue with Re > 1?"""
    z = np.random.default_rng(ss).standard_normal((net.N, net.N))
    J = (net.g * z + np.outer(np.ones(net.N), net.mean_weights())) / np.sqrt(net.N)
    return {"unstable": np.linalg.eigvals(J).real.max() > 1.0}


@pytest.mark.slow
def test_probability_unstable_matches_finite_networks(monkeypatch):
    # THEORY.md section 3: P(max Re lambda > 1) at g = 0.8, J0 = 2 from zeta vs the frequency in
    # 150 networks at N = 600. Two-proportion z-test at |z| < 3.29 (false-failure rate 1e-3; the
    # finite-N bias, measured ~0.004 at N = 600 with 400 networks, is 1/10 of the standard error 0.04).
    g, J0, N, n_net = 0.8, 2.0, 600, 150
    # one BLAS thread per spawned worker: threaded eigensolvers on 2 shared cores are several times slower
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    out = run_ensemble(
        functools.partial(_finite_unstable, Network(N, g, J0)), spawn_seeds(2027, n_net),
        workers=2, progress=False,
    )
    hits = sum(bool(o["unstable"]) for o in out)
    theory = probability_unstable(g, J0, 4000, seed=5)
    p1, p2 = hits / n_net, theory.probability
    p = (hits + theory.n_unstable) / (n_net + theory.n_samples)
    z_stat = (p1 - p2) / np.sqrt(p * (1 - p) * (1 / n_net + 1 / theory.n_samples))
    assert abs(z_stat) < 3.29, (p1, p2)
