"""The shared argument checks (meanfield.arguments): the theory refuses bad inputs as the simulator does."""

from __future__ import annotations

import numpy as np
import pytest

import meanfield as mf
import simulate
from meanfield import arguments as ar
from meanfield import lyapunov as ly
from meanfield import response as rs
from meanfield import tangent as tg

NET = mf.Network(N=20, g=0.5, J0=1.0)
GRID = mf.TimeGrid(0.1, 1.0)
ENS = dict(n_samples=1, seed=1, progress=False)


def message(call) -> str:
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


# --------------------------------------------------------------------------- one wording for both sides
@pytest.mark.parametrize("bad", [
    {"network": {"N": 20}}, {"network": mf.TimeGrid()}, {"network": 3},
    {"grid": NET}, {"grid": {"dt": 0.1}},
    {"seed": -1}, {"seed": 1.5}, {"seed": "a"}, {"seed": True}, {"seed": None},
    {"workers": 0}, {"workers": -1}, {"workers": 1.5}, {"workers": "2"},
    {"n_samples": 0},
], ids=lambda bad: "-".join(f"{k}={v!r}" for k, v in bad.items()))
def test_theory_and_simulator_ensembles_refuse_a_bad_input_with_the_same_message(bad):
    kw = {"network": NET, "grid": GRID, **ENS, **bad}
    network = kw.pop("network")
    theory = message(lambda: mf.sample(network, **kw))
    networks = message(lambda: simulate.sample(network, **kw))
    assert theory == networks
    assert theory.startswith(next(iter(bad)))


@pytest.mark.parametrize("name, value", [("inputs", {"I0": 1.0}), ("inputs", 3), ("initial", {"h0": 0.0}),
                                         ("initial", [mf.InitialState(), 0.5])])
def test_per_replica_arguments_share_the_simulators_wording(name, value):
    theory = message(lambda: mf.solve_replicas(NET, grid=GRID, seed=1, **{name: value}))
    networks = message(lambda: simulate.run(NET, grid=GRID, replicas=2, **{name: value}))
    assert theory == networks
    assert f"must be a meanfield.{'Inputs' if name == 'inputs' else 'InitialState'}" in theory


def test_a_store_dir_that_is_a_file_is_named_as_the_argument(tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    assert message(lambda: mf.sample(NET, grid=GRID, store_dir=a_file, **ENS)) == \
        f"store_dir {a_file} is a file; give a folder"
    assert not (tmp_path / "absent").exists()
    ar.ensemble_arguments(1, 0, 1, tmp_path / "absent")  # a folder to be created is fine, and is not created
    assert not (tmp_path / "absent").exists()


# --------------------------------------------------------------------------- the helpers
def test_model_arguments_name_the_argument_and_the_class():
    assert message(lambda: ar.model_arguments({"N": 20})) == "network must be a meanfield.Network, got {'N': 20}"
    assert message(lambda: ar.model_arguments(NET, None)) == "inputs must be a meanfield.Inputs, got None"
    assert message(lambda: ar.model_arguments(NET, grid=NET)).startswith(
        "grid must be a meanfield.TimeGrid, got Network(")
    assert message(lambda: ar.model_arguments(NET, settings=40)) == \
        "settings must be a meanfield.SolverSettings, got 40"
    assert message(lambda: ar.model_arguments(NET, criteria={})) == \
        "criteria must be a meanfield.StateCriteria, got {}"
    ar.model_arguments(NET, criteria=None)  # the default thresholds
    ar.model_arguments(NET, [mf.Inputs(), mf.Inputs()], GRID, mf.InitialState(), per_replica=True)
    assert "or a sequence of them" in message(lambda: ar.model_arguments(NET, [], per_replica=True))


def test_flag_number_and_shown():
    assert ar.flag("fresh", np.bool_(True)) is True
    for bad in (1, "yes", None):
        with pytest.raises(ValueError, match=f"^fresh must be True or False, got {bad!r}$"):
            ar.flag("fresh", bad)
    assert ar.number("theta", np.float32(0.5)) == 0.5
    for bad in ("a", True, np.nan, None):
        with pytest.raises(ValueError, match="^theta must be a finite number"):
            ar.number("theta", bad)
    assert "nonzero" in message(lambda: ar.number("eps", 0, nonzero=True))
    text = ar.shown(np.arange(1000))
    assert len(text) == 120 and "\n" not in text and text.endswith("...")


def test_writable_directory_refuses_what_is_not_a_path():
    assert message(lambda: ar.writable_directory("store_dir", 3)) == \
        "store_dir must be a path (a non-empty str or pathlib.Path), got 3"
    assert "--out must be a path" in message(lambda: ar.writable_file("--out", ""))


def test_window_indices_name_the_window_and_refuse_what_is_not_a_pair():
    times = GRID.times
    assert tg.window_indices(times, (0.2, 0.5)) == (2, 5)
    assert message(lambda: tg.window_indices(times, "a")) == \
        "window must be None or a pair (t_a, t_b) of times, got 'a'"
    assert message(lambda: tg.window_indices(times, (0.0, 1.0, 2.0), "micro_window")).startswith("micro_window")
    assert "finite times" in message(lambda: tg.window_indices(times, (0.0, np.nan)))
    assert message(lambda: tg.window_indices(times, (0.5, 0.2), "micro_window")).startswith(
        "micro_window = (0.5, 0.2) must satisfy")


# --------------------------------------------------------------------------- the model
def test_a_horizon_shorter_than_one_step_asks_for_at_least_dt():
    text = message(lambda: mf.TimeGrid(0.1, 0.05))
    assert text == "TimeGrid.T = 0.05 is shorter than one step: T must be at least dt = 0.1"
    assert "use T = 0" not in text
    assert message(lambda: mf.TimeGrid(0.1, 0.06)).endswith("use T = 0.1")  # a near multiple is still suggested


def test_network_replace_refuses_an_unknown_field():
    assert NET.replace(g=1.5).g == 1.5
    assert message(lambda: NET.replace(G=1.5)).startswith("Network.replace: G is not a field of Network")


def test_classify_state_checks_its_spacing_and_criteria():
    h = np.zeros(5)
    assert message(lambda: mf.classify_state(h, h, 0.0)).startswith("classify_state.dt_record = 0.0")
    assert message(lambda: mf.classify_state(h, h, 0.1, {"window": 1})).startswith(
        "criteria must be a meanfield.StateCriteria")


# --------------------------------------------------------------------------- options of the entry points
def test_options_are_checked_before_the_first_sample():
    assert message(lambda: rs.response_ensemble(NET, grid=GRID, method="adjoint", **ENS)).startswith("method")
    assert message(lambda: rs.response_ensemble(NET, grid=GRID, eps="a", **ENS)) == \
        "eps must be a finite nonzero number, got 'a'"
    assert message(lambda: ly.lyapunov_ensemble(NET, grid=GRID, quadrature_order=1, **ENS)) == \
        "quadrature_order must be an integer >= 2, got 1"
    assert message(lambda: ly.lyapunov_ensemble(NET, grid=GRID, micro_window=(0.0, 5.0), **ENS)).startswith(
        "micro_window = (0.0, 5.0)")
    assert message(lambda: mf.readout.discriminate(NET, [mf.Inputs()] * 2, GRID, theta="a", **ENS)) == \
        "theta must be a finite number, got 'a'"
    assert message(lambda: mf.readout.readout_ensemble(NET, grid=GRID, weights="w", **ENS)).startswith(
        "weights must be a readout vector w")
    assert message(lambda: tg.solve_tangent(NET, grid=GRID, fresh=1, seed=1)) == "fresh must be True or False, got 1"


# --------------------------------------------------------------------------- phi without closed-form derivatives
CUSTOM = mf.Network(N=20, g=0.5, J0=1.0, phi=lambda x: np.tanh(x))


def test_a_custom_phi_is_pointed_to_the_option_of_the_function_called():
    impulse = message(lambda: rs.impulse_response(CUSTOM, grid=GRID, seed=1))
    assert impulse.startswith('meanfield.response.impulse_response(method="tangent") needs the closed-form')
    assert 'use method="difference"' in impulse
    ensemble = message(lambda: rs.response_ensemble(CUSTOM, grid=GRID, **ENS))
    assert ensemble.startswith("meanfield.response.response_ensemble") and 'method="difference"' in ensemble
    for call, name in ((lambda: ly.lyapunov_ensemble(CUSTOM, grid=GRID, **ENS), "lyapunov_ensemble"),
                       (lambda: ly.macro_exponent(CUSTOM, grid=GRID, seed=1), "macro_exponent"),
                       (lambda: ly.maximal_exponent(CUSTOM, grid=GRID, seed=1), "maximal_exponent")):
        text = message(call)
        assert text.startswith(f"meanfield.lyapunov.{name} needs") and "macro_separation" in text
    direct = message(lambda: tg.solve_tangent(CUSTOM, grid=GRID, seed=1))
    assert direct.startswith("meanfield.tangent.solve_tangent needs")
    assert 'impulse_response(..., method="difference")' in direct and "macro_separation" in direct


def test_the_advised_finite_differences_run_for_a_custom_phi():
    grid = mf.TimeGrid(0.1, 0.5)
    chi = rs.impulse_response(CUSTOM, grid=grid, seed=1, step=1, method="difference")
    assert chi[2] == pytest.approx(1.0, abs=1e-6)
    assert np.isfinite(ly.macro_separation(CUSTOM, grid=grid, seed=1).exponent())
