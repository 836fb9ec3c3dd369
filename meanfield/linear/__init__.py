"""Exact linear theory of the critically balanced network (THEORY.md section 3).

For phi linear (or the linearisation at x = 0), lambda0 = 0 and g < 1 the
population feedback, the transfer function and the outlier eigenvalues of J
are random power series in g whose coefficients zeta_1, zeta_2, ... are iid
N(0,1) as N -> infinity (b^T X^k a = J0 g^k zeta_k):

* :mod:`.zeta`        truncation order and sampling of zeta;
* :mod:`.response`    kernel K(tau) and transfer function H(w);
* :mod:`.outliers`    outlier eigenvalues lambda = g / w for one sample;
* :mod:`.instability` per-sample decision "some outlier has Re lambda > 1";
* :mod:`.ensemble`    P(x = 0 unstable) with a Wilson interval, outlier distribution.
"""

from .ensemble import InstabilityProbability, OutlierDistribution, outlier_distribution, probability_unstable
from .instability import unstable_flags
from .outliers import outlier_eigenvalues, outlier_polynomial, outlier_roots
from .response import feedback_series, population_kernel, transfer_function
from .zeta import sample_zeta, truncation_order

__all__ = [
    "truncation_order", "sample_zeta",
    "population_kernel", "feedback_series", "transfer_function",
    "outlier_polynomial", "outlier_roots", "outlier_eigenvalues",
    "unstable_flags",
    "probability_unstable", "InstabilityProbability",
    "outlier_distribution", "OutlierDistribution",
]
