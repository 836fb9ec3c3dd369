"""A network that blows up is a failed item of the validation sweep, not an aborted run.

``simulate.run`` stops at a NaN or infinite state with
``simulate.NonFiniteStateError``; before, ``SimulationRequest.compute`` let
it through, so one unstable network crashed the whole validation (or figure)
run instead of being excluded and reported like a failed theory sample.
"""

import warnings

import numpy as np
import pytest

import meanfield as mf
from validation.checks import Data
from validation.requests import SimulationRequest
from validation.sweep import run_sweep

# Linear phi at (g, J0) = (0.8, 3) in float32: realisations with an unstable outlier overflow before
# T = 120, the others do not; under root seed 0 the request's realisations 0 and 2 of 6 overflow.
MIXED = SimulationRequest(mf.Network(N=100, g=0.8, J0=3.0, phi="linear"), mf.Inputs(),
                          mf.TimeGrid(dt=0.5, T=120.0, stride=4), n=6, dtype="float32")


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's overflow warnings on the way up
        yield


def test_a_blow_up_is_a_failed_item():
    # g = 3 with a linear phi grows like exp(2 t): every realisation overflows float32 near t = 60
    req = SimulationRequest(mf.Network(N=64, g=3.0, J0=1.0, phi="linear"), mf.Inputs(),
                            mf.TimeGrid(dt=0.5, T=200.0, stride=10), n=1, dtype="float32")
    item = req.compute(np.random.SeedSequence(0))
    assert item["failed"] == 1
    assert "the network state became NaN or infinite at step" in str(item["error"])
    assert "phi = 'linear'" in str(item["error"])
    for name in ("h", "m", "M", "delta_tt"):
        assert item[name].shape == (req.grid.record_steps.size,) and np.all(np.isnan(item[name])), name


def test_failed_networks_are_excluded_reported_and_not_cached(tmp_path):
    out = run_sweep([MIXED], root_seed=0, cache_dir=tmp_path, progress=False)
    ens = out[MIXED.key()]
    failures = ens.failures()
    assert [i for i, _ in failures] == [0, 2]
    assert all("NaN or infinite" in msg for _, msg in failures)
    stored = sorted(p.name for p in (tmp_path / MIXED.key()).glob("item_*.npz"))
    assert stored == [f"item_{i:06d}.npz" for i in (1, 3, 4, 5)]  # failures are recomputed, never cached
    data = Data(out)
    view = data(MIXED)
    assert len(view) == 4 and np.all(np.isfinite(view.stack("h")))
    assert [i for i, _ in data.excluded[MIXED.key()]] == [0, 2]
    # a rerun on the cache loads the four and recomputes the two failures, which fail again
    again = run_sweep([MIXED], root_seed=0, cache_dir=tmp_path, progress=False)
    assert [i for i, _ in again[MIXED.key()].failures()] == [0, 2]
    np.testing.assert_array_equal(Data(again)(MIXED).stack("h"), view.stack("h"))
