"""Check (i): the macro FTLE of reservoirs under a task input, theory against realisations (THEORY.md sections 5, 9).

The research result behind the reservoir layer is that the macroscopic
finite-time Lyapunov exponent varies from realisation to realisation at
fixed (N, g, J0), which makes selecting realisations worthwhile. The theory
gives the law of that exponent over realisations without simulating any
network: the tangent recursion of section 5 driven by the same input, one
sample per innovation draw. This check compares it with the exponents
measured on realised reservoirs, and reports (not judges) how well a
realisation's own zeta_k rank the realisations
(``meanfield.learning.macro_stability_score``, sections 3 and 9).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from meanfield.model import Network
from simulate.reservoir import Reservoir

from ..convergence import fit_exponent
from ..requests_reservoir import ReservoirFTLESimulationRequest, ReservoirFTLETheoryRequest
from ..statistics import compare_distributions, compare_proportions
from .base import FAMILY_ALPHA, Check, bonferroni

SET = (1.5, 1.0)
P_PULSE = 0.01
TASK_SEED = 1


def reservoir(N: int) -> Reservoir:
    """The reservoir of check (i) and figure 9: tanh, sparse input of amplitude 1 on kappa sqrt N neurons."""
    g, J0 = SET
    return Reservoir(Network(N=N, g=g, J0=J0), input_scaling=1.0, input_mode="sparse", kappa=1.0, dt=0.1)


def _requests_by_N(preset) -> dict:
    out = {}
    for N in preset.reservoir_networks.N:
        res = reservoir(N)
        out[N] = (ReservoirFTLETheoryRequest(res, preset.reservoir_steps, preset.n_theory_reservoir,
                                             p=P_PULSE, task_seed=TASK_SEED),
                  ReservoirFTLESimulationRequest(res, preset.reservoir_steps, preset.reservoir_networks.count(N),
                                                 p=P_PULSE, task_seed=TASK_SEED))
    return out


class ReservoirCheck(Check):
    name = "i"
    slug = "reservoir-ftle"
    title = "Macro FTLE of reservoirs under a task input: its law over realisations"
    parameters = (f"g = {SET[0]}, J0 = {SET[1]}, tanh, dt = 0.1, one input channel on round(sqrt N) excitatory "
                  f"neurons (amplitude 1), flip-flop input with pulse probability {P_PULSE}, the same input "
                  "sequence for every realisation; the exponent over the whole run")
    observable = ("macro finite-time Lyapunov exponent (growth of a perturbation along the uniform direction); "
                  "P(exponent below the theory's median)")
    theory = "tangent-linear recursion of THEORY.md section 5 under the same input, one sample per innovation draw"
    simulation = "ReservoirRealisation.macro_ftle of realised reservoirs, one z per realisation"
    statistic = ("two-sample KS on the exponents; difference of proportions (Newcombe 95 %, z-test); "
                 "reported: Spearman rank correlation of the zeta score with the measured exponent")
    tolerance = 0.1
    tolerance_reason = "0.1 in probability and in KS distance, as everywhere in this report"

    def requests(self, preset):
        return [r for pair in _requests_by_N(preset).values() for r in pair]

    def evaluate(self, data, preset):
        by_N = _requests_by_N(preset)
        alpha = bonferroni(FAMILY_ALPHA, 2 * len(by_N))
        kw = dict(tolerance=self.tolerance, tolerance_reason=self.tolerance_reason, alpha=alpha)
        comps, findings, plot, metrics, ks = [], [], {}, {"N": [], "spearman_score": []}, []
        for N, (th_req, sim_req) in by_N.items():
            th, sim = data(th_req), data(sim_req)
            x_th, x_sim, score = th.stack("macro"), sim.stack("macro"), sim.stack("score")
            x_th = x_th[np.isfinite(x_th)]
            law = compare_distributions(x_th, x_sim, label=f"law of the macro FTLE, N={N}", N=N, **kw)
            comps.append(law)
            ks.append(law)
            thr = float(np.median(x_th))
            comps.append(compare_proportions(int((x_th < thr).sum()), x_th.size, int((x_sim < thr).sum()),
                                             x_sim.size, label=f"P(FTLE < {thr:+.3f}, the theory median), N={N}",
                                             N=N, **kw))
            rho = float(stats.spearmanr(score, x_sim).statistic) if x_sim.size > 2 else float("nan")
            metrics["N"].append(N)
            metrics["spearman_score"].append(rho)
            findings.append(f"N = {N}: Spearman rank correlation of the zeta score with the measured macro FTLE "
                            f"{rho:+.2f} over {x_sim.size} realisations")
            plot[N] = {"theory": x_th, "simulation": x_sim, "score": score, "threshold": thr}
        fits = [fit_exponent([c.N for c in ks], [c.discrepancy for c in ks], [c.se for c in ks],
                             metric="KS distance of the macro FTLE law")]
        return self.result(comps, fits, findings=findings, metrics=metrics, plot_data=plot)

    def figures(self, result):
        import matplotlib.pyplot as plt

        sizes = sorted(result.plot_data)
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.6))
        first = True
        for i, N in enumerate(sizes):
            d = result.plot_data[N]
            if first:
                x = np.sort(d["theory"])
                ax.step(x, np.arange(1, x.size + 1) / x.size, color="k", lw=2, where="post", label="theory")
                first = False
            x = np.sort(d["simulation"])
            ax.step(x, np.arange(1, x.size + 1) / x.size, color=colors[(i + 1) % len(colors)], lw=1.2,
                    where="post", label=f"realisations N={N}")
            ax2.scatter(d["score"], d["simulation"], s=8, alpha=0.6, color=colors[(i + 1) % len(colors)],
                        label=f"N={N}")
        ax.set_xlabel("macro FTLE")
        ax.set_ylabel("cumulative fraction")
        ax.legend(fontsize=7)
        ax2.set_xlabel("zeta score (population loop gain, no simulation)")
        ax2.set_ylabel("measured macro FTLE")
        ax2.legend(fontsize=7)
        fig.suptitle("(i) macro FTLE of reservoirs under a flip-flop input: theory law and realisations")
        fig.tight_layout()
        return [("i_reservoir_ftle", fig)]
