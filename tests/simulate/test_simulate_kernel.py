"""The Numba/BLAS integrators against a plain numpy forward-Euler loop (THEORY.md section 1).

The reference forms the dense J = (g z + u v^T)/sqrt(N) and steps one replica
at a time with x <- x + dt (-x + J phi(x) + I(t_k)), the inputs written out
from their definitions in section 1 ("Inputs" (a)-(c)). It shares only the
random draws (z, p, u) with the code under test. Runs are short (T = 5) so
that the chaotic amplification of rounding stays far below the 1e-10
tolerance.
"""

import math

import numpy as np
import pytest

import meanfield as mf
import simulate

TOL = 1e-10


def reference_run(network, real, inputs, grid, x0):
    """Plain numpy Euler loop for one replica; returns h, m, M, Delta at every step."""
    N = network.N
    v = network.mean_weights()
    J = (network.g * real.z.astype(np.float64) + np.outer(np.ones(N), v)) / math.sqrt(N)
    times = grid.times
    I_const = np.zeros((grid.n_steps, N))
    for k in range(grid.n_steps):
        t = times[k : k + 1]
        if inputs.uniform is not None:
            I_const[k] += inputs.uniform.I0 * inputs.uniform.profile.values(t)[0]
        if inputs.pattern is not None:
            I_const[k] += inputs.pattern.sigma_in * real.pattern * inputs.pattern.profile.values(t)[0]
        if inputs.sparse is not None:
            S = inputs.sparse.indices(network)
            I_const[k, S] += inputs.sparse.A * inputs.sparse.profile.values(t)[0]
    x = np.array(x0, dtype=np.float64)
    out = []
    for k in range(grid.n_steps + 1):
        phi = network.phi.func(x)
        h = x.mean()
        out.append((h, v @ phi / math.sqrt(N), phi.mean(), np.mean((x - h) ** 2)))
        if k == grid.n_steps:
            break
        x = x + grid.dt * (-x + J @ phi + I_const[k])
    return np.array(out).T, x


ALL_INPUTS = mf.Inputs(
    uniform=mf.UniformInput(I0=0.3, profile=mf.Sine(omega=1.3, phase=0.2)),
    pattern=mf.PatternInput(sigma_in=0.7, profile=mf.Step(t_on=1.0, t_off=3.0)),
    sparse=mf.SparseInput(kappa=1.5, A=2.0, profile=mf.Constant(1.0), offset=3),
)


def check_against_reference(network, inputs, grid, replicas, engine, seed=3, initial=None):
    initial = initial or mf.InitialState(h0=0.2, sigma0=1.0)
    res = simulate.run(
        network, inputs, grid, initial, seed=seed, replicas=replicas, engine=engine,
        keep_final_state=True,
    )
    real = simulate.realise(network, seed)
    inputs_r = inputs if isinstance(inputs, (list, tuple)) else [inputs] * replicas
    initial_r = initial if isinstance(initial, (list, tuple)) else [initial] * replicas
    h, m, M, D = (np.atleast_2d(a) for a in (res.h, res.m, res.M, res.delta_tt))
    final = np.atleast_2d(res.final_state)
    for r in range(replicas):
        x0 = initial_r[r].h0 + initial_r[r].sigma0 * real.initial_noise(r)
        ref, x_T = reference_run(network, real, inputs_r[r], grid, x0)
        steps = grid.record_steps
        for got, want in zip((h[r], m[r], M[r], D[r]), ref):
            np.testing.assert_allclose(got, want[steps], rtol=0, atol=TOL)
        np.testing.assert_allclose(final[r], x_T, rtol=0, atol=TOL)


@pytest.mark.parametrize("phi", ["tanh", "erf", "linear"])
@pytest.mark.parametrize("engine", ["rows", "blas"])
def test_single_replica_all_inputs(phi, engine):
    net = mf.Network(N=150, g=1.5, J0=1.2, lambda0=0.4, phi=phi)
    check_against_reference(net, ALL_INPUTS, mf.TimeGrid(dt=0.1, T=5.0, stride=2), 1, engine)


@pytest.mark.parametrize(
    "inputs",
    [
        mf.Inputs(uniform=mf.UniformInput(I0=-0.5, profile=mf.Step(t_on=0.5))),
        mf.Inputs(pattern=mf.PatternInput(sigma_in=1.0, profile=mf.Sine(omega=2.0))),
        mf.Inputs(sparse=mf.SparseInput(kappa=2.0, A=-1.0, population="I")),
    ],
    ids=["uniform", "pattern", "sparse_I"],
)
def test_each_input_alone(inputs):
    net = mf.Network(N=101, g=0.9, J0=2.0, lambda0=-0.3, f=0.7)
    check_against_reference(net, inputs, mf.TimeGrid(dt=0.05, T=3.0), 1, "rows")


@pytest.mark.parametrize("engine,replicas", [("rows", 3), ("blas", 3), ("blas", 8)])
def test_batched_replicas_with_different_inputs_and_initial_states(engine, replicas):
    net = mf.Network(N=120, g=1.3, J0=1.5, lambda0=0.2, phi="tanh")
    inputs = [
        mf.Inputs(
            uniform=mf.UniformInput(I0=0.1 * r),
            sparse=mf.SparseInput(kappa=1.0, A=0.5 + r, offset=11 * r),
        )
        for r in range(replicas)
    ]
    initial = [mf.InitialState(h0=0.1 * r - 0.2, sigma0=0.5 + 0.1 * r) for r in range(replicas)]
    check_against_reference(net, inputs, mf.TimeGrid(dt=0.1, T=4.0), replicas, engine, initial=initial)


def test_user_callable_phi_runs_through_numpy_path():
    def softsign(x):
        return x / (1.0 + np.abs(x))

    net = mf.Network(N=90, g=1.4, J0=1.0, lambda0=0.5, phi=softsign)
    check_against_reference(net, ALL_INPUTS, mf.TimeGrid(dt=0.1, T=4.0), 2, "auto")


def test_rows_and_blas_engines_agree_for_float32():
    # Same network and state in float32; the two engines differ only in the
    # summation order of z phi, so they agree to float32 rounding over a short run.
    net = mf.Network(N=300, g=0.8, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=3.0)
    a = simulate.run(net, grid=grid, seed=5, dtype=np.float32, replicas=2, engine="rows")
    b = simulate.run(net, grid=grid, seed=5, dtype=np.float32, replicas=2, engine="blas")
    np.testing.assert_allclose(a.h, b.h, rtol=0, atol=1e-5)
    np.testing.assert_allclose(a.delta_tt, b.delta_tt, rtol=1e-5)


@pytest.mark.parametrize("N,f", [(101, 0.8), (100, 0.8), (257, 0.5), (64, 0.3), (999, 0.73)])
def test_balance_vector_and_mean_feedback_cancel(N, f):
    """sum_j s_j = 0 and (1/N) sum s_j^2 = 1 (section 1): a uniform state feels no mean feedback.

    With g = 0, phi linear, lambda0 = 0 and x(0) = c for every neuron,
    m = (1/sqrt N) sum_j v_j c = c J0 sum_j s_j / sqrt(N) = 0, so h stays at
    c (1 - dt)^k, up to the rounding of sums of N terms of size O(J0 c)
    (bounded by ~N machine epsilons; a broken balance would give m = O(1)).
    """
    net = mf.Network(N=N, g=0.0, J0=3.0, f=f, phi="linear")
    s = net.ei_signs()
    assert abs(s.sum()) < 1e-12 * N
    assert abs(np.mean(s**2) - 1.0) < 1e-13
    grid = mf.TimeGrid(dt=0.1, T=2.0)
    res = simulate.run(net, grid=grid, initial=mf.InitialState(h0=0.7, sigma0=0.0))
    rounding = 10 * N * np.finfo(float).eps
    np.testing.assert_allclose(res.m, 0.0, atol=rounding)
    np.testing.assert_allclose(res.h, 0.7 * 0.9 ** grid.record_steps, rtol=0, atol=rounding)
    np.testing.assert_allclose(res.delta_tt, 0.0, atol=1e-25)
