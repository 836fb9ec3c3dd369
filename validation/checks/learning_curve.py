"""Check (k): learning curves of a reservoir readout predicted from the network's kernel (THEORY.md sections 4, 9).

The research result (iii): the activity of the balanced network is a
nonlinear transform of a Gaussian process, so a linear readout of phi(x) is
Gaussian-process regression with the rate correlation C as kernel, and the
learning curve (generalisation error against the number n of noisy training
samples and the noise variance) and the regularisation that minimises it
follow from the kernel's Mercer eigenvalues (``meanfield.learning_curve``).

The task. One reservoir realisation (dense one-channel input, tanh) is driven
by u(t) iid uniform on [-1, 1]; after a washout its states at P times are the
input law mu (the empirical law of P histories). The target is a smooth
function of the recent input history,

    f(t) = sin(1.5 z(t) / sd z),   z(t) = u(t) + a z(t - 1)   (a = 0.9),

standardised over the P times, observed with Gaussian noise of variance
sigma^2. Features are phi(x) / sqrt(N), so the readout's kernel is the
realisation's own C(t, s) = (1/N) sum_i phi_i(t) phi_i(s).

Theory side: the rate correlation C(t, s) of one theory sample under the
same input (``meanfield.solve``; no network simulated), its Mercer spectrum
on the P times, the target's coefficients in its eigenfunctions, the theory's
ridge beta*(n) minimising the predicted error (eqs. LC-3/LC-4 of
``meanfield.learning_curve``) and the predicted error of ridge at beta*(n).
The same prediction is also made from the paired theory (the same
equations along the realisation's own population path,
``meanfield.conditional_moments``), from the empirical kernel of the
realisation itself (its spectrum from the features), and with the
asymptotic form LC-1.

Simulation side: for every n, ``draws`` training sets of n times drawn iid
from mu with fresh noise; four readouts are fitted on the same training
sets and scored by mean_mu (f_hat - f)^2 (the excess error): plain SGD,
SGD with the theory's weight decay, ridge with beta by leave-one-out
cross-validation, ridge with the theory's beta*(n).

Realisation i of a request is computed from the i-th child of its root
SeedSequence (realisation, theory sample, training draws: children 0, 1, 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from meanfield.arguments import count
from meanfield.model import Network
from simulate.reservoir import Reservoir

from ..convergence import fit_exponent
from ..requests import Request
from ..statistics import compare_estimate
from .base import FAMILY_ALPHA, Check, bonferroni

SET = (1.5, 1.0)
MEMORY = 0.9
WASHOUT = 200
N_GRID = (10, 20, 50, 100, 200, 500, 1000, 2000)
NOISE_VARS = (0.1, 1.0)
METHOD = "self-consistent"          # the form whose beta* sets the theory's readouts and whose curve is judged
READOUTS = ("plain SGD", "theory SGD", "CV ridge", "theory-beta ridge")
KERNELS = ("theory", "paired", "empirical")
FORMS = ("self-consistent", "asymptotic")
#: step budget of both SGD readouts (same for plain and theory SGD), batch size
SGD_STEPS, SGD_BATCH = 4000, 64
CV_ALPHAS = tuple(float(a) for a in np.logspace(-5, 1.5, 27))
#: predicted curve judged for n >= N_JUDGED (the target of the learning theory: within 15 % of the measured one)
N_JUDGED = 50


def reservoir(N: int) -> Reservoir:
    """The reservoir of check (k) and figure 12: tanh, g = 1.5, J0 = 1, dense input of scale 1, dt = 0.1."""
    g, J0 = SET
    return Reservoir(Network(N=N, g=g, J0=J0), input_scaling=1.0, input_mode="dense", dt=0.1, bias=False,
                     dtype="float64")


def task_series(P: int, task_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(u of length WASHOUT + P, clean target f on the P scored times) of the module docstring."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(np.random.SeedSequence(task_seed))
    u = rng.uniform(-1.0, 1.0, WASHOUT + P)
    z = lfilter([1.0], [1.0, -MEMORY], u)[WASHOUT:]
    f = np.sin(1.5 * z / z.std())
    return u, (f - f.mean()) / f.std()


def excess_error(X, w, f) -> float:
    return float(np.mean((X @ w - f) ** 2))


def fit_readouts(X, f, idx, y, noise_var, spectrum, coefficients, residual, beta_theory, seed) -> np.ndarray:
    """Excess errors of the four readouts (READOUTS order) trained on rows idx with targets y."""
    from sklearn.linear_model import RidgeCV

    from simulate.readouts import RidgeReadout
    from simulate.sgd import SGDReadout, TheorySGDReadout

    n = idx.size
    Xt = X[idx]
    b = min(SGD_BATCH, n)
    epochs = max(1, SGD_STEPS // math.ceil(n / b))
    s_plain, s_theory = seed.spawn(2)
    plain = SGDReadout(weight_decay=0.0, epochs=epochs, batch_size=b, seed=s_plain).fit(Xt, y)
    theory = TheorySGDReadout(spectrum=spectrum, noise_var=noise_var, coefficients=coefficients, residual=residual,
                              method=METHOD, max_steps=SGD_STEPS, batch_size=b, seed=s_theory).fit(Xt, y)
    cv = RidgeCV(alphas=CV_ALPHAS, fit_intercept=False).fit(Xt, y)
    ridge = RidgeReadout(ridge=beta_theory, fit_intercept=False).fit(Xt, y)
    return np.array([excess_error(X, m.coef_, f) for m in (plain, theory, cv, ridge)]), float(cv.alpha_)


def learning_curve_item(res: Reservoir, P: int, task_seed: int, draws: int, n_grid, noise_vars,
                        seed: np.random.SeedSequence) -> dict:
    """One realisation: predicted curves (kernel x form x noise x n) and measured errors (noise x n x draw x readout)."""
    import meanfield as mf
    from meanfield.learning_curve import (
        learning_curve,
        mercer_spectrum,
        mercer_spectrum_from_features,
        optimal_ridge,
        rate_kernel,
    )

    s_real, s_theory, s_draws = seed.spawn(3)
    u, f = task_series(P, task_seed)
    N = res.network.N
    rr = res.realise(s_real)
    states = rr.run(u)
    X = states.features(washout=WASHOUT)[0] / math.sqrt(N)
    inputs, grid = res.network_inputs(u)
    steps = grid.record_steps[1:][WASHOUT:]
    path = mf.solve(res.network, inputs, grid, seed=s_theory)
    # the paired theory: the same equations along this realisation's own population path (one substep per sample)
    h0 = float(np.mean(rr.realisation.initial_noise(0))) if res.substeps == 1 else None
    spectra = {"theory": mercer_spectrum(rate_kernel(path.C, steps))}
    if h0 is not None:
        cm = mf.conditional_moments(res.network, np.concatenate([[h0], states.h[0]]), inputs, grid)
        spectra["paired"] = mercer_spectrum(rate_kernel(cm.C, steps))
    spectra["empirical"] = mercer_spectrum_from_features(X)
    coef = {k: sp.coefficients(f) for k, sp in spectra.items()}
    ns = np.asarray(n_grid, dtype=float)
    n_noise = len(noise_vars)
    beta = np.empty((n_noise, ns.size))
    pred = np.empty((len(KERNELS), len(FORMS), n_noise, ns.size))
    meas = np.empty((n_noise, ns.size, draws, len(READOUTS)))
    cv_alpha = np.empty((n_noise, ns.size, draws))
    a_th, r_th = coef["theory"]
    noise_seeds = s_draws.spawn(n_noise)
    for j, s2 in enumerate(noise_vars):
        beta[j] = optimal_ridge(spectra["theory"], ns, s2, coefficients=a_th, residual=r_th, method=METHOD)
        for ki, kname in enumerate(KERNELS):
            if kname not in spectra:
                pred[ki, :, j] = np.nan
                continue
            a, r = coef[kname]
            for fi, form in enumerate(FORMS):
                pred[ki, fi, j] = [float(learning_curve(spectra[kname], n, s2, b, coefficients=a, residual=r,
                                                        method=form)) for n, b in zip(ns, beta[j])]
        n_seeds = noise_seeds[j].spawn(ns.size)
        for i, n in enumerate(ns.astype(int)):
            for d, ds in enumerate(n_seeds[i].spawn(draws)):
                s_data, s_fit = ds.spawn(2)
                rng = np.random.default_rng(s_data)
                idx = rng.integers(0, P, n)
                y = f[idx] + math.sqrt(s2) * rng.standard_normal(n)
                meas[j, i, d], cv_alpha[j, i, d] = fit_readouts(X, f, idx, y, s2, spectra["theory"], a_th, r_th,
                                                                float(beta[j, i]), s_fit)
    return {"predicted": pred, "measured": meas, "beta": beta, "cv_alpha": cv_alpha,
            "eig_theory": _leading(spectra["theory"].eigenvalues), "eig_empirical": _leading(spectra["empirical"].eigenvalues),
            "residual": np.array([coef[k][1] if k in coef else np.nan for k in KERNELS]), "n_grid": ns.astype(np.int64)}


def _leading(eigenvalues, k: int = 200) -> np.ndarray:
    """The k largest Mercer eigenvalues, NaN-padded to length k (items of one request stack)."""
    out = np.full(k, np.nan)
    out[: min(k, eigenvalues.size)] = eigenvalues[:k]
    return out


@dataclass(frozen=True)
class LearningCurveRequest(Request):
    """n realisations of the learning-curve experiment of check (k) (module docstring)."""

    reservoir: Reservoir
    n: int
    P: int = 2000
    draws: int = 10
    task_seed: int = 13
    n_grid: tuple = N_GRID
    noise_vars: tuple = NOISE_VARS
    kind = "reservoir-learning-curve"

    def __post_init__(self):
        for name in ("n", "P", "draws"):
            count(f"LearningCurveRequest.{name}", getattr(self, name))
        if not isinstance(self.reservoir, Reservoir) or self.reservoir.n_inputs != 1:
            raise ValueError("LearningCurveRequest.reservoir must be a one-channel simulate.Reservoir")
        object.__setattr__(self, "n_grid", tuple(int(v) for v in self.n_grid))
        object.__setattr__(self, "noise_vars", tuple(float(v) for v in self.noise_vars))
        if min(self.n_grid) < 1 or any(v <= 0 for v in self.noise_vars):
            raise ValueError("LearningCurveRequest: n_grid must hold numbers >= 1 and noise_vars variances > 0")

    def params(self) -> dict:
        return {"reservoir": self.reservoir.to_dict(), "P": int(self.P), "draws": int(self.draws),
                "task_seed": int(self.task_seed), "n_grid": list(self.n_grid), "noise_vars": list(self.noise_vars),
                "method": METHOD, "sgd": [SGD_STEPS, SGD_BATCH], "washout": WASHOUT, "memory": MEMORY,
                "kernels": list(KERNELS)}

    def cost(self) -> float:
        # single-core seconds: the kernels' eigendecompositions (P^3), then per training set the SGD steps,
        # whose cost grows with the number N of features
        steps = sum(min(SGD_STEPS, 6 * n) for n in self.n_grid)
        per_set = 6.1e-5 * steps * (1.0 + self.reservoir.network.N / 170.0)
        return 7e-10 * self.P**3 + len(self.noise_vars) * self.draws * per_set

    def compute(self, seed: np.random.SeedSequence) -> dict:
        try:
            return learning_curve_item(self.reservoir, self.P, self.task_seed, self.draws, self.n_grid,
                                       self.noise_vars, seed)
        except (ValueError, FloatingPointError) as exc:   # a negative pivot or a diverged state: a failed item
            return {"failed": np.int8(1), "error": np.array(str(exc))}


def mean_interval(values, seed=0, n_boot=2000) -> tuple[float, float, float]:
    """Mean and 95 % percentile-bootstrap interval of a sample."""
    v = np.asarray(values, dtype=float).ravel()
    rng = np.random.default_rng(seed)
    means = rng.choice(v, (n_boot, v.size)).mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return float(v.mean()), float(lo), float(hi)


def summarise(view) -> dict:
    """Arrays of a request's items stacked: predicted (R, k, f, s, n), measured (R, s, n, d, m)."""
    return {"predicted": view.stack("predicted"), "measured": view.stack("measured"), "beta": view.stack("beta"),
            "cv_alpha": view.stack("cv_alpha"), "eig_theory": view.stack("eig_theory"),
            "eig_empirical": view.stack("eig_empirical"), "n_grid": view.items[0]["n_grid"]}


class LearningCurveCheck(Check):
    name = "k"
    slug = "learning-curve"
    title = "Learning curves of a reservoir readout predicted from the network's kernel"
    parameters = (f"g = {SET[0]}, J0 = {SET[1]}, tanh, dt = 0.1, dense one-channel input u iid U(-1, 1); target "
                  f"sin(1.5 z / sd z), z(t) = u(t) + {MEMORY} z(t-1), standardised, noise variances "
                  f"{', '.join(map(str, NOISE_VARS))}; n = {', '.join(map(str, N_GRID))}")
    observable = "excess generalisation error of ridge with the theory's beta*(n), against n and the noise variance"
    theory = ("Mercer spectrum of the theory's rate correlation C (one theory sample under the same input), "
              "eqs. LC-3/LC-4 of meanfield.learning_curve at beta*(n)")
    simulation = "ridge readouts of reservoir realisations on training sets drawn iid from the P times"
    statistic = ("ratio predicted / measured (mean over realisations and draws), 95 % bootstrap interval over "
                 "realisations and draws, judged for n >= 50; reported: the paired-theory, empirical-kernel and "
                 "asymptotic predictions and the four readouts")
    tolerance = 0.15
    tolerance_reason = "the learning theory's target: the predicted learning curve within 15 % of the measured one"
    not_run_reason = ("a conclusive verdict needs many reservoir realisations of about a minute each, more than "
                      "the quick job can add; run it with --full, or alone with python scripts/learning_curves.py")

    def requests(self, preset):
        return [LearningCurveRequest(reservoir(N), preset.learning_networks.count(N), P=preset.learning_P,
                                     draws=preset.learning_draws)
                for N in preset.learning_networks.N]

    def evaluate(self, data, preset):
        comps, findings, plot, metrics = [], [], {}, {"N": [], "noise_var": [], "n": [], "ratio": [],
                                                      "ratio_paired": [], "ratio_empirical": [], "ratio_asymptotic": []}
        reqs = self.requests(preset)
        judged = [n for r in reqs for n in r.n_grid if n >= N_JUDGED]
        alpha = bonferroni(FAMILY_ALPHA, len(NOISE_VARS) * len(judged))
        for req in reqs:
            view = data(req)
            N = req.reservoir.network.N
            if len(view) == 0:
                findings.append(f"N = {N}: no realisation computed")
                continue
            s = summarise(view)
            grid = [int(n) for n in s["n_grid"]]
            pred, meas = s["predicted"], s["measured"]            # (R, k, f, s, n), (R, s, n, d, m)
            plot[N] = s
            ridge = meas[..., READOUTS.index("theory-beta ridge")]  # (R, s, n, d)
            for j, s2 in enumerate(NOISE_VARS):
                for i, n in enumerate(grid):
                    m = ridge[:, j, i, :]
                    p = pred[:, KERNELS.index("theory"), FORMS.index(METHOD), j, i]
                    ratio_pts = p[:, None] / m                      # per realisation and draw
                    est = float(p.mean() / m.mean())
                    boot = _bootstrap_ratio(p, m, seed=(N, j, i))
                    metrics["N"].append(N)
                    metrics["noise_var"].append(s2)
                    metrics["n"].append(n)
                    metrics["ratio"].append(est)
                    metrics["ratio_paired"].append(float(
                        pred[:, KERNELS.index("paired"), FORMS.index(METHOD), j, i].mean() / m.mean()))
                    metrics["ratio_empirical"].append(float(
                        pred[:, KERNELS.index("empirical"), FORMS.index(METHOD), j, i].mean() / m.mean()))
                    metrics["ratio_asymptotic"].append(float(
                        pred[:, KERNELS.index("theory"), FORMS.index("asymptotic"), j, i].mean() / m.mean()))
                    if n < N_JUDGED:
                        continue
                    se = float(np.std(ratio_pts) / math.sqrt(ratio_pts.size))
                    comps.append(compare_estimate(
                        est, boot, 1.0, (est - 1.0) / max(se, 1e-12), tolerance=self.tolerance,
                        tolerance_reason=self.tolerance_reason, alpha=alpha, N=N,
                        label=f"predicted / measured error of theory-beta ridge, sigma^2={s2}, n={n}, N={N}"))
                diff = meas[..., READOUTS.index("theory SGD")] - meas[..., READOUTS.index("CV ridge")]
                worse = [n for i, n in enumerate(grid) if _interval(diff[:, j, i, :].ravel())[1] > 0]
                better = [n for i, n in enumerate(grid) if _interval(diff[:, j, i, :].ravel())[2] < 0]
                findings.append(f"N = {N}, sigma^2 = {s2}: theory-regularised SGD minus CV ridge: significantly "
                                f"better at n = {better or 'none'}, significantly worse at n = {worse or 'none'} "
                                f"(95 % bootstrap over {diff.shape[0]} realisations x {diff.shape[3]} draws)")
        # the worst judged comparison at each size (one size: reported, not fitted)
        worst = {}
        for c in comps:
            if c.N not in worst or abs(c.discrepancy) > abs(worst[c.N].discrepancy):
                worst[c.N] = c
        fits = [fit_exponent(list(worst), [c.discrepancy for c in worst.values()], [c.se for c in worst.values()],
                             metric="largest |predicted / measured - 1| over the judged n")] if worst else []
        return self.result(comps, fits, findings=findings, metrics=metrics, plot_data=plot)

    def figures(self, result):
        import matplotlib.pyplot as plt

        sizes = sorted(result.plot_data)
        fig, axes = plt.subplots(1, len(NOISE_VARS), figsize=(4.2 * len(NOISE_VARS), 3.4), squeeze=False)
        for N in sizes[:1]:
            s = result.plot_data[N]
            for j, s2 in enumerate(NOISE_VARS):
                ax = axes[0, j]
                draw_curves(ax, s, j)
                ax.set_title(f"N = {N}, noise variance {s2}", fontsize=8)
        axes[0, 0].legend(fontsize=6)
        fig.suptitle("(k) learning curves: predicted from the kernel's Mercer spectrum and measured")
        fig.tight_layout()
        return [("k_learning_curve", fig)]


def _interval(x, seed=0):
    return mean_interval(x, seed=seed)


def _bootstrap_ratio(p, m, seed, n_boot=2000) -> tuple[float, float]:
    """95 % interval of mean(p) / mean(m), resampling realisations (p, m rows) and draws within them."""
    rng = np.random.default_rng(np.random.SeedSequence(list(np.abs(np.asarray(seed, dtype=np.int64)))))
    R, D = m.shape
    r = rng.integers(0, R, (n_boot, R))
    d = rng.integers(0, D, (n_boot, R, D))
    out = p[r].mean(axis=1) / np.take_along_axis(m[r], d, axis=2).mean(axis=(1, 2))
    lo, hi = np.quantile(out, [0.025, 0.975])
    return float(lo), float(hi)


def draw_curves(ax, s, j, *, colors=None, legend=True):
    """Measured errors (mean and 95 % interval over realisations and draws) and predicted curves at noise j."""
    ns = np.asarray(s["n_grid"])
    meas, pred = s["measured"], s["predicted"]
    colors = colors or {"plain SGD": "#999999", "theory SGD": "#D55E00", "CV ridge": "#0072B2",
                        "theory-beta ridge": "#009E73"}
    for mi, name in enumerate(READOUTS):
        stats_ = [mean_interval(meas[:, j, i, :, mi], seed=i) for i in range(ns.size)]
        m = np.array([v[0] for v in stats_])
        lo = np.array([v[1] for v in stats_])
        hi = np.array([v[2] for v in stats_])
        ax.errorbar(ns * (1 + 0.03 * (mi - 1.5)), m, yerr=[m - lo, hi - m], fmt="o", ms=3, lw=0.8,
                    color=colors[name], label=f"measured: {name}")
    styles = {("theory", "self-consistent"): ("k", "-"), ("paired", "self-consistent"): ("#CC79A7", "-."),
              ("empirical", "self-consistent"): ("k", "--"),
              ("theory", "asymptotic"): ("#777777", ":")}
    for (k, f), (c, ls) in styles.items():
        ax.plot(ns, pred[:, KERNELS.index(k), FORMS.index(f), j].mean(axis=0), color=c, ls=ls, lw=1.2,
                label=f"predicted ({k} kernel, {f})")
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("training samples n")
    ax.set_ylabel("excess generalisation error")


__all__ = [
    "FORMS",
    "KERNELS",
    "NOISE_VARS",
    "N_GRID",
    "READOUTS",
    "LearningCurveCheck",
    "LearningCurveRequest",
    "draw_curves",
    "learning_curve_item",
    "mean_interval",
    "reservoir",
    "task_series",
]
