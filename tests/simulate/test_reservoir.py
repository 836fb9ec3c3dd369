"""Reservoirs on the simulator's kernels (THEORY.md sections 1 and 9).

References: a plain numpy Euler integrator of x <- x + dt (-x + J phi(x) + W_in^T u)
with the dense J of the realisation; the random-pattern input (b) of
``simulate.run``; and, for a linear reservoir, the exact memory capacity from
the controllability Gramian (Jaeger 2001).
"""

import numpy as np
import pytest
from scipy import linalg

import meanfield as mf
import simulate
from simulate.reservoir import Reservoir


def numpy_reservoir(rr, u, substeps, dt, x0):
    """The same Euler recursion in float64 numpy, one input sample at a time."""
    J, W = rr.realisation.coupling_matrix(), rr.input_weights
    phi = rr.reservoir.network.phi.func
    x, out = x0.astype(float), []
    for t in range(u.shape[0]):
        for _ in range(substeps):
            x = x + dt * (-x + J @ phi(x) + W.T @ u[t])
        out.append(x.copy())
    return np.array(out)


@pytest.mark.parametrize("mode", ["dense", "sparse"])
@pytest.mark.parametrize("engine", ["rows", "blas"])
def test_reservoir_states_follow_the_euler_recursion(mode, engine):
    net = mf.Network(N=200, g=1.2, J0=1.0)
    res = Reservoir(net, n_inputs=2, input_scaling=0.7, input_mode=mode, substeps=3, dt=0.2,
                    dtype="float64", engine=engine)
    rr = res.realise(5)
    u = np.random.default_rng(1).uniform(-1, 1, (50, 2))
    states = rr.run(u)
    ref = numpy_reservoir(rr, u, 3, 0.2, rr.realisation.initial_noise(0))
    np.testing.assert_allclose(states.x[0], ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(states.h[0], ref.mean(axis=1), rtol=0, atol=1e-12)   # h = mean of x
    feats = states.features(washout=5)
    assert feats.shape == (1, 45, 201)
    np.testing.assert_allclose(feats[0, :, :200], np.tanh(ref[5:]), atol=1e-12)
    assert np.all(feats[0, :, 200] == 1.0)


def test_sparse_weights_are_the_sparse_input_sets():
    net = mf.Network(N=400, g=1.0, J0=1.0)
    rr = Reservoir(net, n_inputs=2, input_scaling=0.5, input_mode="sparse", kappa=2.0).realise(0)
    S0 = mf.SparseInput(kappa=2.0).indices(net)
    S1 = mf.SparseInput(kappa=2.0, offset=S0.size).indices(net)
    assert set(np.flatnonzero(rr.input_weights[0])) == set(S0) and S0.size == 40
    assert set(np.flatnonzero(rr.input_weights[1])) == set(S1) and not set(S0) & set(S1)
    assert np.all(rr.input_weights[rr.input_weights != 0] == 0.5)


def test_one_dense_channel_is_the_pattern_input_of_the_network():
    # the theory's input (b) with sigma_in = input_scaling and s(t) = u(t) held over the substeps
    net = mf.Network(N=300, g=1.5, J0=1.0)
    s, dt = 2, 0.1
    u = np.random.default_rng(3).uniform(-1, 1, 40)
    rr = Reservoir(net, input_scaling=0.8, substeps=s, dt=dt, dtype="float64").realise(9)
    states = rr.run(u)
    profile = mf.Custom(lambda t: u[np.minimum((np.asarray(t) / (s * dt) + 1e-9).astype(int), u.size - 1)])
    inputs = mf.Inputs(pattern=mf.PatternInput(sigma_in=0.8, profile=profile))
    run = simulate.run(net, inputs, mf.TimeGrid(dt, 40 * s * dt, stride=s), seed=9)
    np.testing.assert_allclose(states.h[0], run.h[1:], rtol=0, atol=1e-12)


def test_batched_sequences_and_initial_states_equal_separate_runs():
    net = mf.Network(N=150, g=1.3, J0=2.0)
    rr = Reservoir(net, n_inputs=1, input_scaling=1.0, substeps=2, dtype="float64").realise(2)
    U = np.random.default_rng(4).uniform(-1, 1, (3, 30, 1))
    batch = rr.run(U)
    for r in range(3):
        np.testing.assert_allclose(batch.x[r], rr.run(U[r]).x[0], rtol=0, atol=1e-12)
    several = rr.run(U[0], n_initial=3)
    x0s = [rr.realisation.initial_noise(r) for r in range(3)]
    for r in range(3):
        np.testing.assert_allclose(several.x[r], numpy_reservoir(rr, U[0], 2, 0.1, x0s[r]), atol=1e-12)
    assert not np.allclose(several.x[0, 0], several.x[1, 0])


def test_linear_reservoir_memory_capacity_is_the_gramian_value():
    # x_t = A x_{t-1} + b u_t with A = (1 - dt) I + dt J, b = dt w: the best linear estimate of u_{t-k}
    # from x_t explains MC_k = (A^k b)^T G^-1 (A^k b), G = A G A^T + b b^T (Jaeger 2001, linear ESN).
    # N = 8 keeps G well conditioned (cond ~ 2e4); at N = 20 it is ~1e17 and neither side is computable.
    N, dt = 8, 0.9
    net = mf.Network(N=N, g=0.9, J0=0.5, phi="linear")
    rr = Reservoir(net, input_scaling=1.0, dt=dt, dtype="float64").realise(11)
    A = (1 - dt) * np.eye(N) + dt * rr.realisation.coupling_matrix()
    assert np.max(np.abs(np.linalg.eigvals(A))) < 0.95
    b = dt * rr.input_weights[0]
    G = linalg.solve_discrete_lyapunov(A, np.outer(b, b))
    powers = [np.linalg.matrix_power(A, k) @ b for k in range(400)]
    exact = np.array([p @ np.linalg.solve(G, p) for p in powers])
    assert exact.sum() == pytest.approx(N, rel=1e-9)    # sum_k MC_k = N for a controllable system
    k_max = 30
    T, wash = 30_000, 200
    u = np.random.default_rng(12).uniform(-0.8, 0.8, T)
    X = rr.run(u, initial=mf.InitialState(sigma0=0.0)).features()[0]
    train, test = slice(wash, 20_000), slice(20_000, T)
    measured = []
    for k in range(1, k_max + 1):
        y = np.roll(u, k)
        w, *_ = np.linalg.lstsq(X[train], y[train], rcond=None)
        measured.append(np.corrcoef(X[test] @ w, y[test])[0, 1] ** 2)
    # standard error of a squared correlation r^2 on n test samples: 2 r (1 - r^2) / sqrt(n); plus the
    # O(p / n_train) = 5e-4 loss of a 9-regressor fit. Four standard errors on each of the 30 delays: a
    # false failure below 0.2 % (the seeds are fixed); a delay off by one (the wrong model) fails.
    r2 = exact[1:k_max + 1]
    tol = 4 * 2 * np.sqrt(r2) * (1 - r2) / np.sqrt(T - 20_000) + 1e-3
    assert np.all(np.abs(np.array(measured) - r2) <= tol)
    assert np.any(np.abs(np.array(measured) - exact[2:k_max + 2]) > tol)
    assert 4.0 < exact[1:k_max + 1].sum() < N


def test_bad_reservoir_inputs_name_the_field():
    net = mf.Network(N=100, g=1.0, J0=1.0)
    with pytest.raises(ValueError, match=r"Reservoir\.input_mode"):
        Reservoir(net, input_mode="wide")
    with pytest.raises(ValueError, match=r"Reservoir\.substeps"):
        Reservoir(net, substeps=0)
    with pytest.raises(ValueError, match=r"sparse channels .* do not fit"):
        Reservoir(net, n_inputs=20, input_mode="sparse", kappa=1.0)
    rr = Reservoir(net, n_inputs=2).realise(0)
    with pytest.raises(ValueError, match=r"u must have shape \(T, 2\)"):
        rr.run(np.zeros((10, 3)))
    with pytest.raises(ValueError, match=r"u contains NaN"):
        rr.run(np.full((10, 2), np.nan))
    with pytest.raises(ValueError, match=r"washout = 10 leaves no sample"):
        rr.run(np.zeros((10, 2))).features(washout=10)


@pytest.mark.parametrize("mode", ["dense", "sparse"])
def test_network_inputs_drive_the_network_as_the_reservoir(mode):
    net = mf.Network(N=200, g=1.0, J0=2.0)
    rr = Reservoir(net, input_scaling=2.0, input_mode=mode, substeps=3, dtype="float64").realise(4)
    u = np.random.default_rng(5).choice([-1.0, 0.0, 1.0], 60)
    inputs, grid = rr.network_inputs(u)
    run = simulate.run(net, inputs, grid, seed=4)
    np.testing.assert_allclose(run.h[1:], rr.run(u).h[0], rtol=0, atol=1e-12)
    ftle = rr.macro_ftle(u)
    assert np.isfinite(ftle)
