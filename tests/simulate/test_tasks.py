"""Reservoir-computing tasks and metrics: definitions checked by independent loops, seeding, splits, scores."""

import json
import math

import numpy as np
import pytest

from simulate import metrics, tasks


def child0(seed, k=0):
    """Child k of SeedSequence(seed), by spawning (the tasks build it from the spawn key)."""
    return np.random.SeedSequence(seed).spawn(k + 1)[k]


def params_are_json(data):
    assert json.loads(json.dumps(data.params)) == data.params
    assert data.params["seed"]["entropy"] >= 0


# ---------------------------------------------------------------------------------------------- memory capacity


def test_memory_capacity_targets_are_delayed_inputs():
    T, k_max = 1500, 30
    d = tasks.memory_capacity_task(T, k_max, seed=3, washout=40)
    assert d.inputs.shape == (T, 1) and d.targets.shape == (T, k_max) and d.name == "memory_capacity"
    u = d.inputs[:, 0]
    np.testing.assert_array_equal(u, np.random.default_rng(child0(3)).uniform(-0.8, 0.8, T))
    assert u.min() >= -0.8 and u.max() <= 0.8
    for t in range(T):
        for k in range(1, k_max + 1):
            assert d.targets[t, k - 1] == (u[t - k] if t >= k else 0.0)
    assert (d.washout, d.train, d.test) == (40, slice(40, 1000), slice(1000, 1500))
    params_are_json(d)


def test_memory_capacity_task_default_washout_and_bad_washout():
    assert tasks.memory_capacity_task(3000, 20).washout == 500
    assert tasks.memory_capacity_task(3000, 800).washout == 800
    with pytest.raises(ValueError, match="memory_capacity_task.washout"):
        tasks.memory_capacity_task(3000, 800, washout=100)
    with pytest.raises(ValueError, match="memory_capacity_task.k_max"):
        tasks.memory_capacity_task(3000, 0)


def test_memory_capacity_of_perfect_and_random_predictors():
    d = tasks.memory_capacity_task(6000, 25, seed=1)
    y = d.targets[d.test]
    perfect = metrics.memory_capacity(3.0 * y - 1.0, y)  # affine maps keep corr^2 = 1
    assert perfect.total == pytest.approx(25, abs=1e-9)
    np.testing.assert_allclose(perfect.per_delay, 1.0, atol=1e-12)
    total, curve = metrics.memory_capacity(np.random.default_rng(9).standard_normal(y.shape), y)
    assert curve.shape == (25,) and 0 <= total < 5 * 25 / y.shape[0]
    # a constant prediction has MC_k = 0, a noisy copy r^2 = 1 / (1 + noise variance / var u)
    const = np.hstack([np.ones((y.shape[0], 1)), y[:, 1:]])
    assert metrics.memory_capacity(const, y).per_delay[0] == 0.0
    noisy = y + np.random.default_rng(2).normal(0, math.sqrt(0.64 / 3), y.shape)  # var u = 0.64 / 3
    assert metrics.memory_capacity(noisy, y).per_delay.mean() == pytest.approx(0.5, abs=0.02)


def test_memory_capacity_errors():
    with pytest.raises(ValueError, match="shape"):
        metrics.memory_capacity(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="constant"):
        metrics.memory_capacity(np.random.default_rng(0).random((5, 2)), np.ones((5, 2)))


# ---------------------------------------------------------------------------------------------- NARMA


def narma_standard(u, order):
    y = [0.0] * (len(u) + 1)
    for t in range(order - 1, len(u)):
        s = 0.0
        for i in range(order):
            s += y[t - i]
        y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * s + 1.5 * u[t - order + 1] * u[t] + 0.1
    return np.array(y)


def narma_reservoirpy(u, order):
    y = [0.0] * (len(u) + 1)
    for t in range(order, len(u)):
        s = 0.0
        for i in range(1, order + 1):
            s += y[t - i]
        y[t + 1] = 0.2 * y[t] + 0.04 * y[t] * s + 1.5 * u[t - order] * u[t] + 0.001
    return np.array(y)


@pytest.mark.parametrize("form,order,reference", [("standard", 10, narma_standard),
                                                  ("reservoirpy", 10, narma_reservoirpy),
                                                  ("reservoirpy", 30, narma_reservoirpy)])
def test_narma_follows_its_recursion(form, order, reference):
    d = tasks.narma(2500, order, form=form, seed=5)
    u = d.inputs[:, 0]
    assert d.name == f"narma{order}" and d.params["form"] == form and d.params["draw"] == 0
    np.testing.assert_array_equal(u, np.random.default_rng(child0(5)).uniform(0, 0.5, 2500))
    np.testing.assert_allclose(d.targets[:, 0], reference(u.tolist(), order)[1:], rtol=1e-13, atol=1e-15)
    assert np.all(d.targets[: order - 1] == 0) and d.washout >= order
    params_are_json(d)


def test_narma_redraws_a_diverging_input_from_the_next_child():
    d = tasks.narma(3000, seed=103)  # child 0 of seed 103 diverges
    assert d.params["draw"] == 1 and d.params["draw_seed"]["spawn_key"] == [1]
    first = np.random.default_rng(child0(103)).uniform(0, 0.5, 3000)
    with np.errstate(all="ignore"):
        y = narma_standard(first.tolist(), 10)
    assert not np.all(np.abs(y) <= tasks.NARMA_BOUND)
    np.testing.assert_array_equal(d.inputs[:, 0], np.random.default_rng(child0(103, 1)).uniform(0, 0.5, 3000))
    with pytest.raises(ValueError, match="diverge"):
        tasks.narma(2000, 20, max_draws=3)
    with pytest.raises(ValueError, match="narma.form"):
        tasks.narma(2000, form="rpy")
    with pytest.raises(ValueError, match="narma.washout"):
        tasks.narma(2000, 30, form="reservoirpy", washout=10)


# ---------------------------------------------------------------------------------------------- Mackey-Glass


def mackey_glass_rk4(history, n_samples, tau=17, dt=0.1, transient=0, beta=0.2, gamma=0.1, n=10):
    m = round(tau / dt)
    per_unit = round(1 / dt)
    xs = list(history)  # xs[j] = x((j - m) dt)

    def f(x, xd):
        return beta * xd / (1 + xd ** n) - gamma * x

    for i in range((transient + n_samples - 1) * per_unit):
        x = xs[-1]
        lag0, lag1 = xs[i], xs[i + 1]
        lag_half = (lag0 + lag1) / 2
        k1 = f(x, lag0)
        k2 = f(x + dt / 2 * k1, lag_half)
        k3 = f(x + dt / 2 * k2, lag_half)
        k4 = f(x + dt * k3, lag1)
        xs.append(x + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6)
    return np.array(xs[m + transient * per_unit::per_unit])


def test_mackey_glass_is_rk4_of_the_delay_equation_sampled_every_time_unit():
    system = tasks.MackeyGlass(transient=30)
    x = system.series(150, seed=2)
    history = np.random.default_rng(child0(2)).uniform(1.1, 1.3, 171)
    np.testing.assert_allclose(x, mackey_glass_rk4(history, 150, transient=30), rtol=1e-12)
    # on the attractor (default transient) the tau = 17 series stays in its known band
    d = tasks.mackey_glass(1500, seed=2)
    assert 0.3 < d.inputs.min() and d.inputs.max() < 1.45
    np.testing.assert_array_equal(d.targets[:-1], d.inputs[1:])
    assert d.name == "mackey_glass_predict" and not d.closed_loop and d.test == slice(1000, 1500)
    params_are_json(d)


def test_mackey_glass_generation_split():
    d = tasks.mackey_glass(2000, task="generate", seed=1)
    assert d.closed_loop and d.name == "mackey_glass_generate"
    assert d.test == slice(1916, 2000) and d.train == slice(500, 1916)
    np.testing.assert_array_equal(d.targets[d.test][:, 0], tasks.MackeyGlass().series(2001, seed=1)[1917:])
    assert d.params["horizon"] == 84 and d.params["signal_std"] > 0
    assert tasks.mackey_glass(2000, task="generate", test_start=1500, seed=1).test == slice(1500, 1584)
    with pytest.raises(ValueError, match="test_start"):
        tasks.mackey_glass(2000, task="generate", test_start=1950)


def test_mackey_glass_parameters_are_checked():
    with pytest.raises(ValueError, match="MackeyGlass.tau"):
        tasks.MackeyGlass(tau=17.05)
    with pytest.raises(ValueError, match="MackeyGlass.dt"):
        tasks.MackeyGlass(dt=0)
    with pytest.raises(ValueError, match="MackeyGlass.x0"):
        tasks.MackeyGlass(x0=0.05)
    with pytest.raises(ValueError, match="mackey_glass.task"):
        tasks.mackey_glass(100, task="forecast")


# ---------------------------------------------------------------------------------------------- flip-flop, recall


def test_flip_flop_target_is_the_sign_of_the_last_pulse():
    d = tasks.flip_flop(p=0.05, seed=4)
    assert (d.T, d.train, d.test) == (12000, slice(500, 8000), slice(8000, 12000))
    u = d.inputs[:, 0]
    v = np.random.default_rng(child0(4)).random(12000)
    np.testing.assert_array_equal(u, np.where(v < 0.025, 1.0, np.where(v < 0.05, -1.0, 0.0)))
    state = 0.0
    for t in range(d.T):
        if u[t] != 0:
            state = u[t]
        assert d.targets[t, 0] == state
    assert set(np.unique(d.targets[d.washout:])) == {-1.0, 1.0}
    assert np.count_nonzero(u) == pytest.approx(0.05 * 12000, rel=0.15)
    params_are_json(d)


def test_flip_flop_redraws_without_a_pulse_in_the_washout():
    for seed in range(40):
        d = tasks.flip_flop(2000, p=0.01, seed=seed, washout=50)
        first = np.flatnonzero(d.inputs[:, 0])[0]
        assert first < 50
        if d.params["draw"] > 0:
            break
    else:
        pytest.fail("no seed needed a redraw")
    with pytest.raises(ValueError, match="no pulse"):
        tasks.flip_flop(2000, p=1e-6, washout=5, max_draws=3)
    with pytest.raises(ValueError, match="flip_flop.p"):
        tasks.flip_flop(p=1.5)


@pytest.mark.parametrize("D,min_gap", [(5, 1), (300, 10)])
def test_delayed_recall_targets_and_pulse_gaps(D, min_gap):
    d = tasks.delayed_recall(6000, D, p=0.08, min_gap=min_gap, seed=7)
    u, y = d.inputs[:, 0], d.targets[:, 0]
    for t in range(d.T):
        assert y[t] == (u[t - D] if t >= D else 0.0)
    pulses = np.flatnonzero(u)
    assert np.all(np.diff(pulses) >= min_gap) and set(np.unique(u[pulses])) == {-1.0, 1.0}
    if min_gap == 1:
        assert pulses.size == pytest.approx(0.08 * 6000, rel=0.15)
    assert metrics.sign_accuracy(0.7 * y[d.test], y[d.test], nonzero_only=True) == 1.0
    assert metrics.sign_accuracy(-y[d.test], y[d.test], nonzero_only=True) == 0.0
    params_are_json(d)


def test_same_seed_same_data_other_seed_other_data():
    makers = [lambda s: tasks.memory_capacity_task(1200, 10, seed=s),
              lambda s: tasks.narma(1200, seed=s),
              lambda s: tasks.mackey_glass(1200, seed=s),
              lambda s: tasks.flip_flop(1200, p=0.05, seed=s),
              lambda s: tasks.delayed_recall(1200, 20, p=0.05, seed=s)]
    for make in makers:
        a, b, c = make(11), make(11), make(12)
        np.testing.assert_array_equal(a.inputs, b.inputs)
        np.testing.assert_array_equal(a.targets, b.targets)
        assert not np.array_equal(a.inputs, c.inputs)
    ss = np.random.SeedSequence(11)  # a SeedSequence is not consumed, and equals its int
    np.testing.assert_array_equal(tasks.narma(1200, seed=ss).inputs, tasks.narma(1200, seed=ss).inputs)
    np.testing.assert_array_equal(tasks.narma(1200, seed=ss).inputs, tasks.narma(1200, seed=11).inputs)


def test_task_data_is_frozen_and_checked():
    d = tasks.narma(1000, seed=0)
    with pytest.raises(ValueError):
        d.inputs[0, 0] = 1.0
    with pytest.raises(AttributeError):
        d.washout = 3
    good = dict(name="x", inputs=np.zeros((10, 1)), targets=np.zeros((10, 2)), washout=2,
                train=slice(2, 6), test=slice(6, 10), params={})
    tasks.TaskData(**good)
    for change, field in [({"targets": np.zeros((9, 2))}, "targets"), ({"inputs": np.zeros(10)}, "inputs"),
                          ({"test": slice(5, 10)}, "train.stop"), ({"params": {"a": object()}}, "params"),
                          ({"inputs": np.full((10, 1), np.nan)}, "inputs")]:
        with pytest.raises(ValueError, match=field):
            tasks.TaskData(**{**good, **change})
    with pytest.raises(ValueError, match="test_start"):
        tasks.narma(1000, test_start=300, washout=400)


# ---------------------------------------------------------------------------------------------- metrics


def test_nrmse_closed_forms():
    rng = np.random.default_rng(0)
    y = rng.normal(2.0, 3.0, (500, 2))
    assert metrics.nrmse(np.full_like(y, y.mean()), y) == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(metrics.nrmse(np.tile(y.mean(0), (500, 1)), y, per_output=True), 1.0, rtol=1e-12)
    assert metrics.nrmse(y + 0.5, y, norm="range") == pytest.approx(0.5 / (y.max() - y.min()))
    assert metrics.nrmse(y + 0.5, y, norm=2.0) == pytest.approx(0.25)
    assert metrics.nrmse(y, y) == 0.0
    assert metrics.nrmse(y[:, 0] - 1.0, y[:, 0]) == pytest.approx(1 / y[:, 0].std())
    for bad in ("var", 0.0, -1.0, True):
        with pytest.raises(ValueError, match="norm"):
            metrics.nrmse(y, y, norm=bad)
    with pytest.raises(ValueError, match="constant"):
        metrics.nrmse(y[:, 0], np.ones(500))


def test_accuracy_and_sign_accuracy():
    labels = np.array([0, 1, 2, 1])
    assert metrics.accuracy(np.array([0, 1, 1, 1]), labels) == 0.75
    assert metrics.accuracy(np.eye(3)[labels] + 0.1, labels) == 1.0
    with pytest.raises(ValueError, match="labels"):
        metrics.accuracy(np.array([0, 1]), labels)
    target = np.array([1.0, -1.0, 1.0, -1.0])
    assert metrics.sign_accuracy(np.array([0.2, -3.0, -0.1, -1.0]), target) == 0.75
    with pytest.raises(ValueError, match="-1, 0 or"):
        metrics.sign_accuracy(target, 2 * target)
    with pytest.raises(ValueError, match="no recall"):
        metrics.sign_accuracy(target, 0 * target, nonzero_only=True)


# ---------------------------------------------------------------------------------------------- classification


def test_digits_sequences_rows_as_steps_stratified_split():
    from sklearn.datasets import load_digits

    d = tasks.digits_sequences(seed=2)
    raw = load_digits()
    assert d.sequences.shape == (1797, 8, 8) and d.n_classes == 10 and d.length == 8 and d.n_inputs == 8
    np.testing.assert_array_equal(d.sequences, raw.images / 16.0)
    np.testing.assert_array_equal(d.labels, raw.target)
    assert 0 <= d.sequences.min() and d.sequences.max() <= 1
    assert np.array_equal(np.sort(np.concatenate([d.train, d.test])), np.arange(1797))
    counts, test_counts = np.bincount(d.labels), np.bincount(d.labels[d.test])
    np.testing.assert_array_equal(test_counts, np.round(counts / 3).astype(int))
    again, other = tasks.digits_sequences(seed=2), tasks.digits_sequences(seed=3)
    np.testing.assert_array_equal(again.test, d.test)
    assert not np.array_equal(other.test, d.test)
    assert d.one_hot().shape == (1797, 10)
    params_are_json(d)


def test_mnist1d_shapes_balance_reproducibility():
    d = tasks.mnist1d(seed=0)
    assert d.sequences.shape == (5000, 40, 1) and d.labels.shape == (5000,)
    np.testing.assert_array_equal(np.bincount(d.labels), [500] * 10)
    np.testing.assert_array_equal(d.train, np.arange(4000))
    np.testing.assert_array_equal(d.test, np.arange(4000, 5000))
    assert d.sequences.mean() == pytest.approx(0, abs=1e-12) and d.sequences.std() == pytest.approx(1)
    assert np.all(np.bincount(d.labels[d.train], minlength=10) > 300)
    np.testing.assert_array_equal(tasks.mnist1d(seed=0).sequences, d.sequences)
    assert not np.array_equal(tasks.mnist1d(seed=1).sequences, d.sequences)
    small = tasks.mnist1d(80, 20, 30, seed=0)
    assert small.sequences.shape == (100, 30, 1) and small.test.size == 20
    with pytest.raises(ValueError, match="multiple of 10"):
        tasks.mnist1d(81, 20)
    with pytest.raises(ValueError, match="Mnist1dTransform.padding"):
        tasks.Mnist1dTransform(padding=(60, 36))
    params_are_json(d)


def test_mnist1d_templates():
    t = tasks.mnist1d_templates()
    assert t.shape == (10, 12)
    np.testing.assert_array_equal(t[:, 0], 0.0)
    # each template is a standardised outline, shifted to start at 0, over 6
    np.testing.assert_allclose((6 * t).std(axis=1), 1.0)


def test_mnist1d_follows_the_pipeline_written_out():
    from scipy.ndimage import gaussian_filter

    n, seed = 30, 5
    d = tasks.mnist1d(20, 10, seed=seed)
    rng = np.random.default_rng(child0(seed))
    pad = rng.integers(36, 61, n)
    scale = 1 + 0.4 * (rng.random(n) - 0.5)
    shift = rng.integers(0, 48, n)
    corr = rng.standard_normal((n, 72))
    iid = rng.standard_normal((n, 72))
    shear = 0.75 * (rng.random(n) - 0.5)
    order = rng.permutation(n)
    labels = np.repeat(np.arange(10), 3)
    out = []
    for i in range(n):
        x = np.concatenate([tasks.mnist1d_templates()[labels[i]] + 1e-8, np.zeros(pad[i])])
        x = np.interp(np.linspace(0, 1, 72), np.linspace(0, 1, x.size), x) * scale[i]
        x = np.roll(x, shift[i])
        noise = gaussian_filter(0.25 * corr[i], 2)
        x = np.array([x[j] if x[j] != 0 else noise[j] for j in range(72)]) + 0.02 * iid[i]
        x = x - shear[i] * np.linspace(-0.5, 0.5, 72)
        out.append(np.interp(np.linspace(0, 1, 40), np.linspace(0, 1, 72), x))
    out = np.array(out)[order]
    out = (out - out.mean()) / out.std()
    np.testing.assert_allclose(d.sequences[:, :, 0], out, atol=1e-12)
    np.testing.assert_array_equal(d.labels, labels[order])


def test_sequence_task_data_checks():
    good = dict(name="s", sequences=np.zeros((4, 3, 1)), labels=[0, 1, 0, 1], train=[0, 1], test=[2, 3],
                n_classes=2, params={})
    tasks.SequenceTaskData(**good)
    for change, field in [({"test": [1, 2]}, "share"), ({"labels": [0, 1, 2, 1]}, "labels"),
                          ({"train": [0, 7]}, "train"), ({"sequences": np.zeros((4, 3))}, "sequences")]:
        with pytest.raises(ValueError, match=field):
            tasks.SequenceTaskData(**{**good, **change})
