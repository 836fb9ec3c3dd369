"""Theory predictions for learning with the network (THEORY.md section 9).

Macro stability of one realisation from its own Gaussian variables
-------------------------------------------------------------------
Section 9: "a realisation's own zeta_k (section 3) predict its linear macro
stability before any simulation". Section 3 is exact for the linear network
(g < 1). A reservoir usually runs at g > 1, in the chaotic state, where the
tangent dynamics is d(delta)/dt = -delta + J D(t) delta with
D(t) = diag phi'(x(t)). Replacing D(t) by its mean-field average c = E phi'(y),
y ~ N(0, Delta0) the stationary variance of section 8 (``scs_variance``), gives
the linear network c J, whose random part has gain c g (< 1 for tanh at every
g: the chaotic state sits at c g < 1) and whose mean part has c J0. Its
population mode then has the section 3 feedback series

    Khat_c(s) = c J0 sum_k zeta_k (c g)^k / (1 + s)^k,

and the mode is unstable along a real direction when the zero-frequency loop
gain Khat_c(0) exceeds 1 (F(s) = 1 + s - Khat_c(s) is negative at s = 0 and
positive at large s). :func:`macro_stability_score` returns Khat_c(0), a
number per realisation from k_max matrix-vector products (``simulate.zeta``).
It is a mean-field linearisation, not an exact result: c g lies just below 1
in the chaotic state, so the series converges slowly, and a finite network's
zeta_k stay close to iid N(0, 1) only for k well below sqrt(N) (its X^k grows
like the realised spectral radius g (1 + O(N^-1/2)), not g). Truncate at
k_max of order sqrt(N). The sign and strength of its association with a
realisation's measured macro FTLE are measured, not assumed
(``scripts/reservoir_zeta_predictor.py``).
:func:`effective_outliers` gives the outliers of c J themselves (the same
equation of section 3 with (c g, c J0)); their largest real part minus 1 is
the linearised macro growth rate.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import integrate

from .linear.outliers import outlier_eigenvalues
from .linear.response import feedback_series
from .linear.zeta import check_zeta, truncation_order
from .model._checks import require_range
from .model.nonlinearity import get_phi
from .special.scs import scs_variance

OWNER = "meanfield.learning"


def effective_gain(g, phi="tanh") -> float:
    """c = E phi'(y), y ~ N(0, Delta0(g)): the mean slope seen by a perturbation (module docstring).

    Delta0 is the stationary variance of the spontaneous chaotic state
    (THEORY.md section 8, :func:`meanfield.special.scs_variance`), 0 for
    g <= 1, where c = phi'(0).

    Parameters
    ----------
    g : float
        Random coupling strength, >= 0.
    phi : str, callable or Nonlinearity
        An odd transfer function (``scs_variance`` needs one).

    Returns
    -------
    float
    """
    return _effective_gain(require_range(OWNER, "g", g, lo=0.0), get_phi(phi))


@functools.lru_cache(maxsize=64)
def _effective_gain(g: float, p) -> float:
    # cached: every realisation's score needs it, and it costs a root solve and a quadrature
    sd = math.sqrt(scs_variance(g, p))
    # adaptive quadrature: phi'(sd u) has complex poles at distance ~1/sd, too close for a fixed Hermite rule
    value, _ = integrate.quad(lambda u: p.prime(sd * u) * math.exp(-0.5 * u * u), -np.inf, np.inf,
                              epsabs=1e-13, epsrel=1e-12)
    return float(value / math.sqrt(2.0 * math.pi))


def effective_order(g, phi="tanh", tol=1e-8) -> int:
    """k_max with (c g)^k_max <= ``tol``: the section 3 tail bound for :func:`macro_stability_score`.

    This is the N -> infinity truncation; a finite network needs k_max of order sqrt(N) (module docstring).
    """
    return truncation_order(effective_gain(g, phi) * g, tol)


def macro_stability_score(zeta, g, J0, phi="tanh") -> np.ndarray:
    """Zero-frequency loop gain c J0 sum_k zeta_k (c g)^k of the linearised population mode.

    The feedback series Khat(s) of THEORY.md section 3 at s = 0, with (g, J0)
    replaced by the mean-field slopes (c g, c J0) of section 9's linearisation
    (module docstring).

    Parameters
    ----------
    zeta : array_like, shape (..., k_max)
        Series coefficients of one or more realisations (``simulate.zeta.realisation_zeta``),
        or samples of iid N(0, 1) (``meanfield.linear.sample_zeta``) for the ensemble law.
    g, J0 : float
        Coupling strengths of the network (g >= 0, J0 >= 0).
    phi : str, callable or Nonlinearity
        Odd transfer function.

    Returns
    -------
    numpy.ndarray, shape zeta.shape[:-1]
        Khat_c(0) (module docstring); > 1 means a real unstable population
        direction of the linearised dynamics.
    """
    zeta = check_zeta(zeta)
    c = effective_gain(g, phi)
    J0 = require_range(OWNER, "J0", J0, lo=0.0)
    return feedback_series(0.0, zeta, c * g, c * J0).real


def effective_outliers(zeta, g, J0, phi="tanh") -> np.ndarray:
    """Outliers of c J from one realisation's zeta (section 3 with (c g, c J0)), by decreasing real part.

    ``Re - 1`` of the first is the linearised macro growth rate; an empty
    array means no outlier beyond the bulk of radius c g.
    """
    zeta = check_zeta(zeta)
    c = effective_gain(g, phi)
    return outlier_eigenvalues(zeta, c * g, c * J0)


__all__ = ["effective_gain", "effective_order", "macro_stability_score", "effective_outliers"]
