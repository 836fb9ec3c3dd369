"""Checks (a) and (b): outlier eigenvalues of J and P(x = 0 unstable) (THEORY.md section 3).

Both use the same ensembles: the N -> infinity outliers lambda = g / w of the
random power series (``meanfield.linear.outlier_distribution``) and the
eigenvalues of realised finite-N matrices J (``simulate.spectrum``), whose
realisation i has the z of the i-th network of the simulation seeds.

Finite-N bulk: the eigenvalues of g z / sqrt(N) fill a disk whose edge
exceeds g by O(g sqrt(log N / N)) (Rider 2003). Outliers closer to the edge
than the margin r_N = ``simulate.bulk_radius(network)`` = g (1 + 3 / sqrt(N))
are not resolved at that N, so every law below is censored at r_N on BOTH
sides (the theory at the same N-dependent radius).
"""

from __future__ import annotations

import numpy as np

from meanfield.estimators import censored_abscissa, censored_radius, split_by_sample
from meanfield.model import Network
from simulate.spectrum import bulk_radius

from ..convergence import fit_exponent
from ..requests import EigenRequest, LinearTheoryRequest
from ..statistics import compare_distributions, compare_proportions
from .base import FAMILY_ALPHA, Check, bonferroni
from .common import for_preset

#: (g, J0) of check (a), the first point of figure 1
OUTLIER_POINT = (0.8, 2.0)
#: (g, J0) points of check (b) per preset, g < 1 (only an outlier can make x = 0 unstable)
INSTABILITY_POINTS = {
    "smoke": ((0.8, 2.0),),
    "quick": ((0.8, 2.0), (0.6, 3.0)),
    "full": ((0.8, 1.2), (0.8, 2.0), (0.8, 3.0), (0.6, 3.0), (0.5, 4.0)),
}


def eigen_requests(preset, g, J0):
    theory = LinearTheoryRequest(g, J0, n=preset.n_zeta)
    sims = {N: EigenRequest(Network(N=N, g=g, J0=J0), n=preset.eigen_networks.count(N))
            for N in preset.eigen_networks.N}
    return theory, sims


def _theory_per_sample(view):
    """Outliers of each zeta sample as a list, and the spectral abscissa max(g, Re outliers)."""
    it = view.items[0]
    return split_by_sample(it["outliers"], it["sample_index"], it["max_re"].size), it["max_re"]


class OutlierCheck(Check):
    name = "a"
    slug = "outliers"
    title = "Outlier eigenvalues of J"
    parameters = "g = 0.8, J0 = 2, lambda0 = 0"
    observable = ("per network: the largest outlier modulus and the largest outlier real part, "
                  "both censored below at the finite-N bulk margin r_N = g (1 + 3/sqrt(N))")
    theory = ("roots |w| < sqrt(g) of w^2 sum_k zeta_(k+1) w^k = g / J0, lambda = g / w, zeta iid N(0,1) "
              "(THEORY.md section 3; meanfield.linear.outlier_distribution)")
    simulation = ("outliers of the realised J = (g z + u v^T) / sqrt(N) (simulate.outlier_eigenvalues: the "
                  "rank-one moment equation with a certified count, numpy.linalg.eigvals where it cannot certify)")
    statistic = ("two-sample Kolmogorov-Smirnov on the censored laws (Anderson-Darling reported); paired: the "
                 "law of each matrix's own zeta_1..zeta_6 against N(0, 1) (KS), and the distance from the "
                 "outliers that section 3 predicts from that matrix's zeta to its actual outliers (reported)")
    tolerance = 0.1
    tolerance_reason = ("KS distance 0.1, as every law in this report; outliers within the bulk margin "
                        "are censored on both sides, so the finite-N bulk edge does not enter")

    def requests(self, preset):
        g, J0 = OUTLIER_POINT
        th, sims = eigen_requests(preset, g, J0)
        return [th, *sims.values()]

    def evaluate(self, data, preset):
        g, J0 = OUTLIER_POINT
        th_req, sims = eigen_requests(preset, g, J0)
        th_per, _ = _theory_per_sample(data(th_req))
        alpha = bonferroni(FAMILY_ALPHA, 3 * len(sims))
        comps, plot, per_N, findings, paired = [], {"g": g, "J0": J0, "sim": {}}, {}, [], {}
        w_max = np.sqrt(g)
        # the theory's law of every zeta_k: N(0, 1), sampled from a fixed seed (the same draws at every N)
        normal = np.random.default_rng(np.random.SeedSequence(preset.root_seed, spawn_key=(3,))).standard_normal(
            20_000)
        for N, req in sims.items():
            view = data(req)
            sim_per = [it["outliers"] for it in view.items]
            zeta = view.stack("zeta")
            c = compare_distributions(normal, zeta.ravel(), tolerance=self.tolerance,
                                      tolerance_reason=self.tolerance_reason, alpha=alpha,
                                      label=f"law of each matrix's zeta_1..zeta_6 vs N(0, 1), N={N}", N=N)
            comps.append(c)
            err, n_pred, mism = view.stack("paired_error"), view.stack("paired_count"), view.stack("paired_mismatch")
            paired[N] = {"max_error": float(err.max()), "outliers": int(n_pred.sum()),
                         "count_mismatches": int(mism.sum()), "matrices": len(view)}
            findings.append(f"N = {N}: the outliers that section 3 predicts from each matrix's own zeta match its "
                            f"actual outliers to {err.max():.1e} ({int(n_pred.sum())} outliers, {len(view)} "
                            f"matrices, {int(mism.sum())} count mismatches)")
            r = max(bulk_radius(req.network), g / w_max)
            for what, fn in (("largest |lambda|", censored_radius), ("largest Re lambda", censored_abscissa)):
                c = compare_distributions(
                    fn(th_per, r), fn(sim_per, r), tolerance=self.tolerance,
                    tolerance_reason=self.tolerance_reason, alpha=alpha,
                    label=f"{what} (censored at {r:.3f}), g={g:g}, J0={J0:g}, N={N}", N=N)
                c.extra["censoring_radius"] = r
                comps.append(c)
                per_N.setdefault(N, []).append(c)
            plot["sim"][N] = {"outliers": np.concatenate(sim_per) if sim_per else np.zeros(0, complex),
                              "n": len(sim_per), "r": r}
        shown = th_per[:400]
        plot["theory"] = np.concatenate(shown) if shown else np.zeros(0, complex)
        plot["n_theory_shown"] = len(shown)
        sizes = sorted(per_N)
        worst = [max(per_N[N], key=lambda c: c.discrepancy) for N in sizes]
        fit = fit_exponent(sizes, [c.discrepancy for c in worst], [c.se for c in worst],
                           metric="max KS distance of the censored outlier laws")
        return self.result(comps, [fit], findings=findings, plot_data=plot,
                           metrics={"sizes": sizes, "max_ks": [c.discrepancy for c in worst], "paired": paired})

    def figures(self, result):
        import matplotlib.pyplot as plt

        d = result.plot_data
        g = d["g"]
        N = max(d["sim"])
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
        ax = axes[0]
        th = d["theory"]
        ax.scatter(th.real, th.imag, s=4, color="k", alpha=0.4,
                   label=f"theory ({d['n_theory_shown']} zeta samples)")
        sim = d["sim"][N]["outliers"]
        ax.scatter(sim.real, sim.imag, s=10, color="C1", alpha=0.8, label=f"finite N={N} ({d['sim'][N]['n']} J)")
        t = np.linspace(0, 2 * np.pi, 200)
        ax.plot(g * np.cos(t), g * np.sin(t), color="0.5", lw=1, label="bulk edge |lambda| = g")
        r = d["sim"][N]["r"]
        ax.plot(r * np.cos(t), r * np.sin(t), color="0.5", lw=1, ls=":", label="censoring radius")
        ax.axvline(1.0, color="C3", lw=1, ls="--", label="Re lambda = 1")
        ax.set_aspect("equal")
        ax.set_xlabel("Re lambda")
        ax.set_ylabel("Im lambda")
        ax.legend(fontsize=7, loc="lower left")
        ax.set_title("outliers of J")
        ax = axes[1]
        for c in result.comparisons:
            if "largest Re" not in c.label:
                continue
            ax.errorbar(c.N, c.discrepancy, yerr=[[c.discrepancy - c.interval[0]], [c.interval[1] - c.discrepancy]],
                        fmt="o", color="C1", capsize=3)
        for c in result.comparisons:
            if "largest |lambda|" not in c.label:
                continue
            ax.errorbar(c.N * 1.04, c.discrepancy, yerr=[[c.discrepancy - c.interval[0]],
                                                         [c.interval[1] - c.discrepancy]],
                        fmt="s", color="C0", capsize=3)
        ax.plot([], [], "o", color="C1", label="largest Re lambda")
        ax.plot([], [], "s", color="C0", label="largest |lambda|")
        ax.axhline(result.comparisons[0].tolerance, color="C3", ls="--", label="tolerance")
        ax.set_xscale("log")
        ax.set_xlabel("N")
        ax.set_ylabel("KS distance theory vs simulation")
        ax.legend(fontsize=7)
        ax.set_title("discrepancy versus N (95 % interval)")
        fig.suptitle(f"(a) outlier eigenvalues, g={g:g}, J0={d['J0']:g}")
        fig.tight_layout()
        return [("a_outliers", fig)]


class InstabilityCheck(Check):
    name = "b"
    slug = "instability"
    title = "P(x = 0 unstable) versus (g, J0)"
    parameters = ("(g, J0) = (0.8, 2), (0.6, 3) (quick), and (0.8, 1.2), (0.8, 3), (0.5, 4) (full); "
                  "g < 1, lambda0 = 0")
    observable = "whether some eigenvalue of J has Re lambda > 1 (g < 1: only an outlier can)"
    theory = ("fraction of zeta samples whose outlier equation has a root with Re(g / w) > 1 "
              "(THEORY.md section 3)")
    simulation = "fraction of realised finite-N matrices J with max Re eig(J) > 1"
    statistic = "difference of proportions with Newcombe's 95 % interval; pooled two-proportion z-test"
    tolerance = 0.1
    tolerance_reason = ("0.1 in probability, as every probability in this report; THEORY.md section 3 "
                        "found 0.5 in both at N = 1000, g = 0.8, J0 = 2")

    def requests(self, preset):
        out = []
        for g, J0 in for_preset(INSTABILITY_POINTS, preset, "check b"):
            th, sims = eigen_requests(preset, g, J0)
            out += [th, *sims.values()]
        return out

    def evaluate(self, data, preset):
        pts = for_preset(INSTABILITY_POINTS, preset, "check b")
        alpha = bonferroni(FAMILY_ALPHA, len(pts) * len(preset.eigen_networks.N))
        comps, plot, per_N = [], {}, {}
        for g, J0 in pts:
            th_req, sims = eigen_requests(preset, g, J0)
            unstable = data(th_req).items[0]["unstable"]
            lab = f"g={g:g}, J0={J0:g}"
            plot[lab] = {"theory": None, "sim": {}}
            for N, req in sims.items():
                flags = data(req).stack("max_re") > 1.0
                c = compare_proportions(int(unstable.sum()), unstable.size, int(flags.sum()), flags.size,
                                        tolerance=self.tolerance, tolerance_reason=self.tolerance_reason,
                                        alpha=alpha, label=f"P(unstable), {lab}, N={N}", N=N)
                comps.append(c)
                per_N.setdefault(N, []).append(c)
                plot[lab]["theory"] = c.theory
                plot[lab]["sim"][N] = c.simulation
        sizes = sorted(per_N)
        worst = [max(per_N[N], key=lambda c: abs(c.discrepancy)) for N in sizes]
        fit = fit_exponent(sizes, [abs(c.discrepancy) for c in worst], [c.se for c in worst],
                           metric="max |P_sim - P_theory| over (g, J0)")
        return self.result(comps, [fit], plot_data=plot,
                           metrics={"sizes": sizes, "max_abs_difference": [abs(c.discrepancy) for c in worst]})

    def figures(self, result):
        import matplotlib.pyplot as plt

        labels = list(result.plot_data)
        fig, ax = plt.subplots(figsize=(max(5.5, 1.8 + 1.8 * len(labels)), 3.8))
        x = np.arange(len(labels))
        sizes = sorted({N for lab in labels for N in result.plot_data[lab]["sim"]})
        width = 0.8 / (1 + len(sizes))
        th = [result.plot_data[lab]["theory"] for lab in labels]
        p = np.array([t["p"] for t in th])
        ax.bar(x, p, width, color="0.3", label="theory (zeta series)",
               yerr=[p - [t["low"] for t in th], np.array([t["high"] for t in th]) - p], capsize=3)
        for i, N in enumerate(sizes):
            s = [result.plot_data[lab]["sim"][N] for lab in labels]
            q = np.array([v["p"] for v in s])
            ax.bar(x + (i + 1) * width, q, width, color=f"C{i + 1}", label=f"eigenvalues, N={N}",
                   yerr=[q - [v["low"] for v in s], np.array([v["high"] for v in s]) - q], capsize=3)
        ax.set_xticks(x + 0.4 - width / 2)
        ax.set_xticklabels(labels)
        ax.set_ylim(0, 1)
        ax.set_ylabel("P(max Re lambda > 1) (95 % Wilson)")
        ax.legend(fontsize=7)
        ax.set_title("(b) probability that x = 0 is unstable")
        fig.tight_layout()
        return [("b_instability", fig)]
