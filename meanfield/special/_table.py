"""Chebyshev table of the zero-mean rate correlation C(c; d0) on 0 <= c <= d0 (THEORY.md eq. 4.1).

The SCS solvers evaluate C(Delta; Delta0) thousands of times along one orbit at
a fixed Delta0, so the Gaussian average is tabulated once per Delta0 and read
through its Chebyshev interpolant. C is smooth on the closed interval (all its
c-derivatives E[phi^(n)(y) phi^(n)(y')] stay finite at c = d0), so the
interpolant converges fast (tanh, d0 = 2: 3e-14 with 32 nodes); the number of
nodes is doubled until an a-posteriori check off the nodes passes.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import chebyshev as cheb

from ._gauss import Averages

TABLE_TOL = 1e-11  # absolute, relative to max(1, C(d0; d0))


class CorrelationTable:
    """C(c; d0) for an odd phi, |c| <= d0, with C(-c) = -C(c).

    Attributes
    ----------
    d0 : float
        The common variance Delta0.
    coef : ndarray
        Chebyshev coefficients in x = 2 c / d0 - 1.
    """

    def __init__(self, avg: Averages, d0: float, n: int = 32, n_max: int = 256):
        if not d0 > 0.0:
            raise ValueError(f"CorrelationTable needs d0 > 0, got {d0!r}")
        self.d0 = float(d0)
        while True:
            x = np.cos(np.pi * (np.arange(n) + 0.5) / n)
            coef = cheb.chebfit(x, avg.corr0(self.d0, 0.5 * (x + 1.0) * self.d0), n - 1)
            # off-node check at the midpoints between Chebyshev nodes
            xm = np.cos(np.pi * np.arange(1, n) / n)
            exact = avg.corr0(self.d0, 0.5 * (xm + 1.0) * self.d0)
            err = np.max(np.abs(cheb.chebval(xm, coef) - exact))
            scale = max(1.0, float(np.max(np.abs(exact))))
            if err <= TABLE_TOL * scale:
                break
            if 2 * n > n_max:
                raise RuntimeError(
                    f"Chebyshev table of C(c; d0 = {d0:g}) did not reach {TABLE_TOL:g} with "
                    f"{n} nodes (error {err:.2e}); the Gaussian averages are not smooth enough"
                )
            n *= 2
        self.coef = coef
        self.dcoef = cheb.chebder(coef) * (2.0 / self.d0)       # dC/dc
        self.icoef = cheb.chebint(coef, lbnd=-1.0) * (self.d0 / 2.0)  # int_0^c C

    def _x(self, c):
        return 2.0 * np.abs(c) / self.d0 - 1.0

    def __call__(self, c):
        """C(c; d0), odd in c."""
        c = np.asarray(c, dtype=float)
        return np.sign(c) * cheb.chebval(self._x(c), self.coef)

    def slope0(self) -> float:
        """dC/dc at c = 0, which equals (E phi'(y))^2 (Price's theorem)."""
        return float(cheb.chebval(-1.0, self.dcoef))

    def integral(self, c) -> float:
        """int_0^c C(x; d0) dx for 0 <= c <= d0."""
        return float(cheb.chebval(self._x(c), self.icoef))

    def scalar(self):
        """A fast scalar evaluator (Clenshaw) for ODE right-hand sides."""
        coef, d0 = self.coef.tolist(), self.d0

        def f(c: float) -> float:
            s = 1.0 if c >= 0.0 else -1.0
            x = 2.0 * abs(c) / d0 - 1.0
            b1 = b2 = 0.0
            for a in reversed(coef[1:]):
                b1, b2 = 2.0 * x * b1 - b2 + a, b1
            return s * (x * b1 - b2 + coef[0])

        return f

