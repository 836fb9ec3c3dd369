"""The reservoir requests of check (i) and figure 9 compute what the public calls they adapt compute."""

import numpy as np
import pytest

from meanfield.lyapunov import macro_exponent
from meanfield.model import Network
from simulate import tasks
from simulate.metrics import sign_accuracy
from simulate.readouts import RidgeReadout
from simulate.reservoir import Reservoir
from validation.requests_reservoir import (ReservoirFTLESimulationRequest, ReservoirFTLETheoryRequest,
                                           ReservoirSelectionRequest, flip_flop_input)


@pytest.fixture(scope="module")
def res():
    return Reservoir(Network(N=64, g=1.5, J0=1.0), input_mode="sparse", dt=0.1)


def test_simulation_request_is_the_realisations_macro_ftle(res):
    req = ReservoirFTLESimulationRequest(res, steps=30, n=1, p=0.05, task_seed=3)
    seed = np.random.SeedSequence(11)
    item = req.compute(seed)
    u = tasks.flip_flop(T=600, p=0.05, seed=3, washout=1, test_start=599).inputs[:30, 0]
    assert item["macro"] == res.realise(np.random.SeedSequence(11)).macro_ftle(u)
    assert np.isfinite(item["score"])


def test_theory_request_is_macro_exponent_under_the_same_input(res):
    req = ReservoirFTLETheoryRequest(res, steps=20, n=1, p=0.05, task_seed=3)
    inputs, grid = res.realise(0).network_inputs(flip_flop_input(20, 0.05, 3))
    ref = macro_exponent(res.network, inputs, grid, seed=np.random.SeedSequence(5))
    assert req.compute(np.random.SeedSequence(5))["macro"] == pytest.approx(ref, rel=1e-12)


def test_selection_request_scores_each_initial_state(res):
    req = ReservoirSelectionRequest(res, n=1, steps=20, T=900, p=0.02, task_seed=2, n_initial=2, ridge=1e-4)
    item = req.compute(np.random.SeedSequence(7))
    data = tasks.flip_flop(T=900, p=0.02, seed=2)
    rr = res.realise(np.random.SeedSequence(7))
    F = rr.run(data.inputs[:, 0], n_initial=2).features()
    y = data.targets[:, 0]
    ref = [sign_accuracy(RidgeReadout(ridge=1e-4).fit(F[r, data.train], y[data.train]).predict(F[r, data.test]),
                         y[data.test]) for r in range(2)]
    assert np.allclose(item["accuracy"], ref)
    assert item["macro"] == rr.macro_ftle(data.inputs[:20, 0])


def test_requests_refuse_bad_arguments(res):
    with pytest.raises(ValueError, match="p"):
        ReservoirFTLESimulationRequest(res, steps=10, n=1, p=0.0)
    with pytest.raises(ValueError, match="one-channel"):
        ReservoirFTLETheoryRequest(Reservoir(Network(N=64, g=1.5, J0=1.0), n_inputs=2), steps=10, n=1)
    with pytest.raises(ValueError, match="exceeds"):
        ReservoirSelectionRequest(res, n=1, steps=2000, T=1000)
    # the identity changes with the input, not with n
    a = ReservoirFTLESimulationRequest(res, steps=10, n=1)
    assert a.key() == a.with_n(5).key() != ReservoirFTLESimulationRequest(res, steps=11, n=1).key()
