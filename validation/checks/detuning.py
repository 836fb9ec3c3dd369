"""Check (g): detuned networks, lambda0 != 0, and what is special at lambda0 = 0 (THEORY.md sections 1, 2, 4).

At lambda0 = 0 the mean connectivity is nilpotent and the population mode is
driven only by the O(1) fluctuation term of section 2. A detuning adds the
deterministic feedback lambda0 M(t) (section 4, step 3). In the network it is
a per-synapse E/I imbalance of only lambda0 / sqrt(N) (v_j = J0 s_j +
lambda0 / sqrt(N)), yet it moves the law of h by O(1): the balanced point is
critical. The check compares theory and simulation at every lambda0 and
reports the theory's sensitivity dP(|h(T)| > 0.5) / dlambda0 at 0.
"""

from __future__ import annotations

import numpy as np

from ..convergence import fit_exponent
from .base import FAMILY_ALPHA, Check, bonferroni
from .common import H_THRESHOLD, for_preset, point

SET = (0.8, 2.0)
#: lambda0 != 0 per preset (lambda0 = 0 is always compared)
DETUNINGS = {"smoke": (1.0,), "quick": (-1.0, 1.0), "full": (-1.0, -0.5, 0.5, 1.0)}


def detuning_points(preset):
    g, J0 = SET
    pts = {0.0: point("lambda0=0", g, J0, preset.T_dynamics, preset.n_theory, preset.networks, preset.sim_dtype)}
    for lam in for_preset(DETUNINGS, preset, "check g"):
        pts[float(lam)] = point(f"lambda0={lam:g}", g, J0, preset.T_dynamics, preset.n_theory_entrainment,
                                preset.entrainment_networks, preset.sim_dtype, lambda0=lam)
    return dict(sorted(pts.items()))


class DetuningCheck(Check):
    name = "g"
    slug = "detuning"
    title = "Detuned networks (lambda0 != 0) and the critical balance lambda0 = 0"
    parameters = "g = 0.8, J0 = 2, lambda0 = 0 and +-1 (quick), also +-0.5 (full); no input, dt = 0.1"
    observable = "P(|h(T)| > 0.5) and the law of h(T)"
    theory = "causal forward sweep with the feedback m_k = J0 (Lc xi)_k + lambda0 M_k"
    simulation = "networks with v_j = J0 s_j + lambda0 / sqrt(N) at each N"
    statistic = "difference of proportions (Newcombe 95 %, z-test) and two-sample KS on h(T)"
    tolerance = 0.1
    tolerance_reason = "0.1 in probability and in KS distance, as everywhere in this report"

    def requests(self, preset):
        return [r for p in detuning_points(preset).values() for r in p.requests()]

    def evaluate(self, data, preset):
        pts = detuning_points(preset)
        sizes = tuple(sorted(set.intersection(*[set(p.sizes) for p in pts.values()])))
        alpha = bonferroni(FAMILY_ALPHA, 2 * len(pts) * len(sizes))
        comps, per_N, plot = [], {}, {"lambda0": list(pts), "theory": [], "sim": {}}
        for lam, p in pts.items():
            h_th = data(p.theory[sizes[0]]).stack("h")[:, -1]
            for N in sizes:
                h_sim = data(p.sims[N]).stack("h")[:, -1]
                c, k = self.event_and_law(np.abs(h_th) > H_THRESHOLD, np.abs(h_sim) > H_THRESHOLD, h_th, h_sim,
                                          event="P(|h(T)|>0.5)", where=f"lambda0={lam:g}", N=N, alpha=alpha)
                comps += [c, k]
                per_N.setdefault(N, []).append(c)
                plot["sim"].setdefault(N, []).append(c.simulation)
            plot["theory"].append(c.theory)
        lams = np.array(list(pts))
        p_th = np.array([t["p"] for t in plot["theory"]])
        slope = float(np.polyfit(lams, p_th, 1)[0]) if lams.size > 1 else float("nan")
        worst = [max(per_N[N], key=lambda c: abs(c.discrepancy)) for N in sizes]
        fit = fit_exponent(sizes, [abs(c.discrepancy) for c in worst], [c.se for c in worst],
                           metric="max |P_sim - P_theory| over lambda0")
        p0 = plot["theory"][list(pts).index(0.0)]["p"]
        findings = [f"theory: P(|h(T)|>0.5) = {p0:.2f} at lambda0 = 0 and changes by {slope:+.2f} per unit "
                    f"lambda0 (least-squares slope), i.e. by O(1) for a per-synapse imbalance lambda0/sqrt(N)"]
        return self.result(comps, [fit], findings=findings, plot_data=plot, metrics={
            "sizes": list(sizes), "lambda0": lams.tolist(), "theory_probability": p_th.tolist(),
            "slope_per_lambda0": slope, "max_abs_difference": [abs(c.discrepancy) for c in worst]})

    def figures(self, result):
        import matplotlib.pyplot as plt

        d = result.plot_data
        lam = np.array(d["lambda0"], dtype=float)
        fig, ax = plt.subplots(figsize=(6, 3.8))
        th = d["theory"]
        p = np.array([t["p"] for t in th])
        ax.fill_between(lam, [t["low"] for t in th], [t["high"] for t in th], color="0.8")
        ax.plot(lam, p, "k-", lw=2, label="theory (95 % band)")
        for i, N in enumerate(sorted(d["sim"])):
            s = d["sim"][N]
            q = np.array([v["p"] for v in s])
            ax.errorbar(lam + 0.03 * (i - 0.5), q, yerr=[q - [v["low"] for v in s], [v["high"] for v in s] - q],
                        fmt="o", color=f"C{i + 1}", capsize=3, label=f"simulation N={N}")
        ax.axvline(0, color="C3", ls=":", lw=1, label="critical balance lambda0 = 0")
        ax.set_xlabel("lambda0 (per-synapse imbalance lambda0 / sqrt(N))")
        ax.set_ylabel("P(|h(T)| > 0.5)")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=7)
        ax.set_title("(g) detuning, g = 0.8, J0 = 2")
        fig.tight_layout()
        return [("g_detuning", fig)]
