"""What a check asks the sweep engine to compute: ensembles of theory samples or of networks.

Each request names one parameter point and a number of realisations; its
identity (:meth:`key`) is its kind and parameters, not its size, so two checks
asking for the same point share one ensemble (the larger size wins) and a
larger run extends a smaller cached one. Realisation i of a request is
computed by :meth:`compute` from the i-th child of the request's root
SeedSequence (:func:`validation.sweep.request_seed`), exactly as
``meanfield.sample`` (theory) and ``simulate.sample`` (networks) do with
that root seed. Every :meth:`compute` is a thin adapter: one call of the
public function that answers the question (``meanfield.solve``,
``simulate.run``, ...) with the item's seed, reshaped into a dict of arrays.

Kinds
-----
TheoryRequest       one sample of the causal forward sweep (THEORY.md section 4)
SimulationRequest   one finite-N network integrated with forward Euler (section 1)
EigenRequest        the outlier eigenvalues of one realised J (section 3)
LinearTheoryRequest zeta-series outliers of many N -> infinity networks (section 3), one item
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from meanfield.arguments import count
from meanfield.model import InitialState, Inputs, Network, TimeGrid
from meanfield.settings import SolverSettings


def _canonical(params: dict) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)


class Request:
    """Base of every request: identity from the kind and the parameters, the size ``n`` apart.

    A subclass is a frozen dataclass with a field ``n`` and the class
    attribute ``kind``, and implements ``params()`` (JSON-able parameters:
    the identity), ``cost()`` (seconds per item) and ``compute(seed)`` (one
    item, a dict of arrays).
    """

    kind = "abstract"

    def params(self) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def key(self) -> str:
        """Stable identity: kind and a digest of the parameters (not n)."""
        digest = hashlib.sha1(_canonical({"kind": self.kind, **self.params()}).encode()).hexdigest()
        return f"{self.kind}-{digest[:16]}"

    def with_n(self, n: int):
        return type(self)(**{**self.__dict__, "n": n})


@dataclass(frozen=True)
class TheoryRequest(Request):
    """n theory samples (``meanfield.solve``) at one parameter point.

    Without a sparse input the theory does not depend on N: ``network.N`` is
    then replaced by 1000 in the identity and the computation, so that all
    sizes share one theory ensemble. With a sparse input N enters through
    |S| = round(kappa sqrt N) and rho_S, and is kept.
    """

    network: Network
    inputs: Inputs
    grid: TimeGrid
    n: int
    initial: InitialState = field(default_factory=InitialState)
    settings: SolverSettings = field(default_factory=SolverSettings)
    kind = "theory"

    def __post_init__(self):
        count("TheoryRequest.n", self.n)
        if self.inputs.sparse is None and self.network.N != 1000:
            object.__setattr__(self, "network", self.network.replace(N=1000))
        self.inputs.check_against(self.network)
        self.settings.check_for(self.network.phi.name)

    def params(self) -> dict:
        return {"network": self.network.to_dict(), "inputs": self.inputs.to_dict(),
                "grid": self.grid.to_dict(), "initial": self.initial.to_dict(),
                "settings": self.settings.to_dict()}

    def cost(self) -> float:
        """Seconds per item, measured on the development machine (one core)."""
        return 1.8e-7 * self.grid.n_steps**2 + 0.002

    def compute(self, seed: np.random.SeedSequence) -> dict:
        """One theory sample; a solver error gives a *failed* item (NaN paths, ``failed = 1``, the message).

        Failed items are never cached (the sweep recomputes them, e.g. after a solver fix), are
        excluded from every comparison, and are counted in the report: dropping them silently
        would bias probabilities (THEORY.md section 4, numerical rules).
        """
        from meanfield import solve

        try:
            path = solve(self.network, self.inputs, self.grid, self.initial, seed=seed, settings=self.settings)
        except (ValueError, FloatingPointError) as exc:  # FloatingPointError: e.g. a negative Cholesky pivot
            nan = np.full(self.grid.record_steps.size, np.nan)
            return {"h": nan, "m": nan, "M": nan, "delta_tt": nan, "rank": np.int64(-1),
                    "failed": np.int8(1), "error": np.array(str(exc))}
        rec = path.recorded()
        return {"h": rec["h"], "m": rec["m"], "M": rec["M"], "delta_tt": rec["delta_tt"],
                "rank": np.int64(path.rank)}


@dataclass(frozen=True)
class SimulationRequest(Request):
    """n finite-N networks (``simulate``), realisation i from the i-th child seed."""

    network: Network
    inputs: Inputs
    grid: TimeGrid
    n: int
    initial: InitialState = field(default_factory=InitialState)
    dtype: str = "float64"
    kind = "simulation"

    def __post_init__(self):
        count("SimulationRequest.n", self.n)
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"SimulationRequest.dtype must be 'float32' or 'float64', got {self.dtype!r}")
        self.inputs.check_against(self.network)

    def params(self) -> dict:
        return {"network": self.network.to_dict(), "inputs": self.inputs.to_dict(),
                "grid": self.grid.to_dict(), "initial": self.initial.to_dict(), "dtype": self.dtype}

    def cost(self) -> float:
        per = 2.0e-10 if self.dtype == "float64" else 1.1e-10
        memory_bound = 0.75 if self.network.N <= 1000 else 1.8
        return per * memory_bound * self.network.N**2 * self.grid.n_steps + 0.005

    def compute(self, seed: np.random.SeedSequence) -> dict:
        """One network; a state that became NaN or infinite gives a *failed* item, as in TheoryRequest.

        ``simulate.run`` stops at the first non-finite step with
        ``simulate.NonFiniteStateError`` (a FloatingPointError); the item then
        holds NaN paths, ``failed = 1`` and the message, is never cached, is
        excluded from every comparison and is counted in the report.
        """
        import simulate

        try:
            res = simulate.run(self.network, self.inputs, self.grid, self.initial, seed=seed,
                               dtype=np.dtype(self.dtype))
        except FloatingPointError as exc:
            nan = np.full(self.grid.record_steps.size, np.nan)
            return {"h": nan, "m": nan, "M": nan, "delta_tt": nan, "failed": np.int8(1),
                    "error": np.array(str(exc))}
        return {"h": res.h, "m": res.m, "M": res.M, "delta_tt": res.delta_tt}


@dataclass(frozen=True)
class EigenRequest(Request):
    """Outlier eigenvalues and spectral abscissa of n realised coupling matrices J.

    Realisation i uses the same z as ``simulate.run`` with the i-th child seed.
    Each item holds ``outliers`` (``simulate.outlier_eigenvalues``, the eigenvalues
    with |lambda| > r_N = ``simulate.bulk_radius``) and ``max_re``. When r_N < 1,
    ``max_re`` is max(r_N, max Re of the outliers): the spectral abscissa where it
    exceeds r_N, and r_N (a bound on the bulk's abscissa) otherwise, so
    ``max_re > 1`` is exactly "some eigenvalue of J has Re lambda > 1" (every such
    eigenvalue has |lambda| > 1 > r_N, so it is an outlier) without the full
    spectrum; this is the convention of the theory side, max(g, Re lambda)
    (``meanfield.linear.outlier_distribution``). When r_N >= 1 the bulk itself
    may reach Re lambda > 1 and ``max_re`` is the abscissa of the whole spectrum
    (one dense eigenvalue problem).

    Paired with the theory (g < 1, J0 > 0): ``zeta`` holds the matrix's own
    zeta_1..zeta_6 (``simulate.zeta.realisation_zeta``), and ``paired_error``
    the largest distance from an outlier that the section 3 root finder
    predicts from this matrix's zeta_1..zeta_kmax (tail g^k_max = 1e-10) to
    the nearest actual outlier, over the predicted outliers beyond
    ``paired_radius`` (1.02 times the larger of r_N and the root finder's
    radius); ``paired_mismatch`` counts the outliers beyond 1.05 times that
    radius found on one side only.
    """

    network: Network
    n: int
    kind = "eigen"

    def __post_init__(self):
        count("EigenRequest.n", self.n)

    def params(self) -> dict:
        # "max_re" names the convention of the stored abscissa (docstring), so items cached under the
        # earlier whole-spectrum convention are not mixed with these
        return {"network": self.network.to_dict(), "max_re": "max(r_N, Re outliers) when r_N < 1",
                "paired": "zeta_1..6, section 3 outliers from the matrix's own zeta"}

    def cost(self) -> float:
        from simulate.spectrum import bulk_radius

        N = self.network.N
        if N >= 600 and bulk_radius(self.network) < 1.0:
            return 2.5e-9 * N**2.5 + 0.01  # about 7 sqrt(N) matrix-vector products (simulate.spectrum)
        return 5.5e-10 * N**3 + 0.01

    def compute(self, seed: np.random.SeedSequence) -> dict:
        from simulate import spectrum

        from simulate.realisation import realise

        real = realise(self.network, seed, np.float64)
        r = spectrum.bulk_radius(self.network)
        if r < 1.0:
            out = spectrum.outlier_eigenvalues(self.network, seed=seed, realisation=real)
            return {"outliers": out.astype(complex), "max_re": np.float64(max(r, out.real.max(initial=-np.inf))),
                    **self._paired(real, out, r)}
        # one eigenvalue problem gives both the outliers (as simulate.outlier_eigenvalues selects
        # them) and the abscissa over the whole spectrum; two calls would solve it twice
        lam = np.linalg.eigvals(real.coupling_matrix())     # the z drawn above, not a second draw
        out = lam[np.abs(lam) > r]
        out = out[np.argsort(-out.real, kind="stable")]
        return {"outliers": out.astype(complex), "max_re": np.float64(lam.real.max()), **self._paired(real, out, r)}

    def _paired(self, real, outliers: np.ndarray, r: float) -> dict:
        """The matrix's own zeta and the section 3 prediction of its outliers (class docstring)."""
        from meanfield.linear import outlier_eigenvalues, truncation_order
        from simulate.zeta import realisation_zeta

        g, J0 = self.network.g, self.network.J0
        if not (0.0 < g < 1.0 and J0 > 0.0):
            return {}
        k_max = max(6, truncation_order(g, 1e-10))
        zeta = realisation_zeta(real, k_max)
        w_max = 1e-6 ** (1.0 / k_max)            # the root finder's default radius (tail 1e-6 at its edge)
        radius = 1.02 * max(r, g / w_max)
        predicted = outlier_eigenvalues(zeta, g, J0)
        p_in = predicted[np.abs(predicted) > radius]
        error = max((float(np.min(np.abs(outliers - p))) if outliers.size else np.inf for p in p_in), default=0.0)
        far = 1.05 * radius
        mismatch = abs(int(np.sum(np.abs(predicted) > far)) - int(np.sum(np.abs(outliers) > far)))
        return {"zeta": zeta[:6], "paired_error": np.float64(error), "paired_count": np.int64(p_in.size),
                "paired_radius": np.float64(radius), "paired_mismatch": np.int64(mismatch)}


@dataclass(frozen=True)
class LinearTheoryRequest(Request):
    """The N -> infinity outliers of ``n`` zeta samples (``meanfield.linear.outlier_distribution``).

    One item holds the whole distribution (it is vectorised and fast);
    ``n`` is the number of zeta samples.
    """

    g: float
    J0: float
    n: int
    kind = "linear-theory"

    def __post_init__(self):
        count("LinearTheoryRequest.n", self.n)
        if not 0 < self.g < 1:
            raise ValueError(f"LinearTheoryRequest.g must lie in (0, 1) (section 3), got {self.g}")

    def params(self) -> dict:
        return {"g": float(self.g), "J0": float(self.J0), "n": int(self.n)}

    def items(self) -> int:
        return 1

    def cost(self) -> float:
        return 8.7e-3 * self.n

    def compute(self, seed: np.random.SeedSequence) -> dict:
        from meanfield.linear import outlier_distribution

        dist = outlier_distribution(self.g, self.J0, self.n, seed)
        return {"outliers": np.asarray(dist.outliers), "sample_index": np.asarray(dist.sample_index),
                "max_re": np.asarray(dist.max_re), "unstable": np.asarray(dist.unstable),
                "k_max": np.int64(dist.k_max)}


def n_items(request) -> int:
    """Number of stored items of a request (1 for a LinearTheoryRequest)."""
    return request.items() if hasattr(request, "items") else int(request.n)


def seconds(request) -> float:
    return n_items(request) * request.cost()


__all__ = ["Request", "TheoryRequest", "SimulationRequest", "EigenRequest", "LinearTheoryRequest", "n_items",
           "seconds"]
