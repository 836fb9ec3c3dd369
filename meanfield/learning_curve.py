"""Learning curves of a linear readout of phi(x) from the network's kernel (THEORY.md section 9).

A readout y = w . psi(x) of features psi(x) (for the network, psi = phi(x) / sqrt(N),
the readout convention of THEORY.md section 1) trained by ridge regression,

    w_hat = argmin sum_i (y_i - w . psi(x_i))^2 + beta ||w||^2,

predicts f_hat(x) = k(x, X) (K + beta I)^-1 y with the kernel
k(x, x') = psi(x) . psi(x'). For the network this kernel is the rate
correlation C(t, s) of section 4 (two times of one run) or C^(ab) of section 5
(two input histories, the final time of replicas a and b). Ridge regression
is the posterior mean of Gaussian-process regression with prior
f ~ GP(0, s k) and noise variance sigma^2 = s beta.

Mercer eigenvalues
------------------
Under an input law mu, k(x, x') = sum_p lambda_p phi_p(x) phi_p(x') with
E_mu[phi_p phi_q] = delta_pq. For the empirical law of a reference set of P
inputs the decomposition is exact and finite (Nystrom): lambda_p are the
eigenvalues of K / P and phi_p(x_j) = sqrt(P) v_pj with v_p the unit
eigenvectors of K (:func:`mercer_spectrum`); with features F (P, F) given
instead of K, the same from the singular values of F / sqrt(P)
(:func:`mercer_spectrum_from_features`). A target f on the reference set has
coefficients a_p = E_mu[f phi_p]; the part of f outside the span of the
phi_p (``residual``) is never learned.

The learning curve
------------------
Excess generalisation error eps(n) = E_X E_mu[(f_hat - f)^2] for n training
inputs drawn iid from mu with targets y = f(x) + noise of variance sigma^2.
In the feature basis psi_p = sqrt(lambda_p) phi_p, with G = Psi^T Psi (the
empirical second moment of the n training features),

    eps = beta^2 w^T (G + beta)^-1 Lambda (G + beta)^-1 w
          + sigma^2 tr[Lambda (G + beta)^-1 G (G + beta)^-1],   w_p = a_p / sqrt(lambda_p).

``method="asymptotic"`` replaces G by its mean n Lambda (the law of large
numbers, G / n -> Lambda):

    eps(n) = sum_p (beta^2 a_p^2 + sigma^2 n lambda_p^2) / (n lambda_p + beta)^2 + residual.   (LC-1)

For a target drawn from the prior (a_p^2 = s lambda_p on average) and the
Bayes ridge beta = sigma^2 / s this is

    eps(n) = sum_p s lambda_p sigma^2 / (sigma^2 + n s lambda_p),                              (LC-2)

the standard asymptotic learning curve of GP regression from the Mercer
eigenvalues and the noise variance. Le Gratiet & Garnier (Machine Learning
98, 407, 2015; arXiv:1210.2879) prove an asymptotic theorem for the learning
curve in terms of these eigenvalues; its exact statement, conditions and
equation number could NOT be checked here (only the abstract was available
offline), so (LC-1) and (LC-2) are derived above, not copied, and the
citation is for the setting, not for these formulas.
(LC-2) is also an exact lower bound for every n: the Bayes error is
E tr[(Lambda_s^-1 + Phi^T Phi / sigma^2)^-1] with E Phi^T Phi = n I, and
A -> tr[(B + A)^-1] is convex, so Jensen's inequality gives (LC-2) as a lower
bound (the Opper-Vivarelli bound), tight as n -> infinity.

``method="self-consistent"`` keeps the first finite-n correction: an
effective ridge kappa solves

    sum_p lambda_p / (lambda_p + kappa) + beta / kappa = n,                                    (LC-3)

the learnabilities are L_p = lambda_p / (lambda_p + kappa), and

    eps(n) = E0 [sum_p (1 - L_p)^2 a_p^2 + residual] + (E0 - 1) sigma^2,  E0 = n / (n - sum_p L_p^2). (LC-4)

This is the approximation of Sollich (2002) and of Bordelon, Canatar and
Pehlevan (ICML 2020) and Simon et al. (2023, "eigenlearning") for kernel
ridge regression; it reduces to (LC-1) at large n. Like (LC-1) it is
written here from the derivation, not from a checked copy of those papers.

:func:`optimal_ridge` minimises either form over beta: the regularisation
the theory prescribes, with no validation data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from .model._checks import require_range

OWNER = "meanfield.learning_curve"
METHODS = ("asymptotic", "self-consistent")


@dataclass(frozen=True, eq=False)
class MercerSpectrum:
    """Mercer decomposition of a kernel under the empirical law of P reference inputs (module docstring).

    Attributes
    ----------
    eigenvalues : (r,) array
        lambda_p > 0 in decreasing order (eigenvalues of K / P above rounding).
    eigenfunctions : (P, r) array
        phi_p at the reference inputs, normalised so that mean_j phi_p(x_j)^2 = 1.
    """

    eigenvalues: np.ndarray
    eigenfunctions: np.ndarray

    def __post_init__(self):
        lam = np.asarray(self.eigenvalues, dtype=float)
        phi = np.asarray(self.eigenfunctions, dtype=float)
        if lam.ndim != 1 or phi.ndim != 2 or phi.shape[1] != lam.size:
            raise ValueError(f"MercerSpectrum: eigenvalues (r,) and eigenfunctions (P, r) do not match, got "
                             f"{lam.shape} and {phi.shape}")
        if lam.size and (not np.all(np.isfinite(lam)) or lam.min() <= 0):
            raise ValueError("MercerSpectrum.eigenvalues must be finite and > 0 (drop the null space)")
        for a in (lam, phi):
            a.setflags(write=False)
        object.__setattr__(self, "eigenvalues", lam)
        object.__setattr__(self, "eigenfunctions", phi)

    @property
    def n_reference(self) -> int:
        return self.eigenfunctions.shape[0]

    def coefficients(self, f) -> tuple[np.ndarray, float]:
        """(a_p = E_mu[f phi_p], residual = E_mu[f^2] - sum a_p^2) of a target given on the reference inputs."""
        f = np.asarray(f, dtype=float)
        if f.shape != (self.n_reference,) or not np.all(np.isfinite(f)):
            raise ValueError(f"the target must give one finite value per reference input, shape "
                             f"({self.n_reference},), got {f.shape}")
        a = self.eigenfunctions.T @ f / self.n_reference
        return a, max(float(np.mean(f * f) - np.sum(a * a)), 0.0)


def mercer_spectrum(K, *, rtol: float = 1e-10) -> MercerSpectrum:
    """Mercer eigenvalues and eigenfunctions of a kernel matrix on P reference inputs (Nystrom, exact for them).

    Parameters
    ----------
    K : (P, P) array
        Symmetric positive semi-definite kernel matrix k(x_i, x_j).
    rtol : float
        Eigenvalues below rtol * the largest are treated as zero (the null space of K).
    """
    K = np.asarray(K, dtype=float)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or K.shape[0] == 0:
        raise ValueError(f"K must be a square (P, P) kernel matrix, got shape {K.shape}")
    if not np.all(np.isfinite(K)):
        raise ValueError("K contains NaN or infinite values")
    asym = np.abs(K - K.T).max()
    if asym > 1e-8 * max(np.abs(K).max(), 1e-300):
        raise ValueError(f"K must be symmetric (largest |K - K^T| = {asym:.3g})")
    P = K.shape[0]
    lam, V = np.linalg.eigh(0.5 * (K + K.T) / P)
    lam, V = lam[::-1], V[:, ::-1]
    if lam[0] <= 0:
        raise ValueError("K has no positive eigenvalue")
    if lam[-1] < -1e-8 * lam[0]:
        raise ValueError(f"K is not positive semi-definite (eigenvalue {lam[-1] * P:.3g} against the largest "
                         f"{lam[0] * P:.3g})")
    keep = lam > rtol * lam[0]
    return MercerSpectrum(lam[keep], V[:, keep] * np.sqrt(P))


def mercer_spectrum_from_features(F, *, rtol: float = 1e-10) -> MercerSpectrum:
    """The same for the kernel K = F F^T of features F (P, F), from the SVD of F (O(P F^2), not O(P^3))."""
    F = np.asarray(F, dtype=float)
    if F.ndim != 2 or F.shape[0] == 0 or F.shape[1] == 0:
        raise ValueError(f"F must be a (P, n_features) array of features, got shape {F.shape}")
    if not np.all(np.isfinite(F)):
        raise ValueError("F contains NaN or infinite values")
    P = F.shape[0]
    U, s, _ = np.linalg.svd(F / np.sqrt(P), full_matrices=False)
    lam = s * s
    if lam[0] <= 0:
        raise ValueError("F is zero: the kernel has no positive eigenvalue")
    keep = lam > rtol * lam[0]
    return MercerSpectrum(lam[keep], U[:, keep] * np.sqrt(P))


def _inputs(n, noise_var, beta):
    n = np.asarray(n, dtype=float)
    if n.size == 0 or not np.all(np.isfinite(n)) or np.any(n < 1):
        raise ValueError(f"n (numbers of training samples) must be finite and >= 1, got {n!r}")
    noise_var = require_range(OWNER, "noise_var", noise_var, lo=0.0)
    beta = require_range(OWNER, "beta", beta, lo=0.0)
    return n, noise_var, beta


def _target(spectrum, coefficients, residual, prior_scale):
    lam = spectrum.eigenvalues
    if coefficients is None:
        s = require_range(OWNER, "prior_scale", prior_scale, lo=0.0, lo_open=True)
        return s * lam, 0.0
    if prior_scale is not None:
        raise ValueError("give either coefficients (a fixed target) or prior_scale (a target drawn from the "
                         "prior), not both")
    a = np.asarray(coefficients, dtype=float)
    if a.shape != lam.shape or not np.all(np.isfinite(a)):
        raise ValueError(f"coefficients must give one finite a_p per eigenvalue, shape {lam.shape}, got {a.shape}")
    return a * a, require_range(OWNER, "residual", residual, lo=0.0)


def effective_ridge(eigenvalues, n, beta) -> np.ndarray:
    """kappa of eq. LC-3: sum_p lambda_p / (lambda_p + kappa) + beta / kappa = n (module docstring).

    For beta = 0 and n >= the number of eigenvalues the root is kappa = 0 (interpolation of a finite basis).
    """
    lam = np.asarray(eigenvalues, dtype=float)
    out = np.empty(np.shape(n))
    for i, ni in np.ndenumerate(np.asarray(n, dtype=float)):
        g = lambda kap, ni=ni: np.sum(lam / (lam + kap)) + beta / kap - ni
        if beta == 0.0 and ni >= lam.size:
            out[i] = 0.0
            continue
        hi = max(lam.max(), beta) * (1.0 + lam.size / ni) + beta / ni
        lo = hi
        while g(lo) < 0:
            lo *= 1e-3
            if lo < 1e-300:
                raise ValueError(f"no effective ridge for n = {ni}: the spectrum has fewer than n modes and "
                                 "beta = 0")
        out[i] = optimize.brentq(g, lo, hi, xtol=1e-300, rtol=1e-13, maxiter=500)
    return out


def learning_curve(spectrum: MercerSpectrum, n, noise_var: float, beta: float | None = None, *,
                   coefficients=None, residual: float = 0.0, prior_scale: float | None = None,
                   method: str = "asymptotic") -> np.ndarray:
    """Predicted excess generalisation error of ridge / GP regression against n (eqs. LC-1 to LC-4).

    Parameters
    ----------
    spectrum : MercerSpectrum
        Mercer eigenvalues of the kernel under the input law.
    n : int or array
        Numbers of training samples (iid from the input law).
    noise_var : float
        Variance sigma^2 of the target noise.
    beta : float, optional
        Ridge of the predictor k(x, X)(K + beta I)^-1 y. Default: the Bayes
        ridge sigma^2 / prior_scale (needs a prior target).
    coefficients : array (r,), optional
        a_p of a fixed target (``MercerSpectrum.coefficients``), with its ``residual``.
        Without them the target is drawn from the prior GP(0, prior_scale k), a_p^2 = prior_scale lambda_p.
    prior_scale : float, optional
        s of the prior (default 1 when no coefficients are given).
    method : {"asymptotic", "self-consistent"}
        Eq. LC-1 (G replaced by its mean; Le Gratiet & Garnier's asymptotic
        form) or eqs. LC-3/LC-4 (with the finite-n correction).

    Returns
    -------
    numpy.ndarray, the shape of n
        E_mu[(f_hat - f)^2] averaged over training draws (the noise of the test target excluded).
    """
    if not isinstance(spectrum, MercerSpectrum):
        raise ValueError(f"spectrum must be a MercerSpectrum (mercer_spectrum(K)), got {type(spectrum).__name__}")
    if method not in METHODS:
        raise ValueError(f"method = {method!r} must be one of {METHODS}")
    if coefficients is None and prior_scale is None:
        prior_scale = 1.0
    a2, res = _target(spectrum, coefficients, residual, prior_scale)
    if beta is None:
        if coefficients is not None:
            raise ValueError("beta must be given for a fixed target (optimal_ridge finds the best one)")
        beta = noise_var / prior_scale
    n, noise_var, beta = _inputs(n, noise_var, beta)
    lam = spectrum.eigenvalues
    nn = n.reshape(-1, 1)
    if method == "asymptotic":
        d = nn * lam + beta
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(d > 0, (beta**2 * a2 + noise_var * nn * lam**2) / d**2, 0.0)
        return (terms.sum(axis=1) + res).reshape(n.shape)
    kappa = effective_ridge(lam, n.ravel(), beta).reshape(-1, 1)
    L = lam / (lam + kappa)
    L2 = (L * L).sum(axis=1)
    e0 = n.ravel() / (n.ravel() - L2)
    bias = ((1.0 - L) ** 2 * a2).sum(axis=1) + res
    return (e0 * bias + (e0 - 1.0) * noise_var).reshape(n.shape)


def optimal_ridge(spectrum: MercerSpectrum, n, noise_var: float, *, coefficients=None, residual: float = 0.0,
                  prior_scale: float | None = None, method: str = "asymptotic",
                  bounds: tuple[float, float] | None = None) -> np.ndarray:
    """The beta that minimises :func:`learning_curve` at each n (the theory's regularisation, no validation data).

    For a prior target with eq. LC-1 the minimiser is sigma^2 / prior_scale at every n
    (each mode's term is minimised there); otherwise it is found numerically on log beta
    within ``bounds`` (default 1e-8 to 1e4 times lambda_1 P).
    """
    lam = spectrum.eigenvalues
    scale = lam[0] * spectrum.n_reference
    lo, hi = bounds if bounds is not None else (1e-8 * scale, 1e4 * scale)
    if not (0 < lo < hi):
        raise ValueError(f"bounds must satisfy 0 < low < high, got {bounds!r}")
    n = np.asarray(n, dtype=float)
    out = np.empty(n.shape)
    grid = np.linspace(np.log(lo), np.log(hi), 41)
    for i, ni in np.ndenumerate(n):
        err = lambda lb, ni=ni: float(learning_curve(spectrum, ni, noise_var, float(np.exp(lb)),
                                              coefficients=coefficients, residual=residual,
                                              prior_scale=prior_scale, method=method))
        vals = np.array([err(g) for g in grid])
        j = int(np.argmin(vals))
        a, b = grid[max(j - 1, 0)], grid[min(j + 1, grid.size - 1)]
        if a == b:
            out[i] = np.exp(a)
            continue
        res = optimize.minimize_scalar(err, bounds=(a, b), method="bounded", options={"xatol": 1e-6})
        out[i] = float(np.exp(res.x if res.fun <= vals[j] else grid[j]))
    return out


def rate_kernel(C, steps) -> np.ndarray:
    """The kernel of a linear readout of phi(x) / sqrt(N) at the given steps: C(t_k, t_l) (THEORY.md section 4).

    ``C`` is the (K+1, K+1) rate correlation of a theory sample (``meanfield.solve(...).C``) or of a
    network's own population path (``meanfield.conditional_moments(...).C``); ``steps`` the grid steps of
    the samples (for a reservoir: ``grid.record_steps[1:]``, the state after each input sample).
    """
    C = np.asarray(C, dtype=float)
    steps = np.asarray(steps, dtype=np.int64)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be a square rate correlation, got shape {C.shape}")
    if steps.ndim != 1 or steps.size == 0 or steps.min() < 0 or steps.max() >= C.shape[0]:
        raise ValueError(f"steps must be grid steps in [0, {C.shape[0]}), got {steps!r}")
    return C[np.ix_(steps, steps)]


def replica_kernel(paths, step: int = -1) -> np.ndarray:
    """The kernel between R input histories: C^(ab) at one step of jointly solved replicas (THEORY.md section 5).

    ``paths`` is a ``meanfield.ReplicaPaths`` from ``solve_replicas`` with one input per replica; the result
    is the (R, R) matrix C^(ab)_kk, the correlation of the readout features after history a and history b.
    """
    C = np.asarray(paths.C)
    k = np.arange(C.shape[0])[step]
    return np.array(C[k, :, k, :], dtype=float)


__all__ = ["METHODS", "MercerSpectrum", "effective_ridge", "learning_curve", "mercer_spectrum",
           "mercer_spectrum_from_features", "optimal_ridge", "rate_kernel", "replica_kernel"]
