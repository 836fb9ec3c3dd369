"""Outlier eigenvalues of a realised coupling matrix (THEORY.md section 3).

J = (g z + u v^T) / sqrt(N) has a bulk of eigenvalues filling the disk of
radius g (circular law) and a few outliers, which section 3 predicts as
lambda = g / w for the roots |w| < 1 of w^2 sum_k zeta_{k+1} w^k = g / J0.

The bulk edge of a finite matrix is not sharp. For the complex Ginibre
ensemble the spectral radius of z / sqrt(N) is
1 + sqrt(gamma_N / (4N)) + G / sqrt(4 N gamma_N), with G Gumbel and
gamma_N = log(N / 2 pi) - 2 log log N (Rider 2003, J. Phys. A 36, 3401);
the real Ginibre edge behaves alike. An eigenvalue is therefore called an
outlier when |lambda| > g (1 + c / sqrt(N)): with the default c = 3 a bulk
eigenvalue crosses that radius with probability about e^-(6 sqrt(gamma_N) -
gamma_N), under 1 % for N >= 600 (checked in tests/test_simulate_spectrum.py
on pure Ginibre matrices, J0 = 0). The margin scales with g because the
edge does; a floor of 10 sqrt(eps) ||v|| keeps rounding noise out: at
g = 0, lambda0 = 0 the mean part u v^T / sqrt(N) is nilpotent (a Jordan
block), and rounding moves its zero eigenvalues by about sqrt(eps) ||v||
(measured 1.1e-6 at N = 1000, J0 = 10, where the floor is 4.7e-6).
Outliers closer to the edge than the margin are not resolved at this N.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from meanfield.model import Network

from .realisation import realise

DEFAULT_RADIUS_MARGIN = 3.0


def bulk_radius(network: Network, radius_margin: float = DEFAULT_RADIUS_MARGIN) -> float:
    """g (1 + c / sqrt(N)) + 10 sqrt(eps) ||v||: the radius beyond which an eigenvalue is an outlier."""
    if isinstance(radius_margin, bool) or not isinstance(radius_margin, Real) \
            or not math.isfinite(radius_margin) or radius_margin < 0:
        raise ValueError(f"radius_margin must be a finite number >= 0, got {radius_margin!r}")
    floor = 10.0 * math.sqrt(np.finfo(float).eps) * float(np.linalg.norm(network.mean_weights()))
    return network.g * (1.0 + radius_margin / math.sqrt(network.N)) + floor


def coupling_eigenvalues(network: Network, *, seed=0) -> np.ndarray:
    """All eigenvalues of the realised J (float64 z of the same seed as :func:`simulate.run`)."""
    return np.linalg.eigvals(realise(network, seed, np.float64).coupling_matrix())


def outlier_eigenvalues(network: Network, *, seed=0, radius_margin: float = DEFAULT_RADIUS_MARGIN) -> np.ndarray:
    """Eigenvalues of the realised J outside the bulk disk (THEORY.md section 3).

    Parameters
    ----------
    network : Network
    seed : int or SeedSequence
        Realisation seed; the same z as :func:`simulate.run` with this seed.
    radius_margin : float
        c in the outlier radius g (1 + c / sqrt(N)) (module docstring).

    Returns
    -------
    ndarray of complex
        The outliers, sorted by decreasing real part. Cost: one dense
        eigenvalue problem, O(N^3) (about 0.2 s at N = 600).
    """
    radius = bulk_radius(network, radius_margin)
    lam = coupling_eigenvalues(network, seed=seed)
    out = lam[np.abs(lam) > radius]
    return out[np.argsort(-out.real, kind="stable")]
