"""simulate.run: seeding, recorded observables, dtypes and input validation (THEORY.md section 1)."""

import math

import numpy as np
import pytest

import meanfield as mf
import simulate


def test_realisation_streams_are_the_three_spawned_children():
    """z, p and u come from SeedSequence(seed).spawn(3), u of replica r from child 2's r-th child."""
    net = mf.Network(N=40, g=1.0, J0=1.0)
    children = np.random.SeedSequence(17).spawn(3)
    real = simulate.realise(net, 17)
    np.testing.assert_array_equal(real.z, np.random.default_rng(children[0]).standard_normal((40, 40)))
    np.testing.assert_array_equal(real.pattern, np.random.default_rng(children[1]).standard_normal(40))
    u_children = children[2].spawn(3)
    for r in range(3):
        np.testing.assert_array_equal(
            real.initial_noise(r), np.random.default_rng(u_children[r]).standard_normal(40)
        )
    # a SeedSequence object is not consumed: passing it twice gives the same network
    ss = np.random.SeedSequence(5)
    np.testing.assert_array_equal(simulate.realise(net, ss).z, simulate.realise(net, ss).z)


def test_float32_network_is_the_float64_network_rounded():
    net = mf.Network(N=700, g=1.0, J0=1.0)
    z64 = simulate.realise(net, 3, np.float64).z
    z32 = simulate.realise(net, 3, np.float32).z
    assert z32.dtype == np.float32
    np.testing.assert_array_equal(z32, z64.astype(np.float32))


def test_float32_network_rounded_across_row_blocks(monkeypatch):
    from simulate import realisation

    monkeypatch.setattr(realisation, "_Z_BLOCK_ELEMENTS", 7 * 50)  # 7 rows per block, ragged end
    net = mf.Network(N=50, g=1.0, J0=1.0)
    np.testing.assert_array_equal(
        simulate.realise(net, 8, np.float32).z, simulate.realise(net, 8, np.float64).z.astype(np.float32)
    )


def test_initial_state_definition_and_shared_noise():
    net = mf.Network(N=80, g=1.0, J0=1.0)
    init = [mf.InitialState(h0=0.5, sigma0=2.0), mf.InitialState(h0=-1.0, sigma0=0.5)]
    grid = mf.TimeGrid(dt=0.1, T=0.2)
    real = simulate.realise(net, 4)
    for shared in (False, True):
        res = simulate.run(net, grid=grid, initial=init, seed=4, replicas=2, trace_neurons=range(80),
                           shared_initial_noise=shared)
        for r in range(2):
            u = real.initial_noise(0 if shared else r)
            np.testing.assert_array_equal(res.traces[r, 0], init[r].h0 + init[r].sigma0 * u)


def test_observables_match_their_definitions_on_traced_states():
    """h, m, M, Delta(t,t) and Delta(t,s) recomputed from the full traced state (section 1)."""
    net = mf.Network(N=200, g=1.6, J0=1.5, lambda0=0.3, phi="erf")
    grid = mf.TimeGrid(dt=0.1, T=6.0, stride=3)
    for replicas, engine in ((1, "rows"), (2, "rows"), (8, "blas")):
        res = simulate.run(net, grid=grid, seed=9, replicas=replicas, engine=engine,
                           trace_neurons=np.arange(net.N), delta_every=6)
        x = np.atleast_3d(res.traces) if replicas > 1 else res.traces[None]
        v = net.mean_weights()
        phi = net.phi.func(x)
        h = x.mean(axis=2)
        y = x - h[..., None]
        sq = (lambda a: a[0]) if replicas == 1 else (lambda a: a)
        np.testing.assert_allclose(res.h, sq(h), rtol=0, atol=1e-13)
        np.testing.assert_allclose(res.m, sq(phi @ v / math.sqrt(net.N)), rtol=0, atol=1e-13)
        np.testing.assert_allclose(res.M, sq(phi.mean(axis=2)), rtol=0, atol=1e-13)
        np.testing.assert_allclose(res.delta_tt, sq(np.mean(y**2, axis=2)), rtol=1e-12)
        # snapshots every 6 steps = every 2nd recorded time
        np.testing.assert_allclose(res.delta_times, res.times[::2])
        ys = y[:, ::2]
        want = np.einsum("rti,rsi->rts", ys, ys) / net.N
        np.testing.assert_allclose(res.delta_ts, sq(want), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(
            np.diagonal(np.atleast_3d(res.delta_ts) if replicas > 1 else res.delta_ts[None], axis1=-2, axis2=-1),
            np.atleast_2d(res.delta_tt)[:, ::2], rtol=1e-12,
        )


def test_times_shapes_and_arrays():
    net = mf.Network(N=50, g=1.0, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=2.0, stride=5)
    res = simulate.run(net, grid=grid, replicas=3, trace_neurons=[0, 7], keep_final_state=True)
    np.testing.assert_allclose(res.times, grid.record_times)
    assert res.h.shape == (3, 5) and res.traces.shape == (3, 5, 2) and res.final_state.shape == (3, 50)
    arrays = res.to_arrays()
    assert set(arrays) == {"times", "h", "m", "M", "delta_tt", "trace_neurons", "traces", "final_state"}
    one = simulate.run(net, grid=grid)
    assert one.h.shape == (5,) and one.delta_ts is None and one.final_state is None


def test_state_uses_the_shared_classifier():
    # g < 1, J0 small, no input: x decays to 0, the quiescent state of section 7
    net = mf.Network(N=300, g=0.5, J0=0.2)
    res = simulate.run(net, grid=mf.TimeGrid(dt=0.1, T=60.0))
    assert res.state() == mf.State.QUIESCENT
    assert res.state() == mf.classify_state(res.h, res.delta_tt, 0.1)
    with pytest.raises(ValueError, match="replicas"):
        simulate.run(net, grid=mf.TimeGrid(dt=0.1, T=60.0), replicas=2).state()


def test_float32_close_to_float64_over_a_short_run():
    """Same network (z rounded to float32) integrated in both precisions.

    At g = 0.8 the dynamics contract (no chaos), so float32 rounding
    (eps = 6e-8 per operation, accumulated over dot products and 100 steps
    with no exponential amplification) stays at a few eps (measured 1.6e-7
    in m); the tolerance is 10x that, well below any O(1) bug.
    """
    net = mf.Network(N=500, g=0.8, J0=2.0, lambda0=0.2)
    grid = mf.TimeGrid(dt=0.1, T=10.0)
    inputs = mf.Inputs(uniform=mf.UniformInput(I0=0.2, profile=mf.Sine(omega=0.5)))
    for engine in ("rows", "blas"):
        a = simulate.run(net, inputs, grid, seed=2, dtype=np.float32, engine=engine, keep_final_state=True)
        b = simulate.run(net, inputs, grid, seed=2, dtype=np.float64, engine=engine, keep_final_state=True)
        assert a.final_state.dtype == np.float32 and a.h.dtype == np.float64
        for name in ("h", "m", "M", "delta_tt"):
            np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=0, atol=2e-6, err_msg=name)


def test_results_do_not_depend_on_numba_threads():
    import numba

    net = mf.Network(N=257, g=1.5, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=3.0)
    before = numba.get_num_threads()
    try:
        runs = []
        for n in sorted({1, before}):
            numba.set_num_threads(n)
            runs.append(simulate.run(net, grid=grid, seed=1, replicas=2, engine="rows",
                                     dtype=np.float32, keep_final_state=True))
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(runs[0].final_state, runs[-1].final_state)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"replicas": 0}, "replicas"),
        ({"replicas": 2.0}, "replicas"),
        ({"dtype": np.int32}, "dtype"),
        ({"dtype": np.float16}, "dtype"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"engine": "gpu"}, "engine"),
        ({"delta_every": 0}, "delta_every"),
        ({"trace_neurons": [0, 100]}, "trace_neurons"),
        ({"trace_neurons": [-1]}, "trace_neurons"),
        ({"trace_neurons": []}, "trace_neurons"),
        ({"x0": np.zeros(99)}, "x0"),
        ({"x0": np.full(100, np.nan)}, "x0"),
        ({"inputs": mf.Inputs(sparse=mf.SparseInput(kappa=9.0, A=1.0))}, "population E"),
        ({"inputs": [mf.Inputs(), mf.Inputs()]}, "replicas"),
        ({"initial": "zero"}, "initial"),
        ({"grid": (0.1, 1.0)}, "TimeGrid"),
    ],
)
def test_bad_input_raises_value_error(kwargs, match):
    net = mf.Network(N=100, g=1.0, J0=1.0)
    kw = {"grid": mf.TimeGrid(dt=0.1, T=1.0), **kwargs}
    with pytest.raises(ValueError, match=match):
        simulate.run(net, **kw)


def test_rows_engine_refuses_user_phi():
    net = mf.Network(N=20, g=1.0, J0=1.0, phi=lambda x: np.maximum(x, 0.0))
    with pytest.raises(ValueError, match="rows"):
        simulate.run(net, grid=mf.TimeGrid(dt=0.1, T=1.0), engine="rows")


def test_not_a_network_raises():
    with pytest.raises(ValueError, match="Network"):
        simulate.run({"N": 10})
