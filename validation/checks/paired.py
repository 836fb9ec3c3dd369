"""Check (j): each network against the theory given its own population path (THEORY.md sections 2, 4).

Ensemble checks compare two random laws, and the sampling noise of the
population path h swamps finite-N effects of a few percent. Given one
network's own h, section 4 predicts that network's Delta(t, s) and Chat(t, s)
with no randomness left (eqs. 4.1, 4.5), and sections 2 and 4 say that its
population feedback, given its past, is Gaussian with the causal factor of
J0^2 Chat. This check measures both network by network:

* the sup relative error of Delta and of Chat given the network's own h
  must vanish like N^(-1/2) (fluctuations of averages over N neurons): the
  fitted exponent of the mean error over three sizes or more is compared
  with 1/2;
* the feedback whitened with the network's own empirical Chat must have
  unit variance; the same whitening of a control feedback built from a random
  permutation s' of the E/I vector (variance N / (N - 1) exactly) shows that
  the estimator is unbiased, so a deficit of the network's own feedback is
  a property of the network, not of the estimator.

The other innovation statistics (mean, lag correlations, correlation with h,
the law) are reported with their z-scores.
"""

from __future__ import annotations

import math

import numpy as np

from meanfield.model import Inputs, Network

from ..convergence import MIN_SIZES, fit_exponent
from ..paired import innovation_statistics
from ..requests_paired import PIVOT_TOL, PairedRequest
from ..statistics import compare_estimate
from .base import FAMILY_ALPHA, Check, bonferroni
from .common import grid

SET = (1.5, 1.0)
EXPECTED_EXPONENT = 0.5
EXPONENT_TOL = 0.15
VARIANCE_TOL = 0.05
ERRORS = (("sup_delta", "Delta(t, s)"), ("sup_chat", "Chat(t, s)"))


def paired_requests(preset) -> dict:
    g, J0 = SET
    return {N: PairedRequest(Network(N=N, g=g, J0=J0), Inputs(), grid(preset.T_paired), n=count)
            for N, count in preset.paired_networks.per_N}


def _innovations(view, name: str) -> list[np.ndarray]:
    return [x[np.isfinite(x)] for x in view.stack(name)]


class PairedCheck(Check):
    name = "j"
    slug = "paired"
    title = "Each network against the theory given its own population path"
    headline = True
    parameters = f"g = {SET[0]}, J0 = {SET[1]}, tanh, no input, dt = 0.1; every neuron of every network recorded"
    observable = ("sup over (t, s) of the relative error of Delta and Chat given the network's own h, and its "
                  "decay with N; the variance of the causally whitened population feedback")
    theory = ("eqs. 4.1 and 4.5 along the network's own h (meanfield.conditional_moments); the feedback given its "
              f"past is Gaussian with the causal factor of J0^2 Chat (sections 2, 4; pivot tolerance {PIVOT_TOL:g})")
    simulation = "networks at each N; the control whitens the feedback of a random permutation of the E/I vector"
    statistic = ("weighted log-log fit of the mean error against N (exponent, 95 % interval); innovation variance "
                 "pooled over networks, networks as independent clusters")
    tolerance = EXPONENT_TOL
    tolerance_reason = (f"exponent within {EXPONENT_TOL} of 1/2: separates N^-1/2 from the N^-1/4 of a sparse drive "
                        f"and from no convergence; variance within {VARIANCE_TOL} of 1: the conditional law of "
                        "section 2 up to O(N^-1/2) corrections (1/sqrt(500) = 0.045)")

    def requests(self, preset):
        return list(paired_requests(preset).values())

    def evaluate(self, data, preset):
        reqs = paired_requests(preset)
        sizes = sorted(reqs)
        alpha = bonferroni(FAMILY_ALPHA, len(ERRORS) + 2)
        views = {N: data(reqs[N]) for N in sizes}
        comps, fits, findings = [], [], []
        plot = {"N": sizes, "errors": {}, "variance": {}}
        metrics = {"N": sizes, "networks": [int(views[N].stack("sup_delta").size) for N in sizes]}
        for key, what in ERRORS:
            per = [views[N].stack(key) for N in sizes]
            mean = [float(np.mean(x)) for x in per]
            se = [float(np.std(x, ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.inf for x in per]
            fit = fit_exponent(sizes, mean, se, metric=f"sup relative error of {what} given own h")
            fits.append(fit)
            plot["errors"][what] = {"mean": mean, "se": se, "fit": fit.to_dict()}
            metrics[key] = {"mean": mean, "se": se, "exponent": fit.exponent, "exponent_se": fit.exponent_se}
            if len(sizes) < MIN_SIZES:
                findings.append(f"the decay of the {what} error is not fitted: {len(sizes)} sizes, "
                                f"{MIN_SIZES} needed")
                continue
            comps.append(compare_estimate(
                fit.exponent, (fit.exponent - 1.96 * fit.exponent_se, fit.exponent + 1.96 * fit.exponent_se),
                EXPECTED_EXPONENT, (fit.exponent - EXPECTED_EXPONENT) / fit.exponent_se,
                tolerance=EXPONENT_TOL, tolerance_reason=self.tolerance_reason, alpha=alpha,
                label=f"exponent of the {what} error given own h, N={sizes[0]}..{sizes[-1]}",
                extra={"fit": fit.to_dict()}))
        own_all, ctrl_all, hp_all, expected_ctrl = [], [], [], []
        for N in sizes:
            own, ctrl = _innovations(views[N], "xi"), _innovations(views[N], "xi_control")
            hp = [h[np.isfinite(h)] for h in views[N].stack("h_pivot")]
            rep_own, rep_ctrl = innovation_statistics(own), innovation_statistics(ctrl)
            v, vc = rep_own.get("variance"), rep_ctrl.get("variance")
            plot["variance"][N] = {"own": (v.estimate, v.low, v.high), "control": (vc.estimate, vc.low, vc.high)}
            own_all += own
            ctrl_all += ctrl
            hp_all += hp
            expected_ctrl += [N / (N - 1)] * sum(x.size for x in ctrl)
        pooled = innovation_statistics(own_all, hp_all, alpha=alpha)
        control = innovation_statistics(ctrl_all)
        v = pooled.get("variance")
        comps.append(compare_estimate(v.estimate, (v.low, v.high), 1.0, v.z, tolerance=VARIANCE_TOL,
                                      tolerance_reason=self.tolerance_reason, alpha=alpha,
                                      label=f"variance of the whitened own feedback, N={sizes[0]}..{sizes[-1]}"))
        vc = control.get("variance")
        e_ctrl = float(np.mean(expected_ctrl))
        z_ctrl = (vc.estimate - e_ctrl) / math.sqrt(2.0 / vc.n)  # null variance of a mean of xi^2
        comps.append(compare_estimate(vc.estimate, (vc.low, vc.high), e_ctrl, z_ctrl,
                                      tolerance=VARIANCE_TOL, tolerance_reason=self.tolerance_reason, alpha=alpha,
                                      label=f"variance of the whitened permutation control, N={sizes[0]}..{sizes[-1]}"))
        deficit = [1.0 - plot["variance"][N]["own"][0] for N in sizes]
        deficit_se = [(plot["variance"][N]["own"][2] - plot["variance"][N]["own"][1]) / (2 * 1.96) for N in sizes]
        fits.append(fit_exponent(sizes, deficit, deficit_se, metric="innovation variance deficit 1 - var"))
        metrics["innovations"] = {s.name: {"estimate": s.estimate, "interval": [s.low, s.high], "z": s.z, "n": s.n}
                                  for s in pooled.statistics}
        metrics["control_variance"] = {"estimate": vc.estimate, "interval": [vc.low, vc.high], "expected": e_ctrl}
        # per N (estimate, low, high), so that the convergence figure can be redrawn from metrics.json alone
        metrics["variance_per_N"] = {str(N): {k: list(v) for k, v in plot["variance"][N].items()} for N in sizes}
        others = [s for s in pooled.statistics if s.name != "variance"]
        findings.append("other innovation statistics (z under iid N(0, 1)): "
                        + ", ".join(f"{s.name} {s.estimate:+.3f} (z = {s.z:+.1f})" for s in others))
        return self.result(comps, fits, findings=findings, metrics=metrics, plot_data=plot)

    def figures(self, result):
        import matplotlib.pyplot as plt

        d = result.plot_data
        N = np.asarray(d["N"], float)
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.6))
        for (what, e), marker, color in zip(d["errors"].items(), "os", ("C0", "C2")):
            ax.errorbar(N, e["mean"], yerr=1.96 * np.asarray(e["se"]), fmt=marker, ms=4, capsize=2, color=color,
                        label=f"{what}")
            fit = e["fit"]
            if np.isfinite(fit["exponent"]):
                ax.plot(N, fit["prefactor"] * N ** -fit["exponent"], lw=1, color=color,
                        label=f"fit N^-{fit['exponent']:.2f} +- {fit['exponent_se']:.2f}")
        first = next(iter(d["errors"].values()))["mean"][0]
        ax.plot(N, first * (N / N[0]) ** -0.5, "k--", lw=0.8, label="slope -1/2 (expected)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("N")
        ax.set_ylabel("sup relative error given own h")
        ax.legend(fontsize=7)
        for name, off, color in (("own", -0.03, "C0"), ("control", 0.03, "C3")):
            vals = np.array([d["variance"][n][name] for n in d["N"]])
            x = N * (1 + off)
            ax2.errorbar(x, vals[:, 0], yerr=[vals[:, 0] - vals[:, 1], vals[:, 2] - vals[:, 0]], fmt="o", ms=4,
                         capsize=2, color=color, label="own feedback" if name == "own" else "permutation control")
        ax2.axhline(1.0, color="k", lw=0.8)
        ax2.axhspan(1 - VARIANCE_TOL, 1 + VARIANCE_TOL, color="0.9", zorder=0, label="tolerance")
        ax2.set_xscale("log")
        ax2.set_xlabel("N")
        ax2.set_ylabel("variance of whitened innovations")
        ax2.legend(fontsize=7)
        fig.suptitle("(j) paired: each network against the theory given its own h")
        fig.tight_layout()
        return [("j_paired", fig)]
