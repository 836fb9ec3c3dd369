"""Figure 11: pretraining toward zero macro FTLE on temporally sparse tasks (THEORY.md sections 1, 5, 9; result (ii)).

Rendered from the JSON record of ``scripts/pretraining_delay.py``: M
realisations of one balanced reservoir, four groups (random realisations,
the M of a larger pool whose macro FTLE is closest to zero, the random
realisations after detuning pretraining, :func:`simulate.pretraining.pretrain_detuning`,
and ReservoirPy's ESN at the same N), test accuracy of a ridge readout on
delayed recall against the delay D and on the flip-flop against the mean
pulse interval 1/p, with bootstrap intervals over realisations; and the
macro FTLE before and after pretraining, with the theory's exponent at each
pretrained lambda0 (the tangent recursion of section 5). ReservoirPy is an
optional dependency, so the record is kept as data
(``paper_figures/data/pretraining_delay.json``); regenerate it with
``python scripts/pretraining_delay.py --out paper_figures/data/pretraining_delay.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..style import OKABE_ITO, THEORY_COLOR, TWO_COLUMN, panel_letters
from .common import Rendered, missing_record

NAME = "fig11_pretraining"
TITLE = "Figure 11: pretraining toward zero macro FTLE"
RECORD = Path(__file__).resolve().parent.parent / "data" / "pretraining_delay.json"
GROUPS = {"random": ("random realisation", OKABE_ITO["black"]),
          "FTLE-selected": ("FTLE-selected (|FTLE| smallest)", OKABE_ITO["green"]),
          "pretrained": ("pretrained (lambda0 tuned)", OKABE_ITO["blue"]),
          "ESN": ("ReservoirPy ESN", OKABE_ITO["orange"])}
#: drawn thin and dashed when the record has it: the M lowest exponents of the pool (the selection of result (i))
EXTRA = {"lowest-FTLE": ("lowest FTLE (selection (i))", OKABE_ITO["vermillion"])}


def requests(preset):
    return []   # measured by scripts/pretraining_delay.py, not by the sweep engine


def load_record(path: Path | None = None) -> dict | None:
    """The experiment's record (default :data:`RECORD`), or None when it has not been produced."""
    path = Path(RECORD if path is None else path)
    return json.loads(path.read_text()) if path.exists() else None


def curves(record: dict, prefix: str) -> tuple[np.ndarray, dict]:
    """x values (D, or 1/p) and {group: (n, 3) [mean, lo, hi]} of the tasks whose name starts with ``prefix``."""
    names = [n for n in record["summary"]["tasks"] if n.startswith(prefix)]
    if prefix == "recall_D":
        x = np.array([float(n[len(prefix):]) for n in names])
    else:
        x = np.array([1.0 / float(n[len(prefix):]) for n in names])
    order = np.argsort(x)
    groups = [g for g in (*GROUPS, *EXTRA) if all(g in record["summary"]["tasks"][n] for n in names)]
    out = {g: np.array([record["summary"]["tasks"][names[i]][g]["accuracy_ci95"] for i in order])
           for g in groups}
    return x[order], out


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    record = load_record()
    fig, axes = plt.subplots(1, 3, figsize=(TWO_COLUMN, 2.5), gridspec_kw={"width_ratios": [1.2, 1.2, 1], "wspace": 0.45})
    if record is None:
        return missing_record(fig, axes, "experiment's record", "scripts/pretraining_delay.py",
                              f"{RECORD} is missing: run python scripts/pretraining_delay.py --out {RECORD}")
    notes = []
    offsets = dict(zip(GROUPS, (-0.045, -0.015, 0.015, 0.045)))
    for ax, prefix, xlabel in ((axes[0], "recall_D", "recall delay D (input samples)"),
                               (axes[1], "flipflop_p", "mean pulse interval 1/p (input samples)")):
        x, ys = curves(record, prefix)
        for g, (label, color) in GROUPS.items():
            y = ys[g]
            xs = x * 10 ** offsets[g]       # side by side on the log axis
            ax.errorbar(xs, y[:, 0], yerr=[y[:, 0] - y[:, 1], y[:, 2] - y[:, 0]], fmt="o-", ms=2.5, lw=0.8,
                        capsize=1.5, color=color, label=label)
        for g, (label, color) in EXTRA.items():
            if g in ys:
                ax.plot(x, ys[g][:, 0], "--", lw=0.7, color=color, label=label)
        ax.set_xscale("log")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{v:g}" for v in x])
        ax.minorticks_off()
        ax.set_xlabel(xlabel)
        ax.axhline(0.5, color="0.6", lw=0.5, ls=":")
    axes[0].set_ylabel("test sign accuracy\n(mean, 95 % bootstrap interval)")
    axes[0].legend(fontsize=5, loc="lower left")
    s = record["summary"]
    ax = axes[2]
    th = s["theory"]
    pre = s["pretraining"][th["input"]]
    before, after = np.array(pre["ftle_before"], dtype=float), np.array(pre["ftle_after"], dtype=float)
    theory = np.array(th["theory_at_pretrained_lambda0"], dtype=float)
    k = np.arange(before.size)
    ax.plot(k, before, "o", ms=2.2, color=GROUPS["random"][1], label="measured, before")
    ax.plot(k, after, "o", ms=2.2, color=GROUPS["pretrained"][1], label="measured, after")
    ax.plot(np.repeat(k, theory.shape[1]), theory.ravel(), "x", ms=2.5, color=THEORY_COLOR, alpha=0.6,
            label="theory at pretrained lambda0")
    tol = record["args"]["tol"]
    ax.axhspan(-tol, tol, color=GROUPS["pretrained"][1], alpha=0.12, lw=0)
    ax.set_xlabel("realisation")
    ax.set_ylabel("macro FTLE (1 / tau)")
    ax.legend(fontsize=5, loc="best")
    panel_letters(axes)
    rec100 = s["tasks"].get("recall_D100", {})
    diff = rec100.get("pretrained_minus_random_paired_ci95", [np.nan] * 3)
    if diff[1] <= 0 <= diff[2] or diff[0] < 0:
        notes.append(f"delayed recall D = 100: pretrained - random {diff[0]:+.3f} [{diff[1]:+.3f}, {diff[2]:+.3f}] "
                     "(paired 95 % bootstrap): the target (interval above zero) is not met")
    args, res = record["args"], record["reservoir"]
    esn = record["esn"]
    reading = (
        f"{args['M']} realisations of a balanced reservoir (N = {args['N']}, g = {args['g']}, J0 = {args['J0']}, tanh, "
        f"dt = {args['dt']}, {args['input_mode']} input of scale {args['input_scaling']}) and {args['M']} ReservoirPy "
        f"ESNs (sr = {esn['sr']}, input scaling {esn['input_scaling']}, lr = {esn['lr']}) with the same ridge readout "
        f"(ridge chosen on the last quarter of the training rows). (a) Delayed recall (pulse probability "
        f"{args['p_recall']}, pulses 10 or more samples apart; accuracy at the recall times) against D. (b) Flip-flop "
        f"against 1/p. Groups: random realisations (lambda0 = 0); the {args['M']} of {args['pool'] * args['M']} "
        f"whose macro FTLE under the task's first {args['ftle_steps']} input samples is closest to zero; the random "
        f"realisations after pretraining, which changes only their detuning lambda0 (a rank-one term along the "
        f"population direction) until |FTLE| <= {tol} under the same samples; the ESN. Bars: 95 % bootstrap "
        "intervals over realisations; points are offset sideways for legibility; dashed: the mean of the M lowest "
        "exponents of the pool (the selection of result (i), not one of the four groups). (c) Macro FTLE of each realisation "
        "before and after pretraining (band: the tolerance) and the theory's exponent at its pretrained lambda0 "
        "(tangent recursion of THEORY.md section 5, independent innovation draws)."
    )
    summary = (f"N = {args['N']}; {args['M']} realisations per group, pool of {args['pool'] * args['M']}; "
               f"{pre['converged']}/{args['M']} pretrained within tolerance.")
    params = {"versions": record["versions"], "args": args, "reservoir": res, "esn": esn,
              "tasks": {n: {g: e[g]["accuracy_ci95"] for g in (*GROUPS, *EXTRA) if g in e} | {
                  "pretrained_minus_random_paired_ci95": e["pretrained_minus_random_paired_ci95"]}
                  for n, e in s["tasks"].items()},
              "pretraining": {kk: {f: v[f] for f in ("tasks", "converged", "evaluations_mean_ci95",
                                                      "time_ratio_to_one_training_median", "abs_ftle_before_ci95",
                                                      "abs_ftle_after_ci95")}
                              for kk, v in s["pretraining"].items()},
              "theory": {f: th[f] for f in ("theory_mean_ci95", "measured_mean_ci95", "theory_minus_measured_ci95",
                                           "theory_at_lambda0_0_ci95", "measured_at_lambda0_0_ci95")}}
    return Rendered(fig, params, reading, summary, notes)
