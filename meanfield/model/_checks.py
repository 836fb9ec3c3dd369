"""Validation helpers shared by the parameter dataclasses.

Every check raises ``ValueError`` naming the offending field, its value and
the allowed range, so that a user knows what to fix without reading code.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np


def require_finite(owner: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{owner}.{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}.{name} must be finite, got {value!r}")
    return value


def require_range(
    owner: str,
    name: str,
    value,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    why: str = "",
) -> float:
    value = require_finite(owner, name, value)
    bad_lo = lo is not None and (value <= lo if lo_open else value < lo)
    bad_hi = hi is not None and (value >= hi if hi_open else value > hi)
    if bad_lo or bad_hi:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        reason = f" ({why})" if why else ""
        raise ValueError(
            f"{owner}.{name} = {value!r} is outside the allowed range "
            f"{left}{lo_s}, {hi_s}{right}{reason}"
        )
    return value


def require_int(owner: str, name: str, value, *, lo: int | None = None, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{owner}.{name} must be an integer, got {value!r}")
    value = int(value)
    if lo is not None and value < lo:
        reason = f" ({why})" if why else ""
        raise ValueError(f"{owner}.{name} = {value} must be >= {lo}{reason}")
    return value


def call_elementwise(owner: str, name: str, func, x, *, argument: str, must: str, vectorise: str):
    """``func(x)`` as an array of x's shape, or ValueError saying how to vectorise ``func``.

    For user callables that the solvers apply to whole arrays (phi, input
    profiles). ``owner`` names the field (``"Network.phi"``), ``argument``
    describes x in the message (``"a float array of shape (1001,)"``),
    ``must`` says what the callable must do and ``vectorise`` how to get there.
    Overflow is not an error here: the caller checks the values.
    """
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(func(x.copy()))
    except Exception as exc:  # noqa: BLE001 - any failure here means: not usable on arrays
        raise ValueError(f"{owner} = {name!r} raised {type(exc).__name__} ({exc}) when called on "
                         f"{argument}; {must}: {vectorise}") from None
    if out.shape != x.shape:
        raise ValueError(f"{owner} = {name!r} returned shape {out.shape} for {argument}; {must}: {vectorise}")
    return out
