"""The trained readouts of simulate.readouts: exact against independent solvers, and scikit-learn estimators.

Ridge is checked against the least-squares solution of the augmented system
[X; sqrt(ridge) I] W = [Y; 0] and against scikit-learn's Ridge; RLS against
the ridge identity it satisfies (the Notes of RLSReadout); the classifier
against scikit-learn's RidgeClassifier. Every estimator passes
scikit-learn's estimator checks.
"""

import doctest

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, Ridge, RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from simulate import readouts
from simulate.readouts import (
    RidgeClassifierReadout,
    RidgeReadout,
    RLSReadout,
    sequence_features,
)


def data(n, p, k=None, seed=0):
    """X (n, p) and y (n,) or Y (n, k) from a noisy linear map with an offset."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + 0.5
    W = rng.normal(size=(p, k or 1))
    Y = X @ W + 0.7 + 0.1 * rng.normal(size=(n, k or 1))
    return X, (Y if k else Y[:, 0])


def augmented_lstsq(X, Y, ridge):
    """argmin ||Y - X W||^2 + ridge ||W||^2 as the least-squares solution of [X; sqrt(ridge) I] W = [Y; 0]."""
    p = X.shape[1]
    Y2 = Y.reshape(X.shape[0], -1)
    A = np.vstack([X, np.sqrt(ridge) * np.eye(p)])
    B = np.vstack([Y2, np.zeros((p, Y2.shape[1]))])
    return np.linalg.lstsq(A, B, rcond=None)[0]


SHAPES = [(40, 10), (10, 40)]     # primal (n_features <= n_samples) and dual


# --------------------------------------------------------------------------- RidgeReadout

@pytest.mark.parametrize("n,p", SHAPES)
@pytest.mark.parametrize("k", [None, 3])
def test_ridge_is_the_least_squares_solution_of_the_augmented_system(n, p, k):
    X, Y = data(n, p, k)
    r = RidgeReadout(ridge=0.3, fit_intercept=False).fit(X, Y)
    W = augmented_lstsq(X, Y, 0.3)
    assert_allclose(r.coef_, W.T if k else W[:, 0], rtol=1e-10, atol=1e-12)
    assert r.solver_ == ("cholesky-primal" if p <= n else "cholesky-dual")
    assert np.all(r.intercept_ == 0)


@pytest.mark.parametrize("n,p", SHAPES)
@pytest.mark.parametrize("k", [None, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_matches_sklearn_ridge(n, p, k, fit_intercept):
    X, Y = data(n, p, k, seed=1)
    sw = np.random.default_rng(2).uniform(0.2, 2.0, n)
    for weights in (None, sw):
        ours = RidgeReadout(ridge=0.3, fit_intercept=fit_intercept).fit(X, Y, sample_weight=weights)
        ref = Ridge(alpha=0.3, fit_intercept=fit_intercept, solver="svd").fit(X, Y, sample_weight=weights)
        assert np.shape(ours.coef_) == np.shape(ref.coef_)
        if fit_intercept:   # without, sklearn's intercept_ is the scalar 0.0; ours keeps one per output
            assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
        assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-11)
        assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-11)
        assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9, atol=1e-11)
        assert ours.score(X, Y) == pytest.approx(ref.score(X, Y), rel=1e-10)


@pytest.mark.parametrize("n,p", SHAPES)
def test_the_primal_and_the_dual_system_give_the_same_weights(n, p):
    A, B = data(n, p, 2, seed=3)
    Wp, how_p = readouts._ridge_weights(A, B, 0.05, branch="primal")
    Wd, how_d = readouts._ridge_weights(A, B, 0.05, branch="dual")
    assert (how_p, how_d) == ("cholesky-primal", "cholesky-dual")
    assert_allclose(Wp, Wd, rtol=1e-9, atol=1e-11)
    # the default solves the smaller of the two Gram systems
    assert readouts._ridge_weights(A, B, 0.05)[1] == ("cholesky-primal" if p <= n else "cholesky-dual")


def test_multi_output_is_one_ridge_per_column_and_keeps_its_shape():
    X, Y = data(30, 6, 4, seed=4)
    r = RidgeReadout(ridge=0.1).fit(X, Y)
    assert r.coef_.shape == (4, 6) and r.intercept_.shape == (4,) and r.predict(X).shape == (30, 4)
    for j in range(4):
        one = RidgeReadout(ridge=0.1).fit(X, Y[:, j])
        assert one.coef_.shape == (6,) and isinstance(one.intercept_, float) and one.predict(X).shape == (30,)
        assert_allclose(r.coef_[j], one.coef_, rtol=1e-12, atol=1e-14)
        assert_allclose(r.intercept_[j], one.intercept_, rtol=1e-12)
    column = RidgeReadout(ridge=0.1).fit(X, Y[:, :1])          # (n, 1) stays 2-D
    assert column.coef_.shape == (1, 6) and column.predict(X).shape == (30, 1)


def test_washout_drops_the_first_rows_in_fit_only():
    X, Y = data(50, 5, 2, seed=5)
    sw = np.linspace(0.5, 1.5, 50)
    dropped = RidgeReadout(ridge=0.2, washout=7).fit(X, Y, sample_weight=sw)
    ref = RidgeReadout(ridge=0.2).fit(X[7:], Y[7:], sample_weight=sw[7:])
    assert_array_equal(dropped.coef_, ref.coef_)
    assert_array_equal(dropped.intercept_, ref.intercept_)
    assert dropped.predict(X).shape == (50, 2)
    # the washout rows really are ignored: changing them changes nothing
    X2, Y2 = X.copy(), Y.copy()
    X2[:7], Y2[:7] = 1e6, -1e6
    assert_array_equal(RidgeReadout(ridge=0.2, washout=7).fit(X2, Y2, sample_weight=sw).coef_, ref.coef_)


def test_ridge_zero_with_a_singular_gram_is_the_minimum_norm_solution():
    X, y = data(30, 5, seed=6)
    X = np.hstack([X, X[:, :1]])                                # a duplicated column: X^T X singular
    r = RidgeReadout(ridge=0.0).fit(X, y)
    assert r.solver_ == "lstsq"
    Xc, yc = X - X.mean(0), y - y.mean()
    assert_allclose(r.coef_, np.linalg.pinv(Xc) @ yc, rtol=1e-9, atol=1e-12)
    assert r.coef_[0] == pytest.approx(r.coef_[-1], rel=1e-9)  # the minimum norm splits the weight
    assert_allclose(r.predict(X), LinearRegression().fit(X, y).predict(X), rtol=1e-9)
    # dual shape (n < p): with the centred Gram always singular, ridge = 0 interpolates
    Xw, yw = data(8, 20, seed=7)
    assert_allclose(RidgeReadout(ridge=0.0).fit(Xw, yw).predict(Xw), yw, rtol=1e-9)


def test_a_gram_that_is_not_numerically_positive_definite_falls_back_to_the_pseudo_inverse():
    G = np.ones((3, 3))                                         # rank one: Cholesky meets a zero pivot
    B = np.arange(6.0).reshape(3, 2)
    X, how = readouts._pd_solve(G, B)
    assert how == "eigh"
    assert_allclose(X, np.linalg.pinv(G) @ B, rtol=1e-12, atol=1e-14)


def test_float32_input_is_computed_in_float64():
    X, y = data(40, 6, seed=8)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    r32 = RidgeReadout(ridge=0.1).fit(X32, y32)
    r64 = RidgeReadout(ridge=0.1).fit(X32.astype(np.float64), y32.astype(np.float64))
    assert r32.coef_.dtype == np.float64 and r32.predict(X32).dtype == np.float64
    assert_array_equal(r32.coef_, r64.coef_)


# --------------------------------------------------------------------------- RLSReadout

def test_rls_is_ridge_with_delta_on_every_weight_of_the_augmented_row():
    X, Y = data(60, 5, 2, seed=9)
    delta = 0.7
    rls = RLSReadout(delta=delta).fit(X, Y)
    A = np.hstack([X, np.ones((60, 1))])                        # the constant feature, last
    W = np.linalg.solve(delta * np.eye(6) + A.T @ A, A.T @ Y)
    assert_allclose(rls.coef_, W[:-1].T, rtol=1e-10, atol=1e-12)
    assert_allclose(rls.intercept_, W[-1], rtol=1e-10, atol=1e-12)
    ridge = RidgeReadout(ridge=delta, fit_intercept=False).fit(A, Y)
    assert_allclose(rls.coef_, ridge.coef_[:, :-1], rtol=1e-10, atol=1e-12)
    assert_allclose(rls.intercept_, ridge.coef_[:, -1], rtol=1e-10, atol=1e-12)
    assert_allclose(np.linalg.inv(rls.P_), delta * np.eye(6) + A.T @ A, rtol=1e-9, atol=1e-9)
    # without an intercept: plain ridge with ridge = delta
    plain = RLSReadout(delta=delta, fit_intercept=False).fit(X, Y[:, 0])
    assert plain.intercept_ == 0.0 and plain.P_.shape == (5, 5)
    assert_allclose(plain.coef_, RidgeReadout(ridge=delta, fit_intercept=False).fit(X, Y[:, 0]).coef_,
                    rtol=1e-10, atol=1e-12)


def test_rls_with_forgetting_is_exponentially_weighted_ridge():
    X, y = data(80, 4, seed=10)
    lam, delta, n = 0.97, 2.0, 80
    rls = RLSReadout(forgetting=lam, delta=delta).fit(X, y)
    A = np.hstack([X, np.ones((n, 1))])
    ref = RidgeReadout(ridge=lam ** n * delta, fit_intercept=False).fit(
        A, y, sample_weight=lam ** (n - 1 - np.arange(n)))
    assert_allclose(rls.coef_, ref.coef_[:-1], rtol=1e-9, atol=1e-11)
    assert rls.intercept_ == pytest.approx(ref.coef_[-1], rel=1e-9)


@pytest.mark.parametrize("washout", [0, 5])
def test_rls_partial_fit_in_chunks_equals_one_fit(washout):
    X, Y = data(50, 4, 2, seed=11)
    one = RLSReadout(forgetting=0.98, delta=0.5, washout=washout).fit(X, Y)
    chunked = RLSReadout(forgetting=0.98, delta=0.5, washout=washout)
    for start, stop in [(0, 1), (1, 3), (3, 20), (20, 21), (21, 50)]:  # the washout spans chunks
        chunked.partial_fit(X[start:stop], Y[start:stop])
    assert chunked.n_samples_seen_ == one.n_samples_seen_ == 50
    assert_allclose(chunked.coef_, one.coef_, rtol=1e-13, atol=1e-15)
    assert_allclose(chunked.intercept_, one.intercept_, rtol=1e-13, atol=1e-15)
    assert_array_equal(chunked.P_, chunked.P_.T)                 # P stays exactly symmetric
    if washout:
        assert_allclose(one.coef_, RLSReadout(forgetting=0.98, delta=0.5).fit(X[5:], Y[5:]).coef_,
                        rtol=1e-13, atol=1e-15)


def test_rls_fit_starts_again_and_partial_fit_refuses_a_changed_problem():
    X, y = data(30, 4, seed=12)
    rls = RLSReadout().fit(X, y)
    first = rls.coef_.copy()
    assert_array_equal(rls.fit(X, y).coef_, first)               # fit discards the previous training
    with pytest.raises(ValueError, match="X has 3 features"):
        rls.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="y has 2 output"):
        rls.partial_fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="fit_intercept changed"):
        rls.set_params(fit_intercept=False).partial_fit(X, y)
    assert_array_equal(rls.coef_, first)                          # refused calls leave the state as it was


# --------------------------------------------------------------------------- RidgeClassifierReadout

@pytest.mark.parametrize("labels", [["no", "yes"], ["a", "b", "c", "d"], [3, 7, 11]])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_classifier_matches_sklearn_ridge_classifier(labels, fit_intercept):
    rng = np.random.default_rng(13)
    X = rng.normal(size=(60, 7))
    y = np.asarray(labels, dtype=object if isinstance(labels[0], str) else None)[rng.integers(0, len(labels), 60)]
    sw = rng.uniform(0.5, 2.0, 60)
    for weights in (None, sw):
        ours = RidgeClassifierReadout(ridge=0.5, fit_intercept=fit_intercept).fit(X, y, sample_weight=weights)
        ref = RidgeClassifier(alpha=0.5, fit_intercept=fit_intercept).fit(X, y, sample_weight=weights)
        assert_array_equal(ours.classes_, ref.classes_)
        assert ours.coef_.shape == ref.coef_.shape
        if fit_intercept:   # without, sklearn's intercept_ is the scalar 0.0; ours keeps one per output
            assert ours.intercept_.shape == np.shape(ref.intercept_)
        d = ours.decision_function(X)
        assert d.shape == ((60,) if len(labels) == 2 else (60, len(labels)))
        assert_allclose(d, ref.decision_function(X), rtol=1e-9, atol=1e-11)
        assert_array_equal(ours.predict(X), ref.predict(X))
        assert ours.score(X, y) == np.mean(ref.predict(X) == y)


def test_zero_one_codes_would_give_the_same_classes_with_an_intercept():
    rng = np.random.default_rng(14)
    X, y = rng.normal(size=(40, 5)), rng.integers(0, 3, 40)
    clf = RidgeClassifierReadout(ridge=0.2).fit(X, y)
    one_hot = RidgeReadout(ridge=0.2).fit(X, np.eye(3)[y])        # {0, 1} codes
    assert_allclose(one_hot.predict(X), (clf.decision_function(X) + 1) / 2, rtol=1e-10, atol=1e-12)


def test_classifier_needs_two_classes():
    X, _ = data(10, 3)
    with pytest.raises(ValueError, match="only one class"):
        RidgeClassifierReadout().fit(X, ["a"] * 10)


# --------------------------------------------------------------------------- scikit-learn integration

@pytest.mark.parametrize("estimator,grid", [
    (RidgeReadout(), {"ridge": [1e-6, 1e-2, 1.0, 100.0]}),
    (RLSReadout(), {"delta": [1e-2, 1.0, 100.0], "forgetting": [1.0, 0.999]}),
    (RidgeClassifierReadout(), {"ridge": [1e-3, 1.0, 100.0]}),
], ids=["RidgeReadout", "RLSReadout", "RidgeClassifierReadout"])
def test_grid_search_over_the_regularisation(estimator, grid):
    rng = np.random.default_rng(15)
    X = rng.normal(size=(60, 8))
    y = X[:, 0] - 2 * X[:, 1] + 0.3 * rng.normal(size=60)
    if isinstance(estimator, RidgeClassifierReadout):
        y = np.where(y > 0, "up", "down")
    search = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    assert set(search.best_params_) == set(grid)
    assert search.best_score_ > 0.7
    assert search.best_estimator_.n_features_in_ == 8


def test_pipeline_with_a_scaler():
    X, Y = data(40, 6, 2, seed=16)
    X = X * np.arange(1, 7) * 10.0
    pipe = make_pipeline(StandardScaler(), RidgeReadout(ridge=0.1)).fit(X, Y)
    manual = RidgeReadout(ridge=0.1).fit(StandardScaler().fit_transform(X), Y)
    assert_allclose(pipe.predict(X), manual.predict(StandardScaler().fit_transform(X)), rtol=1e-12)
    assert pipe.get_params()["ridgereadout__ridge"] == 0.1
    assert pipe.score(X, Y) > 0.9


def test_hyperparameters_are_stored_as_given_and_refused_at_fit():
    r = RidgeReadout(ridge=-1.0)                                # no validation in __init__ (sklearn rule)
    assert r.get_params() == {"ridge": -1.0, "fit_intercept": True, "washout": 0}
    assert clone(r).ridge == -1.0
    with pytest.raises(ValueError, match="ridge"):
        r.fit(*data(10, 3))


def expected_failed_checks(estimator):
    """The estimator checks that do not apply, with why (strict xfails)."""
    position = ("samples are weighted by their position in the stream, so a repeated row is not a "
                "row of weight 2")
    if isinstance(estimator, RLSReadout) and estimator.forgetting != 1.0:
        return {"check_sample_weight_equivalence_on_dense_data": "forgetting < 1: " + position}
    if getattr(estimator, "washout", 0):
        return {"check_sample_weight_equivalence_on_dense_data": "washout > 0 drops the first rows, "
                                                                 "whichever rows are repeated"}
    return {}


@parametrize_with_checks(
    [RidgeReadout(), RLSReadout(), RidgeClassifierReadout(),
     RLSReadout(forgetting=0.99), RidgeReadout(washout=3)],
    expected_failed_checks=expected_failed_checks, xfail_strict=True)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# --------------------------------------------------------------------------- bad inputs

X0, Y0 = data(12, 3, 2)
BAD = [
    (RidgeReadout(ridge=-1e-3), (X0, Y0), {}, "ridge must be"),
    (RidgeReadout(ridge=np.nan), (X0, Y0), {}, "ridge must be"),
    (RidgeReadout(ridge="1"), (X0, Y0), {}, "ridge must be"),
    (RidgeReadout(fit_intercept="yes"), (X0, Y0), {}, "fit_intercept must be"),
    (RidgeReadout(washout=-1), (X0, Y0), {}, "washout must be"),
    (RidgeReadout(washout=2.0), (X0, Y0), {}, "washout must be"),
    (RidgeReadout(washout=12), (X0, Y0), {}, r"washout \(12\) must be smaller"),
    (RidgeReadout(), (X0, Y0[:-1]), {}, "X and y must have the same number of samples"),
    (RidgeReadout(), (np.where(np.eye(12, 3) > 0, np.nan, X0), Y0), {}, "Input X contains NaN"),
    (RidgeReadout(), (X0, np.where(np.eye(12, 2) > 0, np.inf, Y0)), {}, "Input y contains infinity"),
    (RidgeReadout(), (X0, Y0[:, :, None]), {}, "y must have shape"),
    (RidgeReadout(), (X0[:, 0], Y0), {}, "Expected 2D array"),
    (RidgeReadout(), (X0, Y0), {"sample_weight": np.ones(11)}, "sample_weight must have shape"),
    (RidgeReadout(), (X0, Y0), {"sample_weight": -np.ones(12)}, "sample_weight must be finite and non-neg"),
    (RidgeReadout(), (X0, Y0), {"sample_weight": np.zeros(12)}, "sample_weight must contain"),
    (RidgeReadout(washout=2), (X0, Y0), {"sample_weight": np.r_[1, 1, np.zeros(10)]},
     "sample_weight must contain at least one non-zero weight after the washout"),
    (RLSReadout(forgetting=0.0), (X0, Y0), {}, "forgetting must be"),
    (RLSReadout(forgetting=1.01), (X0, Y0), {}, "forgetting must be"),
    (RLSReadout(delta=0.0), (X0, Y0), {}, "delta must be"),
    (RLSReadout(washout=20), (X0, Y0), {}, r"washout \(20\) must be smaller"),
    (RLSReadout(), (X0, None), {}, "requires y to be passed"),
    (RidgeClassifierReadout(ridge=-1), (X0, np.arange(12) % 2), {}, "ridge must be"),
    (RidgeClassifierReadout(), (X0, np.arange(11) % 2), {}, "X and y must have the same number of samples"),
    (RidgeClassifierReadout(), (X0, np.linspace(0, 1, 12)), {}, "Unknown label type"),
]


@pytest.mark.parametrize("estimator,args,kwargs,match", BAD, ids=[m[:40] for *_, m in BAD])
def test_bad_inputs_are_refused_naming_the_argument(estimator, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        clone(estimator).fit(*args, **kwargs)


@pytest.mark.parametrize("estimator", [RidgeReadout(), RLSReadout(), RidgeClassifierReadout()],
                         ids=lambda e: type(e).__name__)
def test_predict_refuses_the_wrong_number_of_features_and_an_unfitted_readout(estimator):
    y = np.arange(12) % 2
    with pytest.raises(ValueError, match="not fitted"):
        clone(estimator).predict(X0)
    fitted = clone(estimator).fit(X0, y)
    with pytest.raises(ValueError, match="X has 2 features, but .* is expecting 3"):
        fitted.predict(X0[:, :2])


# --------------------------------------------------------------------------- sequence_features

def test_sequence_features_in_both_layouts():
    rng = np.random.default_rng(17)
    states = rng.normal(size=(9, 4, 3))                          # (T, n_sequences, N)
    F = sequence_features(states, time_axis=0, times=(2, -1), mean_from=5)
    assert F.shape == (4, 9)
    assert_array_equal(F[:, :3], states[2])
    assert_array_equal(F[:, 3:6], states[-1])
    assert_allclose(F[:, 6:], states[5:].mean(axis=0), rtol=1e-15)
    swapped = sequence_features(states.transpose(1, 0, 2), time_axis=1, times=(2, -1), mean_from=5)
    assert_array_equal(swapped, F)
    assert_array_equal(sequence_features(states, time_axis=0), states[-1])


def test_sequence_features_feed_the_classifier():
    rng = np.random.default_rng(18)
    labels = np.repeat(["left", "right"], 10)
    states = rng.normal(size=(20, 15, 6)) + np.where(labels == "left", -1.0, 1.0)[:, None, None]
    X = sequence_features(states, time_axis=1, times=(), mean_from=5)
    assert RidgeClassifierReadout(ridge=1.0).fit(X, labels).score(X, labels) == 1.0


@pytest.mark.parametrize("states,kwargs,match", [
    (np.zeros((4, 3)), {"time_axis": 0}, "states must be a 3-D array"),
    (np.zeros((0, 3, 2)), {"time_axis": 0}, "at least one time step"),
    (np.full((4, 3, 2), np.nan), {"time_axis": 0}, "states must be finite"),
    (np.zeros((4, 3, 2)), {"time_axis": 2}, "time_axis must be 0 or 1"),
    (np.zeros((4, 3, 2)), {"time_axis": True}, "time_axis must be 0 or 1"),
    (np.zeros((4, 3, 2)), {"time_axis": 0, "times": (4,)}, "times must contain only an integer time step"),
    (np.zeros((4, 3, 2)), {"time_axis": 0, "times": 1}, "times must be a sequence"),
    (np.zeros((4, 3, 2)), {"time_axis": 0, "times": (), "mean_from": -5}, "mean_from must be an integer time step"),
    (np.zeros((4, 3, 2)), {"time_axis": 0, "times": ()}, "no features to build"),
])
def test_sequence_features_refuses_bad_inputs(states, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sequence_features(states, **kwargs)


def test_the_module_examples_run():
    assert doctest.testmod(readouts, raise_on_error=False).failed == 0
