"""Numerical settings of the solvers, in one place (THEORY.md section 4, "Numerical rules").

:class:`SolverSettings` with its measured safe line, and the defaults of the
tangent recursion (:data:`TANGENT_SETTINGS`, :data:`FRESH_TOL`) and of the
finite-difference macro cross-check (:data:`MACRO_SETTINGS`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .model._checks import require_int, require_range

# Measured safe (Gauss-Hermite order, smallest pivot tolerance) pairs for tanh
# (THEORY.md section 4): the tolerance must sit well above the quadrature error.
TANH_SAFE_PAIRS = ((40, 1e-3), (60, 1e-5), (80, 1e-6))


def smallest_safe_tol(order: int) -> float:
    """Smallest pivot tolerance that is safe for tanh at this quadrature order.

    Log-linear interpolation between the measured pairs; above 80 nodes the
    80-node value is kept (no measurement says more).
    """
    orders = [o for o, _ in TANH_SAFE_PAIRS]
    if order < orders[0]:
        return math.inf
    for (o1, t1), (o2, t2) in zip(TANH_SAFE_PAIRS, TANH_SAFE_PAIRS[1:]):
        if o1 <= order <= o2:
            x = (order - o1) / (o2 - o1)
            return 10 ** ((1 - x) * math.log10(t1) + x * math.log10(t2))
    return TANH_SAFE_PAIRS[-1][1]


#: The adaptive rule must keep its accuracy this far below the pivot tolerance: a ratio of 10 fails on
#: part of the (g, J0) plane for tanh, 100 nowhere (README, "Where the code departs from THEORY.md").
ADAPTIVE_SAFE_RATIO = 100.0


@dataclass(frozen=True)
class SolverSettings:
    """Quadrature and pivot tolerance of the causal Cholesky (THEORY.md section 4, "Numerical rules").

    Parameters
    ----------
    quadrature_order : int or None
        None (default): every step uses the truncated trapezoidal rule whose
        error model meets ``quadrature_accuracy`` at the largest Delta_ll it
        averages over (:mod:`meanfield.gaussian.adaptive`), so the accuracy
        holds on the whole (g, J0) plane. An integer fixes a Gauss-Hermite
        order for every step (the rule of the first published comparison);
        its error grows with Delta, and for tanh it must sit on the measured
        safe line with ``pivot_tol`` (:data:`TANH_SAFE_PAIRS`).
    pivot_tol : float
        Row-relative pivot tolerance in [0, 1): pivots below
        ``pivot_tol * Chat_kk`` open no column.
    quadrature_accuracy : float
        Absolute error target of the Gaussian averages for the adaptive rule,
        in (0, 0.1); for tanh it must be at most ``pivot_tol`` /
        :data:`ADAPTIVE_SAFE_RATIO`.
    """

    quadrature_order: int | None = None
    pivot_tol: float = 1e-3
    quadrature_accuracy: float = 1e-6

    def __post_init__(self):
        if self.quadrature_order is not None:
            require_int("SolverSettings", "quadrature_order", self.quadrature_order, lo=2,
                        why="or None for the adaptive rule")
        require_range("SolverSettings", "pivot_tol", self.pivot_tol, lo=0.0, hi=1.0, hi_open=True)
        require_range("SolverSettings", "quadrature_accuracy", self.quadrature_accuracy, lo=0.0, hi=0.1,
                      lo_open=True, hi_open=True, why="an absolute error target of the Gaussian averages")

    @property
    def adaptive(self) -> bool:
        """True when the quadrature is chosen per step from the variance it meets."""
        return self.quadrature_order is None

    def check_for(self, phi_name: str) -> None:
        """Raise ValueError if the quadrature is not safely below the pivot tolerance for tanh."""
        if phi_name != "tanh":
            return
        if self.adaptive:
            need = ADAPTIVE_SAFE_RATIO * self.quadrature_accuracy
            if self.pivot_tol < need * (1 - 1e-9):
                raise ValueError(
                    f"SolverSettings(pivot_tol={self.pivot_tol:g}, quadrature_accuracy="
                    f"{self.quadrature_accuracy:g}) is unsafe for tanh: pivot_tol must be at least "
                    f"{ADAPTIVE_SAFE_RATIO:g} x quadrature_accuracy = {need:g}; lower "
                    "quadrature_accuracy or raise pivot_tol"
                )
            return
        order = self.quadrature_order
        lowest = TANH_SAFE_PAIRS[0][0]
        if order < lowest:
            raise ValueError(
                f"SolverSettings(quadrature_order={order}) is unsafe for tanh: no pivot tolerance is "
                f"measured safe below {lowest} Gauss-Hermite nodes; use quadrature_order >= {lowest} "
                "or leave quadrature_order=None (the adaptive rule)"
            )
        need = smallest_safe_tol(order)
        if self.pivot_tol < need * (1 - 1e-9):
            raise ValueError(
                f"SolverSettings(quadrature_order={order}, pivot_tol={self.pivot_tol:g}) "
                f"is unsafe for tanh: pivot_tol must be >= {need:g} at this order "
                f"(measured safe pairs: {TANH_SAFE_PAIRS}); raise pivot_tol or the order, or leave "
                "quadrature_order=None (the adaptive rule)"
            )

    def to_dict(self) -> dict:
        return {"quadrature_order": self.quadrature_order, "pivot_tol": self.pivot_tol,
                "quadrature_accuracy": self.quadrature_accuracy}


#: Default settings of the tangent: its derivative averages (up to E[phi'''_k phi'_l] in Q) need a tighter
#: quadrature than C; fixed Gauss-Hermite orders gave negative tangent pivots at large Delta, the adaptive
#: rule at 1e-7 none on the measured plane (README, "Where the code departs from THEORY.md").
TANGENT_SETTINGS = SolverSettings(pivot_tol=1e-3, quadrature_accuracy=1e-7)

#: Row-relative pivot tolerance of the tangent rows (fresh_tol * U_kk). The tangent covariance mixes
#: Stein-lemma averages of phi'..phi''' with the phi-phi averages of the base rows, and its Schur complements
#: carry their quadrature mismatch amplified by the small base pivots: at 60 nodes with a tangent tolerance
#: of 1e-3, about 1 % of chaotic samples met tangent pivots of -1.1 to -2.7 x 1e-3 U_kk. As THEORY.md
#: section 4 asks of every pivot tolerance, this one sits well above that error.
FRESH_TOL = 1e-2

#: Settings and h0 offset of the finite-difference cross-check :func:`meanfield.lyapunov.macro_separation`
#: (module docstring: with the solver defaults and small delta it is biased low).
MACRO_SETTINGS = SolverSettings(quadrature_order=80, pivot_tol=1e-5)
