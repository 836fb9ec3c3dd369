"""simulate.pretraining: the detuning pretraining against a plain numpy tangent integration (THEORY.md sections 1, 5).

The reference below forms the dense J = (g z + u v^T) / sqrt(N) with
v_j = J0 s_j + lambda0 / sqrt(N) from THEORY.md section 1 (its own E/I signs,
not the package's), drives the first round(kappa sqrt N) excitatory neurons
with A u(t_k), and integrates the Euler map and its tangent started along
u = (1, ..., 1); the macro FTLE is log|mean(v_K)| / (K dt). Every test is
deterministic (fixed seeds), so no false-failure rate applies.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import meanfield as mf
from simulate.pretraining import pretrain_detuning, with_detuning
from simulate.realisation import child_seed, realisation_seeds
from simulate.reservoir import Reservoir

N, G, J0, DT = 60, 1.5, 1.0, 0.1


def reservoir(n_inputs: int = 1) -> Reservoir:
    return Reservoir(mf.Network(N=N, g=G, J0=J0), n_inputs=n_inputs, input_mode="sparse", kappa=1.0,
                     input_scaling=1.0, dt=DT, dtype="float64")


def pulses(T: int = 300, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.random(T)
    return np.where(v < 0.01, 1.0, np.where(v < 0.02, -1.0, 0.0))


def numpy_macro_ftle(z: np.ndarray, seed, lambda0: float, u: np.ndarray) -> float:
    """Independent Benettin-style macro FTLE of the Euler network (module docstring)."""
    NE = round(0.8 * N)
    s = np.r_[np.full(NE, math.sqrt((N - NE) / NE)), np.full(N - NE, -math.sqrt(NE / (N - NE)))]
    v = J0 * s + lambda0 / math.sqrt(N)
    J = (G * z + np.ones((N, 1)) * v[None, :]) / math.sqrt(N)
    drive = np.zeros(N)
    drive[: round(math.sqrt(N))] = 1.0                  # kappa = 1, A = 1 on the first excitatory neurons
    noise_seed = child_seed(realisation_seeds(seed)[2], 0)
    x = np.random.default_rng(noise_seed).standard_normal(N)   # x(0) = h0 + sigma0 u, h0 = 0, sigma0 = 1
    c = np.ones(N)
    log_scale = 0.0
    for k in range(u.size):
        d = 1.0 - np.tanh(x) ** 2
        x, c = x + DT * (-x + J @ np.tanh(x) + drive * u[k]), (1 - DT) * c + DT * (J @ (d * c))
        n = np.linalg.norm(c)
        log_scale += math.log(n)
        c /= n
    return (log_scale + math.log(abs(c.mean()))) / (u.size * DT)


@pytest.fixture(scope="module")
def case():
    rr = reservoir().realise(2)      # its exponent crosses zero at lambda0 < 0: found by bisection
    u = pulses()
    return rr, u, pretrain_detuning(rr, u, tol=0.01)


def test_ftle_after_pretraining_matches_an_independent_numpy_integration(case):
    rr, u, res = case
    assert res.converged and res.method == "bisection"
    assert res.lambda0_after != res.lambda0_before        # the starting exponent is outside the tolerance
    ref_after = numpy_macro_ftle(rr.realisation.z, rr.realisation.seed, res.lambda0_after, u)
    ref_before = numpy_macro_ftle(rr.realisation.z, rr.realisation.seed, 0.0, u)
    assert abs(ref_after) <= 0.01                          # the tolerance holds for the reference too
    assert res.ftle_after == pytest.approx(ref_after, abs=1e-9)
    assert res.ftle_before == pytest.approx(ref_before, abs=1e-9)
    # the comparison discriminates: the exponent of the unchanged network is far from the pretrained one
    assert abs(ref_before - res.ftle_after) > 0.02


def test_only_the_detuning_changes_by_a_rank_one_term_along_the_population(case):
    rr, _, res = case
    new = res.realisation
    assert new.realisation.z is rr.realisation.z and new.input_weights is rr.input_weights
    assert new.reservoir.network.lambda0 == res.lambda0_after
    a, b = rr.reservoir.network.to_dict(), new.reservoir.network.to_dict()
    assert {k for k in a if a[k] != b[k]} == {"lambda0"}
    dJ = new.realisation.coupling_matrix() - rr.realisation.coupling_matrix()
    np.testing.assert_allclose(dJ, np.full((N, N), res.delta_lambda0 / N), atol=1e-13)
    assert res.seed == {"entropy": 2, "spawn_key": []}
    assert res.history.shape == (res.evaluations, 2) and res.history[0, 0] == 0.0
    assert 2 <= res.evaluations <= 40


def test_no_change_when_already_within_tolerance(case):
    rr, u, _ = case
    res = pretrain_detuning(rr, u, tol=10.0)
    assert res.method == "unchanged" and res.evaluations == 1 and res.lambda0_after == 0.0 and res.converged


def test_budget_is_respected_and_a_miss_is_reported(case):
    rr, u, _ = case
    # a range too small to reach zero: the best point found is returned, flagged as not converged
    res = pretrain_detuning(rr, u, tol=1e-6, lambda_range=(-0.05, 0.05), step=0.05, max_evaluations=6)
    assert res.evaluations <= 6 and not res.converged
    best = res.history[np.argmin(np.abs(res.history[:, 1]))]
    assert res.ftle_after == best[1] and res.lambda0_after == best[0]


def test_with_detuning_round_trip(case):
    rr, u, res = case
    back = with_detuning(res.realisation, 0.0)
    assert back.macro_ftle(u) == pytest.approx(res.ftle_before, abs=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    ({"tol": 0.0}, "tol"),
    ({"lambda_range": (0.5, 1.0)}, "contain the realisation's lambda0"),
    ({"lambda_range": (1.0,)}, "two numbers"),
    ({"max_evaluations": 1}, "max_evaluations"),
    ({"step": -1.0}, "step"),
])
def test_bad_arguments(case, kwargs, match):
    rr, u, _ = case
    with pytest.raises(ValueError, match=match):
        pretrain_detuning(rr, u, **kwargs)


def test_bad_inputs_and_reservoirs(case):
    rr, u, _ = case
    with pytest.raises(ValueError, match="NaN"):
        pretrain_detuning(rr, np.r_[u[:-1], np.nan])
    with pytest.raises(ValueError, match="shape"):
        pretrain_detuning(rr, np.zeros((10, 2)))
    with pytest.raises(ValueError, match="one-channel"):
        pretrain_detuning(reservoir(n_inputs=2).realise(0), u)
    with pytest.raises(ValueError, match="ReservoirRealisation"):
        pretrain_detuning(rr.realisation, u)
    with pytest.raises(ValueError, match="finite"):
        with_detuning(rr, float("inf"))
