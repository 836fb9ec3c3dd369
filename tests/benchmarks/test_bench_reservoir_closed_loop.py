"""benchmarks/bench_reservoir.py, closed-loop generation rows: validation horizon, both sides' loops, a tiny run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from meanfield.jsonable import to_jsonable
from simulate import tasks


def gen_task(T=700, horizon=30):
    return tasks.mackey_glass(T=T, task="generate", horizon=horizon, washout=100, seed=6)


def test_validation_horizon_is_the_closed_loop_horizon_before_test(bench):
    task = gen_task()
    fit, val = bench.validation_split(task)
    assert (fit.start, fit.stop, val.start, val.stop) == (100, 640, 640, 670)
    assert (task.test.start, task.test.stop) == (670, 700)


class _Oracle:
    """'Predicts' the true next input whatever the features: teacher forcing through the closed loop."""

    def __init__(self, u, first):
        self.u, self.t, self.seen = np.append(u, 0.0), first, []

    def predict(self, X):
        self.seen.append(np.array(X[0]))
        y = np.repeat(self.u[self.t], X.shape[0])
        self.t += 1
        return y


@pytest.mark.parametrize("side", ["ours", "reservoirpy"])
def test_closed_loop_with_true_inputs_is_the_teacher_forced_run(bench, side):
    """Fed the true inputs, each side's loop returns the oracle's values and its states continue run(u) exactly."""
    if side == "reservoirpy":
        pytest.importorskip("reservoirpy")
        point = {"sr": 0.9, "input_scaling": 0.5, "lr": 0.3}
    else:
        point = {"g": 0.9, "J0": 1.0, "input_scaling": 0.5, "dt": 0.3, "substeps": 1, "include_h": True}
    task = gen_task()
    series = np.append(task.inputs[:, 0], task.targets[-1, 0])    # x(0) .. x(T)
    loop = bench.CLOSED_LOOP[side](point, 20, 3, task)
    full = bench.STATES[side](point, 20, 3, task.inputs)[0]        # one teacher-forced run, all rows
    t = task.test.start
    np.testing.assert_array_equal(loop.rows, full[:t])
    oracle = _Oracle(series, t)
    out = loop.generate([oracle], t)[0]
    np.testing.assert_array_equal(out, task.targets[task.test, 0])    # aligned with the scored targets
    # the features the readout saw in the loop are those of the teacher-forced run, rows t - 1 .. T - 1
    np.testing.assert_array_equal(np.array(oracle.seen), full[t - 1:])


def test_tiny_generation_run_both_sides(bench):
    ours = bench._ours(g=[0.9], J0=[1.0], input_scaling=[0.5], dt=[0.3, 0.9])
    rpy = bench._rpy(sr=[0.9], input_scaling=[0.5], lr=[0.3, 1.0])
    spec = bench.TaskSpec("mackey_glass_gen_N20", "tiny generation", 20, "nrmse_closed_loop", gen_task,
                          {bench.OURS: ours, bench.RPY: rpy}, (1e-8, 1e-4), (11, 12), (0, 1, 2))
    backends = (bench.OURS, bench.RPY) if bench.reservoirpy_available() else (bench.OURS,)
    record = bench.run_task(spec, backends, progress=None)
    for side in backends:
        entry = record["sides"][side]
        assert len(entry["test_scores"]) == 3 and len(entry["last_step_scores"]) == 3
        assert np.all(np.asarray(entry["test_scores"]) >= 0)
        assert entry["last_step_summary"]["n"] == 3
    json.dumps(to_jsonable(record), allow_nan=False)


def test_closed_loop_metric_only_for_generation(bench):
    loop = bench.CLOSED_LOOP[bench.OURS]({"g": 0.9, "J0": 1.0, "input_scaling": 0.5, "dt": 0.3, "substeps": 1,
                                          "include_h": True}, 20, 3, gen_task())
    with pytest.raises(ValueError, match="nrmse_closed_loop"):
        bench.score("nrmse", loop, gen_task(), 1e-6, slice(100, 600), slice(640, 670))
