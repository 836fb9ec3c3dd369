"""The Gaussian-average engine used by the DMFT solver (THEORY.md section 4, step 1).

For (y, y') jointly Gaussian with zero mean, Var y = d1, Var y' = d2,
Cov(y, y') = c:

    M(h, d)              = E phi(h + y)                          (M_k of section 4)
    C(h1, d1, h2, d2, c) = E[phi(h1 + y) phi(h2 + y')]            (C_kl of section 4)

Paths by phi:

* ``tanh``: compiled paired Gauss-Hermite (or trapezoid) quadrature,
  :mod:`meanfield.gaussian.tanh_kernels`;
* ``erf`` (phi(x) = erf(sqrt(pi) x / 2), section 1): closed forms,
  :mod:`meanfield.gaussian.erf_kernels` (quadrature order unused);
* ``linear``: exact moments M = h, C = h1 h2 + c (section 3);
* any other callable: numpy 2-D quadrature, :mod:`meanfield.gaussian.generic`.

Products of phi, phi', phi'' and phi''' (the tangent-linear recursion of
section 5) come from :mod:`meanfield.gaussian.derivative_kernels` for the
builtin phi.
"""

from __future__ import annotations

import math

import numpy as np

from ..model.nonlinearity import Nonlinearity, get_phi
from . import checks, derivative_kernels, erf_kernels, generic, rules, tanh_kernels


def _kind(phi: Nonlinearity) -> str:
    if phi.builtin and phi.name in ("tanh", "erf", "linear"):
        return phi.name
    return "generic"


class GaussianEngine:
    """Gaussian averages M and C of one nonlinearity (THEORY.md section 4, "Gaussian averages").

    Parameters
    ----------
    phi : str, callable or Nonlinearity
        Anything :func:`meanfield.model.get_phi` accepts (``"tanh"``, ``"erf"``,
        ``"linear"`` or a vectorised callable).
    order : int, optional
        Number of quadrature nodes n per dimension. When None it is chosen
        from ``accuracy`` and ``d_max`` by the tanh error model of
        :mod:`meanfield.gaussian.rules`: for Gauss-Hermite the error is
        K (1 + u) exp(pi^2/(8d) - pi u), u = sqrt(n/d), K = 15 (the tanh poles
        sit at distance pi/(2 sqrt d) from the real axis), and n is the
        smallest order meeting ``accuracy`` at d = d_max; e.g. accuracy 1e-8,
        d_max 10 gives n = 555. THEORY.md section 4 pairs n = 40, 60, 80 with
        pivot tolerances 1e-3, 1e-5, 1e-6.
    accuracy : float
        Absolute error target used when ``order`` is None (ignored otherwise).
    d_max : float, keyword-only
        Largest variance the engine must handle at ``accuracy`` (default 10).
        For ``rule="trapezoid"`` it also sets the step.
    rule : {"hermite", "trapezoid"}, keyword-only
        Gauss-Hermite (default, the rule of THEORY.md section 4) or the
        truncated trapezoidal rule, which is far more accurate for tanh at
        equal order (see :mod:`meanfield.gaussian.rules`).

    Attributes
    ----------
    phi : Nonlinearity
    order : int
        Nominal order n. Outer nodes whose total mass is < 1e-17 are pruned,
        so ``nodes.size`` may be smaller (e.g. 34 of 40, 52 of 80 for Hermite).
    rule : str
    d_max : float

    Notes
    -----
    Variances in [-1e-12, 0) and covariances exceeding sqrt(d1 d2) by at most
    1e-8 relative are treated as rounding and clipped; larger violations, NaN
    or inf raise ValueError (:mod:`meanfield.gaussian.checks`).
    """

    def __init__(self, phi="tanh", order: int | None = None, accuracy: float = 1e-8, *,
                 d_max: float = 10.0, rule: str = "hermite"):
        self.phi = get_phi(phi)
        if rule not in rules.RULES:
            raise ValueError(f"GaussianEngine: rule = {rule!r} must be one of {rules.RULES}")
        self.rule = rule
        self.d_max = rules._check_positive("GaussianEngine: d_max", d_max)
        self.accuracy = rules._check_accuracy(accuracy)
        if order is None:
            order = rules.order_for(rule, self.accuracy, self.d_max)
        self.order = rules._check_order(order, 3 if rule == "trapezoid" else 2)
        z, w = rules.make_rule(rule, self.order, self.d_max)
        z.flags.writeable = False
        w.flags.writeable = False
        self._z, self._w = z, w
        # tanh kernels: outer rule folded as (z+, -z+, [0]); inner half rule z_j >= 0,
        # centre weight halved
        self._xo, self._wo = tanh_kernels.fold(z, w)
        keep = z >= 0.0
        self._zh = np.ascontiguousarray(z[keep])
        self._vh = np.ascontiguousarray(np.where(self._zh == 0.0, 0.5, 1.0) * w[keep])
        self._kind = _kind(self.phi)

    # ------------------------------------------------------------ properties
    @property
    def nodes(self) -> np.ndarray:
        """Quadrature nodes z_j for E f(z), z ~ N(0, 1), after pruning (read-only)."""
        return self._z

    @property
    def weights(self) -> np.ndarray:
        """Quadrature weights w_j (read-only; they sum to 1 up to the pruned mass)."""
        return self._w

    @property
    def folded_rule(self) -> tuple:
        """(x, w, zh, vh): the rule in the layout of the compiled tanh kernels.

        Outer nodes folded as (z+, -z+, [0]) (:func:`tanh_kernels.fold`) and the
        inner half rule z_j >= 0 with its centre weight halved; for solvers that
        call :func:`tanh_kernels.row` from compiled code.
        """
        return self._xo, self._wo, self._zh, self._vh

    def __repr__(self) -> str:
        return (f"GaussianEngine(phi={self.phi.name!r}, order={self.order}, rule={self.rule!r}, "
                f"d_max={self.d_max:g}, nodes_used={self._z.size})")

    def error_estimate(self, d: float) -> float:
        """Estimated quadrature error of tanh averages at variance d (THEORY.md section 4).

        Model of :mod:`meanfield.gaussian.rules`; 0 for the closed-form phi
        (erf, linear). Use it to check that the variances met stay in range.
        """
        if self._kind in ("erf", "linear"):
            return 0.0
        return rules.error_estimate(self.rule, self.order, self.d_max, float(d))

    # ------------------------------------------------------------ averages
    def mean(self, h, d, f: str = "phi") -> np.ndarray:
        """M(h, d) = E f(h + y), y ~ N(0, d) (THEORY.md section 4, M_k).

        Parameters
        ----------
        h, d : array_like
            Means and variances (d >= 0), broadcast together.
        f : {"phi", "dphi", "ddphi"}
            Average phi (default) or its first or second derivative.

        Returns
        -------
        ndarray of the broadcast shape (0-d for scalar input).
        """
        h, d = checks.mean_args("GaussianEngine.mean", h, d)
        shape = h.shape
        h = np.ascontiguousarray(h).ravel()
        d = np.ascontiguousarray(d).ravel()
        out = np.empty(h.size)
        if f == "phi" and self._kind == "tanh":
            tanh_kernels.mean_many(h, d, self._zh, self._vh, out)
        elif f == "phi" and self._kind == "erf":
            erf_kernels.mean_many(h, d, out)
        elif f == "phi" and self._kind == "linear":
            out[:] = h
        else:
            out = generic.mean(generic.function_of(self.phi, f), h, d, self._z, self._w)
        return out.reshape(shape)

    def correlation(self, h1, d1, h2, d2, c) -> np.ndarray:
        """C = E[phi(h1 + y) phi(h2 + y')] (THEORY.md section 4, C_kl).

        Parameters
        ----------
        h1, d1, h2, d2, c : array_like
            Means, variances Var y = d1, Var y' = d2 and covariance c, broadcast
            together. d = 0 (y = 0) and |c| = sqrt(d1 d2) are allowed.

        Returns
        -------
        ndarray of the broadcast shape.
        """
        return self._pair("GaussianEngine.correlation", "phi", "phi", h1, d1, h2, d2, c)

    def expectation(self, f1: str, f2: str, h1, d1, h2, d2, c) -> np.ndarray:
        """E[f1(h1 + y) f2(h2 + y')] for f1, f2 in {"phi", "dphi", "ddphi"}.

        For linear response around a trajectory (THEORY.md section 4). The
        pair ("phi", "phi") is :meth:`correlation`; other pairs use the numpy
        2-D quadrature of :mod:`meanfield.gaussian.generic` with analytic
        derivatives for builtin phi and central differences otherwise.
        """
        for name in (f1, f2):
            if name not in generic.FUNCTION_NAMES:
                raise ValueError(
                    f"GaussianEngine.expectation: {name!r} is not one of {generic.FUNCTION_NAMES}"
                )
        return self._pair("GaussianEngine.expectation", f1, f2, h1, d1, h2, d2, c)

    def _pair(self, caller, f1, f2, h1, d1, h2, d2, c) -> np.ndarray:
        h1, d1, h2, d2, c = checks.pair_args(caller, h1, d1, h2, d2, c)
        shape = h1.shape
        h1, d1, h2, d2, c = (np.ascontiguousarray(a).ravel() for a in (h1, d1, h2, d2, c))
        fast = f1 == "phi" and f2 == "phi"
        if fast and self._kind == "tanh":
            out = np.empty(h1.size)
            tanh_kernels.correlation_many(h1, d1, h2, d2, c, self._xo, self._wo,
                                          self._zh, self._vh, out)
        elif fast and self._kind == "erf":
            out = np.empty(h1.size)
            erf_kernels.correlation_many(h1, d1, h2, d2, c, out)
        elif fast and self._kind == "linear":
            out = h1 * h2 + c
        else:
            out = generic.correlation(generic.function_of(self.phi, f1),
                                      generic.function_of(self.phi, f2),
                                      h1, d1, h2, d2, c, self._z, self._w)
        return out.reshape(shape)

    def row(self, h_k: float, d_kk: float, h, d, c, out: np.ndarray | None = None) -> np.ndarray:
        """Row k of C: C_kl for l = 0..k in one call (THEORY.md section 4, step 1).

        Parameters
        ----------
        h_k, d_kk : float
            h_k and Delta_kk.
        h, d, c : ndarray, shape (k+1,)
            h_l, Delta_ll and Delta_kl for l = 0..k.
        out : ndarray, optional
            Contiguous float64 array of shape (k+1,) to write into.

        Returns
        -------
        ndarray, shape (k+1,)
            C_kl, equal elementwise to ``correlation(h_k, d_kk, h, d, c)``.
        """
        hk, dkk, h, d, c, out = checks.row_args("GaussianEngine.row", h_k, d_kk, h, d, c, out)
        if self._kind == "tanh":
            tanh_kernels.row(hk, dkk, h, d, c, self._xo, self._wo, self._zh, self._vh, out)
        elif self._kind == "erf":
            erf_kernels.row(hk, dkk, h, d, c, out)
        elif self._kind == "linear":
            np.multiply(h, hk, out=out)
            out += c
        else:
            out[:] = generic.correlation(self.phi.func, self.phi.func, np.full(h.size, hk),
                                         np.full(h.size, dkk), h, d, c, self._z, self._w)
        return out

    # ------------------------------------------------------------ derivatives
    def _derivative_code(self, caller: str) -> int:
        if self._kind == "generic":
            raise ValueError(
                f"GaussianEngine.{caller}: phi = {self.phi.name!r} has no closed-form derivatives; "
                f"tangent-linear averages need one of {sorted(derivative_kernels.CODES)}"
            )
        return derivative_kernels.CODES[self._kind]

    def derivative_means(self, h: float, d: float) -> np.ndarray:
        """E f_q(h + y), y ~ N(0, d), for f_q = phi, phi', phi'', phi''' (q = 0..3).

        Builtin phi only (THEORY.md section 5, tangent-linear recursion).
        """
        code = self._derivative_code("derivative_means")
        h, d = checks.mean_args("GaussianEngine.derivative_means", h, d)
        if h.ndim or d.ndim:
            raise ValueError("GaussianEngine.derivative_means: h and d must be scalars")
        out = np.empty(4)
        derivative_kernels.derivative_means(float(h), float(d), self._z, self._w, code, out)
        return out

    def tangent_row(self, h_k: float, d_kk: float, h, d, c, out: np.ndarray | None = None):
        """Row k of C and the products of phi derivatives the tangent recursion uses (THEORY.md section 5).

        Returns ``(C_row, products)``: C_row equals :meth:`row` bit for bit;
        products[r, l] = E[f_p(h_k + y) f_q(h_l + y')] for (p, q) =
        ``derivative_kernels.TANGENT_PRODUCTS[r]``, equal to the entries of
        :meth:`derivative_row` up to rounding. For tanh both come from one
        pass of the compiled C kernel (:func:`derivative_kernels.tanh_tangent_row`).
        Arguments as in :meth:`row`; builtin phi only.
        """
        code = self._derivative_code("tangent_row")
        hk, dkk, h, d, c, out = checks.row_args("GaussianEngine.tangent_row", h_k, d_kk, h, d, c, out)
        if code == derivative_kernels.CODES["tanh"]:
            products = np.empty((len(derivative_kernels.TANGENT_PRODUCTS), h.size))
            derivative_kernels.tanh_tangent_row(hk, dkk, h, d, c, self._xo, self._wo, self._zh, self._vh,
                                                out, products)
            return out, products
        self.row(hk, dkk, h, d, c, out=out)
        table = self.derivative_row(hk, dkk, h, d, c)
        return out, np.array([table[p, q] for p, q in derivative_kernels.TANGENT_PRODUCTS])

    def tangent_moments(self, h: float, d: float) -> tuple[float, np.ndarray]:
        """(M, E f_q) at one (h, d): :meth:`mean` bit for bit and :meth:`derivative_means`.

        One call for the per-step averages of the tangent recursion (THEORY.md
        section 5), with the scalar checks of those two methods.
        """
        code = self._derivative_code("tangent_moments")
        h, d = float(h), float(d)
        if not (math.isfinite(h) and math.isfinite(d)) or d < -checks.VARIANCE_SLACK:
            return float(self.mean(h, d)), self.derivative_means(h, d)   # raise their errors
        d = max(d, 0.0)
        if self._kind == "tanh":
            M = tanh_kernels.inner_mean(h, math.sqrt(d), self._zh, self._vh)
        elif self._kind == "erf":
            M = erf_kernels.mean_scalar(h, d)
        else:
            M = h
        out = np.empty(4)
        derivative_kernels.derivative_means(h, d, self._z, self._w, code, out)
        return float(M), out

    def derivative_row(self, h_k: float, d_kk: float, h, d, c) -> np.ndarray:
        """Table T[p, q, l] = E[f_p(h_k + y) f_q(h_l + y')], p, q = 0..3, l = 0..k.

        f_0..f_3 = phi, phi', phi'', phi'''; arguments as in :meth:`row`.
        Builtin phi only (THEORY.md section 5, tangent-linear recursion);
        T[0, 0] equals :meth:`row` up to the quadrature error.

        Returns
        -------
        ndarray, shape (4, 4, k+1)
        """
        code = self._derivative_code("derivative_row")
        hk, dkk, h, d, c, _ = checks.row_args("GaussianEngine.derivative_row", h_k, d_kk, h, d, c, None)
        out = np.empty((4, 4, h.size))
        derivative_kernels.derivative_table_row(hk, dkk, h, d, c, self._z, self._w, code, out)
        return out
