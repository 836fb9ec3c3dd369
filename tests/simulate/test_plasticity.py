"""Unsupervised plasticity of z (simulate.plasticity) against plain-loop references on tiny networks."""

import math
from dataclasses import replace

import numpy as np
import pytest

import meanfield as mf
from simulate import Reservoir, realise
from simulate.plasticity import (
    Hebbian,
    SpatiotemporalRule,
    plasticity_step,
    pretrain,
    rule_update,
    synaptic_weights,
)

N = 7  # N_E = round(0.8 * 7) = 6, N_I = 1


def _network():
    return mf.Network(N=N, g=1.3, J0=0.7, lambda0=0.4)


def _rates(n=5, seed=11):
    return np.tanh(1.5 * np.random.default_rng(np.random.SeedSequence(seed)).standard_normal((n, N)))


def _weights_by_hand(real):
    """w_ij = g z_ij + J0 s_j + lambda0 / sqrt(N), with s_j of THEORY.md section 1 written out."""
    n_e = round(0.8 * N)
    n_i = N - n_e
    s = np.array([math.sqrt(n_i / n_e)] * n_e + [-math.sqrt(n_e / n_i)] * n_i)
    w = np.empty((N, N))
    for i in range(N):
        for j in range(N):
            w[i, j] = 1.3 * float(real.z[i, j]) + 0.7 * s[j] + 0.4 / math.sqrt(N)
    return w


def _stlr_by_hand(w, R, eta, theta1, theta2, exclude_self=True):
    out = np.zeros((N, N))
    for r in R:
        for i in range(N):
            for j in range(N):
                others = sum(w[i, k] * r[k] for k in range(N) if (k != j or not exclude_self))
                I = w[i, j] * r[j] * others / math.sqrt(N)
                if I >= theta1:
                    out[i, j] += math.tanh(I - theta1)
                elif I <= theta2:
                    out[i, j] += math.tanh(I - theta2)
    return eta * out / len(R)


def test_hebbian_update_matches_loop():
    real = realise(_network(), seed=3)
    R = _rates()
    ref = np.zeros((N, N))
    for r in R:
        for i in range(N):
            for j in range(N):
                ref[i, j] += 0.02 * r[i] * r[j]
    ref /= len(R)
    np.testing.assert_allclose(rule_update(Hebbian(0.02), real, R), ref, rtol=1e-13, atol=1e-15)
    # (n_sequences, T, N) rates are the same samples
    np.testing.assert_allclose(rule_update(Hebbian(0.02), real, R.reshape(1, 5, N)), ref, rtol=1e-13)


def test_weights_are_g_z_plus_mean_part():
    real = realise(_network(), seed=3)
    np.testing.assert_allclose(synaptic_weights(real), _weights_by_hand(real), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(synaptic_weights(real) / math.sqrt(N), real.coupling_matrix(), rtol=1e-12)


def test_stlr_update_matches_loop_and_uses_all_three_branches():
    real = realise(_network(), seed=3)
    R = _rates(n=6)
    theta1, theta2 = 0.15, -0.1
    w = _weights_by_hand(real)
    got = rule_update(SpatiotemporalRule(0.05, theta1, theta2), real, R)
    ref = _stlr_by_hand(w, R, 0.05, theta1, theta2)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)
    # the case is informative: potentiation, depression and the dead zone all occur ...
    I = np.array([[[w[i, j] * r[j] * (w[i] @ r - w[i, j] * r[j]) / math.sqrt(N) for j in range(N)]
                   for i in range(N)] for r in R])
    assert (I >= theta1).sum() > 10 and (I <= theta2).sum() > 10 and ((I > theta2) & (I < theta1)).sum() > 10
    assert got.max() > 0 > got.min()
    # ... and a wrong rule (the synapse's own input counted among the "other" inputs) is detected
    wrong = _stlr_by_hand(w, R, 0.05, theta1, theta2, exclude_self=False)
    assert np.abs(wrong - ref).max() > 100 * 1e-12 * np.abs(ref).max()


def test_step_without_normalisation_adds_the_update():
    real = realise(_network(), seed=5)
    R = _rates()
    rule = Hebbian(0.1)
    new = plasticity_step(rule, real, R)
    np.testing.assert_allclose(new.z, real.z + rule_update(rule, real, R), rtol=0, atol=1e-15)
    assert new.network is real.network and new.seed is real.seed and new.pattern is real.pattern
    assert not np.shares_memory(new.z, real.z)
    np.testing.assert_array_equal(real.z, realise(_network(), seed=5).z)   # the input is not modified


@pytest.mark.parametrize("rule", [Hebbian(0.5, "rows"), SpatiotemporalRule(0.5, 0.1, -0.1, "rows")])
def test_row_normalisation_keeps_each_row_norm(rule):
    real = realise(_network(), seed=5)
    R = _rates()
    new = plasticity_step(rule, real, R)
    z0 = real.z
    raw = z0 + rule_update(rule, real, R)
    ref = raw * (np.sqrt((z0 ** 2).sum(axis=1)) / np.sqrt((raw ** 2).sum(axis=1)))[:, None]
    np.testing.assert_allclose(new.z, ref, rtol=1e-13)
    np.testing.assert_allclose((new.z ** 2).sum(axis=1), (z0 ** 2).sum(axis=1), rtol=1e-13)
    assert np.abs(new.z - z0).max() > 1e-3           # the rows did change direction


def test_step_keeps_float32():
    net = _network()
    real = realise(net, seed=2, dtype=np.float32)
    new = plasticity_step(Hebbian(0.1), real, _rates())
    assert new.z.dtype == np.float32
    ref = real.z.astype(np.float64) + rule_update(Hebbian(0.1), real, _rates())
    np.testing.assert_allclose(new.z, ref, rtol=1e-6)


def _reservoir(seed=0):
    net = mf.Network(N=12, g=1.0, J0=0.5)
    return Reservoir(net, n_inputs=2, input_scaling=0.8, dt=0.5, dtype="float64").realise(seed)


def _sequences(n=6, T=5):
    return np.random.default_rng(np.random.SeedSequence(4)).standard_normal((n, T, 2))


@pytest.mark.parametrize("rule", [Hebbian(0.05), SpatiotemporalRule(0.05, 0.2, -0.2, "rows")])
def test_pretrain_one_batch_is_one_step_on_the_run_states(rule):
    rr = _reservoir()
    U = _sequences()
    run = pretrain(rr, rule, U, epochs=1, batch_size=len(U))
    rates = np.tanh(rr.run(U).x)                       # one batch: every sequence, order irrelevant
    ref = plasticity_step(rule, rr.realisation, rates).z
    np.testing.assert_allclose(run.reservoirs[1].realisation.z, ref, rtol=1e-12, atol=1e-14)
    assert run.reservoirs[0] is rr and run.epochs == 1
    np.testing.assert_array_equal(run.reservoirs[1].input_weights, rr.input_weights)
    # stride 2: the rule sees samples 0, 2, 4 only
    run2 = pretrain(rr, rule, U, epochs=1, batch_size=len(U), stride=2)
    ref2 = plasticity_step(rule, rr.realisation, rates[:, ::2]).z
    np.testing.assert_allclose(run2.reservoirs[1].realisation.z, ref2, rtol=1e-12, atol=1e-14)


def test_pretrain_batches_are_sequential_and_seeded():
    rr = _reservoir()
    U = _sequences()
    rule = Hebbian(0.05)
    a = pretrain(rr, rule, U, epochs=2, batch_size=4, seed=9)
    b = pretrain(rr, rule, U, epochs=2, batch_size=4, seed=9)
    c = pretrain(rr, rule, U, epochs=2, batch_size=4, seed=10)
    np.testing.assert_array_equal(a.reservoirs[2].realisation.z, b.reservoirs[2].realisation.z)
    assert np.abs(a.reservoirs[2].realisation.z - c.reservoirs[2].realisation.z).max() > 1e-8
    # by hand: epoch 0 with the order of child 0 of the seed, two batches of 4 and 2 sequences
    order = np.random.default_rng(np.random.SeedSequence(9, spawn_key=(0,))).permutation(len(U))
    cur = rr
    for batch in (order[:4], order[4:]):
        cur = replace(cur, realisation=plasticity_step(rule, cur.realisation, np.tanh(cur.run(U[batch]).x)))
    np.testing.assert_allclose(a.reservoirs[1].realisation.z, cur.realisation.z, rtol=1e-12, atol=1e-14)
    assert pretrain(rr, rule, U, epochs=0).reservoirs == (rr,)


@pytest.mark.parametrize("make, match", [
    (lambda: Hebbian(-1.0), "learning_rate"),
    (lambda: Hebbian(0.1, "columns"), "normalisation"),
    (lambda: SpatiotemporalRule(0.1, theta1=-0.2, theta2=0.3), "theta2 < theta1"),
    (lambda: SpatiotemporalRule(0.1, theta1=float("nan")), "theta1"),
])
def test_invalid_rules(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_invalid_calls():
    real = realise(_network(), seed=1)
    with pytest.raises(ValueError, match="shape"):
        rule_update(Hebbian(), real, np.zeros((3, N + 1)))
    with pytest.raises(ValueError, match="NaN"):
        rule_update(Hebbian(), real, np.full((3, N), np.nan))
    with pytest.raises(ValueError, match="rule must be"):
        rule_update("hebb", real, _rates())
    with pytest.raises(ValueError, match="lower the learning rate"):
        plasticity_step(Hebbian(1e308), real, 10 * np.ones((2, N)))
    rr = _reservoir()
    with pytest.raises(ValueError, match=r"sequences must have shape \(n_sequences, T, 2\)"):
        pretrain(rr, Hebbian(), np.zeros((3, 4, 1)), epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        pretrain(rr, Hebbian(), _sequences(), epochs=-1)
    with pytest.raises(ValueError, match="reservoir must be"):
        pretrain(real, Hebbian(), _sequences(), epochs=1)


def test_non_dense_couplings_are_refused_clearly():
    couplings = pytest.importorskip("simulate.couplings")
    real = realise(_network(), seed=1, couplings=couplings.CompactCouplings())
    with pytest.raises(ValueError, match="dense float z"):
        rule_update(Hebbian(), real, _rates())
    with pytest.raises(ValueError, match="dense float z"):
        plasticity_step(SpatiotemporalRule(), real, _rates())
