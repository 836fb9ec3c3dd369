"""No silent non-finite results: a run whose state becomes NaN or inf stops with NonFiniteStateError.

Before, ``simulate.run`` returned paths that were NaN from the blow-up on
(only numpy's overflow RuntimeWarnings hinted at it), and ``simulate.sample``
stacked them silently until ``states()`` failed with a generic message.
"""

import pickle
import re
import warnings

import numpy as np
import pytest

import meanfield as mf
import simulate
from meanfield.model.nonlinearity import Nonlinearity
from meanfield.runner import spawn_seeds
from simulate import kernels
from simulate.drive import build_drive
from simulate.engine import integrate
from simulate.ensembles import FailedRealisationWarning
from simulate.options import RunOptions, make_setup
from simulate.simulation import NonFiniteStateError, initial_states, nan_result


def cubic(x):
    return x + x**3


CUBIC = mf.Network(N=100, g=1.5, J0=1.0, phi=cubic)


def _run_quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's overflow warnings on the way up
        return simulate.run(*args, **kwargs)


def test_run_stops_at_the_first_non_finite_step():
    grid = mf.TimeGrid(dt=0.1, T=20.0)
    with pytest.raises(NonFiniteStateError) as info:
        _run_quiet(CUBIC, grid=grid, seed=1)
    err = info.value
    assert isinstance(err, FloatingPointError)
    k = err.step
    assert 0 < k < grid.n_steps and err.replica == 0
    assert err.time == pytest.approx(k * grid.dt)
    assert err.seed == {"entropy": 1, "spawn_key": []}
    msg = str(err)
    for part in (f"step {k}", "replica 0", "'entropy': 1", "phi = 'cubic' is a custom function", "bounded phi"):
        assert part in msg
    # exact: the run up to the step before is finite, the run up to step k is not
    before = _run_quiet(CUBIC, grid=mf.TimeGrid(dt=0.1, T=(k - 1) * 0.1), seed=1)
    assert np.all(np.isfinite(before.h)) and np.all(np.isfinite(before.delta_tt))
    with pytest.raises(NonFiniteStateError) as again:
        _run_quiet(CUBIC, grid=mf.TimeGrid(dt=0.1, T=k * 0.1), seed=1)
    assert again.value.step == k


@pytest.mark.parametrize("engine", ["rows", "blas"])
def test_linear_overflow_in_float32_is_caught_by_both_engines(engine):
    net = mf.Network(N=64, g=3.0, J0=1.0, phi="linear")
    with pytest.raises(NonFiniteStateError, match="phi = 'linear'.*unstable.*float64 postpones") as info:
        _run_quiet(net, grid=mf.TimeGrid(dt=0.5, T=200.0, stride=10), seed=2, dtype=np.float32,
                   replicas=2, engine=engine)
    assert info.value.step < 400  # stopped at the blow-up, not at the end


def test_error_survives_pickling():
    err = NonFiniteStateError("msg", step=3, time=0.3, replica=1, seed={"entropy": 1, "spawn_key": [2]})
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is NonFiniteStateError and str(back) == "msg"
    assert (back.step, back.time, back.replica, back.seed) == (3, 0.3, 1, err.seed)


def _integrate(net, x0, phi, engine, stride=1, inputs=None, T=4.0, trace=False):
    inputs = mf.Inputs() if inputs is None else inputs
    grid = mf.TimeGrid(dt=0.1, T=T, stride=stride)
    setup = make_setup(net, inputs, grid, mf.InitialState(), RunOptions(replicas=x0.shape[0]))
    real = simulate.realise(net, 4)
    trace_idx = np.arange(net.N) if trace else np.zeros(0, dtype=np.int64)
    return integrate(real.z, x0, real.gain, net.mean_weights(), real.pattern,
                     build_drive(net, setup.inputs, grid), grid.dt, phi,
                     stride=stride, snap_every=0, trace_idx=trace_idx, engine=engine)


@pytest.mark.parametrize("engine", ["rows", "blas"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_one_bad_neuron_stops_the_kernels(engine, bad):
    # a single non-finite x_i reaches the moments of its step: checking them is enough
    net = mf.Network(N=50, g=1.2, J0=1.0)
    x0 = np.zeros((2, net.N))
    x0[1, 17] = bad
    with pytest.raises(FloatingPointError) as info:
        _integrate(net, x0, net.phi, engine)
    assert info.value.args == (kernels.NONFINITE_STATE, 0, 1)


def test_one_nan_phi_value_between_records_is_found_at_its_step():
    # phi = tanh, except NaN above 3: the run follows the tanh run exactly until some x_i
    # first exceeds 3, and must stop at that step even though it is not recorded (stride 4)
    net = mf.Network(N=60, g=1.5, J0=1.0)
    inputs = mf.Inputs(uniform=mf.UniformInput(I0=3.0, profile=mf.Step(t_on=1.0)))
    x0 = initial_states(simulate.realise(net, 4), make_setup(net, inputs, mf.TimeGrid(dt=0.1, T=4.0),
                                                              mf.InitialState(), RunOptions()))
    ref = _integrate(net, x0, Nonlinearity("tanh_ref", np.tanh), "blas", inputs=inputs, trace=True)
    k_first = int(np.flatnonzero((ref.traces[:, 0, :] > 3.0).any(axis=1))[0])
    assert k_first % 4 != 0  # the case of interest: a step that is not recorded

    def nan_above_3(x):
        return np.where(x > 3.0, np.nan, np.tanh(x))

    with pytest.raises(FloatingPointError) as info:
        _integrate(net, x0, Nonlinearity("nan_above_3", nan_above_3), "blas", stride=4, inputs=inputs)
    assert info.value.args == (kernels.NONFINITE_STATE, k_first, 0)


def test_nan_result_has_the_arrays_of_a_run():
    net = mf.Network(N=30, g=1.0, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=2.0, stride=2)
    opt = RunOptions(replicas=2, delta_every=5, trace_neurons=(0, 3), keep_final_state=True,
                     dtype=np.float32)
    setup = make_setup(net, mf.Inputs(), grid, mf.InitialState(), opt)
    good = simulate.simulate_realisation(simulate.realise(net, 0, np.float32), setup).to_arrays()
    bad = nan_result(setup).to_arrays()
    assert bad.keys() == good.keys()
    for key in good:
        assert bad[key].shape == good[key].shape and bad[key].dtype == good[key].dtype, key
    for key in ("times", "delta_times", "trace_neurons"):
        np.testing.assert_array_equal(bad[key], good[key])
    assert np.all(np.isnan(bad["h"])) and np.all(np.isnan(bad["final_state"]))


# Linear phi in float32 at (g, J0) = (0.8, 3): realisations with an unstable outlier overflow
# before T = 120, the others do not; seed 3 gives both kinds among 6.
MIXED = {"network": mf.Network(N=100, g=0.8, J0=3.0, phi="linear"),
         "grid": mf.TimeGrid(dt=0.5, T=120.0, stride=4), "dtype": np.float32}


def _mixed_ensemble(**kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ens = simulate.sample(MIXED["network"], grid=MIXED["grid"], dtype=MIXED["dtype"], n_samples=6,
                              seed=3, progress=False, **kw)
    return ens, [w for w in caught if issubclass(w.category, FailedRealisationWarning)]


def test_ensemble_records_failed_realisations_and_warns(tmp_path, round_trip):
    ens, warned = _mixed_ensemble()
    failed = np.flatnonzero(ens.failed).tolist()
    assert ens.failed.dtype == bool and 0 < len(failed) < 6 and ens.n_failed == len(failed)
    assert len(warned) == 1
    msg = str(warned[0].message)
    assert f"{len(failed)} of 6 realisations failed" in msg
    for i, ss in enumerate(spawn_seeds(3, 6)):
        if i in failed:
            assert f"realisation {i}: the network state became NaN or infinite" in msg
            assert f"'spawn_key': [{i}]" in msg
            assert np.all(np.isnan(ens.h[i])) and np.all(np.isnan(ens.delta_tt[i]))
            with pytest.raises(NonFiniteStateError):  # the same realisation alone fails the same way
                _run_quiet(MIXED["network"], grid=MIXED["grid"], dtype=MIXED["dtype"], seed=ss)
        else:
            assert f"realisation {i}:" not in msg
            alone = _run_quiet(MIXED["network"], grid=MIXED["grid"], dtype=MIXED["dtype"], seed=ss)
            np.testing.assert_array_equal(ens.h[i], alone.h)
    with pytest.raises(ValueError, match=re.escape(f"samples {failed} of 6 failed") + ".*biases"):
        ens.states()
    with pytest.raises(ValueError, match="failed"):
        ens.state_probabilities()
    loaded = round_trip(ens)
    np.testing.assert_array_equal(loaded.failed, ens.failed)
    # a store keeps failed realisations like any other (same seed, same failure) and warns again
    stored, _ = _mixed_ensemble(store_dir=tmp_path / "store")
    resumed, warned_again = _mixed_ensemble(store_dir=tmp_path / "store")
    np.testing.assert_array_equal(resumed.failed, ens.failed)
    np.testing.assert_array_equal(resumed.h, stored.h)
    assert len(warned_again) == 1


def test_ensemble_without_failures_has_all_false():
    ens = simulate.sample(mf.Network(N=40, g=1.0, J0=1.0), grid=mf.TimeGrid(dt=0.1, T=2.0), n_samples=2,
                          seed=0, progress=False)
    assert ens.failed.tolist() == [False, False] and ens.n_failed == 0


def test_delta_every_beyond_the_run_is_refused():
    net = mf.Network(N=20, g=1.0, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=1.0)  # K = 10 steps
    for call in (lambda: simulate.run(net, grid=grid, delta_every=11),
                 lambda: simulate.sample(net, grid=grid, n_samples=1, seed=0, progress=False, delta_every=50)):
        with pytest.raises(ValueError, match=r"delta_every = \d+ is larger than the K = T/dt = 10 steps"):
            call()
    res = simulate.run(net, grid=grid, delta_every=10)  # the whole run is fine: t = 0 and T
    np.testing.assert_allclose(res.delta_times, [0.0, 1.0])
