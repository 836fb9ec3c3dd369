"""Outlier eigenvalues of a realised coupling matrix (THEORY.md section 3).

J = (g z + u v^T) / sqrt(N) has a bulk of eigenvalues filling the disk of
radius g (circular law) and a few outliers, which section 3 predicts as
lambda = g / w for the roots |w| < 1 of w^2 sum_k zeta_{k+1} w^k = g / J0.

The bulk edge of a finite matrix is not sharp. For the complex Ginibre
ensemble the spectral radius of z / sqrt(N) is
1 + sqrt(gamma_N / (4N)) + G / sqrt(4 N gamma_N), with G Gumbel and
gamma_N = log(N / 2 pi) - 2 log log N (Rider 2003, J. Phys. A 36, 3401);
the real Ginibre edge behaves alike. An eigenvalue is therefore called an
outlier when |lambda| > g (1 + c / sqrt(N)): with the default c = 3 a bulk
eigenvalue crosses that radius with probability about e^-(6 sqrt(gamma_N) -
gamma_N), under 1 % for N >= 600 (checked in tests/test_simulate_spectrum.py
on pure Ginibre matrices, J0 = 0). The margin scales with g because the
edge does; a floor of 10 sqrt(eps) ||v|| keeps rounding noise out: at
g = 0, lambda0 = 0 the mean part u v^T / sqrt(N) is nilpotent (a Jordan
block), and rounding moves its zero eigenvalues by about sqrt(eps) ||v||
(measured 1.1e-6 at N = 1000, J0 = 10, where the floor is 4.7e-6).
Outliers closer to the edge than the margin are not resolved at this N.

Two methods find the outliers of one realisation:

``"eig"``
    every eigenvalue of the dense J (``numpy.linalg.eigvals``, O(N^3)), then
    those with |lambda| > r_N.
``"rank_one"``
    the rank-one-plus-random structure of section 3, O(K N^2). With
    X = g z / sqrt(N), a = u, b = v / sqrt(N), an eigenvalue of J outside
    the spectrum of X solves f(lambda) = 1 - b^T (lambda - X)^{-1} a = 0, and
    for |lambda| > rho(X) the resolvent is the Neumann series
    sum_k m_k / lambda^(k+1) with the moments m_k = b^T X^k a. With
    w = r_N / lambda and mu_k = m_k / r_N^k the outliers are the roots
    |w| < 1 of

        Q(w) = sum_{k>=0} mu_k w^(k+1) - r_N,

    the finite-N form of the equation of section 3 (mu_k = J0 (g / r_N)^k
    zeta_k as N -> infinity). The K moments cost K matrix-vector products
    (K / 2 with X from the right of a, K / 2 with X^T from the left of b:
    m_(i+j) = (X^T^i b) . (X^j a)) and never form J; they run in float32
    on a float32 copy of z (half the bytes per product, 4 N^2 bytes of
    memory). K grows in steps until the truncation error of every root,
    estimated from the geometric decay of the last moments, is below
    ``_LOCATE_TOL``; the roots are found
    as eigenvalues of the companion matrix of a truncated Q and polished by
    Newton on the full Q; the count is certified by the argument principle
    (the winding number of Q on |w| = 1 must equal the number of roots
    inside, with min |Q| on the circle above ten times the estimated tail,
    Rouche). The digits come from float64: for each root the right and left
    eigenvectors r = sum_j w^j X^j a / r_N^j and l = sum_i w^i X^T^i b / r_N^i
    (the stored Krylov vectors) give the two-sided Rayleigh quotient
    l^T J r / l^T r, two passes over the float64 z for all roots, whose
    first-order error bound ||J r - lambda r|| ||l^T J - lambda l^T|| / |l^T r|
    must be below ``_ROOT_TOL``; otherwise K grows. The convergence rate is
    g / |lambda|, so the roots next to the radius set K, about
    log(1 / tol) / log(1 + c / sqrt(N)) (300-450 at N = 2000, c = 3).

What the rank-one method does not see: an eigenvalue of the random part X
itself outside r_N (the probability of the margin above, e.g. about 2e-3 at
N = 2000 and c = 3). J then has an eigenvalue next to it, which ``"eig"``
counts as an outlier although it belongs to the bulk; the Neumann series
still looks convergent for K << N, so the rank-one method returns only the
zeros of f, the outliers of section 3. This is the only way the two counts
can differ; ``method="auto"`` therefore uses ``"rank_one"`` only where that
probability is below 1 % (c >= 3 and N >= 600) and ``"eig"`` otherwise, and
falls back to ``"eig"`` whenever the rank-one answer cannot be certified:
no convergence within ``N / 2`` products, a root within its error estimate
of the radius (whether it is an outlier is then decided below the accuracy
of either method), or a winding number that disagrees with the roots found.
Outliers within the margin (|lambda| <= r_N) are returned by neither method.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from meanfield.model import Network

from .realisation import Realisation, realise

DEFAULT_RADIUS_MARGIN = 3.0
METHODS = ("auto", "eig", "rank_one")

#: first-order error bound allowed on each outlier lambda (Rayleigh quotient), relative to
#: max(1, |lambda|); the bound exceeds the actual error by one to two orders of magnitude
_ROOT_TOL = 5e-9
#: estimated truncation error of the roots of the moment series (relative) from which their
#: Rayleigh quotients are formed; the two decay alike with the number of moments
_LOCATE_TOL = 1e-10
#: moments added per convergence test (one matrix-vector product each)
_K_STEP = 32
_K_START = 96
#: degree of the companion matrix that gives the starting roots (its O(K^3) eigensolve stays cheap)
_K_COMPANION = 160
#: auto uses rank_one from this N on (with c >= 3 the bulk crosses r_N with probability < 1 %)
_AUTO_MIN_N = 600


class RankOneUncertified(RuntimeError):
    """The rank-one method could not certify its outliers (see the module docstring)."""


def bulk_radius(network: Network, radius_margin: float = DEFAULT_RADIUS_MARGIN) -> float:
    """g (1 + c / sqrt(N)) + 10 sqrt(eps) ||v||: the radius beyond which an eigenvalue is an outlier."""
    if isinstance(radius_margin, bool) or not isinstance(radius_margin, Real) \
            or not math.isfinite(radius_margin) or radius_margin < 0:
        raise ValueError(f"radius_margin must be a finite number >= 0, got {radius_margin!r}")
    floor = 10.0 * math.sqrt(np.finfo(float).eps) * float(np.linalg.norm(network.mean_weights()))
    return network.g * (1.0 + radius_margin / math.sqrt(network.N)) + floor


def coupling_eigenvalues(network: Network, *, seed=0) -> np.ndarray:
    """All eigenvalues of the realised J (float64 z of the same seed as :func:`simulate.run`)."""
    return np.linalg.eigvals(realise(network, seed, np.float64).coupling_matrix())


def _sorted(out: np.ndarray) -> np.ndarray:
    return out[np.argsort(-out.real, kind="stable")]


def _eig_outliers(real: Realisation, radius: float) -> np.ndarray:
    lam = np.linalg.eigvals(real.coupling_matrix())
    return _sorted(lam[np.abs(lam) > radius])


class _Moments:
    """mu_k = b^T X^k a / s^k, one matrix-vector product per moment (module docstring).

    The products run in float32 on a float32 copy of z (half the bytes of the
    float64 z per product); the moments only locate and count the roots, whose
    digits come from :func:`_rayleigh` in float64. The Krylov vectors
    A_j = (X / s)^j a and B_i = (X^T / s)^i b are kept for it.
    """

    def __init__(self, real: Realisation, s: float, dtype=np.float32):
        N = real.network.N
        self.z = real.z.astype(dtype, copy=False)
        self.c = dtype(real.gain / s)
        self.As = [np.ones(N, dtype)]  # a = u: the mean part is u v^T / sqrt(N) with u_i = 1
        self.Bs = [(real.network.mean_weights() / math.sqrt(N)).astype(dtype)]
        self.mu = [float(np.dot(self.Bs[0].astype(np.float64), self.As[0]))]

    def extend(self, K: int) -> np.ndarray:
        while len(self.mu) < K:
            if len(self.mu) % 2:  # A_(p+1) = X A_p / s: mu_(2p+1) = B_p . A_(p+1)
                y = np.dot(self.z, self.As[-1])
                y *= self.c
                self.As.append(y)
            else:  # B_(p+1) = X^T B_p / s: mu_(2p+2) = B_(p+1) . A_(p+1)
                y = np.dot(self.Bs[-1], self.z)
                y *= self.c
                self.Bs.append(y)
            self.mu.append(float(np.dot(self.Bs[-1].astype(np.float64), self.As[-1])))
        return np.asarray(self.mu)


def _rayleigh(real: Realisation, mom: _Moments, w: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Rayleigh quotients of J in float64 and their error bounds.

    With w = s / lambda the right and left eigenvectors of J are
    r = (lambda - X)^{-1} a = sum_j A_j w^j / lambda and l = sum_i B_i w^i / lambda
    (truncated at the stored Krylov vectors); lambda = l^T J r / l^T r has an
    error of second order in the errors of r and l, bounded to first order by
    ||J r - lambda r|| ||l^T J - lambda l^T|| / |l^T r|.
    """
    net = real.network
    A = np.asarray(mom.As, dtype=np.float64)
    B = np.asarray(mom.Bs, dtype=np.float64)
    with np.errstate(all="ignore"):
        R = np.power(w[:, None], np.arange(A.shape[0])[None, :]) @ A  # (m, N) complex
        L = np.power(w[:, None], np.arange(B.shape[0])[None, :]) @ B
    m = w.size
    b = net.mean_weights() / math.sqrt(net.N)
    z = real.z
    zr = z @ np.concatenate([R.real, R.imag]).T  # (N, 2m): one pass over z for all roots
    JR = real.gain * (zr[:, :m] + 1j * zr[:, m:]).T + (R @ b)[:, None]
    zl = np.concatenate([L.real, L.imag]) @ z  # (2m, N)
    LJ = real.gain * (zl[:m] + 1j * zl[m:]) + L.sum(axis=1)[:, None] * b[None, :]
    lr = np.sum(L * R, axis=1)
    lam = np.sum(L * JR, axis=1) / lr
    res_r = np.linalg.norm(JR - lam[:, None] * R, axis=1)
    res_l = np.linalg.norm(LJ - lam[:, None] * L, axis=1)
    return lam, res_r * res_l / np.abs(lr)


def _tail(mu: np.ndarray, window: int = _K_STEP) -> tuple[float, float]:
    """(M, q): the moments beyond the last decay like M q^j in root mean square; q >= 1: no decay yet.

    The mu_k have random signs (zeta_k of section 3), so the tail sum
    sum_{k>=K} mu_k w^(k+1) is estimated by its root mean square
    M |w|^(K+1) / sqrt(1 - q^2 |w|^2).
    """
    K = mu.size
    last = math.sqrt(np.mean(mu[K - window:] ** 2))
    prev = math.sqrt(np.mean(mu[K - 2 * window:K - window] ** 2))
    if last == 0.0:
        return 0.0, 0.0
    if prev == 0.0:
        return last, 1.0
    q = min(1.0, (last / prev) ** (1.0 / window))
    return last * q ** (window / 2), q


def _poly(mu: np.ndarray, s: float) -> np.ndarray:
    """Ascending coefficients of Q(w) = sum_k mu_k w^(k+1) - s."""
    return np.concatenate(([-s], mu))


def _eval(c: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q(w) and Q'(w) for ascending coefficients c, by powers (vectorised over the roots)."""
    k = np.arange(c.size)
    W = np.power(w[:, None], k[None, :])
    return W @ c, W[:, :-1] @ (c[1:] * k[1:])


def _companion_roots(c: np.ndarray) -> np.ndarray:
    nz = np.flatnonzero(c)
    if nz.size == 0 or nz[-1] == 0:
        return np.zeros(0, complex)
    return np.polynomial.polynomial.polyroots(c[: nz[-1] + 1]).astype(complex)


def _newton(c: np.ndarray, w: np.ndarray, steps: int = 30) -> np.ndarray:
    """Newton on Q from each w; a start that wanders out of |w| < 2 is dropped (the winding check
    of the caller notices a root lost that way)."""
    with np.errstate(all="ignore"):
        for _ in range(steps):
            w = w[np.isfinite(w) & (np.abs(w) < 2.0)]
            if w.size == 0:
                break
            q, dq = _eval(c, w)
            step = np.where(dq != 0, q / dq, 0.0)
            step = np.where(np.isfinite(step), step, 0.0)
            w = w - step
            if np.all(np.abs(step) <= 1e-15 * np.maximum(1.0, np.abs(w))):
                break
    return w[np.isfinite(w) & (np.abs(w) < 2.0)]


def _dedupe(w: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    keep = []
    for x in w[np.argsort(np.abs(w))]:
        if all(abs(x - y) > tol for y in keep):
            keep.append(x)
    return np.asarray(keep, dtype=complex)


def _winding(c: np.ndarray) -> tuple[int, float] | None:
    """Number of zeros of Q in |w| < 1 by the argument principle, and min |Q| on |w| = 1."""
    M = 1 << max(10, math.ceil(math.log2(16 * c.size)))
    for _ in range(4):
        vals = np.fft.ifft(c, M) * M  # Q(exp(2 pi i m / M)), counter-clockwise
        dphi = np.angle(vals[np.r_[1:M, 0]] / vals)
        if np.abs(dphi).max() < 0.5 * math.pi:
            return round(dphi.sum() / (2 * math.pi)), float(np.abs(vals).min())
        M *= 4
    return None


def _rank_one_outliers(real: Realisation, radius: float, K_max: int) -> np.ndarray:
    """Outliers |lambda| > radius from the moments of J's rank-one structure (module docstring).

    Float32 products first; if they cannot certify the answer (the float32 rounding of the Krylov
    vectors sets a floor under the Rayleigh-quotient bound of an ill-conditioned outlier), once more
    with float64 products.
    """
    try:
        return _rank_one_pass(real, radius, K_max, np.float32)
    except RankOneUncertified:
        return _rank_one_pass(real, radius, K_max, np.float64)


def _rank_one_pass(real: Realisation, radius: float, K_max: int, dtype) -> np.ndarray:
    net = real.network
    s = radius
    if net.g == 0.0:  # X = 0: f(lambda) = 1 - b^T a / lambda, the single root lambda = b^T a
        lam0 = float(np.sum(net.mean_weights())) / math.sqrt(net.N)
        return np.array([lam0], complex) if abs(lam0) > radius else np.zeros(0, complex)
    mom = _Moments(real, s, dtype)
    K = min(_K_START, K_max)
    w, all_roots, last_worst = None, False, np.inf
    while True:
        mu = mom.extend(K)
        c = _poly(mu, s)
        M, q = _tail(mu)
        if M == 0.0 and not np.any(mu):  # b = 0 (J0 = lambda0 = 0): no outlier
            return np.zeros(0, complex)
        if q < 1.0:
            if w is None:
                w = _companion_roots(c[: _K_COMPANION + 2])
                w = w[np.abs(w) < 1.1]
            w = _dedupe(_newton(c, w))
            w = w[np.abs(w) < 1.05]
            _, dq = _eval(c, w)
            # truncation error of each root: the geometric tail at |w| (at most 1) over |Q'|
            r = np.abs(w)
            re = np.minimum(r, 1.0)
            tail_w = M * re ** (K + 1) / np.sqrt(1.0 - (q * re) ** 2)
            err_w = tail_w / np.abs(dq)
            inside = r < 1.0
            err_lam = s * err_w[inside] / r[inside] ** 2
            if np.all(err_lam <= _LOCATE_TOL * np.maximum(1.0, s / r[inside])):
                wind = _winding(c)
                tail_circle = M / math.sqrt(1.0 - q**2)
                doubtful = np.abs(r - 1.0) <= 10 * err_w
                certified = (wind is not None and wind[0] == inside.sum() and wind[1] > 10 * tail_circle
                             and not doubtful.any())
                if certified:
                    lam, err = _rayleigh(real, mom, w[inside], s)
                    tol = _ROOT_TOL * np.maximum(1.0, np.abs(lam))
                    if np.all(err <= tol) and np.all(np.abs(np.abs(lam) - s) > err) \
                            and np.all(np.abs(lam - s / w[inside]) <= 1e-3 * np.maximum(1.0, np.abs(lam))):
                        return _sorted(lam)
                    # the bound stopped falling (the rounding floor of float32 Krylov vectors): give up
                    # this pass rather than add products that cannot help
                    worst = float(np.max(err / tol, initial=0.0))
                    if dtype == np.float32 and worst > 0.5 * last_worst:
                        raise RankOneUncertified("float32 Rayleigh quotients stalled")
                    last_worst = worst
                if wind is not None and wind[0] != inside.sum() and not all_roots:
                    # a root was missed by the short companion matrix: all roots of Q, once
                    w, all_roots = _companion_roots(c), True
                    w = w[np.abs(w) < 1.1]
                    continue
        if K >= K_max:
            raise RankOneUncertified(
                f"rank-one outliers not certified with {K} moments (N = {net.N}, g = {net.g}, J0 = {net.J0}); "
                "use method='eig'")
        K = min(K + _K_STEP, K_max)


def outlier_eigenvalues(network: Network, *, seed=0, radius_margin: float = DEFAULT_RADIUS_MARGIN,
                        method: str = "auto", realisation: Realisation | None = None) -> np.ndarray:
    """Eigenvalues of the realised J outside the bulk disk (THEORY.md section 3).

    Parameters
    ----------
    network : Network
    seed : int or SeedSequence
        Realisation seed; the same z as :func:`simulate.run` with this seed.
    radius_margin : float
        c in the outlier radius g (1 + c / sqrt(N)) (module docstring).
    method : {"auto", "eig", "rank_one"}
        ``"eig"``: all eigenvalues of the dense J, O(N^3). ``"rank_one"``:
        roots of the moment series of the rank-one-plus-random structure,
        O(K N^2); raises :class:`RankOneUncertified` when its answer cannot
        be certified. ``"auto"``: ``"rank_one"`` for N >= 600 and c >= 3,
        falling back to ``"eig"`` when uncertified; ``"eig"`` otherwise
        (module docstring: where the two can differ).
    realisation : Realisation, optional
        A float64 realisation of ``network`` to use instead of drawing z
        from ``seed`` (for benchmarks and callers that already hold it).

    Returns
    -------
    ndarray of complex
        The outliers |lambda| > :func:`bulk_radius`, sorted by decreasing real part.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    radius = bulk_radius(network, radius_margin)
    if realisation is None:
        realisation = realise(network, seed, np.float64)
    elif not isinstance(realisation, Realisation) or realisation.network != network \
            or realisation.z.dtype != np.float64:
        raise ValueError("realisation must be a float64 simulate.realise(network, ...) of the same network")
    if method == "eig" or (method == "auto" and (network.N < _AUTO_MIN_N
                                                  or radius_margin < DEFAULT_RADIUS_MARGIN)):
        return _eig_outliers(realisation, radius)
    K_max = max(_K_START, network.N // 2)
    if method == "rank_one":
        return _rank_one_outliers(realisation, radius, K_max)
    try:
        return _rank_one_outliers(realisation, radius, K_max)
    except RankOneUncertified:
        return _eig_outliers(realisation, radius)
