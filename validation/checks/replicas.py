"""Check (h): one network under two conditions - Lyapunov exponents and stimulus discrimination (THEORY.md sections 5, 6).

Theory: the tangent-linear recursion of the joint two-replica system
(:mod:`meanfield.tangent`) for the macro finite-time exponent (shift of h0)
and the maximal exponent (microscopic kick), and two replicas with the same
innovations given the stimuli +A and -A on one sparse set. Simulation: the
same realised network run twice (Benettin tangent, the tangent along the
uniform direction, and the two stimuli from the same initial state). The
spread over theory samples is the predicted network-to-network spread.
"""

from __future__ import annotations

import numpy as np

from ..requests_replicas import (DiscriminationSimulationRequest, DiscriminationTheoryRequest,
                                 LyapunovSimulationRequest, LyapunovTheoryRequest)
from ..convergence import fit_exponent
from ..statistics import compare_distributions, compare_proportions
from .base import FAMILY_ALPHA, Check, bonferroni
from .common import grid

SET = (0.8, 2.0)
KAPPA, AMPLITUDE = 1.0, 0.2


def _requests_by_N(preset) -> dict:
    from meanfield.model import Network, SparseInput

    g, J0 = SET
    out = {}
    for N in preset.replica_networks.N:
        net = Network(N=N, g=g, J0=J0)
        n_sim, T = preset.replica_networks.count(N), preset.T_replicas
        sparse = SparseInput(kappa=KAPPA, A=AMPLITUDE)
        out[N] = {
            "lyap_theory": LyapunovTheoryRequest(net, grid(T), preset.n_theory_replicas),
            "lyap_sim": LyapunovSimulationRequest(net, grid(T), n_sim),
            "disc_theory": DiscriminationTheoryRequest(net, sparse, grid(T), preset.n_theory_replicas),
            "disc_sim": DiscriminationSimulationRequest(net, sparse, grid(T), n_sim, dtype=preset.sim_dtype),
        }
    return out


class ReplicaCheck(Check):
    name = "h"
    slug = "replicas"
    title = "One network, two conditions: Lyapunov exponents and stimulus discrimination"
    parameters = (f"g = {SET[0]}, J0 = {SET[1]}; exponents on (0, T); stimuli +A / -A on one sparse set, "
                  f"kappa = {KAPPA}, A = {AMPLITUDE}; dt = 0.1")
    observable = ("macro finite-time exponent, maximal exponent, P(sign h(T) reports the stimulus) "
                  "for each stimulus")
    theory = "tangent-linear recursion of two replicas (fresh innovations included); two replicas, same xi"
    simulation = "the same realised network twice: tangent along u, Benettin tangent, both stimuli from one x(0)"
    statistic = "two-sample KS on the exponents; difference of proportions (Newcombe 95 %, z-test)"
    tolerance = 0.1
    tolerance_reason = "0.1 in probability and in KS distance, as everywhere in this report"

    def requests(self, preset):
        return [r for reqs in _requests_by_N(preset).values() for r in reqs.values()]

    def evaluate(self, data, preset):
        by_N = _requests_by_N(preset)
        alpha = bonferroni(FAMILY_ALPHA, 4 * len(by_N))
        kw = dict(tolerance=self.tolerance, tolerance_reason=self.tolerance_reason, alpha=alpha)
        comps, plot, metrics, macro_ks = [], {"N": [], "theory": {}, "sim": {}}, {}, []
        for N, r in by_N.items():
            lt, ls = data(r["lyap_theory"]), data(r["lyap_sim"])
            dt_, ds = data(r["disc_theory"]), data(r["disc_sim"])
            exps = {"macro": (lt.stack("macro"), ls.stack("macro")),
                    "maximal": (lt.stack("maximal"), ls.stack("max"))}
            for key, (th, sim) in exps.items():
                comps.append(compare_distributions(th[np.isfinite(th)], sim, label=f"{key} exponent, N={N}", N=N,
                                                   **kw))
                if key == "macro":
                    macro_ks.append(comps[-1])
            h_th, h_sim = dt_.stack("h_T"), ds.stack("h_T")
            for a, (sign, name) in enumerate(((1, "+A"), (-1, "-A"))):
                k_th, k_sim = int((sign * h_th[:, a] > 0).sum()), int((sign * h_sim[:, a] > 0).sum())
                comps.append(compare_proportions(k_th, len(h_th), k_sim, len(h_sim),
                                                 label=f"P(sign h(T) correct | {name}), N={N}", N=N, **kw))
            plot["N"].append(N)
            plot["theory"][N] = {k: v[0].tolist() for k, v in exps.items()}
            plot["sim"][N] = {k: v[1].tolist() for k, v in exps.items()}
            metrics[str(N)] = {
                **{f"median_{k}_theory": float(np.median(v[0])) for k, v in exps.items()},
                **{f"median_{k}_simulation": float(np.median(v[1])) for k, v in exps.items()},
                "p_sign_correct_theory": float(np.mean([(h_th[:, 0] > 0).mean(), (h_th[:, 1] < 0).mean()])),
                "p_sign_correct_simulation": float(np.mean([(h_sim[:, 0] > 0).mean(),
                                                            (h_sim[:, 1] < 0).mean()])),
            }
        findings = []
        for N, m in metrics.items():
            findings.append(
                f"N = {N}: median macro exponent {m['median_macro_theory']:+.3f} (theory) vs "
                f"{m['median_macro_simulation']:+.3f}; maximal {m['median_maximal_theory']:+.3f} vs "
                f"{m['median_maximal_simulation']:+.3f}; P(sign h(T) correct) {m['p_sign_correct_theory']:.2f} vs "
                f"{m['p_sign_correct_simulation']:.2f}")
        fit = fit_exponent(list(by_N), [c.discrepancy for c in macro_ks], [c.se for c in macro_ks],
                           metric="KS distance of the macro exponent")
        return self.result(comps, [fit], findings=findings, plot_data=plot, metrics=metrics)

    def figures(self, result):
        import matplotlib.pyplot as plt

        d = result.plot_data
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
        for ax, key in zip(axes, ("macro", "maximal")):
            for i, N in enumerate(d["N"]):
                th = np.sort(d["theory"][N][key])
                sim = np.sort(d["sim"][N][key])
                if i == 0:
                    ax.step(th, np.arange(1, th.size + 1) / th.size, "k-", lw=2, where="post", label="theory")
                ax.step(sim, np.arange(1, sim.size + 1) / sim.size, color=f"C{i + 1}", where="post",
                        label=f"networks N={N}")
            ax.axvline(0, color="0.6", lw=0.5)
            ax.set_xlabel(f"{key} exponent (1/tau)")
            ax.set_ylabel("cumulative fraction")
            ax.legend(fontsize=7)
        axes[0].set_title("(h) macro finite-time exponent")
        axes[1].set_title("(h) maximal exponent (theory) vs Benettin")
        fig.tight_layout()
        return [("h_replicas", fig)]
