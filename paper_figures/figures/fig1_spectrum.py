"""Figure 1: the spectrum of one realised J and the random outliers of THEORY.md section 3.

(a) every eigenvalue of one J at N = spectrum_N: the bulk fills the disk of
radius g, the outliers (|lambda| > bulk_radius) lie outside it.
(b) outliers of many realisations against the N -> infinity law
lambda = g / w of the random power series (zeta samples).
(c) the law of the largest outlier real part, censored at the finite-N bulk
margin on both sides (as validation check a), and P(x = 0 unstable).
"""

from __future__ import annotations

import numpy as np

from meanfield.estimators import censored_abscissa, split_by_sample
from meanfield.model import Network
from meanfield.stats import proportion
from simulate.spectrum import bulk_radius

from validation.checks.spectra import eigen_requests
from ..requests import SpectrumRequest
from ..style import OKABE_ITO, TWO_COLUMN, panel_letters, size_color
from .common import Rendered

NAME = "fig1_spectrum"
TITLE = "Figure 1: eigenvalue spectrum of J and its random outliers"
G, J0 = 0.8, 2.0

#: size of the one realised J whose whole spectrum is drawn, per preset
SPECTRUM_N = {"smoke": 200, "quick": 1000, "full": 2000}


class _EigenPreset:
    """Adapter: the fields ``validation.checks.spectra.eigen_requests`` reads, from a figure preset."""

    def __init__(self, preset):
        self.n_zeta = preset.n_zeta
        self.eigen_networks = preset.eigen_networks


def _requests(preset):
    th, sims = eigen_requests(_EigenPreset(preset), G, J0)
    one = SpectrumRequest(Network(N=SPECTRUM_N[preset.name], g=G, J0=J0), n=1)
    return th, sims, one


def requests(preset):
    th, sims, one = _requests(preset)
    return [one, th, *sims.values()]


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    th_req, sims, one = _requests(preset)
    lam = data(one).items[0]["eigenvalues"]
    net = one.network
    r_one = bulk_radius(net)
    zeta = data(th_req).items[0]
    th_per = split_by_sample(zeta["outliers"], zeta["sample_index"], zeta["max_re"].size)
    th_unstable = zeta["unstable"]
    fig, axes = plt.subplots(1, 3, figsize=(TWO_COLUMN, 2.5), gridspec_kw={"width_ratios": [1, 1, 1.15]})
    t = np.linspace(0, 2 * np.pi, 300)

    ax = axes[0]
    out = np.abs(lam) > r_one
    ax.scatter(lam[~out].real, lam[~out].imag, s=1.5, color="0.55", lw=0, rasterized=True,
               label=f"bulk ({(~out).sum()})")
    ax.scatter(lam[out].real, lam[out].imag, s=14, color=OKABE_ITO["vermillion"], lw=0, zorder=3,
               label=f"outliers ({out.sum()})")
    ax.plot(G * np.cos(t), G * np.sin(t), color="k", lw=0.6, label=r"$|\lambda| = g$")
    ax.axvline(1.0, color=OKABE_ITO["blue"], lw=0.7, ls="--", label=r"Re $\lambda = 1$")
    ax.set_title(f"one realised J, N = {net.N}")

    ax = axes[1]
    # real matrices have conjugate-pair spectra: theory in the upper half plane, networks in the lower
    sizes = sorted(sims)
    N_show = sizes[0]
    sim_per = [it["outliers"] for it in data(sims[N_show]).items]
    n_show = max(1, len(sim_per))  # as many zeta samples as networks: equal densities of points
    th_out = np.concatenate(th_per[:n_show]) if th_per else np.zeros(0, complex)
    th_out = th_out[th_out.imag >= 0]
    ax.scatter(th_out.real, th_out.imag, s=4, color="k", alpha=0.6, lw=0, rasterized=True,
               label=f"theory, N -> inf ({min(len(th_per), n_show)} zeta samples)")
    so = np.concatenate(sim_per) if sim_per else np.zeros(0, complex)
    so = so[so.imag <= 0]
    ax.scatter(so.real, so.imag, s=4, color=size_color(0), alpha=0.7, lw=0, rasterized=True,
               label=f"networks N = {N_show} ({len(sim_per)} J)")
    ax.axhline(0, color="0.7", lw=0.4, zorder=0)
    ax.plot(G * np.cos(t), G * np.sin(t), color="k", lw=0.6)
    ax.axvline(1.0, color=OKABE_ITO["blue"], lw=0.7, ls="--")
    ax.set_title("outliers over realisations")
    lim = 2.6
    for a in axes[:2]:
        a.set_aspect("equal")
        a.set_xlim(-lim, lim)
        a.set_ylim(-lim, lim)
        a.set_xlabel(r"Re $\lambda$")
        a.set_ylabel(r"Im $\lambda$")
        a.legend(loc="lower left", fontsize=5.5, handletextpad=0.2, borderaxespad=0.1)

    ax = axes[2]
    stats = {}
    for i, N in enumerate(sizes):
        req = sims[N]
        r = max(bulk_radius(req.network), np.sqrt(G))
        per = [it["outliers"] for it in data(req).items]
        x_th = np.sort(censored_abscissa(th_per, r))
        x_sim = np.sort(censored_abscissa(per, r))
        if i == 0:
            ax.step(x_th, np.arange(1, x_th.size + 1) / x_th.size, where="post", color="k", lw=1.4,
                    label=f"theory, censored at r = {r:.2f}")
        ax.step(x_sim, np.arange(1, x_sim.size + 1) / x_sim.size, where="post", color=size_color(i), lw=1,
                label=f"N = {N} ({x_sim.size} J)")
        flags = data(req).stack("max_re") > 1.0
        stats[N] = proportion(int(flags.sum()), flags.size)
    p_th = proportion(int(np.sum(th_unstable)), th_unstable.size)
    ax.axvline(1.0, color=OKABE_ITO["blue"], lw=0.7, ls="--")
    txt = [f"P(unstable): theory {p_th.p:.2f} [{p_th.low:.2f}, {p_th.high:.2f}]"]
    txt += [f"N = {N}: {q.p:.2f} [{q.low:.2f}, {q.high:.2f}]" for N, q in stats.items()]
    ax.text(0.97, 0.04, "\n".join(txt), transform=ax.transAxes, ha="right", va="bottom", fontsize=5.5)
    ax.set_xlabel(r"largest Re $\lambda$ of the outliers")
    ax.set_ylabel("cumulative probability")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.25), fontsize=5.5)
    ax.set_title(r"law of the spectral abscissa")
    panel_letters(axes)
    notes = []
    for N, q in stats.items():
        if not (q.low <= p_th.high and p_th.low <= q.high):
            notes.append(f"P(unstable) differs: theory {p_th}, N = {N} {q} (95 % Wilson intervals do not overlap)")
    reading = (
        f"(a) All N = {net.N} eigenvalues of one coupling matrix J = (g z + u v^T)/sqrt(N) at g = {G:g}, "
        f"J0 = {J0:g}, lambda0 = 0: the circular-law bulk of radius g and a few outliers; the mean part is "
        "nilpotent (lambda0 = 0), so the outliers are produced by the interaction of the random and the balanced "
        "parts and differ from network to network. (b) Outliers of many realised networks (blue, lower half plane) against the "
        "N -> infinity law of THEORY.md section 3, lambda = g/w for the roots of w^2 sum_k zeta_(k+1) w^k = g/J0 "
        "with iid Gaussian zeta (black, upper half plane; both laws are symmetric under "
        "complex conjugation). (c) Cumulative law of the largest outlier real part, censored at the "
        "finite-N bulk margin on both sides; the trivial state x = 0 is unstable when it exceeds 1 (dashed), and "
        "the text gives P(unstable) with 95 % Wilson intervals for theory and each N."
    )
    summary = (f"One J at N = {net.N}; {th_unstable.size} zeta samples; realised matrices "
               + ", ".join(f"N = {N}: {len(data(sims[N]))}" for N in sizes) + ".")
    params = {"g": G, "J0": J0, "lambda0": 0.0, "phi": "tanh", "f": net.f,
              "spectrum_N": net.N, "bulk_radius_one_J": r_one,
              "P_unstable": {"theory": [p_th.p, p_th.low, p_th.high],
                             **{f"N={N}": [q.p, q.low, q.high] for N, q in stats.items()}}}
    return Rendered(fig, params, reading, summary, notes)
