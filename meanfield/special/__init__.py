"""Special cases of the mean-field theory as their own small solvers (THEORY.md section 8).

scs         J0 = 0: the Sompolinsky-Crisanti-Sommers stationary autocorrelation
            (continuous time and on the Euler grid of eq. 4.5), chaos onset at g = 1
static      static coherent fixed points (h*, Delta0*) and their branch in h*
small_j0    small J0, g > 1: h as a Gaussian process with spectrum J0^2 S_Chat / (1 + w^2)
"""

from .scs import (
    EulerSCSOrbit, SCSOrbit, scs_autocorrelation, scs_autocorrelation_euler, scs_decay_rate,
    scs_euler_orbit, scs_orbit, scs_variance,
)
from .small_j0 import scs_rate_spectrum, small_J0_spectrum, small_J0_variance
from .static import StaticBranch, static_amplitude, static_branch, static_fixed_point

__all__ = [
    "SCSOrbit", "EulerSCSOrbit", "scs_variance", "scs_decay_rate", "scs_orbit",
    "scs_autocorrelation", "scs_euler_orbit", "scs_autocorrelation_euler",
    "static_fixed_point", "static_branch", "static_amplitude", "StaticBranch",
    "scs_rate_spectrum", "small_J0_spectrum", "small_J0_variance",
]
