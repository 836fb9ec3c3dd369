"""Population feedback kernel K(tau) and transfer function H(w) (THEORY.md section 3).

For phi linear (or the linearisation around x = 0) and lambda0 = 0 the
population feedback is the random causal convolution m = K * h of the
population state, and a uniform input I0 reaches h through H(w).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, xlogy

from .zeta import check_g_subcritical, check_J0, check_zeta


def population_kernel(tau, zeta, g, J0) -> np.ndarray:
    """Population feedback kernel K(tau) (THEORY.md section 3).

        K(tau) = J0 sum_{k>=1} zeta_k g^k tau^(k-1) e^(-tau) / (k-1)!
               = J0 g e^(-(1-g) tau) sum_{j>=0} zeta_{j+1} Poisson(j; g tau)

    The second form is evaluated with log-space Poisson weights, so it
    neither overflows (tau^(k-1)) nor underflows for large tau and k. The
    series is truncated at k_max = zeta.shape[-1]; the L1 norm of the
    neglected tail is J0 sum_{k>k_max} |zeta_k| g^k (expected
    sqrt(2/pi) J0 g^(k_max+1) / (1-g), see :func:`truncation_order`).
    Pointwise the truncation is accurate while g tau is well below k_max
    (beyond, e^(-(1-g) tau) has already made K negligible for the usual
    tol). K is causal: K(tau) = 0 for tau < 0.

    Parameters
    ----------
    tau : array_like
        Lags (any shape).
    zeta : array_like, shape (..., k_max)
        Series coefficients (:func:`sample_zeta`); leading axes are samples.
    g : float
        Random coupling, 0 <= g < 1.
    J0 : float
        Balanced E/I strength, >= 0.

    Returns
    -------
    numpy.ndarray, shape zeta.shape[:-1] + tau.shape
    """
    zeta = check_zeta(zeta)
    g = check_g_subcritical(g)
    J0 = check_J0(J0)
    tau = np.asarray(tau, dtype=float)
    if not np.all(np.isfinite(tau)):
        raise ValueError("population_kernel: tau contains NaN or infinite values")
    k_max = zeta.shape[-1]
    causal = np.where(tau >= 0.0, tau, 0.0)
    j = np.arange(k_max, dtype=float).reshape((k_max,) + (1,) * tau.ndim)
    # log of g^(j+1) tau^j e^(-tau) / j!  (xlogy gives 0^0 = 1 at tau = 0)
    with np.errstate(divide="ignore"):
        log_w = xlogy(j, g * causal) - causal - gammaln(j + 1.0) + np.log(g)
    weights = np.exp(log_w)
    K = J0 * np.tensordot(zeta, weights, axes=([-1], [0]))
    return np.where(tau >= 0.0, K, 0.0)


def feedback_series(s, zeta, g, J0) -> np.ndarray:
    """Laplace transform of K: Khat(s) = J0 sum_k zeta_k g^k / (1+s)^k (THEORY.md section 3).

    Horner evaluation of the truncated series; it converges for |1+s| > g.

    Parameters
    ----------
    s : array_like (complex allowed)
        Laplace variable, |1 + s| > g.
    zeta : array_like, shape (..., k_max)
    g, J0 : float

    Returns
    -------
    numpy.ndarray (complex), shape zeta.shape[:-1] + s.shape
    """
    zeta = check_zeta(zeta)
    g = check_g_subcritical(g)
    J0 = check_J0(J0)
    s = np.asarray(s, dtype=complex)
    if not np.all(np.isfinite(s)):
        raise ValueError("feedback_series: s contains NaN or infinite values")
    if np.any(np.abs(1.0 + s) <= g):
        raise ValueError(
            f"feedback_series: the series in g/(1+s) diverges where |1+s| <= g = {g}; "
            "evaluate only at |1+s| > g (every real frequency qualifies)"
        )
    z = g / (1.0 + s)
    lead = zeta.shape[:-1]
    acc = np.zeros(lead + s.shape, dtype=complex)
    coef_shape = lead + (1,) * s.ndim
    for k in range(zeta.shape[-1] - 1, -1, -1):
        acc = (acc + zeta[..., k].reshape(coef_shape)) * z
    return J0 * acc


def transfer_function(omega, zeta, g, J0) -> np.ndarray:
    """Population transfer function H(w) of a uniform input (THEORY.md section 3).

        H(w) = 1 / ( (1 + i w) - J0 sum_{k>=1} zeta_k g^k / (1 + i w)^k )

    i.e. h_hat(w) = H(w) I0_hat(w) for dh/dt = -h + K * h + I0 (e^{+i w t}
    convention). Truncation error of the series <= J0 sum_{k>k_max} |zeta_k| g^k
    for real w (see :func:`truncation_order`). A complex w evaluates the
    analytic continuation at s = i w (needs |1 + i w| > g); its poles are
    s = lambda - 1 for the outlier eigenvalues lambda.

    Parameters
    ----------
    omega : array_like
        Angular frequencies (real, or complex for the continuation).
    zeta : array_like, shape (..., k_max)
    g : float
        0 <= g < 1.
    J0 : float
        >= 0.

    Returns
    -------
    numpy.ndarray (complex), shape zeta.shape[:-1] + omega.shape
    """
    s = 1j * np.asarray(omega, dtype=complex)
    return 1.0 / ((1.0 + s) - feedback_series(s, zeta, g, J0))
