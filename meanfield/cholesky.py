"""Incremental causal (lower-triangular) Cholesky factor of a PSD matrix (THEORY.md section 4, step 2).

Rows arrive one time step at a time. Pivots below ``tol * A_kk`` give a zero
column (the innovation of that step is not used), so a positive SEMI-definite
matrix never produces a NaN; a pivot below ``-tol * A_kk`` is an error, never a
column to drop silently: it signals quadrature error larger than the
tolerance (THEORY.md, "Numerical rules").

Only the kept columns are stored, in time order, so the factor stays causal
and a row costs O(rank^2) rather than O(k^2).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Rounding of the connected covariance C - M M' is a few ulps of C; pivots
# within that band are noise, not signal, whichever their sign.
ROUNDING_ULPS = 64.0 * np.finfo(float).eps


class NegativePivotError(FloatingPointError):
    """A Cholesky pivot fell below -tol * A_kk: the covariance is not PSD to the requested tolerance."""


@njit(cache=True)
def cholesky_row(a_row, k, L, pivots, rank, tol, floor, allow_pivot=True):
    """Extend the factor by row ``k``.

    Parameters
    ----------
    a_row : float64[k+1]
        A_kl for l = 0..k.
    k : int
        Row index.
    L : float64[n, n_max]
        Factor; column c belongs to pivot time ``pivots[c]``. Row k is written.
    pivots : int64[n_max]
        Times of the kept columns.
    rank : int
        Number of kept columns before this row.
    tol, floor : float
        Pivots in [-(tol * A_kk + floor), tol * A_kk + floor] are dropped.
    allow_pivot : bool
        False drops the pivot whatever its size (the row is projected on the
        kept columns only).

    Returns
    -------
    new_rank : int
    pivot : float
        The Schur complement A_kk - sum_c L_kc^2 (negative and beyond the
        band means failure; the caller raises).
    """
    for c in range(rank):
        t = pivots[c]
        s = a_row[t]
        for c2 in range(c):
            s -= L[k, c2] * L[t, c2]
        L[k, c] = s / L[t, c]
    p = a_row[k]
    for c in range(rank):
        p -= L[k, c] * L[k, c]
    band = tol * max(a_row[k], 0.0) + floor
    if allow_pivot and p > band:
        L[k, rank] = math.sqrt(p)
        pivots[rank] = k
        rank += 1
    return rank, p


@njit(cache=True)
def innovation_sum(L, k, rank, pivots, xi):
    """sum_c L_kc xi[pivots[c]] over the kept columns (THEORY.md eq. 4.3, before the factor J0).

    BLAS ddot, as numpy's ``@`` of the former code computed it; one function
    shared by every solver, so that solvers that share a base row (compiled or
    Python) give the same bits.
    """
    if rank == 0:
        return 0.0
    return np.dot(L[k, :rank], xi[pivots[:rank]])


def pivot_band(a_kk: float, scale: float, tol: float) -> tuple[float, float]:
    """(floor, band) of row k: pivots in [-band, band] open no column (module docstring)."""
    floor = ROUNDING_ULPS * max(abs(scale), 0.0)
    return floor, tol * max(a_kk, 0.0) + floor


def negative_pivot_error(pivot: float, k: int, band: float) -> NegativePivotError:
    """The error of a pivot below -band at row k (what to change is in the message)."""
    return NegativePivotError(
        f"Cholesky pivot {pivot:.3e} at step {k} is below -tol * Chat_kk = {-band:.3e}: the "
        "covariance is not positive semi-definite to this tolerance. Increase the "
        "quadrature order or the pivot tolerance together (THEORY.md section 4: "
        "tanh needs tol >= 1e-3 at 40 nodes, 1e-5 at 60, 1e-6 at 80)."
    )


class CausalCholesky:
    """Lower-triangular factor L (L L^T = A on the rows seen so far), grown row by row.

    Parameters
    ----------
    n : int
        Maximum number of rows.
    tol : float
        Row-relative pivot tolerance (THEORY.md section 4, "Numerical rules").
    """

    def __init__(self, n: int, tol: float):
        if not (0.0 <= tol < 1.0) or not math.isfinite(tol):
            raise ValueError(f"pivot tolerance must lie in [0, 1), got {tol!r}")
        self.n = n
        self.tol = float(tol)
        self.L = np.zeros((n, n))  # calloc: untouched columns cost no memory
        self.pivots = np.zeros(n, dtype=np.int64)
        self.rank = 0
        self.rows = 0

    def add_row(self, a_row: np.ndarray, scale: float, allow_pivot: bool = True,
                tol: float | None = None) -> np.ndarray:
        """Append row k = number of rows so far; return L_k (length ``rank``).

        ``scale`` is the size of the raw second moment the row was computed
        from (e.g. C_kk); it sets the rounding band of the pivot.
        ``allow_pivot=False`` never opens a column for this row: the row is
        only regressed on the kept columns (its fresh innovation is dropped);
        a negative pivot beyond the band still raises. ``tol`` overrides the
        row-relative tolerance for this row.
        """
        k = self.rows
        if a_row.shape != (k + 1,):
            raise ValueError(f"row {k} must have length {k + 1}, got shape {a_row.shape}")
        tol = self.tol if tol is None else float(tol)
        floor, band = pivot_band(a_row[k], scale, tol)
        self.rank, pivot = cholesky_row(a_row, k, self.L, self.pivots, self.rank, tol, floor,
                                        bool(allow_pivot))
        if pivot < -band:
            raise negative_pivot_error(pivot, k, band)
        self.rows += 1
        return self.L[k, : self.rank]

    def innovation_sum(self, xi: np.ndarray) -> float:
        """L_k xi over the kept columns for the last row added (:func:`innovation_sum`)."""
        return float(innovation_sum(self.L, self.rows - 1, self.rank, self.pivots, xi))

    @property
    def pivot_times(self) -> np.ndarray:
        return self.pivots[: self.rank].copy()

    def factor(self) -> np.ndarray:
        """The kept columns, shape (rows, rank)."""
        return self.L[: self.rows, : self.rank].copy()
