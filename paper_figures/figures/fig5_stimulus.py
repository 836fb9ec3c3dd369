"""Figure 5: stimulus-induced coherence, P(coherent) versus the sparse-input amplitude A for several kappa.

A constant input A drives only the first round(kappa sqrt N) excitatory
neurons (``meanfield.model.SparseInput``), a vanishing fraction of the
network. Theory: the causal sweep with the deterministic sparse drive
D_k = rho_S (E phi(h + w + y) - M) at the same N (THEORY.md section 4).
"""

from __future__ import annotations

import numpy as np

from meanfield.model import Inputs, SparseInput

from ..style import TWO_COLUMN, panel_letters, size_color
from .common import Rendered, networks, prob_arrays, probabilities, states, theory

NAME = "fig5_stimulus"
TITLE = "Figure 5: stimulus-induced coherence by a sparse input"
STATE = "coherent"
G, J0 = 0.8, 2.0
#: kappa (|S| = round(kappa sqrt N)), amplitudes A and network size per preset
KAPPAS = {"smoke": (1.0,), "quick": (0.5, 1.0, 2.0), "full": (0.5, 1.0, 2.0, 4.0)}
AMPLITUDES = {"smoke": (0.5, 2.0), "quick": (0.25, 0.5, 1.0, 2.0, 4.0), "full": (0.125, 0.25, 0.5, 1.0, 2.0, 4.0)}
ENTR_N = {"smoke": 200, "quick": 500, "full": 2000}


def _requests(preset):
    g, N = G, ENTR_N[preset.name]
    out = {}
    for kappa in KAPPAS[preset.name]:
        for A in AMPLITUDES[preset.name]:
            inp = Inputs(sparse=SparseInput(kappa=kappa, A=A))
            out[(kappa, A)] = (theory(g, J0, preset.T, preset.entr_n_theory, N=N, inputs=inp),
                               networks(g, J0, preset.T, N, preset.entr_networks, preset.sim_dtype, inputs=inp))
    base = (theory(g, J0, preset.T, preset.entr_n_theory),
            networks(g, J0, preset.T, N, preset.entr_networks, preset.sim_dtype))
    return out, base


def requests(preset):
    out, base = _requests(preset)
    return [r for pair in out.values() for r in pair] + list(base)


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    out, (b_th, b_sim) = _requests(preset)
    A = np.array(AMPLITUDES[preset.name], dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(TWO_COLUMN * 0.8, 2.5), gridspec_kw={"width_ratios": [1.6, 1]})
    ax = axes[0]
    base_th = probabilities(states(data(b_th), preset.T))[STATE]
    base_sim = probabilities(states(data(b_sim), preset.T))[STATE]
    ax.axhspan(base_th.low, base_th.high, color="0.85", lw=0, zorder=0)
    ax.axhline(base_th.p, color="0.5", lw=0.8, ls=":", label=f"no input: theory {base_th.p:.2f}, "
                                                              f"networks {base_sim.p:.2f}")
    table, notes, rho = {}, [], {}
    if base_th.high < base_sim.low or base_sim.high < base_th.low:
        notes.append(f"no input: P(coherent) theory {base_th} vs networks N = {ENTR_N[preset.name]} {base_sim} "
                     "(95 % intervals do not overlap)")
    for i, kappa in enumerate(KAPPAS[preset.name]):
        pt = [probabilities(states(data(out[(kappa, a)][0]), preset.T))[STATE] for a in AMPLITUDES[preset.name]]
        ps = [probabilities(states(data(out[(kappa, a)][1]), preset.T))[STATE] for a in AMPLITUDES[preset.name]]
        p_th, e_th = prob_arrays(pt)
        p_s, e_s = prob_arrays(ps)
        c = size_color(i)
        net = out[(kappa, AMPLITUDES[preset.name][0])][1].network
        n_s = SparseInput(kappa=kappa).size(net.N)
        rho[str(kappa)] = SparseInput(kappa=kappa).rho(net)
        ax.fill_between(A, [q.low for q in pt], [q.high for q in pt], color=c, alpha=0.15, lw=0)
        ax.plot(A, p_th, color=c, lw=1.3, label=f"theory, $\\kappa$ = {kappa:g} (|S| = {n_s})")
        ax.errorbar(A * (1 + 0.04 * (i - 1)), p_s, yerr=e_s, fmt="o", ms=3, color=c, mfc="white", elinewidth=0.8,
                    label=f"networks, $\\kappa$ = {kappa:g}")
        table[str(kappa)] = {"theory": [[q.p, q.low, q.high, q.n] for q in pt],
                             "networks": [[q.p, q.low, q.high, q.n] for q in ps], "driven_neurons": n_s}
        for a, q1, q2 in zip(AMPLITUDES[preset.name], pt, ps):
            if q1.high < q2.low or q2.high < q1.low:
                notes.append(f"kappa = {kappa:g}, A = {a:g}: P(coherent) theory {q1} vs networks {q2} "
                             "(95 % intervals do not overlap)")
    ax.set_xscale("log")
    ax.set_xticks(A)
    ax.set_xticklabels([f"{a:g}" for a in A])
    ax.minorticks_off()
    ax.set_xlabel("sparse input amplitude $A$")
    ax.set_ylabel("P(coherent)")
    ax.set_ylim(0, 1.5)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_title(f"$g$ = {G:g}, $J_0$ = {J0:g}, N = {ENTR_N[preset.name]}")
    ax.legend(loc="upper left", fontsize=5.5, ncol=2)
    # (b) sign of h(T) follows the input: the fraction of coherent paths with h > 0
    ax = axes[1]
    for i, kappa in enumerate(KAPPAS[preset.name]):
        for side, mk, ls in (("theory", "s", "-"), ("networks", "o", "none")):
            vals = []
            for a in AMPLITUDES[preset.name]:
                v = data(out[(kappa, a)][0 if side == "theory" else 1])
                h_T = v.stack("h")[:, -1] if len(v) else np.zeros(0)
                vals.append(float(np.mean(h_T)) if h_T.size else np.nan)
            ax.plot(A, vals, marker=mk, ls=ls, color=size_color(i), ms=3, mfc="white" if side == "networks" else None,
                    lw=1.0, label=side if i == 0 else None)
    ax.set_xscale("log")
    ax.set_xticks(A)
    ax.set_xticklabels([f"{a:g}" for a in A])
    ax.minorticks_off()
    ax.set_xlabel("sparse input amplitude $A$")
    ax.set_ylabel(r"mean population state $\langle h(T) \rangle$")
    ax.set_title("sign and size of h(T)")
    ax.legend(loc="upper left", fontsize=5.5)
    panel_letters(axes)
    reading = (
        f"(a) Probability of a coherent stationary state when a constant input of amplitude A is given only to "
        f"|S| = round(kappa sqrt N) excitatory neurons of a network of N = {ENTR_N[preset.name]} at g = {G:g}, "
        f"J0 = {J0:g}: lines and bands are the theory (causal sweep with the sparse drive rho_S "
        "(E phi(h + w + y) - M), same N), open markers the simulated networks; the grey band is the probability "
        "without input. A vanishing fraction kappa/sqrt(N) of driven neurons entrains the whole network. "
        "(b) Mean of h(T) over realisations: the input also fixes the sign of the coherent state. THEORY.md "
        "section 4 warns that finite-N corrections of the sparse drive decay only like N^(-1/4)."
    )
    summary = (f"N = {ENTR_N[preset.name]}; kappa in {list(KAPPAS[preset.name])}, A in {list(AMPLITUDES[preset.name])}; "
               f"{preset.entr_n_theory} theory samples and {preset.entr_networks} networks per point; T = {preset.T:g}.")
    params = {"g": G, "J0": J0, "lambda0": 0.0, "N": ENTR_N[preset.name], "T": preset.T,
              "dt": 0.1, "kappa": list(KAPPAS[preset.name]), "A": list(AMPLITUDES[preset.name]), "rho_S": rho,
              "population": "E", "P_coherent": table,
              "no_input": {"theory": [base_th.p, base_th.low, base_th.high],
                           "networks": [base_sim.p, base_sim.low, base_sim.high]}}
    return Rendered(fig, params, reading, summary, notes)
