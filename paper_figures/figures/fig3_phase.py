"""Figure 3: phase diagram over (g, J0): the probability of each state, theory colour maps and network markers.

At every point of the grid ``PHASE_G`` x ``PHASE_J0``: ``phase_n_theory`` theory samples (colour of the cell)
and ``phase_networks`` networks of N = ``PHASE_N`` (colour of the marker,
same scale), both classified by the section 7 rule over [T - 20, T].
"""

from __future__ import annotations

import numpy as np

from ..style import TWO_COLUMN, panel_letters
from .common import STATE_NAMES, Rendered, networks, probabilities, states, theory

NAME = "fig3_phase"
TITLE = "Figure 3: phase diagram over (g, J0), theory against networks"
#: the (g, J0) grid and the network size per preset (theory and networks at every grid point)
PHASE_G = {"smoke": (0.5, 1.4), "quick": (0.5, 0.8, 1.1, 1.4, 1.7), "full": (0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.5, 1.7)}
PHASE_J0 = {"smoke": (1.0, 3.0), "quick": (0.5, 1.0, 2.0, 3.0, 4.0), "full": (0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0)}
PHASE_N = {"smoke": 200, "quick": 500, "full": 2000}


def _requests(preset):
    out = {}
    for g in PHASE_G[preset.name]:
        for J0 in PHASE_J0[preset.name]:
            out[(g, J0)] = (theory(g, J0, preset.T, preset.phase_n_theory),
                            networks(g, J0, preset.T, PHASE_N[preset.name], preset.phase_networks, preset.sim_dtype))
    return out


def requests(preset):
    return [r for pair in _requests(preset).values() for r in pair]


def _edges(x):
    """Cell edges around the (possibly uneven) grid values x."""
    x = np.asarray(x, dtype=float)
    if x.size == 1:
        return np.array([x[0] - 0.5, x[0] + 0.5])
    mid = (x[1:] + x[:-1]) / 2
    return np.concatenate([[x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]])


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    reqs = _requests(preset)
    gs, J0s = list(PHASE_G[preset.name]), list(PHASE_J0[preset.name])
    P_th = np.full((len(STATE_NAMES), len(J0s), len(gs)), np.nan)
    P_sim = np.full_like(P_th, np.nan)
    n_th = np.zeros((len(J0s), len(gs)), int)
    n_fail = np.zeros_like(n_th)
    table = {}
    for (g, J0), (tr, sr) in reqs.items():
        i, j = J0s.index(J0), gs.index(g)
        th, sim = data(tr), data(sr)
        pt, ps = probabilities(states(th, preset.T)), probabilities(states(sim, preset.T))
        n_th[i, j], n_fail[i, j] = len(th), tr.n - len(th)
        for k, s in enumerate(STATE_NAMES):
            if pt:
                P_th[k, i, j] = pt[s].p
            if ps:
                P_sim[k, i, j] = ps[s].p
        table[f"g={g:g},J0={J0:g}"] = {
            "theory": {s: [q.p, q.low, q.high] for s, q in pt.items()}, "n_theory": len(th),
            "theory_failed": tr.n - len(th),
            "networks": {s: [q.p, q.low, q.high] for s, q in ps.items()}, "n_networks": len(sim)}
    fig, axes = plt.subplots(1, 4, figsize=(TWO_COLUMN, 2.3), sharey=True)
    ge, Je = _edges(gs), _edges(J0s)
    G, J = np.meshgrid(gs, J0s)
    mesh = None
    for k, (ax, s) in enumerate(zip(axes, STATE_NAMES)):
        mesh = ax.pcolormesh(ge, Je, P_th[k], cmap="viridis", vmin=0, vmax=1, shading="flat", rasterized=True)
        ax.scatter(G.ravel(), J.ravel(), c=P_sim[k].ravel(), cmap="viridis", vmin=0, vmax=1, s=28,
                   edgecolors="white", linewidths=0.7, zorder=3)
        bad = n_fail > 0.1 * preset.phase_n_theory
        if bad.any():
            ax.scatter(G[bad], J[bad], marker="x", color="#D55E00", s=40, lw=1.0, zorder=4)
        ax.axvline(1.0, color="white", lw=0.6, ls=":")
        ax.set_title(f"P({s})")
        ax.set_xlabel("coupling heterogeneity $g$")
        ax.set_xticks(gs if len(gs) <= 6 else gs[::2])
    axes[0].set_ylabel("balanced coupling $J_0$")
    axes[0].set_yticks(J0s if len(J0s) <= 6 else J0s[::2])
    cb = fig.colorbar(mesh, ax=list(axes), shrink=0.95, pad=0.01, aspect=20)
    cb.set_label("probability")
    panel_letters(axes)
    diff = np.abs(P_th - P_sim)
    worst = np.unravel_index(np.nanargmax(diff), diff.shape) if np.isfinite(diff).any() else None
    notes = []
    if worst is not None:
        k, i, j = worst
        notes.append(f"largest |P_theory - P_networks| = {diff[worst]:.2f} for P({STATE_NAMES[k]}) at g = {gs[j]:g}, "
                     f"J0 = {J0s[i]:g} (theory {P_th[worst]:.2f} from {n_th[i, j]} samples, networks "
                     f"{P_sim[worst]:.2f} from {preset.phase_networks} at N = {PHASE_N[preset.name]})")
    for i, J0 in enumerate(J0s):
        for j, g in enumerate(gs):
            if n_fail[i, j]:
                notes.append(f"g = {g:g}, J0 = {J0:g}: {n_fail[i, j]} of {preset.phase_n_theory} theory samples "
                             "failed (negative Cholesky pivot) and were excluded"
                             + (" (marked x: more than 10 %)" if n_fail[i, j] > 0.1 * preset.phase_n_theory else ""))
    reading = (
        "Probability of each state of THEORY.md section 7 over the plane of coupling heterogeneity g and balanced "
        "coupling J0 (lambda0 = 0, tanh, no input), classified over the final 20 tau. Cells: theory (Monte-Carlo "
        "over the innovations of the causal forward sweep); discs: the fraction of simulated networks in the "
        "same state, on the same colour scale, so a disc that vanishes into its cell is agreement. The dotted line "
        "is g = 1, the chaos onset of the classical random network. Quiescence needs g < 1 and small J0; near g = 1 "
        "(g = 0.8 here) the decay to x = 0 is so slow that most paths still have |h| > eps = 1e-3 at T and are "
        "labelled 'irregular' by the rule ('everything else'); "
        "coherent states appear with a probability that grows with J0; above g = 1 the slow irregular rhythm of "
        "the population mode is mostly labelled 'oscillatory' by the section 7 rule (its dominant spectral peak "
        "holds more than half of the power of a 20 tau window). Orange crosses mark points where more than 10 % "
        "of the theory samples failed numerically."
    )
    summary = (f"Grid {len(gs)} x {len(J0s)}; {preset.phase_n_theory} theory samples and {preset.phase_networks} "
               f"networks of N = {PHASE_N[preset.name]} per point; T = {preset.T:g}.")
    params = {"g": gs, "J0": J0s, "lambda0": 0.0, "phi": "tanh", "T": preset.T, "dt": 0.1,
              "N": PHASE_N[preset.name], "probabilities": table}
    return Rendered(fig, params, reading, summary, notes)
