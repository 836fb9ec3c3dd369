"""Labelled results of the theory: named dimensions, and save/load round trips with their parameters."""

import json

import numpy as np
import pytest

import meanfield as mf
from meanfield import lyapunov as ly
from meanfield import readout as ro
from meanfield import response as rs
from meanfield.results import load
from meanfield.tangent import Perturbation, solve_tangent

NET = mf.Network(N=200, g=0.8, J0=2.0)
GRID = mf.TimeGrid(0.1, 3.0)


def test_population_path_round_trips_with_its_provenance(round_trip):
    path = mf.solve(NET, grid=GRID, seed=3)
    loaded = round_trip(path)
    assert loaded.provenance.function == "meanfield.solve"
    assert loaded.provenance.params["network"] == NET.to_dict()
    # the recorded seed rebuilds the path exactly: the file says how to reproduce it
    again = mf.solve(NET, grid=GRID, seed=mf.results.seed_from_record(loaded.provenance.seed))
    np.testing.assert_array_equal(again.h, path.h)


def test_population_path_is_labelled_by_time():
    ds = mf.solve(NET, grid=GRID, seed=3).to_xarray()
    assert ds["h"].dims == ("time",) and ds["delta"].dims == ("time", "time2")
    np.testing.assert_array_equal(ds["time"].values, GRID.times)
    assert float(ds["h"].sel(time=1.0)) == pytest.approx(float(mf.solve(NET, grid=GRID, seed=3).h[10]))


def test_theory_ensemble_round_trips_and_its_seeds_rebuild_every_sample(round_trip):
    ens = mf.sample(NET, grid=GRID, n_samples=4, seed=7, progress=False)
    loaded = round_trip(ens)
    assert loaded.network == NET and loaded.grid == GRID and loaded.n_samples == 4
    for i, ss in enumerate(loaded.provenance.seeds()):
        np.testing.assert_array_equal(mf.solve(NET, grid=GRID, seed=ss).h, ens.h[i])
    assert [s["spawn_key"] for s in loaded.seeds] == [[0], [1], [2], [3]]
    ds = ens.to_xarray()
    assert ds["h"].dims == ("sample", "time") and list(ds["sample"].values) == [0, 1, 2, 3]
    assert json.loads(ds.attrs["provenance"])["seed"]["entropy"] == 7


def test_states_are_classified_on_demand_with_the_shared_classifier():
    grid = mf.TimeGrid(0.1, 30.0)
    ens = mf.sample(mf.Network(N=100, g=0.5, J0=0.2), grid=grid, n_samples=3, seed=1, progress=False)
    by_hand = [mf.classify_state(ens.h[i], ens.delta_tt[i], 0.1, mf.StateCriteria()) for i in range(3)]
    assert ens.states() == by_hand
    assert [mf.solve(ens.network, grid=grid, seed=ss).state() for ss in ens.provenance.seeds()] == by_hand
    probs = ens.state_probabilities()
    assert sum(p.k for p in probs.values()) == 3 and all(p.n == 3 for p in probs.values())
    assert ens.probability(np.abs(ens.h[:, -1]) > 10.0).k == 0


def test_short_runs_classify_only_when_asked():
    ens = mf.sample(NET, grid=GRID, n_samples=2, seed=1, progress=False)  # T = 3 < the 20 tau window
    with pytest.raises(ValueError, match="window"):
        ens.states()


def test_lyapunov_ensemble_round_trips(round_trip):
    lyap = ly.lyapunov_ensemble(NET, grid=mf.TimeGrid(0.1, 2.0), n_samples=2, seed=4)
    loaded = round_trip(lyap)
    assert loaded.failures == lyap.failures and loaded.micro is not None
    assert lyap.to_xarray()["macro"].dims == ("sample",)
    assert loaded.median_macro().value == lyap.median_macro().value


def test_response_ensemble_round_trips_and_labels_the_pulse(round_trip):
    grid = mf.TimeGrid(0.1, 2.0)
    resp = rs.response_ensemble(NET, grid=grid, step=5, n_samples=2, seed=5)
    loaded = round_trip(resp)
    assert loaded.step == 5
    np.testing.assert_allclose(loaded.at_lag(1), 1.0, rtol=1e-12)  # chi = 1 right after the pulse
    np.testing.assert_array_equal(resp.chi[1], rs.impulse_response(NET, grid=grid, step=5,
                                                                   seed=resp.provenance.seeds()[1]))


def test_readout_results_round_trip(round_trip):
    w = np.random.default_rng(0).standard_normal(NET.N)
    ens = ro.readout_ensemble(NET, grid=GRID, weights=w, n_samples=3, seed=6)
    assert round_trip(ens, "readout.nc").provenance.params["weights"]["q_ww"] == pytest.approx(w @ w / NET.N)
    # a vector and its statistics give the same laws
    same = ro.readout_ensemble(NET, grid=GRID, weights=ro.ReadoutWeights.from_vector(NET, w), n_samples=3, seed=6)
    np.testing.assert_array_equal(same.mean, ens.mean)
    stimuli = ro.sign_stimuli(mf.SparseInput(kappa=1.0, A=0.2))
    disc = ro.discriminate(NET, stimuli, GRID, n_samples=2, seed=2, weights=w)
    loaded = round_trip(disc, "disc.nc")
    assert loaded.r_T is None and disc.to_xarray()["h_T"].dims == ("sample", "stimulus")
    law = ro.readout_law(NET, mf.solve(NET, grid=GRID, seed=1), ro.ReadoutWeights.from_vector(NET, w))
    round_trip(law, "law.nc")


def test_intermediate_paths_round_trip(round_trip):
    round_trip(mf.solve_replicas(NET, grid=GRID, replicas=2, seed=1), "replicas.nc")
    tangent = solve_tangent(NET, mf.Inputs(), GRID, mf.InitialState(), Perturbation(dh0=1.0), seed=1,
                            settings=mf.settings.TANGENT_SETTINGS)
    assert round_trip(tangent, "tangent.nc").fresh_rank == tangent.fresh_rank


def test_loading_checks_what_the_file_holds(tmp_path):
    path = mf.solve(NET, grid=GRID, seed=3).save(tmp_path / "path.nc")
    with pytest.raises(ValueError, match="PopulationPath"):
        mf.TheoryEnsemble.load(path)
    with pytest.raises(ValueError, match="does not exist"):
        load(tmp_path / "missing.nc")
    with pytest.raises(ValueError, match="directory"):
        mf.solve(NET, grid=GRID, seed=3).save(tmp_path)
    import xarray as xr

    xr.Dataset({"a": ("x", np.arange(3))}).to_netcdf(tmp_path / "foreign.nc", engine="h5netcdf")
    with pytest.raises(ValueError, match="not a saved result"):
        load(tmp_path / "foreign.nc")


def test_a_custom_phi_saves_but_cannot_be_rebuilt_from_the_file(tmp_path):
    net = mf.Network(N=100, g=0.8, J0=1.0, phi=lambda x: np.tanh(2.0 * x))
    ens = mf.sample(net, grid=mf.TimeGrid(0.1, 1.0), n_samples=2, seed=1, progress=False)
    path = ens.save(tmp_path / "custom.nc")
    with pytest.raises(ValueError, match="custom phi"):
        load(path)
    ds = mf.results.open_dataset(path)  # the arrays and parameters are still readable
    np.testing.assert_array_equal(ds["h"].values, ens.h)
    assert json.loads(ds.attrs["provenance"])["params"]["network"]["phi"] == "<lambda>"
