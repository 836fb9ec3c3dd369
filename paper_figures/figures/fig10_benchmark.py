"""Figure 10: the balanced reservoir side by side with ReservoirPy (the reservoir benchmark).

Rendered from the JSON record of ``benchmarks/bench_reservoir.py`` (identical
task data, splits, readout and metrics for both sides, equal hyperparameter
search budgets; ReservoirPy is an optional dependency, so its side is
measured by that benchmark and kept as data, ``paper_figures/data/bench_reservoir.json``,
with the versions and the machine's load). Regenerate the record with
``python benchmarks/bench_reservoir.py --out paper_figures/data/bench_reservoir.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from ..style import OKABE_ITO, TWO_COLUMN, panel_letters
from .common import Rendered

NAME = "fig10_benchmark"
TITLE = "Figure 10: balanced reservoirs against ReservoirPy"
RECORD = Path(__file__).resolve().parent.parent / "data" / "bench_reservoir.json"
SIDES = {"ours": ("balanced (ours)", OKABE_ITO["blue"]), "reservoirpy": ("ReservoirPy ESN", OKABE_ITO["orange"]),
         "reservoirpy_orthogonal": ("ReservoirPy, orthogonal W", OKABE_ITO["vermillion"])}
#: how each metric is shown: axis label, and whether higher is better
METRICS = {"sign_accuracy": ("accuracy", True), "accuracy": ("accuracy", True),
           "nrmse": ("NRMSE = RMSE / std(target)", False), "memory_capacity": ("memory capacity", True),
           "nrmse_closed_loop": ("closed-loop NRMSE / std(series)", False)}


def requests(preset):
    return []   # measured by the benchmark, not by the sweep engine


def load_record(path: Path = RECORD) -> dict | None:
    """The benchmark record, or None when it has not been produced."""
    return json.loads(path.read_text()) if path.exists() else None


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    record = load_record()
    fig, axes = plt.subplots(1, 2, figsize=(TWO_COLUMN, 2.8), gridspec_kw={"width_ratios": [2.2, 1]})
    notes = []
    if record is None:
        for ax in axes:
            ax.text(0.5, 0.5, "no benchmark record\nrun benchmarks/bench_reservoir.py", ha="center", va="center",
                    transform=ax.transAxes, fontsize=7)
        notes.append(f"{RECORD} is missing: run python benchmarks/bench_reservoir.py --out {RECORD}")
        return Rendered(fig, {}, "The benchmark record is missing.", "no data", notes)
    # rows grouped by task, by N within a task (the record keeps them in the order they were run)
    rows = sorted(record["tasks"].values(), key=lambda r: (r["label"].split(", N=")[0], r["N"]))
    ax = axes[0]
    width = 0.27
    table = {}
    for i, row in enumerate(rows):
        label, higher = METRICS[row["metric"]]
        # every row on one axis: scores relative to ReservoirPy's median (> 1 means ours is better)
        ref = row["sides"].get("reservoirpy", {}).get("summary", {}).get("median")
        table[row["label"]] = {}
        for j, side in enumerate(s for s in SIDES if s in row["sides"]):
            summ = row["sides"][side]["summary"]
            table[row["label"]][side] = summ
            if ref is None or ref == 0:
                continue
            rel = np.array([summ["median"], *summ["median_ci95"]]) / ref
            if not higher:
                rel = 1.0 / rel
            ax.bar(i + (j - 1) * width, rel[0] - 1.0, width, bottom=1.0, color=SIDES[side][1],   # from 1 up or down
                   label=SIDES[side][0] if i == 0 or side == "reservoirpy_orthogonal" else None)
            lo, hi = np.sort(rel[1:])
            ax.errorbar(i + (j - 1) * width, rel[0], yerr=[[rel[0] - lo], [hi - rel[0]]], color="k", lw=0.6,
                        capsize=1.5)
    ax.axhline(1.0, color="0.4", lw=0.6)
    ax.set_yscale("log")    # ratios: 2x better and 2x worse equally far from 1
    ax.set_xticks(range(len(rows)))
    # tick labels without the parenthesised details of the row labels (the caption gives them)
    ax.set_xticklabels([re.sub(r" \([^)]*\)", "", r["label"]).replace(", N=", "\nN=") for r in rows], fontsize=5,
                       rotation=30, ha="right")
    ax.set_ylabel("score / ReservoirPy median\n(NRMSE inverted: > 1 is better)")
    handles, labels = ax.get_legend_handles_labels()
    seen = dict(zip(labels, handles))
    ax.legend(seen.values(), seen.keys(), fontsize=5.5, loc="upper right")
    ax = axes[1]
    timing = record.get("timing", [])
    for k, t in enumerate(timing):
        ax.bar(k - 0.2, 1e6 * t["rpy_1"] / 1.0, 0.4, color=SIDES["reservoirpy"][1],
               label="ReservoirPy" if k == 0 else None)
        ax.bar(k + 0.2, 1e6 * t["ours_1"], 0.4, color=SIDES["ours"][1], label="ours" if k == 0 else None)
        ax.text(k, 1e6 * max(t["rpy_1"], t["ours_1"]) * 1.05, f"{t['ratio_1']:.1f}x\n{t['ratio_batched']:.1f}x "
                f"batched", ha="center", va="bottom", fontsize=5)
    ax.set_xticks(range(len(timing)))
    ax.set_xticklabels([f"N={t['N']}" for t in timing], fontsize=6)
    ax.set_ylabel("wall time per input sample (us)")
    top = max((1e6 * max(t["rpy_1"], t["ours_1"]) for t in timing), default=1.0)
    ax.set_ylim(0, 1.45 * top)
    ax.legend(fontsize=5.5, loc="upper left")
    panel_letters(axes)
    v = record.get("versions", {})
    load = record.get("load_average_before", "?")
    load = f"{load[0]:.1f}" if isinstance(load, list) and load else str(load)
    for earlier in record.get("merged_from", []):   # rows kept from earlier runs (bench_reservoir.py --only)
        la = earlier.get("load_average_before")
        load += f" (earlier rows: {la[0]:.1f})" if isinstance(la, list) and la else ""
    reading = (
        "(a) Test score of each task for the balanced reservoir and for ReservoirPy's ESN, relative to "
        "ReservoirPy's median over evaluation realisations (bars: median; whiskers: bootstrap 95 % interval of the "
        "median; NRMSE inverted so that above 1 is better for every task; log scale). Mackey-Glass closed loop: "
        "the readout fitted by teacher forcing, then 84 free-running steps each fed the previous output, NRMSE "
        "over those steps divided by the standard deviation of the whole series. Both sides had the same data, "
        "splits, ridge readout, metrics and number of hyperparameter grid points, chosen on a validation split of "
        "separate realisations. (b) Wall time of the state update per input sample, one trajectory "
        "(annotation: ReservoirPy / ours, single and for 10 initial states batched on one network). Measured by "
        f"benchmarks/bench_reservoir.py with ReservoirPy {v.get('reservoirpy', '?')}, numpy {v.get('numpy', '?')}, "
        f"{record.get('threads', '?')} thread(s), 1-minute load average {load} at the start (ratios are measured in the "
        "same run; absolute times under load are not)."
    )
    summary = f"{len(rows)} tasks; {record.get('seconds', 0):.0f} s of benchmark."
    return Rendered(fig, {"versions": v, "scores": table, "timing": timing}, reading, summary, notes)
