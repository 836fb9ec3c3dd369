"""Figure 13: convergence of finite networks to the theory, from the full validation run.

Rendered from the record of one ``meanfield validate --full`` run
(``paper_figures/data/validation_full.json``, written from that report's
``metrics.json`` by ``python scripts/validation_record.py REPORT_DIR``): the
full preset takes hours, so the figure keeps its numbers as data, with the
run's preset, package version and date.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..style import OKABE_ITO, TWO_COLUMN, panel_letters
from .common import Rendered, missing_record

NAME = "fig13_validation"
TITLE = "Figure 13: convergence of finite networks to the theory (full validation run)"
RECORD = Path(__file__).resolve().parent.parent / "data" / "validation_full.json"
ERRORS = (("sup_delta", "Delta(t, s)", OKABE_ITO["blue"], "o"), ("sup_chat", "Chat(t, s)", OKABE_ITO["green"], "s"))


def requests(preset):
    return []   # drawn from the record of a full validation run, not computed by the figure sweep


def load_record(path: Path | None = None) -> dict | None:
    """The validation record (default :data:`RECORD`), or None when it has not been produced."""
    path = RECORD if path is None else path
    return json.loads(path.read_text()) if path.exists() else None


def _n_axis(ax, Ns) -> None:
    """Log N axis labelled at the simulated sizes only."""
    from matplotlib.ticker import FixedLocator, NullLocator

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(sorted(Ns)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([str(int(n)) for n in sorted(Ns)])
    ax.set_xlabel("N")


def _paired_errors(ax, paired: dict) -> None:
    N = np.asarray(paired["N"], float)
    for key, label, color, marker in ERRORS:
        e = paired.get(key)
        if not e:
            continue
        mean, se = np.asarray(e["mean"]), np.asarray(e["se"])
        ax.errorbar(N, mean, yerr=1.96 * se, fmt=marker, ms=3.5, capsize=2, color=color, label=label)
        if e.get("exponent") is not None and np.isfinite(e["exponent"]):
            # the fit's line through the weighted centre of the points, with the fitted slope
            w = 1.0 / se**2
            c = np.exp(np.sum(w * (np.log(mean) + e["exponent"] * np.log(N))) / np.sum(w))
            ax.plot(N, c * N ** -e["exponent"], color=color, lw=0.8,
                    label=f"N^-({e['exponent']:.2f} +- {e['exponent_se']:.2f})")
    first = paired[ERRORS[0][0]]["mean"][0]
    ax.plot(N, first * (N / N[0]) ** -0.5, "k--", lw=0.7, label="slope -1/2")
    ax.set_yscale("log")
    _n_axis(ax, N)
    ax.set_ylabel("sup rel. error given own h")
    ax.legend(fontsize=5.5)


def _whitening(ax, paired: dict, tolerance: float = 0.05) -> None:
    per = paired.get("variance_per_N", {})
    Ns = sorted(int(n) for n in per)
    for name, off, color, label in (("own", -0.04, OKABE_ITO["blue"], "own feedback"),
                                    ("control", 0.04, OKABE_ITO["vermillion"], "permutation control")):
        vals = np.array([per[str(n)][name] for n in Ns])
        if vals.size == 0:
            continue
        x = np.asarray(Ns, float) * (1 + off)
        ax.errorbar(x, vals[:, 0], yerr=[vals[:, 0] - vals[:, 1], vals[:, 2] - vals[:, 0]], fmt="o", ms=3.5,
                    capsize=2, color=color, label=label)
    ax.axhline(1.0, color="k", lw=0.7)
    ax.axhspan(1 - tolerance, 1 + tolerance, color="0.9", zorder=0, label="tolerance")
    _n_axis(ax, Ns)
    ax.set_ylabel("variance of whitened feedback")
    ax.legend(fontsize=5.5)


def _ensemble_convergence(ax, checks: list) -> int:
    """Every ensemble check's discrepancy against N (its convergence fits), scaled by its value at the first N."""
    shown, sizes = 0, set()
    colors = list(OKABE_ITO.values())
    for c in checks:
        if c["name"] == "j":
            continue
        for f in c.get("convergence", []):
            N, d = (np.asarray(f.get(k) or [], float) for k in ("N", "discrepancy"))
            if N.size < 2 or not np.all(np.isfinite(d)) or d[0] <= 0 or np.any(d <= 0):
                continue
            color = colors[shown % len(colors)]
            ax.plot(N, d / d[0], "-o", ms=2.5, lw=0.7, color=color, label=f"({c['name']}) {f['metric'][:30]}")
            shown += 1
            sizes |= set(N.tolist())
    if shown:
        N = np.array(sorted(sizes))
        ax.plot(N, (N / N[0]) ** -0.5, "k--", lw=0.7, label="slope -1/2")
        ax.set_yscale("log")
        _n_axis(ax, N)
        ax.legend(fontsize=3.5, ncol=1, loc="lower left")
    ax.set_ylabel("discrepancy / value at first N")
    return shown


def summary_table(record: dict) -> str:
    """The run's summary table as Markdown (the README and the caption use the same text)."""
    lines = ["| check | verdict | comparisons |", "|---|---|---|"]
    for c in record["checks"]:
        n = c["counts"]
        title = c["title"].replace("|", "\\|")      # a bar inside a cell would end it
        lines.append(f"| ({c['name']}) {title} | {c['verdict']} | {n['pass']} pass, {n['fail']} fail, "
                     f"{n['inconclusive']} inconclusive |")
    return "\n".join(lines)


def render(data, preset) -> Rendered:
    import matplotlib.pyplot as plt

    record = load_record()
    fig, axes = plt.subplots(1, 3, figsize=(TWO_COLUMN, 2.6))
    if record is None:
        return missing_record(fig, axes, "validation record", "scripts/validation_record.py",
                              f"{RECORD} is missing: run meanfield validate --full, then python "
                              "scripts/validation_record.py REPORT")
    paired = next((c["metrics"] for c in record["checks"] if c["name"] == "j"), None)
    if paired:
        _paired_errors(axes[0], paired)
        _whitening(axes[1], paired)
    n_curves = _ensemble_convergence(axes[2], record["checks"])
    panel_letters(axes)
    meta = record["meta"]
    counts = {v: sum(c["verdict"] == v for c in record["checks"]) for v in ("pass", "fail", "inconclusive")}
    reading = (
        "(a) Paired check (j): for each network, the sup over (t, s) of the relative error of its empirical "
        "Delta(t, s) and Chat(t, s) against THEORY.md eqs. 4.1 and 4.5 run along that network's own population "
        "path (mean over networks with 95 % intervals; lines: fitted power laws; dashed: the expected slope -1/2). "
        "(b) Variance of each network's population feedback whitened with the causal factor of its own J0^2 Chat, "
        "and of the permutation control (random permutation of the E/I vector), per N with 95 % intervals; grey: "
        "the tolerance 0.05 (the deficit of the own feedback is the open disagreement of the README). (c) The "
        f"ensemble checks' discrepancy against N ({n_curves} curves), each scaled by its value at the smallest N; "
        "these are largest or mean distances between two random samples, so they carry a positive sampling bias "
        "that grows as the network counts fall with N (the full preset resolves every comparison at N <= 1000 "
        "only), and the report labels such fits noise-limited: the finite-N convergence is shown by (a). "
        f"Run: preset {meta['preset']}, {counts['pass']} pass, {counts['fail']} fail, {counts['inconclusive']} "
        f"inconclusive of {len(record['checks'])} checks, package version {meta['package_version']}, finished "
        f"{meta['finished']}, {meta['wall_seconds'] / 60:.0f} min on {meta['workers']} workers."
    )
    summary = (f"Full validation preset: N = {', '.join(map(str, meta['sizes']))}; "
               f"{meta['realisations']} realisations.")
    # the checks that did not pass, each with its summary line (the README holds the whole table)
    notes = [f"({c['name']}) {c['verdict']}: {c['summary']}" for c in record["checks"] if c["verdict"] != "pass"]
    return Rendered(fig, {"meta": meta, "verdicts": {c["name"]: c["verdict"] for c in record["checks"]}},
                    reading, summary, notes)
