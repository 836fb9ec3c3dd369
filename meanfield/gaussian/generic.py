"""Gaussian averages of arbitrary vectorised functions by 2-D quadrature (THEORY.md section 4).

The slower path used for user-supplied phi and for averages involving
derivatives (E[phi'(h1 + y) phi(h2 + y')], ... for linear response). Same
conditional decomposition as the compiled kernels: y = sqrt(d1) x,
y' = a x + b z with a = c / sqrt(d1), b = sqrt(d2 - a^2) (a = 0 when d1 = 0).
"""

from __future__ import annotations

import numpy as np

from ..model.nonlinearity import ERF_SCALE, Nonlinearity

FUNCTION_NAMES = ("phi", "dphi", "ddphi")

#: Elements of the (pairs, n, n) work array per chunk (about 32 MB of float64).
CHUNK_ELEMENTS = 1 << 22


def _tanh_ddphi(x):
    t = np.tanh(x)
    return -2.0 * t * (1.0 - t * t)


def _erf_ddphi(x):
    x = np.asarray(x, dtype=float)
    return -2.0 * ERF_SCALE**2 * x * np.exp(-(ERF_SCALE * x) ** 2)


def _zero(x):
    return np.zeros_like(np.asarray(x, dtype=float))


def _second_derivative(phi: Nonlinearity):
    # central differences: of phi' (step eps^(1/3), error ~1e-10) when phi' is known,
    # else of phi (step eps^(1/4), error ~1e-8)
    if phi.derivative is not None:
        def ddphi(x):
            x = np.asarray(x, dtype=float)
            e = 6e-6 * np.maximum(1.0, np.abs(x))
            return (phi.derivative(x + e) - phi.derivative(x - e)) / (2.0 * e)
    else:
        def ddphi(x):
            x = np.asarray(x, dtype=float)
            e = 1.2e-4 * np.maximum(1.0, np.abs(x))
            return (phi.func(x + e) - 2.0 * phi.func(x) + phi.func(x - e)) / (e * e)
    return ddphi


def function_of(phi: Nonlinearity, name: str):
    """The vectorised function ``name`` in {"phi", "dphi", "ddphi"} of phi.

    Builtin phi have analytic derivatives (THEORY.md section 1); user
    callables use central differences (``Nonlinearity.prime`` for phi').
    """
    if name == "phi":
        return phi.func
    if name == "dphi":
        return phi.prime
    if name == "ddphi":
        if phi.builtin and phi.name == "tanh":
            return _tanh_ddphi
        if phi.builtin and phi.name == "erf":
            return _erf_ddphi
        if phi.builtin and phi.name == "linear":
            return _zero
        return _second_derivative(phi)
    raise ValueError(f"function name {name!r} is not one of {FUNCTION_NAMES}")


def _apply(f, x: np.ndarray) -> np.ndarray:
    y = np.asarray(f(x.ravel()), dtype=float)
    if y.shape != (x.size,):
        raise ValueError("phi must map a 1-D float array to an array of the same shape")
    return y.reshape(x.shape)


def mean(f, h: np.ndarray, d: np.ndarray, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """E f(h + sqrt(d) z) for flat arrays h, d (rule z, w)."""
    out = np.empty(h.size)
    step = max(1, CHUNK_ELEMENTS // z.size)
    for lo in range(0, h.size, step):
        sl = slice(lo, lo + step)
        vals = _apply(f, h[sl, None] + np.sqrt(d[sl])[:, None] * z)
        out[sl] = vals @ w
    return out


def correlation(f1, f2, h1, d1, h2, d2, c, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """E[f1(h1 + y) f2(h2 + y')] for flat arrays of pairs (covariances already clipped)."""
    n = z.size
    s1 = np.sqrt(d1)
    a = np.divide(c, s1, out=np.zeros_like(c), where=s1 > 0.0)
    b = np.sqrt(np.maximum(d2 - a * a, 0.0))
    out = np.empty(h1.size)
    step = max(1, CHUNK_ELEMENTS // (n * n))
    for lo in range(0, h1.size, step):
        sl = slice(lo, lo + step)
        outer = _apply(f1, h1[sl, None] + s1[sl, None] * z)                 # (p, n)
        A = h2[sl, None] + a[sl, None] * z                                  # (p, n)
        inner = _apply(f2, A[:, :, None] + b[sl, None, None] * z) @ w       # (p, n)
        out[sl] = (outer * inner) @ w
    return out
