"""The balanced reservoir (simulate.reservoir) against ReservoirPy's echo-state network, on the same data.

Usage::

    python benchmarks/bench_reservoir.py [--quick] [--out bench_reservoir.json] [--threads 1] [--only ROW ...]
                                         [--no-reservoirpy]

``--quick`` (about 2 minutes) keeps N = 100, 2 selection and 10 evaluation
realisations and skips digits; the full run (about an hour on 2 cores)
adds N = 400 and 1,000 (flip-flop), N = 200 and 1,000 (NARMA-10), N = 1,000
(memory capacity, Mackey-Glass one-step), N = 400 (Mackey-Glass
generation), digits (N = 300) and MNIST-1D (N = 200), with 5 selection and
20 evaluation realisations; ``--only ROW`` runs single rows. Without ReservoirPy installed
(``pip install reservoirpy==0.4.2``, the ``bench`` extra) only our side runs.

Both sides see identical task data, splits, readout and metric: the tasks
come from :mod:`simulate.tasks`, the readout is :class:`simulate.readouts.RidgeReadout`
(:class:`~simulate.readouts.RidgeClassifierReadout` for digits) fitted on
either side's states, the scores are :mod:`simulate.metrics`. ReservoirPy
(0.4.2) only provides its reservoir states:
``reservoirpy.nodes.Reservoir(units=N, lr, sr, input_scaling, seed)`` with
its defaults otherwise (normal W of density rc_connectivity = 0.1,
Bernoulli +-1 input weights of density 0.1, no bias, tanh), states from
``.run(u)`` starting at 0. Our side: ``simulate.reservoir.Reservoir`` on
``meanfield.Network(N, g, J0)`` with dense input weights; its features are
phi(x) and the population state h (``include_h=True``), so it has N + 1
features against N. The row "ours, no h" scores the same selected point
and realisations without the h column, to show what that feature adds.

Tasks: flip-flop (p = 0.01, T = 12,000; test sign accuracy, and how many
realisations exceed 0.95), memory capacity (u ~ U[-0.8, 0.8], k_max = 2N,
MC on the test rows), NARMA-10 (standard form; NRMSE = RMSE / std of the
test targets), Mackey-Glass tau = 17 one-step prediction (the same NRMSE)
and 84-step closed-loop generation (below) and, in the full run, scikit-learn's 8x8 digits read row by
row (test accuracy of the final state and the time mean of the states).

Selection, the same budget on both sides: a grid of the same number of
reservoir points (ours: g, J0, input_scaling and the leak dt, one substep;
ReservoirPy: sr, input_scaling, lr) times the same ridge values, scored on
a validation split carved out of the train rows (the last quarter of a
time series, a random quarter of the training sequences; the readout is
fitted on the rest of train) by the median over a few selection
realisations. The test rows never enter the selection. At the selected
point the readout is refitted on all train rows and scored on the test
rows for each of >= 10 evaluation realisations (seeds disjoint from the
selection seeds), reported as the median, a bootstrap 95 % interval of the
median and the 10-90 % range over realisations. Memory capacity adds
ReservoirPy with an orthogonal W (``W=reservoirpy.mat_gen.orthogonal``,
the same budget), the strongest linear memory it offers. The flip-flop at
N = 100 also scores, for information, a point of ours fixed before this
benchmark (the lead's (g, J0) = (0.5, 1), input scaling 5, dt 0.1, ridge
1e-6); it takes no part in the selection.

Mackey-Glass generation (Jaeger & Haas 2004): the one-step readout is
fitted by teacher forcing; then the reservoir, driven by the true series up
to the horizon, is fed its own output as the next input for 84 steps (ours:
``ReservoirRealisation.generate``, the loops of all ridges batched as
replicas; ReservoirPy: ``Reservoir.step``, the update of ``.run``, one loop
after another). Score: the NRMSE over the 84 steps divided by the std of
the whole series (not of the short horizon), and the error of the last
step alone. Selection closes the loop on the 84 rows before the test
horizon, with the readout fitted on the rows before them.

Speed: wall time per input sample of the state update alone (no readout,
no feature map) at each side's selected flip-flop point, best of several
repetitions, for one trajectory on both sides, and for 10 trajectories:
ours batched as 10 initial states on one network in one run, ReservoirPy as
10 separate runs. The machine may be shared, so everything runs with
``--threads`` (default 1) Numba and OpenBLAS threads, and the load average
is recorded.

'previous' values are ReservoirPy 0.4.2 figures measured earlier on this
machine with other scripts; they are printed for orientation only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import meanfield as mf
from meanfield.arguments import writable_file
from meanfield.jsonable import to_jsonable
from simulate import tasks
from simulate.metrics import accuracy, memory_capacity, nrmse, sign_accuracy
from simulate.readouts import RidgeClassifierReadout, RidgeReadout, sequence_features
from simulate.reservoir import Reservoir
from simulate.tasks import SequenceTaskData

OURS, RPY, RPY_ORTH = "ours", "reservoirpy", "reservoirpy_orthogonal"
NO_H = "ours_no_h"
SIDE_LABELS = {OURS: "balanced (ours)", RPY: "ReservoirPy ESN", RPY_ORTH: "RPy ESN, orth. W",
               NO_H: "ours, no h"}
#: side -> the package that provides its states
BACKEND = {OURS: OURS, RPY: RPY, RPY_ORTH: RPY}

#: metric -> (printed name, higher is better)
METRICS = {
    "sign_accuracy": ("sign accuracy", True),
    "memory_capacity": ("memory capacity", True),
    "nrmse": ("NRMSE", False),
    "accuracy": ("accuracy", True),
    "nrmse_closed_loop": ("closed-loop NRMSE over the horizon (RMSE / std of the whole series)", False),
}

#: ReservoirPy 0.4.2 figures measured earlier on this machine (other scripts; not re-run here).
PREVIOUS = {
    "flip_flop_N100": "median 0.641 over 12 realisations, 4/12 above 0.95",
    "flip_flop_N400": "median 0.958",
    "memory_capacity_N100": "26.4 (normal W, input scaling 0.1); 73.2 (orthogonal W, sr 0.99)",
    "narma10_N100": "0.358",
    "narma10_N200": "0.285",
    "digits_N300": "0.966",
}

#: Flip-flop accuracy counted as solved.
SOLVED = 0.95


# ----------------------------------------------------------------------------------------------
# reservoir states of either side


def ours_states(point: dict, N: int, seed: int, u: np.ndarray) -> np.ndarray:
    """Features (R, T, F) of our reservoir at ``point`` for inputs u (T, d) or (R, T, d)."""
    net = mf.Network(N=N, g=point["g"], J0=point["J0"])
    res = Reservoir(net, n_inputs=u.shape[-1], input_scaling=point["input_scaling"], input_mode="dense",
                    substeps=point["substeps"], dt=point["dt"], include_h=point["include_h"], bias=False)
    return res.realise(seed).run(u).features()


def rpy_reservoir(point: dict, N: int, seed: int):
    """ReservoirPy's Reservoir at ``point`` (its defaults otherwise; W orthogonal if point["W"] says so)."""
    from reservoirpy.nodes import Reservoir as EsnReservoir

    kwargs = {}
    if point.get("W", "normal") == "orthogonal":
        from reservoirpy.mat_gen import orthogonal

        kwargs["W"] = orthogonal
    return EsnReservoir(units=N, lr=point["lr"], sr=point["sr"], input_scaling=point["input_scaling"],
                        seed=seed, **kwargs)


def rpy_states(point: dict, N: int, seed: int, u: np.ndarray) -> np.ndarray:
    """States (R, T, N) of ReservoirPy's reservoir for inputs u (T, d) or (R, T, d), each from 0."""
    states = np.asarray(rpy_reservoir(point, N, seed).run(u), dtype=np.float64)
    return states if states.ndim == 3 else states[None]


STATES = {OURS: ours_states, RPY: rpy_states, RPY_ORTH: rpy_states}


class ClosedLoopFeatures:
    """Teacher-forced features of a generation task, and closed-loop runs from two points of the series.

    ``rows`` (test_start, F) are the features of the rows before the test
    horizon (teacher forcing, for fitting the readout); ``generate(readouts,
    start)`` closes the loop after row start - 1 (start = the validation or the
    test horizon's first row) once per readout (one per ridge) and returns
    the outputs (n_readouts, horizon). The reservoir state at both points is
    kept from the one teacher-forced run.
    """

    def __init__(self, rows: np.ndarray, generate: Callable[[object, int], np.ndarray]):
        self.rows = rows
        self.generate = generate

    def __getitem__(self, index):
        return self.rows[index]


def _loop_points(task) -> tuple[int, int, int]:
    """(validation start, test start, horizon) of a generation task: validation is the horizon before the test."""
    horizon = task.params["horizon"]
    return task.test.start - horizon, task.test.start, horizon


def ours_closed_loop(point: dict, N: int, seed: int, task) -> ClosedLoopFeatures:
    """Our reservoir on a generation task: run, then ReservoirRealisation.generate from the kept states."""
    net = mf.Network(N=N, g=point["g"], J0=point["J0"])
    res = Reservoir(net, n_inputs=1, input_scaling=point["input_scaling"], input_mode="dense",
                    substeps=point["substeps"], dt=point["dt"], include_h=point["include_h"], bias=False)
    rr = res.realise(seed)
    v, t, horizon = _loop_points(task)
    first = rr.run(task.inputs[:v])
    second = rr.run_from(first.final, task.inputs[v:t])
    kept = {v: first, t: second}

    def generate(readouts, start):
        # the loops of all readouts (ridges) side by side, as replicas of one network: batched
        return rr.generate(list(readouts), None, horizon, start=kept[start]).outputs[:, :, 0]

    return ClosedLoopFeatures(np.concatenate([first.features()[0], second.features()[0]]), generate)


def rpy_closed_loop(point: dict, N: int, seed: int, task) -> ClosedLoopFeatures:
    """ReservoirPy's reservoir on a generation task: ``run`` (teacher forcing), then ``step`` on the readout's output.

    ``Node.step`` applies the same update (``_step``) as ``Node.run``, one sample at a time.
    """
    node = rpy_reservoir(point, N, seed)
    v, t, horizon = _loop_points(task)
    first = np.asarray(node.run(task.inputs[:v]), dtype=np.float64)
    kept = {v: {k: np.array(a, copy=True) for k, a in node.state.items()}}
    second = np.asarray(node.run(task.inputs[v:t]), dtype=np.float64)
    kept[t] = {k: np.array(a, copy=True) for k, a in node.state.items()}
    rows = np.concatenate([first, second])

    def generate(readouts, start):
        out = np.full((len(readouts), horizon), np.inf)
        for r, readout in enumerate(readouts):    # one node state: the loops run one after another
            node.state = {k: np.array(a, copy=True) for k, a in kept[start].items()}
            y = float(readout.predict(rows[start - 1][None])[0])
            for k in range(horizon):
                if not np.isfinite(y):
                    break                          # diverged: the rest of this loop stays inf
                x = np.asarray(node.step(np.array([y])), dtype=np.float64)
                out[r, k] = y = float(readout.predict(x[None])[0])
        return out

    return ClosedLoopFeatures(rows, generate)


CLOSED_LOOP = {OURS: ours_closed_loop, RPY: rpy_closed_loop, RPY_ORTH: rpy_closed_loop}


def features_function(side: str, N: int, task) -> Callable[[dict, int], np.ndarray]:
    """(point, seed) -> one feature row per task row: (T, F) for a time series, (n_sequences, 2F) for sequences.

    Sequences are run side by side (ours: replicas of one network from one
    initial state; ReservoirPy: one run per sequence from 0); a sequence's
    row is its final state and the time mean of its states.
    """
    states = STATES[side]
    if getattr(task, "closed_loop", False):
        loop = CLOSED_LOOP[side]
        return lambda point, seed: loop(point, N, seed, task)

    def features_of(point, seed):
        if isinstance(task, SequenceTaskData):
            return sequence_features(states(point, N, seed, task.sequences), time_axis=1, mean_from=0)
        return states(point, N, seed, task.inputs)[0]

    return features_of


# ----------------------------------------------------------------------------------------------
# scores, validation split, selection


def score(metric: str, features: np.ndarray, task, ridge: float, fit_rows, score_rows) -> float:
    """Fit the readout on ``fit_rows`` of the features and score it on ``score_rows``.

    Parameters
    ----------
    metric : {"sign_accuracy", "memory_capacity", "nrmse", "accuracy"}
    features : array (rows, F)
        One row per task row (time series) or per sequence.
    task : TaskData or SequenceTaskData
    ridge : float
    fit_rows, score_rows : slice or index array
    """
    return score_details(metric, features, task, ridge, fit_rows, score_rows)["score"]


def score_details(metric: str, features, task, ridge: float, fit_rows, score_rows) -> dict:
    """:func:`score` as {"score": ...}; a closed-loop task adds "last_step", the error of the horizon's last step.

    Closed loop: the readout is fitted by teacher forcing on ``fit_rows``, the
    loop closes at ``score_rows.start`` for the ``score_rows`` horizon, and
    both errors are divided by the standard deviation of the whole series
    (``task.params["signal_std"]``); a closed loop that diverges scores inf.
    """
    return score_ridges(metric, features, task, (ridge,), fit_rows, score_rows)[0]


def score_ridges(metric: str, features, task, ridges, fit_rows, score_rows) -> list[dict]:
    """:func:`score_details` for each ridge; a closed-loop task runs the loops of all ridges together."""
    if not getattr(task, "closed_loop", False):
        return [{"score": _score_open_loop(metric, features, task, ridge, fit_rows, score_rows)} for ridge in ridges]
    if metric != "nrmse_closed_loop":
        raise ValueError(f"the closed-loop task {task.name!r} is scored by 'nrmse_closed_loop', not {metric!r}")
    readouts = [RidgeReadout(ridge=ridge).fit(features[fit_rows], task.targets[fit_rows, 0]) for ridge in ridges]
    target, norm = task.targets[score_rows, 0], task.params["signal_std"]
    try:
        preds = features.generate(readouts, score_rows.start)
    except (FloatingPointError, ValueError):    # a non-finite state or readout output
        preds = np.full((len(ridges), target.size), np.inf)
    out = []
    for pred in preds:
        if not np.all(np.isfinite(pred)):
            out.append({"score": np.inf, "last_step": np.inf})
        else:
            out.append({"score": nrmse(pred, target, norm=norm), "last_step": abs(pred[-1] - target[-1]) / norm})
    return out


def _score_open_loop(metric: str, features: np.ndarray, task, ridge: float, fit_rows, score_rows) -> float:
    if isinstance(task, SequenceTaskData):
        labels = task.labels
        readout = RidgeClassifierReadout(ridge=ridge).fit(features[fit_rows], labels[fit_rows])
        return accuracy(readout.predict(features[score_rows]), labels[score_rows])
    y = task.targets if task.n_outputs > 1 else task.targets[:, 0]
    readout = RidgeReadout(ridge=ridge).fit(features[fit_rows], y[fit_rows])
    pred, target = readout.predict(features[score_rows]), y[score_rows]
    if metric == "sign_accuracy":
        return sign_accuracy(pred, target)
    if metric == "nrmse":
        return nrmse(pred, target)
    if metric == "memory_capacity":
        return memory_capacity(pred, target).total
    raise ValueError(f"metric {metric!r} does not apply to the time-series task {task.name!r}")


def validation_split(task, fraction: float = 0.25, seed: int = 0):
    """(fit rows, validation rows), both inside the task's train rows.

    A time series keeps its order: the validation rows are the last
    ``fraction`` of train. Sequences: a random ``fraction`` of the training
    sequences (drawn from ``seed``) is held out. The test rows are in neither.
    """
    if getattr(task, "closed_loop", False):    # generation: validate on the closed-loop horizon before the test
        v, t, horizon = _loop_points(task)
        if v <= task.train.start + 1:
            raise ValueError(f"train rows {task.train} too few to hold out a validation horizon of {horizon}")
        return slice(task.train.start, v), slice(v, t)
    if isinstance(task, SequenceTaskData):
        idx = np.random.default_rng(seed).permutation(task.train)
        n_val = max(1, round(fraction * idx.size))
        return np.sort(idx[n_val:]), np.sort(idx[:n_val])
    start, stop = task.train.start, task.train.stop
    cut = stop - max(1, round(fraction * (stop - start)))
    if cut <= start:
        raise ValueError(f"train rows {task.train} too few to hold out a validation split")
    return slice(start, cut), slice(cut, stop)


@dataclass(frozen=True)
class Selection:
    """Outcome of :func:`grid_search`.

    Attributes
    ----------
    point : dict
        Selected reservoir point.
    ridge : float
        Selected ridge.
    scores : array (n_points, n_ridges, n_seeds)
        Validation score of every grid point and selection realisation (NaN: failed run).
    median, mean : arrays (n_points, n_ridges)
        Their median over realisations (the selection criterion) and mean (its tie-break).
    """

    point: dict
    ridge: float
    scores: np.ndarray
    median: np.ndarray
    mean: np.ndarray


def best_index(median: np.ndarray, mean: np.ndarray, higher: bool) -> tuple[int, int]:
    """(point, ridge) index of the best median, ties broken by the best mean.

    Equal medians happen (several points at accuracy 1); equal medians and
    means go to the first in grid order. NaN (a failed realisation) ranks
    last.
    """
    sign = 1.0 if higher else -1.0

    def key(ij):
        if np.isnan(median[ij]):
            return (-np.inf, -np.inf)
        return (sign * median[ij], sign * mean[ij])

    return max(np.ndindex(median.shape), key=key)  # max keeps the first of equal keys


def grid_search(features_of, points, ridges, seeds, task, metric: str, progress=None) -> Selection:
    """Pick the (point, ridge) of best median validation score over the selection realisations.

    ``features_of(point, seed)`` gives the feature rows of one realisation;
    the readout is fitted and scored on :func:`validation_split` of the
    train rows only. A realisation whose run fails (non-finite state)
    scores NaN and its point ranks last. Ties: :func:`best_index`.
    """
    higher = METRICS[metric][1]
    fit_rows, val_rows = validation_split(task)
    scores = np.full((len(points), len(ridges), len(seeds)), np.nan)
    for i, point in enumerate(points):
        t0 = time.perf_counter()
        for s, seed in enumerate(seeds):
            try:
                F = features_of(point, seed)
            except FloatingPointError:  # NonFiniteStateError: a diverging reservoir scores NaN
                continue
            for j, d in enumerate(score_ridges(metric, F, task, ridges, fit_rows, val_rows)):
                scores[i, j, s] = d["score"]
        if progress:
            best = np.nanmax if higher else np.nanmin
            progress(f"    grid {i + 1:2d}/{len(points)} {_point_text(point)}: best validation median "
                     f"{best(np.median(scores[i], axis=1)):.4g} ({time.perf_counter() - t0:.1f} s)")
    median, mean = np.median(scores, axis=2), np.mean(scores, axis=2)  # NaN whenever a realisation failed
    i, j = best_index(median, mean, higher)
    return Selection(point=dict(points[i]), ridge=float(ridges[j]), scores=scores, median=median, mean=mean)


def evaluate(features_of, point, ridge, seeds, task, metric: str, details: list | None = None) -> np.ndarray:
    """Test score of each evaluation realisation: readout fitted on all train rows, scored on the test rows.

    ``details``, if given, receives each realisation's :func:`score_details`.
    """
    out = [score_details(metric, features_of(point, seed), task, ridge, task.train, task.test) for seed in seeds]
    if details is not None:
        details.extend(out)
    return np.array([d["score"] for d in out])


def summarise(values, metric: str, n_boot: int = 10_000, seed: int = 0) -> dict:
    """Median, bootstrap 95 % interval of the median, 10-90 % range; flip-flop: count above 0.95."""
    v = np.asarray(values, dtype=np.float64)
    boot = np.median(np.random.default_rng(seed).choice(v, (n_boot, v.size)), axis=1)
    out = {"n": int(v.size), "median": float(np.median(v)), "mean": float(v.mean()),
           "median_ci95": [float(q) for q in np.quantile(boot, [0.025, 0.975])],
           "range_10_90": [float(q) for q in np.quantile(v, [0.1, 0.9])]}
    if metric == "sign_accuracy":
        out["n_above_0.95"] = int(np.sum(v > SOLVED))
    return out


# ----------------------------------------------------------------------------------------------
# task specifications


def product_grid(**axes) -> list[dict]:
    """Every combination of the axis values, as dicts, in itertools.product order."""
    names = list(axes)
    return [dict(zip(names, values)) for values in itertools.product(*(axes[n] for n in names))]


@dataclass(frozen=True)
class TaskSpec:
    """One benchmark row: a task at one N, its grids and seeds.

    ``grids`` maps each side to its list of reservoir points; all must have
    the same length (the same search budget), and the sides share
    ``ridges``, ``selection_seeds`` and ``eval_seeds``. ``reference_points``
    (name -> (point, ridge)) are points of our reservoir fixed before this
    benchmark, scored on the test rows for information, never selected.
    """

    key: str
    label: str
    N: int
    metric: str
    make_task: Callable
    grids: dict
    ridges: tuple
    selection_seeds: tuple
    eval_seeds: tuple
    reference_points: dict = field(default_factory=dict)

    def __post_init__(self):
        sizes = {side: len(points) for side, points in self.grids.items()}
        if len(set(sizes.values())) != 1:
            raise ValueError(f"{self.key}: grids of different sizes {sizes}; the search budget must be equal")
        if set(self.selection_seeds) & set(self.eval_seeds):
            raise ValueError(f"{self.key}: selection and evaluation seeds overlap")


def _ours(**axes) -> list[dict]:
    axes.setdefault("include_h", [True])
    axes.setdefault("substeps", [1])
    return product_grid(**axes)


def _rpy(**axes) -> list[dict]:
    return product_grid(**axes)


def task_specs(quick: bool) -> list[TaskSpec]:
    """The benchmark's rows; ``quick``: N = 100 only, no digits, 2 selection and 10 evaluation seeds.

    The grids were placed, for both sides alike, around the regions that a
    coarser exploration on the validation split of the selection seeds
    found good; each side's grid holds the same number of points.
    """
    selection = (1001, 1002) if quick else (1001, 1002, 1003, 1004, 1005)
    evaluation = tuple(range(10 if quick else 20))
    ridges = (1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0)
    specs = []

    # flip-flop; the grid holds the lead's point (g, J0) = (0.5, 1), input scaling 5, dt 0.1
    ff = {OURS: _ours(g=[0.5, 1.0], J0=[0.5, 1.0], input_scaling=[5.0, 10.0], dt=[0.1, 0.3]),
          RPY: _rpy(sr=[0.8, 1.0], input_scaling=[1.0, 5.0], lr=[0.03, 0.1, 0.3, 1.0])}
    lead = {"lead's point": ({"g": 0.5, "J0": 1.0, "input_scaling": 5.0, "dt": 0.1, "include_h": True,
                              "substeps": 1}, 1e-6)}
    for N in ((100,) if quick else (100, 400, 1000)):
        specs.append(TaskSpec(f"flip_flop_N{N}", f"flip-flop p=0.01 T=12000, N={N}", N, "sign_accuracy",
                              lambda: tasks.flip_flop(T=12_000, p=0.01, seed=1), ff, ridges, selection,
                              evaluation, reference_points=lead if N == 100 else {}))

    # memory capacity; ReservoirPy also with an orthogonal W, its strongest linear-memory reservoir
    mc = {OURS: _ours(g=[0.9, 0.99], J0=[0.1, 1.0], input_scaling=[0.01, 0.1], dt=[0.6, 0.95]),
          RPY: _rpy(sr=[0.9, 0.99], input_scaling=[0.01, 0.1], lr=[0.3, 0.6, 0.9, 1.0]),
          RPY_ORTH: _rpy(sr=[0.9, 0.99], input_scaling=[0.01, 0.1], lr=[0.3, 0.6, 0.9, 1.0], W=["orthogonal"])}
    specs.append(TaskSpec("memory_capacity_N100", "memory capacity k_max=200 T=6000, N=100", 100,
                          "memory_capacity", lambda: tasks.memory_capacity_task(T=6000, k_max=200, seed=2), mc,
                          ridges, selection, evaluation))
    if not quick:
        # k_max = 2N needs a washout of 2N rows; T = 8000 keeps 3,333 train and 2,667 test rows for 1,001 features
        specs.append(TaskSpec("memory_capacity_N1000", "memory capacity k_max=2000 T=8000, N=1000", 1000,
                              "memory_capacity", lambda: tasks.memory_capacity_task(T=8000, k_max=2000, seed=2),
                              mc, ridges, selection, evaluation))

    # NARMA-10, standard form
    na = {OURS: _ours(g=[0.8, 0.9], J0=[0.3, 1.0], input_scaling=[0.1, 0.5], dt=[0.6, 0.95]),
          RPY: _rpy(sr=[0.8, 0.9, 0.95, 0.99], input_scaling=[0.2, 0.5], lr=[0.6, 1.0])}
    for N in ((100,) if quick else (100, 200, 1000)):
        specs.append(TaskSpec(f"narma10_N{N}", f"NARMA-10 standard T=6000, N={N}", N, "nrmse",
                              lambda: tasks.narma(T=6000, order=10, form="standard", seed=3), na, ridges,
                              selection, evaluation))

    if not quick:
        dg = {OURS: _ours(g=[0.5, 1.0, 1.5], J0=[0.3, 1.0], input_scaling=[0.5], dt=[0.3, 0.9]),
              RPY: _rpy(sr=[0.5, 0.9, 1.25], input_scaling=[0.5, 2.0], lr=[0.3, 1.0])}
        specs.append(TaskSpec("digits_N300", "digits 8x8 (rows as steps), N=300", 300, "accuracy",
                              lambda: tasks.digits_sequences(seed=4), dg, ridges, selection, evaluation))

        # MNIST-1D: ReservoirPy 64.0 % at N = 200 on this machine; an MLP gets 68 %, a GRU 91 % (Greydanus 2020)
        m1 = {OURS: _ours(g=[0.5, 1.0, 1.5], J0=[0.3, 1.0], input_scaling=[0.5], dt=[0.3, 0.9]),
              RPY: _rpy(sr=[0.5, 0.9, 1.25], input_scaling=[0.5, 2.0], lr=[0.3, 1.0])}
        # N = 200 only: ReservoirPy runs the 5,000 sequences one by one (about 15 min of its search at N = 200)
        specs.append(TaskSpec("mnist1d_N200", "MNIST-1D 4000/1000, length 40, N=200", 200, "accuracy",
                              lambda: tasks.mnist1d(seed=5), m1, ridges, selection[:3], evaluation[:10]))

    # Mackey-Glass tau = 17, one-step prediction
    mg = {OURS: _ours(g=[0.8, 0.95], J0=[0.3, 1.0], input_scaling=[0.1, 0.5], dt=[0.3, 0.9]),
          RPY: _rpy(sr=[0.8, 0.95, 1.1, 1.25], input_scaling=[0.2, 1.0], lr=[0.3, 1.0])}
    # Mackey-Glass 84-step closed-loop generation (Jaeger & Haas 2004): the one-step grids, teacher-forced fit;
    # validated on the 84-step horizon before the test horizon
    for N in ((100,) if quick else (100, 400)):
        specs.append(TaskSpec(f"mackey_glass_gen_N{N}", f"Mackey-Glass tau=17 84-step closed loop T=6000 "
                              f"(NRMSE / std of whole series), N={N}", N, "nrmse_closed_loop",
                              lambda: tasks.mackey_glass(T=6000, task="generate", horizon=84, seed=6), mg, ridges,
                              selection, evaluation))
    for N in ((100,) if quick else (100, 1000)):
        specs.append(TaskSpec(f"mackey_glass_N{N}", f"Mackey-Glass tau=17 one-step T=6000, N={N}", N, "nrmse",
                              lambda: tasks.mackey_glass(T=6000, task="predict", seed=6), mg, ridges, selection,
                              evaluation))
    return specs


# ----------------------------------------------------------------------------------------------
# running


def _point_text(point: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in point.items() if k != "include_h")


def run_task(spec: TaskSpec, backends, progress=print) -> dict:
    """Select, then evaluate, every side of ``spec`` whose backend is available; the row's JSON-ready record.

    ``progress`` (a print function, or None for silence) receives a line per grid point and side.
    """
    progress = progress or (lambda msg: None)
    task = spec.make_task()
    record = {"label": spec.label, "N": spec.N, "metric": spec.metric, "task": task.params,
              "ridges": list(spec.ridges), "selection_seeds": list(spec.selection_seeds),
              "eval_seeds": list(spec.eval_seeds), "sides": {}, "reference_points": {}}
    for side, grid in spec.grids.items():
        if BACKEND[side] not in backends:
            continue
        progress(f"  {SIDE_LABELS[side]}: {len(grid)} points x {len(spec.ridges)} ridges, "
                 f"{len(spec.selection_seeds)} selection realisations")
        features_of = features_function(side, spec.N, task)
        t0 = time.perf_counter()
        sel = grid_search(features_of, grid, spec.ridges, spec.selection_seeds, task, spec.metric, progress)
        t_select = time.perf_counter() - t0
        t0 = time.perf_counter()
        details = []
        scores = evaluate(features_of, sel.point, sel.ridge, spec.eval_seeds, task, spec.metric, details)
        t_eval = time.perf_counter() - t0
        i = next(k for k, point in enumerate(grid) if point == sel.point)
        j = list(spec.ridges).index(sel.ridge)
        entry = {"selected": {"point": sel.point, "ridge": sel.ridge,
                              "validation_median": float(sel.median[i, j]),
                              "validation_mean": float(sel.mean[i, j])},
                 "grid": grid, "validation_scores": sel.scores, "test_scores": scores,
                 "summary": summarise(scores, spec.metric),
                 "seconds": {"selection": t_select, "evaluation": t_eval}}
        if getattr(task, "closed_loop", False):
            last = np.array([d["last_step"] for d in details])
            entry["last_step_scores"] = last
            entry["last_step_summary"] = summarise(last, spec.metric)
        record["sides"][side] = entry
        progress(f"  {SIDE_LABELS[side]}: selected {_point_text(sel.point)} ridge={sel.ridge:g}; test median "
                 f"{entry['summary']['median']:.4g} ({t_select:.0f} s selection, {t_eval:.0f} s evaluation)")
        if side == OURS and sel.point.get("include_h"):
            no_h = dict(sel.point, include_h=False)
            scores = evaluate(features_of, no_h, sel.ridge, spec.eval_seeds, task, spec.metric)
            record["sides"][NO_H] = {"selected": {"point": no_h, "ridge": sel.ridge},
                                     "test_scores": scores, "summary": summarise(scores, spec.metric)}
    if OURS in backends:
        features_of = features_function(OURS, spec.N, task)
        for name, (point, ridge) in spec.reference_points.items():
            scores = evaluate(features_of, point, ridge, spec.eval_seeds, task, spec.metric)
            record["reference_points"][name] = {"point": point, "ridge": ridge, "test_scores": scores,
                                                "summary": summarise(scores, spec.metric)}
    return record


def time_states(N: int, u: np.ndarray, ours_point: dict, rpy_point: dict | None, repeat: int = 3,
                replicas: int = 10) -> dict:
    """Best wall time per input sample of the state update (no readout), ours and ReservoirPy.

    ours_1 / rpy_1: one trajectory; ours_batched: ``replicas`` initial
    states of one network in one batched run; rpy_separate: ``replicas``
    separate ReservoirPy runs. Realisation drawing and ReservoirPy's
    initialisation (its spectral-radius computation) are outside the timings.
    """
    T = u.shape[0]

    def best(fn):
        fn()  # warm-up: Numba compilation, caches
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times) / T

    net = mf.Network(N=N, g=ours_point["g"], J0=ours_point["J0"])
    rr = Reservoir(net, input_scaling=ours_point["input_scaling"], substeps=ours_point["substeps"],
                   dt=ours_point["dt"], include_h=ours_point["include_h"], bias=False).realise(0)
    out = {"T": T, "replicas": replicas, "ours_point": ours_point,
           "ours_1": best(lambda: rr.run(u)),
           "ours_batched": best(lambda: rr.run(u, n_initial=replicas))}
    if rpy_point is not None:
        node = rpy_reservoir(rpy_point, N, 0)
        node.run(u[:2])  # initialisation: W, W_in and the spectral radius

        def one():
            node.reset()
            node.run(u)

        def separate():
            for _ in range(replicas):
                one()

        out["rpy_point"] = rpy_point
        out["rpy_1"] = best(one)
        out["rpy_separate"] = best(separate)
        out["ratio_1"] = out["rpy_1"] / out["ours_1"]
        out["ratio_batched"] = out["rpy_separate"] / out["ours_batched"]
    return out


def set_threads(n: int) -> None:
    """n Numba and OpenBLAS threads in this process."""
    import numba

    from validation.threads import set_blas_threads

    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    set_blas_threads(n)


def versions(have_rpy: bool) -> dict:
    import numba
    import scipy
    import sklearn

    out = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
           "numba": numba.__version__, "scikit-learn": sklearn.__version__,
           "meanfield": mf.results.package_version(), "platform": platform.platform()}
    if have_rpy:
        import reservoirpy

        out["reservoirpy"] = reservoirpy.__version__
    return out


def reservoirpy_available() -> bool:
    try:
        import reservoirpy  # noqa: F401
    except ImportError:
        return False
    return True


# ----------------------------------------------------------------------------------------------
# printing


def _fmt(summary: dict, metric: str) -> str:
    lo, hi = summary["median_ci95"]
    q10, q90 = summary["range_10_90"]
    f = ".3g" if abs(summary["median"]) < 0.01 else ".3f"    # Mackey-Glass one-step NRMSE is ~1e-4
    text = f"{summary['median']:{f}} [{lo:{f}}, {hi:{f}}]  ({q10:{f}}-{q90:{f}})"
    if metric == "sign_accuracy":
        text += f"  {summary['n_above_0.95']}/{summary['n']} > 0.95"
    return text


def print_table(rows: dict, timing: list) -> None:
    """The side-by-side table of test scores, then the state-update timings."""
    print("\n" + "=" * 110)
    print("Test scores over evaluation realisations: median [bootstrap 95 % CI of the median] (10-90 % range),"
          " at the point selected on validation")
    print("=" * 110)
    for key, row in rows.items():
        name, higher = METRICS[row["metric"]]
        n = next(iter(row["sides"].values()))["summary"]["n"]
        print(f"\n{row['label']}: test {name} ({'higher' if higher else 'lower'} is better), {n} realisations")
        for side, entry in row["sides"].items():
            sel = entry["selected"]
            val = f" (validation median {sel['validation_median']:.3g})" if "validation_median" in sel else ""
            print(f"  {SIDE_LABELS[side]:18s} {_fmt(entry['summary'], row['metric']):54s} "
                  f"{_point_text(sel['point'])} ridge={sel['ridge']:g}{val}")
            if "last_step_summary" in entry:
                print(f"  {'  last step':18s} {_fmt(entry['last_step_summary'], row['metric']):54s} "
                      f"|error| of the horizon's last step / std of the series")
        for ref_name, ref in row["reference_points"].items():
            print(f"  {'ours, ' + ref_name:18s} {_fmt(ref['summary'], row['metric']):54s} "
                  f"{_point_text(ref['point'])} ridge={ref['ridge']:g} (fixed in advance, not selected)")
        if key in PREVIOUS:
            print(f"  {'previous (RPy)':18s} {PREVIOUS[key]}")
        if OURS in row["sides"]:
            a = row["sides"][OURS]["summary"]["median"]
            for side in (RPY, RPY_ORTH):
                if side in row["sides"]:
                    b = row["sides"][side]["summary"]["median"]
                    winner = "ours" if (a > b if higher else a < b) else SIDE_LABELS[side]
                    print(f"  -> vs {SIDE_LABELS[side]}: {winner} better; median ours / theirs = {a / b:.3f}")
            # the whole experiment (grid search and evaluation over all realisations), wall time per side
            t_ours = sum(row["sides"][OURS]["seconds"].values())
            if RPY in row["sides"]:
                t_rpy = sum(row["sides"][RPY]["seconds"].values())
                print(f"  -> experiment wall time: ours {t_ours:.0f} s, ReservoirPy {t_rpy:.0f} s "
                      f"(ReservoirPy / ours = {t_rpy / t_ours:.2f}x; target >= 3x)")
    if timing:
        print("\nState update only (no readout), wall time per input sample, best of repeats:")
        for t in timing:
            R = t["replicas"]
            line = f"  N={t['N']:4d}: ours {t['ours_1'] * 1e6:6.1f} us; ours, {R} initial states batched: " \
                   f"{t['ours_batched'] * 1e6:7.1f} us"
            if "rpy_1" in t:
                line += (f" | RPy {t['rpy_1'] * 1e6:6.1f} us; {R} separate RPy runs: {t['rpy_separate'] * 1e6:7.1f} us"
                         f" | RPy / ours: {t['ratio_1']:.2f}x single, {t['ratio_batched']:.2f}x for {R}")
            print(line)


# ----------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="N = 100 only, fewer seeds, no digits (~1-2 min)")
    p.add_argument("--out", default="bench_reservoir.json", help="JSON record of the table (default %(default)s)")
    p.add_argument("--threads", type=int, default=1, help="Numba and OpenBLAS threads (default %(default)s)")
    p.add_argument("--no-reservoirpy", action="store_true", help="run our side only")
    p.add_argument("--only", nargs="+", metavar="ROW",
                   help="run only these rows (e.g. flip_flop_N1000) and merge them into the record at --out, "
                        "keeping its other rows; each row keeps the load, versions and date of its own run")
    args = p.parse_args(argv)
    out = writable_file("--out", args.out)
    specs = task_specs(args.quick)
    if args.only:
        known = [spec.key for spec in specs]
        unknown = [k for k in args.only if k not in known]
        if unknown:
            p.error(f"--only: unknown row(s) {unknown}; choose from {', '.join(known)}")
        specs = [spec for spec in specs if spec.key in args.only]
    have_rpy = not args.no_reservoirpy and reservoirpy_available()
    if not have_rpy and not args.no_reservoirpy:
        print("ReservoirPy is not installed (pip install 'reservoirpy==0.4.2', or the 'bench' extra of "
              "pyproject.toml): running our side only.", flush=True)
    backends = (OURS, RPY) if have_rpy else (OURS,)
    set_threads(args.threads)
    load_before = os.getloadavg()

    def progress(msg):
        print(msg, flush=True)

    t_start = time.perf_counter()
    rows = {}
    for spec in specs:
        progress(f"[{time.perf_counter() - t_start:5.0f} s] {spec.label}")
        t_row = time.perf_counter()
        rows[spec.key] = run_task(spec, backends, progress)
        rows[spec.key]["run"] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                 "load_average_before": load_before, "seconds": time.perf_counter() - t_row,
                                 "versions": versions(have_rpy), "threads": args.threads}

    timing = []
    u = tasks.flip_flop(T=12_000, p=0.01, seed=1).inputs
    timed = [spec.N for spec in specs if spec.key.startswith("flip_flop_N")]
    for N in timed:
        progress(f"[{time.perf_counter() - t_start:5.0f} s] timing the state update at N={N}")
        sides = rows.get(f"flip_flop_N{N}", {}).get("sides", {})
        ours_point = sides[OURS]["selected"]["point"] if OURS in sides else \
            {"g": 0.5, "J0": 1.0, "input_scaling": 5.0, "substeps": 1, "dt": 0.1, "include_h": True}
        rpy_point = None
        if have_rpy:
            rpy_point = sides[RPY]["selected"]["point"] if RPY in sides else {"sr": 1.0, "lr": 0.3,
                                                                             "input_scaling": 1.0}
        timing.append({"N": N, **time_states(N, u, ours_point, rpy_point)})

    merged_from = None
    if args.only and Path(out).exists():   # merge into the existing record: its other rows are kept
        previous = json.loads(Path(out).read_text())
        merged_from = [*previous.get("merged_from", []),
                       {k: previous.get(k) for k in ("versions", "threads", "load_average_before", "seconds")}]
        rows = {**previous.get("tasks", {}), **rows}
        kept = [t for t in previous.get("timing", []) if t["N"] not in timed]
        timing = sorted(kept + timing, key=lambda t: t["N"])
    print_table(rows, timing)
    total = time.perf_counter() - t_start
    record = {"quick": args.quick, "threads": args.threads, "reservoirpy_compared": have_rpy,
              "versions": versions(have_rpy), "load_average_before": load_before,
              "load_average_after": os.getloadavg(), "seconds": total, "previous_reservoirpy": PREVIOUS,
              "tasks": rows, "timing": timing}
    if merged_from:
        record["merged_from"] = merged_from    # the runs that produced the rows kept from the earlier record
    Path(out).write_text(json.dumps(to_jsonable(record), indent=1))
    print(f"\ntotal {total:.0f} s; load average (1 min) {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} "
          f"after; {args.threads} thread(s); saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
