"""Quadrature chosen from the variance it meets (THEORY.md section 4, "Numerical rules").

The error of a fixed rule for tanh grows with the variance d of the average:
z -> tanh(h + sqrt(d) z) has poles at distance pi / (2 sqrt d) from the real
axis, so a rule that is accurate at Delta ~ 1 is not at Delta ~ 3, where the
causal Cholesky turns its error into negative pivots. The solvers therefore
pick, at every step, an engine whose error model (:mod:`.rules`) meets a
stated absolute accuracy at the largest variance of that step.

The engines form a ladder: truncated trapezoidal rules tuned to the largest
variances d_max = LOWEST_D_MAX * RUNG_RATIO**j, j = 0, 1, ..., each with the
smallest order meeting the accuracy at its d_max. The trapezoid needs about
sqrt(sqrt(d)) times more nodes as d grows (73 nodes at d = 8 for 1e-6, where
Gauss-Hermite needs 281), so the cost grows slowly across the plane while the
error stays below the target. The rung of a step only ever moves up along a
solve (the running maximum of Delta_ll): the row of step k averages over every
earlier time.
"""

from __future__ import annotations

import functools
import math

from .engine import GaussianEngine

#: d_max of the lowest rung and the ratio between rungs (each rung ~19 % more nodes than the last).
LOWEST_D_MAX = 0.5
RUNG_RATIO = math.sqrt(2.0)


def rung_index(variance: float) -> int:
    """Smallest j >= 0 with LOWEST_D_MAX * RUNG_RATIO**j >= variance."""
    if not variance > LOWEST_D_MAX:  # also catches NaN: the caller's checks report it
        return 0
    j = math.ceil(math.log(variance / LOWEST_D_MAX) / math.log(RUNG_RATIO) - 1e-12)
    return max(int(j), 0)


def rung_d_max(j: int) -> float:
    """Largest variance served by rung j."""
    return LOWEST_D_MAX * RUNG_RATIO**j


@functools.lru_cache(maxsize=128)
def fixed_engine(phi, order: int) -> GaussianEngine:
    """One Gauss-Hermite engine per (phi, order), shared by all solves in a process."""
    return GaussianEngine(phi, order=order)


@functools.lru_cache(maxsize=128)
def rung_engine(phi, accuracy: float, j: int) -> GaussianEngine:
    """The trapezoid engine of rung j for an absolute accuracy (cached per process)."""
    return GaussianEngine(phi, accuracy=accuracy, d_max=rung_d_max(j), rule="trapezoid")


def engine_for(phi, settings, variance: float) -> GaussianEngine:
    """The engine a solver uses for a step whose largest variance is ``variance``.

    Parameters
    ----------
    phi : Nonlinearity
    settings : SolverSettings
        ``quadrature_order`` set: that fixed Gauss-Hermite order whatever the
        variance; None (the default): the ladder rung that meets
        ``quadrature_accuracy`` at ``variance``.
    variance : float
        Largest Delta_ll the step averages over.
    """
    if settings.quadrature_order is not None:
        return fixed_engine(phi, settings.quadrature_order)
    if phi.builtin and phi.name == "linear":
        # every average of a linear phi (and of its constant derivatives) is exact on any rule; its
        # variance may grow without bound (g > 1)
        variance = 0.0
    return rung_engine(phi, settings.quadrature_accuracy, rung_index(variance))


class EngineLadder:
    """The engine of each step of one solve, following the running maximum of the variance.

    Parameters
    ----------
    phi : Nonlinearity
    settings : SolverSettings

    Examples
    --------
    >>> ladder = EngineLadder(phi, settings)
    >>> engine = ladder.at(max_delta_so_far)   # doctest: +SKIP
    """

    def __init__(self, phi, settings):
        self.phi = phi
        self.settings = settings
        self._largest = 0.0
        self._engine = engine_for(phi, settings, 0.0)

    def at(self, variance: float) -> GaussianEngine:
        """Engine for a step that meets ``variance`` (the rung never moves down within a solve)."""
        if variance > self._largest:
            self._largest = float(variance)
            self._engine = engine_for(self.phi, self.settings, self._largest)
        return self._engine

    @property
    def served_below(self) -> float:
        """A variance up to which :meth:`at` keeps returning the current engine (inf: it never changes).

        Lets a compiled solver run steps without asking the ladder as long as
        their variance stays at or below this value; slightly inside the upper
        edge of the current rung, so that rounding in the rung index cannot
        change the answer.
        """
        if self.settings.quadrature_order is not None or (self.phi.builtin and self.phi.name == "linear"):
            return math.inf
        return rung_d_max(rung_index(self._largest)) * (1.0 - 1e-9)

    @property
    def largest_variance(self) -> float:
        """Largest variance met so far."""
        return self._largest
