"""Gaussian averages M = E phi(h + y) and C = E[phi(h1 + y) phi(h2 + y')] (THEORY.md section 4).

:class:`GaussianEngine` is the entry point; :mod:`.rules` holds the
quadrature rules and their error model.
"""

from .engine import GaussianEngine
from .rules import hermite_order, hermite_rule, trapezoid_order, trapezoid_rule

__all__ = ["GaussianEngine", "hermite_rule", "hermite_order", "trapezoid_rule", "trapezoid_order"]
