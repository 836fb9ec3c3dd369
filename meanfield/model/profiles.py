"""Time profiles s(t) of the inputs (THEORY.md section 1, "Inputs").

Profiles are frozen dataclasses so that parameters stay hashable and can be
written to JSON sidecars. ``values(times)`` evaluates a profile on a grid;
the Euler scheme uses s(t_k) on step k -> k+1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._checks import call_elementwise, require_finite, require_range


@dataclass(frozen=True)
class Constant:
    """s(t) = value."""

    value: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "value", require_finite("Constant", "value", self.value))

    def values(self, times: np.ndarray) -> np.ndarray:
        return np.full(np.shape(times), self.value, dtype=float)


@dataclass(frozen=True)
class Step:
    """s(t) = 1 for t_on <= t < t_off, 0 otherwise (a pulse when t_off is finite)."""

    t_on: float = 0.0
    t_off: float = math.inf

    def __post_init__(self):
        require_finite("Step", "t_on", self.t_on)
        if math.isnan(self.t_off) or self.t_off <= self.t_on:
            raise ValueError(f"Step.t_off = {self.t_off!r} must be larger than t_on = {self.t_on!r}")

    def values(self, times: np.ndarray) -> np.ndarray:
        t = np.asarray(times, dtype=float)
        return ((t >= self.t_on) & (t < self.t_off)).astype(float)


@dataclass(frozen=True)
class Sine:
    """s(t) = sin(omega t + phase)."""

    omega: float = 1.0
    phase: float = 0.0

    def __post_init__(self):
        require_range("Sine", "omega", self.omega, lo=0.0)
        require_finite("Sine", "phase", self.phase)

    def values(self, times: np.ndarray) -> np.ndarray:
        return np.sin(self.omega * np.asarray(times, dtype=float) + self.phase)


# Times at which a Custom profile is tried when it is built: two or more, so that
# math.sin (which accepts a one-element array) fails as it would on a grid.
_PROBE_TIMES = np.array([0.0, 0.1, 0.5, 1.0, 2.0])

_VECTORISE = ("vectorise it: use numpy functions (np.sin, not math.sin; np.where(t > 1, 1.0, 0.0), "
              "not `if t > 1`), or wrap it with np.vectorize (slow)")


@dataclass(frozen=True)
class Custom:
    """A user callable s(t), vectorised over t. Not serialisable beyond its name.

    ``func`` is called once on a few times when the profile is built: it must
    return a real array of the shape of its argument. Its finiteness is
    checked on the grid of each run (:meth:`values`).

    Raises
    ------
    ValueError
        Naming ``Custom.func`` if it is not callable or not vectorised.
    """

    func: Callable[[np.ndarray], np.ndarray]

    def __post_init__(self):
        if not callable(self.func):
            raise ValueError(f"Custom.func must be a callable s(t), got {self.func!r}")  # noqa: TRY004
        name = getattr(self.func, "__name__", "custom")
        t = _PROBE_TIMES.copy()
        # values are checked on the real grid, in values()
        out = call_elementwise("Custom.func", name, self.func, t, argument=f"an array of {t.size} times",
                               must="a profile must map an array of times to an array of the same shape",
                               vectorise=_VECTORISE)
        if out.dtype.kind not in "biuf":
            raise ValueError(f"Custom.func = {name!r} returned {out.dtype} values; s(t) must be real")

    def values(self, times: np.ndarray) -> np.ndarray:
        t = np.asarray(times, dtype=float)
        out = np.asarray(self.func(t), dtype=float)
        if out.shape != t.shape:
            raise ValueError(
                f"Custom profile {getattr(self.func, '__name__', 'custom')!r} returned shape {out.shape} "
                f"for {t.shape} times; it must return an array of the shape of its times"
            )
        bad = ~np.isfinite(out)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"Custom profile {getattr(self.func, '__name__', 'custom')!r} is not finite at t = "
                f"{t.ravel()[i]:g} (s = {out.ravel()[i]}); inputs must be finite on the whole grid"
            )
        return out


Profile = Constant | Step | Sine | Custom


def profile_to_dict(profile) -> dict:
    if isinstance(profile, Custom):
        return {"type": "Custom", "name": getattr(profile.func, "__name__", "custom")}
    return {"type": type(profile).__name__, **profile.__dict__}


def profile_from_dict(d: dict):
    kinds = {"Constant": Constant, "Step": Step, "Sine": Sine}
    d = dict(d)
    kind = d.pop("type")
    if kind not in kinds:
        raise ValueError(f"cannot rebuild a profile of type {kind!r} from a dictionary")
    return kinds[kind](**d)
