"""Readout probabilities given the population path (THEORY.md section 6).

For a readout r(t) = (1/sqrt N) sum_i w_i phi(x_i(t)) with w independent of z,
let wbar = (1/N) sum w_i, q_vw = (1/N) sum v_i w_i, q_ww = (1/N) sum w_i^2.
Given the population path, (m, r) is jointly Gaussian (section 6), so

    r | path ~ GP( sqrt(N) wbar M + D^w + (q_vw / J0^2)(m - lambda0 M - D),
                   (q_ww - q_vw^2 / J0^2) Chat )                          (eq. 6.1)

Sparse input (section 4): the driven set S carries the deterministic part
D = rho_S^v (E phi(h + w_S + y) - M) of m; by the same argument r carries
D^w = rho_S^w (E phi(h + w_S + y) - M) with rho_S^w = (1/sqrt N) sum_{i in S} w_i.
THEORY.md section 6 omits D^w (it vanishes for S = {} and for w that averages
to zero on S); it is exact here and needed for w = s, where r = (m - lambda0 M)/J0
holds identically at every N.

Every readout probability is then an average over xi (theory samples) of an
analytic Gaussian probability: :func:`readout_law` for one path,
:func:`readout_ensemble` for P(r(T) > theta) and the density of r(T), and
:func:`discriminate` for two stimuli on the same network (two replicas with
the same xi, section 5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import special

from .arguments import ensemble_arguments, instance, model_arguments, number, shown
from .model import InitialState, Inputs, Network, TimeGrid
from .gaussian.adaptive import engine_for
from .population import PopulationPath
from .replicas import ReplicaPaths, solve_replicas
from .results import LabelledResult, Provenance
from .runner import map_seeds
from .settings import SolverSettings
from .stats import Estimate, Proportion, event_proportion, mean_interval


# --------------------------------------------------------------------------- readout weights
@dataclass(frozen=True)
class ReadoutWeights:
    """The statistics of a readout vector w that enter eq. 6.1 (THEORY.md section 6).

    Parameters
    ----------
    offset : float
        sqrt(N) wbar = (1/sqrt N) sum_i w_i, the weight of M(t) in r(t).
    q_vw : float
        (1/N) sum_i v_i w_i.
    q_ww : float
        (1/N) sum_i w_i^2 (> 0).
    rho_S : float
        (1/sqrt N) sum_{i in S} w_i for the driven set S of a sparse input
        (0 without sparse input).

    Use :meth:`from_vector` for a concrete w and :meth:`ei` for w = s.
    """

    offset: float
    q_vw: float
    q_ww: float
    rho_S: float = 0.0

    def __post_init__(self):
        for name in ("offset", "q_vw", "q_ww", "rho_S"):
            value = getattr(self, name)
            if isinstance(value, bool) or not np.isfinite(value):
                raise ValueError(f"ReadoutWeights.{name} must be a finite number, got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.q_ww <= 0:
            raise ValueError(f"ReadoutWeights.q_ww = {self.q_ww} must be > 0 (it is (1/N) sum w_i^2)")

    @classmethod
    def from_vector(cls, network: Network, w, inputs: Inputs = Inputs()) -> "ReadoutWeights":
        """Statistics of the readout vector ``w`` (length N) on ``network`` (section 6)."""
        instance("network", network, Network)
        instance("inputs", inputs, Inputs)
        try:
            w = np.asarray(w, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"the readout vector w (weights) must be a finite array of shape (N,) = "
                             f"({network.N},), got {shown(w)}") from None
        if w.shape != (network.N,) or not np.all(np.isfinite(w)):
            raise ValueError(
                f"the readout vector w (weights) must be a finite array of shape (N,) = ({network.N},), "
                f"got shape {w.shape}"
            )
        if not np.any(w):
            raise ValueError("the readout vector w is zero; give a nonzero readout")
        N = network.N
        v = network.mean_weights()
        rho = 0.0
        if inputs.sparse is not None:
            rho = float(w[inputs.sparse.indices(network)].sum() / math.sqrt(N))
        return cls(offset=float(w.sum() / math.sqrt(N)), q_vw=float(v @ w / N),
                   q_ww=float(w @ w / N), rho_S=rho)

    @classmethod
    def ei(cls, network: Network, inputs: Inputs = Inputs()) -> "ReadoutWeights":
        """w = s, the E/I vector of section 1: r = (m - lambda0 M) / J0 exactly."""
        return cls.from_vector(network, network.ei_signs(), inputs)

    def conditional_variance_factor(self, J0: float) -> float:
        """q_ww - q_vw^2 / J0^2 (the factor of Chat in eq. 6.1; q_ww when J0 = 0), clipped at 0."""
        if J0 == 0.0:
            return self.q_ww
        return max(self.q_ww - self.q_vw**2 / J0**2, 0.0)


# --------------------------------------------------------------------------- one path
@dataclass(frozen=True)
class ReadoutLaw(LabelledResult):
    """The Gaussian law of r(t_0..t_K) given one population path (eq. 6.1).

    Attributes
    ----------
    times : (K+1,)
    mean : (K+1,)
        Conditional mean of r(t_k).
    cov : (K+1, K+1)
        Conditional covariance (q_ww - q_vw^2/J0^2) Chat_kl.
    """

    times: np.ndarray
    mean: np.ndarray
    cov: np.ndarray

    dims = {"mean": ("time",), "cov": ("time", "time2")}
    coords = {"time": "times", "time2": "times"}

    @property
    def sd(self) -> np.ndarray:
        """Conditional standard deviation of r(t_k)."""
        return np.sqrt(np.clip(np.diagonal(self.cov), 0.0, None))

    def exceedance(self, theta, step: int = -1) -> np.ndarray:
        """P(r(t_step) > theta | path) for each theta (a step function when the variance is 0)."""
        return _gauss_exceed(self.mean[step], self.sd[step], np.asarray(theta, dtype=float))

    def density(self, r, step: int = -1) -> np.ndarray:
        """Conditional density of r(t_step) at the values ``r`` (needs a positive variance)."""
        sd = self.sd[step]
        if sd <= 0:
            raise ValueError("the conditional variance of r is 0 on this path (e.g. w = s): it has no density; "
                             "use the conditional mean")
        return _gauss_pdf(np.asarray(r, dtype=float), self.mean[step], sd)


def _gauss_exceed(mean, sd, theta):
    mean, sd = np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = special.ndtr((mean - theta) / sd)
    return np.where(sd > 0, p, (mean > theta).astype(float))


def _gauss_pdf(r, mean, sd):
    return np.exp(-0.5 * ((r - mean) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))


def _path_arrays(path, replica: int):
    """(h, m, M, w, Delta_kk, Chat) of a PopulationPath or of one replica of a ReplicaPaths."""
    if isinstance(path, PopulationPath):
        return path.h, path.m, path.M, path.w, path.delta_diag, path.chat
    if isinstance(path, ReplicaPaths):
        if not 0 <= replica < path.replicas:
            raise ValueError(f"replica = {replica} must lie in [0, {path.replicas})")
        a = replica
        k = np.arange(path.h.shape[1])
        chat = path.C[:, a, :, a] - np.outer(path.M[a], path.M[a])
        return path.h[a], path.m[a], path.M[a], path.w[a], path.delta[k, a, k, a], chat
    raise ValueError(f"path must be a PopulationPath or ReplicaPaths, got {type(path).__name__}")


def readout_law(
    network: Network,
    path,
    weights: ReadoutWeights,
    inputs: Inputs = Inputs(),
    *,
    replica: int = 0,
    settings: SolverSettings = SolverSettings(),
) -> ReadoutLaw:
    """Conditional Gaussian law of the readout given a population path (THEORY.md eq. 6.1).

    Parameters
    ----------
    network : Network
    path : PopulationPath or ReplicaPaths
        A theory sample (:func:`meanfield.solve` or :func:`meanfield.solve_replicas`).
    weights : ReadoutWeights
        Statistics of w (:meth:`ReadoutWeights.from_vector`, :meth:`ReadoutWeights.ei`).
    inputs : Inputs
        The inputs the path was solved with (only a sparse input matters: it
        sets D and D^w).
    replica : int
        Which replica of a ReplicaPaths.
    settings : SolverSettings
        Quadrature for E phi(h + w_S + y) of the sparse input.

    Returns
    -------
    ReadoutLaw
    """
    model_arguments(network, inputs, settings=settings)
    instance("weights", weights, ReadoutWeights, "meanfield.readout.ReadoutWeights")
    h, m, M, w_s, d_kk, chat = _path_arrays(path, replica)
    inputs.check_against(network)
    bracket = np.zeros_like(h)
    rho_v = 0.0
    if inputs.sparse is not None:
        rho_v = inputs.sparse.rho(network)
        d_kk = np.clip(d_kk, 0.0, None)
        engine = engine_for(network.phi, settings, float(d_kk.max(initial=0.0)))
        bracket = engine.mean(h + w_s, d_kk) - M
    J0 = network.J0
    slope = 0.0 if J0 == 0.0 else weights.q_vw / J0**2
    gaussian_m = m - network.lambda0 * M - rho_v * bracket
    mean = weights.offset * M + weights.rho_S * bracket + slope * gaussian_m
    cov = weights.conditional_variance_factor(J0) * chat
    times = path.times
    return ReadoutLaw(times=np.asarray(times), mean=mean, cov=cov)


# --------------------------------------------------------------------------- ensembles over xi
def _law_at_T(network, path, weights, inputs, replica, settings):
    law = readout_law(network, path, weights, inputs, replica=replica, settings=settings)
    return float(law.mean[-1]), float(law.sd[-1])


def _readout_sample(i, ss, *, network, inputs, grid, initial, weights, settings):
    paths = solve_replicas(network, inputs, grid, initial, replicas=1, seed=ss, settings=settings)
    mean, sd = _law_at_T(network, paths, weights, inputs, 0, settings)
    return {"mean": np.float64(mean), "sd": np.float64(sd), "h_T": np.float64(paths.h[0, -1])}


@dataclass(frozen=True)
class ReadoutEnsemble(LabelledResult):
    """Laws of the readout r(T) over theory samples or networks (THEORY.md section 6).

    For a theory sample the law of r(T) given its innovations xi is Gaussian
    (eq. 6.1); for a realised network r(T) is a number (``sd`` = 0), so the
    same averages give the empirical probabilities. The theory's
    :func:`readout_ensemble` and :func:`simulate.readout.readout_ensemble`
    both return it.

    Attributes
    ----------
    mean, sd : (n_samples,)
        Conditional mean and standard deviation of r(T) for each sample
        (networks: the realised r(T) and 0).
    h_T : (n_samples,)
        Population state h(T) of each sample.
    provenance : Provenance or None
    """

    mean: np.ndarray
    sd: np.ndarray
    h_T: np.ndarray
    provenance: Provenance | None = None

    dims = {"mean": ("sample",), "sd": ("sample",), "h_T": ("sample",)}

    @property
    def n_samples(self) -> int:
        return self.mean.size

    def conditional_exceedance(self, theta: float) -> np.ndarray:
        """P(r(T) > theta | xi) for every sample (networks: the indicator r(T) > theta)."""
        return _gauss_exceed(self.mean, self.sd, float(theta))

    def exceedance(self, theta: float, confidence: float = 0.95) -> Estimate:
        """P(r(T) > theta) = E_xi P(r(T) > theta | xi), with a t interval over samples."""
        return mean_interval(self.conditional_exceedance(theta), confidence, lo=0.0, hi=1.0)

    def density(self, r) -> np.ndarray:
        """Density of r(T): the average over xi of the conditional Gaussian densities.

        Samples with zero conditional variance (e.g. w = s, or networks) have
        no density; use :meth:`histogram` for them.
        """
        if np.any(self.sd <= 0):
            raise ValueError("some samples have zero conditional variance (w = s, or realised networks): "
                             "r(T) is a number there; use histogram(edges) instead")
        r = np.asarray(r, dtype=float)
        return _gauss_pdf(r[..., None], self.mean, self.sd).mean(axis=-1)

    def histogram(self, edges) -> np.ndarray:
        """Probability of each bin [edges_j, edges_{j+1}) of r(T), averaged over samples (analytic per sample)."""
        edges = np.asarray(edges, dtype=float)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("edges must be an increasing 1-D array of at least 2 bin edges")
        cdf = 1.0 - _gauss_exceed(self.mean[:, None], self.sd[:, None], edges[None, :])
        return np.diff(cdf, axis=1).mean(axis=0)


def _as_weights(network: Network, weights, inputs: Inputs) -> "ReadoutWeights":
    """ReadoutWeights as given, or the statistics of a readout vector w (section 6)."""
    if isinstance(weights, ReadoutWeights):
        return weights
    if weights is None or isinstance(weights, (str, bytes)):
        raise ValueError(f"weights must be a readout vector w (an array of shape (N,) = ({network.N},)) or "
                         f"a meanfield.readout.ReadoutWeights, got {shown(weights)}")
    return ReadoutWeights.from_vector(network, weights, inputs)


def readout_ensemble(
    network: Network,
    inputs: Inputs = Inputs(),
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    weights,
    n_samples: int,
    seed,
    workers: int = 1,
    settings: SolverSettings = SolverSettings(),
    store_dir=None,
    progress: bool = True,
) -> ReadoutEnsemble:
    """Conditional laws of r(T) for ``n_samples`` theory samples (THEORY.md sections 4 and 6).

    Sample i uses the i-th child of ``SeedSequence(seed)``; results do not
    depend on ``workers``. P(r(T) > theta) and the density of r(T) follow as
    averages over samples (:class:`ReadoutEnsemble`).

    Parameters
    ----------
    weights : ReadoutWeights or array (N,)
        The readout vector w, or its statistics (:class:`ReadoutWeights`).
    """
    model_arguments(network, inputs, grid, initial, settings=settings)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    settings.check_for(network.phi.name)
    inputs.check_against(network)
    run = map_seeds(
        _readout_sample, n_samples, seed, function="meanfield.readout.readout_ensemble",
        context=dict(network=network, inputs=inputs, grid=grid, initial=initial,
                     weights=_as_weights(network, weights, inputs), settings=settings),
        workers=workers, progress=progress, store_dir=store_dir, desc="readout",
    )
    return ReadoutEnsemble(mean=run.stack("mean", float), sd=run.stack("sd", float),
                           h_T=run.stack("h_T", float), provenance=run.provenance)


# --------------------------------------------------------------------------- two stimuli
def _discrimination_sample(i, ss, *, network, stimuli, grid, initial, weights, theta, settings):
    paths = solve_replicas(network, list(stimuli), grid, initial, replicas=2, c0=1.0, seed=ss,
                           settings=settings)
    out = {"h_T": paths.h[:, -1].copy()}
    if weights is not None:
        p = [float(readout_law(network, paths, w_a, stimuli[a], replica=a, settings=settings)
                   .exceedance(theta)) for a, w_a in enumerate(weights)]
        out["p_exceed"] = np.array(p)
    return out


@dataclass(frozen=True)
class Discrimination(LabelledResult):
    """Which of two stimuli was given, read from one network (THEORY.md sections 5 and 6).

    Stimulus 0 is reported by h(T) > 0 (or r(T) > theta), stimulus 1 by
    h(T) < 0 (or r(T) <= theta); each stimulus is given with probability 1/2.

    Attributes
    ----------
    h_T : (n, 2)
        h(T) under stimulus 0 and 1 for each network (sample or realisation).
    p_exceed : (n, 2) or None
        P(r(T) > theta | path) under each stimulus (theory) or the indicator
        r(T) > theta (simulation).
    r_T : (n, 2) or None
        Networks only: the realised readout r(T) under each stimulus.
    provenance : Provenance or None
    """

    h_T: np.ndarray
    p_exceed: np.ndarray | None = None
    r_T: np.ndarray | None = None
    provenance: Provenance | None = None

    dims = {"h_T": ("sample", "stimulus"), "p_exceed": ("sample", "stimulus"), "r_T": ("sample", "stimulus")}

    @property
    def n(self) -> int:
        return self.h_T.shape[0]

    def sign_scores(self) -> np.ndarray:
        """Per network: fraction of the two stimuli that sign h(T) reports correctly (0, 1/2 or 1)."""
        return 0.5 * ((self.h_T[:, 0] > 0).astype(float) + (self.h_T[:, 1] < 0).astype(float))

    def p_sign_correct(self, confidence: float = 0.95) -> Estimate:
        """P(sign h(T) reports the stimulus), averaged over networks, with a t interval."""
        return mean_interval(self.sign_scores(), confidence, lo=0.0, hi=1.0)

    def p_sign_correct_per_stimulus(self, confidence: float = 0.95) -> tuple[Proportion, Proportion]:
        """Wilson intervals of P(h(T) > 0 | stimulus 0) and P(h(T) < 0 | stimulus 1)."""
        return (event_proportion(self.h_T[:, 0] > 0, confidence),
                event_proportion(self.h_T[:, 1] < 0, confidence))

    def readout_scores(self) -> np.ndarray:
        """Per network: probability that the thresholded readout reports the stimulus."""
        if self.p_exceed is None:
            raise ValueError("no readout was given (weights=None): only sign(h(T)) was scored")
        return 0.5 * (self.p_exceed[:, 0] + 1.0 - self.p_exceed[:, 1])

    def p_readout_correct(self, confidence: float = 0.95) -> Estimate:
        """P(thresholded readout reports the stimulus), with a t interval over networks."""
        return mean_interval(self.readout_scores(), confidence, lo=0.0, hi=1.0)


def sign_stimuli(sparse) -> tuple[Inputs, Inputs]:
    """The stimulus pair (+A, -A) on the same sparse set S (THEORY.md section 1 (c), section 6).

    Other pairs (e.g. two disjoint sets: ``SparseInput(offset=0)`` and
    ``SparseInput(offset=|S|)``) are built directly as two Inputs.
    """
    from dataclasses import replace

    from .model import SparseInput

    if not isinstance(sparse, SparseInput):
        raise ValueError(f"sign_stimuli needs a SparseInput, got {sparse!r}")
    return Inputs(sparse=sparse), Inputs(sparse=replace(sparse, A=-sparse.A))


def discriminate(
    network: Network,
    stimuli: Sequence[Inputs],
    grid: TimeGrid = TimeGrid(),
    initial: InitialState = InitialState(),
    *,
    n_samples: int,
    seed,
    weights=None,
    theta: float = 0.0,
    workers: int = 1,
    settings: SolverSettings = SolverSettings(),
    store_dir=None,
    progress: bool = True,
) -> Discrimination:
    """Theory: two stimuli on the same network, two replicas with the same xi (THEORY.md sections 5, 6).

    For each theory sample the replicas share the innovations and the initial
    microscopic state (c0 = 1) and differ only by their inputs; sign h(T) and,
    if ``weights`` is given, the thresholded readout r(T) > theta (eq. 6.1)
    are scored.

    Parameters
    ----------
    stimuli : pair of Inputs
        Stimulus 0 and stimulus 1 (e.g. :func:`sign_stimuli`).
    weights : array (N,), ReadoutWeights or a pair of them, optional
        The readout vector w, or its statistics: one per stimulus when their
        driven sets differ (rho_S^w depends on S; a vector gives each its own).
    theta : float
        Readout threshold.
    """
    model_arguments(network, grid=grid, initial=initial, settings=settings, per_replica=True)
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    stimuli = check_stimuli(network, stimuli)
    theta = number("theta", theta)
    if weights is not None and not isinstance(weights, (ReadoutWeights, tuple, list)):
        weights = tuple(_as_weights(network, weights, s) for s in stimuli)  # a readout vector w
    if isinstance(weights, ReadoutWeights):
        weights = (weights, weights)
    if weights is not None and (len(weights) != 2 or not all(isinstance(w, ReadoutWeights) for w in weights)):
        raise ValueError("weights must be a readout vector w, one ReadoutWeights or a pair of them "
                         "(one per stimulus)")
    settings.check_for(network.phi.name)
    run = map_seeds(
        _discrimination_sample, n_samples, seed, function="meanfield.readout.discriminate",
        context=dict(network=network, stimuli=stimuli, grid=grid, initial=initial,
                     weights=None if weights is None else tuple(weights), theta=theta, settings=settings),
        workers=workers, progress=progress, store_dir=store_dir, desc="discrimination",
    )
    return Discrimination(h_T=run.stack("h_T"), p_exceed=run.stack("p_exceed") if weights is not None else None,
                          provenance=run.provenance)


def check_stimuli(network: Network, stimuli) -> tuple[Inputs, Inputs]:
    """The pair (stimulus 0, stimulus 1) as a tuple of Inputs that fit ``network``; ValueError otherwise."""
    instance("network", network, Network)
    if not (isinstance(stimuli, (list, tuple)) and len(stimuli) == 2
            and all(isinstance(s, Inputs) for s in stimuli)):
        raise ValueError(f"stimuli must be a pair of meanfield.Inputs (stimulus 0, stimulus 1), got {shown(stimuli)}")
    stimuli = tuple(stimuli)
    for s in stimuli:
        s.check_against(network)
    return stimuli
