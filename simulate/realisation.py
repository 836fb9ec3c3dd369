"""One realisation of the finite-N network of THEORY.md section 1.

A realisation is everything random about one run: the coupling matrix z,
the input pattern p (input (b)) and the microscopic initial noise u
(x_i(0) = h0 + sigma0 u_i). Each has its own random stream, taken from the
realisation's ``numpy.random.SeedSequence`` as the three children of
``seed.spawn(3)`` (in this order):

    child 0 -> z   (N x N, iid N(0, 1); another coupling law of
                    :mod:`simulate.couplings` draws its z_eff from this stream)
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

from .couplings import (
    CouplingLaw,
    Couplings,
    DenseCouplings,
    GaussianCouplings,
    as_couplings,
    as_dtype,
    coupling_law,
)

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Rows of z drawn per block (float64) before casting to float32 (or quantising), so that
# float32 and float64 runs of one seed share the same network to rounding without a
# transient N x N float64 copy.
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


def draw_coupling(network: Network, z_seed: np.random.SeedSequence, dtype=np.float64) -> np.ndarray:
    """The N x N matrix z of iid N(0, 1) entries (THEORY.md section 1), C-contiguous.

    The entries are drawn in float64 row blocks and cast, so float32 and
    float64 matrices of one seed agree to float32 rounding.
    """
    return draw_gaussian_matrix(network.N, z_seed, dtype)


def gaussian_row_blocks(N: int, z_seed: np.random.SeedSequence):
    """(start, stop, w): the rows start..stop of the N x N iid N(0, 1) draw of ``z_seed``, float64."""
    rng = np.random.default_rng(z_seed)
    rows = max(1, _Z_BLOCK_ELEMENTS // N)
    for start in range(0, N, rows):
        stop = min(N, start + rows)
        yield start, stop, rng.standard_normal((stop - start, N))


def draw_gaussian_matrix(N: int, z_seed: np.random.SeedSequence, dtype=np.float64) -> np.ndarray:
    """:func:`draw_coupling` for N neurons: float64 in one draw, float32 cast from float64 row blocks."""
    dtype = as_dtype(dtype)
    if dtype == np.float64:
        return np.random.default_rng(z_seed).standard_normal((N, N))
    z = np.empty((N, N), dtype=dtype)
    for start, stop, w in gaussian_row_blocks(N, z_seed):
        z[start:stop] = w
    return z


def draw_pattern(network: Network, p_seed: np.random.SeedSequence) -> np.ndarray:
    """The input pattern p_i iid N(0, 1) of input (b), float64."""
    return np.random.default_rng(p_seed).standard_normal(network.N)


def draw_initial_noise(network: Network, u_seed: np.random.SeedSequence, replica: int) -> np.ndarray:
    """The noise u_i iid N(0, 1) of replica ``replica``: x_i(0) = h0 + sigma0 u_i."""
    return np.random.default_rng(child_seed(u_seed, replica)).standard_normal(network.N)


class _CouplingField:
    """The ``z`` field of :class:`Realisation`: set from an array or a Couplings, read as the dense z.

    The stored value is always a :class:`~simulate.couplings.Couplings`
    (``Realisation.couplings``); reading ``z`` gives the float array of a
    dense model and a ValueError for the others, which have no float matrix.
    """

    def __get__(self, obj, owner=None):
        if obj is None:
            raise AttributeError("z")  # a required field: no class-level default
        c = obj.__dict__["couplings"]
        if isinstance(c, DenseCouplings):
            return c.z
        raise ValueError(
            f"this realisation's couplings follow {c.law!r}, stored as {type(c).__name__} "
            f"({c.nbytes} bytes), not as a dense float matrix z: use realisation.couplings.matvec(x) / "
            f".rmatvec(y) for products, or realisation.couplings.dense() for the float64 matrix (small N)")

    def __set__(self, obj, value):
        obj.__dict__["couplings"] = as_couplings(value)


@dataclass(frozen=True, eq=False)
class Realisation:
    """The random quantities of one network realisation (THEORY.md section 1).

    Attributes
    ----------
    network : Network
    seed : SeedSequence
        The realisation seed; its children 0, 1, 2 seed z, p and u.
    z : ndarray, shape (N, N)
        iid N(0, 1) coupling noise, in the simulation dtype. Given as an
        array (a Gaussian :class:`~simulate.couplings.DenseCouplings`) or as
        any :class:`~simulate.couplings.Couplings`; reading it is defined for
        dense matrices only (a ValueError otherwise: use ``couplings``).
    pattern : ndarray, shape (N,)
        The pattern p of input (b), float64.
    couplings : Couplings (read-only property)
        The stored effective noise z_eff of J (any coupling law).

    For a non-dense law, ``dataclasses.replace`` needs ``z=real.couplings``
    among the changes (reading ``z`` raises).
    """

    network: Network
    seed: np.random.SeedSequence
    z: np.ndarray = _CouplingField()
    pattern: np.ndarray = None

    def __post_init__(self):
        if self.pattern is None:
            raise ValueError("Realisation needs the input pattern p (pattern=...)")
        if self.couplings.N != self.network.N:
            raise ValueError(f"the couplings are for N = {self.couplings.N}, the network has N = {self.network.N}")

    def __repr__(self):
        return (f"Realisation(network={self.network!r}, seed={self.seed!r}, couplings={self.couplings!r})")

    @property
    def couplings(self) -> Couplings:
        return self.__dict__["couplings"]

    @property
    def dtype(self) -> np.dtype:
        """The state dtype of the simulation of this realisation."""
        return self.couplings.dtype

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
        return (self.network.g * self.couplings.dense() + v[None, :]) / math.sqrt(N)


def realise(network: Network, seed=0, dtype=np.float64, couplings: CouplingLaw = GaussianCouplings()
            ) -> Realisation:
    """Draw z and p of one realisation (THEORY.md section 1).

    Parameters
    ----------
    network : Network
    seed : int or SeedSequence
        Realisation seed, split as described in the module docstring.
    dtype : numpy.float32 or numpy.float64
        State dtype of the simulation (and storage type of a dense z).
    couplings : CouplingLaw
        The law of z (:mod:`simulate.couplings`; default: iid N(0, 1), dense).

    Returns
    -------
    Realisation
    """
    if not isinstance(network, Network):
        raise ValueError(f"network must be a meanfield.Network, got {network!r}")
    law = coupling_law(couplings)
    ss = seed_sequence(seed)
    z_seed, p_seed, _ = realisation_seeds(ss)
    return Realisation(
        network=network,
        seed=ss,
        z=law.draw(network, z_seed, as_dtype(dtype)),
        pattern=draw_pattern(network, p_seed),
    )
