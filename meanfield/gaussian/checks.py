"""Argument checks for Gaussian averages (THEORY.md section 4, "Gaussian averages").

Means h are finite reals; variances d = Var y >= 0; the covariance c of
(y, y') satisfies c^2 <= d1 d2. Rounding in the solver's Delta recursion
produces tiny violations, which are clipped; anything larger is a bug
upstream and raises ValueError.
"""

from __future__ import annotations

import numpy as np

#: Variances in [-VARIANCE_SLACK, 0) are rounding and are set to 0 (x is O(1) in this model).
VARIANCE_SLACK = 1e-12

#: |c| may exceed sqrt(d1 d2) by this relative amount (plus VARIANCE_SLACK) before it is an error.
COVARIANCE_SLACK = 1e-8


def _index(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _as_float(caller: str, name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{caller}: {name} must be real numbers, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        where = f" at index {_index(~np.isfinite(arr))}" if arr.ndim else ""
        raise ValueError(f"{caller}: {name} must be finite (no NaN or inf){where}")
    return arr


def _clip_variance(caller: str, name: str, d: np.ndarray) -> np.ndarray:
    if d.size and d.min() < 0.0:
        lo = float(d.min())
        if lo < -VARIANCE_SLACK:
            where = f" at index {_index(d == lo)}" if d.ndim else ""
            raise ValueError(
                f"{caller}: variance {name} must be >= 0, got {lo!r}{where} "
                f"(only rounding down to -{VARIANCE_SLACK:g} is tolerated)"
            )
        d = np.maximum(d, 0.0)
    return d


def mean_args(caller: str, h, d) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast (h, d) to float arrays; clip rounding-level negative variances."""
    h = _as_float(caller, "h", h)
    d = _clip_variance(caller, "d", _as_float(caller, "d", d))
    try:
        return tuple(np.array(a) for a in np.broadcast_arrays(h, d))
    except ValueError:
        raise ValueError(
            f"{caller}: h and d must broadcast together, got shapes {h.shape} and {d.shape}"
        ) from None


def clip_covariance(caller: str, d1: np.ndarray, d2: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Return c clipped to [-sqrt(d1 d2), sqrt(d1 d2)]; raise if it is outside beyond rounding."""
    bound = np.sqrt(d1 * d2)
    excess = np.abs(c) - bound
    if excess.size and excess.max() > 0.0:
        allowed = COVARIANCE_SLACK * bound + VARIANCE_SLACK
        bad = excess > allowed
        if np.any(bad):
            idx = _index(bad) if bad.ndim else ()
            where = f" at index {idx}" if idx else ""
            raise ValueError(
                f"{caller}: covariance c = {float(c[idx])!r} exceeds sqrt(d1*d2) = "
                f"{float(bound[idx])!r}{where}; a covariance needs c^2 <= d1*d2 "
                "(check that Delta is a covariance matrix)"
            )
        c = np.clip(c, -bound, bound)
    return c


def pair_args(caller: str, h1, d1, h2, d2, c) -> tuple[np.ndarray, ...]:
    """Broadcast (h1, d1, h2, d2, c) to float arrays; clip rounding-level violations."""
    h1 = _as_float(caller, "h1", h1)
    h2 = _as_float(caller, "h2", h2)
    d1 = _clip_variance(caller, "d1", _as_float(caller, "d1", d1))
    d2 = _clip_variance(caller, "d2", _as_float(caller, "d2", d2))
    c = _as_float(caller, "c", c)
    try:
        # copies: broadcast views are read-only in spirit and numba warns on them
        h1, d1, h2, d2, c = (np.array(a) for a in np.broadcast_arrays(h1, d1, h2, d2, c))
    except ValueError:
        raise ValueError(
            f"{caller}: h1, d1, h2, d2, c must broadcast together, got shapes "
            f"{[np.shape(a) for a in (h1, d1, h2, d2, c)]}"
        ) from None
    c = clip_covariance(caller, d1, d2, c)
    return h1, d1, h2, d2, c


def row_args(caller: str, h_k, d_kk, h, d, c, out) -> tuple:
    """Checks for the solver's row call: scalars (h_k, d_kk), 1-D arrays of one length."""
    hk = _as_float(caller, "h_k", h_k)
    dkk = _clip_variance(caller, "d_kk", _as_float(caller, "d_kk", d_kk))
    if hk.ndim or dkk.ndim:
        raise ValueError(f"{caller}: h_k and d_kk must be scalars, got shapes {hk.shape}, {dkk.shape}")
    h = _as_float(caller, "h", h)
    d = _clip_variance(caller, "d", _as_float(caller, "d", d))
    c = _as_float(caller, "c", c)
    if h.ndim != 1 or d.shape != h.shape or c.shape != h.shape:
        raise ValueError(
            f"{caller}: h, d, c must be 1-D arrays of one length (h_0..h_k, Delta_ll, Delta_kl), "
            f"got shapes {h.shape}, {d.shape}, {c.shape}"
        )
    c = clip_covariance(caller, np.broadcast_to(dkk, d.shape), d, c)
    if out is None:
        out = np.empty(h.shape)
    elif not (isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == h.shape
              and out.flags.c_contiguous and out.flags.writeable):
        raise ValueError(
            f"{caller}: out must be a writeable contiguous float64 array of shape {h.shape}"
        )
    return float(hk), float(dkk), np.ascontiguousarray(h), np.ascontiguousarray(d), \
        np.ascontiguousarray(c), out
