"""Figure 2: example population paths h(t) of each state, simulation and theory, with microscopic activity.

For each state of THEORY.md section 7 a parameter point where it is common
is simulated (``example_n`` networks of N = ``EXAMPLE_N``, x_i(t) of
``n_trace`` neurons recorded) and sampled from the theory (``example_n``
samples). The first realisation of each ensemble classified in the target
state is shown (none found: the first realisation, marked as such).
"""

from __future__ import annotations

import numpy as np

from ..style import STATE_COLORS, THEORY_COLOR, TIME_LABEL, TWO_COLUMN, panel_letters
from .common import DT, Rendered, criteria, states, theory, traced_networks

NAME = "fig2_examples"
TITLE = "Figure 2: population trajectories and microscopic activity in the four states"
#: state -> (g, J0) where it is common (measured on theory samples at T = 40)
POINTS = {"quiescent": (0.5, 1.0), "coherent": (0.8, 3.0), "oscillatory": (0.8, 2.0), "irregular": (1.2, 0.5)}
#: network size per preset
EXAMPLE_N = {"smoke": 200, "quick": 1000, "full": 2000}


def _requests(preset):
    out = {}
    for s, (g, J0) in POINTS.items():
        out[s] = (theory(g, J0, preset.T, preset.example_n),
                  traced_networks(g, J0, preset.T, EXAMPLE_N[preset.name], preset.example_n, preset.sim_dtype,
                                  preset.n_trace))
    return out


def requests(preset):
    return [r for pair in _requests(preset).values() for r in pair]


def _crossings(h, n_window):
    """Number of crossings of its mean by h over the final ``n_window`` points."""
    y = h[-n_window:] - np.mean(h[-n_window:])
    return int(np.sum(np.signbit(y[1:]) != np.signbit(y[:-1])))


def _pick(view, labels, target, n_window):
    """The path shown for a state: (index, found).

    Quiescent and coherent: the first path in the state. Oscillatory: among
    the paths in the state, the one whose h crosses its mean most often in the
    final window; irregular: the one with the largest std of h there (slow
    drifts and frozen states with |h| < theta_h are also "oscillatory" or
    "irregular" by the section 7 rule). No path in the state: (0, False).
    """
    hits = [i for i, s in enumerate(labels) if s == target]
    if not hits:
        return 0, False
    if target in ("quiescent", "coherent"):
        return hits[0], True
    if target == "oscillatory":
        return max(hits, key=lambda i: (_crossings(view.items[i]["h"], n_window), -i)), True
    return max(hits, key=lambda i: (float(np.std(view.items[i]["h"][-n_window:])), -i)), True


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    reqs = _requests(preset)
    fig, axes = plt.subplots(2, 4, figsize=(TWO_COLUMN, 3.6), sharex=True,
                             gridspec_kw={"height_ratios": [1, 1.25]})
    params, notes, im = {}, [], None
    for j, (state, (th_req, sim_req)) in enumerate(reqs.items()):
        th, sim = data(th_req), data(sim_req)
        lab_th, lab_sim = states(th, preset.T), states(sim, preset.T)
        t = sim_req.grid.record_times
        n_window = int(round(criteria(preset.T).window / DT)) + 1
        i_sim, ok_sim = _pick(sim, lab_sim, state, n_window)
        i_th, ok_th = _pick(th, lab_th, state, n_window)
        ax = axes[0, j]
        if len(th):
            ax.plot(t, th.items[i_th]["h"], color=THEORY_COLOR, lw=1.0, ls="--",
                    label="theory sample" + ("" if ok_th else f" ({lab_th[i_th]})"))
        ax.plot(t, sim.items[i_sim]["h"], color=STATE_COLORS[state], lw=1.3,
                label=f"network N = {sim_req.network.N}" + ("" if ok_sim else f" ({lab_sim[i_sim]})"))
        g, J0 = POINTS[state]
        ax.set_title(f"{state}\n$g$ = {g:g}, $J_0$ = {J0:g}")
        if j == 0:
            ax.legend(loc="upper right", fontsize=5.5)
        lim = max(0.3, 1.15 * max(np.max(np.abs(sim.items[i_sim]["h"])),
                                  np.max(np.abs(th.items[i_th]["h"])) if len(th) else 0))
        ax.set_ylim(-lim, lim)
        if j == 0:
            ax.set_ylabel("population state $h(t)$")
        ax = axes[1, j]
        # two lines: one line is wider than the axes and ran into the panel letter
        ax.set_title(f"in this state: networks {lab_sim.count(state)}/{len(lab_sim)},\n"
                     f"theory {lab_th.count(state)}/{len(lab_th)}", fontsize=5.5, loc="right")
        x = sim.items[i_sim]["traces"]
        idx = sim.items[i_sim]["trace_neurons"]
        im = ax.imshow(np.tanh(x.T), aspect="auto", origin="lower", cmap="PuOr_r", vmin=-1, vmax=1,
                       extent=(t[0], t[-1], -0.5, idx.size - 0.5), interpolation="nearest", rasterized=True)
        n_e = int(np.sum(idx < sim_req.network.N_E))
        ax.axhline(n_e - 0.5, color="k", lw=0.5)
        ax.set_xlabel(TIME_LABEL)
        if j == 0:
            ax.set_ylabel("neurons (E below, I above)")
        ax.set_yticks([])
        for what, ok, lab in (("network", ok_sim, lab_sim), ("theory", ok_th, lab_th)):
            if not ok:
                notes.append(f"{state}: no {what} path in this state among {len(lab)} at (g, J0) = ({g:g}, {J0:g}); "
                             f"the first path ({lab[0] if lab else 'none'}) is shown")
        params[state] = {"g": g, "J0": J0, "lambda0": 0.0, "N": sim_req.network.N, "n_networks": len(sim),
                         "n_theory": len(th), "network_shown": i_sim, "theory_sample_shown": i_th,
                         "P_networks": lab_sim.count(state) / max(1, len(lab_sim)),
                         "P_theory": lab_th.count(state) / max(1, len(lab_th)),
                         "traced_neurons": [int(v) for v in idx]}
    cb = fig.colorbar(im, ax=axes[1, :], shrink=0.9, pad=0.01, aspect=25)
    cb.set_label(r"rate $\phi(x_i(t))$")
    panel_letters(list(axes[0]) + list(axes[1]))
    reading = (
        "Top: the population state h(t) of one simulated network (colour) and one theory sample (dashed) in each "
        "state of THEORY.md section 7, classified by the same rule over the final window of 20 tau (oscillatory: the "
        "path of that state whose h crosses its mean most often in the window; irregular: the one with the largest "
        "fluctuation of h there); the heat-map "
        "titles give how many of the simulated networks and theory samples at that point are in the state. The theory sample is "
        "not the mean-field image of that network (section 2: the population path is random and the theory predicts "
        "its law), so only the character of the paths should match. Bottom: rates phi(x_i(t)) of neurons spread "
        "over the same network (excitatory below the line, inhibitory above): quiescent decays to zero, coherent "
        "splits the network into a frozen pattern around a nonzero h, oscillatory and irregular states keep "
        "heterogeneous microscopic activity around a moving population mode."
    )
    summary = (f"Networks N = {EXAMPLE_N[preset.name]}, {preset.example_n} networks and {preset.example_n} theory samples "
               f"per state, {preset.n_trace} traced neurons.")
    return Rendered(fig, params, reading, summary, notes)
