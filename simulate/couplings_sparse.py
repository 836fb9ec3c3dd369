"""A sparse random coupling part with fixed in-degree (THEORY.md section 1 on a sparse graph).

The law (:class:`SparseCouplings`, connectivity c)::

    K = round(c N) presynaptic partners per neuron i, a uniform K-subset of
    {0, ..., N-1} drawn without replacement, independently for every i;
    z_eff_ij = w_ij / sqrt(c) on the kept synapses (w_ij iid N(0, 1)), 0 elsewhere,

so J_ij = g z_eff_ij / sqrt(N) = g w_ij / sqrt(c N) on a kept synapse: every
neuron sums exactly K random inputs of variance g^2 / K each, as in a
Brunel-type network or ReservoirPy's default reservoir. Self-connections are
allowed (i is a candidate partner of itself with probability c, like every
other neuron), so the entries z_eff_ij have the same marginal law for all
(i, j): mean 0, variance c (1/c) = 1, as THEORY.md section 1 needs, and the
mean-field theory applies unchanged once K is large (the local field is a
sum of K independent terms; :mod:`simulate.couplings` on universality), with
finite-size corrections in 1/K rather than 1/N: the variance of the local
field of neuron i given the rates, (g^2 / K) sum over its partners of w_ij^2 phi(x_j)^2, fluctuates
from neuron to neuron by O(1/sqrt(K)). Entries of one row are not
independent (exactly K are nonzero). The rank-one mean
part u v^T / sqrt(N) is unchanged and never formed.

Storage: ELL, ``idx`` (N, K8) and ``val`` (N, K8) in the state dtype, the
indices uint16 for N <= 65,536 (2 bytes less per synapse to stream each step)
and int32 above, K8 = K rounded up to a multiple of 8; the padding entries (columns K..K8-1)
repeat the row's last partner with value 0, so that the row products of
:mod:`simulate.kernels_sparse` run without a remainder loop. The partners of a
row are sorted (the presynaptic rates are gathered in address order).

Random draws, all from the realisation's z stream ``z_seed`` (child 0 of the
realisation seed): its child 0 draws the partner sets (Floyd's algorithm: K
bounded integers per row), its child 1 the values w (K per row, row-major,
in float64, cast to the state dtype), both in fixed row blocks, so a seed
gives the same network for any number of threads, and float32 and float64
networks of one seed agree to float32 rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from . import kernels, kernels_sparse
from .couplings import CouplingLaw, Couplings, as_dtype
from .realisation import child_seed

# Largest N whose partner indices are stored as uint16.
UINT16_MAX_N = 1 << 16

# Synapses drawn per block (the bounded integers and the normals are drawn block by block).
_BLOCK_SYNAPSES = 1 << 22

# Per-neuron vectors of a single-trajectory run besides the couplings, in bytes: x, phi and
# phi_next in the state dtype (3 itemsize), and the float64 v, pattern p and sparse-input mask.
_STATE_VECTORS = 3
_FLOAT64_VECTORS = 3


def in_degree(N: int, connectivity: float) -> int:
    """K = round(c N), the number of presynaptic partners of every neuron."""
    return round(float(connectivity) * int(N))


def padded_degree(K: int) -> int:
    """K rounded up to a multiple of :data:`kernels_sparse.ELL_LANES` (the ELL row length)."""
    L = kernels_sparse.ELL_LANES
    return -(-int(K) // L) * L


def index_dtype(N: int) -> np.dtype:
    """Type of the stored partner indices: uint16 for N <= 65,536, int32 above."""
    return np.dtype(np.uint16) if N <= UINT16_MAX_N else np.dtype(np.int32)


def bytes_per_neuron(N: int, connectivity: float, dtype=np.float32) -> int:
    """Memory per neuron of a sparse single-trajectory run: its ELL row plus its state.

    K8 (index + itemsize) bytes of couplings (index and value per stored
    synapse) plus x, phi(x), phi(x) of the next step in the state dtype and
    v, p, the input mask in float64. Records (observables, snapshots, traces)
    are extra and depend on the run, not on N alone.
    """
    item = as_dtype(dtype).itemsize
    K8 = padded_degree(in_degree(N, connectivity))
    return K8 * (index_dtype(N).itemsize + item) + _STATE_VECTORS * item + 8 * _FLOAT64_VECTORS


def largest_network(budget_bytes: float, connectivity: float, dtype=np.float32) -> int:
    """The largest N with N * bytes_per_neuron(N, c, dtype) <= budget_bytes (bisection on N)."""
    lo, hi = 1, 1
    while hi * bytes_per_neuron(hi, connectivity, dtype) <= budget_bytes:
        lo, hi = hi, 2 * hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid * bytes_per_neuron(mid, connectivity, dtype) <= budget_bytes:
            lo = mid
        else:
            hi = mid
    return lo


@dataclass(frozen=True)
class SparseCouplings(CouplingLaw):
    """Fixed in-degree K = round(c N), entries N(0, 1) / sqrt(c) (module docstring: the law).

    Parameters
    ----------
    connectivity : float
        c in (0, 1]: the fraction of the N neurons each neuron receives
        input from. ``c = 1`` is the all-to-all Gaussian network of
        THEORY.md section 1 (a different random stream than
        :class:`~simulate.couplings.GaussianCouplings`, stored sparsely).
    """

    name: ClassVar[str] = "sparse"
    connectivity: float = 0.1

    def __post_init__(self):
        c = self.connectivity
        if isinstance(c, bool) or not isinstance(c, (int, float, np.integer, np.floating)):
            raise ValueError(f"SparseCouplings.connectivity must be a number in (0, 1], got {c!r}")
        c = float(c)
        if not (0.0 < c <= 1.0):
            raise ValueError(f"SparseCouplings.connectivity must lie in (0, 1] (the fraction of "
                             f"presynaptic partners per neuron), got {c!r}")
        object.__setattr__(self, "connectivity", c)

    def degree(self, N: int) -> int:
        """The in-degree K = round(c N) at network size N; ValueError if it is 0."""
        K = in_degree(N, self.connectivity)
        if K < 1:
            raise ValueError(f"SparseCouplings(connectivity={self.connectivity}) gives in-degree "
                             f"K = round(c N) = 0 at N = {N}; raise c to at least {0.5 / N:.3g} or N")
        return K

    def smallest_network(self) -> int:
        """The smallest N with in-degree round(c N) >= 1."""
        N = 1
        while in_degree(N, self.connectivity) < 1:
            N *= 2
        return N

    def draw(self, network, z_seed, dtype=np.float64) -> EllCouplings:
        dtype = as_dtype(dtype)
        N = network.N
        K = self.degree(N)
        idx, val = draw_ell(N, K, self.connectivity, z_seed, dtype)
        return EllCouplings(idx, val, K, law=self, dtype=dtype)

    def storage_bytes(self, N: int, dtype=np.float32) -> int:
        """Bytes of the ELL arrays: N K8 (index + value itemsize)."""
        return int(N) * padded_degree(self.degree(N)) * (index_dtype(N).itemsize + as_dtype(dtype).itemsize)


@njit(cache=True)
def _floyd_rows(N, K, draws, idx, row0, mark):
    """Partner sets of rows row0.. from Floyd's bounded draws, sorted, into idx.

    Row r uses draws[r - row0, t] uniform on [0, N - K + t]: candidate t is
    the draw, or N - K + t if the draw is already taken, which gives a uniform
    K-subset (Floyd's algorithm). ``mark`` is an all-False (N,) scratch array,
    left all-False.
    """
    for rr in range(draws.shape[0]):
        row = idx[row0 + rr]
        for t in range(K):
            j = draws[rr, t]
            top = N - K + t
            if mark[j]:
                j = top
            mark[j] = True
            row[t] = j
        for t in range(K):
            mark[row[t]] = False
        row[:K].sort()


def draw_ell(N: int, K: int, connectivity: float, z_seed: np.random.SeedSequence, dtype):
    """ELL arrays (idx, val) of the sparse law from ``z_seed`` (module docstring: the draws)."""
    K8 = padded_degree(K)
    idx = np.empty((N, K8), dtype=index_dtype(N))
    val = np.zeros((N, K8), dtype=dtype)
    rng_idx = np.random.default_rng(child_seed(z_seed, 0))
    rng_val = np.random.default_rng(child_seed(z_seed, 1))
    highs = np.arange(N - K + 1, N + 1, dtype=np.int64)  # exclusive bounds of Floyd's draws
    mark = np.zeros(N, dtype=np.bool_)
    scale = 1.0 / math.sqrt(connectivity)
    rows = max(1, _BLOCK_SYNAPSES // K)
    for start in range(0, N, rows):
        stop = min(N, start + rows)
        draws = rng_idx.integers(0, highs, size=(stop - start, K), dtype=np.int64)
        _floyd_rows(N, K, draws, idx, start, mark)
        w = rng_val.standard_normal((stop - start, K))
        w *= scale
        val[start:stop, :K] = w
    idx[:, K:] = idx[:, K - 1 : K]
    return idx, val


@njit(cache=True)
def _matvec_f64(idx, val, K, x, out):
    for i in range(idx.shape[0]):
        s = 0.0
        for q in range(K):
            s += np.float64(val[i, q]) * x[idx[i, q]]
        out[i] = s


@njit(cache=True)
def _rmatvec_f64(idx, val, K, y, out):
    out[:] = 0.0
    for i in range(idx.shape[0]):
        for q in range(K):
            out[idx[i, q]] += np.float64(val[i, q]) * y[i]


@njit(cache=True)
def _product(idx, val, Phi, G):
    # G[r, i] = sum_q val[i, q] Phi[r, idx[i, q]] in the state dtype, the row order of the kernels
    for r in range(Phi.shape[0]):
        for i in range(idx.shape[0]):
            G[r, i] = kernels_sparse.ell_row_dot(idx[i], val[i], Phi[r])


class EllCouplings(Couplings):
    """The z_eff of :class:`SparseCouplings` in ELL form (module docstring: storage).

    Parameters
    ----------
    idx : (N, K8) uint16 or int32
        Presynaptic partners in [0, N), sorted in columns 0..K-1; padding after.
    val : (N, K8) float32/float64
        z_eff on those synapses (0 on the padding), in the state dtype.
    K : int
        The in-degree (number of real entries per row).
    law : SparseCouplings
    dtype : the state dtype (that of val)
    """

    _has_fused_kernel = True

    def __init__(self, idx: np.ndarray, val: np.ndarray, K: int, law: CouplingLaw, dtype=None):
        dtype = as_dtype(val.dtype if dtype is None else dtype)
        if (idx.ndim != 2 or idx.dtype not in (np.uint16, np.int32) or val.shape != idx.shape
                or idx.shape[1] % kernels_sparse.ELL_LANES or not 1 <= K <= idx.shape[1]):
            raise ValueError(f"ELL arrays must be idx uint16/int32 and val of one shape (N, K8), K8 a multiple "
                             f"of {kernels_sparse.ELL_LANES} and 1 <= K <= K8; got idx {idx.dtype} "
                             f"{idx.shape}, val {val.shape}, K = {K}")
        # the kernels gather without bounds checks: every index must name a neuron
        if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= idx.shape[0]):
            raise ValueError(f"ELL partner indices must lie in [0, N) = [0, {idx.shape[0]}), got "
                             f"[{int(idx.min())}, {int(idx.max())}]")
        self.idx = np.ascontiguousarray(idx)
        self.val = np.ascontiguousarray(val, dtype=dtype)
        self.K = int(K)
        self.law = law
        self.N = idx.shape[0]
        self.dtype = dtype

    @property
    def nbytes(self) -> int:
        return self.idx.nbytes + self.val.nbytes

    def matvec(self, x):
        """z_eff @ x, summed in float64 over the K synapses of each row."""
        x = np.ascontiguousarray(x, dtype=np.float64)
        out = np.empty(self.N)
        _matvec_f64(self.idx, self.val, self.K, x, out)
        return out

    def rmatvec(self, y):
        """z_eff.T @ y in float64."""
        y = np.ascontiguousarray(y, dtype=np.float64)
        out = np.empty(self.N)
        _rmatvec_f64(self.idx, self.val, self.K, y, out)
        return out

    def dense(self):
        z = np.zeros((self.N, self.N))
        rows = np.arange(self.N)[:, None]
        z[rows, self.idx[:, : self.K]] = self.val[:, : self.K]
        return z

    def _step_product(self, Phi, G):
        _product(self.idx, self.val, np.ascontiguousarray(Phi), G)

    def integrate(self, X, gain, v, pattern, b, drive, dt, phi, stride, snap_every, trace_idx,
                  obs, snaps, traces, engine):
        if engine != "rows":
            return super().integrate(X, gain, v, pattern, b, drive, dt, phi, stride, snap_every, trace_idx,
                                     obs, snaps, traces, engine)
        kernels_sparse.integrate_ell(
            self.idx, self.val, X, float(gain), v, pattern, drive.mask, drive.uniform, b, drive.sparse,
            float(dt), kernels.PHI_CODES[phi.name], stride, snap_every, trace_idx, obs, snaps, traces,
            parallel=kernels_sparse.use_parallel(self.N, self.idx.shape[1], X.shape[0]),
        )


__all__ = [
    "EllCouplings",
    "SparseCouplings",
    "bytes_per_neuron",
    "draw_ell",
    "in_degree",
    "largest_network",
    "padded_degree",
]
