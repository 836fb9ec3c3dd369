"""The incremental causal Cholesky (THEORY.md section 4, step 2) against numpy and exact algebra."""

import numpy as np
import pytest

from meanfield.cholesky import CausalCholesky, NegativePivotError


def _factor(A, tol):
    chol = CausalCholesky(len(A), tol)
    for k in range(len(A)):
        chol.add_row(A[k, : k + 1].copy(), scale=A[k, k])
    return chol


def test_positive_definite_matches_numpy():
    rng = np.random.default_rng(1)
    B = rng.standard_normal((30, 30))
    A = B @ B.T + 0.1 * np.eye(30)
    chol = _factor(A, tol=0.0)
    assert chol.rank == 30
    np.testing.assert_allclose(chol.factor(), np.linalg.cholesky(A), rtol=1e-10, atol=1e-12)


def test_semidefinite_gives_zero_columns_not_nans():
    rng = np.random.default_rng(2)
    B = rng.standard_normal((40, 5))
    A = B @ B.T  # rank 5
    A[0, :] = A[:, 0] = 0.0  # a zero first row, as at k = 0 when sigma0 = 0
    chol = _factor(A, tol=1e-9)
    L = chol.factor()
    assert chol.rank == 5
    assert np.all(np.isfinite(L))
    np.testing.assert_allclose(L @ L.T, A, atol=1e-9 * np.abs(A).max())
    # causal: the kept columns start at their pivot times (lower triangular in time)
    for c, t in enumerate(chol.pivot_times):
        assert np.all(L[:t, c] == 0.0)


def test_negative_pivot_raises():
    A = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.95], [0.0, 0.95, 1.0]])  # indefinite
    assert np.linalg.eigvalsh(A)[0] < 0
    with pytest.raises(NegativePivotError, match="quadrature order"):
        _factor(A, tol=1e-6)


def test_rows_must_have_the_right_length():
    chol = CausalCholesky(3, 1e-3)
    with pytest.raises(ValueError, match="length 1"):
        chol.add_row(np.ones(2), scale=1.0)
