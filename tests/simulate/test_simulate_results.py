"""Labelled results of the simulator: the same classes and methods as the theory's, and save/load round trips."""

import numpy as np
import pytest

import meanfield as mf
import simulate
from meanfield import lyapunov as ly
from meanfield import readout as ro
from meanfield import response as rs
from simulate import lyapunov as sl
from simulate import readout as sro
from simulate import response as sr

NET = mf.Network(N=120, g=0.8, J0=2.0)
GRID = mf.TimeGrid(0.1, 3.0)


def test_one_run_round_trips_with_every_optional_array(round_trip, one_numba_thread):
    res = simulate.run(NET, grid=GRID, seed=2, replicas=2, delta_every=5, trace_neurons=[0, 7],
                       keep_final_state=True, dtype=np.float32)
    loaded = round_trip(res)
    assert loaded.provenance.function == "simulate.run" and loaded.provenance.params["options"]["dtype"] == "float32"
    ds = res.to_xarray()
    assert ds["h"].dims == ("replica", "time") and ds["traces"].dims == ("replica", "time", "traced")
    assert ds["delta_ts"].dims == ("replica", "delta_time", "delta_time2")
    assert list(ds["traced"].values) == [0, 7]
    one = round_trip(simulate.run(NET, grid=GRID, seed=2), "one.nc")
    assert one.to_xarray()["h"].dims == ("time",) and one.traces is None


def test_ensemble_round_trips_and_shares_the_theory_methods(round_trip, one_numba_thread):
    grid = mf.TimeGrid(0.1, 60.0)  # long enough for g = 0.5, J0 = 0.2 to fall quiet
    quiet = mf.Network(N=100, g=0.5, J0=0.2)
    ens = simulate.sample(quiet, grid=grid, n_samples=3, seed=4, progress=False)
    loaded = round_trip(ens)
    assert isinstance(ens, mf.PathEnsemble) and isinstance(mf.sample(NET, grid=GRID, n_samples=1, seed=1,
                                                                      progress=False), mf.PathEnsemble)
    assert loaded.states() == ens.states() == ["quiescent"] * 3
    assert ens.state_probabilities()["quiescent"].k == 3
    assert ens.probability(ens.h[:, -1] > 1.0).k == 0
    assert ens.to_xarray()["h"].dims == ("sample", "time")
    # sample i of the file is the network of seed i of its provenance
    np.testing.assert_array_equal(simulate.run(quiet, grid=grid, seed=ens.provenance.seeds()[2]).h, ens.h[2])


def test_replica_ensemble_refuses_state_probabilities(one_numba_thread):
    ens = simulate.sample(NET, grid=mf.TimeGrid(0.1, 30.0), n_samples=2, seed=1, replicas=2, progress=False)
    assert len(ens.states()) == 2 and len(ens.states()[0]) == 2
    with pytest.raises(ValueError, match="replicas"):
        ens.state_probabilities()


def test_lyapunov_readout_and_response_return_the_theory_classes(round_trip, one_numba_thread):
    lyap = sl.lyapunov_ensemble(NET, grid=GRID, n_samples=2, seed=3)
    assert isinstance(lyap, ly.LyapunovEnsemble) and lyap.micro is None
    with pytest.raises(ValueError, match="theory only"):
        lyap.median_micro()
    assert round_trip(lyap, "lyap.nc").micro is None
    run = sl.lyapunov_run(simulate.realise(NET, 3), grid=GRID)
    assert round_trip(run, "run.nc").maximal_exponent() == run.maximal_exponent()

    w = np.random.default_rng(0).standard_normal(NET.N)
    readout = sro.readout_ensemble(NET, grid=GRID, weights=w, n_samples=3, seed=5)
    assert isinstance(readout, ro.ReadoutEnsemble) and np.all(readout.sd == 0)
    finals = [simulate.run(NET, grid=GRID, seed=ss, keep_final_state=True).final_state
              for ss in readout.provenance.seeds()]
    np.testing.assert_allclose(readout.mean, [sro.readout_value(NET, x, w) for x in finals], rtol=1e-12)
    assert readout.exceedance(0.0).value == pytest.approx(np.mean(readout.mean > 0.0))
    round_trip(readout, "readout.nc")

    disc = sro.discriminate(NET, ro.sign_stimuli(mf.SparseInput(kappa=1.0, A=0.2)), GRID, n_samples=2, seed=6,
                            weights=w)
    assert isinstance(disc, ro.Discrimination)
    np.testing.assert_array_equal(disc.p_exceed, (disc.r_T > 0).astype(float))
    round_trip(disc, "disc.nc")

    resp = sr.response_ensemble(NET, grid=GRID, step=4, n_samples=2, seed=7, eps=1e-4)
    assert isinstance(resp, rs.ResponseEnsemble)
    np.testing.assert_array_equal(resp.chi[0], sr.impulse_response(NET, grid=GRID, step=4, eps=1e-4,
                                                                   seed=resp.provenance.seeds()[0]))
    round_trip(resp, "resp.nc")
