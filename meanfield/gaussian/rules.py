"""Quadrature rules for Gaussian averages E f(z), z ~ N(0, 1) (THEORY.md section 4).

Two symmetric rules, both normalised so that the weights sum to 1:

* ``hermite``: Gauss-Hermite (probabilists' weight exp(-z^2/2)). This is the
  rule THEORY.md section 4 measures ("40 points need tol >= 1e-3, 60 points
  >= 1e-5, 80 points >= 1e-6").
* ``trapezoid``: the truncated trapezoidal rule z_j = s (j - (n-1)/2) with the
  step s tuned to a largest variance ``d_max``. For integrands with poles near
  the real axis (tanh) it needs far fewer nodes than Gauss-Hermite for the
  same error (Trefethen & Weideman, SIAM Rev. 56 (2014) 385, section 5).

Error model for phi = tanh, whose poles sit at +-i pi/2 (THEORY.md section 4),
so that z -> tanh(h + sqrt(d) z) is analytic in the strip |Im z| < pi/(2 sqrt(d)):

* Gauss-Hermite: error ~ K (1 + u) exp(pi^2/(8d) - pi u), u = sqrt(n/d).
  exp(-pi u) is the strip theorem for Hermite quadrature (Trefethen &
  Weideman, section 5); exp(pi^2/(8d)) is the Gaussian weight exp(-z0^2/2) at
  the nearest pole z0 = i pi/(2 sqrt d) (h = 0 is the worst case); the factor
  (1 + u) covers double poles, met in C at perfect correlation where the poles
  of both factors coincide (E tanh(h + y)^2). Measured against mpmath for
  h in [0, 2.5], d in [0.25, 20], n in [10, 160], means and correlations:
  error / ((1 + u) exp(pi^2/(8d) - pi u)) <= 9, so K = 15. The order for an
  accuracy eps at variances up to d_max is the smallest n meeting it at
  d = d_max (the error grows with d). Below d = 0.25 the bound at d = 0.25
  is used.
* trapezoid: discretisation error (1 + q) exp(pi^2/(8d) - q), q = pi^2 / (s sqrt(d))
  (same pole weight and double-pole factor), plus truncation error exp(-L^2/2)
  at L = (n-1)/2 s. Balancing exp(-q) and exp(-L^2/2) at d = d_max gives the
  step s^3 = 2 pi^2 / (sqrt(d_max) m^2), m = (n-1)/2. Measured ratio to the
  model <= 4 for d_max in [1, 10], d in [0.25, 20], n in [11, 81].

For other phi the same rules are a heuristic: the order is right when phi is
analytic in the strip |Im x| < pi/2 (e.g. the logistic sigmoid, poles at
+-i pi, is more accurate than promised) and too small for non-smooth phi.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

RULES = ("hermite", "trapezoid")

#: K in the error models above (a safe envelope of the measured constant).
ERROR_CONSTANT = 15.0

#: Smallest variance at which the Gauss-Hermite error model is evaluated.
MODEL_MIN_VARIANCE = 0.25

#: Nodes whose summed tail mass sum w (1 + z^2) stays below this are dropped:
#: their contribution is below double rounding of any average of |f| <= C (1 + |z|)^2.
PRUNE_MASS = 1e-17

MAX_ORDER = 200_000  # scipy builds it in 0.7 s; pruning keeps ~2600 nodes


def _check_order(order, lo: int) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)):
        raise ValueError(f"quadrature order must be an integer, got {order!r}")
    order = int(order)
    if not lo <= order <= MAX_ORDER:
        raise ValueError(f"quadrature order = {order} must lie in [{lo}, {MAX_ORDER}]")
    return order


def _check_positive(name: str, value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def _check_accuracy(accuracy) -> float:
    accuracy = _check_positive("accuracy", accuracy)
    if accuracy >= 0.1:
        raise ValueError(f"accuracy = {accuracy} must be < 0.1 (it is an absolute error target)")
    return accuracy


def _symmetrise(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # exact symmetry z <-> -z is what the paired tanh kernel relies on
    x = 0.5 * (x - x[::-1])
    w = 0.5 * (w + w[::-1])
    return x, w / w.sum()


def hermite_rule(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes and weights for E f(z), z ~ N(0, 1).

    Parameters
    ----------
    order : int
        Number of nodes n (2 <= n <= 200000).

    Returns
    -------
    z, w : ndarray
        Increasing nodes, exactly symmetric (z_j = -z_{n-1-j}), and weights
        summing to 1; sum_j w_j f(z_j) is exact for polynomials of degree
        < 2n (THEORY.md section 4, "Gaussian averages").
    """
    order = _check_order(order, 2)
    z, w = special.roots_hermitenorm(order)
    w = np.where(np.isfinite(w), w, 0.0)  # far-tail weights underflow for n > ~700
    return _symmetrise(np.asarray(z, float), np.asarray(w, float))


def trapezoid_step(order: int, d_max: float) -> float:
    """Step s of the truncated trapezoidal rule balanced for variances <= d_max.

    s^3 = 2 pi^2 / (sqrt(d_max) m^2) with m = (n - 1)/2 equates the
    discretisation error exp(-pi^2/(s sqrt(d_max))) of tanh (poles at
    +-i pi/2) with the truncation error exp(-(m s)^2 / 2) (module docstring).
    """
    order = _check_order(order, 3)
    d_max = _check_positive("d_max", d_max)
    m = 0.5 * (order - 1)
    return (2.0 * math.pi**2 / (math.sqrt(d_max) * m * m)) ** (1.0 / 3.0)


def trapezoid_rule(order: int, d_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Truncated trapezoidal rule for E f(z), z ~ N(0, 1), tuned to variances <= d_max.

    Parameters
    ----------
    order : int
        Number of nodes n >= 3 (nodes s (j - (n-1)/2), j = 0..n-1).
    d_max : float
        Largest variance d of the averages E f(h + sqrt(d) z) to be computed;
        sets the step (:func:`trapezoid_step`).

    Returns
    -------
    z, w : ndarray
        Symmetric nodes and weights proportional to exp(-z^2/2), summing to 1.
    """
    s = trapezoid_step(order, d_max)
    z = s * (np.arange(order) - 0.5 * (order - 1))
    return _symmetrise(z, np.exp(-0.5 * z * z))


def prune(z: np.ndarray, w: np.ndarray, mass: float = PRUNE_MASS) -> tuple[np.ndarray, np.ndarray]:
    """Drop the outermost node pairs whose summed mass sum w (1 + z^2) is <= mass.

    The rule stays symmetric and keeps its weights (no renormalisation): the
    dropped part changes E f by less than ``mass`` times max |f| / (1 + z^2).
    """
    tail = w * (1.0 + z * z)
    n = z.size
    half = n // 2
    # cumulative mass of both tails from the outside in; node pairs (j, n-1-j)
    pair = tail[:half] + tail[::-1][:half]
    drop = int(np.searchsorted(np.cumsum(pair), mass, side="right"))
    drop = min(drop, half - 1) if half > 1 else 0
    return z[drop:n - drop].copy(), w[drop:n - drop].copy()


def hermite_error(order: int, d: float) -> float:
    """Estimated Gauss-Hermite error of tanh averages at variance d (module docstring)."""
    if d <= 0.0:
        return 0.0
    d = max(d, MODEL_MIN_VARIANCE)
    u = math.sqrt(order / d)
    return ERROR_CONSTANT * (1.0 + u) * math.exp(math.pi**2 / (8.0 * d) - math.pi * u)


def trapezoid_error(order: int, d_max: float, d: float) -> float:
    """Estimated error of :func:`trapezoid_rule` (order, d_max) for tanh averages at variance d.

    K ((1 + q) exp(pi^2/(8d) - q) + exp(-L^2/2)), q = pi^2/(s sqrt(d)),
    L = (n-1)/2 s: the discretisation term grows quickly once d exceeds d_max.
    """
    s = trapezoid_step(order, d_max)
    L = 0.5 * (order - 1) * s
    disc = 0.0
    if d > 0.0:
        d = max(d, MODEL_MIN_VARIANCE)
        q = math.pi**2 / (s * math.sqrt(d))
        disc = (1.0 + q) * math.exp(math.pi**2 / (8.0 * d) - q)
    return ERROR_CONSTANT * (disc + math.exp(-0.5 * L * L))


def _smallest_order(error, accuracy: float, lo: int, step: int) -> int:
    # error(n) decreases with n: bisection on n = lo + step * k
    if error(lo) <= accuracy:
        return lo
    k_hi = 1
    while error(lo + step * k_hi) > accuracy:
        k_hi *= 2
        if lo + step * k_hi > MAX_ORDER:
            raise ValueError(f"accuracy = {accuracy:g} needs more than {MAX_ORDER} nodes; "
                             "lower the accuracy or d_max")
    k_lo = k_hi // 2
    while k_hi - k_lo > 1:
        mid = (k_lo + k_hi) // 2
        if error(lo + step * mid) <= accuracy:
            k_hi = mid
        else:
            k_lo = mid
    return lo + step * k_hi


def hermite_order(accuracy: float, d_max: float) -> int:
    """Smallest n with :func:`hermite_error` (n, d_max) <= accuracy."""
    accuracy = _check_accuracy(accuracy)
    d_max = _check_positive("d_max", d_max)
    return _smallest_order(lambda n: hermite_error(n, d_max), accuracy, 2, 1)


def trapezoid_order(accuracy: float, d_max: float) -> int:
    """Smallest odd n with :func:`trapezoid_error` (n, d_max, d_max) <= accuracy."""
    accuracy = _check_accuracy(accuracy)
    d_max = _check_positive("d_max", d_max)
    return _smallest_order(lambda n: trapezoid_error(n, d_max, d_max), accuracy, 3, 2)


def make_rule(rule: str, order: int, d_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Pruned nodes and weights of the named rule (``"hermite"`` or ``"trapezoid"``)."""
    if rule == "hermite":
        z, w = hermite_rule(order)
    elif rule == "trapezoid":
        z, w = trapezoid_rule(order, d_max)
    else:
        raise ValueError(f"rule = {rule!r} is not a quadrature rule; use one of {RULES}")
    return prune(z, w)


def order_for(rule: str, accuracy: float, d_max: float) -> int:
    """Order of the named rule reaching ``accuracy`` for tanh at variances <= d_max."""
    if rule == "hermite":
        return hermite_order(accuracy, d_max)
    if rule == "trapezoid":
        return trapezoid_order(accuracy, d_max)
    raise ValueError(f"rule = {rule!r} is not a quadrature rule; use one of {RULES}")


def error_estimate(rule: str, order: int, d_max: float, d: float) -> float:
    """Estimated tanh error of the named rule at variance d."""
    if rule == "hermite":
        return hermite_error(order, d)
    return trapezoid_error(order, d_max, d)
