"""Coupling models: how the random part z of J is drawn and stored (THEORY.md section 1).

J = (g / sqrt N) z_eff + u v^T / sqrt(N). The theory needs the entries of
z_eff iid with mean 0 and variance 1 (section 1 draws them N(0, 1)); the
mean-field limit (sections 2-5) depends on that law only through these two
moments as long as every neuron sums many inputs: the local field
sum_j z_ij phi(x_j) / sqrt(N) is Gaussian by the central limit theorem
whatever the law of z_ij with finite higher moments (the fourth cumulant
enters at order 1/N), the circular law gives the bulk disk of radius g for
any such law, and zeta_k = b^T X^k a / (J0 g^k) of section 3 is a sum of
many independent terms. A coupling law is therefore a modelling and storage
choice: the same model, with other finite-N corrections and other bytes per
coupling. The mean part is never formed by any law.

Interface (stable; other coupling models subclass these two classes)
----------------------------------------------------------------------
``CouplingLaw`` -- frozen, validated dataclass; one per model.

    name : ClassVar[str]
        Registry key written by ``to_dict`` (subclasses are registered by
        ``__init_subclass__``; :func:`coupling_law` rebuilds them).
    draw(network, z_seed, dtype) -> Couplings
        The z_eff of one realisation from its z stream (child 0 of the
        realisation seed, :mod:`simulate.realisation`); ``dtype`` is the
        state dtype (float32 or float64).
    to_dict() -> dict
        ``{"law": name, **parameters}`` (JSON-able; saved with the results).
    storage_bytes(N, dtype) -> int
        Bytes of z_eff of one N-neuron realisation (for capacity planning:
        the largest N that fits in memory).

``Couplings`` -- the stored z_eff of one realisation.

    law, N, dtype (state dtype), nbytes (storage of z_eff)
    matvec(x)  -> z_eff @ x      (float64 in, float64 out)
    rmatvec(y) -> z_eff.T @ y    (float64 in, float64 out)
    dense()    -> z_eff as a float64 N x N array (spectra, tests; small N)
    resolve_engine(engine, replicas, builtin_phi) -> "rows" or "blas"
    integrate(X, gain, v, pattern, b, drive, dt, phi, stride, snap_every,
              trace_idx, obs, snaps, traces, engine)
        Forward Euler in place on X (R, N) of the state dtype, filling the
        record arrays of :func:`simulate.engine.integrate` (obs (n_rec, R, 4),
        snaps (n_snap, R, N), traces (n_rec, R, n_trace)); ``gain`` is
        g / sqrt(N); ``engine`` is resolved (``resolve_engine``). The base
        class implements it as a step loop around ``_step_product`` (which
        defaults to R calls of ``matvec``) and :func:`kernels.blas_step`, so a
        new model needs only ``matvec``, ``rmatvec``, ``dense`` and ``nbytes``
        to run; fused kernels override ``integrate``.

A :class:`simulate.realisation.Realisation` holds its Couplings as
``realisation.couplings`` (``Realisation(z=...)`` takes a dense array or a
Couplings); ``realisation.z`` is the dense array of :class:`DenseCouplings`
and a ValueError for every other storage.

Models here: :class:`GaussianCouplings` (the default, section 1, stored as a
dense float32/float64 array: :class:`DenseCouplings`, run by today's ``rows``
and ``blas`` engines) and :class:`CompactCouplings` (a Gaussian quantised to
int8 on a fine grid: :class:`Int8Couplings`, 1 byte per coupling, run by the
fused kernels of :mod:`simulate.kernels_compact`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from meanfield.model import Network

from . import kernels

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

_LAWS: dict[str, type] = {}


def as_dtype(dtype) -> np.dtype:
    """Validate the floating type of the state and of z (float32 or float64)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in SUPPORTED_DTYPES:
        raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}")
    return dt


def _gaussian_blocks(N: int, z_seed):
    from .realisation import gaussian_row_blocks  # realisation imports this module

    return gaussian_row_blocks(N, z_seed)


def draw_gaussian(N: int, z_seed, dtype=np.float64) -> np.ndarray:
    """The N x N iid N(0, 1) matrix of ``z_seed`` (:func:`simulate.realisation.draw_coupling`)."""
    from .realisation import draw_gaussian_matrix

    return draw_gaussian_matrix(N, z_seed, dtype)


# --------------------------------------------------------------------------------------------
# laws


@dataclass(frozen=True)
class CouplingLaw:
    """Base class of the coupling laws (module docstring: the interface)."""

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.__dict__.get("name"):  # a subclass that inherits its parent's name does not replace it
            _LAWS[cls.name] = cls

    def draw(self, network: Network, z_seed: np.random.SeedSequence, dtype) -> Couplings:
        raise NotImplementedError

    def storage_bytes(self, N: int, dtype=np.float32) -> int:
        raise NotImplementedError

    def smallest_network(self) -> int:
        """The smallest N this law can draw (1 unless the law needs more neurons, e.g. a sparse degree >= 1)."""
        return 1

    def to_dict(self) -> dict:
        return {"law": self.name, **{f.name: getattr(self, f.name) for f in fields(self)}}


@dataclass(frozen=True)
class GaussianCouplings(CouplingLaw):
    """z_ij iid N(0, 1), stored dense in the state dtype (THEORY.md section 1; the default).

    Draws exactly today's matrix: :func:`draw_gaussian` of the z stream.
    """

    name: ClassVar[str] = "gaussian"

    def draw(self, network, z_seed, dtype=np.float64) -> DenseCouplings:
        return DenseCouplings(draw_gaussian(network.N, z_seed, dtype), law=self)

    def storage_bytes(self, N: int, dtype=np.float32) -> int:
        return int(N) * int(N) * as_dtype(dtype).itemsize


INT8_LEVEL = 127  # levels -127..127 (symmetric; -128 unused)


@dataclass(frozen=True)
class CompactCouplings(CouplingLaw):
    """A Gaussian quantised to int8 on a fine grid, rescaled to variance exactly 1.

    The law (THEORY.md section 1 with a non-Gaussian z of mean 0, variance 1)::

        w ~ N(0, 1),  q = clip(round(w / step), -127, 127)  (an int8),
        z_eff = s q,  s = 1 / sqrt(E[q^2]),

    ``round`` to the nearest integer (ties have probability 0). So q takes
    the 255 values -127..127 with

        P(q = k)    = Phi((k + 1/2) step) - Phi((k - 1/2) step),  |k| < 127,
        P(q = +-127) = 1 - Phi(126.5 step)        (the clipped tail),

    Phi the standard normal CDF, and E[q^2] = sum_k k^2 P(q = k) in closed
    form (:meth:`second_moment`). z_eff is symmetric, so its mean is exactly
    0, and its variance is exactly 1 by the choice of s. With the default
    step = 1/20, E[q^2] step^2 = 1 + step^2 / 12 - 4e-10 (Sheppard's
    correction for the rounding noise, less the clipped tail), so
    s = step / sqrt(1 + step^2/12) to 2e-10 relative, and the clip sits at
    |w| = 126.5 step = 6.325: P(clip) = 2.5e-10 per coupling. The fourth
    moment of z_eff is 3 - 8.5e-8 (:meth:`moment`; step^4/120 from Sheppard,
    the rest from the clip), against the Gaussian 3; it enters the
    statistics of the network only at order 1/N.

    The entries are the rounding of the Gaussian draw of the same z stream,
    so a compact and a Gaussian network of one seed are close, but the model
    is the law above (validated as a law, against other Gaussian networks).

    Parameters
    ----------
    step : float
        Grid spacing of w (in standard deviations), in [0.032, 0.1]: fine
        enough that the law is a Gaussian to the eye, coarse enough that the
        clip lies beyond 4 standard deviations (126.5 step >= 4).
    """

    name: ClassVar[str] = "compact"
    step: float = 0.05

    def __post_init__(self):
        step = self.step
        if isinstance(step, bool) or not isinstance(step, (int, float, np.floating, np.integer)):
            raise ValueError(f"CompactCouplings.step must be a number, got {step!r}")
        step = float(step)
        if not (4.0 / (INT8_LEVEL - 0.5) <= step <= 0.1):
            raise ValueError(
                f"CompactCouplings.step must lie in [{4.0 / (INT8_LEVEL - 0.5):.4f}, 0.1] (a fine grid whose "
                f"clip at 126.5 step is beyond 4 standard deviations), got {step!r}")
        object.__setattr__(self, "step", step)

    def probabilities(self) -> np.ndarray:
        """P(q = k) for k = 0..127 (the law is symmetric: P(q = -k) = P(q = k))."""
        s = self.step
        k = np.arange(INT8_LEVEL + 1, dtype=np.float64)
        # upper tails by erfc: accurate far out, where 1 - Phi would cancel
        tail = lambda t: 0.5 * np.array([math.erfc(ti / math.sqrt(2.0)) for ti in t])
        p = tail((k - 0.5) * s) - tail((k + 0.5) * s)
        p[0] = math.erf(0.5 * s / math.sqrt(2.0))
        p[INT8_LEVEL] = tail([(INT8_LEVEL - 0.5) * s])[0]
        return p

    def moment(self, order: int) -> float:
        """E[q^order] for the quantised level q (0 for odd orders)."""
        if order % 2:
            return 0.0
        k = np.arange(1, INT8_LEVEL + 1, dtype=np.float64)
        p = self.probabilities()
        return float(np.sum(2.0 * k**order * p[1:])) + (float(p[0]) if order == 0 else 0.0)

    def second_moment(self) -> float:
        """E[q^2] in closed form."""
        return self.moment(2)

    @property
    def scale(self) -> float:
        """s = 1 / sqrt(E[q^2]): z_eff = s q has variance exactly 1."""
        return 1.0 / math.sqrt(self.second_moment())

    def draw(self, network, z_seed, dtype=np.float64) -> Int8Couplings:
        dtype = as_dtype(dtype)
        N = network.N
        q = np.empty((N, N), dtype=np.int8)
        for start, stop, w in _gaussian_blocks(N, z_seed):
            np.divide(w, self.step, out=w)
            np.rint(w, out=w)
            np.clip(w, -INT8_LEVEL, INT8_LEVEL, out=w)
            q[start:stop] = w
        return Int8Couplings(q, self.scale, law=self, dtype=dtype)

    def storage_bytes(self, N: int, dtype=np.float32) -> int:
        return int(N) * int(N)


def coupling_law(law) -> CouplingLaw:
    """A CouplingLaw from a law, its ``to_dict()`` or None (the Gaussian default)."""
    if law is None:
        return GaussianCouplings()
    if isinstance(law, CouplingLaw):
        return law
    if isinstance(law, dict) and law.get("law") in _LAWS:
        params = {k: v for k, v in law.items() if k != "law"}
        return _LAWS[law["law"]](**params)
    raise ValueError(f"couplings must be a simulate.couplings.CouplingLaw (one of {sorted(_LAWS)}, e.g. "
                     f"GaussianCouplings() or CompactCouplings()) or its to_dict(), got {law!r}")


# --------------------------------------------------------------------------------------------
# realised couplings


class Couplings:
    """The stored z_eff of one realisation (module docstring: the interface)."""

    law: CouplingLaw
    N: int
    dtype: np.dtype

    @property
    def nbytes(self) -> int:
        raise NotImplementedError

    def matvec(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def rmatvec(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def dense(self) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(law={self.law!r}, N={self.N}, dtype={self.dtype.name})"

    def resolve_engine(self, engine: str, replicas: int, builtin_phi: bool) -> str:
        """``"rows"`` (the model's fused kernel, registered phi only) or ``"blas"`` (the step loop)."""
        from .engine import ENGINES

        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        if not builtin_phi:
            if engine == "rows":
                raise ValueError("engine='rows' needs a registered phi ('tanh', 'erf', 'linear'); "
                                 "user callables run with engine='blas' or 'auto'")
            return "blas"
        if engine == "auto":
            return "rows" if self._has_fused_kernel else "blas"
        return engine

    _has_fused_kernel = False
    _product_scale = 1.0  # z_eff = _product_scale * (what _step_product multiplies by)

    def _step_product(self, Phi: np.ndarray, G: np.ndarray) -> None:
        """G[r] = (z_eff / _product_scale) @ Phi[r] for every replica, in the state dtype."""
        for r in range(Phi.shape[0]):
            G[r] = self.matvec(Phi[r].astype(np.float64)) / self._product_scale

    def integrate(self, X, gain, v, pattern, b, drive, dt, phi, stride, snap_every, trace_idx,
                  obs, snaps, traces, engine):
        """Fill the records (module docstring); this base version is the step loop."""
        from .engine import _phi_values

        R = X.shape[0]
        K = drive.uniform.shape[0]
        Phi = np.empty_like(X)
        G = np.empty_like(X)
        moments = np.empty((R, 4))
        g_eff = float(gain) * self._product_scale
        ufunc = phi.builtin and isinstance(phi.func, np.ufunc)
        with np.errstate(over="ignore", invalid="ignore"):
            for k in range(K + 1):
                if ufunc:
                    phi.func(X, out=Phi)
                else:
                    Phi[...] = _phi_values(phi, X)
                if k < K:
                    self._step_product(Phi, G)
                kernels.blas_step(X, Phi, G, v, moments, k, K, stride, snap_every, trace_idx, obs, snaps,
                                  traces, g_eff, pattern, drive.mask, drive.uniform, b, drive.sparse, dt)


class DenseCouplings(Couplings):
    """A dense float32/float64 z (the Gaussian law of THEORY.md section 1), run by today's engines.

    Parameters
    ----------
    z : (N, N) float32 or float64 array
        Stored as given (C-contiguous); its dtype is the state dtype.
    law : CouplingLaw
        The law z was drawn from (default: Gaussian).
    """

    def __init__(self, z: np.ndarray, law: CouplingLaw | None = None):
        if not isinstance(z, np.ndarray) or z.ndim != 2 or z.shape[0] != z.shape[1]:
            raise ValueError(f"z must be a square 2-D numpy array, got {type(z).__name__} of shape "
                             f"{np.shape(z)}")
        as_dtype(z.dtype)
        self.z = z
        self.law = GaussianCouplings() if law is None else law
        self.N = z.shape[0]
        self.dtype = z.dtype

    @property
    def nbytes(self) -> int:
        return self.z.nbytes

    def matvec(self, x):
        """z @ x in the storage type of z (x cast to it), returned as float64."""
        return (self.z @ np.asarray(x).astype(self.dtype, copy=False)).astype(np.float64)

    def rmatvec(self, y):
        """z.T @ y in the storage type of z, returned as float64."""
        return (np.asarray(y).astype(self.dtype, copy=False) @ self.z).astype(np.float64)

    def dense(self):
        return self.z.astype(np.float64)

    def resolve_engine(self, engine, replicas, builtin_phi):
        from .engine import choose_engine

        return choose_engine(engine, replicas, builtin_phi, N=self.N, dtype=self.dtype)

    def integrate(self, X, gain, v, pattern, b, drive, dt, phi, stride, snap_every, trace_idx,
                  obs, snaps, traces, engine):
        from .engine import _integrate_blas

        if engine == "rows":
            code = kernels.PHI_CODES[phi.name]
            kernels.integrate_rows(
                self.z, X, float(gain), v, pattern, drive.mask, drive.uniform, b,
                drive.sparse, float(dt), code, kernels.dot_lanes(self.dtype),
                stride, snap_every, trace_idx, obs, snaps, traces,
            )
        else:
            _integrate_blas(self.z, X, gain, v, pattern, b, drive, dt, phi, stride, snap_every, trace_idx,
                            obs, snaps, traces)


class Int8Couplings(Couplings):
    """z_eff = scale * q with q an (N, N) int8 array (:class:`CompactCouplings`).

    Runs with the fused kernels of :mod:`simulate.kernels_compact` (``rows``,
    registered phi) or the step loop around their int8 product (``blas``,
    any phi). The state dtype is float32 or float64; the matrix is 1 byte
    per coupling either way.
    """

    _has_fused_kernel = True

    def __init__(self, q: np.ndarray, scale: float, law: CouplingLaw, dtype=np.float32):
        if not isinstance(q, np.ndarray) or q.dtype != np.int8 or q.ndim != 2 or q.shape[0] != q.shape[1]:
            raise ValueError(f"q must be a square int8 numpy array, got {getattr(q, 'dtype', type(q))} of "
                             f"shape {np.shape(q)}")
        self.q = np.ascontiguousarray(q)
        self.scale = float(scale)
        self.law = law
        self.N = q.shape[0]
        self.dtype = as_dtype(dtype)
        self._product_scale = self.scale

    @property
    def nbytes(self) -> int:
        return self.q.nbytes

    def matvec(self, x):
        from . import kernels_compact

        x = np.ascontiguousarray(x, dtype=np.float64)
        out = np.empty(self.N)
        kernels_compact.matvec_f64(self.q, x, out)
        return self.scale * out

    def rmatvec(self, y):
        from . import kernels_compact

        y = np.ascontiguousarray(y, dtype=np.float64)
        out = np.empty(self.N)
        kernels_compact.rmatvec_f64(self.q, y, out)
        return self.scale * out

    def dense(self):
        return self.scale * self.q.astype(np.float64)

    def _step_product(self, Phi, G):
        from . import kernels_compact

        kernels_compact.product(self.q, Phi, G)

    def integrate(self, X, gain, v, pattern, b, drive, dt, phi, stride, snap_every, trace_idx,
                  obs, snaps, traces, engine):
        if engine != "rows":
            return super().integrate(X, gain, v, pattern, b, drive, dt, phi, stride, snap_every, trace_idx,
                                     obs, snaps, traces, engine)
        from . import kernels_compact

        kernels_compact.integrate_compact(
            self.q, X, float(gain) * self.scale, v, pattern, drive.mask, drive.uniform, b, drive.sparse,
            float(dt), kernels.PHI_CODES[phi.name], stride, snap_every, trace_idx, obs, snaps, traces,
        )


def as_couplings(z) -> Couplings:
    """A Couplings from a Couplings or a dense float z (wrapped as Gaussian :class:`DenseCouplings`)."""
    if isinstance(z, Couplings):
        return z
    if isinstance(z, np.ndarray):
        return DenseCouplings(z)
    raise ValueError(f"z must be a dense float32/float64 array or a simulate.couplings.Couplings, got "
                     f"{type(z).__name__}")


__all__ = ["CompactCouplings", "CouplingLaw", "Couplings", "DenseCouplings", "GaussianCouplings",
           "Int8Couplings", "as_couplings", "as_dtype", "coupling_law", "draw_gaussian"]
