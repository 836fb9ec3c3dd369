"""Figure 4: P(coherent) versus J0 for several N against the theory curve (convergence in N).

At g = 0.8 and the J0 of ``CONV_J0``: theory (``conv_n_theory`` samples per J0) and networks
of each size in ``conv_networks``, classified by the section 7 rule.
"""

from __future__ import annotations

import numpy as np

from ..style import THEORY_COLOR, TWO_COLUMN, panel_letters, size_color
from .common import Rendered, networks, prob_arrays, probabilities, states, theory

NAME = "fig4_convergence"
TITLE = "Figure 4: P(coherent) versus J0 for several N (convergence to the theory)"
STATE = "coherent"
G = 0.8
#: J0 values per preset
CONV_J0 = {"smoke": (1.0, 3.0), "quick": (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0), "full": (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)}


def _requests(preset):
    g = G
    th = {J0: theory(g, J0, preset.T, preset.conv_n_theory) for J0 in CONV_J0[preset.name]}
    sims = {N: {J0: networks(g, J0, preset.T, N, preset.conv_networks.count(N), preset.sim_dtype)
                for J0 in CONV_J0[preset.name]} for N in preset.conv_networks.N}
    return th, sims


def requests(preset):
    th, sims = _requests(preset)
    return list(th.values()) + [r for per in sims.values() for r in per.values()]


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    th, sims = _requests(preset)
    J0 = np.array(CONV_J0[preset.name], dtype=float)
    pt = [probabilities(states(data(r), preset.T))[STATE] for r in th.values()]
    p_th, _ = prob_arrays(pt)
    fig, axes = plt.subplots(1, 2, figsize=(TWO_COLUMN * 0.8, 2.5), gridspec_kw={"width_ratios": [1.6, 1]})
    ax = axes[0]
    ax.fill_between(J0, [q.low for q in pt], [q.high for q in pt], color=THEORY_COLOR, alpha=0.15, lw=0)
    ax.plot(J0, p_th, color=THEORY_COLOR, lw=1.4, label=f"theory ({preset.conv_n_theory} samples)")
    sizes = sorted(sims)
    width = 0.04 * (J0.max() - J0.min() if J0.size > 1 else 1)
    gap, gap_err, table = [], [], {}
    for i, N in enumerate(sizes):
        ps = [probabilities(states(data(r), preset.T))[STATE] for r in sims[N].values()]
        p, err = prob_arrays(ps)
        off = (i - (len(sizes) - 1) / 2) * width
        ax.errorbar(J0 + off, p, yerr=err, fmt="o", ms=3, color=size_color(i), elinewidth=0.8,
                    label=f"N = {N} ({preset.conv_networks.count(N)} networks)")
        d = np.abs(p - p_th)
        k = int(np.argmax(d))
        se = np.sqrt(p[k] * (1 - p[k]) / ps[k].n + p_th[k] * (1 - p_th[k]) / pt[k].n)
        gap.append(d.max())
        gap_err.append(se)
        table[str(N)] = [[q.p, q.low, q.high, q.n] for q in ps]
    ax.set_xlabel("balanced coupling $J_0$")
    ax.set_ylabel("P(coherent)")
    ax.set_ylim(0, 1)
    ax.set_title(f"$g$ = {G:g}, $\\lambda_0$ = 0 (bands, bars: 95 % Wilson)")
    ax.legend(loc="upper left")
    ax = axes[1]
    ax.errorbar(sizes, gap, yerr=gap_err, fmt="o-", color=THEORY_COLOR, ms=3, lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("network size $N$")
    ax.set_ylabel(r"max$_{J_0}$ |P$_{\rm networks}$ - P$_{\rm theory}$|")
    ax.set_xticks(sizes)
    ax.set_xticklabels([str(N) for N in sizes])
    ax.minorticks_off()
    ax.set_ylim(bottom=0)
    ax.set_title("gap versus N (bars: 1 s.e.)")
    panel_letters(axes)
    notes = []
    if len(sizes) >= 2 and gap[-1] > gap[0]:
        notes.append(f"the largest gap does not shrink from N = {sizes[0]} ({gap[0]:.2f}) to N = {sizes[-1]} "
                     f"({gap[-1]:.2f}) at these sample sizes")
    for N, gval, s in zip(sizes, gap, gap_err):
        if gval > 2.5 * s and gval > 0.1:
            notes.append(f"N = {N}: max |P_networks - P_theory| = {gval:.2f} (> 2.5 s.e. = {2.5 * s:.2f})")
    reading = (
        f"(a) Probability that a network at g = {G:g} ends in a coherent stationary state (|h| > 0.5, "
        "std(h) < 0.05 over the final 20 tau) versus the balanced coupling J0: theory curve with its 95 % band "
        "against simulated networks of increasing size N (markers, slightly offset in J0). (b) The largest gap "
        "over J0 between networks and theory at each N, with its standard error: the theory is the N -> infinity "
        "limit, so the gap should fall to the sampling noise as N grows."
    )
    summary = (f"g = {G:g}, {len(J0)} values of J0; {preset.conv_n_theory} theory samples per J0; "
               "networks per J0: " + ", ".join(f"N = {N}: {preset.conv_networks.count(N)}" for N in sizes)
               + f"; T = {preset.T:g}.")
    params = {"g": G, "J0": list(J0), "lambda0": 0.0, "phi": "tanh", "T": preset.T, "dt": 0.1,
              "N": sizes, "P_theory": [[q.p, q.low, q.high, q.n] for q in pt], "P_networks": table,
              "max_gap": dict(zip(map(str, sizes), gap))}
    return Rendered(fig, params, reading, summary, notes)
