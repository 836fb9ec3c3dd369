"""Figure 8: readout probabilities, which of two stimuli was given, read from one network (THEORY.md section 6).

Two stimuli +A and -A drive the same round(kappa sqrt N) excitatory neurons
of the same network (two replicas, same z, same initial state). Scored: the
sign of h(T) and the thresholded linear readout r(T) > 0 with a fixed
w = 0.5 s + p (p iid Gaussian, independent of z). Theory: ``meanfield.readout``
(average over innovations of the analytic Gaussian probability of eq. 6.1);
networks: fraction correct.
"""

from __future__ import annotations

import numpy as np

from meanfield.model import Network, SparseInput
from meanfield.readout import Discrimination
from validation.requests_replicas import DiscriminationSimulationRequest, DiscriminationTheoryRequest
from ..style import THEORY_COLOR, TWO_COLUMN, panel_letters, size_color
from .common import Rendered, grid

NAME = "fig8_readout"
TITLE = "Figure 8: readout probabilities for two stimuli, theory against networks"
MIX = 0.5
G, J0, KAPPA = 0.8, 2.0, 1.0
#: amplitudes A of the two stimuli +-A and network size per preset
AMPLITUDES = {"smoke": (1.0,), "quick": (0.25, 0.5, 1.0, 2.0), "full": (0.125, 0.25, 0.5, 1.0, 2.0, 4.0)}
READOUT_N = {"smoke": 200, "quick": 500, "full": 2000}


def _requests(preset):
    net = Network(N=READOUT_N[preset.name], g=G, J0=J0)
    out = {}
    for A in AMPLITUDES[preset.name]:
        sp = SparseInput(kappa=KAPPA, A=A)
        kw = {"mix": MIX, "w_seed": preset.root_seed}
        out[A] = (DiscriminationTheoryRequest(net, sp, grid(preset.T), preset.readout_n, **kw),
                  DiscriminationSimulationRequest(net, sp, grid(preset.T), preset.readout_n,
                                                  dtype=preset.sim_dtype, **kw))
    return out


def requests(preset):
    return [r for pair in _requests(preset).values() for r in pair]


def _scores(view):
    if len(view) < 2:
        return None
    d = Discrimination(h_T=view.stack("h_T"), p_exceed=view.stack("p_exceed"))
    return d.p_sign_correct(), d.p_readout_correct(), d


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    reqs = _requests(preset)
    A = np.array(AMPLITUDES[preset.name], dtype=float)
    fig, axes = plt.subplots(1, 3, figsize=(TWO_COLUMN, 2.4), gridspec_kw={"width_ratios": [1, 1, 1.1]})
    table, notes = {}, []
    res = {a: (_scores(data(reqs[a][0])), _scores(data(reqs[a][1]))) for a in AMPLITUDES[preset.name]}
    for ax, k, title in ((axes[0], 0, "sign of h(T)"), (axes[1], 1, "readout r(T) > 0")):
        for side, j, col, style in (("theory", 0, THEORY_COLOR, "-"), ("networks", 1, size_color(0), "none")):
            est = [res[a][j][k] if res[a][j] else None for a in AMPLITUDES[preset.name]]
            p = np.array([e.value if e else np.nan for e in est])
            lo = np.array([e.low if e else np.nan for e in est])
            hi = np.array([e.high if e else np.nan for e in est])
            if side == "theory":
                ax.fill_between(A, lo, hi, color=col, alpha=0.15, lw=0)
                ax.plot(A, p, color=col, lw=1.3, label=f"theory ({preset.readout_n} samples)")
            else:
                ax.errorbar(A, p, yerr=[p - lo, hi - p], fmt="o", ms=3, color=col, mfc="white", elinewidth=0.8,
                            label=f"networks N = {READOUT_N[preset.name]} ({preset.readout_n})")
            table.setdefault(title, {})[side] = [[e.value, e.low, e.high, e.n] if e else None for e in est]
        t, s = table[title]["theory"], table[title]["networks"]
        for a, x, y in zip(AMPLITUDES[preset.name], t, s):
            if x and y and (x[2] < y[1] or y[2] < x[1]):
                notes.append(f"{title}, A = {a:g}: P(correct) theory {x[0]:.2f} [{x[1]:.2f}, {x[2]:.2f}] vs "
                             f"networks {y[0]:.2f} [{y[1]:.2f}, {y[2]:.2f}] (95 % intervals do not overlap)")
        ax.axhline(0.5, color="0.6", lw=0.5, ls=":")
        ax.set_xscale("log")
        ax.set_xticks(A)
        ax.set_xticklabels([f"{a:g}" for a in A])
        ax.minorticks_off()
        ax.set_ylim(0.4, 1.02)
        ax.set_xlabel("stimulus amplitude $A$")
        ax.set_ylabel("P(stimulus reported correctly)")
        ax.set_title(title)
    axes[0].legend(loc="lower right", fontsize=5.5)
    # (c) law of h(T) under stimulus +A at the middle amplitude: theory against networks
    a_mid = AMPLITUDES[preset.name][len(AMPLITUDES[preset.name]) // 2]
    ax = axes[2]
    for side, j, col in (("theory", 0, THEORY_COLOR), ("networks", 1, size_color(0))):
        r = res[a_mid][j]
        if r is None:
            continue
        h = r[2].h_T
        bins = np.linspace(-1.8, 1.8, 25)
        ax.hist(h[:, 0], bins=bins, density=True, histtype="step", color=col, lw=1.2, label=f"{side}, +A")
        ax.hist(h[:, 1], bins=bins, density=True, histtype="step", color=col, lw=1.2, ls="--", label=f"{side}, -A")
    ax.set_xlabel("population state $h(T)$")
    ax.set_ylabel("density")
    ax.set_title(f"law of h(T) at A = {a_mid:g}")
    ax.legend(loc="upper center", fontsize=5.5, ncol=2)
    panel_letters(axes)
    reading = (
        f"Two stimuli, +A and -A on the same round(kappa sqrt N) = {round(KAPPA * READOUT_N[preset.name] ** 0.5)} "
        f"excitatory neurons (kappa = {KAPPA:g}), are given to the same network (g = "
        f"{G:g}, J0 = {J0:g}, N = {READOUT_N[preset.name]}; two replicas with the same "
        "couplings and initial state). (a) Probability that the sign of h(T) reports the stimulus, (b) that a fixed "
        f"linear readout r = (1/sqrt N) sum_i w_i phi(x_i), w = {MIX:g} s + p with p independent of the couplings, "
        "exceeds 0 exactly for +A; both averaged over networks. Theory: average over innovations of the "
        "analytic Gaussian probability of THEORY.md section 6 (band: 95 % t interval); networks: fraction correct "
        "(95 % interval). (c) Law of h(T) under each stimulus at one amplitude."
    )
    summary = (f"N = {READOUT_N[preset.name]}; A in {list(AMPLITUDES[preset.name])}; {preset.readout_n} theory samples "
               f"and {preset.readout_n} networks per A; T = {preset.T:g}.")
    params = {"g": G, "J0": J0, "lambda0": 0.0, "N": READOUT_N[preset.name],
              "kappa": KAPPA, "A": list(A), "T": preset.T, "dt": 0.1, "theta": 0.0,
              "readout": f"w = {MIX:g} s + p, p iid N(0,1) from SeedSequence({preset.root_seed}, spawn_key=(7,))",
              "P_correct": table}
    return Rendered(fig, params, reading, summary, notes)
