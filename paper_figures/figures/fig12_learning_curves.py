"""Figure 12: learning curves of a reservoir readout, predicted from the network's kernel (THEORY.md sections 4, 9).

The experiment of validation check (k) (``validation.checks.learning_curve``):
one balanced reservoir (N = 500, g = 1.5, J0 = 1, tanh, dense input) learns a
smooth function of its recent input history from n noisy samples. Panels (a),
(b): the measured excess generalisation error of four readouts (plain SGD,
SGD with the theory's weight decay, ridge with beta by leave-one-out
cross-validation, ridge with the theory's beta*(n)) with 95 % bootstrap
intervals over realisations and training draws, and the curves predicted
from the Mercer spectrum of the theory's rate correlation (solid), of the
realisation's own empirical kernel (dashed), and the asymptotic form (dotted),
at two noise variances; dash-dotted: the theory along the realisation's own population path
(``meanfield.conditional_moments``). Panel (c): the ratio predicted / measured for ridge
at the theory's beta, with the +-15 % band of the issue's target.
"""

from __future__ import annotations

import numpy as np

from validation.checks.learning_curve import (
    FORMS,
    KERNELS,
    N_GRID,
    NOISE_VARS,
    READOUTS,
    LearningCurveRequest,
    draw_curves,
    reservoir,
    summarise,
)

from ..style import TWO_COLUMN, panel_letters
from .common import Rendered

NAME = "fig12_learning_curves"
TITLE = "Figure 12: learning curves predicted from the network's kernel"
N = 500


#: the smoke preset (CI) runs two training-set sizes only
SMOKE_GRID = (10, 50)


def _request(preset):
    grid = SMOKE_GRID if preset.name == "smoke" else N_GRID
    return LearningCurveRequest(reservoir(N), preset.lc_n, P=preset.lc_P, draws=preset.lc_draws, n_grid=grid)


def requests(preset):
    return [_request(preset)]


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    view = data(_request(preset))
    fig, axes = plt.subplots(1, 3, figsize=(TWO_COLUMN, 3.0), layout="constrained")
    notes, table = [], {}
    if len(view):
        s = summarise(view)
        for j, s2 in enumerate(NOISE_VARS):
            draw_curves(axes[j], s, j)
            axes[j].set_title(f"noise variance {s2}", fontsize=7)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=4.5, frameon=False)
        ax = axes[2]
        ridge = s["measured"][..., READOUTS.index("theory-beta ridge")]       # (R, s, n, d)
        ns = np.asarray(s["n_grid"])
        for j, s2 in enumerate(NOISE_VARS):
            m = ridge[:, j].mean(axis=(0, 2))
            for (k, f), ls in ((("theory", "self-consistent"), "-"), (("paired", "self-consistent"), "-."),
                               (("empirical", "self-consistent"), "--"),
                               (("theory", "asymptotic"), ":")):
                r = s["predicted"][:, KERNELS.index(k), FORMS.index(f), j].mean(axis=0) / m
                ax.plot(ns, r, ls=ls, marker="o", ms=2, lw=1, color=("#0072B2", "#D55E00")[j],
                        label=f"{k}, {f[:4]}., $\\sigma^2$={s2}")
                table[f"ratio {k}/{f} sigma2={s2}"] = dict(zip(map(int, ns), map(float, r)))
            for mi, name in enumerate(READOUTS):
                table[f"measured {name} sigma2={s2}"] = dict(zip(map(int, ns), map(float, s["measured"][:, j, :, :, mi]
                                                                             .mean(axis=(0, 2)))))
        ax.axhspan(0.85, 1.15, color="k", alpha=0.08, lw=0)
        ax.axhline(1.0, color="k", lw=0.6)
        ax.axvline(50, color="k", lw=0.4, ls=":")
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("training samples n")
        ax.set_ylabel("predicted / measured (ridge, theory beta)")
        ax.legend(fontsize=3.8, ncol=2, loc="lower left")
    else:
        notes.append("no realisation computed")
    panel_letters(axes)
    reading = (
        f"A balanced reservoir (N = {N}, g = 1.5, J0 = 1, tanh, dt = 0.1, dense input u iid U(-1, 1)) learns "
        "f = sin(1.5 z / sd z), z(t) = u(t) + 0.9 z(t-1), from n noisy samples. (a, b) Measured excess error "
        "of four readouts with 95 % bootstrap intervals over realisations and training draws, and the curves "
        "predicted from Mercer eigenvalues: the theory's rate correlation C (solid; no network simulated), "
        "the realisation's own kernel (dashed), and the asymptotic form (dotted). (c) Predicted over measured "
        "error of ridge at the theory's beta*(n); the band is the +-15 % target."
    )
    summary = f"N = {N}; {len(view)} realisations x {preset.lc_draws} training draws per n; P = {preset.lc_P}."
    params = {"N": N, "g": 1.5, "J0": 1.0, "phi": "tanh", "dt": 0.1, "P": preset.lc_P, "n": list(_request(preset).n_grid),
              "noise_vars": list(NOISE_VARS), "table": table}
    return Rendered(fig, params, reading, summary, notes)
