"""Reservoir-computing tasks: inputs, targets and train/test splits, deterministic from a seed.

Time-series tasks return a :class:`TaskData`. Row t holds the input u(t)
fed to the reservoir at step t and the target that the readout of the state
having received u(t) must produce. Rows ``[0, washout)`` are never scored
(transient of the reservoir, targets not yet defined), the readout is fitted
on ``train`` and scored on ``test`` (``washout <= train.start < train.stop
<= test.start < test.stop <= T``). By default ``train = [washout, 2T//3)``
and ``test = [2T//3, T)``.

* :func:`memory_capacity_task` (Jaeger 2001), scored by
  :func:`simulate.metrics.memory_capacity`;
* :func:`narma` (Atiya & Parlos 2000, or ReservoirPy's recursion);
* :func:`mackey_glass`, one-step prediction or closed-loop generation
  (84 steps) of the Mackey-Glass series of :class:`MackeyGlass`;
* :func:`flip_flop` (1-bit memory with sparse pulses) and
  :func:`delayed_recall` (sign of a pulse D steps later), scored by
  :func:`simulate.metrics.sign_accuracy`.

Sequence-classification tasks return a :class:`SequenceTaskData`
(sequences of shape (n_sequences, length, d), integer labels, index arrays
of the train and test sequences): :func:`digits_sequences` (scikit-learn's
8x8 digits read row by row) and :func:`mnist1d` (Greydanus 2020, generated
here, with the transformations of :class:`Mnist1dTransform`).

Every random draw comes from the seed (an int or a
``numpy.random.SeedSequence``, never consumed): draw a uses the a-th child
``SeedSequence(seed).spawn`` would give. Only the generators that say so
draw again (with the next child), when a draw is unusable: NARMA series
that diverge, flip-flop or recall inputs without a scored pulse. ``params``
records the seed (``meanfield.arguments.seed_record``), the draw used and
every argument, as JSON types.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from meanfield.arguments import seed_record, seed_sequence
from meanfield.model._checks import require_finite, require_int, require_range

from .realisation import child_seed

__all__ = [
    "NARMA_BOUND", "MackeyGlass", "Mnist1dTransform", "SequenceTaskData", "TaskData",
    "delayed_recall", "digits_sequences", "flip_flop", "mackey_glass", "memory_capacity_task",
    "mnist1d", "mnist1d_templates", "narma",
]


# ----------------------------------------------------------------------------------------------
# containers


def _frozen_array(owner: str, name: str, value, dtype, ndim: int) -> np.ndarray:
    try:
        array = np.array(value, dtype=dtype, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{owner}.{name} must be a {ndim}-D {np.dtype(dtype).name} array ({exc})") from None
    if array.ndim != ndim:
        raise ValueError(f"{owner}.{name} must be a {ndim}-D array, got shape {array.shape}")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{owner}.{name} must be finite")
    array.setflags(write=False)  # frozen container: no one edits the data behind the split
    return array


def _check_params(owner: str, params) -> dict:
    if not isinstance(params, dict):
        raise ValueError(f"{owner}.params must be a dict, got {type(params).__name__}")
    try:
        json.dumps(params, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{owner}.params must hold JSON types only ({exc})") from None
    return params


def _check_name(owner: str, name) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"{owner}.name must be a non-empty string, got {name!r}")
    return name


@dataclass(frozen=True, eq=False)  # arrays: compare by identity
class TaskData:
    """A time-series task: input series, target series and the rows to fit and to score.

    Attributes
    ----------
    name : str
        Task name (``"memory_capacity"``, ``"narma10"``, ...).
    inputs : float64 array (T, d)
        u(t), the input of step t.
    targets : float64 array (T, n_out)
        The target of the readout at step t.
    washout : int
        Rows before it are never fitted nor scored.
    train, test : slice
        Rows fitted and rows scored, with ``washout <= train.start <
        train.stop <= test.start < test.stop <= T``.
    params : dict
        Arguments of the generator, seed record and draw used (JSON types).
    closed_loop : bool
        True for generation tasks: from ``test.start`` on, the input of step
        t is the readout's output at step t-1 instead of ``inputs[t]`` (the
        true series, which the generator must not see).

    Raises
    ------
    ValueError
        Naming the field, for arrays of the wrong shape or non-finite values,
        slices outside that order, or params that JSON cannot hold.
    """

    name: str
    inputs: np.ndarray
    targets: np.ndarray
    washout: int
    train: slice
    test: slice
    params: dict
    closed_loop: bool = False

    def __post_init__(self):
        owner = type(self).__name__
        _check_name(owner, self.name)
        inputs = _frozen_array(owner, "inputs", self.inputs, np.float64, 2)
        targets = _frozen_array(owner, "targets", self.targets, np.float64, 2)
        if targets.shape[0] != inputs.shape[0]:
            raise ValueError(f"{owner}.targets has {targets.shape[0]} rows, inputs {inputs.shape[0]}")
        T = inputs.shape[0]
        washout = require_int(owner, "washout", self.washout, lo=0)
        for name in ("train", "test"):
            s = getattr(self, name)
            if not (isinstance(s, slice) and isinstance(s.start, Integral) and isinstance(s.stop, Integral)
                    and s.step in (None, 1)):
                raise ValueError(f"{owner}.{name} must be a slice(start, stop) of ints, got {s!r}")
        train, test = self.train, self.test
        if not washout <= train.start < train.stop <= test.start < test.stop <= T:
            raise ValueError(f"{owner}: need washout <= train.start < train.stop <= test.start < test.stop "
                             f"<= T, got washout={washout}, train={train}, test={test}, T={T}")
        if not isinstance(self.closed_loop, bool):
            raise ValueError(f"{owner}.closed_loop must be True or False, got {self.closed_loop!r}")
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "washout", washout)
        object.__setattr__(self, "params", _check_params(owner, self.params))

    @property
    def T(self) -> int:
        """Number of steps."""
        return self.inputs.shape[0]

    @property
    def n_inputs(self) -> int:
        """Input dimension d."""
        return self.inputs.shape[1]

    @property
    def n_outputs(self) -> int:
        """Number of target columns."""
        return self.targets.shape[1]


@dataclass(frozen=True, eq=False)
class SequenceTaskData:
    """A sequence-classification task: one label per input sequence.

    Attributes
    ----------
    name : str
        ``"digits"`` or ``"mnist1d"``.
    sequences : float64 array (n_sequences, length, d)
        Sequence i is fed step by step: ``sequences[i, t]`` is u(t).
    labels : int64 array (n_sequences,)
        Classes 0 .. n_classes - 1.
    train, test : int64 arrays
        Indices of the training and test sequences (disjoint, non-empty).
    n_classes : int
    params : dict
        Arguments of the generator and seed record (JSON types).

    Raises
    ------
    ValueError
        Naming the field, for arrays of the wrong shape, labels outside
        [0, n_classes), or index arrays out of range, repeated or shared.
    """

    name: str
    sequences: np.ndarray
    labels: np.ndarray
    train: np.ndarray
    test: np.ndarray
    n_classes: int
    params: dict

    def __post_init__(self):
        owner = type(self).__name__
        _check_name(owner, self.name)
        sequences = _frozen_array(owner, "sequences", self.sequences, np.float64, 3)
        n_classes = require_int(owner, "n_classes", self.n_classes, lo=2)
        labels = _frozen_array(owner, "labels", self.labels, np.int64, 1)
        n = sequences.shape[0]
        if labels.shape[0] != n:
            raise ValueError(f"{owner}.labels has {labels.shape[0]} entries, sequences {n}")
        if n and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(f"{owner}.labels must lie in [0, {n_classes})")
        indices = {}
        for name in ("train", "test"):
            idx = _frozen_array(owner, name, getattr(self, name), np.int64, 1)
            if idx.size == 0 or idx.min() < 0 or idx.max() >= n or np.unique(idx).size != idx.size:
                raise ValueError(f"{owner}.{name} must be non-empty distinct indices in [0, {n})")
            indices[name] = idx
        if np.intersect1d(indices["train"], indices["test"]).size:
            raise ValueError(f"{owner}: train and test share sequences")
        object.__setattr__(self, "sequences", sequences)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "train", indices["train"])
        object.__setattr__(self, "test", indices["test"])
        object.__setattr__(self, "n_classes", n_classes)
        object.__setattr__(self, "params", _check_params(owner, self.params))

    @property
    def length(self) -> int:
        """Steps per sequence."""
        return self.sequences.shape[1]

    @property
    def n_inputs(self) -> int:
        """Input dimension d."""
        return self.sequences.shape[2]

    def one_hot(self) -> np.ndarray:
        """The labels as one-hot float64 rows (n_sequences, n_classes), e.g. ridge targets."""
        return np.eye(self.n_classes)[self.labels]


# ----------------------------------------------------------------------------------------------
# shared pieces


def _split(owner: str, T: int, washout, test_start, *, min_washout: int = 0, why: str = ""):
    """(washout, train, test) with the default test_start = 2T//3 and test = [test_start, T)."""
    washout = require_int(owner, "washout", washout, lo=min_washout, why=why)
    test_start = 2 * T // 3 if test_start is None else require_int(owner, "test_start", test_start)
    if not washout < test_start < T:
        raise ValueError(f"{owner}: need washout < test_start < T, got washout={washout}, "
                         f"test_start={test_start}, T={T}")
    return washout, slice(washout, test_start), slice(test_start, T)


def _seed_params(ss: np.random.SeedSequence, draw: int) -> dict:
    return {"seed": seed_record(ss), "draw": draw, "draw_seed": seed_record(child_seed(ss, draw))}


def _rng(ss: np.random.SeedSequence, draw: int) -> np.random.Generator:
    return np.random.default_rng(child_seed(ss, draw))


def _pulses(rng: np.random.Generator, T: int, p: float, min_gap: int = 1) -> np.ndarray:
    """Pulse train: at an allowed step, +1 if v < p/2, -1 if p/2 <= v < p, else 0 (v ~ U[0, 1) per step).

    A step is allowed when the last pulse is at least ``min_gap`` steps back.
    """
    v = rng.random(T)
    u = np.where(v < p / 2, 1.0, np.where(v < p, -1.0, 0.0))
    if min_gap > 1:
        last = -min_gap
        for t in np.flatnonzero(u):  # refractory period: drop pulses too close to the last kept one
            if t - last < min_gap:
                u[t] = 0.0
            else:
                last = t
    return u


# ----------------------------------------------------------------------------------------------
# memory capacity


def memory_capacity_task(T: int, k_max: int, *, seed=0, washout: int | None = None,
                         test_start: int | None = None) -> TaskData:
    """Linear short-term memory task of Jaeger (2001).

    Input u(t) ~ U[-0.8, 0.8] iid (one column); target k (column k-1) is
    y_k(t) = u(t - k) for k = 1 .. k_max. Score the readout with
    :func:`simulate.metrics.memory_capacity` on the test rows:
    MC = sum_k corr^2(u(t - k), y_hat_k(t)).

    Reference: H. Jaeger, "Short term memory in echo state networks", GMD
    Report 152 (2001).

    Parameters
    ----------
    T : int
        Number of steps.
    k_max : int
        Largest delay (commonly 2N for N units: the caller's choice).
    seed : int or SeedSequence
        u is drawn from its child 0.
    washout : int, optional
        Default max(500, k_max); at least k_max, since rows t < k have no
        u(t - k) (their target k is 0).
    test_start : int, optional
        First test row, default 2T//3.

    Returns
    -------
    TaskData
        ``inputs`` (T, 1), ``targets`` (T, k_max).
    """
    owner = "memory_capacity_task"
    T = require_int(owner, "T", T, lo=2)
    k_max = require_int(owner, "k_max", k_max, lo=1)
    washout = max(500, k_max) if washout is None else washout
    washout, train, test = _split(owner, T, washout, test_start, min_washout=k_max,
                                  why="rows before k_max lack u(t - k)")
    ss = seed_sequence(seed)
    u = _rng(ss, 0).uniform(-0.8, 0.8, size=T)
    targets = np.zeros((T, k_max))
    for k in range(1, k_max + 1):
        targets[k:, k - 1] = u[:-k]
    params = {"T": T, "k_max": k_max, "input_range": [-0.8, 0.8], **_seed_params(ss, 0)}
    return TaskData("memory_capacity", u[:, None], targets, washout, train, test, params)


# ----------------------------------------------------------------------------------------------
# NARMA

#: |y| above this is divergence: healthy NARMA-10 series stay below about 1.3.
NARMA_BOUND = 10.0

_NARMA_FORMS = ("standard", "reservoirpy")


def _narma_series(u: np.ndarray, order: int, form: str) -> np.ndarray | None:
    """y(0..T) of the recursion driven by u(0..T-1); None if it leaves [-NARMA_BOUND, NARMA_BOUND]."""
    T = len(u)
    uu = u.tolist()
    y = [0.0] * (T + 1)
    if form == "standard":
        for t in range(order - 1, T):
            yt = y[t]
            y[t + 1] = (0.3 * yt + 0.05 * yt * math.fsum(y[t - order + 1:t + 1])
                        + 1.5 * uu[t - order + 1] * uu[t] + 0.1)
            if not abs(y[t + 1]) <= NARMA_BOUND:  # catches NaN too
                return None
    else:
        for t in range(order, T):
            yt = y[t]
            y[t + 1] = (0.2 * yt + 0.04 * yt * math.fsum(y[t - order:t])
                        + 1.5 * uu[t - order] * uu[t] + 0.001)
            if not abs(y[t + 1]) <= NARMA_BOUND:
                return None
    return np.asarray(y)


def narma(T: int, order: int = 10, *, form: str = "standard", seed=0, washout: int = 500,
          test_start: int | None = None, max_draws: int = 20) -> TaskData:
    """NARMA system identification: u(t) ~ U[0, 0.5] iid, target y(t+1).

    ``form="standard"`` (Atiya & Parlos 2000; NARMA-10 for order = 10)::

        y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{i=0}^{order-1} y(t-i) + 1.5 u(t-order+1) u(t) + 0.1

    for t >= order - 1, with y(0) = ... = y(order-1) = 0.

    ``form="reservoirpy"``: the recursion that ``reservoirpy.datasets.narma``
    computes (read in its source: the same loop from v0.3.2 to v0.4.2, with its default
    coefficients a1 = 0.2, a2 = 0.04, b = 1.5, c = 0.001)::

        y(t+1) = 0.2 y(t) + 0.04 y(t) sum_{i=1}^{order} y(t-i) + 1.5 u(t-order) u(t) + 0.001

    for t >= order, with y(0) = ... = y(order) = 0. Its code sums y(t-order)
    .. y(t-1) and takes u(t-order), one step further back than its own
    docstring formula says; this is the code's recursion. For the same u,
    y(t) here equals ReservoirPy's internal y[t] (it returns y[order:]).
    ReservoirPy's default order is 30; order is an argument here for both.

    Row t holds u(t) and the target y(t+1), the first value that depends on
    u(t). (ReservoirPy's example pairs its u[t] with y[t], one step earlier.)

    Divergence: the standard coefficients let y blow up for some draws of u
    (about 2 in 100 draws of 5000 steps at order 10; every draw from order 20
    on). A draw whose |y| exceeds :data:`NARMA_BOUND` = 10 at any step is
    discarded and u is drawn again from the next child of the seed; after
    ``max_draws`` discarded draws a ValueError is raised.

    Reference: A. F. Atiya and A. G. Parlos, "New results on recurrent
    network training: unifying the algorithms and accelerating
    convergence", IEEE Trans. Neural Networks 11(3), 697-709 (2000).

    Parameters
    ----------
    T : int
        Number of steps (rows).
    order : int
        The NARMA order (10 for NARMA-10).
    form : {"standard", "reservoirpy"}
    seed : int or SeedSequence
        Draw a uses child a.
    washout : int
        At least ``order`` (the first rows hold the zero initial condition).
    test_start : int, optional
        Default 2T//3.
    max_draws : int
        Draws of u tried before giving up.

    Returns
    -------
    TaskData
        ``inputs`` (T, 1) = u(t), ``targets`` (T, 1) = y(t+1); ``params["draw"]``
        is the child used.

    Raises
    ------
    ValueError
        For invalid arguments, or if every one of ``max_draws`` draws diverged.
    """
    owner = "narma"
    T = require_int(owner, "T", T, lo=2)
    order = require_int(owner, "order", order, lo=1)
    if form not in _NARMA_FORMS:
        raise ValueError(f"{owner}.form must be one of {_NARMA_FORMS}, got {form!r}")
    washout, train, test = _split(owner, T, washout, test_start, min_washout=order,
                                  why="the first rows hold the zero initial condition")
    max_draws = require_int(owner, "max_draws", max_draws, lo=1)
    ss = seed_sequence(seed)
    for draw in range(max_draws):
        u = _rng(ss, draw).uniform(0.0, 0.5, size=T)
        y = _narma_series(u, order, form)
        if y is not None:
            params = {"T": T, "order": order, "form": form, "input_range": [0.0, 0.5],
                      "bound": NARMA_BOUND, **_seed_params(ss, draw)}
            return TaskData(f"narma{order}", u[:, None], y[1:, None], washout, train, test, params)
    hint = " (the standard coefficients are stable only up to order of about 10)" if form == "standard" else ""
    raise ValueError(f"{owner}: all {max_draws} draws of u made y diverge (|y| > {NARMA_BOUND}) for "
                     f"order={order}, form={form!r}{hint}")


# ----------------------------------------------------------------------------------------------
# Mackey-Glass


def _grid_steps(owner: str, name: str, value: float, dt: float) -> int:
    steps = round(value / dt)
    if steps < 1 or abs(steps * dt - value) > 1e-9 * max(1.0, value):
        raise ValueError(f"{owner}.{name} = {value!r} must be a positive integer multiple of dt = {dt!r}")
    return steps


@dataclass(frozen=True)
class MackeyGlass:
    """The Mackey-Glass delay equation and how it is integrated.

    dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x(t), integrated by
    classical RK4 with step ``dt``; the delayed term at the half step is the
    linear interpolation of the two neighbouring grid values (tau is a
    multiple of dt, so the other stages fall on grid points). The history
    x(-tau + j dt), j = 0 .. tau/dt, is iid uniform on [x0 - history_noise,
    x0 + history_noise] (drawn from child 0 of the seed); the first
    ``transient`` time units are discarded and the series is sampled every
    1 time unit: sample k is x(transient + k).

    Defaults: tau = 17 (mildly chaotic), beta = 0.2, gamma = 0.1, n = 10 as in
    Mackey & Glass (1977) and Jaeger & Haas (2004), who feed tanh(x - 1);
    no such transform is applied here.

    Raises
    ------
    ValueError
        Naming the field: tau and 1 not integer multiples of dt, negative
        rates, a history that is not positive.
    """

    tau: float = 17.0
    beta: float = 0.2
    gamma: float = 0.1
    n: float = 10.0
    dt: float = 0.1
    x0: float = 1.2
    history_noise: float = 0.1
    transient: int = 1000

    def __post_init__(self):
        owner = "MackeyGlass"
        dt = require_range(owner, "dt", self.dt, lo=0.0, hi=1.0, lo_open=True)
        if abs(round(1.0 / dt) * dt - 1.0) > 1e-9:
            raise ValueError(f"{owner}.dt = {dt!r} must divide the sampling interval 1 (dt = 1/k)")
        _grid_steps(owner, "tau", require_range(owner, "tau", self.tau, lo=0.0, lo_open=True), dt)
        require_range(owner, "beta", self.beta, lo=0.0)
        require_range(owner, "gamma", self.gamma, lo=0.0)
        require_range(owner, "n", self.n, lo=0.0, lo_open=True)
        noise = require_range(owner, "history_noise", self.history_noise, lo=0.0)
        require_range(owner, "x0", self.x0, lo=noise, lo_open=True, why="the history must be positive")
        require_int(owner, "transient", self.transient, lo=0)

    def to_dict(self) -> dict:
        """The fields as JSON types."""
        return {k: (int(v) if k == "transient" else float(v)) for k, v in vars(self).items()}

    def series(self, n_samples: int, *, seed=0) -> np.ndarray:
        """x(transient + k), k = 0 .. n_samples - 1 (float64 array (n_samples,))."""
        n_samples = require_int("MackeyGlass.series", "n_samples", n_samples, lo=1)
        ss = seed_sequence(seed)
        per_unit = round(1.0 / self.dt)
        m = round(self.tau / self.dt)
        history = _rng(ss, 0).uniform(self.x0 - self.history_noise, self.x0 + self.history_noise, m + 1)
        n_steps = (self.transient + n_samples - 1) * per_unit
        beta, gamma, expo, dt = float(self.beta), float(self.gamma), float(self.n), float(self.dt)
        half = 0.5 * dt
        # x[j] = x((j - m) dt): the delayed value of grid point i is x[i]
        x = history.tolist() + [0.0] * n_steps
        for i in range(n_steps):
            xt = x[m + i]
            d1, d3 = x[i], x[i + 1]
            d2 = 0.5 * (d1 + d3)
            f1 = beta * d1 / (1.0 + d1 ** expo)
            f2 = beta * d2 / (1.0 + d2 ** expo)
            f3 = beta * d3 / (1.0 + d3 ** expo)
            k1 = f1 - gamma * xt
            k2 = f2 - gamma * (xt + half * k1)
            k3 = f2 - gamma * (xt + half * k2)
            k4 = f3 - gamma * (xt + dt * k3)
            x[m + i + 1] = xt + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        out = np.asarray(x[m + self.transient * per_unit::per_unit])
        if out.shape != (n_samples,) or not np.all(np.isfinite(out)):
            raise ValueError(f"MackeyGlass.series: integration failed for {self!r}")
        return out


_MG_TASKS = ("predict", "generate")


def mackey_glass(T: int, *, task: str = "predict", horizon: int = 84, system: MackeyGlass = MackeyGlass(),
                 seed=0, washout: int = 500, test_start: int | None = None) -> TaskData:
    """Mackey-Glass series (tau = 17 by default): one-step prediction or closed-loop generation.

    The series x(k) = ``system.series(T + 1, seed=seed)`` (sampled every 1
    time unit, see :class:`MackeyGlass`); row t holds the input x(t) and the
    target x(t+1), t = 0 .. T-1.

    * ``task="predict"``: one-step prediction, test = [test_start, T) with
      test_start = 2T//3 by default.
    * ``task="generate"``: ``closed_loop=True``; test = [test_start,
      test_start + horizon) with test_start = T - horizon by default. Fit the
      one-step readout on ``train`` with teacher forcing (true inputs), drive
      the reservoir with ``inputs[:test_start]``, then for each test row t
      feed the readout's output of row t - 1 (its estimate of x(t)) as the
      input; the outputs of the ``horizon`` test rows are compared with
      ``targets[test]`` = x(test_start + 1 .. test_start + horizon). The
      84-step horizon is that of Jaeger & Haas (2004). Score with
      :func:`simulate.metrics.nrmse`, e.g. ``norm=params["signal_std"]``
      (the standard deviation of the whole series) for the NRMSE of the
      whole horizon or of its last step.

    References: M. C. Mackey and L. Glass, Science 197, 287 (1977);
    H. Jaeger and H. Haas, Science 304, 78 (2004).

    Parameters
    ----------
    T : int
        Rows (the series has T + 1 samples).
    task : {"predict", "generate"}
    horizon : int
        Free-running steps (``task="generate"`` only).
    system : MackeyGlass
        Equation, integration and transient.
    seed : int or SeedSequence
        The history is drawn from its child 0.
    washout : int
    test_start : int, optional

    Returns
    -------
    TaskData
        ``inputs`` and ``targets`` (T, 1); name ``"mackey_glass_predict"`` or
        ``"mackey_glass_generate"``.
    """
    owner = "mackey_glass"
    T = require_int(owner, "T", T, lo=2)
    if task not in _MG_TASKS:
        raise ValueError(f"{owner}.task must be one of {_MG_TASKS}, got {task!r}")
    if not isinstance(system, MackeyGlass):
        raise ValueError(f"{owner}.system must be a simulate.tasks.MackeyGlass, got {system!r}")
    horizon = require_int(owner, "horizon", horizon, lo=1)
    if task == "generate":
        test_start = T - horizon if test_start is None else require_int(owner, "test_start", test_start)
        washout = require_int(owner, "washout", washout, lo=0)
        if not washout < test_start <= T - horizon:
            raise ValueError(f"{owner}: need washout < test_start <= T - horizon, got washout={washout}, "
                             f"test_start={test_start}, T={T}, horizon={horizon}")
        train, test = slice(washout, test_start), slice(test_start, test_start + horizon)
    else:
        washout, train, test = _split(owner, T, washout, test_start)
    ss = seed_sequence(seed)
    x = system.series(T + 1, seed=ss)
    params = {"T": T, "task": task, "system": system.to_dict(), "sampling_interval": 1.0,
              "signal_std": float(np.std(x)), **_seed_params(ss, 0)}
    if task == "generate":
        params["horizon"] = horizon
    return TaskData(f"mackey_glass_{task}", x[:-1, None], x[1:, None], washout, train, test, params,
                    closed_loop=task == "generate")


# ----------------------------------------------------------------------------------------------
# flip-flop and delayed recall


def _last_pulse_sign(u: np.ndarray) -> np.ndarray:
    """Sign of the latest nonzero u(s), s <= t (0 before the first pulse)."""
    idx = np.where(u != 0, np.arange(u.size), -1)
    last = np.maximum.accumulate(idx)
    return np.where(last >= 0, u[np.maximum(last, 0)], 0.0)


def flip_flop(T: int = 12000, *, p: float, seed=0, washout: int = 500, test_start: int | None = None,
              max_draws: int = 100) -> TaskData:
    """1-bit flip-flop with sparse input pulses.

    u(t) = +1 with probability p/2, -1 with probability p/2, else 0, iid
    per step (one uniform v(t): +1 if v < p/2, -1 if p/2 <= v < p). The
    target is the sign of the latest pulse at or before t: a pulse at t sets
    the target of row t. Before the first pulse the target is 0; those rows
    are always in the washout (a draw whose first pulse comes at or after
    ``washout`` is discarded and u drawn again from the next child of the
    seed), so every fitted and scored target is +1 or -1. Score with
    :func:`simulate.metrics.sign_accuracy` on the test rows.

    Defaults: T = 12,000, train rows 500 .. 7,999, test rows 8,000 .. 11,999.

    Parameters
    ----------
    T : int
    p : float
        Pulse probability per step, in (0, 1].
    seed : int or SeedSequence
        Draw a uses child a.
    washout : int
        At least 1.
    test_start : int, optional
        Default 2T//3.
    max_draws : int

    Returns
    -------
    TaskData
        ``inputs`` and ``targets`` (T, 1).

    Raises
    ------
    ValueError
        For invalid arguments, or if no draw has a pulse within the washout.
    """
    owner = "flip_flop"
    T = require_int(owner, "T", T, lo=2)
    p = require_range(owner, "p", p, lo=0.0, hi=1.0, lo_open=True)
    washout, train, test = _split(owner, T, washout, test_start, min_washout=1,
                                  why="the rows before the first pulse must be washed out")
    max_draws = require_int(owner, "max_draws", max_draws, lo=1)
    ss = seed_sequence(seed)
    for draw in range(max_draws):
        u = _pulses(_rng(ss, draw), T, p)
        pulses = np.flatnonzero(u)
        if pulses.size and pulses[0] < washout:
            params = {"T": T, "p": p, **_seed_params(ss, draw)}
            return TaskData("flip_flop", u[:, None], _last_pulse_sign(u)[:, None], washout, train, test, params)
    raise ValueError(f"{owner}: no pulse before washout={washout} in {max_draws} draws with p={p}; "
                     "raise p or washout")


def delayed_recall(T: int, D: int, *, p: float, min_gap: int = 10, seed=0, washout: int = 500,
                   test_start: int | None = None, max_draws: int = 100) -> TaskData:
    """Recall the sign of an input pulse exactly D steps later.

    Pulses as in :func:`flip_flop` (probability p per step, sign +1 or -1
    with equal probability), but well separated: a pulse is allowed only
    when the previous one is at least ``min_gap`` steps back (the pulses
    drawn too close are dropped, so the pulse rate is about
    p / (1 + p (min_gap - 1)); ``min_gap=1`` gives iid pulses). The
    target is 0 except at the recall times t_pulse + D, where it is the
    pulse's sign: target(t) = u(t - D) (0 for t < D). Any two recall times
    are at least ``min_gap`` apart. Score with
    :func:`simulate.metrics.sign_accuracy` with ``nonzero_only=True`` (the
    recall times among the test rows), and optionally
    :func:`simulate.metrics.nrmse` over all test rows.

    A draw without a recall time among the train rows or among the test
    rows is discarded and drawn again from the next child of the seed.

    Parameters
    ----------
    T : int
    D : int
        Recall delay, 1 <= D < T (300 and more are fine).
    p : float
        Pulse probability per allowed step, in (0, 1].
    min_gap : int
        Minimum distance between pulses (default 10, this module's choice).
    seed : int or SeedSequence
        Draw a uses child a.
    washout : int
    test_start : int, optional
        Default 2T//3.
    max_draws : int

    Returns
    -------
    TaskData
        ``inputs`` and ``targets`` (T, 1).

    Raises
    ------
    ValueError
        For invalid arguments, or if no draw has recall times in both splits.
    """
    owner = "delayed_recall"
    T = require_int(owner, "T", T, lo=2)
    D = require_int(owner, "D", D, lo=1)
    if D >= T:
        raise ValueError(f"{owner}.D = {D} must be < T = {T}")
    p = require_range(owner, "p", p, lo=0.0, hi=1.0, lo_open=True)
    min_gap = require_int(owner, "min_gap", min_gap, lo=1)
    washout, train, test = _split(owner, T, washout, test_start)
    max_draws = require_int(owner, "max_draws", max_draws, lo=1)
    ss = seed_sequence(seed)
    for draw in range(max_draws):
        u = _pulses(_rng(ss, draw), T, p, min_gap)
        target = np.zeros(T)
        target[D:] = u[:-D]
        if np.any(target[train]) and np.any(target[test]):
            params = {"T": T, "D": D, "p": p, "min_gap": min_gap, **_seed_params(ss, draw)}
            return TaskData("delayed_recall", u[:, None], target[:, None], washout, train, test, params)
    raise ValueError(f"{owner}: no recall time in the train or test rows in {max_draws} draws with p={p}, "
                     f"D={D}, T={T}; raise p or T")


# ----------------------------------------------------------------------------------------------
# sequence classification


def _stratified_test(rng: np.random.Generator, labels: np.ndarray, test_fraction: float) -> np.ndarray:
    """Sorted test indices: round(test_fraction n_c) random members of each class c."""
    test = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        n_test = round(test_fraction * members.size)
        test.append(rng.permutation(members)[:n_test])
    return np.sort(np.concatenate(test))


def digits_sequences(*, seed=0, test_fraction: float = 1 / 3) -> SequenceTaskData:
    """scikit-learn's bundled 8x8 digits (1,797 images, 10 classes) read as sequences.

    Image row r is time step r: 8 steps of 8 pixels, scaled from 0..16 to
    [0, 1]. The split is stratified and drawn from child 0 of the seed: in
    each class, round(test_fraction n_c) randomly chosen images are test
    (599 of 1,797 for the default 1/3), the others train.

    Reference: ``sklearn.datasets.load_digits`` (the UCI optical recognition
    of handwritten digits test set).

    Returns
    -------
    SequenceTaskData
        ``sequences`` (1797, 8, 8), sorted index arrays.
    """
    owner = "digits_sequences"
    test_fraction = require_range(owner, "test_fraction", test_fraction, lo=0.0, hi=1.0,
                                  lo_open=True, hi_open=True)
    from sklearn.datasets import load_digits  # optional dependency, imported only for this task

    digits = load_digits()
    sequences = digits.images.astype(np.float64) / 16.0
    labels = digits.target.astype(np.int64)
    ss = seed_sequence(seed)
    test = _stratified_test(_rng(ss, 0), labels, test_fraction)
    train = np.setdiff1d(np.arange(labels.size), test)
    if train.size == 0 or test.size == 0:
        raise ValueError(f"{owner}.test_fraction = {test_fraction} leaves an empty split")
    params = {"test_fraction": test_fraction, "scale": "pixel / 16", "time_axis": "image rows",
              **_seed_params(ss, 0)}
    return SequenceTaskData("digits", sequences, labels, train, test, 10, params)


#: The ten 12-point digit outlines of MNIST-1D (Greydanus 2020, mnist1d/data.py), before normalisation.
_MNIST1D_OUTLINES = np.array([
    [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
    [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
    [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
    [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
    [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
    [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
    [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
    [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
])

#: Added to the templates so that no template point is exactly 0 (0 marks padding).
_MNIST1D_EPS = 1e-8


def mnist1d_templates() -> np.ndarray:
    """The ten MNIST-1D templates (10, 12): each outline standardised, shifted to start at 0, divided by 6."""
    x = _MNIST1D_OUTLINES - _MNIST1D_OUTLINES.mean(axis=1, keepdims=True)
    x = x / x.std(axis=1, keepdims=True)
    return (x - x[:, :1]) / 6.0


@dataclass(frozen=True)
class Mnist1dTransform:
    """The random transformations of MNIST-1D, defaults of Greydanus' ``get_dataset_args``.

    Applied to each template (see :func:`mnist1d` for the order): pad with
    ``padding[0] .. padding[1]`` zeros, scale by 1 + scale_coeff (U - 1/2),
    translate circularly by 0 .. max_translation - 1 steps, correlated noise
    (``corr_noise_scale`` N(0, 1) smoothed by a Gaussian of standard
    deviation ``corr_noise_sigma`` steps) on the padded zeros, iid noise
    ``iid_noise_scale`` N(0, 1) everywhere, shear by shear_scale (U - 1/2).

    Raises
    ------
    ValueError
        Naming the field.
    """

    padding: tuple = (36, 60)
    scale_coeff: float = 0.4
    max_translation: int = 48
    corr_noise_scale: float = 0.25
    corr_noise_sigma: float = 2.0
    iid_noise_scale: float = 2e-2
    shear_scale: float = 0.75

    def __post_init__(self):
        owner = "Mnist1dTransform"
        pad = self.padding
        if not (isinstance(pad, (tuple, list)) and len(pad) == 2):
            raise ValueError(f"{owner}.padding must be a pair (low, high), got {pad!r}")
        low = require_int(owner, "padding[0]", pad[0], lo=0)
        high = require_int(owner, "padding[1]", pad[1], lo=low)
        object.__setattr__(self, "padding", (low, high))
        require_range(owner, "scale_coeff", self.scale_coeff, lo=0.0, hi=2.0, hi_open=True,
                      why="the scale factor must stay positive")
        require_int(owner, "max_translation", self.max_translation, lo=1)
        require_range(owner, "corr_noise_scale", self.corr_noise_scale, lo=0.0)
        require_range(owner, "corr_noise_sigma", self.corr_noise_sigma, lo=0.0, lo_open=True)
        require_range(owner, "iid_noise_scale", self.iid_noise_scale, lo=0.0)
        require_finite(owner, "shear_scale", self.shear_scale)

    def to_dict(self) -> dict:
        """The fields as JSON types."""
        d = {k: float(v) for k, v in vars(self).items() if k not in ("padding", "max_translation")}
        return {"padding": list(self.padding), "max_translation": int(self.max_translation), **d}


def _interpolate_rows(x: np.ndarray, n_points: int) -> np.ndarray:
    """Each row, a signal on n uniform points of [0, 1], linearly interpolated at n_points uniform points."""
    old = np.linspace(0.0, 1.0, x.shape[1])
    new = np.linspace(0.0, 1.0, n_points)
    weights = np.stack([np.interp(new, old, e) for e in np.eye(x.shape[1])], axis=1)
    return x @ weights.T


def _mnist1d_signals(templates, pad, scale, shift, corr, iid, shear, transform: Mnist1dTransform,
                     length: int) -> np.ndarray:
    """The transformed signals (n, length) for given random draws; deterministic.

    templates (n, 12) one template per sample; pad, shift (n,) ints; scale,
    shear (n,) factors and shear coefficients; corr, iid (n, 12 + padding[1])
    standard normals.
    """
    from scipy.ndimage import gaussian_filter1d

    n, width = templates.shape
    dilated = width + transform.padding[1]
    grid = np.linspace(0.0, 1.0, dilated)
    x = np.empty((n, dilated))
    for i in range(n):
        # pad with pad[i] zeros, then stretch the padded signal back onto `dilated` points
        padded = np.concatenate([templates[i] + _MNIST1D_EPS, np.zeros(pad[i])])
        x[i] = np.interp(grid, np.linspace(0.0, 1.0, padded.size), padded)
    x *= scale[:, None]
    x = x[np.arange(n)[:, None], (np.arange(dilated) - shift[:, None]) % dilated]  # circular shift
    noise = gaussian_filter1d(transform.corr_noise_scale * corr, transform.corr_noise_sigma, axis=1)
    x = np.where(x != 0, x, noise)  # correlated noise only where there is no signal
    x = x + transform.iid_noise_scale * iid
    x = x - shear[:, None] * np.linspace(-0.5, 0.5, dilated)
    return _interpolate_rows(x, length)


def mnist1d(n_train: int = 4000, n_test: int = 1000, length: int = 40, *, seed=0,
            transform: Mnist1dTransform = Mnist1dTransform()) -> SequenceTaskData:
    """MNIST-1D (Greydanus 2020), generated here: 10 classes of 1-D signals of ``length`` steps.

    The pipeline of the original generator (``mnist1d/data.py`` and
    ``transform.py`` of github.com/greydanus/mnist1d, read for this
    re-implementation), with its defaults (:class:`Mnist1dTransform`):
    (n_train + n_test) / 10 samples of each digit template (12 points, see
    :func:`mnist1d_templates`), each: +1e-8 (so that only padding is exactly
    0); padded with p ~ U{36 .. 60} zeros; linearly interpolated to 72
    points; scaled by 1 + 0.4 (U - 1/2); circularly shifted by k ~ U{0 ..
    47}; the exact zeros replaced by correlated noise (0.25 N(0, 1)
    smoothed by a Gaussian of 2 steps, reflecting edges); plus 0.02 N(0, 1)
    iid noise; sheared by subtracting c (t - 1/2), t in [0, 1], c = 0.75 (U
    - 1/2); linearly interpolated to ``length`` points. The samples are then
    shuffled, the whole set standardised by its global mean and standard
    deviation (as the original, train and test together), and the first
    ``n_train`` are train, the rest test (4,000 / 1,000 by default, the
    original's 80 % split; classes are balanced over the whole set, not
    within each split). The original draws from NumPy's global legacy
    generator seeded with 42; here every draw comes from child 0 of
    ``seed``, so the values differ from the published file while the
    distribution is the same.

    Reference: S. Greydanus, "Scaling down deep learning",
    arXiv:2011.14439 (2020).

    Parameters
    ----------
    n_train, n_test : int
        Their sum must be a multiple of 10.
    length : int
        Steps per sequence (the original's final_seq_length).
    seed : int or SeedSequence
    transform : Mnist1dTransform

    Returns
    -------
    SequenceTaskData
        ``sequences`` (n_train + n_test, length, 1), ``train`` =
        0 .. n_train - 1, ``test`` = n_train .. n_train + n_test - 1.
    """
    owner = "mnist1d"
    n_train = require_int(owner, "n_train", n_train, lo=1)
    n_test = require_int(owner, "n_test", n_test, lo=1)
    length = require_int(owner, "length", length, lo=2)
    if not isinstance(transform, Mnist1dTransform):
        raise ValueError(f"{owner}.transform must be a simulate.tasks.Mnist1dTransform, got {transform!r}")
    n = n_train + n_test
    if n % 10:
        raise ValueError(f"{owner}: n_train + n_test = {n} must be a multiple of 10 (equal classes)")
    templates = mnist1d_templates()
    labels = np.repeat(np.arange(10), n // 10)
    dilated = templates.shape[1] + transform.padding[1]
    ss = seed_sequence(seed)
    rng = _rng(ss, 0)
    pad = rng.integers(transform.padding[0], transform.padding[1] + 1, size=n)
    scale = 1.0 + transform.scale_coeff * (rng.random(n) - 0.5)
    shift = rng.integers(0, transform.max_translation, size=n)
    corr = rng.standard_normal((n, dilated))
    iid = rng.standard_normal((n, dilated))
    shear = transform.shear_scale * (rng.random(n) - 0.5)
    order = rng.permutation(n)
    x = _mnist1d_signals(templates[labels], pad, scale, shift, corr, iid, shear, transform, length)[order]
    x = (x - x.mean()) / x.std()
    params = {"n_train": n_train, "n_test": n_test, "length": length, "transform": transform.to_dict(),
              **_seed_params(ss, 0)}
    return SequenceTaskData("mnist1d", x[:, :, None], labels[order], np.arange(n_train),
                            np.arange(n_train, n), 10, params)
