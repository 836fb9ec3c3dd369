"""GaussianEngine API: row vs correlation, compiled vs plain quadrature, shapes, errors."""

import math
import pickle

import numpy as np
import pytest
from scipy import special

from meanfield.gaussian import GaussianEngine, generic
from meanfield.model import get_phi


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def random_delta(rng, K, scale=2.0):
    """A covariance matrix with a zero-variance first time (sigma0 = 0) and exact duplicates."""
    X = rng.normal(size=(K, K + 3)) * np.sqrt(scale / (K + 3))
    X[0] = 0.0          # Delta_00 = 0, as at k = 0 with sigma0 = 0
    X[5] = X[4]         # perfect correlation
    X[6] = -X[4]        # perfect anticorrelation
    return X @ X.T


def plain_tanh_correlation(eng, h1, d1, h2, d2, c):
    """The same quadrature summed with np.tanh over the full node grid (no pairing tricks)."""
    f = np.tanh
    return generic.correlation(f, f, *(np.atleast_1d(np.asarray(v, float)) for v in (h1, d1, h2, d2, c)),
                               eng.nodes, eng.weights)


@pytest.mark.parametrize("phi, order", [("tanh", 40), ("tanh", 61), ("tanh", 80), ("erf", 40),
                                        ("linear", 40), (sigmoid, 30)])
def test_row_equals_correlation_elementwise(phi, order):
    rng = np.random.default_rng(1)
    K = 40
    delta = random_delta(rng, K)
    h = rng.normal(scale=1.5, size=K)
    eng = GaussianEngine(phi, order=order)
    d = np.diag(delta).copy()
    for k in (0, 1, 6, K - 1):
        row = eng.row(h[k], delta[k, k], h[:k + 1], d[:k + 1], delta[k, :k + 1])
        ref = eng.correlation(h[k], delta[k, k], h[:k + 1], d[:k + 1], delta[k, :k + 1])
        assert row.shape == (k + 1,)
        np.testing.assert_array_equal(row, ref)


def test_row_writes_into_out():
    eng = GaussianEngine("tanh", order=40)
    out = np.full(3, np.nan)
    res = eng.row(0.1, 1.0, np.array([0.0, 0.2, 0.1]), np.array([0.5, 1.0, 1.0]),
                  np.array([0.3, 0.9, 1.0]), out=out)
    assert res is out and np.all(np.isfinite(out))
    with pytest.raises(ValueError, match="out"):
        eng.row(0.1, 1.0, np.zeros(3), np.ones(3), np.zeros(3), out=np.empty(3, dtype=np.float32))
    with pytest.raises(ValueError, match="out"):
        eng.row(0.1, 1.0, np.zeros(3), np.ones(3), np.zeros(3), out=np.empty(4))


@pytest.mark.parametrize("order, rule", [(40, "hermite"), (81, "hermite"), (31, "trapezoid")])
def test_compiled_tanh_equals_plain_quadrature(order, rule):
    """The paired, grouped kernel is an exact rewriting of sum_ij w_i w_j tanh tanh."""
    rng = np.random.default_rng(2)
    eng = GaussianEngine("tanh", order=order, rule=rule, d_max=5.0)
    n = 300
    d1 = rng.uniform(0, 5, n)
    d2 = rng.uniform(0, 5, n)
    rho = rng.uniform(-1, 1, n)
    rho[:20] = 1.0
    rho[20:40] = 0.0
    d1[40:60] = 0.0
    h1 = rng.normal(scale=2, size=n)
    # straddle the Taylor/exp switch of sinh (|2 A_i| = 1) and tiny arguments
    h2 = np.concatenate([rng.normal(scale=2, size=n - 60), rng.uniform(-0.6, 0.6, 60)])
    d2[-60:-30] = rng.uniform(0, 2e-3, 30)
    c = rho * np.sqrt(d1 * d2)
    got = eng.correlation(h1, d1, h2, d2, c)
    ref = plain_tanh_correlation(eng, h1, d1, h2, d2, c)
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-15)
    m = eng.mean(h2, d2)
    np.testing.assert_allclose(m, generic.mean(np.tanh, h2, d2, eng.nodes, eng.weights),
                               rtol=1e-13, atol=1e-16)


def test_huge_arguments_fall_back_to_plain_tanh():
    eng = GaussianEngine("tanh", order=40)
    h1 = np.array([0.3, 90.0, -0.2, 400.0, 0.1])
    d1 = np.array([1.0, 1.0, 400.0, 0.0, 300.0])
    h2 = np.array([95.0, -90.0, 0.1, 0.2, -0.3])
    d2 = np.array([1.0, 2.0, 400.0, 2.0, 400.0])
    c = np.array([0.5, 1.0, 390.0, 0.0, 300.0])
    got = eng.correlation(h1, d1, h2, d2, c)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, plain_tanh_correlation(eng, h1, d1, h2, d2, c), rtol=1e-13, atol=1e-15)
    assert float(eng.mean(500.0, 1.0)) == pytest.approx(1.0, abs=1e-15)


def test_linear_phi_is_exact():
    eng = GaussianEngine("linear", order=10)
    h1, d1, h2, d2, c = 0.7, 2.0, -1.3, 0.5, -0.9
    assert float(eng.mean(h1, d1)) == h1
    assert float(eng.correlation(h1, d1, h2, d2, c)) == pytest.approx(h1 * h2 + c, rel=1e-15, abs=0)
    # Gauss-Hermite is exact on polynomials: derivative averages of x are exact too
    assert float(eng.expectation("dphi", "phi", h1, d1, h2, d2, c)) == pytest.approx(h2, rel=1e-13, abs=0)
    assert float(eng.expectation("dphi", "dphi", h1, d1, h2, d2, c)) == pytest.approx(1.0, rel=1e-13, abs=0)
    assert float(eng.expectation("ddphi", "phi", h1, d1, h2, d2, c)) == 0.0
    row = eng.row(h1, d1, np.array([h2, h1]), np.array([d2, d1]), np.array([c, d1]))
    np.testing.assert_allclose(row, [h1 * h2 + c, h1 * h1 + d1], rtol=1e-15)
    assert eng.error_estimate(5.0) == 0.0


def test_erf_closed_form_mean():
    eng = GaussianEngine("erf")
    h = np.linspace(-3, 3, 7)[:, None]
    d = np.array([0.0, 0.5, 5.0])
    a = math.sqrt(math.pi) / 2
    exact = special.erf(a * h / np.sqrt(1 + 2 * a * a * d))
    np.testing.assert_allclose(eng.mean(h, d), exact, rtol=1e-14, atol=1e-16)
    assert eng.error_estimate(5.0) == 0.0


def test_broadcasting_shapes():
    eng = GaussianEngine("tanh", order=20)
    assert eng.mean(0.1, 1.0).shape == ()
    assert eng.mean(np.zeros((3, 1)), np.ones(4)).shape == (3, 4)
    C = eng.correlation(np.zeros((2, 1, 1)), 1.0, np.zeros(5), 1.0, np.full((3, 1), 0.5))
    assert C.shape == (2, 3, 5)
    assert np.all(C == C.flat[0])
    assert eng.expectation("dphi", "phi", 0.1, 1.0, np.zeros(3), 1.0, 0.2).shape == (3,)


def test_rounding_violations_are_clipped():
    eng = GaussianEngine("tanh", order=40)
    assert float(eng.mean(0.3, -1e-14)) == float(eng.mean(0.3, 0.0))
    d1, d2 = 1.3, 0.8
    bound = math.sqrt(d1 * d2)
    exact = float(eng.correlation(0.2, d1, -0.1, d2, bound))
    assert float(eng.correlation(0.2, d1, -0.1, d2, bound * (1 + 1e-10))) == exact
    assert float(eng.correlation(0.2, d1, -0.1, d2, -bound * (1 + 1e-10))) == float(
        eng.correlation(0.2, d1, -0.1, d2, -bound))
    row = eng.row(0.2, d1, np.array([-0.1]), np.array([d2]), np.array([bound * (1 + 1e-10)]))
    assert row[0] == exact


@pytest.mark.parametrize("kwargs, match", [
    (dict(h1=np.nan), "finite"),
    (dict(c=np.inf), "finite"),
    (dict(d1=-0.1), "variance d1 must be >= 0"),
    (dict(d2=np.array([1.0, -1e-6])), r"variance d2 must be >= 0, got -1e-06 at index \(1,\)"),
    (dict(c=1.5), "exceeds sqrt"),
    (dict(h1=np.zeros(2), h2=np.zeros(3)), "broadcast"),
    (dict(h1="a"), "real numbers"),
])
def test_bad_pair_input_raises(kwargs, match):
    eng = GaussianEngine("tanh", order=20)
    args = dict(h1=0.1, d1=1.0, h2=0.2, d2=1.0, c=0.5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        eng.correlation(**args)


def test_bad_row_and_mean_input_raises():
    eng = GaussianEngine("tanh", order=20)
    with pytest.raises(ValueError, match="1-D arrays of one length"):
        eng.row(0.0, 1.0, np.zeros(3), np.ones(2), np.zeros(3))
    with pytest.raises(ValueError, match="scalars"):
        eng.row(np.zeros(2), 1.0, np.zeros(3), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="variance d_kk"):
        eng.row(0.0, -1.0, np.zeros(3), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="exceeds sqrt"):
        eng.row(0.0, 1.0, np.zeros(2), np.ones(2), np.array([0.5, 1.1]))
    with pytest.raises(ValueError, match="finite"):
        eng.mean(np.array([0.0, np.nan]), 1.0)
    with pytest.raises(ValueError, match="not one of"):
        eng.expectation("dddphi", "phi", 0.0, 1.0, 0.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="not one of"):
        eng.mean(0.0, 1.0, f="psi")


@pytest.mark.parametrize("kwargs, match", [
    (dict(order=1), "order"), (dict(order=40.0), "order"), (dict(rule="simpson"), "rule"),
    (dict(accuracy=0.0), "accuracy"), (dict(accuracy=0.5), "accuracy"), (dict(d_max=-1.0), "d_max"),
    (dict(phi="relu"), "not a registered nonlinearity"), (dict(order=2, rule="trapezoid"), "order"),
])
def test_bad_constructor_arguments_raise(kwargs, match):
    args = dict(phi="tanh")
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        GaussianEngine(**args)


def test_constructor_defaults_and_pickling():
    eng = GaussianEngine("tanh", order=40)
    assert eng.phi is get_phi("tanh") and eng.order == 40 and eng.nodes.size == 34
    assert not eng.nodes.flags.writeable
    assert GaussianEngine("tanh").order == 555  # accuracy 1e-8 at d_max 10 (rules docstring)
    clone = pickle.loads(pickle.dumps(eng))
    args = (0.3, 1.2, -0.4, 0.9, 0.5)
    assert float(clone.correlation(*args)) == float(eng.correlation(*args))
    assert "order=40" in repr(eng)
