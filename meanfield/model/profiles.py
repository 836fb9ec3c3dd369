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

from ._checks import require_finite, require_range


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


@dataclass(frozen=True)
class Custom:
    """A user callable s(t), vectorised over t. Not serialisable beyond its name."""

    func: Callable[[np.ndarray], np.ndarray]

    def values(self, times: np.ndarray) -> np.ndarray:
        t = np.asarray(times, dtype=float)
        out = np.asarray(self.func(t), dtype=float)
        if out.shape != t.shape or not np.all(np.isfinite(out)):
            raise ValueError("Custom profile must return a finite array of the shape of its times")
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
