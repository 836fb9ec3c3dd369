"""Figure 6: the spontaneous irregular rhythm of h for g > 1: autocorrelation and power spectrum, theory vs networks.

The same ensembles and estimators as validation check (e)
(``validation.checks.spontaneous``, :mod:`meanfield.estimators`): the
reference set g = 1.5, J0 = 1, window [T/3, T] of each path,
A(s) = mean_t h(t) h(t + s) and the Hann-windowed periodogram, averaged over paths.
"""

from __future__ import annotations

import numpy as np

from meanfield.estimators import window_statistics
from validation.checks.common import point
from validation.checks.spontaneous import MAX_LAG, MAX_OMEGA, window_start

from ..style import LAG_LABEL, OMEGA_LABEL, THEORY_COLOR, TIME_LABEL, TWO_COLUMN, panel_letters, size_color
from .common import DT, Rendered

NAME = "fig6_rhythm"
TITLE = "Figure 6: spontaneous irregular rhythm, autocorrelation and spectrum of h"
G, J0 = 1.5, 1.0  # the spontaneous reference set of THEORY.md section 4, as check (e)


def _point(preset):
    p = point(f"g={G:g}, J0={J0:g}", G, J0, preset.T,
              preset.spont_n_theory, preset.spont_networks, preset.sim_dtype)
    return p.theory[p.sizes[0]], p.sims


def requests(preset):
    th, sims = _point(preset)
    return [th, *sims.values()]


def _curves(view, T):
    h = view.stack("h")
    return (*window_statistics(h, DT, window_start(T), MAX_LAG, MAX_OMEGA, every=2), h)


def _mean_se(x):
    return x.mean(axis=0), x.std(axis=0, ddof=1) / np.sqrt(max(1, x.shape[0]))


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    th_req, sims = _point(preset)
    T = preset.T
    ac_th, tau, sp_th, omega, h_th = _curves(data(th_req), T)
    fig, axes = plt.subplots(1, 3, figsize=(TWO_COLUMN, 2.3), gridspec_kw={"width_ratios": [1.2, 1, 1]})
    t = th_req.grid.record_times
    ax = axes[0]
    for i in range(3):
        ax.plot(t, h_th[i], color=THEORY_COLOR, lw=0.8, ls="--", alpha=0.8, label="theory samples" if i == 0 else None)
    N0 = sorted(sims)[-1]
    h_sim = data(sims[N0]).stack("h")
    for i in range(3):
        ax.plot(t, h_sim[i], color=size_color(0), lw=0.9, alpha=0.9, label=f"networks N = {N0}" if i == 0 else None)
    ax.axvspan(window_start(T), T, color="0.92", lw=0, zorder=0)
    ax.set_xlabel(TIME_LABEL)
    ax.set_ylabel("$h(t)$")
    ax.set_title("paths of h (shaded: window)")
    ax.legend(loc="upper left", fontsize=5.5)
    m, se = _mean_se(ac_th)
    axes[1].fill_between(tau, m - 2 * se, m + 2 * se, color=THEORY_COLOR, alpha=0.15, lw=0)
    axes[1].plot(tau, m, color=THEORY_COLOR, lw=1.4, label=f"theory ({ac_th.shape[0]} samples)")
    m, se = _mean_se(sp_th)
    axes[2].fill_between(omega, np.maximum(m - 2 * se, 1e-6), m + 2 * se, color=THEORY_COLOR, alpha=0.15, lw=0)
    axes[2].plot(omega, m, color=THEORY_COLOR, lw=1.4)
    notes, gaps = [], {}
    for i, N in enumerate(sorted(sims)):
        ac, _, sp, _, _ = _curves(data(sims[N]), T)
        c = size_color(i)
        m, se = _mean_se(ac)
        axes[1].errorbar(tau[::5], m[::5], yerr=2 * se[::5], fmt="o", ms=2.5, color=c, elinewidth=0.7,
                         label=f"N = {N} ({ac.shape[0]} networks)")
        ms, ses = _mean_se(sp)
        axes[2].errorbar(omega, ms, yerr=2 * ses, fmt="o", ms=2.5, color=c, elinewidth=0.7)
        g_ac = float(np.max(np.abs(m - ac_th.mean(0))) / np.max(np.abs(ac_th.mean(0))))
        g_sp = float(np.max(np.abs(ms - sp_th.mean(0))) / np.max(sp_th.mean(0)))
        gaps[str(N)] = {"autocorrelation": g_ac, "spectrum": g_sp}
        for what, gval in (("autocorrelation", g_ac), ("spectrum", g_sp)):
            if gval > 0.1:
                notes.append(f"N = {N}: relative sup gap of the {what} of h = {gval:.2f} (> 0.1, the validation "
                             "tolerance of check e)")
    axes[1].axhline(0, color="0.6", lw=0.5)
    axes[1].set_xlabel(LAG_LABEL)
    axes[1].set_ylabel(r"$\langle h(t)\, h(t+s) \rangle$")
    axes[1].set_title("autocorrelation of h")
    axes[1].legend(loc="upper right", fontsize=5.5)
    axes[2].set_yscale("log")
    axes[2].set_xlabel(OMEGA_LABEL)
    axes[2].set_ylabel(r"power $S(\omega)$")
    axes[2].set_title("power spectrum of h")
    panel_letters(axes)
    reading = (
        f"Without input and with g = {G:g} > 1 (J0 = {J0:g}, lambda0 = 0) the "
        "microscopic chaos drives a macroscopic, slow and irregular rhythm of the population state h (section 2: "
        "an O(1) Gaussian-like fluctuation, different in every network). (a) Three theory samples (dashed) and "
        "three networks. (b) Autocorrelation <h(t) h(t+s)> and (c) power spectrum of h over the window "
        f"[T/3, T] = [{window_start(T):g}, {T:g}], averaged over theory samples (line, band of 2 standard errors) and "
        "over networks of each N (markers, bars of 2 standard errors): the theory predicts the law of the rhythm, its amplitude and time scale, "
        "not one path."
    )
    summary = (f"{ac_th.shape[0]} theory samples; networks " +
               ", ".join(f"N = {N}: {len(data(sims[N]))}" for N in sorted(sims)) + f"; T = {T:g}.")
    params = {"g": G, "J0": J0, "lambda0": 0.0, "T": T, "dt": DT,
              "window": [window_start(T), T], "N": sorted(sims), "relative_sup_gap": gaps,
              "estimators": "meanfield.estimators.window_statistics (autocorrelation, power_spectrum)"}
    return Rendered(fig, params, reading, summary, notes)
