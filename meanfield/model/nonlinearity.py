"""The transfer function phi (THEORY.md section 1).

Registered names:

* ``"tanh"``   phi(x) = tanh(x)                      (default)
* ``"erf"``    phi(x) = erf(sqrt(pi) x / 2)          (slope 1 at 0, closed-form Gaussian moments)
* ``"linear"`` phi(x) = x                            (the exact linear theory of section 3)

Any vectorised callable may be passed instead; the theory then uses
quadrature and the simulator uses a numpy path for phi. It is checked once,
when the network is built (:func:`check_callable`): called on a float array
of ``CHECK_GRID`` (1-D and 2-D) it must return a finite real array of the same
shape, which rejects non-vectorised functions (``math.tanh``, ``if x > 0``)
and functions that overflow or are undefined where a state may go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import special

from ._checks import call_elementwise

ERF_SCALE = math.sqrt(math.pi) / 2.0

#: Where a user phi must be finite: |x| up to 50 covers the states of networks with
#: O(1) inputs and couplings many times over, and catches exp-like overflow early.
CHECK_GRID = np.linspace(-50.0, 50.0, 1001)

_VECTORISE = ("vectorise it: use numpy functions (np.tanh, not math.tanh; np.where(x > 0, x, 0.0), "
              "not `if x > 0`), or wrap it with np.vectorize (slow)")


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


def check_callable(func, name: str, owner: str = "Network.phi") -> None:
    """Check that a user phi is vectorised and finite on ``CHECK_GRID``.

    Parameters
    ----------
    func : callable
        The candidate phi.
    name : str
        Its name, for the messages.
    owner : str
        The field it was given for, for the messages.

    Raises
    ------
    ValueError
        Naming the field: ``func`` raised on a float array, returned another
        shape (a scalar: not vectorised) or a non-real type, or returned NaN
        or inf somewhere on the grid (with the first such x).
    """
    for x in (CHECK_GRID, CHECK_GRID.reshape(7, 143)):  # the simulator calls phi on (R, N) states
        out = call_elementwise(owner, name, func, x, argument=f"a float array of shape {x.shape}",
                               must="phi must map an array elementwise to an array of the same shape",
                               vectorise=_VECTORISE)
        if out.dtype.kind not in "biuf":
            raise ValueError(f"{owner} = {name!r} returned {out.dtype} values; phi must return real numbers")
        bad = ~np.isfinite(out.astype(float))
        if bad.any():
            i = np.flatnonzero(bad.ravel())[0]
            raise ValueError(
                f"{owner} = {name!r} is not finite on [{CHECK_GRID[0]:g}, {CHECK_GRID[-1]:g}]: phi("
                f"{x.ravel()[i]:g}) = {out.ravel()[i]}; a state can reach such values, so phi must be "
                "finite (and should be bounded or grow slowly) there"
            )


def get_phi(phi) -> Nonlinearity:
    """Resolve a name, a :class:`Nonlinearity` or a callable into a Nonlinearity.

    Raises
    ------
    ValueError
        For an unknown name, or a callable (or user Nonlinearity) that fails
        :func:`check_callable`.
    """
    if isinstance(phi, Nonlinearity):
        if not phi.builtin:
            check_callable(phi.func, phi.name)
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
        name = getattr(phi, "__name__", "custom")
        check_callable(phi, name)
        return Nonlinearity(name, phi)
    raise ValueError(f"Network.phi must be a name or a callable, got {phi!r}")
