"""The Gaussian variables zeta_k of one realised network (THEORY.md section 3).

J = X + a b^T with X = g z / sqrt(N), a = u (all ones) and b = v / sqrt(N).
Section 3: b^T X^k a = J0 g^k zeta_k with zeta_1, zeta_2, ... iid N(0, 1) as
N -> infinity. A realised matrix has its own zeta_k, computed here with k_max
matrix-vector products of z (no time integration, no eigenvalue problem), so
the section 3 predictions (outliers, kernel, transfer function, and the macro
stability score of :mod:`meanfield.learning`) can be made for one network
rather than for the ensemble.
"""

from __future__ import annotations

import math

import numpy as np

from meanfield.arguments import count

from .realisation import Realisation


def realisation_zeta(realisation: Realisation, k_max: int) -> np.ndarray:
    """zeta_k = b^T X^k a / (J0 g^k), k = 1..k_max, of one realisation (THEORY.md section 3).

    Parameters
    ----------
    realisation : Realisation
        From :func:`simulate.realise` (any coupling law; a dense z in any
        floating type, the products returned in float64).
    k_max : int
        Number of coefficients (k_max products with z).

    Returns
    -------
    numpy.ndarray, shape (k_max,)

    Raises
    ------
    ValueError
        If g = 0 or J0 = 0 (zeta_k is then undefined: b^T X^k a vanishes).
    """
    if not isinstance(realisation, Realisation):
        raise ValueError(f"realisation must be a simulate.Realisation (from simulate.realise), got "
                         f"{type(realisation).__name__}")
    k_max = count("k_max", k_max)
    net = realisation.network
    if net.g == 0.0 or net.J0 == 0.0:
        raise ValueError(f"zeta_k = b^T X^k a / (J0 g^k) needs g > 0 and J0 > 0, got g = {net.g}, J0 = {net.J0}")
    N = net.N
    b = net.mean_weights() / math.sqrt(N)
    z = realisation.couplings  # any coupling law; a dense z multiplies in its own dtype
    y = np.ones(N)
    out = np.empty(k_max)
    for k in range(k_max):
        # X y / g = z y / sqrt(N): dividing by g at every step keeps y O(1) for any g
        y = z.matvec(y) / math.sqrt(N)
        out[k] = b @ y / net.J0
    return out


__all__ = ["realisation_zeta"]
