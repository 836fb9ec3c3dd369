"""External inputs on the Euler grid, in the form the kernels consume.

For replica r and neuron i the input of THEORY.md section 1 ("Inputs"
(a)-(c)) at grid time t_k is

    I_i^r(t_k) = a[k, r] + b[k, r] * p_i + c[k, r] * mask[r, i]

with a = I0 s(t_k) (uniform), b = sigma_in s(t_k) (pattern, p the
realisation's pattern) and c = A s(t_k) on the driven set S
(``SparseInput.indices``). The Euler step k -> k+1 uses t_k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from meanfield.model import Inputs, Network, TimeGrid


@dataclass(frozen=True, eq=False)
class Drive:
    """Per-step input coefficients for R replicas over K Euler steps.

    Attributes
    ----------
    uniform, pattern, sparse : ndarray, shape (K, R), float64
        a, b, c of the module docstring.
    mask : ndarray, shape (R, N), float64
        Indicator of the driven set S of each replica.
    """

    uniform: np.ndarray
    pattern: np.ndarray
    sparse: np.ndarray
    mask: np.ndarray

    @property
    def uses_pattern(self) -> bool:
        return bool(np.any(self.pattern))


def build_drive(network: Network, inputs: tuple[Inputs, ...], grid: TimeGrid) -> Drive:
    """Tabulate the inputs of every replica at t_0 .. t_{K-1}.

    Parameters
    ----------
    network : Network
    inputs : tuple of Inputs
        One per replica, already checked against the network.
    grid : TimeGrid

    Returns
    -------
    Drive
    """
    R = len(inputs)
    times = grid.times[: grid.n_steps]
    shape = (grid.n_steps, R)
    uniform, pattern, sparse = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    mask = np.zeros((R, network.N))
    for r, inp in enumerate(inputs):
        if inp.uniform is not None:
            uniform[:, r] = inp.uniform.series(times)
        if inp.pattern is not None:
            pattern[:, r] = inp.pattern.series(times)
        if inp.sparse is not None:
            sparse[:, r] = inp.sparse.series(times)
            mask[r, inp.sparse.indices(network)] = 1.0
    for name, arr in (("uniform", uniform), ("pattern", pattern), ("sparse", sparse)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"the {name} input is not finite on the time grid; check its profile")
    return Drive(uniform=uniform, pattern=pattern, sparse=sparse, mask=mask)
