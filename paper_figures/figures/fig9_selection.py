"""Figure 9: selecting reservoirs by their macroscopic FTLE (THEORY.md sections 5, 9; the research result (i)).

M realisations of one balanced reservoir (the reservoir of validation check
(i) at N = 100) are driven by the flip-flop input. For each, the macro
finite-time Lyapunov exponent under that input is measured
(``ReservoirRealisation.macro_ftle``), and a ridge readout is trained and
tested from several initial states. The theory's law of the exponent (the
tangent recursion of section 5 under the same input) is the band: it says,
before any network is drawn, how far the realisations spread. The groups:
the realisations with the lowest fraction q of exponents, a random fraction
q, the highest q, and the fraction q chosen by the zeta score alone (no time
integration; ``meanfield.learning.macro_stability_score``, highest loop gain,
the direction measured by ``scripts/reservoir_zeta_predictor.py``).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from validation.checks.reservoirs import P_PULSE, TASK_SEED, reservoir
from validation.requests_reservoir import ReservoirFTLETheoryRequest, ReservoirSelectionRequest
from ..style import OKABE_ITO, THEORY_COLOR, TWO_COLUMN, panel_letters, size_color
from .common import Rendered

NAME = "fig9_selection"
TITLE = "Figure 9: selecting reservoirs by their macroscopic FTLE"
N = 100
Q = 0.2
FTLE_STEPS = 400
#: flip-flop length per preset (the task's split: washout 500, train to 2T/3, test after)
TASK_T = {"smoke": 2000, "quick": 12_000, "full": 12_000}


def _requests(preset):
    res = reservoir(N)
    return (ReservoirSelectionRequest(res, preset.sel_n, steps=FTLE_STEPS, T=TASK_T[preset.name], p=P_PULSE,
                                      task_seed=TASK_SEED, n_initial=preset.sel_initial),
            ReservoirFTLETheoryRequest(res, FTLE_STEPS, preset.sel_n_theory, p=P_PULSE, task_seed=TASK_SEED))


def requests(preset):
    return list(_requests(preset))


def groups(ftle: np.ndarray, score: np.ndarray, q: float, seed) -> dict:
    """Indices of the selected realisations: lowest / random / highest FTLE and highest zeta score."""
    M = ftle.size
    k = max(1, int(round(q * M)))
    order = np.argsort(ftle, kind="stable")
    rng = np.random.default_rng(seed)
    return {"lowest FTLE": order[:k], "random": np.sort(rng.choice(M, k, replace=False)),
            "highest FTLE": order[-k:], "zeta score": np.argsort(-score, kind="stable")[:k]}


def _mean_interval(values) -> tuple[float, float, float]:
    values = np.asarray(values, dtype=float)
    if values.size < 2 or np.ptp(values) == 0:
        m = float(values.mean()) if values.size else float("nan")
        return m, m, m
    ci = stats.bootstrap((values,), np.mean, n_resamples=4000, method="percentile",
                         random_state=np.random.default_rng(0)).confidence_interval
    return float(values.mean()), float(ci.low), float(ci.high)


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    sel_req, th_req = _requests(preset)
    sel, th = data(sel_req), data(th_req)
    ftle = sel.stack("macro") if len(sel) else np.zeros(0)
    acc = sel.stack("accuracy") if len(sel) else np.zeros((0, preset.sel_initial))
    score = sel.stack("score") if len(sel) else np.zeros(0)
    x_th = th.stack("macro") if len(th) else np.zeros(0)
    x_th = x_th[np.isfinite(x_th)]
    fig, axes = plt.subplots(1, 2, figsize=(TWO_COLUMN, 2.6), gridspec_kw={"width_ratios": [1.3, 1]})
    ax = axes[0]
    notes = []
    if x_th.size:
        lo, med, hi = np.percentile(x_th, [10, 50, 90])
        ax.axvspan(lo, hi, color=THEORY_COLOR, alpha=0.1, lw=0, label="theory 10-90 %")
        ax.axvline(med, color=THEORY_COLOR, lw=1.0, label="theory median")
    mean_acc = acc.mean(axis=1) if acc.size else np.zeros(0)
    ax.errorbar(ftle, mean_acc, yerr=acc.std(axis=1) if acc.size else None, fmt="o", ms=2.5, lw=0.6,
                color=size_color(0), label=f"realisations (bar: sd over {preset.sel_initial} initial states)")
    ax.set_xlabel("measured macro FTLE under the task input")
    ax.set_ylabel("flip-flop test accuracy")
    ax.legend(fontsize=5.5, loc="lower left")
    table = {}
    ax = axes[1]
    if ftle.size >= 2:
        picked = groups(ftle, score, Q, np.random.SeedSequence(preset.root_seed, spawn_key=(9,)))
        colors = (OKABE_ITO["blue"], OKABE_ITO["black"], OKABE_ITO["vermillion"], OKABE_ITO["green"])
        for i, (name, idx) in enumerate(picked.items()):
            m, lo, hi = _mean_interval(mean_acc[idx])
            sd = _mean_interval(acc[idx].std(axis=1))
            above = int((mean_acc[idx] > 0.95).sum())
            ax.bar(i, m, color=colors[i], alpha=0.75)
            ax.errorbar(i, m, yerr=[[m - lo], [hi - m]], color="k", lw=0.8, capsize=2)
            ax.text(i, min(hi, 1.0) + 0.005, f"{above}/{idx.size}\n>0.95", ha="center", va="bottom", fontsize=5)
            table[name] = {"realisations": idx.tolist(), "mean_accuracy_ci95": [m, lo, hi],
                           "spread_over_initial_states_ci95": list(sd), "n_above_0.95": above,
                           "n": int(idx.size)}
        ax.set_xticks(range(len(picked)))
        ax.set_xticklabels(list(picked), fontsize=6, rotation=15)
        low = min(v["mean_accuracy_ci95"][1] for v in table.values())
        ax.set_ylim(max(0.0, low - 0.05), 1.04)
        rho = stats.spearmanr(ftle, mean_acc).statistic
        table["spearman_ftle_accuracy"] = float(rho)
        lowest, highest = table["lowest FTLE"]["mean_accuracy_ci95"], table["highest FTLE"]["mean_accuracy_ci95"]
        if lowest[1] <= highest[2]:
            notes.append(f"lowest-FTLE group {lowest[0]:.3f} [{lowest[1]:.3f}, {lowest[2]:.3f}] and highest-FTLE "
                         f"group {highest[0]:.3f} [{highest[1]:.3f}, {highest[2]:.3f}]: the intervals overlap")
    ax.set_ylabel(f"mean accuracy, selected {Q:.0%}\n(95 % bootstrap interval)")
    panel_letters(axes)
    reading = (
        f"{len(sel)} realisations of one balanced reservoir (N = {N}, g = 1.5, J0 = 1, tanh, dt = 0.1, the input on "
        f"round(sqrt N) excitatory neurons) learn the 1-bit flip-flop (pulse probability {P_PULSE}, T = "
        f"{TASK_T[preset.name]}). (a) Test accuracy of a ridge readout against the realisation's macro FTLE, "
        f"measured under the first {FTLE_STEPS} input samples; the band is the theory's law of that exponent "
        "(tangent recursion of THEORY.md section 5, no network simulated). (b) Mean accuracy of the realisations "
        f"selected by the lowest {Q:.0%} of exponents, a random {Q:.0%}, the highest {Q:.0%}, and the {Q:.0%} with "
        "the highest zeta score (computed from the couplings alone), with bootstrap intervals over realisations "
        "and the count above 0.95."
    )
    summary = (f"N = {N}; {len(sel)} realisations x {preset.sel_initial} initial states; {x_th.size} theory samples.")
    params = {"N": N, "g": 1.5, "J0": 1.0, "phi": "tanh", "dt": 0.1, "input": "sparse, kappa = 1, A = 1",
              "task": {"name": "flip_flop", "T": TASK_T[preset.name], "p": P_PULSE, "seed": TASK_SEED},
              "ftle_steps": FTLE_STEPS, "q": Q, "groups": table}
    return Rendered(fig, params, reading, summary, notes)
