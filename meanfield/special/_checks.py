"""Argument checks of the special-case solvers (ValueError saying what to fix)."""

from __future__ import annotations

import numpy as np

from ..model._checks import require_finite, require_int, require_range

OWNER = "meanfield.special"


def check_g(g, *, below_one: bool = False) -> float:
    if below_one:
        return require_range(
            OWNER, "g", g, lo=0.0, hi=1.0, hi_open=True,
            why="static fixed points are computed for g < 1, where they are unique",
        )
    return require_range(OWNER, "g", g, lo=0.0)


def check_J0(J0) -> float:
    return require_range(OWNER, "J0", J0, lo=0.0)


def check_dt(dt) -> float:
    return require_range(
        OWNER, "dt", dt, lo=0.0, hi=1.0, lo_open=True, hi_open=True,
        why="the Euler leak factor 1 - dt must lie in (0, 1) (THEORY.md section 4)",
    )


def check_positive(name: str, value) -> float:
    return require_range(OWNER, name, value, lo=0.0, lo_open=True)


def check_count(name: str, value, lo: int) -> int:
    return require_int(OWNER, name, value, lo=lo)


def check_real(name: str, value) -> float:
    return require_finite(OWNER, name, value)


def check_array(name: str, values) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{OWNER}: {name} contains NaN or infinite values")
    return arr
