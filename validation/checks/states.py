"""Check (d): P(state) for quiescent / coherent / oscillatory / irregular (THEORY.md section 7)."""

from __future__ import annotations

import numpy as np

from meanfield.model import STATES

from ..convergence import fit_exponent
from ..statistics import compare_proportions
from .base import FAMILY_ALPHA, Check, bonferroni
from .common import H_THRESHOLD, PUBLISHED, REFERENCE_SETS, reference_points, states_of

STATE_NAMES = tuple(s.value for s in STATES)


class StatesCheck(Check):
    name = "d"
    slug = "states"
    title = "Probabilities of the four states, and P(|h(T)| > 0.5)"
    parameters = ("the three reference sets of THEORY.md section 4, (g, J0) = (0.8, 2), (1.5, 1), (1.5, 3); "
                  "tanh, lambda0 = 0, dt = 0.1, no input")
    observable = ("state of the path of h over [T - 20, T] by the shared classifier of section 7 "
                  "(default StateCriteria); the event |h(T)| > 0.5 of section 4")
    theory = "fraction of theory samples (innovation draws) in each state"
    simulation = "fraction of simulated networks in each state, at each N"
    statistic = "difference of proportions with Newcombe's 95 % interval; pooled two-proportion z-test"
    tolerance = 0.1
    tolerance_reason = ("0.1 in probability: THEORY.md section 4 reports finite-N differences up to 0.04 "
                        "(0.34 vs 0.30 at N = 2000); 0.1 leaves room for N = 500 and is smaller than the "
                        "state-probability changes between the reference sets")

    def requests(self, preset):
        return [r for p in reference_points(preset) for r in p.requests()]

    def evaluate(self, data, preset):
        T = preset.T_dynamics
        points = reference_points(preset)
        m = sum(len(p.sizes) * (len(STATE_NAMES) + 1) for p in points)
        alpha = bonferroni(FAMILY_ALPHA, m)
        comps, plot, per_N = [], {}, {}
        for (g, J0), p in zip(REFERENCE_SETS, points):
            th = data(p.theory[p.sizes[0]])
            th_states = states_of(th, T)
            th_big = np.abs(th.stack("h")[:, -1]) > H_THRESHOLD
            plot[p.label] = {"theory": {s: th_states.count(s) / len(th_states) for s in STATE_NAMES},
                             "n_theory": len(th_states), "sim": {}}
            plot[p.label]["theory"]["|h(T)|>0.5"] = float(th_big.mean())
            for N in p.sizes:
                sim = data(p.sims[N])
                sim_states = states_of(sim, T)
                sim_big = np.abs(sim.stack("h")[:, -1]) > H_THRESHOLD
                row = {}
                for s in STATE_NAMES:
                    c = compare_proportions(
                        th_states.count(s), len(th_states), sim_states.count(s), len(sim_states),
                        tolerance=self.tolerance, tolerance_reason=self.tolerance_reason, alpha=alpha,
                        label=f"P({s}), {p.label}, N={N}", N=N)
                    comps.append(c)
                    per_N.setdefault(N, []).append(c)
                    row[s] = c
                c = compare_proportions(
                    int(th_big.sum()), th_big.size, int(sim_big.sum()), sim_big.size,
                    tolerance=self.tolerance, tolerance_reason=self.tolerance_reason, alpha=alpha,
                    label=f"P(|h(T)|>0.5), {p.label}, N={N}", N=N)
                if T == 60.0:
                    c.extra["published"] = PUBLISHED[(g, J0)]
                comps.append(c)
                per_N.setdefault(N, []).append(c)
                row["|h(T)|>0.5"] = c
                plot[p.label]["sim"][N] = {k: (v.simulation["p"], v.simulation["low"], v.simulation["high"])
                                           for k, v in row.items()}
                plot[p.label]["theory_ci"] = {k: (v.theory["low"], v.theory["high"]) for k, v in row.items()}
        sizes = sorted(per_N)
        notes = []
        for (g, J0), p in zip(REFERENCE_SETS, points):
            ref = PUBLISHED[(g, J0)]
            mine = [c for c in comps if c.label.startswith(f"P(|h(T)|>0.5), {p.label},")]
            here = ", ".join(f"N={c.N} {c.simulation['p']:.3f}" for c in mine)
            if T == 60.0 and mine:
                notes.append(f"reference (THEORY.md section 4, T = 60) P(|h(T)|>0.5) at {p.label}: theory "
                             f"{ref['theory']}, networks N=1000 {ref['N=1000']}, N=2000 {ref['N=2000']}; this run: "
                             f"theory {mine[0].theory['p']:.3f}, networks {here}")
        worst = [max(per_N[N], key=lambda c: abs(c.discrepancy)) for N in sizes]
        fit = fit_exponent(sizes, [abs(c.discrepancy) for c in worst], [c.se for c in worst],
                           metric="max |P_sim - P_theory| over states and sets")
        return self.result(comps, [fit], findings=notes, plot_data=plot,
                           metrics={"sizes": sizes, "max_abs_difference": [abs(c.discrepancy) for c in worst],
                                    "published_T60": {f"g={g:g}, J0={J0:g}": v for (g, J0), v in PUBLISHED.items()}})

    def figures(self, result):
        import matplotlib.pyplot as plt

        labels = list(result.plot_data)
        cats = list(STATE_NAMES) + ["|h(T)|>0.5"]
        fig, axes = plt.subplots(1, len(labels), figsize=(4.4 * len(labels), 3.8), squeeze=False)
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for j, lab in enumerate(labels):
            ax = axes[0, j]
            d = result.plot_data[lab]
            sizes = sorted(d["sim"])
            width = 0.8 / (1 + len(sizes))
            x = np.arange(len(cats))
            th = [d["theory"][c] for c in cats]
            lo = [d["theory_ci"][c][0] for c in cats]
            hi = [d["theory_ci"][c][1] for c in cats]
            ax.bar(x, th, width, color="0.3", label=f"theory (n={d['n_theory']})",
                   yerr=[np.subtract(th, lo), np.subtract(hi, th)], capsize=2)
            for i, N in enumerate(sizes):
                v = [d["sim"][N][c] for c in cats]
                p = np.array([a[0] for a in v])
                ax.bar(x + (i + 1) * width, p, width, color=colors[i + 1], label=f"simulation N={N}",
                       yerr=[p - [a[1] for a in v], np.array([a[2] for a in v]) - p], capsize=2)
            ax.set_xticks(x + 0.4 - width / 2)
            ax.set_xticklabels(cats, rotation=30, ha="right", fontsize=8)
            ax.set_ylim(0, 1)
            ax.set_title(lab)
            ax.set_ylabel("probability (95 % Wilson)")
            if j == 0:
                ax.legend(fontsize=7)
        fig.suptitle("(d) state probabilities")
        fig.tight_layout()
        return [("d_states", fig)]
