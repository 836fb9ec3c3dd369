"""Outlier eigenvalues of realised coupling matrices (THEORY.md section 3)."""

import functools
import math

import numpy as np
import pytest

import meanfield as mf
import simulate
from meanfield.runner import run_ensemble, spawn_seeds


def test_same_z_as_run():
    net = mf.Network(N=60, g=0.9, J0=1.5, lambda0=0.2)
    real = simulate.realise(net, 7)
    lam = simulate.coupling_eigenvalues(net, seed=7)
    v = net.mean_weights()
    J = (net.g * real.z + v[None, :]) / math.sqrt(net.N)
    np.testing.assert_allclose(np.sort_complex(lam), np.sort_complex(np.linalg.eigvals(J)), atol=1e-12)


@pytest.mark.parametrize("lambda0,J0,N", [(0.0, 2.0, 301), (0.0, 10.0, 600), (0.5, 2.0, 301), (-1.5, 1.0, 200)])
def test_mean_matrix_alone_has_the_single_eigenvalue_lambda0(lambda0, J0, N):
    """g = 0: J = u v^T / sqrt(N) has rank one and its nonzero eigenvalue is (sum v)/sqrt(N) = lambda0."""
    net = mf.Network(N=N, g=0.0, J0=J0, lambda0=lambda0, f=0.8)
    out = simulate.outlier_eigenvalues(net, seed=1)
    if lambda0 == 0.0:
        assert out.size == 0  # nilpotent: only rounding noise of size sqrt(eps) remains
    else:
        assert out.size == 1
        assert abs(out[0] - lambda0) < 1e-10


def test_rank_one_outlier_of_a_ginibre_matrix():
    """J0 = 0, lambda0 = 3 > g: one outlier at lambda0 + O(N^-1/2) (Tao 2013, outliers of
    low-rank perturbations of iid matrices); the bulk stays inside the margin."""
    net = mf.Network(N=400, g=0.7, J0=0.0, lambda0=3.0)
    out = simulate.outlier_eigenvalues(net, seed=2)
    assert out.size == 1
    assert abs(out[0] - 3.0) < 5 / math.sqrt(net.N)


def test_bulk_radius_scales_with_g_and_validates_margin():
    net = mf.Network(N=400, g=0.8, J0=1.0)
    floor = 10 * math.sqrt(np.finfo(float).eps) * np.linalg.norm(net.mean_weights())
    assert simulate.bulk_radius(net, 3.0) == pytest.approx(0.8 * (1 + 3 / 20) + floor, rel=1e-12)
    with pytest.raises(ValueError, match="radius_margin"):
        simulate.outlier_eigenvalues(net, seed=0, radius_margin=-1.0)


def _max_real_part_above_one(net, index, seed):
    out = simulate.outlier_eigenvalues(net, seed=seed)
    return {"unstable": np.array(out.size > 0 and out[0].real > 1.0)}


@pytest.mark.slow
def test_probability_of_instability_matches_the_random_power_series(monkeypatch):
    """P(max Re lambda > 1) at N = 600, g = 0.8, J0 = 2 against THEORY.md section 3.

    Simulation: 200 realised J (the bulk radius 0.8 (1 + 3/sqrt 600) = 0.90 < 1,
    so any eigenvalue with Re > 1 is an outlier). Theory:
    meanfield.linear.probability_unstable with 4000 samples of zeta.
    Two-proportion z-test, |z| < 3.29: false-failure rate 1e-3 if the
    N = 600 probability equals the N -> infinity one (THEORY.md reports
    agreement at N = 1000 to about 0.01, far inside the ~0.12 this test resolves).
    """
    from meanfield.linear import probability_unstable

    g, J0, n_sim, n_theory = 0.8, 2.0, 200, 4000
    net = mf.Network(N=600, g=g, J0=J0)
    # one BLAS thread per worker: two threaded eigensolvers on two cores were measured 6x slower
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    flags = run_ensemble(
        functools.partial(_max_real_part_above_one, net), spawn_seeds(2024, n_sim),
        workers=2, progress=False,
    )
    k_sim = sum(bool(f["unstable"]) for f in flags)
    theory = probability_unstable(g, J0, n_theory, 99)
    k_th = theory.n_unstable
    p_pool = (k_sim + k_th) / (n_sim + n_theory)
    se = math.sqrt(p_pool * (1 - p_pool) * (1 / n_sim + 1 / n_theory))
    z = (k_sim / n_sim - k_th / n_theory) / se
    assert abs(z) < 3.29, f"simulation {k_sim}/{n_sim}, theory {k_th}/{n_theory}, z = {z:.2f}"
    assert 0.3 < k_sim / n_sim < 0.7  # THEORY.md: about 0.5


# --- the rank-one method against the dense eigenvalues of the same realised J ---------------------

def _both(net, seed, radius_margin=3.0):
    """Outliers of one realisation by numpy.linalg.eigvals of the dense J and by the rank-one method."""
    real = simulate.realise(net, seed)
    r = simulate.bulk_radius(net, radius_margin)
    lam = np.linalg.eigvals(real.coupling_matrix())  # the independent reference
    ref = lam[np.abs(lam) > r]
    fast = simulate.outlier_eigenvalues(net, realisation=real, radius_margin=radius_margin, method="rank_one")
    return ref, fast, lam, r


def _max_matching_error(ref, fast):
    """Largest distance from a reference outlier to its nearest fast one (counts checked separately)."""
    return max((np.min(np.abs(fast - x)) for x in ref), default=0.0)


@pytest.mark.parametrize("g,J0,lambda0,N,seed", [
    (0.8, 2.0, 0.0, 800, 0), (0.8, 2.0, 0.0, 800, 1), (0.8, 2.0, 0.0, 1000, 2),
    (1.5, 1.0, 0.0, 800, 3), (1.5, 3.0, 0.0, 800, 4), (0.6, 3.0, 0.0, 800, 6),
    (0.8, 2.0, 0.6, 800, 7),   # detuning: v_j = J0 s_j + lambda0 / sqrt(N), so b^T a = lambda0
    (0.5, 0.0, 2.5, 600, 8),   # J0 = 0: one outlier near lambda0
])
def test_rank_one_outliers_equal_the_dense_eigenvalues(g, J0, lambda0, N, seed):
    net = mf.Network(N=N, g=g, J0=J0, lambda0=lambda0)
    ref, fast, _, _ = _both(net, seed)
    assert fast.size == ref.size > 0
    assert _max_matching_error(ref, fast) < 1e-8
    assert _max_matching_error(fast, ref) < 1e-8  # and no extra outlier
    assert np.all(np.diff(fast.real) <= 0)


@pytest.mark.parametrize("seed", [3, 5])
def test_outlier_next_to_the_radius(seed):
    """N = 800, g = 0.8, J0 = 2: seed 5 has an outlier 0.6 % outside r_N, seed 3 one 1.2 % outside
    and an eigenvalue of J 0.2 % inside (not an outlier by definition: neither method returns it)."""
    net = mf.Network(N=800, g=0.8, J0=2.0)
    ref, fast, lam, r = _both(net, seed)
    assert np.abs(ref).min() / r < 1.013
    assert fast.size == ref.size
    assert _max_matching_error(ref, fast) < 1e-8
    inner = lam[np.abs(lam) <= r]
    assert np.all(np.abs(fast) > r) and np.abs(inner).max() < r


@pytest.mark.parametrize("lambda0", [0.0, 0.7, -1.2])
def test_rank_one_without_random_part(lambda0):
    """g = 0: the only root is lambda = b^T a = lambda0 (exactly what the dense J has beyond rounding)."""
    net = mf.Network(N=700, g=0.0, J0=2.0, lambda0=lambda0)
    ref, fast, _, _ = _both(net, 1)
    assert fast.size == ref.size == (lambda0 != 0.0)
    if lambda0:
        assert abs(fast[0] - lambda0) < 1e-10 and abs(ref[0] - lambda0) < 1e-10


def test_rank_one_detects_a_wrong_model():
    """The comparison above is sharp: the outliers of J with the mean part's sign flipped
    (v -> -v, a different matrix) are far from those of the realised J."""
    net = mf.Network(N=800, g=0.8, J0=2.0)
    real = simulate.realise(net, 0)
    ref = simulate.outlier_eigenvalues(net, realisation=real, method="eig")
    flipped = np.linalg.eigvals((net.g * real.z - net.mean_weights()[None, :]) / math.sqrt(net.N))
    flipped = flipped[np.abs(flipped) > simulate.bulk_radius(net)]
    assert _max_matching_error(ref, flipped) > 1e-2


def test_auto_falls_back_to_eig(monkeypatch):
    """auto: eig for N < 600 or a margin below 3 (where the bulk crosses r_N often), and when the
    rank-one answer is not certified; rank_one then raises."""
    from simulate import spectrum

    net = mf.Network(N=800, g=0.8, J0=2.0)
    real = simulate.realise(net, 0)
    ref = simulate.outlier_eigenvalues(net, realisation=real, method="eig")

    def uncertified(*args):
        raise spectrum.RankOneUncertified("test")

    monkeypatch.setattr(spectrum, "_rank_one_outliers", uncertified)
    np.testing.assert_array_equal(simulate.outlier_eigenvalues(net, realisation=real), ref)
    with pytest.raises(spectrum.RankOneUncertified):
        simulate.outlier_eigenvalues(net, realisation=real, method="rank_one")
    # margin 0: bulk eigenvalues of X itself lie beyond r_N, invisible to the rank-one series; auto uses eig
    ref0 = simulate.outlier_eigenvalues(net, realisation=real, radius_margin=0.0, method="eig")
    np.testing.assert_array_equal(simulate.outlier_eigenvalues(net, realisation=real, radius_margin=0.0), ref0)
    with pytest.raises(ValueError, match="method"):
        simulate.outlier_eigenvalues(net, method="arnoldi")


def test_rank_one_gives_up_within_too_few_moments():
    from simulate import spectrum

    net = mf.Network(N=800, g=0.8, J0=2.0)
    real = simulate.realise(net, 5)
    with pytest.raises(spectrum.RankOneUncertified):
        spectrum._rank_one_outliers(real, simulate.bulk_radius(net), 96)
