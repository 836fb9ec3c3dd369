"""The shared model definition: validation, E/I vectors, inputs, grid and the state classifier."""

import math

import numpy as np
import pytest

import meanfield as mf
from meanfield.model import State, StateCriteria, classify_state, state_counts


@pytest.mark.parametrize("N", [2, 3, 10, 101, 1000, 1001])
@pytest.mark.parametrize("f", [0.5, 0.8, 0.37])
def test_ei_signs_sum_zero_and_mean_square_one(N, f):
    if not 1 <= round(f * N) <= N - 1:
        pytest.skip("no E or no I neuron at this (N, f)")
    net = mf.Network(N=N, g=1.0, J0=1.0, f=f)
    s = net.ei_signs()
    assert np.count_nonzero(s > 0) == net.N_E == round(f * N)
    assert abs(math.fsum(s)) < 1e-13 * N
    assert abs(math.fsum(s * s) / N - 1.0) < 1e-14


def test_mean_matrix_eigenvalue_is_lambda0():
    # The only nonzero eigenvalue of u v^T / sqrt(N) is sum_j v_j / sqrt(N) = lambda0 (THEORY.md section 1).
    net = mf.Network(N=50, g=1.0, J0=2.0, lambda0=0.7)
    v = net.mean_weights()
    eig = np.linalg.eigvals(np.outer(np.ones(50), v) / math.sqrt(50))
    assert np.max(np.abs(eig)) == pytest.approx(0.7, abs=1e-9)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(N=1, g=1, J0=1), "N"),
        (dict(N=-5, g=1, J0=1), "N"),
        (dict(N=10.5, g=1, J0=1), "N"),
        (dict(N=10, g=-1, J0=1), "g"),
        (dict(N=10, g=float("nan"), J0=1), "g"),
        (dict(N=10, g=1, J0=float("inf")), "J0"),
        (dict(N=10, g=1, J0=1, f=1.0), "f"),
        (dict(N=10, g=1, J0=1, f=0.0), "f"),
        (dict(N=10, g=1, J0=1, phi="relu"), "phi"),
        (dict(N=3, g=1, J0=1, f=0.9), "N_E"),
    ],
)
def test_network_rejects_bad_parameters_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        mf.Network(**kwargs)


@pytest.mark.parametrize(
    "kwargs, field",
    [(dict(dt=1.0), "dt"), (dict(dt=0.0), "dt"), (dict(dt=-0.1), "dt"), (dict(T=-1), "T"),
     (dict(dt=0.1, T=1.05), "multiple"), (dict(dt=0.1, T=1.0, stride=3), "stride")],
)
def test_grid_rejects_bad_values(kwargs, field):
    with pytest.raises(ValueError, match=field):
        mf.TimeGrid(**kwargs)


def test_grid_times_and_recording():
    grid = mf.TimeGrid(dt=0.1, T=2.0, stride=5)
    assert grid.n_steps == 20
    np.testing.assert_allclose(grid.record_times, [0.0, 0.5, 1.0, 1.5, 2.0])


def test_sparse_set_size_indices_and_rho():
    net = mf.Network(N=10000, g=1.0, J0=1.5)
    sp = mf.SparseInput(kappa=2.0, A=1.0)
    idx = sp.indices(net)
    assert len(idx) == 200 and idx[0] == 0
    # rho_S -> kappa J0 sqrt(N_I/N_E) for S in E (THEORY.md section 4), up to lambda0 = 0 exactly here.
    assert sp.rho(net) == pytest.approx(2.0 * 1.5 * math.sqrt(0.25), rel=1e-12)
    second = mf.SparseInput(kappa=2.0, A=1.0, offset=200)
    assert not set(idx) & set(second.indices(net))
    with pytest.raises(ValueError, match="kappa"):
        mf.SparseInput(kappa=100.0, A=1.0).indices(mf.Network(N=400, g=1, J0=1))


def test_inputs_round_trip_through_dict():
    inputs = mf.Inputs(
        uniform=mf.UniformInput(0.3, mf.Step(1.0, 2.0)),
        pattern=mf.PatternInput(0.5, mf.Sine(2.0)),
        sparse=mf.SparseInput(kappa=1.0, A=-0.4, offset=3),
    )
    assert mf.Inputs.from_dict(inputs.to_dict()) == inputs


def test_profiles_values():
    t = np.array([0.0, 0.5, 1.0, 1.5])
    np.testing.assert_array_equal(mf.Step(0.5, 1.5).values(t), [0, 1, 1, 0])
    np.testing.assert_allclose(mf.Sine(2.0).values(t), np.sin(2 * t))
    with pytest.raises(ValueError, match="t_off"):
        mf.Step(1.0, 0.5)


# ---------------------------------------------------------------- classifier
DT = 0.1
T = np.arange(0, 60 + DT / 2, DT)


def test_classifier_quiescent():
    assert classify_state(1e-5 * np.exp(-T), 1e-6 * np.exp(-T), DT) is State.QUIESCENT


def test_classifier_coherent():
    h = 0.9 + 0.01 * np.sin(T)
    assert classify_state(h, np.full_like(T, 0.3), DT) is State.COHERENT
    assert classify_state(-h, np.full_like(T, 0.3), DT) is State.COHERENT


def test_classifier_oscillatory():
    h = 0.4 * np.sin(2 * np.pi * T / 6.3)
    assert classify_state(h, np.full_like(T, 0.3), DT) is State.OSCILLATORY


def test_classifier_irregular():
    rng = np.random.default_rng(0)
    # Ornstein-Uhlenbeck-like broadband noise: no peak holds half the power.
    h = np.convolve(rng.standard_normal(T.size + 50), np.exp(-np.arange(50) * DT), "valid")[: T.size]
    assert classify_state(0.2 * h, np.full_like(T, 0.3), DT) is State.IRREGULAR


def test_classifier_rejects_bad_input():
    with pytest.raises(ValueError, match="window"):
        classify_state(np.zeros(10), np.zeros(10), DT, StateCriteria(window=20))
    with pytest.raises(ValueError, match="equal length"):
        classify_state(np.zeros(300), np.zeros(299), DT)
    with pytest.raises(ValueError, match="non-finite"):
        classify_state(np.full(300, np.nan), np.zeros(300), DT)


def test_state_counts_has_every_state():
    counts = state_counts([State.COHERENT, State.COHERENT, "irregular"])
    assert counts == {"quiescent": 0, "coherent": 2, "oscillatory": 0, "irregular": 1}
