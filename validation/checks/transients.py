"""Check (c): Delta(t,t) and the ensemble law of h(t) at several t (THEORY.md section 4)."""

from __future__ import annotations

import numpy as np

from ..convergence import fit_exponent
from ..statistics import compare_curves, compare_distributions
from .base import FAMILY_ALPHA, Check, bonferroni
from .common import decimate, reference_points

TIMES = (5.0, 10.0, 20.0)  # plus the final time T


class TransientsCheck(Check):
    name = "c"
    slug = "transients"
    title = "Microscopic variance Delta(t,t) and the law of h(t)"
    parameters = ("the three reference sets of THEORY.md section 4, (g, J0) = (0.8, 2), (1.5, 1), (1.5, 3); "
                  "tanh, lambda0 = 0, h0 = 0, sigma0 = 1, dt = 0.1, no input")
    observable = "ensemble mean of Delta(t,t) over 0 <= t <= T; h(t) at t = 5, 10, 20 and T"
    theory = "causal forward sweep (meanfield.solve), one sample per innovation draw xi"
    simulation = "forward-Euler networks at each N (simulate), one realisation of z and u per network"
    statistic = ("Delta(t,t): relative sup-norm gap of the ensemble means with a bootstrap max-t band; "
                 "h(t): two-sample Kolmogorov-Smirnov (Anderson-Darling reported)")
    tolerance = 0.1
    tolerance_reason = ("Delta(t,t): 5 % relative (THEORY.md section 4 measured 1-3 % at N = 1000-2000; "
                        "a 5 % band leaves room for N = 500). Law of h(t): KS distance 0.1, the tolerance "
                        "of every probability in this report (D bounds |P_sim(h <= x) - P_th(h <= x)| for all x)")
    delta_tolerance = 0.05

    def requests(self, preset):
        return [r for p in reference_points(preset) for r in p.requests()]

    def evaluate(self, data, preset):
        points = reference_points(preset)
        T = preset.T_dynamics
        times = [t for t in TIMES if t < T] + [T]
        m = sum(len(p.sizes) * (1 + len(times)) for p in points)
        alpha = bonferroni(FAMILY_ALPHA, m)
        comps, plot, per_N_delta, per_N_ks = [], {}, {}, {}
        for p in points:
            plot[p.label] = {}
            for N in p.sizes:
                th, sim = data(p.theory[N]), data(p.sims[N])
                rec_t = p.sims[N].grid.record_times
                idx = decimate(rec_t, 0.5)
                c = compare_curves(
                    th.stack("delta_tt")[:, idx], sim.stack("delta_tt")[:, idx], rec_t[idx],
                    tolerance=self.delta_tolerance, tolerance_reason=self.tolerance_reason, alpha=alpha,
                    label=f"Delta(t,t), {p.label}, N={N}", N=N, n_boot=preset.n_boot, seed=preset.root_seed)
                comps.append(c)
                per_N_delta.setdefault(N, []).append(c)
                h_th, h_sim = th.stack("h"), sim.stack("h")
                for t in times:
                    k = int(round(t / (rec_t[1] - rec_t[0])))
                    ck = compare_distributions(
                        h_th[:, k], h_sim[:, k], tolerance=self.tolerance,
                        tolerance_reason=self.tolerance_reason, alpha=alpha,
                        label=f"law of h({t:g}), {p.label}, N={N}", N=N)
                    comps.append(ck)
                    per_N_ks.setdefault(N, []).append(ck)
                plot[p.label][N] = {
                    "delta": c.extra["curves"],
                    "h_quantiles_theory": np.quantile(h_th[:, idx], [0.1, 0.5, 0.9], axis=0),
                    "h_quantiles_sim": np.quantile(h_sim[:, idx], [0.1, 0.5, 0.9], axis=0),
                    "t": rec_t[idx], "hT_theory": h_th[:, -1], "hT_sim": h_sim[:, -1],
                }
        sizes = sorted(per_N_delta)
        worst_delta = [max(per_N_delta[N], key=lambda c: c.discrepancy) for N in sizes]
        mean_ks = [float(np.mean([c.discrepancy for c in per_N_ks[N]])) for N in sizes]
        mean_ks_se = [float(np.mean([c.se for c in per_N_ks[N]])) for N in sizes]  # a bias floor: no 1/sqrt
        fits = [
            fit_exponent(sizes, [c.discrepancy for c in worst_delta], [c.se for c in worst_delta],
                         metric="max relative gap of Delta(t,t)"),
            fit_exponent(sizes, mean_ks, mean_ks_se, metric="mean KS distance of h(t)"),
        ]
        return self.result(comps, fits, plot_data=plot, metrics={
            "sizes": sizes, "max_delta_gap": [c.discrepancy for c in worst_delta], "mean_ks": mean_ks})

    def figures(self, result):
        import matplotlib.pyplot as plt

        labels = list(result.plot_data)
        fig, axes = plt.subplots(2, len(labels), figsize=(4.2 * len(labels), 6.4), squeeze=False)
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for j, lab in enumerate(labels):
            per_N = result.plot_data[lab]
            ax, ax2 = axes[0, j], axes[1, j]
            first = True
            for i, (N, d) in enumerate(sorted(per_N.items())):
                cur = d["delta"]
                x, th, sim, band = cur["x"], cur["theory"], cur["simulation"], cur["band"]
                if first:
                    ax.plot(x, th, color="k", lw=2, label="theory")
                    q = d["h_quantiles_theory"]
                    ax2.fill_between(d["t"], q[0], q[2], color="0.8", label="theory 10-90 %")
                    ax2.plot(d["t"], q[1], color="k", lw=2, label="theory median")
                    first = False
                ax.plot(x, sim, color=colors[i + 1], lw=1.2, label=f"simulation N={N}")
                ax.fill_between(x, sim - band, sim + band, color=colors[i + 1], alpha=0.2)
                qs = d["h_quantiles_sim"]
                ax2.plot(d["t"], qs[1], color=colors[i + 1], lw=1.2, label=f"N={N} median")
                ax2.plot(d["t"], qs[0], color=colors[i + 1], lw=0.8, ls="--")
                ax2.plot(d["t"], qs[2], color=colors[i + 1], lw=0.8, ls="--")
            ax.set_title(lab)
            ax.set_xlabel("t")
            ax.set_ylabel("mean Delta(t,t)")
            ax2.set_xlabel("t")
            ax2.set_ylabel("h(t): median, 10 % and 90 %")
            if j == 0:
                ax.legend(fontsize=7)
                ax2.legend(fontsize=7)
        fig.suptitle("(c) Delta(t,t) (band: simultaneous 95 % bootstrap) and quantiles of h(t)")
        fig.tight_layout()
        return [("c_transients", fig)]
