"""The transfer function phi (THEORY.md section 1).

Registered names:

* ``"tanh"``   phi(x) = tanh(x)                      (default)
* ``"erf"``    phi(x) = erf(sqrt(pi) x / 2)          (slope 1 at 0, closed-form Gaussian moments)
* ``"linear"`` phi(x) = x                            (the exact linear theory of section 3)

Any vectorised callable may be passed instead; the theory then uses
quadrature and the simulator uses a numpy path for phi.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import special

ERF_SCALE = math.sqrt(math.pi) / 2.0


def _erf_phi(x):
    return special.erf(ERF_SCALE * np.asarray(x))


def _tanh_dphi(x):
    return 1.0 - np.tanh(x) ** 2


def _identity(x):
    return np.asarray(x, dtype=float)


def _one(x):
    return np.ones_like(np.asarray(x, dtype=float))


@dataclass(frozen=True)
class Nonlinearity:
    """A transfer function with its name and derivative.

    Attributes
    ----------
    name : str
        Registry name (``"tanh"``, ``"erf"``, ``"linear"``) or the callable's
        ``__name__`` for user functions.
    func : callable
        Vectorised phi(x).
    derivative : callable or None
        Vectorised phi'(x); ``None`` for user functions without one (a
        central difference is then used where a derivative is needed).
    builtin : bool
        True for registered functions, which have compiled fast paths.
    """

    name: str
    func: Callable = field(compare=False, repr=False)
    derivative: Callable | None = field(default=None, compare=False, repr=False)
    builtin: bool = False

    def __call__(self, x):
        return self.func(x)

    def prime(self, x):
        """phi'(x), analytic when known, otherwise a central difference."""
        if self.derivative is not None:
            return self.derivative(x)
        x = np.asarray(x, dtype=float)
        eps = 1e-6 * np.maximum(1.0, np.abs(x))
        return (self.func(x + eps) - self.func(x - eps)) / (2 * eps)

    @property
    def is_linear(self) -> bool:
        return self.name == "linear"

    @property
    def is_odd(self) -> bool:
        return self.name in ("tanh", "erf", "linear")


# d/dx erf(c x) = 2 c / sqrt(pi) * exp(-(c x)^2); with c = sqrt(pi)/2 this is exp(-(c x)^2).
def _erf_prime(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-(ERF_SCALE * x) ** 2)


REGISTRY: dict[str, Nonlinearity] = {
    "tanh": Nonlinearity("tanh", np.tanh, _tanh_dphi, builtin=True),
    "erf": Nonlinearity("erf", _erf_phi, _erf_prime, builtin=True),
    "linear": Nonlinearity("linear", _identity, _one, builtin=True),
}


def get_phi(phi) -> Nonlinearity:
    """Resolve a name, a :class:`Nonlinearity` or a callable into a Nonlinearity."""
    if isinstance(phi, Nonlinearity):
        return phi
    if isinstance(phi, str):
        try:
            return REGISTRY[phi]
        except KeyError:
            raise ValueError(
                f"Network.phi = {phi!r} is not a registered nonlinearity; "
                f"use one of {sorted(REGISTRY)} or pass a vectorised callable"
            ) from None
    if callable(phi):
        probe = np.asarray(phi(np.array([-1.0, 0.0, 1.0])), dtype=float)
        if probe.shape != (3,) or not np.all(np.isfinite(probe)):
            raise ValueError(
                "Network.phi callable must map a float array to a finite array of the same shape"
            )
        return Nonlinearity(getattr(phi, "__name__", "custom"), phi)
    raise ValueError(f"Network.phi must be a name or a callable, got {phi!r}")
