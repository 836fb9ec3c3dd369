"""Gaussian averages used by the special-case solvers (THEORY.md sections 4 and 8).

A thin layer over the shared :class:`meanfield.gaussian.GaussianEngine`
(compiled paired quadrature for tanh, the arcsine/normal closed forms for erf,
exact moments for the linear phi, numpy quadrature for other callables):

* ``corr0(d0, c)``   C(c; d0) = E[phi(y) phi(y')], zero mean, Var = d0, Cov = c  (eq. 4.1)
* ``mean(h, d)``     E phi(h + sqrt(d) u)
* ``mean_sq(h, d)``  E phi(h + sqrt(d) u)^2       (C_kk of eq. 4.1)
* ``mean_prime(h, d)``, ``mean_prime_sq(h, d)``   E phi', E phi'^2

The special cases fix Delta0 from these averages by root finding, so the
engine is asked for ACCURACY (absolute, about 1e-14 measured for tanh against
mpmath) rather than the solver's default 1e-8. Its error model is calibrated
for variances up to ``d_max``; larger variances get an engine with a larger d_max.
"""

from __future__ import annotations

import functools

import numpy as np

from ..gaussian import GaussianEngine
from ..model import Nonlinearity, get_phi

ACCURACY = 1e-12
D_MAX_LADDER = (10.0, 40.0, 160.0, 640.0)


class Averages:
    """Gaussian averages of one transfer function (see module docstring)."""

    def __init__(self, phi):
        self.phi: Nonlinearity = get_phi(phi)
        self._engines: dict[float, GaussianEngine] = {}

    def engine(self, d: float) -> GaussianEngine:
        """The engine whose calibrated range d_max covers the variance d."""
        for d_max in D_MAX_LADDER:
            if d <= d_max:
                break
        else:
            raise ValueError(
                f"variance {d:g} exceeds the largest calibrated quadrature range "
                f"{D_MAX_LADDER[-1]:g}; reduce g or the input"
            )
        if d_max not in self._engines:
            self._engines[d_max] = GaussianEngine(self.phi, accuracy=ACCURACY, d_max=d_max)
        return self._engines[d_max]

    def corr0(self, d0: float, c):
        """C(c; d0) = E[phi(y) phi(y')] at zero mean, Var y = Var y' = d0, Cov = c (|c| <= d0)."""
        c = np.clip(np.asarray(c, dtype=float), -d0, d0)
        return self.engine(d0).correlation(0.0, d0, 0.0, d0, c)

    def mean(self, h: float, d: float) -> float:
        """E phi(h + sqrt(d) u)."""
        return float(self.engine(d).mean(h, d))

    def mean_sq(self, h: float, d: float) -> float:
        """E phi(h + sqrt(d) u)^2."""
        return float(self.engine(d).correlation(h, d, h, d, d))

    def mean_prime(self, h: float, d: float) -> float:
        """E phi'(h + sqrt(d) u)."""
        return float(self.engine(d).mean(h, d, "dphi"))

    def mean_prime_sq(self, h: float, d: float) -> float:
        """E phi'(h + sqrt(d) u)^2."""
        return float(self.engine(d).expectation("dphi", "dphi", h, d, h, d, d))


@functools.lru_cache(maxsize=8)
def _builtin_averages(name: str) -> Averages:
    return Averages(name)


def averages(phi) -> Averages:
    """Gaussian averages of phi; one shared instance per registered phi (engines built once).

    User callables are not cached: two different functions may share a ``__name__``.
    """
    p = get_phi(phi)
    return _builtin_averages(p.name) if p.builtin else Averages(p)


def check_odd(phi: Nonlinearity, owner: str) -> None:
    """Raise ValueError unless phi is odd (the SCS separatrix ends at Delta = 0 only then)."""
    if phi.is_odd:
        return
    x = np.linspace(0.05, 6.0, 41)
    if np.allclose(phi.func(-x), -phi.func(x), rtol=1e-12, atol=1e-14):
        return
    raise ValueError(
        f"{owner} needs an odd phi (phi(-x) = -phi(x)), got {phi.name!r}: for a non-odd phi "
        "the mean rate M != 0 gives a static part Delta_inf > 0 of the autocorrelation, "
        "which this special-case solver does not treat; use meanfield.solve"
    )
