"""Figure 7: microscopic and macroscopic Lyapunov exponents versus J0 (THEORY.md section 5).

Theory: ``meanfield.lyapunov`` (maximal exponent from the tangent-linear
recursion of two replicas after a microscopic kick, with the micro exponent
along the fixed population path for comparison; macro finite-time exponent
from the same recursion for a shift of h0). Networks: ``simulate.lyapunov``
(Benettin maximal exponent, macro exponent of the tangent started along u).
Both on the window [T/4, T].
"""

from __future__ import annotations

import numpy as np

from meanfield.model import Network
from validation.requests_replicas import LyapunovSimulationRequest, LyapunovTheoryRequest
from ..style import THEORY_COLOR, TWO_COLUMN, panel_letters, size_color
from .common import Rendered, grid

NAME = "fig7_lyapunov"
TITLE = "Figure 7: microscopic and macroscopic Lyapunov exponents versus J0"
G = 1.5
#: J0 values and network size per preset
LYAP_J0 = {"smoke": (1.0, 2.0), "quick": (0.5, 1.0, 2.0, 3.0), "full": (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)}
LYAP_N = {"smoke": 200, "quick": 500, "full": 2000}


def _window(preset):
    return (preset.T / 4, preset.T)


def _requests(preset):
    out = {}
    for J0 in LYAP_J0[preset.name]:
        net = Network(N=LYAP_N[preset.name], g=G, J0=J0)
        out[J0] = (LyapunovTheoryRequest(net, grid(preset.T), preset.lyap_n, _window(preset)),
                   LyapunovSimulationRequest(net, grid(preset.T), preset.lyap_n, _window(preset)))
    return out


def requests(preset):
    return [r for pair in _requests(preset).values() for r in pair]


def _band(values):
    q = np.nanpercentile(values, [10, 50, 90]) if len(values) else np.full(3, np.nan)
    return q


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    reqs = _requests(preset)
    J0 = np.array(LYAP_J0[preset.name], dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(TWO_COLUMN * 0.8, 2.5), sharex=True)
    rng = np.random.default_rng(np.random.SeedSequence(0))  # horizontal jitter of the markers only
    table, notes = {}, []
    for ax, (th_key, sim_key, title) in zip(axes, (("maximal", "max", "maximal exponent"),
                                                   ("macro", "macro", "macroscopic exponent (population)"))):
        bands = []
        for i, J in enumerate(J0):
            th, sim = data(reqs[J][0]), data(reqs[J][1])
            x_th = th.stack(th_key) if len(th) else np.zeros(0)
            x_sim = sim.stack(sim_key) if len(sim) else np.zeros(0)
            bands.append(_band(x_th))
            jit = 0.03 * (J0.max() - J0.min() if J0.size > 1 else 1) * rng.uniform(-1, 1, x_sim.size)
            ax.scatter(J + jit, x_sim, s=5, color=size_color(0), alpha=0.5, lw=0,
                       label=f"networks N = {LYAP_N[preset.name]}" if i == 0 else None)
            ax.plot([J], [np.median(x_sim)] if x_sim.size else [np.nan], "o", ms=4, mfc="white",
                    color=size_color(0), label="network median" if i == 0 else None)
            table.setdefault(th_key, {})[f"J0={J:g}"] = {
                "theory_q10_q50_q90": list(_band(x_th)), "networks_q10_q50_q90": list(_band(x_sim)),
                "n_theory": int(x_th.size), "n_networks": int(x_sim.size)}
            lo, med, hi = _band(x_th)
            if x_sim.size >= 4 and not lo <= np.median(x_sim) <= hi:
                notes.append(f"{title}, J0 = {J:g}: network median {np.median(x_sim):.3f} outside the theory "
                             f"10-90 % band [{lo:.3f}, {hi:.3f}]")
        b = np.array(bands)
        ax.fill_between(J0, b[:, 0], b[:, 2], color=THEORY_COLOR, alpha=0.15, lw=0, label="theory 10-90 %")
        ax.plot(J0, b[:, 1], color=THEORY_COLOR, lw=1.3, label="theory median")
        if th_key == "maximal":
            fixed = [np.nanmedian(data(reqs[J][0]).stack("micro")) if len(data(reqs[J][0])) else np.nan
                     for J in J0]
            ax.plot(J0, fixed, color=THEORY_COLOR, lw=0.9, ls="--", label="theory, h held fixed (eq. 5.L)")
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_xlabel("balanced coupling $J_0$")
        ax.set_ylabel(r"exponent $\lambda\,\tau$")
        ax.set_title(title)
    axes[0].legend(loc="best", fontsize=5.5)
    panel_letters(axes)
    reading = (
        f"Finite-time Lyapunov exponents at g = {G:g} versus J0 over the window "
        f"[{_window(preset)[0]:g}, {preset.T:g}] tau, in units of 1/tau. (a) Maximal: theory from the "
        "tangent-linear recursion of two replicas after a microscopic kick, which reaches the population mode "
        "through fresh innovations (THEORY.md section 5, meanfield.tangent); dashed: the same distance with the "
        "population path held fixed, which misses that route and lies below. Networks: the Benettin maximal "
        "exponent of the Euler map. (b) Macroscopic: growth rate of a perturbation of the population state h0 "
        "(theory: the same recursion for a shift of h0; networks: the tangent started along the uniform "
        "direction). Black line and band: median and 10-90 % range over theory samples, i.e. the "
        "network-to-network spread predicted by the theory; dots: individual networks, open circles their median."
    )
    summary = (f"g = {G:g}, N = {LYAP_N[preset.name]}; {preset.lyap_n} theory samples and {preset.lyap_n} "
               f"networks per J0; T = {preset.T:g}.")
    params = {"g": G, "J0": list(J0), "lambda0": 0.0, "N": LYAP_N[preset.name], "T": preset.T, "dt": 0.1,
              "window": list(_window(preset)), "exponents": table}
    return Rendered(fig, params, reading, summary, notes)
