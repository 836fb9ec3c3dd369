"""Trained linear readouts of the reservoir (THEORY.md section 9), as scikit-learn estimators.

A reservoir turns an input history into states phi(x(t)); a readout is the
linear map from those states to targets, fitted by least squares. The three
estimators here follow scikit-learn's conventions (hyperparameters stored by
``__init__`` and validated in ``fit``, fitted attributes ending in ``_``,
``fit`` returning ``self``), so they work in :class:`sklearn.pipeline.Pipeline`,
:class:`sklearn.model_selection.GridSearchCV` and ``cross_val_score``:

* :class:`RidgeReadout`: closed-form ridge regression (multi-output),
  W_out = argmin ||Y - X W - b||^2 + ridge ||W||^2, the readout
  W_out = D H^T (H H^T + beta I)^-1 of THEORY.md section 9 with beta = ridge;
* :class:`RLSReadout`: recursive least squares (FORCE learning, Sussillo and
  Abbott, Neuron 2009), trained online one sample at a time with
  ``partial_fit``;
* :class:`RidgeClassifierReadout`: ridge regression on +1/-1 class codes,
  predicting the class of the largest output.

:func:`sequence_features` turns the states of whole sequences into one
feature row per sequence (the final state, states at chosen times, the time
mean) for classifying or regressing whole sequences.

Rows of ``X`` are samples (one state phi(x(t)) of N neurons per row), so a
single trajectory of shape (T, N) is already a design matrix; its first
transient rows can be dropped with ``washout``. Every computation is in
float64 whatever the input dtype.
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.linalg
from numba import njit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from meanfield.arguments import count, flag

__all__ = ["RLSReadout", "RidgeClassifierReadout", "RidgeReadout", "sequence_features"]


# --------------------------------------------------------------------------- validation

def _real(name, value, *, low, low_open=False, high=None):
    """value as a float, refused unless a finite real number in the stated range."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and np.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (high is None or value <= high)
    if not ok:
        rng = f"{'>' if low_open else '>='} {low}" + ("" if high is None else f" and <= {high}")
        raise ValueError(f"{name} must be a finite real number {rng}, got {value!r}")
    return float(value)


def _check_X_y(estimator, X, y, *, reset, classifier=False):
    """Validated float64 X (n, p) and y, with the n_features_in_ bookkeeping of scikit-learn.

    X and y are checked separately (not by ``check_X_y``) so that a length
    mismatch is reported naming both arguments.
    """
    if y is None:
        raise ValueError(f"{type(estimator).__name__} requires y to be passed, but the target y is None")
    X = validate_data(estimator, X, reset=reset, dtype=np.float64)
    if classifier:
        y = column_or_1d(check_array(y, ensure_2d=False, dtype=None, input_name="y"), warn=True)
    else:
        y = check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y")
        if y.ndim > 2:
            raise ValueError(f"y must have shape (n_samples,) or (n_samples, n_outputs), got {y.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X and y must have the same number of samples (rows), "
                         f"got X with {X.shape[0]} and y with {y.shape[0]}")
    return X, y


def _check_sample_weight(sample_weight, n):
    """None, or non-negative finite float64 weights of shape (n,) that are not all zero."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, (bool, np.bool_)):
        sw = np.full(n, float(sample_weight))
    else:
        sw = np.asarray(sample_weight, dtype=np.float64)
    if sw.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},) (one weight per sample), got {sw.shape}")
    if not np.all(np.isfinite(sw)) or np.any(sw < 0):
        raise ValueError("sample_weight must be finite and non-negative")
    if not np.any(sw > 0):
        raise ValueError("sample_weight must contain at least one non-zero weight")
    return sw


def _drop_washout(washout, X, y, sw):
    """X, y, sw without their first ``washout`` rows, refused if nothing would be left."""
    washout = count("washout", washout, lo=0)
    if washout >= X.shape[0]:
        raise ValueError(f"washout ({washout}) must be smaller than the number of samples, "
                         f"n_samples = {X.shape[0]}")
    if washout == 0:
        return X, y, sw
    if sw is not None:
        sw = sw[washout:]
        if not np.any(sw > 0):
            raise ValueError("sample_weight must contain at least one non-zero weight after the washout rows")
    return X[washout:], y[washout:], sw


# --------------------------------------------------------------------------- ridge

def _pd_solve(G, B):
    """G^-1 B for a symmetric G that should be positive definite, and the route taken.

    Cholesky when G is numerically positive definite; when it is not (a ridge
    too small to lift rounding in a singular Gram), the eigendecomposition
    with eigenvalues at rounding level treated as zero, i.e. the
    pseudo-inverse, which is the ridge -> 0 limit.
    """
    try:
        factor = scipy.linalg.cho_factor(G, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        lam, V = scipy.linalg.eigh(G, check_finite=False)
        tol = max(G.shape) * np.finfo(float).eps * max(lam.max(), 0.0)
        inv = np.zeros_like(lam)
        inv[lam > tol] = 1.0 / lam[lam > tol]
        return V @ (inv[:, None] * (V.T @ B)), "eigh"
    return scipy.linalg.cho_solve(factor, B, check_finite=False), "cholesky"


def _ridge_weights(A, B, ridge, branch=None):
    """W (p, k) minimising ||B - A W||^2 + ridge ||W||^2 for A (n, p), B (n, k), and the solver used.

    The smaller Gram system is solved: the primal (A^T A + ridge I) W = A^T B
    when p <= n, else the dual W = A^T (A A^T + ridge I)^-1 B (``branch``
    forces one). With ridge = 0 the Gram is singular whenever A is rank
    deficient (always in the dual with a fitted intercept, since the centred
    rows sum to zero), and a Cholesky factor may still succeed on rounding
    and return a huge solution; the SVD least-squares solution of A itself
    is used instead: the minimum-norm solution, the ridge -> 0 limit.
    """
    n, p = A.shape
    if ridge == 0.0:
        return np.linalg.lstsq(A, B, rcond=None)[0], "lstsq"
    branch = branch or ("primal" if p <= n else "dual")
    if branch == "primal":
        G = A.T @ A
        G[np.diag_indices_from(G)] += ridge
        W, how = _pd_solve(G, A.T @ B)
    else:
        G = A @ A.T
        G[np.diag_indices_from(G)] += ridge
        C, how = _pd_solve(G, B)
        W = A.T @ C
    return W, f"{how}-{branch}"


def _ridge_fit(X, Y, ridge, fit_intercept, sw):
    """(W (p, k), b (k,), solver) of the ridge problem with an unpenalised intercept.

    The intercept is removed by centring X and Y on their (weighted) means,
    so only W is penalised; sample weights multiply the centred rows by
    sqrt(weight).
    """
    if fit_intercept:
        x_mean = np.average(X, axis=0, weights=sw)
        y_mean = np.average(Y, axis=0, weights=sw)
        A, B = X - x_mean, Y - y_mean
    else:
        x_mean, y_mean = np.zeros(X.shape[1]), np.zeros(Y.shape[1])
        A, B = X, Y
    if sw is not None:
        root = np.sqrt(sw)[:, None]
        A, B = A * root, B * root
    W, solver = _ridge_weights(A, B, ridge)
    return W, y_mean - x_mean @ W, solver


class _LinearRegressor(RegressorMixin, BaseEstimator):
    """predict and tags shared by the two regressors (coef_ (k, p) or (p,), intercept_)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _store(self, W, b, y_2d):
        # scikit-learn's layout: coef_ is W transposed, one row per output
        self.coef_ = W.T.copy() if y_2d else W[:, 0].copy()
        self.intercept_ = np.asarray(b, dtype=np.float64).copy() if y_2d else float(b[0])

    def predict(self, X):
        """Readout of each row of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            X coef_^T + intercept_, 1-D when the readout was fitted on a 1-D y.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_.T + self.intercept_


class RidgeReadout(_LinearRegressor):
    """Closed-form ridge regression readout.

    W, b = argmin ||Y - X W - 1 b^T||^2 + ridge ||W||^2, with the intercept b
    not penalised (X and Y are centred on their means before solving).

    Parameters
    ----------
    ridge : float, default=1e-6
        Penalty beta >= 0 on the squared weights. ``ridge=0`` gives ordinary
        least squares; for rank-deficient X, the minimum-norm solution.
    fit_intercept : bool, default=True
        Fit the unpenalised intercept b; if False, b = 0 and X, Y are used
        as given.
    washout : int, default=0
        Number of leading rows of X and y (and ``sample_weight``) discarded
        by ``fit``: the transient of a reservoir driven from its initial
        state, when one time series is fed as one sequence of rows. Leave 0
        under cross-validation (``GridSearchCV``), where every training fold
        would lose its first rows, which are not transients; wash out the
        states before splitting instead. ``predict`` never drops rows.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_outputs, n_features)
        The weights W transposed (scikit-learn's layout), 1-D for a 1-D y.
    intercept_ : float or ndarray of shape (n_outputs,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X had feature names (a DataFrame).
    solver_ : str
        The system solved: ``"cholesky-primal"`` ((X^T X + ridge I) W = X^T Y,
        when n_features <= n_samples), ``"cholesky-dual"``
        (W = X^T (X X^T + ridge I)^-1 Y, otherwise), ``"eigh-..."`` when the
        Gram was not numerically positive definite (pseudo-inverse), or
        ``"lstsq"`` for ridge = 0.

    Notes
    -----
    Solving the smaller Gram system costs O(n p min(n, p)): a reservoir of
    N = 2000 neurons trained on 500 samples needs a 500 x 500 solve, not a
    2000 x 2000 one. Both systems give the same W (the push-through identity
    (X^T X + beta I)^-1 X^T = X^T (X X^T + beta I)^-1).
    """

    def __init__(self, ridge=1e-6, fit_intercept=True, washout=0):
        self.ridge = ridge
        self.fit_intercept = fit_intercept
        self.washout = washout

    def fit(self, X, y, sample_weight=None):
        """Fit the readout.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States, one per row.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights of the squared errors (weight 2 counts a row
            twice).

        Returns
        -------
        self
        """
        ridge = _real("ridge", self.ridge, low=0.0)
        fit_intercept = flag("fit_intercept", self.fit_intercept)
        X, y = _check_X_y(self, X, y, reset=True)
        sw = _check_sample_weight(sample_weight, X.shape[0])
        X, y, sw = _drop_washout(self.washout, X, y, sw)
        W, b, self.solver_ = _ridge_fit(X, y.reshape(y.shape[0], -1), ridge, fit_intercept, sw)
        self._store(W, b, y.ndim == 2)
        return self


# --------------------------------------------------------------------------- recursive least squares

@njit(cache=True)
def _rls_steps(P, W, A, Y, forgetting):
    """RLS updates of P (m, m) and W (m, k), in place, over the rows of A (n, m) and Y (n, k).

    k = P a, c = forgetting + a^T k, W += k e^T / c with e = y - W^T a,
    P = (P - k k^T / c) / forgetting. k_i k_j is symmetric in (i, j), so
    a symmetric P stays exactly symmetric.
    """
    m, n_out = W.shape
    k = np.empty(m)
    for t in range(A.shape[0]):
        a = A[t]
        c = forgetting
        for i in range(m):
            s = 0.0
            for j in range(m):
                s += P[i, j] * a[j]
            k[i] = s
            c += a[i] * s
        for q in range(n_out):
            e = Y[t, q]
            for i in range(m):
                e -= W[i, q] * a[i]
            for i in range(m):
                W[i, q] += k[i] / c * e
        for i in range(m):
            for j in range(m):
                P[i, j] = (P[i, j] - k[i] * k[j] / c) / forgetting


class RLSReadout(_LinearRegressor):
    """Recursive least squares readout, trained online (FORCE learning).

    With P_0 = I / delta and W_0 = 0, each sample (x, y) updates::

        k = P x,  g = k / (forgetting + x^T k),  e = y - W^T x,
        W <- W + g e^T,  P <- (P - g k^T) / forgetting.

    Parameters
    ----------
    forgetting : float, default=1.0
        Forgetting factor lambda in (0, 1]: a sample seen s steps ago has
        weight lambda^s, so the readout tracks targets that drift over about
        1 / (1 - lambda) samples. With lambda = 1 the result does not depend
        on the order of the samples (up to rounding).
    delta : float, default=1.0
        Regularisation > 0 of the initial inverse correlation P_0 = I / delta
        (the ``1/alpha`` of FORCE learning).
    fit_intercept : bool, default=True
        Append a constant feature 1 to every row (last column of ``P_``);
        its weight is ``intercept_``.
    washout : int, default=0
        Number of leading rows of the stream discarded, counted from the
        start of training: by ``fit``, and across successive
        ``partial_fit`` calls (rows ``n_samples_seen_`` onwards are used).
        Leave 0 under cross-validation (see :class:`RidgeReadout`).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_outputs, n_features)
    intercept_ : float or ndarray of shape (n_outputs,)
        0 when ``fit_intercept=False``.
    P_ : ndarray of shape (m, m)
        The running inverse correlation matrix, m = n_features + fit_intercept.
    n_samples_seen_ : int
        Rows given since the start of training, washout rows included.
    n_features_in_ : int

    Notes
    -----
    The RLS solution is a ridge solution. By Sherman-Morrison the updates keep
    P_n^-1 = lambda P_{n-1}^-1 + a a^T for each row a (x with the constant 1
    appended when ``fit_intercept``), and P_n^-1 W_n = lambda P_{n-1}^-1 W_{n-1}
    + a y^T. Hence after n rows::

        W_n = (lambda^n delta I + sum_i lambda^(n-i) a_i a_i^T)^-1 sum_i lambda^(n-i) a_i y_i^T,

    the ridge solution with sample weights lambda^(n-i) and penalty
    lambda^n delta on every weight of the augmented row, the intercept
    included. With lambda = 1 that is :class:`RidgeReadout` with
    ``ridge=delta`` and ``fit_intercept=False`` on [X, 1]. Unlike
    :class:`RidgeReadout`, the intercept is therefore penalised (by delta,
    whose relative effect fades as samples accumulate): an unpenalised
    intercept would need an infinite entry of P_0.

    Each sample costs O(m^2); the loop runs in a Numba kernel.
    """

    def __init__(self, forgetting=1.0, delta=1.0, fit_intercept=True, washout=0):
        self.forgetting = forgetting
        self.delta = delta
        self.fit_intercept = fit_intercept
        self.washout = washout

    def fit(self, X, y, sample_weight=None):
        """Train from scratch on all rows of X and y, in order.

        Equivalent to discarding any previous training and calling
        :meth:`partial_fit` once with all the rows; the washout must leave at
        least one row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; a row with weight w updates as the row
            sqrt(w) (x, 1, y).

        Returns
        -------
        self
        """
        for name in ("P_", "_weights", "_y_2d", "n_samples_seen_"):
            self.__dict__.pop(name, None)
        return self._train(X, y, sample_weight, whole=True)

    def partial_fit(self, X, y, sample_weight=None):
        """Continue training on the rows of X and y, in order.

        The first call (or the first after :meth:`fit` failed) starts from
        P_0 = I / delta, W_0 = 0; later calls must give the same number of
        features and outputs, and the same ``fit_intercept``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._train(X, y, sample_weight, whole=False)

    def _train(self, X, y, sample_weight, whole):
        forgetting = _real("forgetting", self.forgetting, low=0.0, low_open=True, high=1.0)
        delta = _real("delta", self.delta, low=0.0, low_open=True)
        fit_intercept = flag("fit_intercept", self.fit_intercept)
        washout = count("washout", self.washout, lo=0)
        first = not hasattr(self, "P_")
        X, y = _check_X_y(self, X, y, reset=first)
        sw = _check_sample_weight(sample_weight, X.shape[0])
        if whole:
            _drop_washout(washout, X, y, sw)  # refuses a washout that would leave no row to train on
        Y = y.reshape(y.shape[0], -1)
        if first:
            m = X.shape[1] + fit_intercept
            P = np.eye(m) / delta
            W = np.zeros((m, Y.shape[1]))
            seen, y_2d = 0, y.ndim == 2
        else:
            # updated in place: a sample costs O(m^2), a copy of P per call would double it
            P = np.require(self.P_, np.float64, ["C_CONTIGUOUS", "WRITEABLE"])
            W = np.require(self._weights, np.float64, ["C_CONTIGUOUS", "WRITEABLE"])
            seen, y_2d = self.n_samples_seen_, self._y_2d
            if fit_intercept != (P.shape[0] == X.shape[1] + 1):
                raise ValueError("fit_intercept changed since training started; call fit to start again")
            if Y.shape[1] != W.shape[1]:
                raise ValueError(f"y has {Y.shape[1]} output(s) but the readout was trained "
                                 f"with {W.shape[1]}; call fit to start again")
        # the washout counts rows from the start of the stream, not of this chunk
        skip = min(max(washout - seen, 0), X.shape[0])
        A, Y = X[skip:], Y[skip:]
        if fit_intercept:
            A = np.hstack([A, np.ones((A.shape[0], 1))])
        if sw is not None:
            root = np.sqrt(sw[skip:])[:, None]
            A, Y = A * root, Y * root
        _rls_steps(P, W, np.ascontiguousarray(A), np.ascontiguousarray(Y), forgetting)
        self.P_, self._weights, self._y_2d = P, W, y_2d
        self.n_samples_seen_ = seen + X.shape[0]
        if fit_intercept:
            self._store(W[:-1], W[-1], y_2d)
        else:
            self._store(W, np.zeros(W.shape[1]), y_2d)
        return self


# --------------------------------------------------------------------------- classification

class RidgeClassifierReadout(ClassifierMixin, BaseEstimator):
    """Ridge regression classifier readout.

    Each class c gets an output trained by ridge regression (as
    :class:`RidgeReadout`) on the code +1 for samples of class c and -1 for
    the others; the predicted class is the one with the largest output. With
    two classes a single output codes the second class of ``classes_`` as +1
    and the first as -1, and the prediction is its sign (as
    :class:`sklearn.linear_model.RidgeClassifier`, whose outputs this
    reproduces).

    The codes are {-1, +1} rather than {0, 1}: they are symmetric about 0,
    so the binary threshold is 0 and, without an intercept, a state of zero
    favours no class. With ``fit_intercept=True`` the two codings give the
    same predictions (ridge is linear in the targets and the unpenalised
    intercept absorbs the shift), with outputs related by (d + 1) / 2.

    Parameters
    ----------
    ridge : float, default=1e-6
        Penalty >= 0 on the squared weights.
    fit_intercept : bool, default=True
        Fit unpenalised intercepts.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (any sortable labels, strings included), sorted.
    coef_ : ndarray of shape (n_features,) or (n_classes, n_features)
        1-D for two classes (the weights of the single output), else one row
        per class.
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_features_in_ : int
    solver_ : str
        As for :class:`RidgeReadout`.
    """

    def __init__(self, ridge=1e-6, fit_intercept=True):
        self.ridge = ridge
        self.fit_intercept = fit_intercept

    def fit(self, X, y, sample_weight=None):
        """Fit the readout.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, one row per sample (e.g. from :func:`sequence_features`).
        y : array-like of shape (n_samples,)
            Class labels; at least two distinct.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        ridge = _real("ridge", self.ridge, low=0.0)
        fit_intercept = flag("fit_intercept", self.fit_intercept)
        X, y = _check_X_y(self, X, y, reset=True, classifier=True)
        check_classification_targets(y)
        sw = _check_sample_weight(sample_weight, X.shape[0])
        self.classes_, index = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(f"y has only one class ({self.classes_[0]!r}); "
                             "a classifier needs at least two classes")
        if self.classes_.size == 2:
            codes = np.where(index == 1, 1.0, -1.0)[:, None]
        else:
            codes = -np.ones((y.shape[0], self.classes_.size))
            codes[np.arange(y.shape[0]), index] = 1.0
        W, b, self.solver_ = _ridge_fit(X, codes, ridge, fit_intercept, sw)
        # scikit-learn's RidgeClassifier layout: a 1-D coef_ for two classes, intercept_ (1,) or (n_classes,)
        self.coef_ = W[:, 0].copy() if self.classes_.size == 2 else W.T.copy()
        self.intercept_ = b
        return self

    def decision_function(self, X):
        """Outputs of the readout: the code each class is predicted to have.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (positive for
        ``classes_[1]``), else (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_.T + self.intercept_

    def predict(self, X):
        """The class with the largest output (for two classes: the sign of the output).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else np.argmax(scores, axis=1)
        return self.classes_[index]


# --------------------------------------------------------------------------- sequences

def sequence_features(states, *, time_axis, times=(-1,), mean_from=None):
    """One feature row per sequence: states at chosen times and, optionally, their time mean.

    For classifying (or regressing) whole sequences, e.g. the two stimuli of a
    discrimination task: the readout sees one row per sequence, built from
    that sequence's states.

    Parameters
    ----------
    states : array-like of shape (T, n_sequences, N) or (n_sequences, T, N)
        States (typically phi(x)) of N neurons over T time steps; which axis
        is time is given by ``time_axis``. Each replica is one sequence: the
        reservoir's features (R, T, F) take ``time_axis=1``, a (T, R, N)
        record ``time_axis=0``.
    time_axis : {0, 1}
        The time axis of ``states`` (keyword required: the two layouts are
        easy to confuse and would not fail).
    times : sequence of int, default=(-1,)
        Time indices whose states are concatenated (negative from the end);
        the default is the final state. May be empty if ``mean_from`` is set.
    mean_from : int, optional
        If given, append the mean of the states over time steps
        ``mean_from`` to the end (negative from the end); e.g. 0 for the
        whole sequence, or the washout length.

    Returns
    -------
    ndarray of shape (n_sequences, (len(times) + (mean_from is not None)) * N)
        Row s is [states at times[0], ..., states at times[-1], mean], each
        block of length N.

    Examples
    --------
    >>> import numpy as np
    >>> states = np.arange(24.0).reshape(4, 3, 2)     # T = 4, 3 sequences, N = 2
    >>> sequence_features(states, time_axis=0)        # final states
    array([[18., 19.],
           [20., 21.],
           [22., 23.]])
    >>> sequence_features(states, time_axis=0, times=(), mean_from=2).shape
    (3, 2)
    """
    S = np.asarray(states, dtype=np.float64)
    if S.ndim != 3:
        raise ValueError(f"states must be a 3-D array (time, sequences, neurons) or "
                         f"(sequences, time, neurons), got shape {S.shape}")
    if isinstance(time_axis, (bool, np.bool_)) or time_axis not in (0, 1):
        raise ValueError(f"time_axis must be 0 or 1, got {time_axis!r}")
    if S.size == 0:
        raise ValueError(f"states must have at least one time step, sequence and neuron, got shape {S.shape}")
    S = np.moveaxis(S, time_axis, 1)                      # (n_sequences, T, N)
    T = S.shape[1]
    if not np.all(np.isfinite(S)):
        raise ValueError("states must be finite (no NaN or infinity)")

    def index(what, t):
        if not isinstance(t, numbers.Integral) or isinstance(t, (bool, np.bool_)) or not -T <= t < T:
            raise ValueError(f"{what} an integer time step in [-{T}, {T}), got {t!r}")
        return int(t)

    try:
        times = [index("times must contain only", t) for t in times]
    except TypeError:
        raise ValueError(f"times must be a sequence of integers, got {times!r}") from None
    blocks = [S[:, t, :] for t in times]
    if mean_from is not None:
        blocks.append(S[:, index("mean_from must be", mean_from):, :].mean(axis=1))
    if not blocks:
        raise ValueError("times is empty and mean_from is None: no features to build")
    return np.concatenate(blocks, axis=1)
