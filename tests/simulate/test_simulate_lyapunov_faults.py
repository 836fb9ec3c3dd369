"""No silent NaN exponents: the Benettin run stops at a non-finite state, and its ensemble counts the failures.

Before, ``simulate.lyapunov.lyapunov_run`` (its own Python step loop, not the
checked kernels of ``simulate.run``) went on past a blow-up and returned NaN
or infinite exponents with only numpy's RuntimeWarnings, and
``lyapunov_ensemble`` stacked them with ``failures = 0``.
"""

import warnings

import numpy as np
import pytest

import meanfield as mf
import simulate
from meanfield.model.nonlinearity import Nonlinearity
from meanfield.runner import spawn_seeds
from simulate.ensembles import FailedRealisationWarning
from simulate.lyapunov import lyapunov_ensemble, lyapunov_run
from simulate.simulation import NonFiniteStateError


def cubic(x):
    return x + x**3


CUBIC = mf.Network(N=100, g=1.5, J0=1.0, phi=cubic)

# Linear phi at (g, J0) = (0.8, 3) in float64: of the 6 realisations of seed 3, those with an unstable
# outlier (2 and 5) overflow before T = 1000 (x near 1e308, steps 1759 and 1885 of 2000), the others do not.
MIXED = mf.Network(N=100, g=0.8, J0=3.0, phi="linear")
MIXED_GRID = mf.TimeGrid(dt=0.5, T=1000.0)
WINDOW = (900.0, 1000.0)


def _quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's overflow warnings on the way up
        return call(*args, **kwargs)


def test_lyapunov_run_stops_where_simulate_run_stops():
    grid = mf.TimeGrid(dt=0.1, T=20.0)
    with pytest.raises(NonFiniteStateError) as run_error:
        _quiet(simulate.run, CUBIC, grid=grid, seed=1)
    with pytest.raises(NonFiniteStateError) as info:
        _quiet(lyapunov_run, simulate.realise(CUBIC, 1), grid=grid)
    err = info.value
    assert isinstance(err, FloatingPointError)
    assert err.step == run_error.value.step and err.replica == 0
    assert err.time == pytest.approx(err.step * grid.dt)
    assert err.seed == {"entropy": 1, "spawn_key": []}
    for part in (f"at step {err.step}", "'entropy': 1", "phi = 'cubic' is a custom function"):
        assert part in str(err)


def test_a_nan_of_phi_at_a_finite_state_stops_the_run():
    def nan_above_60(x):  # finite on the grid where Network checks a custom phi, [-50, 50]
        return np.where(x > 60.0, np.nan, np.tanh(x))

    net = mf.Network(N=40, g=1.0, J0=1.0, phi=nan_above_60)
    with pytest.raises(NonFiniteStateError, match=r"at step 0 .*phi = 'nan_above_60'") as info:
        _quiet(lyapunov_run, simulate.realise(net, 0), grid=mf.TimeGrid(dt=0.1, T=2.0),
               initial=mf.InitialState(h0=0.0, sigma0=100.0))
    assert info.value.step == 0


def test_a_non_finite_tangent_stops_the_run():
    # phi' infinite where phi is finite: the state stays finite, the tangents do not
    net = mf.Network(N=40, g=1.0, J0=1.0,
                     phi=Nonlinearity("tanh_bad_prime", np.tanh, lambda x: np.full_like(x, np.inf)))
    with pytest.raises(NonFiniteStateError, match=r"Benettin tangent vector became NaN or infinite at step 1 "
                                                  r".*the state still finite") as info:
        _quiet(lyapunov_run, simulate.realise(net, 0), grid=mf.TimeGrid(dt=0.1, T=2.0))
    assert info.value.step == 1


def _mixed(**kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ens = lyapunov_ensemble(MIXED, grid=MIXED_GRID, n_samples=6, seed=3, window=WINDOW,
                                progress=False, **kw)
    return ens, [w for w in caught if issubclass(w.category, FailedRealisationWarning)]


def test_lyapunov_ensemble_counts_failed_networks_and_warns(tmp_path):
    ens, warned = _mixed()
    bad = np.flatnonzero(np.isnan(ens.macro)).tolist()
    assert bad == [2, 5] and ens.failures == 2
    assert np.all(np.isnan(ens.maximal[bad])) and np.all(np.isnan(ens.h_T[bad]))
    assert np.all(np.isfinite(np.delete(ens.maximal, bad))) and np.all(np.isfinite(np.delete(ens.macro, bad)))
    assert len(warned) == 1
    msg = str(warned[0].message)
    assert "2 of 6 networks failed" in msg
    assert "realisation 2: the network state became NaN or infinite" in msg and "'spawn_key': [2]" in msg
    assert "realisation 0:" not in msg
    # a network that did not fail has the exponents of its own lyapunov_run
    alone = lyapunov_run(simulate.realise(MIXED, spawn_seeds(3, 6)[0]), grid=MIXED_GRID)
    assert ens.macro[0] == alone.macro_exponent(WINDOW)
    # the medians are over the networks that did not fail, and say how many those are
    assert ens.median_macro().n == 4
    # a store keeps the failures (same seed, same failure) and a resumed run counts them again
    stored, _ = _mixed(store_dir=tmp_path / "store")
    resumed, warned_again = _mixed(store_dir=tmp_path / "store")
    assert resumed.failures == stored.failures == 2 and len(warned_again) == 1
    np.testing.assert_array_equal(resumed.macro, ens.macro)


def test_lyapunov_ensemble_without_failures_counts_none():
    ens = lyapunov_ensemble(mf.Network(N=40, g=1.2, J0=1.0), grid=mf.TimeGrid(dt=0.1, T=4.0), n_samples=2, seed=0,
                            progress=False)
    assert ens.failures == 0 and np.all(np.isfinite(ens.maximal)) and np.all(np.isfinite(ens.macro))
