"""The sparse coupling law with fixed in-degree and its Numba kernels (THEORY.md section 1).

References independent of the code under test: exact combinatorics of the
partner sets (every K-subset equally likely), the standard normal law of the
values, dense float64 products of ``dense()``, a plain numpy forward-Euler
loop on the dense J = (g z_eff + u v^T) / sqrt(N), float64 ``numpy.tanh``, and,
as a model, dense Gaussian networks of THEORY.md section 1 (the law of h(t)
and Delta(t, t) over realisations).
"""

import math

import numba
import numpy as np
import pytest
from scipy import stats

import meanfield as mf
import simulate
from simulate import kernels, kernels_sparse
from simulate.couplings import GaussianCouplings, coupling_law
from simulate.couplings_sparse import (
    EllCouplings,
    SparseCouplings,
    _floyd_rows,
    bytes_per_neuron,
    largest_network,
    padded_degree,
)

TOL = 1e-10

ALL_INPUTS = mf.Inputs(
    uniform=mf.UniformInput(I0=0.3, profile=mf.Sine(omega=1.3, phase=0.2)),
    pattern=mf.PatternInput(sigma_in=0.7, profile=mf.Step(t_on=1.0, t_off=3.0)),
    sparse=mf.SparseInput(kappa=1.5, A=2.0, profile=mf.Constant(1.0), offset=3),
)


def draw(N, c, seed=0, dtype=np.float64, g=1.5, J0=1.0):
    net = mf.Network(N=N, g=g, J0=J0)
    return SparseCouplings(c).draw(net, np.random.SeedSequence(seed), dtype)


# ----------------------------------------------------------------------------------------------
# the law


@pytest.mark.parametrize("N,c", [(200, 0.1), (97, 0.33), (50, 1.0), (1000, 0.013)])
def test_exact_in_degree_distinct_sorted_partners(N, c):
    cp = draw(N, c)
    K = round(c * N)
    assert cp.K == K and cp.idx.shape == (N, padded_degree(K)) and cp.idx.shape[1] % 8 == 0
    real = cp.idx[:, :K]
    assert real.min() >= 0 and real.max() < N
    assert np.all(np.diff(real, axis=1) > 0)  # sorted and distinct: exactly K partners
    np.testing.assert_array_equal(cp.val[:, K:], 0.0)  # padding adds nothing
    z = cp.dense()
    np.testing.assert_array_equal(np.count_nonzero(z, axis=1), K)
    if c == 1.0:
        np.testing.assert_array_equal(real, np.broadcast_to(np.arange(N), (N, N)))


def test_floyd_draws_every_subset_with_equal_probability():
    # N = 5, K = 2: the 10 subsets should each have probability 1/10. Chi-square with 9 degrees of
    # freedom on 20,000 rows; false-failure rate 1e-3 (fixed seed).
    N, K, rows = 5, 2, 20_000
    rng = np.random.default_rng(11)
    draws = rng.integers(0, np.arange(N - K + 1, N + 1), size=(rows, K))
    idx = np.empty((rows, K), dtype=np.int32)
    _floyd_rows(N, K, draws, idx, 0, np.zeros(N, dtype=np.bool_))
    code = idx[:, 0] * N + idx[:, 1]
    counts = np.array([np.sum(code == a * N + b) for a in range(N) for b in range(a + 1, N)])
    assert counts.sum() == rows
    assert stats.chisquare(counts).pvalue > 1e-3


def test_partner_marginals_and_values_follow_the_law():
    # Every j is a partner of i with probability c (self-connections included), and the kept values
    # times sqrt(c) are iid N(0, 1). Column counts: chi-square against the uniform law of the N K
    # draws; values: KS against N(0, 1). Each false-failure rate 1e-3 (fixed seed).
    N, c = 400, 0.1
    cp = draw(N, c, seed=4)
    K = cp.K
    cols = np.bincount(cp.idx[:, :K].ravel(), minlength=N)
    assert stats.chisquare(cols).pvalue > 1e-3
    diag = np.sum(cp.idx[:, :K] == np.arange(N)[:, None])
    assert stats.binomtest(int(diag), N, c).pvalue > 1e-3
    w = cp.val[:, :K].ravel() * math.sqrt(c)
    assert stats.kstest(w, "norm").pvalue > 1e-3
    # z_eff itself: mean 0, variance 1 per entry (pooled over the N^2 entries)
    z = cp.dense()
    assert abs(z.mean()) < 4 / N and abs(z.var() - 1.0) < 0.05


def test_draw_is_deterministic_and_float32_rounds_float64():
    a = draw(300, 0.2, seed=7, dtype=np.float64)
    b = draw(300, 0.2, seed=7, dtype=np.float64)
    f = draw(300, 0.2, seed=7, dtype=np.float32)
    np.testing.assert_array_equal(a.idx, b.idx)
    np.testing.assert_array_equal(a.val, b.val)
    np.testing.assert_array_equal(a.idx, f.idx)
    np.testing.assert_array_equal(f.val, a.val.astype(np.float32))
    assert f.val.dtype == np.float32 and f.dtype == np.float32
    other = draw(300, 0.2, seed=8)
    assert not np.array_equal(a.idx, other.idx)


@pytest.mark.parametrize("c", [0.0, -0.1, 1.5, True, "0.1", float("nan")])
def test_connectivity_is_validated(c):
    with pytest.raises(ValueError, match="connectivity"):
        SparseCouplings(c)


def test_empty_in_degree_is_refused():
    with pytest.raises(ValueError, match="in-degree"):
        SparseCouplings(0.001).draw(mf.Network(N=100, g=1.0, J0=1.0), np.random.SeedSequence(0), np.float64)


def test_law_round_trip_and_storage():
    law = SparseCouplings(0.25)
    assert coupling_law(law.to_dict()) == law
    cp = draw(160, 0.25, dtype=np.float32)
    assert cp.idx.dtype == np.uint16
    assert cp.nbytes == 160 * 40 * 6 == law.storage_bytes(160, np.float32)
    # per neuron: 40 synapses x (uint16 + float32), x / phi / phi_next float32, v / p / mask float64
    assert bytes_per_neuron(160, 0.25, np.float32) == 40 * 6 + 3 * 4 + 3 * 8
    # above 65,536 neurons the indices are int32: K8 = 1000 synapses x (4 + 8) bytes in float64
    assert bytes_per_neuron(100_000, 0.01, np.float64) == 1000 * 12 + 3 * 8 + 3 * 8
    n = largest_network(20 * 2**30, 0.01, np.float32)
    assert n * bytes_per_neuron(n, 0.01) <= 20 * 2**30 < (n + 1) * bytes_per_neuron(n + 1, 0.01)


def test_products_match_the_dense_matrix():
    cp = draw(257, 0.15, seed=2)
    z = cp.dense()
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 257))
    np.testing.assert_allclose(cp.matvec(x), z @ x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cp.rmatvec(y), z.T @ y, rtol=0, atol=1e-12)


def test_tanh_f32_is_within_8_ulps_of_tanh():
    x = np.concatenate([np.linspace(-12, 12, 400_001), [0.0, 1e-30, -1e-8, 7.9, 8.0, np.inf, -np.inf]])
    x = x.astype(np.float32)
    out = np.empty_like(x)
    kernels_sparse.tanh_f32(x, out)
    ref = np.tanh(x.astype(np.float64))
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    assert np.max(np.abs(out - ref) / ulp) <= 8
    assert np.all(np.abs(out) <= 1)
    nan = np.array([np.nan], dtype=np.float32)
    kernels_sparse.tanh_f32(nan, nan)
    assert np.isnan(nan[0])  # a NaN state stays visible to the non-finite check


# ----------------------------------------------------------------------------------------------
# the kernels against a plain numpy integrator


def reference_run(network, real, inputs, grid, x0):
    """Plain numpy Euler loop for one replica on the dense J of the realisation's z_eff."""
    N = network.N
    v = network.mean_weights()
    J = (network.g * real.couplings.dense() + np.outer(np.ones(N), v)) / math.sqrt(N)
    x = np.array(x0, dtype=np.float64)
    out = []
    for k in range(grid.n_steps + 1):
        phi = network.phi.func(x)
        h = x.mean()
        out.append((h, v @ phi / math.sqrt(N), phi.mean(), np.mean((x - h) ** 2)))
        if k == grid.n_steps:
            break
        t = grid.times[k : k + 1]
        I = inputs.uniform.I0 * inputs.uniform.profile.values(t)[0]
        I = I + inputs.pattern.sigma_in * real.pattern * inputs.pattern.profile.values(t)[0]
        S = inputs.sparse.indices(network)
        I_sparse = np.zeros(N)
        I_sparse[S] = inputs.sparse.A * inputs.sparse.profile.values(t)[0]
        x = x + grid.dt * (-x + J @ phi + I + I_sparse)
    return np.array(out).T, x


@pytest.mark.parametrize("phi", ["tanh", "erf", "linear"])
@pytest.mark.parametrize("engine,replicas", [("rows", 1), ("rows", 3), ("blas", 2)])
def test_kernel_against_numpy_reference(phi, engine, replicas):
    net = mf.Network(N=203, g=1.5, J0=1.2, lambda0=0.4, phi=phi)
    grid = mf.TimeGrid(dt=0.1, T=5.0)
    initial = mf.InitialState(h0=0.2, sigma0=1.0)
    law = SparseCouplings(0.12)
    res = simulate.run(net, ALL_INPUTS, grid, initial, seed=3, replicas=replicas, engine=engine,
                       couplings=law, keep_final_state=True)
    real = simulate.realise(net, 3, np.float64, law)
    assert isinstance(real.couplings, EllCouplings)
    h, m, M, D = (np.atleast_2d(a) for a in (res.h, res.m, res.M, res.delta_tt))
    final = np.atleast_2d(res.final_state)
    for r in range(replicas):
        ref, x_T = reference_run(net, real, ALL_INPUTS, grid, initial.h0 + initial.sigma0 * real.initial_noise(r))
        for got, want in zip((h[r], m[r], M[r], D[r]), ref):
            np.testing.assert_allclose(got, want[grid.record_steps], rtol=0, atol=TOL)
        np.testing.assert_allclose(final[r], x_T, rtol=0, atol=TOL)


@pytest.mark.parametrize("engine", ["rows", "blas"])
def test_blow_up_is_reported(engine):
    # linear phi and g = 30: the state grows by ~ (1 + dt (g - 1)) per step and overflows float32
    net = mf.Network(N=120, g=30.0, J0=1.0, phi="linear")
    with pytest.raises(simulate.NonFiniteStateError):
        simulate.run(net, grid=mf.TimeGrid(dt=0.5, T=200.0), dtype=np.float32, engine=engine,
                     couplings=SparseCouplings(0.2))


def test_float32_kernel_tracks_the_float64_reference():
    # float32 state, couplings and the vectorised tanh: agreement to float32 rounding over a short,
    # non-chaotic run (g < 1), where errors are not amplified
    net = mf.Network(N=300, g=0.8, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=3.0)
    law = SparseCouplings(0.1)
    res = simulate.run(net, ALL_INPUTS, grid, seed=5, dtype=np.float32, engine="rows", couplings=law,
                       keep_final_state=True)
    real = simulate.realise(net, 5, np.float64, law)
    ref, x_T = reference_run(net, real, ALL_INPUTS, grid, real.initial_noise(0))
    np.testing.assert_allclose(res.h, ref[0][grid.record_steps], rtol=0, atol=2e-6)
    np.testing.assert_allclose(res.delta_tt, ref[3][grid.record_steps], rtol=2e-6)
    np.testing.assert_allclose(res.final_state, x_T, rtol=0, atol=2e-5)


def test_int32_and_uint16_indices_give_the_same_bits():
    cp = draw(300, 0.1, seed=6, dtype=np.float32)
    wide = EllCouplings(cp.idx.astype(np.int32), cp.val, cp.K, law=cp.law)
    # the serial single-trajectory kernel: one more compilation, the same code as the others
    X0 = np.random.default_rng(2).standard_normal((1, 300)).astype(np.float32)
    for got, want in zip(_raw_run(wide, X0, 10, False), _raw_run(cp, X0, 10, False)):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r"\[0, N\)"):
        EllCouplings(cp.idx.astype(np.int32) - 1, cp.val, cp.K, law=cp.law)


def _raw_run(cp, X0, K, parallel, R_max=3):
    """The kernel on X0 (R <= R_max replicas); the inputs of replica r do not depend on R."""
    R, N = X0.shape
    X = X0.copy()
    obs = np.zeros((K + 1, R, 4))
    snaps = np.zeros((K // 5 + 1, R, N))
    traces = np.zeros((K + 1, R, 2))
    rng = np.random.default_rng(1)
    v, pattern = rng.standard_normal(N), rng.standard_normal((2, N))
    mask = (rng.random((R_max, N)) < 0.1).astype(np.float64)[:R].copy()
    a, c = (rng.standard_normal((K, R_max))[:, :R].copy() for _ in range(2))
    b = rng.standard_normal((K, R_max, 2))[:, :R].copy()
    kernels_sparse.integrate_ell(cp.idx, cp.val, X, 1.5 / math.sqrt(N), v, pattern, mask, a, b, c, 0.1,
                                 kernels.PHI_CODES["tanh"], 1, 5, np.array([0, N - 1]), obs, snaps, traces,
                                 parallel=parallel)
    return X, obs, snaps, traces


def test_bit_identical_across_threads_replicas_and_serial(dtype=np.float32):
    # 700 rows = 11 row blocks, so two threads split the rows; two input patterns, all inputs on.
    # float32 only (the code does not depend on the dtype; each dtype costs four compilations)
    cp = draw(700, 0.1, seed=9, dtype=dtype)
    X0 = np.random.default_rng(3).standard_normal((3, 700)).astype(dtype)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one_thread = _raw_run(cp, X0, 20, parallel=True)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two_threads = _raw_run(cp, X0, 20, parallel=True)
        single = _raw_run(cp, X0[:1], 20, parallel=True)
    finally:
        numba.set_num_threads(before)
    serial = _raw_run(cp, X0, 20, parallel=False)
    assert np.all(np.isfinite(one_thread[1])) and one_thread[1][-1, 0, 3] > 0.01
    for a, b, c in zip(one_thread, two_threads, serial):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    # replica 0 of the batch equals the single-trajectory kernel, bit for bit
    X, obs, snaps, traces = single
    np.testing.assert_array_equal(X[0], one_thread[0][0])
    for got, want in zip((obs, snaps, traces), one_thread[1:]):
        np.testing.assert_array_equal(got[:, 0], want[:, 0])


# ----------------------------------------------------------------------------------------------
# as a model: sparse networks against dense Gaussian networks


class _MisScaled(SparseCouplings):
    """A deliberately wrong law: entries scaled by ``factor`` / sqrt(c) (for the power checks)."""

    name = ""  # not registered

    def __init__(self, connectivity, factor):
        super().__init__(connectivity)
        object.__setattr__(self, "factor", factor)

    def draw(self, network, z_seed, dtype=np.float64):
        cp = super().draw(network, z_seed, dtype)
        return EllCouplings(cp.idx, (cp.val * self.factor).astype(cp.dtype), cp.K, law=self, dtype=cp.dtype)


MODEL_N, MODEL_GRID = 600, mf.TimeGrid(dt=0.1, T=6.0)
MODEL_NET = mf.Network(N=MODEL_N, g=1.5, J0=1.0)
N_SPARSE, N_DENSE = 120, 60
ALPHA = 5e-4  # per KS test; two tests per comparison, so a correct model fails with probability <= 1e-3


def _final_h_delta(law, seeds):
    out = np.empty((len(seeds), 2))
    for n, s in enumerate(seeds):
        r = simulate.run(MODEL_NET, grid=MODEL_GRID, seed=int(s), couplings=law, dtype=np.float32)
        out[n] = r.h[-1], r.delta_tt[-1]
    return out


@pytest.fixture(scope="module")
def dense_sample():
    return _final_h_delta(GaussianCouplings(), range(50_000, 50_000 + N_DENSE))


def _ks_pvalues(law, dense):
    sparse = _final_h_delta(law, range(10_000, 10_000 + N_SPARSE))
    return [stats.ks_2samp(sparse[:, q], dense[:, q]).pvalue for q in range(2)]


def test_sparse_network_has_the_law_of_the_dense_network(dense_sample):
    # g = 1.5, J0 = 1 (chaotic, macroscopic random population mode): h(T) and Delta(T, T) over
    # independent realisations, c = 0.1 (K = 60) against the Gaussian all-to-all network
    p_h, p_delta = _ks_pvalues(SparseCouplings(0.1), dense_sample)
    assert p_h > ALPHA and p_delta > ALPHA


@pytest.mark.parametrize("factor", [math.sqrt(0.1), 1.1])
def test_the_model_check_rejects_a_wrong_scale(dense_sample, factor):
    # without the 1/sqrt(c) (factor sqrt(c)), or 10 % too strong: the same test must fail
    p_h, p_delta = _ks_pvalues(_MisScaled(0.1, factor), dense_sample)
    assert min(p_h, p_delta) < ALPHA


def test_worker_warm_up_network_is_large_enough_for_a_sparse_law():
    # simulate.sample(..., workers > 1) compiles on a tiny network first; at c = 0.01 it must still have
    # round(c N) >= 1 partners (round(0.01 * 4) = 0 would refuse to draw)
    import meanfield as mf
    from simulate.ensembles import _warm_up
    from simulate.options import RunOptions, make_setup

    law = SparseCouplings(connectivity=0.01)
    assert round(0.01 * law.smallest_network()) >= 1
    setup = make_setup(mf.Network(N=300, g=1.5, J0=1.0), mf.Inputs(), mf.TimeGrid(dt=0.1, T=1.0),
                       mf.InitialState(), RunOptions(couplings=law))
    _warm_up(setup)
