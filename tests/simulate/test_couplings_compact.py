"""The compact coupling model (int8 quantised Gaussian, simulate.couplings) as a model, not a rounding.

References are independent of the code under test: the law's moments from
mpmath at 30 digits; a plain numpy Euler loop on the dense float64 matrix
s q of the same realisation; eigenvalues of that finite matrix (LAPACK);
the section 3 theory of the outliers (THEORY.md: P(max Re lambda > 1) =
0.460 [0.453, 0.467] at g = 0.8, J0 = 2, and zeta_k iid N(0, 1)); and
independent float32 Gaussian networks (other seeds) for the laws of h(t)
and Delta(t, t).

Statistical tests use fixed seeds and level ALPHA = 1e-3 each; the file
holds 8 of them under the null (the compact model), so the probability
that a correct model fails some of them for another choice of seeds is at
most 8e-3. Each is shown to reject a deliberately wrong model (the same
quantised law with variance 1.2 instead of 1; 1.5 for the outlier
proportion, whose power against 1.2 is low at this sample size), except
the KS tests of h(t): the law of h is insensitive to the variance of z at
these parameters (they guard other departures, e.g. of the mean part).
"""

import math
from dataclasses import dataclass, replace
from typing import ClassVar

import mpmath
import numba
import numpy as np
import pytest
from scipy import stats

import meanfield as mf
import simulate
from meanfield.linear.outliers import outlier_eigenvalues
from simulate import kernels_compact
from simulate.couplings import (
    CompactCouplings,
    DenseCouplings,
    GaussianCouplings,
    Int8Couplings,
    coupling_law,
)
from simulate.drive import build_drive
from simulate.engine import integrate
from simulate.spectrum import bulk_radius
from simulate.zeta import realisation_zeta
from validation.threads import single_thread, single_threaded

ALPHA = 1e-3


@dataclass(frozen=True)
class WrongVariance(CompactCouplings):
    """The compact law with variance 1.2: what every statistical test below must reject."""

    name: ClassVar[str] = "test_wrong_variance"

    @property
    def scale(self):
        return math.sqrt(1.2) * super().scale


@pytest.fixture
def one_thread():
    """Single-threaded Numba and BLAS: the results do not depend on it, the wall time on a shared machine does."""
    with single_threaded():
        single_thread()
        yield


# ----------------------------------------------------------------------------------------------- the law


def mp_moment(step, order):
    """E[q^order] of q = clip(round(w / step), -127, 127), w ~ N(0, 1), at 30 digits."""
    with mpmath.workdps(30):
        s = mpmath.mpf(step)
        total = mpmath.mpf(0)
        for k in range(1, 128):
            hi = mpmath.inf if k == 127 else (k + mpmath.mpf(1) / 2) * s
            p = mpmath.ncdf(hi) - mpmath.ncdf((k - mpmath.mpf(1) / 2) * s)
            total += 2 * mpmath.mpf(k) ** order * p
        return total


@pytest.mark.parametrize("step", [0.05, 0.04, 0.1])
def test_variance_is_exactly_one_in_closed_form(step):
    law = CompactCouplings(step=step)
    m2, m4 = mp_moment(step, 2), mp_moment(step, 4)
    assert law.second_moment() == pytest.approx(float(m2), rel=1e-13)
    # z_eff = s q: variance 1 exactly, kurtosis E[q^4] / E[q^2]^2
    assert law.scale ** 2 * float(m2) == pytest.approx(1.0, rel=1e-13)
    assert law.moment(4) * law.scale ** 4 == pytest.approx(float(m4 / m2 ** 2), rel=1e-13)
    # Sheppard's correction: E[(step q)^2] = 1 + step^2 / 12, up to the clip, which changes the second
    # moment by less than E[w^2; |w| > c] = 2 (c phi(c) + 1 - Phi(c)), c = 126.5 step
    c = 126.5 * step
    clip = 2 * (c * math.exp(-c * c / 2) / math.sqrt(2 * math.pi) + 0.5 * math.erfc(c / math.sqrt(2)))
    assert abs(float(m2) * step ** 2 - (1 + step ** 2 / 12)) <= clip + 1e-15
    probs = law.probabilities()
    assert 2 * probs[1:].sum() + probs[0] == pytest.approx(1.0, abs=1e-15)


def test_invalid_law_parameters_name_the_fix():
    for bad in (0.2, 0.01, -1.0, "0.05", True):
        with pytest.raises(ValueError, match="step"):
            CompactCouplings(step=bad)
    with pytest.raises(ValueError, match="CouplingLaw"):
        coupling_law("compact")
    assert coupling_law(CompactCouplings(0.04).to_dict()) == CompactCouplings(0.04)
    assert coupling_law({"law": "gaussian"}) == GaussianCouplings()


def test_drawn_levels_follow_the_law():
    """Chi-square of the level counts of one 600 x 600 draw against P(q = k) (level ALPHA)."""
    law = CompactCouplings()
    net = mf.Network(N=600, g=1.0, J0=1.0)
    c = simulate.realise(net, 5, np.float32, law).couplings
    counts = np.bincount(np.abs(c.q.astype(np.int64)).ravel(), minlength=128)
    p = law.probabilities() * np.r_[1.0, np.full(127, 2.0)]  # P(|q| = k)
    expected = p * c.q.size
    keep = expected >= 5  # pool the far tail into the last kept bin
    last = np.flatnonzero(keep)[-1]
    obs = np.r_[counts[:last], counts[last:].sum()]
    exp = np.r_[expected[:last], expected[last:].sum()]
    assert stats.chisquare(obs, exp).pvalue > ALPHA
    # the same statistic rejects the levels of the unclipped rounding with step 0.06 (a wrong grid)
    wrong = np.bincount(np.minimum(np.abs(np.rint(c.q * 0.05 / 0.06)).astype(np.int64), 127).ravel(),
                        minlength=128)
    assert stats.chisquare(np.r_[wrong[:last], wrong[last:].sum()], exp).pvalue < ALPHA
    # the entries are the rounding of the Gaussian draw of the same z stream (module docstring)
    zg = simulate.realise(net, 5, np.float64).z
    inside = np.abs(zg) < 126.5 * law.step
    assert np.all(np.abs(c.q[inside] * law.step - zg[inside]) <= law.step / 2 + 1e-12)
    assert np.all(np.abs(c.q[~inside]) == 127)


# -------------------------------------------------------------------------------------- plumbing and API


def test_realisation_z_is_dense_only_and_couplings_work_everywhere():
    net = mf.Network(N=64, g=1.2, J0=1.0)
    real = simulate.realise(net, 3, np.float64, CompactCouplings())
    with pytest.raises(ValueError, match="couplings.matvec"):
        _ = real.z
    dense = real.couplings.dense()
    assert dense.dtype == np.float64 and dense.shape == (64, 64)
    assert real.couplings.nbytes == 64 * 64
    x = np.random.default_rng(0).standard_normal(64)
    np.testing.assert_allclose(real.couplings.matvec(x), dense @ x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(real.couplings.rmatvec(x), dense.T @ x, rtol=0, atol=1e-12)
    # a dense float64 copy of the same matrix: a Gaussian-model realisation of exactly the same J
    twin = replace(real, z=dense)
    assert isinstance(twin.couplings, DenseCouplings) and twin.z is dense
    np.testing.assert_allclose(realisation_zeta(real, 12), realisation_zeta(twin, 12), rtol=1e-12)
    grid = mf.TimeGrid(dt=0.1, T=3.0)
    a = simulate.lyapunov.lyapunov_run(real, grid=grid)
    b = simulate.lyapunov.lyapunov_run(twin, grid=grid)
    np.testing.assert_allclose(a.log_norm, b.log_norm, rtol=0, atol=1e-10)
    np.testing.assert_allclose(a.log_dh, b.log_dh, rtol=0, atol=1e-10)
    # replace needs the couplings for a non-dense law; it keeps them
    other = replace(real, z=real.couplings, pattern=np.zeros(64))
    assert other.couplings is real.couplings


def test_options_carry_the_law_and_mismatches_are_refused():
    net = mf.Network(N=40, g=1.0, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=1.0)
    res = simulate.run(net, grid=grid, seed=1, couplings=CompactCouplings())
    assert res.provenance.params["options"]["couplings"] == {"law": "compact", "step": 0.05}
    assert simulate.RunOptions().to_dict()["couplings"] == {"law": "gaussian"}
    with pytest.raises(ValueError, match="couplings"):
        simulate.RunOptions(couplings="int8")
    setup = simulate.make_setup(net, mf.Inputs(), grid, mf.InitialState(), simulate.RunOptions())
    with pytest.raises(ValueError, match="CompactCouplings"):
        simulate.simulate_realisation(simulate.realise(net, 1, np.float64, CompactCouplings()), setup)


# --------------------------------------------------------------------------------- kernels against numpy


INPUTS = mf.Inputs(
    uniform=mf.UniformInput(I0=0.3, profile=mf.Sine(omega=1.3, phase=0.2)),
    pattern=mf.PatternInput(sigma_in=0.7, profile=mf.Step(t_on=1.0, t_off=3.0)),
    sparse=mf.SparseInput(kappa=1.5, A=2.0, profile=mf.Constant(1.0), offset=3),
)


def numpy_euler(net, real, drive, grid, X0):
    """Plain numpy forward Euler of every replica on the dense float64 J = (g s q + u v^T) / sqrt(N)."""
    N = net.N
    v = net.mean_weights()
    J = (net.g * real.couplings.dense() + v[None, :]) / math.sqrt(N)
    X = np.array(X0, dtype=np.float64)
    obs = []
    for k in range(grid.n_steps + 1):
        P = net.phi.func(X)
        h = X.mean(axis=1)
        obs.append(np.stack([h, P @ v / math.sqrt(N), P.mean(axis=1), ((X - h[:, None]) ** 2).mean(axis=1)], 1))
        if k == grid.n_steps:
            break
        I = (drive.uniform[k][:, None] + drive.pattern[k][:, None] * real.pattern[None, :]
             + drive.sparse[k][:, None] * drive.mask)
        X = X + grid.dt * (-X + P @ J.T + I)
    return np.array(obs), X


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-11), (np.float32, 2e-5)])
@pytest.mark.parametrize("R", [1, 6])
@pytest.mark.parametrize("engine", ["rows", "blas"])
def test_kernels_match_a_numpy_integrator_of_the_same_int8_matrix(dtype, tol, R, engine, one_thread):
    # N = 301: ragged row blocks (301 = 9 * 32 + 13) and tiles (13 = 3 * 4 + 1); R = 6: 4 x 4 tiles and
    # two replicas left over. g = 0.9 (not chaotic): float32 rounding is not amplified over T = 4.
    net = mf.Network(N=301, g=0.9, J0=1.3, lambda0=0.2)
    grid = mf.TimeGrid(dt=0.1, T=4.0)
    real = simulate.realise(net, 4, dtype, CompactCouplings())
    drive = build_drive(net, (INPUTS,) * R, grid)
    X0 = np.stack([0.1 * r + (0.5 + 0.1 * r) * real.initial_noise(r) for r in range(R)])
    rec = integrate(real.couplings, X0, real.gain, net.mean_weights(), real.pattern, drive, grid.dt,
                    net.phi, stride=1, snap_every=0, trace_idx=np.zeros(0, np.int64), engine=engine)
    ref_obs, ref_X = numpy_euler(net, real, drive, grid, X0)
    np.testing.assert_allclose(rec.obs, ref_obs, rtol=0, atol=tol)
    np.testing.assert_allclose(rec.final, ref_X, rtol=0, atol=tol)


def test_user_phi_runs_through_the_step_loop(one_thread):
    def softsign(x):
        return x / (1.0 + np.abs(x))

    net = mf.Network(N=120, g=1.4, J0=1.0, lambda0=0.5, phi=softsign)
    grid = mf.TimeGrid(dt=0.1, T=4.0)
    real = simulate.realise(net, 6, np.float64, CompactCouplings())
    drive = build_drive(net, (INPUTS,) * 2, grid)
    X0 = np.stack([real.initial_noise(r) for r in range(2)])
    rec = integrate(real.couplings, X0, real.gain, net.mean_weights(), real.pattern, drive, grid.dt,
                    net.phi, stride=1, snap_every=0, trace_idx=np.zeros(0, np.int64), engine="auto")
    ref_obs, ref_X = numpy_euler(net, real, drive, grid, X0)
    np.testing.assert_allclose(rec.obs, ref_obs, rtol=0, atol=1e-11)
    np.testing.assert_allclose(rec.final, ref_X, rtol=0, atol=1e-11)


@pytest.mark.parametrize("R", [1, 5])
def test_bit_identical_for_one_and_two_threads(R):
    net = mf.Network(N=333, g=1.6, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=5.0)
    runs = []
    old = numba.get_num_threads()
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            res = simulate.run(net, INPUTS, grid, seed=9, dtype=np.float32, replicas=R, delta_every=10,
                               couplings=CompactCouplings(), keep_final_state=True, engine="rows")
            c = simulate.realise(net, 9, np.float32, CompactCouplings()).couplings
            y = np.linspace(-1, 1, net.N)
            runs.append((res.h, res.delta_tt, res.delta_ts, res.final_state, c.matvec(y), c.rmatvec(y)))
    finally:
        numba.set_num_threads(old)
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_int8_matrix_is_read_as_int8():
    # the kernels take the int8 array itself: 1 byte per coupling, never a float copy of z
    net = mf.Network(N=50, g=1.0, J0=1.0)
    c = simulate.realise(net, 1, np.float32, CompactCouplings()).couplings
    assert isinstance(c, Int8Couplings) and c.q.dtype == np.int8 and c.nbytes == 2500
    sig = [s for s in kernels_compact.integrate_compact.signatures]
    assert sig and all(str(s[0].dtype) == "int8" for s in sig)


# ------------------------------------------------------------------------- the model: laws of h and Delta


def _h_delta_at(law, seed, n, dtype_engine):
    net = mf.Network(N=1000, g=1.5, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=10.0, stride=50)  # records t = 0, 5, 10
    ens = simulate.sample(net, grid=grid, n_samples=n, seed=seed, progress=False, dtype=np.float32,
                          couplings=law, engine=dtype_engine)
    return ens.h[:, 1:], ens.delta_tt[:, 1:]


def _law_tests(h_a, d_a, h_b, d_b):
    """p-values: KS of h and of Delta(t,t) at t = 5 and 10, and Fisher's test of P(Delta(10,10) > 0.9)."""
    p = {}
    for j, t in enumerate((5, 10)):
        p[f"KS h({t})"] = stats.ks_2samp(h_a[:, j], h_b[:, j]).pvalue
        p[f"KS Delta({t},{t})"] = stats.ks_2samp(d_a[:, j], d_b[:, j]).pvalue
    table = [[np.sum(d_a[:, 1] > 0.9), np.sum(d_a[:, 1] <= 0.9)], [np.sum(d_b[:, 1] > 0.9), np.sum(d_b[:, 1] <= 0.9)]]
    p["Fisher P(Delta(10,10) > 0.9)"] = stats.fisher_exact(table).pvalue
    return p


def test_law_of_h_and_delta_matches_float32_gaussian_networks(one_thread):
    """60 compact against 60 float32 Gaussian networks at N = 1000, g = 1.5, J0 = 1 (other seeds).

    Five tests at level ALPHA; the wrong model (variance 1.2) must be rejected by the Delta tests.
    """
    n = 60
    h_g, d_g = _h_delta_at(GaussianCouplings(), 11, n, "rows")
    h_c, d_c = _h_delta_at(CompactCouplings(), 12, n, "rows")
    p = _law_tests(h_g, d_g, h_c, d_c)
    assert min(p.values()) > ALPHA, p
    h_w, d_w = _h_delta_at(WrongVariance(), 13, n, "rows")
    p_wrong = _law_tests(h_g, d_g, h_w, d_w)
    for name in ("KS Delta(5,5)", "KS Delta(10,10)", "Fisher P(Delta(10,10) > 0.9)"):
        assert p_wrong[name] < ALPHA, p_wrong


# ------------------------------------------------------------------------------- the model: the outliers


def test_outliers_of_a_compact_matrix_are_the_section3_roots_of_its_own_zeta(one_thread):
    """Eigenvalues of the dense s q matrix at N = 1000 outside the bulk = roots from its zeta_k (matvec)."""
    net = mf.Network(N=1000, g=0.8, J0=2.0)
    real = simulate.realise(net, 2, np.float64, CompactCouplings())
    lam = np.linalg.eigvals(real.coupling_matrix())
    r_N = bulk_radius(net)
    eig = np.sort_complex(lam[np.abs(lam) > r_N])
    pred = np.sort_complex(outlier_eigenvalues(realisation_zeta(real, 200), net.g, net.J0, w_max=net.g / r_N))
    assert eig.size >= 3 and eig.size == pred.size
    np.testing.assert_allclose(eig, pred, rtol=0, atol=1e-8)


def _zeta_sample(law, seed, n, k_max=130):
    net = mf.Network(N=1000, g=0.8, J0=2.0)
    zetas, unstable = [], 0
    for ss in np.random.SeedSequence(seed).spawn(n):
        zeta = realisation_zeta(simulate.realise(net, ss, np.float32, law), k_max)
        zetas.append(zeta[:4])
        lam = outlier_eigenvalues(zeta, net.g, net.J0)
        unstable += bool(lam.size and lam.real.max() > 1.0)
    return np.array(zetas), unstable


def _p_unstable(unstable, n):
    # P(max Re lambda > 1) = 0.460 [0.453, 0.467] (THEORY.md section 3): the least-rejecting value of the interval
    return max(stats.binomtest(unstable, n, p0).pvalue for p0 in (0.453, 0.460, 0.467))


def _p_chi2(zetas):
    # zeta_1..4 iid N(0, 1): sum of squares chi-square with 4 n degrees of freedom (two-sided)
    chi2, dof = float(np.sum(zetas ** 2)), zetas.size
    return 2 * min(stats.chi2.sf(chi2, dof), stats.chi2.cdf(chi2, dof))


@dataclass(frozen=True)
class WrongVariance15(WrongVariance):
    """Variance 1.5: a departure the proportion test detects with 30 networks (1.2 needs several hundred)."""

    name: ClassVar[str] = "test_wrong_variance_15"

    @property
    def scale(self):
        return math.sqrt(1.5) * CompactCouplings.scale.fget(self)


def test_outlier_law_of_compact_networks_matches_section3(one_thread):
    """100 compact networks at N = 1000, g = 0.8, J0 = 2 against the theory (two tests at level ALPHA).

    Wrong models: variance 1.2 is rejected by the chi-square of zeta; the proportion test, whose power
    against 1.2 is low at n = 100 (about 0.3), is shown to reject variance 1.5.
    """
    n = 100
    zetas, unstable = _zeta_sample(CompactCouplings(), 21, n)
    p = {"P(max Re lambda > 1)": _p_unstable(unstable, n), "chi2 zeta_1..4": _p_chi2(zetas)}
    assert min(p.values()) > ALPHA, p
    zetas_w, _ = _zeta_sample(WrongVariance(), 22, 30)
    assert _p_chi2(zetas_w) < ALPHA
    _, unstable_w = _zeta_sample(WrongVariance15(), 23, 30)
    assert _p_unstable(unstable_w, 30) < ALPHA, unstable_w
