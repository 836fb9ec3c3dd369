"""Closed-loop runs of a reservoir (ReservoirRealisation.run_from / generate) against a plain numpy loop."""

import numpy as np
import pytest

import meanfield as mf
from simulate.readouts import RidgeReadout
from simulate.reservoir import ClosedLoop, Reservoir


def _numpy_closed_loop(rr, readout, u_warm, horizon, n_initial):
    """Forward Euler of THEORY.md section 1 on the dense J, x += dt (-x + J phi(x) + W_in^T u), in float64.

    The input of free-running sample k is the readout's output (coef_, intercept_ written out) on
    [phi(x), h, 1] of the sample before; returns outputs (R, horizon, d) and states (R, horizon, N).
    """
    res = rr.reservoir
    net = res.network
    N = net.N
    J = (net.g * np.asarray(rr.realisation.z, dtype=np.float64) + np.outer(np.ones(N), net.mean_weights())) \
        / np.sqrt(N)
    W_in = np.asarray(rr.input_weights, dtype=np.float64)               # (d, N)
    W = np.atleast_2d(readout.coef_)                                     # (d, F)
    b = np.atleast_1d(readout.intercept_)

    def step(x, u):
        for _ in range(res.substeps):
            x = x + res.dt * (-x + J @ np.tanh(x) + u @ W_in)
        return x

    def read(x):
        f = [np.tanh(x)]
        if res.include_h:
            f.append([x.mean()])
        if res.bias:
            f.append([1.0])
        return W @ np.concatenate(f) + b

    outs, states = [], []
    for r in range(n_initial):
        x = np.array(rr.realisation.initial_noise(r), dtype=np.float64)  # h0 = 0, sigma0 = 1
        for u in u_warm:
            x = step(x, u)
        y = read(x)
        o, s = [], []
        for _ in range(horizon):
            x = step(x, y)
            y = read(x)
            o.append(y)
            s.append(x)
        outs.append(o)
        states.append(s)
    return np.array(outs), np.array(states)


def _reservoir(d, substeps, dtype="float64", mode="dense"):
    net = mf.Network(N=60, g=0.9, J0=1.0)
    return Reservoir(net, n_inputs=d, input_scaling=0.7, input_mode=mode, substeps=substeps, dt=0.3,
                     include_h=True, bias=True, dtype=dtype).realise(11)


def _fitted_readout(rr, d, seed=0):
    """A ridge readout fitted on a teacher-forced run with a random input (any fitted weights will do)."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(-0.5, 0.5, (300, d))
    F = rr.run(u).features()[0]
    y = u[1:] if d > 1 else u[1:, 0]
    return RidgeReadout(ridge=1e-3).fit(F[:-1], y)


@pytest.mark.parametrize("d, substeps, mode", [(1, 1, "dense"), (2, 3, "dense"), (2, 2, "sparse")])
def test_generate_matches_numpy_closed_loop(d, substeps, mode):
    rr = _reservoir(d, substeps, mode=mode)
    readout = _fitted_readout(rr, d)
    u_warm = np.random.default_rng(1).uniform(-0.5, 0.5, (40, d))
    cl = rr.generate(readout, u_warm, 25, n_initial=2)
    ref_out, ref_x = _numpy_closed_loop(rr, readout, u_warm, 25, 2)
    assert isinstance(cl, ClosedLoop)
    assert cl.outputs.shape == (2, 25, d) and cl.states.x.shape == (2, 25, 60)
    np.testing.assert_allclose(cl.outputs, ref_out, rtol=0, atol=1e-10)
    np.testing.assert_allclose(cl.states.x, ref_x, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(cl.inputs[:, 1:], cl.outputs[:, :-1])
    # the loop did feed its own outputs back: they move (not a fixed point) and differ between replicas
    assert np.ptp(cl.outputs[0, :, 0]) > 1e-3 and np.max(np.abs(cl.outputs[0] - cl.outputs[1])) > 1e-6


def test_several_readouts_run_side_by_side_from_one_warm_up():
    rr = _reservoir(1, 2)
    readouts = [_fitted_readout(rr, 1, seed) for seed in (0, 1, 2)]
    u_warm = np.random.default_rng(1).uniform(-0.5, 0.5, 40)
    cl = rr.generate(readouts, u_warm[:, None], 20)
    assert cl.outputs.shape == (3, 20, 1) and cl.warmup.x.shape[0] == 1
    for r, readout in enumerate(readouts):
        ref_out, ref_x = _numpy_closed_loop(rr, readout, u_warm[:, None], 20, 1)
        np.testing.assert_allclose(cl.outputs[r], ref_out[0], rtol=0, atol=1e-10)
        np.testing.assert_allclose(cl.states.x[r], ref_x[0], rtol=0, atol=1e-10)
    with pytest.raises(ValueError, match="3 readouts for 2 warm-up trajectories"):
        rr.generate(readouts, u_warm[:, None], 5, n_initial=2)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_run_from_one_sample_at_a_time_is_run(dtype):
    rr = _reservoir(1, 2, dtype)
    u = np.random.default_rng(2).uniform(-1, 1, 120)
    full = rr.run(u, n_initial=2)
    part = rr.run(u[:50], n_initial=2)
    xs, hs = [], []
    for t in range(50, 120):
        part = rr.run_from(part.final, u[t:t + 1])
        xs.append(part.x[:, 0])
        hs.append(part.h[:, 0])
    np.testing.assert_array_equal(np.stack(xs, axis=1), full.x[:, 50:])
    np.testing.assert_array_equal(np.stack(hs, axis=1), full.h[:, 50:])
    np.testing.assert_array_equal(part.final, full.final)
    assert part.x.dtype == np.dtype(dtype)


class _Oracle:
    """Teacher forcing through the closed loop: 'predicts' the true next input whatever the features."""

    def __init__(self, u, first):
        self.u, self.t = np.append(u, 0.0), first     # the output after the last sample is not fed

    def predict(self, X):
        y = np.repeat(self.u[self.t], X.shape[0])
        self.t += 1
        return y


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_generate_with_teacher_forcing_reproduces_run(dtype):
    rr = _reservoir(1, 2, dtype)
    u = np.random.default_rng(3).uniform(-1, 1, 100)
    full = rr.run(u)
    cl = rr.generate(_Oracle(u, 60), u[:60], 40)
    np.testing.assert_array_equal(cl.inputs[0, :, 0], u[60:])
    np.testing.assert_array_equal(cl.states.x[0], full.x[0, 60:])
    np.testing.assert_array_equal(cl.states.features(), full.features()[:, 60:])
    # continuing a run given as start is the same as warming up inside generate
    start = rr.run(u[:60])
    cl2 = rr.generate(_Oracle(u, 60), None, 40, start=start)
    np.testing.assert_array_equal(cl2.states.x, cl.states.x)


def test_generate_rejects_bad_arguments():
    rr = _reservoir(1, 1)
    readout = _fitted_readout(rr, 1)
    u = np.zeros(10)
    with pytest.raises(ValueError, match="horizon"):
        rr.generate(readout, u, 0)
    with pytest.raises(ValueError, match="predict"):
        rr.generate(object(), u, 5)
    with pytest.raises(ValueError, match="warm-up"):
        rr.generate(readout, None, 5)
    other = _reservoir(2, 1)
    with pytest.raises(ValueError, match="d = 2 outputs"):
        other.generate(readout, np.zeros((10, 2)), 5)        # one output for two input channels
    narrow = Reservoir(rr.reservoir.network, input_scaling=0.7, dt=0.3, include_h=False, bias=True,
                       dtype="float64").realise(11)
    with pytest.raises(ValueError, match="takes 62 features, this reservoir gives 61"):
        narrow.generate(readout, u, 5)                      # fitted on 62 features, this one gives 61
    with pytest.raises(ValueError, match=r"shape \(N,\) or \(R, N\)"):
        rr.run_from(np.zeros(59), u)
    with pytest.raises(ValueError, match="another reservoir"):
        rr.generate(readout, None, 5, start=rr.reservoir.realise(12).run(u))    # another realisation's run
    with pytest.raises(ValueError, match="not finite"):
        rr.generate(_Oracle(np.array([np.nan] * 20), 0), u, 3)
