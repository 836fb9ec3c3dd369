"""One vocabulary: the theory call and the simulation call of each question have the same signature shape."""

import inspect

import pytest

import meanfield as mf
import simulate
from meanfield import lyapunov as ly
from meanfield import readout as ro
from meanfield import response as rs
from simulate import lyapunov as sl
from simulate import readout as sro
from simulate import response as sr

# (theory, simulation, the result class both return or None for arrays / one-path classes)
PAIRS = [
    (mf.solve, simulate.run),
    (mf.sample, simulate.sample),
    (ly.lyapunov_ensemble, sl.lyapunov_ensemble),
    (rs.impulse_response, sr.impulse_response),
    (rs.response_ensemble, sr.response_ensemble),
    (ro.readout_ensemble, sro.readout_ensemble),
    (ro.discriminate, sro.discriminate),
]


def _positional(fn):
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]


def _keyword_only(fn):
    return {p.name for p in inspect.signature(fn).parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY}


@pytest.mark.parametrize("theory,sim", PAIRS, ids=[t.__module__ + "." + t.__name__ for t, _ in PAIRS])
def test_theory_and_simulation_share_argument_order_and_keywords(theory, sim):
    assert _positional(theory) == _positional(sim)
    assert _positional(theory)[0] == "network" and _positional(theory)[2:] == ["grid", "initial"]
    assert _positional(theory)[1] in ("inputs", "stimuli")
    assert "seed" in _keyword_only(theory) and "seed" in _keyword_only(sim)
    shared = {"n_samples", "workers", "store_dir", "progress", "weights", "theta", "step", "window",
              "micro_window"}
    assert _keyword_only(theory) & shared == _keyword_only(sim) & shared
    for name in shared & _keyword_only(theory):  # the same defaults too (progress bars on long work)
        assert inspect.signature(theory).parameters[name].default == inspect.signature(sim).parameters[name].default


def test_every_ensemble_shows_progress_by_default():
    for theory, sim in PAIRS:
        for fn in (theory, sim):
            if "n_samples" in inspect.signature(fn).parameters:
                assert inspect.signature(fn).parameters["progress"].default is True, fn.__qualname__


def test_no_function_still_speaks_the_old_dialect():
    for module in (mf, simulate, ly, sl, rs, sr, ro, sro):
        for name, fn in vars(module).items():
            if callable(fn) and not name.startswith("_") and getattr(fn, "__module__", "").startswith(
                    ("meanfield", "simulate")):
                params = inspect.signature(fn).parameters if inspect.isfunction(fn) else {}
                assert "n_realisations" not in params, f"{module.__name__}.{name}"
    for old in ("ensemble", "EnsembleResult"):
        assert not hasattr(simulate, old)
    for old in ("tangent_run", "lyapunov_samples", "LyapunovSamples"):
        assert not hasattr(sl, old)
    for old in ("pulse_response", "pulse_responses"):
        assert not hasattr(sr, old)
    assert not hasattr(rs, "sample_impulse_responses") and not hasattr(sro, "readout_samples")
