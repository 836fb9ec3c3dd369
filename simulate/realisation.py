"""One realisation of the finite-N network of THEORY.md section 1.

A realisation is everything random about one run: the coupling matrix z,
the input pattern p (input (b)) and the microscopic initial noise u
(x_i(0) = h0 + sigma0 u_i). Each has its own random stream, taken from the
realisation's ``numpy.random.SeedSequence`` as the three children of
``seed.spawn(3)`` (in this order):

    child 0 -> z   (N x N, iid N(0, 1))
    child 1 -> p   (N,     iid N(0, 1))
    child 2 -> u   (one grandchild per replica r: child 2 spawned, r-th child)

so the same network z can be combined with other patterns or initial states
by seeding only the other streams, and replica r draws the same u whatever
the number of replicas. The children are rebuilt from the seed's entropy and
spawn key, never spawned from the caller's object, so a SeedSequence passed in
twice gives the same realisation twice.

The mean part u v^T / sqrt(N) of J is rank one and never formed (nor is J):
the simulator uses J phi = g Z phi / sqrt(N) + u (v . phi) / sqrt(N).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from meanfield.arguments import seed_sequence
from meanfield.model import Network

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Rows of z drawn per block (float64) before casting to float32, so that
# float32 and float64 runs of one seed share the same network to rounding
# without a transient N x N float64 copy.
_Z_BLOCK_ELEMENTS = 1 << 22


def child_seed(ss: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """The k-th child that ``ss.spawn`` would give on a fresh copy of ``ss``."""
    return np.random.SeedSequence(
        ss.entropy, spawn_key=tuple(ss.spawn_key) + (k,), pool_size=ss.pool_size
    )


def realisation_seeds(seed) -> tuple[np.random.SeedSequence, ...]:
    """The (z, p, u) seeds of a realisation: ``SeedSequence(seed).spawn(3)``."""
    ss = seed_sequence(seed)
    return tuple(child_seed(ss, k) for k in range(3))


def as_dtype(dtype) -> np.dtype:
    """Validate the floating type of the state and of z (float32 or float64)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in SUPPORTED_DTYPES:
        raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}")
    return dt


def draw_coupling(network: Network, z_seed: np.random.SeedSequence, dtype=np.float64) -> np.ndarray:
    """The N x N matrix z of iid N(0, 1) entries (THEORY.md section 1), C-contiguous.

    The entries are drawn in float64 row blocks and cast, so float32 and
    float64 matrices of one seed agree to float32 rounding.
    """
    dtype = as_dtype(dtype)
    N = network.N
    rng = np.random.default_rng(z_seed)
    if dtype == np.float64:
        return rng.standard_normal((N, N))
    z = np.empty((N, N), dtype=dtype)
    rows = max(1, _Z_BLOCK_ELEMENTS // N)
    for start in range(0, N, rows):
        stop = min(N, start + rows)
        z[start:stop] = rng.standard_normal((stop - start, N))
    return z


def draw_pattern(network: Network, p_seed: np.random.SeedSequence) -> np.ndarray:
    """The input pattern p_i iid N(0, 1) of input (b), float64."""
    return np.random.default_rng(p_seed).standard_normal(network.N)


def draw_initial_noise(network: Network, u_seed: np.random.SeedSequence, replica: int) -> np.ndarray:
    """The noise u_i iid N(0, 1) of replica ``replica``: x_i(0) = h0 + sigma0 u_i."""
    return np.random.default_rng(child_seed(u_seed, replica)).standard_normal(network.N)


@dataclass(frozen=True, eq=False)
class Realisation:
    """The random quantities of one network realisation (THEORY.md section 1).

    Attributes
    ----------
    network : Network
    seed : SeedSequence
        The realisation seed; its children 0, 1, 2 seed z, p and u.
    z : ndarray, shape (N, N)
        iid N(0, 1) coupling noise, in the simulation dtype.
    pattern : ndarray, shape (N,)
        The pattern p of input (b), float64.
    """

    network: Network
    seed: np.random.SeedSequence
    z: np.ndarray
    pattern: np.ndarray

    @property
    def gain(self) -> float:
        """g / sqrt(N), the factor of z in J."""
        return self.network.g / math.sqrt(self.network.N)

    def initial_noise(self, replica: int = 0) -> np.ndarray:
        """The u vector of one replica (see the module docstring)."""
        return draw_initial_noise(self.network, realisation_seeds(self.seed)[2], replica)

    def coupling_matrix(self) -> np.ndarray:
        """The dense J = (g z + u v^T) / sqrt(N) in float64 (for tests and spectra only)."""
        N = self.network.N
        v = self.network.mean_weights()
        return (self.network.g * self.z.astype(np.float64) + v[None, :]) / math.sqrt(N)


def realise(network: Network, seed=0, dtype=np.float64) -> Realisation:
    """Draw z and p of one realisation (THEORY.md section 1).

    Parameters
    ----------
    network : Network
    seed : int or SeedSequence
        Realisation seed, split as described in the module docstring.
    dtype : numpy.float32 or numpy.float64
        Storage type of z.

    Returns
    -------
    Realisation
    """
    if not isinstance(network, Network):
        raise ValueError(f"network must be a meanfield.Network, got {network!r}")
    ss = seed_sequence(seed)
    z_seed, p_seed, _ = realisation_seeds(ss)
    return Realisation(
        network=network,
        seed=ss,
        z=draw_coupling(network, z_seed, dtype),
        pattern=draw_pattern(network, p_seed),
    )
