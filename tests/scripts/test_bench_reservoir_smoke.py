"""benchmarks/bench_reservoir.py: selection on the validation split only, and one tiny configuration."""

from __future__ import annotations

import json

import numpy as np
import pytest

from meanfield.jsonable import to_jsonable
from simulate import tasks
from simulate.tasks import TaskData


def regression_task(T=400) -> TaskData:
    y = np.random.default_rng(0).standard_normal(T)
    return TaskData("toy", np.zeros((T, 1)), y[:, None], 0, slice(0, 300), slice(300, T), {})


def test_validation_split_stays_inside_train(bench):
    task = regression_task()
    fit, val = bench.validation_split(task)
    assert (fit.start, fit.stop, val.start, val.stop) == (0, 225, 225, 300)
    seq = tasks.digits_sequences(seed=0)
    fit, val = bench.validation_split(seq)
    assert np.intersect1d(fit, val).size == 0
    assert set(fit) | set(val) == set(seq.train.tolist())
    assert val.size == round(0.25 * seq.train.size)


def test_grid_search_selects_on_validation_not_test(bench):
    """Point "val" predicts the validation rows and fails on test; "test" does the opposite."""
    task = regression_task()
    y = task.targets[:, 0]
    noise = 1e-2 * np.random.default_rng(1).standard_normal(y.size)  # no signal, and little weight in a fit
    _, val = bench.validation_split(task)
    columns = {"val": y.copy(), "test": y.copy()}
    columns["val"][task.test] = noise[task.test]
    columns["test"][val] = noise[val]

    def features_of(point, seed):
        return columns[point["name"]][:, None]

    points = [{"name": "test"}, {"name": "val"}]
    sel = bench.grid_search(features_of, points, (1e-6,), (0, 1), task, "nrmse")
    assert sel.point == {"name": "val"}
    assert sel.scores.shape == (2, 1, 2)
    test_scores = {p["name"]: bench.evaluate(features_of, p, 1e-6, (0,), task, "nrmse")[0] for p in points}
    # the test rows would have chosen "test"
    assert test_scores["test"] < 0.1
    assert test_scores["val"] > 0.9

    # the test rows are never read: NaN features there do not disturb the selection
    def nan_on_test(point, seed):
        F = features_of(point, seed).copy()
        F[task.test] = np.nan
        return F

    assert bench.grid_search(nan_on_test, points, (1e-6,), (0,), task, "nrmse").point == {"name": "val"}


def test_grid_search_higher_is_better_and_failed_runs(bench):
    task = tasks.flip_flop(T=600, p=0.05, washout=100, seed=1)
    y = task.targets[:, 0]

    def features_of(point, seed):
        if point["name"] == "fails":
            raise FloatingPointError("diverged")
        return (y if point["name"] == "good" else -np.roll(y, 50))[:, None]

    points = [{"name": "fails"}, {"name": "bad"}, {"name": "good"}]
    sel = bench.grid_search(features_of, points, (1e-6,), (0,), task, "sign_accuracy")
    assert sel.point == {"name": "good"}
    assert np.isnan(sel.scores[0]).all()


def test_best_index_breaks_median_ties_by_mean(bench):
    median = np.array([[1.0, 0.9], [1.0, np.nan]])
    mean = np.array([[0.8, 0.9], [0.95, np.nan]])
    assert bench.best_index(median, mean, higher=True) == (1, 0)
    assert bench.best_index(median, mean, higher=False) == (0, 1)
    assert bench.best_index(np.ones((2, 2)), np.ones((2, 2)), higher=True) == (0, 0)


def test_task_spec_refuses_unequal_budgets(bench):
    grids = {bench.OURS: [{}, {}], bench.RPY: [{}]}
    with pytest.raises(ValueError, match="must be equal"):
        bench.TaskSpec("k", "k", 20, "nrmse", None, grids, (1e-6,), (1,), (0,))
    with pytest.raises(ValueError, match="overlap"):
        bench.TaskSpec("k", "k", 20, "nrmse", None, {bench.OURS: [{}]}, (1e-6,), (1, 2), (2, 3))


def tiny_spec(bench):
    ours = bench._ours(g=[0.5, 1.0], J0=[1.0], input_scaling=[5.0], dt=[0.3])
    rpy = bench._rpy(sr=[0.9, 1.0], input_scaling=[1.0], lr=[1.0])
    lead = {"fixed": (dict(ours[0]), 1e-6)}
    return bench.TaskSpec("flip_flop_N20", "tiny flip-flop", 20, "sign_accuracy",
                          lambda: tasks.flip_flop(T=600, p=0.05, washout=100, seed=1),
                          {bench.OURS: ours, bench.RPY: rpy}, (1e-6, 1e-2), (11, 12), (0, 1, 2),
                          reference_points=lead)


def check_side(entry, n=3):
    s = entry["summary"]
    assert s["n"] == n and len(entry["test_scores"]) == n
    assert all(0.0 <= v <= 1.0 for v in entry["test_scores"])
    lo, hi = s["median_ci95"]
    assert 0.0 <= lo <= s["median"] <= hi <= 1.0
    assert 0 <= s["n_above_0.95"] <= n


def test_tiny_run_ours(bench):
    record = bench.run_task(tiny_spec(bench), (bench.OURS,), progress=None)
    assert set(record["sides"]) == {bench.OURS, bench.NO_H}
    ours = record["sides"][bench.OURS]
    assert ours["selected"]["point"] in tiny_spec(bench).grids[bench.OURS]
    assert ours["selected"]["ridge"] in (1e-6, 1e-2)
    assert np.shape(ours["validation_scores"]) == (2, 2, 2)
    for entry in (ours, record["sides"][bench.NO_H], record["reference_points"]["fixed"]):
        check_side(entry)
    json.dumps(to_jsonable(record), allow_nan=False)


def test_tiny_run_reservoirpy(bench):
    pytest.importorskip("reservoirpy")
    record = bench.run_task(tiny_spec(bench), (bench.OURS, bench.RPY), progress=None)
    check_side(record["sides"][bench.RPY])
    u = tasks.flip_flop(T=300, p=0.05, washout=50, seed=1).inputs
    t = bench.time_states(20, u, record["sides"][bench.OURS]["selected"]["point"],
                          record["sides"][bench.RPY]["selected"]["point"], repeat=1, replicas=2)
    assert t["ratio_1"] > 0 and t["ratio_batched"] > 0


def test_only_refuses_an_unknown_row(bench, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        bench.main(["--only", "no_such_row", "--no-reservoirpy", "--out", str(tmp_path / "b.json")])
    assert exc.value.code == 2 and "flip_flop_N100" in capsys.readouterr().err
