"""Time grid and initial state (THEORY.md sections 1 and 4).

Time is in units of the neuronal time constant. The Euler grid is
t_k = k dt, k = 0..K with K = T / dt; observables are recorded every
``stride`` steps, always including t = 0 and t = T.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import require_finite, require_int, require_range


@dataclass(frozen=True)
class TimeGrid:
    """Forward-Euler grid (THEORY.md section 1).

    Parameters
    ----------
    dt : float
        Euler step, in (0, 1): at dt >= 1 the leak factor (1 - dt) is not
        positive and the scheme no longer approximates dx/dt = -x + ...
    T : float
        Final time; must be an integer multiple of dt (to 1e-9 relative).
    stride : int
        Record every ``stride``-th step; must divide K = T / dt.
    """

    dt: float = 0.1
    T: float = 60.0
    stride: int = 1

    def __post_init__(self):
        owner = "TimeGrid"
        dt = require_range(
            owner, "dt", self.dt, lo=0.0, hi=1.0, lo_open=True, hi_open=True,
            why="dt >= 1 breaks the stability of the Euler leak (1 - dt)",
        )
        T = require_range(owner, "T", self.T, lo=0.0, lo_open=True)
        stride = require_int(owner, "stride", self.stride, lo=1)
        object.__setattr__(self, "dt", dt)
        object.__setattr__(self, "T", T)
        object.__setattr__(self, "stride", stride)
        ratio = T / dt
        if round(ratio) == 0:  # the nearest multiple of dt would be T = 0, which is no grid
            raise ValueError(f"TimeGrid.T = {T} is shorter than one step: T must be at least dt = {dt}")
        if abs(ratio - round(ratio)) > 1e-9 * max(1.0, ratio):
            raise ValueError(
                f"TimeGrid.T = {T} is not an integer multiple of dt = {dt}; "
                f"use T = {round(ratio) * dt:g}"
            )
        if self.n_steps % stride:
            raise ValueError(
                f"TimeGrid.stride = {stride} does not divide the number of steps "
                f"K = T/dt = {self.n_steps}; choose a divisor so that t = T is recorded"
            )

    @property
    def n_steps(self) -> int:
        """K: the number of Euler steps."""
        return int(round(self.T / self.dt))

    @property
    def times(self) -> np.ndarray:
        """All grid times t_k = k dt, k = 0..K (length K + 1)."""
        return np.arange(self.n_steps + 1) * self.dt

    @property
    def record_steps(self) -> np.ndarray:
        """Step indices at which observables are recorded."""
        return np.arange(0, self.n_steps + 1, self.stride)

    @property
    def record_times(self) -> np.ndarray:
        return self.record_steps * self.dt

    def to_dict(self) -> dict:
        return {"dt": self.dt, "T": self.T, "stride": self.stride}


@dataclass(frozen=True)
class InitialState:
    """x_i(0) = h0 + sigma0 u_i with u_i iid N(0, 1) (THEORY.md section 1)."""

    h0: float = 0.0
    sigma0: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "h0", require_finite("InitialState", "h0", self.h0))
        object.__setattr__(
            self, "sigma0", require_range("InitialState", "sigma0", self.sigma0, lo=0.0)
        )

    def to_dict(self) -> dict:
        return {"h0": self.h0, "sigma0": self.sigma0}
