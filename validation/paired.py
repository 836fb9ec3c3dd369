"""Paired checks: the theory tested on each network, given that network's own population path.

Ensemble checks compare two random laws (theory samples against networks),
and the sampling noise of the population path swamps finite-N effects of a
few percent. Given one network's own path h, THEORY.md section 4 makes
predictions with no randomness left, and this module compares them:

* **conditional moments** (eqs. 4.1, 4.5): the network's empirical Delta(t, s)
  and Chat(t, s) against :func:`meanfield.conditional.conditional_moments`
  of its h (:func:`relative_error`);
* **causal innovation whitening** (sections 2 and 4): conditionally on its
  past, the population feedback m_k - lambda0 M_k - D_k of the network is
  Gaussian with the causal factor of J0^2 Chat, so whitening it with that
  factor (pivot rule of section 4) must give iid N(0, 1) innovations
  (:func:`whiten`, :func:`innovation_statistics`).

Empirical estimators (THEORY.md section 1, "Observables"), with
a_j(t) = phi(x_j(t)):

    h(t) = (1/N) sum_i x_i(t),   M(t) = (1/N) sum_j a_j(t)
    Delta(t, s) = (1/N) sum_i (x_i(t) - h(t)) (x_i(s) - h(s))
    C(t, s) = (1/N) sum_j a_j(t) a_j(s),   Chat(t, s) = C(t, s) - M(t) M(s)

Chat with the 1/N normalisation is the estimator that eq. 4.3 refers to:
since sum_j s_j = 0 and (1/N) sum_j s_j^2 = 1 (section 2),

    m(t) - lambda0 M(t) = (J0 / sqrt N) sum_j s_j (a_j(t) - M(t)),

and for a weight vector s' drawn uniformly from the permutations of s the
covariance of this sum over s' is exactly J0^2 N / (N - 1) Chat(t, s): the
Gaussian picture of section 2 is that the network's own s behaves, given the
past, like such a vector. Whitening with the empirical Chat is then
Gram-Schmidt in neuron space: the innovation at pivot time k is xi_k = s . e_k,
with e_k the unit vector along the part of a(t_k) - M(t_k) orthogonal to the
rate vectors of the earlier pivot times (||s||^2 = N).

Every function here is pure (arrays in, arrays out); the measurement
programs are in ``scripts/paired_conditional.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from meanfield.cholesky import CausalCholesky
from meanfield.model import Network

#: Lags of the innovation autocorrelation test.
LAGS = (1, 2, 3, 4, 5)


# ---------------------------------------------------------------- empirical moments
@dataclass(frozen=True)
class NetworkMoments:
    """Empirical population and microscopic moments of one simulated network (THEORY.md section 1).

    Attributes
    ----------
    h, m, M : (K+1,) population state, population feedback, mean rate
    delta : (K+1, K+1) Delta(t, s) = (1/N) sum_i (x_i(t) - h(t)) (x_i(s) - h(s))
    C : (K+1, K+1) C(t, s) = (1/N) sum_j phi(x_j(t)) phi(x_j(s))
    """

    h: np.ndarray
    m: np.ndarray
    M: np.ndarray
    delta: np.ndarray
    C: np.ndarray

    @property
    def chat(self) -> np.ndarray:
        """Connected rate covariance Chat(t, s) = C(t, s) - M(t) M(s) (1/N normalisation)."""
        return self.C - np.outer(self.M, self.M)


def network_moments(x: np.ndarray, network: Network) -> NetworkMoments:
    """Empirical moments of one network from its states x_i(t_k) (THEORY.md section 1, "Observables").

    Parameters
    ----------
    x : array (K+1, N)
        The state of every neuron at every recorded step (for example
        ``simulate.run(..., trace_neurons=range(N)).traces``).
    network : Network

    Returns
    -------
    NetworkMoments
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != network.N:
        raise ValueError(f"x must have shape (n_times, N = {network.N}), got {x.shape}")
    N = network.N
    a = network.phi(x)
    h = x.mean(axis=1)
    M = a.mean(axis=1)
    y = x - h[:, None]
    m = a @ network.mean_weights() / math.sqrt(N)
    return NetworkMoments(h=h, m=m, M=M, delta=y @ y.T / N, C=a @ a.T / N)


def feedback_residual(m, M, D, network: Network) -> np.ndarray:
    """r_k = m_k - lambda0 M_k - D_k: the part of the feedback that eq. 4.3 writes as J0 (Lc xi)_k."""
    return np.asarray(m, float) - network.lambda0 * np.asarray(M, float) - np.asarray(D, float)


def permuted_feedback(x_or_rates: np.ndarray, network: Network, rng: np.random.Generator,
                      *, rates: bool = False) -> np.ndarray:
    """The control feedback (J0 / sqrt N) sum_j s'_j (a_j - M) for a random permutation s' of s.

    s' is independent of the dynamics, so whitened with the same network's
    empirical Chat it must give innovations of variance N / (N - 1) (the
    factor of the permutation law, see the module docstring).
    """
    a = np.asarray(x_or_rates, float) if rates else network.phi(np.asarray(x_or_rates, float))
    s = rng.permutation(network.ei_signs())
    return network.J0 * (a - a.mean(axis=1, keepdims=True)) @ s / math.sqrt(network.N)


# ---------------------------------------------------------------- conditional comparison
@dataclass(frozen=True)
class PairedError:
    """Sup relative error of a two-time function and its time profile.

    Attributes
    ----------
    sup : float
        max_{k,l} |F_emp - F_th|_kl / sqrt(F_th_kk F_th_ll).
    profile : (K+1,) array
        e_k = max_{l <= k} of the same ratio: the largest error of row k against
        the earlier times (not cumulative, so it may decrease).
    diagonal : (K+1,) array
        |F_emp - F_th|_kk / F_th_kk.
    """

    sup: float
    profile: np.ndarray
    diagonal: np.ndarray


def relative_error(empirical: np.ndarray, theory: np.ndarray, steps=None) -> PairedError:
    """Relative error of an empirical two-time function against the theory (paired check of eq. 4.5).

    The difference is scaled by sqrt(F_kk F_ll) of the theory, i.e. it is the
    error of the correlation coefficient at (t_k, t_l) plus that of the
    variances; this keeps the measure O(1/sqrt N) across the grid.

    Parameters
    ----------
    empirical, theory : (n, n) arrays
        F on the same times.
    steps : array of int, optional
        Restrict both to these time indices (a coarse two-time grid).
    """
    e = np.asarray(empirical, float)
    t = np.asarray(theory, float)
    if steps is not None:
        ix = np.ix_(steps, steps)
        e, t = e[ix], t[ix]
    if e.shape != t.shape or e.ndim != 2 or e.shape[0] != e.shape[1]:
        raise ValueError(f"empirical and theory must be square arrays of one shape, got {e.shape}, {t.shape}")
    d = np.diag(t)
    if np.any(d <= 0):
        raise ValueError("the theory's diagonal must be positive to scale the error; drop the times where it "
                         "vanishes with `steps`")
    ratio = np.abs(e - t) / np.sqrt(np.outer(d, d))
    profile = np.array([ratio[k, : k + 1].max() for k in range(ratio.shape[0])])
    return PairedError(sup=float(ratio.max()), profile=profile, diagonal=np.diag(ratio).copy())


# ---------------------------------------------------------------- whitening
@dataclass(frozen=True)
class Whitening:
    """Innovations of one feedback path under a causal covariance (THEORY.md section 4, steps 2-3).

    Attributes
    ----------
    xi : (rank,) innovations at the pivot times, in time order
    pivot_steps : (rank,) time index of each pivot
    residual : (n,) r_k - J0 (Lc xi)_k, scaled by sqrt(J0^2 Chat_kk): zero at the pivots, the
        part of r the dropped pivots would have carried elsewhere (small when the law is right)
    """

    xi: np.ndarray
    pivot_steps: np.ndarray
    residual: np.ndarray

    @property
    def rank(self) -> int:
        return int(self.pivot_steps.size)


def whiten(r, chat, J0: float, tol: float = 1e-3, scale=None) -> Whitening:
    """Invert eq. 4.3 with the causal Cholesky factor of J0^2 Chat and the pivot rule of section 4.

    The rows of J0^2 Chat are added one time step at a time to
    :class:`meanfield.cholesky.CausalCholesky`; a row whose Schur complement
    exceeds ``tol`` times its diagonal opens a column (a pivot), and there

        xi_k = (r_k - sum_c Lc_kc xi_c) / Lc_kk,

    the sum running over the earlier pivots. The kept columns are exactly the
    Cholesky factor of the covariance restricted to the pivot times, so under
    the Gaussian law the xi are iid N(0, 1) whatever the dropped rows hold.

    Parameters
    ----------
    r : (n,) array
        m_k - lambda0 M_k - D_k (:func:`feedback_residual`).
    chat : (n, n) array
        Connected covariance Chat (symmetric PSD; only the lower triangle is read).
    J0 : float
        Coupling of eq. 4.3 (> 0).
    tol : float
        Row-relative pivot tolerance (THEORY.md section 4: 1e-3 with the default quadrature).
    scale : (n,) array, optional
        Raw second moments J0^2 C_kk setting the rounding band of each pivot
        (default: the diagonal of J0^2 Chat).

    Returns
    -------
    Whitening

    Raises
    ------
    meanfield.cholesky.NegativePivotError
        If Chat is not PSD to the tolerance.
    """
    r = np.asarray(r, float)
    chat = np.asarray(chat, float)
    n = r.size
    if chat.shape != (n, n):
        raise ValueError(f"chat must have shape ({n}, {n}) to match r, got {chat.shape}")
    if not (J0 > 0 and math.isfinite(J0)):
        raise ValueError(f"J0 must be positive and finite to whiten (J0 = 0 has no feedback), got {J0!r}")
    A = J0**2 * chat
    scale = np.diag(A) if scale is None else np.asarray(scale, float)
    chol = CausalCholesky(n, tol)
    xi = np.zeros(n)
    residual = np.zeros(n)
    for k in range(n):
        before = chol.rank
        row = chol.add_row(np.ascontiguousarray(A[k, : k + 1]), scale=float(scale[k]))
        past = float(row[:before] @ xi[:before])
        if chol.rank > before:
            xi[before] = (r[k] - past) / row[before]
        else:
            residual[k] = (r[k] - past) / math.sqrt(max(A[k, k], np.finfo(float).tiny))
    return Whitening(xi=xi[: chol.rank].copy(), pivot_steps=chol.pivot_times, residual=residual)


# ---------------------------------------------------------------- innovation statistics
@dataclass(frozen=True)
class Statistic:
    """One test statistic of the innovations: an estimate, its 95 % interval and a z-score under H0.

    ``z`` is asymptotically N(0, 1) when the innovations are iid N(0, 1)
    (for KS: the normal quantile of its p-value, signed positive).
    """

    name: str
    estimate: float
    low: float
    high: float
    z: float
    n: int


@dataclass(frozen=True)
class InnovationReport:
    """Tests of iid N(0, 1) innovations pooled over networks (:func:`innovation_statistics`).

    Attributes
    ----------
    statistics : tuple of Statistic
        variance, mean, lag-j autocorrelations (j in :data:`LAGS`), correlation with h at the
        pivot time and of xi^2 with h^2 there, KS distance to N(0, 1).
    alpha : float
        Family-wise false-failure rate of :attr:`passed` (Bonferroni over the statistics).
    """

    statistics: tuple
    alpha: float

    @property
    def z_critical(self) -> float:
        return float(stats.norm.isf(self.alpha / (2 * len(self.statistics))))

    @property
    def failed(self) -> tuple:
        """Names of the statistics with |z| above the Bonferroni critical value."""
        zc = self.z_critical
        return tuple(s.name for s in self.statistics if abs(s.z) > zc)

    @property
    def passed(self) -> bool:
        return not self.failed

    def get(self, name: str) -> Statistic:
        for s in self.statistics:
            if s.name == name:
                return s
        raise KeyError(name)

    def describe(self) -> str:
        lines = [f"{s.name:>10s} {s.estimate:+.4f} [{s.low:+.4f}, {s.high:+.4f}] z = {s.z:+.2f} (n = {s.n})"
                 for s in self.statistics]
        verdict = "PASS" if self.passed else f"FAIL ({', '.join(self.failed)})"
        lines.append(f"{verdict} at family-wise alpha = {self.alpha:g} (|z| < {self.z_critical:.2f})")
        return "\n".join(lines)


def _cluster_interval(per_net_sums, per_net_counts, estimate):
    """95 % interval of a ratio-of-sums estimate with networks as independent clusters."""
    s = np.asarray(per_net_sums, float)
    c = np.asarray(per_net_counts, float)
    n = c.sum()
    if len(s) < 2:
        return -math.inf, math.inf
    resid = s - estimate * c
    se = math.sqrt(np.sum(resid**2) * len(s) / (len(s) - 1)) / n
    return estimate - 1.96 * se, estimate + 1.96 * se


def innovation_statistics(xis, h_at_pivots=None, alpha: float = 0.01) -> InnovationReport:
    """Tests that innovations are iid N(0, 1), pooled over networks.

    Each statistic is a martingale sum: under H0 the innovation xi_k is
    N(0, 1) and independent of everything at earlier pivots and of h at its
    own pivot time (h_k depends on m_0..m_{k-1} only, eq. 4.4), so

    * variance: mean xi^2, z = (mean xi^2 - 1) / sqrt(2 / n);
    * mean: z = sum xi / sqrt(n);
    * lag j: z = sum_k xi_k xi_{k-j} / sqrt(sum xi_{k-j}^2) within each network;
      the estimate is sum xi_k xi_{k-j} / n_pairs;
    * corr_h: z = sum xi_k h_k / sqrt(sum h_k^2);
    * var_h2: z = sum (xi_k^2 - 1)(h_k^2 - mean h^2) / sqrt(2 sum (h_k^2 - mean h^2)^2), which
      does not see an overall variance error (the variance test does);
    * KS: Kolmogorov-Smirnov distance of the pooled xi to N(0, 1), z the normal quantile of
      its p-value.

    The intervals treat networks as independent clusters (robust to a
    dependence within a network); z uses the null variance.

    Parameters
    ----------
    xis : list of arrays
        Innovations of each network in time order (:attr:`Whitening.xi`).
    h_at_pivots : list of arrays, optional
        h at the pivot times of each network (omit to skip the h tests).
    alpha : float
        Family-wise false-failure rate of the verdict.
    """
    xis = [np.asarray(x, float) for x in xis]
    pooled = np.concatenate(xis)
    n = pooled.size
    if n < 10:
        raise ValueError(f"need at least 10 innovations to test them, got {n}")
    out = []
    counts = [x.size for x in xis]
    v = float(np.mean(pooled**2))
    lo, hi = _cluster_interval([np.sum(x**2) for x in xis], counts, v)
    out.append(Statistic("variance", v, lo, hi, (v - 1.0) / math.sqrt(2.0 / n), n))
    mu = float(pooled.mean())
    lo, hi = _cluster_interval([np.sum(x) for x in xis], counts, mu)
    out.append(Statistic("mean", mu, lo, hi, mu * math.sqrt(n), n))
    for j in LAGS:
        num = [float(np.sum(x[j:] * x[:-j])) if x.size > j else 0.0 for x in xis]
        den = sum(float(np.sum(x[:-j] ** 2)) for x in xis if x.size > j)
        pairs = [max(x.size - j, 0) for x in xis]
        npairs = sum(pairs)
        if npairs < 2:
            continue
        est = sum(num) / npairs
        lo, hi = _cluster_interval(num, pairs, est)
        out.append(Statistic(f"lag{j}", est, lo, hi, sum(num) / math.sqrt(max(den, 1e-300)), npairs))
    if h_at_pivots is not None:
        hs = [np.asarray(h, float) for h in h_at_pivots]
        if [h.size for h in hs] != counts:
            raise ValueError("h_at_pivots must give one h per innovation of each network")
        hp = np.concatenate(hs)
        sh = float(np.sqrt(np.sum(hp**2)))
        c = float(np.sum(pooled * hp)) / max(sh, 1e-300)
        est = float(np.sum(pooled * hp) / max(sh * math.sqrt(n), 1e-300))  # ~ corr(xi, h) under unit variance
        half = 1.96 / math.sqrt(n)
        out.append(Statistic("corr_h", est, est - half, est + half, c, n))
        f = hp**2 - np.mean(hp**2)
        sf = float(np.sqrt(np.sum(f**2)))
        z2 = float(np.sum((pooled**2 - 1.0) * f)) / max(math.sqrt(2.0) * sf, 1e-300)
        est2 = float(np.sum((pooled**2 - 1.0) * f)) / max(sf * math.sqrt(2.0 * n), 1e-300)
        out.append(Statistic("var_h2", est2, est2 - half, est2 + half, z2, n))
    ks = stats.kstest(pooled, "norm")
    zks = float(stats.norm.isf(max(ks.pvalue, 1e-300) / 2))
    d_crit = 1.358 / math.sqrt(n)  # 95 % Kolmogorov critical distance
    out.append(Statistic("KS", float(ks.statistic), 0.0, d_crit, zks, n))
    return InnovationReport(statistics=tuple(out), alpha=float(alpha))
