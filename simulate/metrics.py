"""Scores of reservoir readouts on the tasks of :mod:`simulate.tasks`.

* :func:`nrmse`: root mean squared error over the standard deviation (or
  the range, or a given scale) of the target;
* :func:`accuracy`: fraction of sequences classified right;
* :func:`sign_accuracy`: fraction of steps whose output has the target's
  sign (flip-flop, delayed recall);
* :func:`memory_capacity`: Jaeger's memory capacity and its curve over the
  delays.

Each takes the rows to score (e.g. ``predictions[task.test]`` and
``task.targets[task.test]``) and raises ValueError naming the argument for
arrays of mismatched shapes, empty or non-finite.
"""

from __future__ import annotations

from numbers import Real
from typing import NamedTuple

import numpy as np


def _pair(predictions, targets, *, ndim: tuple[int, ...] = (1, 2)) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for name, value in (("predictions", predictions), ("targets", targets)):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be a numeric array ({exc})") from None
        if array.ndim not in ndim or array.size == 0:
            raise ValueError(f"{name} must be a non-empty array with {' or '.join(map(str, ndim))} "
                             f"dimensions, got shape {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite")
        out.append(array)
    if out[0].shape != out[1].shape:
        raise ValueError(f"predictions has shape {out[0].shape} but targets {out[1].shape}")
    return out[0], out[1]


_NORMS = ("std", "range")


def nrmse(predictions, targets, *, norm="std", per_output: bool = False):
    """Normalised root mean squared error, sqrt(mean((y_hat - y)^2)) / scale.

    Parameters
    ----------
    predictions, targets : arrays (n,) or (n, n_out)
    norm : {"std", "range"} or float
        The scale: ``"std"`` the standard deviation of the targets (population,
        ddof = 0; predicting the targets' mean gives exactly 1), ``"range"``
        their max - min (ReservoirPy's default, ``norm="minmax"`` of
        ``reservoirpy.observables.nrmse``; note that its ``norm="var"``
        divides by the variance, not the standard deviation), or a positive
        number given by the caller (e.g. the standard deviation of the whole
        series when scoring a short generated horizon).
    per_output : bool
        False: one number, over all elements (the scale over all elements
        too). True: one per column (each column its own scale).

    Returns
    -------
    float, or float64 array (n_out,) if ``per_output``

    Raises
    ------
    ValueError
        For mismatched or non-finite arrays, an unknown ``norm``, or a zero
        scale (constant targets).
    """
    y_hat, y = _pair(predictions, targets)
    if per_output:
        y_hat, y = y_hat.reshape(y.shape[0], -1), y.reshape(y.shape[0], -1)
    axis = 0 if per_output else None
    rmse = np.sqrt(np.mean((y_hat - y) ** 2, axis=axis))
    if isinstance(norm, str):
        if norm not in _NORMS:
            raise ValueError(f"norm must be one of {_NORMS} or a positive number, got {norm!r}")
        scale = np.std(y, axis=axis) if norm == "std" else np.ptp(y, axis=axis)
        if np.any(scale == 0):
            raise ValueError(f"norm={norm!r}: the targets are constant, the error has no scale")
    elif isinstance(norm, Real) and not isinstance(norm, bool) and np.isfinite(norm) and norm > 0:
        scale = float(norm)
    else:
        raise ValueError(f"norm must be one of {_NORMS} or a positive number, got {norm!r}")
    out = rmse / scale
    return out if per_output else float(out)


def accuracy(predicted, labels) -> float:
    """Fraction of sequences whose predicted class is the label.

    Parameters
    ----------
    predicted : int array (n,) of classes, or float array (n, n_classes)
        Classes, or scores (the class is the argmax of each row, e.g. the
        outputs of a one-hot readout).
    labels : int array (n,)

    Raises
    ------
    ValueError
        For mismatched lengths or empty arrays.
    """
    labels = np.asarray(labels)
    predicted = np.asarray(predicted)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
    if predicted.ndim == 2:
        if not np.all(np.isfinite(predicted)):
            raise ValueError("predicted scores must be finite")
        predicted = np.argmax(predicted, axis=1)
    if predicted.shape != labels.shape:
        raise ValueError(f"predicted has {predicted.shape[0] if predicted.ndim else 0} entries "
                         f"but labels {labels.size}")
    return float(np.mean(predicted == labels))


def sign_accuracy(predictions, targets, *, nonzero_only: bool = False) -> float:
    """Fraction of steps where sign(prediction) equals the target (-1, 0 or +1).

    For the flip-flop every scored target is +1 or -1. For delayed recall
    pass ``nonzero_only=True``: only the recall times (target != 0) count;
    otherwise a zero target is matched only by an output of exactly 0.

    Raises
    ------
    ValueError
        For mismatched or non-finite arrays, targets outside {-1, 0, 1}, or
        ``nonzero_only`` with no nonzero target.
    """
    y_hat, y = _pair(predictions, targets)
    if not np.all(np.isin(y, (-1.0, 0.0, 1.0))):
        raise ValueError("targets must be -1, 0 or +1")
    hit = np.sign(y_hat) == y
    if nonzero_only:
        if not np.any(y):
            raise ValueError("nonzero_only=True but every target is 0 (no recall time among these rows)")
        return float(np.mean(hit[y != 0]))
    return float(np.mean(hit))


class MemoryCapacity(NamedTuple):
    """Jaeger's memory capacity: ``total`` = sum of ``per_delay`` (entry k-1 is MC_k)."""

    total: float
    per_delay: np.ndarray


def memory_capacity(predictions, targets) -> MemoryCapacity:
    """MC = sum_k MC_k, MC_k = corr^2(u(t - k), y_hat_k(t)) (Jaeger 2001).

    Estimator: MC_k is the squared sample Pearson correlation between
    column k-1 of ``targets`` (u(t - k)) and of ``predictions`` over the
    rows given, both centred on their own mean over those rows (the
    normalisation 1/n or 1/(n-1) cancels); this is Jaeger's
    cov^2(u(t-k), y_k(t)) / (var u(t-k) var y_k(t)), with the variance of
    u(t-k) taken over the same rows, and what ReservoirPy's
    ``observables.memory_capacity`` computes. A constant prediction column
    has MC_k = 0. No bias correction: an unrelated predictor scores
    E[MC_k] ~ 1/(n - 1), about k_max / n in total.

    Reference: H. Jaeger, "Short term memory in echo state networks", GMD
    Report 152 (2001).

    Parameters
    ----------
    predictions, targets : arrays (n, k_max)
        Readout outputs and targets u(t - k) of the scored rows, n >= 2.

    Returns
    -------
    MemoryCapacity
        ``(total, per_delay)``; a perfect predictor gives total = k_max.

    Raises
    ------
    ValueError
        For mismatched or non-finite arrays, fewer than 2 rows, or a
        constant target column.
    """
    y_hat, y = _pair(predictions, targets, ndim=(2,))
    if y.shape[0] < 2:
        raise ValueError(f"memory_capacity needs at least 2 rows, got {y.shape[0]}")
    dy = y - y.mean(axis=0)
    dp = y_hat - y_hat.mean(axis=0)
    var_y = np.einsum("ij,ij->j", dy, dy)
    var_p = np.einsum("ij,ij->j", dp, dp)
    if np.any(var_y == 0):
        raise ValueError(f"targets: column(s) {np.flatnonzero(var_y == 0).tolist()} are constant")
    cov = np.einsum("ij,ij->j", dy, dp)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_delay = np.where(var_p > 0, cov ** 2 / (var_y * np.where(var_p > 0, var_p, 1.0)), 0.0)
    per_delay = np.minimum(per_delay, 1.0)  # rounding can put a perfect correlation a hair above 1
    return MemoryCapacity(float(per_delay.sum()), per_delay)
