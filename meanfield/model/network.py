"""The finite-N network of THEORY.md section 1.

    J_ij = ( g z_ij + v_j ) / sqrt(N),   v_j = J0 s_j + lambda0 / sqrt(N)

with s_j = +sqrt(N_I/N_E) on excitatory and -sqrt(N_E/N_I) on inhibitory
neurons, so that sum_j s_j = 0 and (1/N) sum_j s_j^2 = 1 exactly.

The random part g z / sqrt(N) does not respect Dale's law per synapse: the
E/I identity lives in the rank-one mean connectivity, as in Rajan & Abbott
(2006). This is the model, not an approximation of a Dale network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import require_finite, require_int, require_range
from .nonlinearity import Nonlinearity, get_phi


@dataclass(frozen=True)
class Network:
    """Parameters of one network ensemble (THEORY.md section 1).

    Parameters
    ----------
    N : int
        Number of neurons (>= 2, with at least one E and one I neuron).
    g : float
        Strength of the random coupling (>= 0).
    J0 : float
        Strength of balanced excitation and inhibition (>= 0).
    lambda0 : float
        Detuning: the nonzero eigenvalue of the mean matrix. 0 is the
        critical balance; > 0 excitation-dominant; < 0 inhibition-dominant.
    f : float
        Fraction of excitatory neurons, in (0, 1).
    phi : str, callable or Nonlinearity
        Transfer function, resolved through :func:`get_phi`.
    """

    N: int
    g: float
    J0: float
    lambda0: float = 0.0
    f: float = 0.8
    phi: Nonlinearity | str = field(default="tanh")

    def __post_init__(self):
        owner = "Network"
        N = require_int(owner, "N", self.N, lo=2, why="a network needs at least 2 neurons")
        object.__setattr__(self, "N", N)
        object.__setattr__(self, "g", require_range(owner, "g", self.g, lo=0.0))
        object.__setattr__(self, "J0", require_range(owner, "J0", self.J0, lo=0.0))
        object.__setattr__(self, "lambda0", require_finite(owner, "lambda0", self.lambda0))
        object.__setattr__(
            self, "f", require_range(owner, "f", self.f, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
        )
        object.__setattr__(self, "phi", get_phi(self.phi))
        n_e = self.N_E
        if n_e < 1 or n_e > N - 1:
            raise ValueError(
                f"Network with N = {N}, f = {self.f} has N_E = {n_e} excitatory and "
                f"N_I = {N - n_e} inhibitory neurons; both must be >= 1 (increase N or move f "
                "away from 0 and 1)"
            )

    # ------------------------------------------------------------------ sizes
    @property
    def N_E(self) -> int:
        """Number of excitatory neurons, round(f N) (Python's round-half-even)."""
        return int(round(self.f * self.N))

    @property
    def N_I(self) -> int:
        return self.N - self.N_E

    # ----------------------------------------------------------- E/I vectors
    def ei_signs(self) -> np.ndarray:
        """The vector s of THEORY.md section 1 (sum 0, mean square 1 exactly)."""
        s = np.empty(self.N)
        s[: self.N_E] = math.sqrt(self.N_I / self.N_E)
        s[self.N_E :] = -math.sqrt(self.N_E / self.N_I)
        return s

    def mean_weights(self) -> np.ndarray:
        """v_j = J0 s_j + lambda0 / sqrt(N): column weights of the mean matrix."""
        return self.J0 * self.ei_signs() + self.lambda0 / math.sqrt(self.N)

    def to_dict(self) -> dict:
        return {
            "N": self.N,
            "g": self.g,
            "J0": self.J0,
            "lambda0": self.lambda0,
            "f": self.f,
            "phi": self.phi.name,
        }

    def replace(self, **changes) -> "Network":
        """A copy with some fields changed (validated again); ValueError for a name that is not a field."""
        unknown = sorted(set(changes) - set(self.__dict__))
        if unknown:
            raise ValueError(f"Network.replace: {', '.join(unknown)} is not a field of Network; "
                             f"the fields are {', '.join(self.__dict__)}")
        d = {**self.__dict__, **changes}
        return Network(**d)
