"""Stochastic-gradient readouts of the reservoir, plain and regularised by the learning theory (THEORY.md section 9).

:class:`SGDReadout` minimises, by mini-batch stochastic gradient descent from w = 0,

    L(w, b) = (1 / 2n) sum_i (y_i - w . x_i - b)^2 + (weight_decay / 2) ||w||^2,

whose minimiser is the ridge solution with beta = n * weight_decay
(:class:`simulate.readouts.RidgeReadout` with ``ridge = n * weight_decay``).
An epoch is ceil(n / batch_size) steps, each on a batch drawn with replacement.
Full-batch gradient descent (``batch_size >= n``, no averaging) after k steps
of size eta is the spectral filter

    w_k = V diag(1 - (1 - eta (s_j + weight_decay))^k) V^T w*,   S = X^T X / n = V diag(s_j) V^T,

w* the ridge minimiser: weight decay shrinks every direction by
s_j / (s_j + weight_decay) and the finite number of steps adds the early-stopping
filter. With mini-batches the iterate fluctuates around w*; the Polyak-Ruppert
average of the second half of the steps (``average=True``) removes most of it.

:class:`TheorySGDReadout` is the same algorithm with the weight decay set by the
learning theory (``meanfield.learning_curve``): beta*(n) minimises the predicted
generalisation error for the kernel spectrum under the input law, the noise
variance and the target's coefficients (or a prior), at the n of the training
set; the weight decay is beta*(n) / n and the number of epochs is chosen so that
the directions with s_j ~ weight_decay converge (no validation split). The
kernel is k(x, x') = x . x' of the rows given to ``fit``: for the network, with
rows phi(x) / sqrt(N), the rate correlation C of THEORY.md section 4.

Both follow scikit-learn's estimator conventions (as :mod:`simulate.readouts`).
Every random draw (the mini-batches) comes from ``numpy.random.SeedSequence(seed)``.
"""

from __future__ import annotations

import math

import numpy as np

from meanfield.arguments import count, flag, seed_sequence
from meanfield.learning_curve import METHODS, MercerSpectrum, optimal_ridge

from .readouts import _check_X_y, _LinearRegressor, _real

__all__ = ["SGDReadout", "TheorySGDReadout", "gd_filter_weights"]


def _step_size(X, batch_size, weight_decay):
    """A stable step for mini-batch SGD on the quadratic loss: 1 / (s_max + mean ||x||^2 / b + weight_decay).

    s_max bounds the curvature of the full loss; the second term bounds the extra
    variance of a mini-batch gradient of size b (it matters for small b).
    """
    n = X.shape[0]
    s_max = float(np.linalg.norm(X, 2) ** 2 / n)
    row = float(np.mean(np.einsum("ij,ij->i", X, X)))
    return 1.0 / (s_max + row / batch_size + weight_decay)


def _sgd(X, Y, weight_decay, eta, epochs, batch_size, average, rng):
    """W (p, k) after ``epochs`` * ceil(n / batch_size) steps of mini-batch SGD from 0 (module docstring)."""
    n, p = X.shape
    W = np.zeros((p, Y.shape[1]))
    W_avg = np.zeros_like(W)
    steps_per_epoch = math.ceil(n / batch_size)
    total = epochs * steps_per_epoch
    start = total // 2 if average else total
    full = batch_size >= n
    for step in range(1, total + 1):
        # batches drawn with replacement: independent of the iterate, so the averaged iterate is unbiased
        # for a quadratic loss (a reshuffled pass leaves an O(eta) bias)
        idx = slice(None) if full else rng.integers(0, n, batch_size)
        Xb = X[idx]
        W -= eta * (Xb.T @ (Xb @ W - Y[idx]) / Xb.shape[0] + weight_decay * W)
        if step > start:
            W_avg += (W - W_avg) / (step - start)
    return W_avg if average and total > start else W


def gd_filter_weights(X, y, weight_decay: float, eta: float, steps: int) -> np.ndarray:
    """The closed form of full-batch gradient descent from 0 after ``steps`` steps (module docstring).

    w_k = V diag(1 - (1 - eta (s_j + wd))^k) V^T w*, w* = (S + wd I)^-1 X^T y / n, S = X^T X / n.
    No intercept. Used as the reference of the iterative solver.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    s, V = np.linalg.eigh(X.T @ X / n)
    b = V.T @ (X.T @ y / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        star = np.where(s + weight_decay > 0, b / (s + weight_decay), 0.0)
    filt = 1.0 - (1.0 - eta * (s + weight_decay)) ** steps
    return V @ (filt * star)


class SGDReadout(_LinearRegressor):
    """Mini-batch SGD readout with weight decay (module docstring).

    Parameters
    ----------
    weight_decay : float, default=0.0
        lambda >= 0 of the penalty (lambda / 2) ||w||^2 on the mean loss; the minimiser is
        ridge with beta = n lambda. 0 is plain SGD (regularised only by the finite number of steps).
    learning_rate : float or "auto", default="auto"
        Step eta; "auto" is 1 / (s_max + mean ||x||^2 / batch_size + weight_decay).
    epochs : int, default=100
        Passes over the training set.
    batch_size : int, default=32
    average : bool, default=True
        Return the Polyak-Ruppert average of the iterates of the second half of the steps.
    fit_intercept : bool, default=False
        Centre X and y on their means (an unpenalised intercept), as RidgeReadout.
    seed : int or SeedSequence, default=0
        Draws the mini-batches.

    Attributes
    ----------
    coef_, intercept_, n_features_in_
    learning_rate_ : float
        The step used.
    n_steps_ : int
    """

    def __init__(self, weight_decay=0.0, learning_rate="auto", epochs=100, batch_size=32, average=True,
                 fit_intercept=False, seed=0):
        self.weight_decay = weight_decay
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.average = average
        self.fit_intercept = fit_intercept
        self.seed = seed

    def _weight_decay(self, X):
        return _real("weight_decay", self.weight_decay, low=0.0)

    def _epochs(self, X, eta, weight_decay, batch_size):
        return count("epochs", self.epochs)

    def fit(self, X, y):
        """Fit by SGD; returns self."""
        X, y = _check_X_y(self, X, y, reset=True)
        fit_intercept = flag("fit_intercept", self.fit_intercept)
        average = flag("average", self.average)
        batch_size = count("batch_size", self.batch_size)
        n = X.shape[0]
        Y = y.reshape(n, -1)
        x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
        y_mean = Y.mean(axis=0) if fit_intercept else np.zeros(Y.shape[1])
        A, B = X - x_mean, Y - y_mean
        wd = self._weight_decay(A)
        b = min(batch_size, n)
        if isinstance(self.learning_rate, str) and self.learning_rate == "auto":
            eta = _step_size(A, b, wd)
        else:
            eta = _real("learning_rate", self.learning_rate, low=0.0, low_open=True)
        epochs = self._epochs(A, eta, wd, b)
        rng = np.random.default_rng(seed_sequence(self.seed))
        W = _sgd(A, B, wd, eta, epochs, b, average, rng)
        if not np.all(np.isfinite(W)):
            raise ValueError(f"SGD diverged with learning_rate = {eta:g}; lower it (or use 'auto')")
        self.learning_rate_, self.n_steps_, self.weight_decay_ = eta, epochs * math.ceil(n / b), wd
        self._store(W, y_mean - x_mean @ W, y.ndim == 2)
        return self


class TheorySGDReadout(SGDReadout):
    """SGD readout whose weight decay is set by the learning theory (module docstring).

    Parameters
    ----------
    spectrum : meanfield.learning_curve.MercerSpectrum
        Mercer decomposition of the kernel x . x' of the rows under the input law
        (from the theory's rate correlation, or from features of a realisation).
    noise_var : float
        Variance of the target noise.
    coefficients : array, optional
        Target coefficients a_p in that spectrum's eigenfunctions (with ``residual``); without them
        the target is taken from the prior with ``prior_scale``.
    method : {"asymptotic", "self-consistent"}
        Learning-curve formula minimised (``meanfield.learning_curve.learning_curve``).
    max_steps : int, default=20000
        Cap of the number of steps, otherwise chosen so that (1 - eta weight_decay)^steps <= exp(-6)
        (at least 20 epochs). At a small theory ridge the cap binds: convergence to the ridge
        solution needs about 6 n / (eta beta) steps, and the finite number of steps then adds
        early stopping to the weight decay.
    learning_rate, batch_size, average, fit_intercept, seed
        As :class:`SGDReadout`.

    Attributes
    ----------
    ridge_ : float
        beta*(n) of the theory at the n of the training set; ``weight_decay_ = ridge_ / n``.
    """

    def __init__(self, spectrum=None, noise_var=1.0, coefficients=None, residual=0.0, prior_scale=None,
                 method="self-consistent", learning_rate="auto", max_steps=20000, batch_size=32, average=True,
                 fit_intercept=False, seed=0):
        self.spectrum = spectrum
        self.noise_var = noise_var
        self.coefficients = coefficients
        self.residual = residual
        self.prior_scale = prior_scale
        self.method = method
        self.max_steps = max_steps
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.average = average
        self.fit_intercept = fit_intercept
        self.seed = seed

    def _weight_decay(self, X):
        if not isinstance(self.spectrum, MercerSpectrum):
            raise ValueError("TheorySGDReadout.spectrum must be a meanfield.learning_curve.MercerSpectrum "
                             f"(mercer_spectrum(K) of the kernel of the rows), got {type(self.spectrum).__name__}")
        if self.method not in METHODS:
            raise ValueError(f"TheorySGDReadout.method = {self.method!r} must be one of {METHODS}")
        n = X.shape[0]
        self.ridge_ = float(optimal_ridge(self.spectrum, n, _real("noise_var", self.noise_var, low=0.0),
                                          coefficients=self.coefficients, residual=self.residual,
                                          prior_scale=self.prior_scale, method=self.method))
        return self.ridge_ / n

    def _epochs(self, X, eta, weight_decay, batch_size):
        per_epoch = math.ceil(X.shape[0] / batch_size)
        cap = max(1, count("max_steps", self.max_steps) // per_epoch)
        steps = 6.0 / max(eta * weight_decay, 1e-300)
        return int(min(cap, max(20, math.ceil(steps / per_epoch))))
