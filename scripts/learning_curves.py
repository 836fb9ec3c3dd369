"""Learning curves of a reservoir readout: predicted from the network's kernel against measured (research result (iii)).

Runs the experiment of validation check (k) (``validation.checks.learning_curve``)
on ``--realisations`` reservoir realisations: realisation i uses the i-th child
of ``SeedSequence(--seed)``, exactly as item i of the check's request, and is
saved to ``--out/realisation_<i>.npz`` as soon as it is done (rerun to resume).
Prints, per noise variance and n, the measured excess error of each readout
(mean and 95 % bootstrap interval over realisations and draws), the predicted
errors (theory kernel and empirical kernel, self-consistent and asymptotic
forms) with their ratio to the measured theory-beta ridge, and the paired
difference theory SGD - CV ridge; writes the table to ``--out/summary.json``.

The defaults of --N, --draws and --P are those of the ``full`` preset
(``validation.presets.FULL.learning_*``); ``--realisations`` runs fewer than it.

Run:  python scripts/learning_curves.py [--N 500] [--realisations 3] [--draws 5] [--out /tmp/learning_curves]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from meanfield.jsonable import to_jsonable
from validation.checks.learning_curve import (
    FORMS,
    KERNELS,
    N_GRID,
    NOISE_VARS,
    READOUTS,
    learning_curve_item,
    mean_interval,
    reservoir,
)
from validation.presets import FULL


def check_verdict(res, args, items):
    """The verdict of validation check (k) on these items (the same evaluation as the report's)."""
    import dataclasses
    import types

    from validation.checks.base import Data
    from validation.checks.learning_curve import LearningCurveCheck
    from validation.presets import Sizes

    preset = dataclasses.replace(FULL, learning_networks=Sizes(((args.N, len(items)),)), learning_P=args.P,
                                 learning_draws=args.draws)
    check = LearningCurveCheck()
    (req,) = check.requests(preset)   # keyed as the check looks its data up (its task seed is the default)
    for it in items:
        it.setdefault("n_grid", np.asarray(N_GRID))
    return check.evaluate(Data({req.key(): types.SimpleNamespace(items=tuple(items), seed={})}), preset)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    (N_full,) = FULL.learning_networks.N
    p.add_argument("--N", type=int, default=N_full)
    p.add_argument("--realisations", type=int, default=3)
    p.add_argument("--draws", type=int, default=FULL.learning_draws)
    p.add_argument("--P", type=int, default=FULL.learning_P)
    p.add_argument("--task-seed", type=int, default=13)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="/tmp/learning_curves")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    res = reservoir(args.N)
    seeds = np.random.SeedSequence(args.seed).spawn(args.realisations)
    items = []
    for i, ss in enumerate(seeds):
        path = out / f"realisation_{i}_N{args.N}_P{args.P}_d{args.draws}.npz"
        if not path.exists():
            t = time.time()
            item = learning_curve_item(res, args.P, args.task_seed, args.draws, N_GRID, NOISE_VARS, ss)
            np.savez(path, **item)
            print(f"realisation {i}: {time.time() - t:.0f} s", flush=True)
        items.append(dict(np.load(path)))
    pred = np.stack([it["predicted"] for it in items])     # (R, kernel, form, noise, n)
    meas = np.stack([it["measured"] for it in items])      # (R, noise, n, draw, readout)
    beta = np.stack([it["beta"] for it in items])
    table = []
    ridge = READOUTS.index("theory-beta ridge")
    for j, s2 in enumerate(NOISE_VARS):
        print(f"\nnoise variance {s2}: measured excess error, mean [95 % interval] over {meas.shape[0]} realisations "
              f"x {meas.shape[3]} draws")
        print("     n  " + "  ".join(f"{r:>24s}" for r in READOUTS) + "   beta*(theory)")
        for i, n in enumerate(N_GRID):
            cells = [mean_interval(meas[:, j, i, :, m], seed=i) for m in range(len(READOUTS))]
            print(f"{n:6d}  " + "  ".join(f"{c[0]:.4f} [{c[1]:.4f},{c[2]:.4f}]" for c in cells)
                  + f"   {beta[:, j, i].mean():.3g}")
            row = {"noise_var": s2, "n": n, "beta_theory": beta[:, j, i].tolist(),
                   "measured": {r: list(c) for r, c in zip(READOUTS, cells)}}
            m_ridge = meas[:, j, i, :, ridge].mean()
            row["predicted"] = {f"{k}/{f}": float(pred[:, ki, fi, j, i].mean()) for ki, k in enumerate(KERNELS)
                                for fi, f in enumerate(FORMS)}
            row["ratio_to_theory_beta_ridge"] = {k: v / m_ridge for k, v in row["predicted"].items()}
            d = meas[:, j, i, :, READOUTS.index("theory SGD")] - meas[:, j, i, :, READOUTS.index("CV ridge")]
            row["theory_sgd_minus_cv_ridge"] = list(mean_interval(d, seed=100 + i))
            table.append(row)
        print("     n   predicted / measured (theory-beta ridge):  " + "  ".join(f"{k}/{f}" for k in KERNELS
                                                                               for f in FORMS)
              + "   theory SGD - CV ridge [95 %]")
        for row in table[-len(N_GRID):]:
            r = row["ratio_to_theory_beta_ridge"]
            d = row["theory_sgd_minus_cv_ridge"]
            print(f"{row['n']:6d}   " + "  ".join(f"{r[f'{k}/{f}']:.3f}" for k in KERNELS for f in FORMS)
                  + f"   {d[0]:+.4f} [{d[1]:+.4f},{d[2]:+.4f}]")
    verdict = check_verdict(res, args, items)
    print(f"\ncheck (k) on these realisations: {verdict.verdict.value}; {verdict.summary()}")
    for c in verdict.comparisons:
        print(f"  {c.verdict.value:12s} {c.label}: ratio {c.simulation['estimate']:.3f} "
              f"[{c.simulation['interval'][0]:.3f}, {c.simulation['interval'][1]:.3f}]")
    for f in verdict.findings:
        print("  " + f)
    (out / f"summary_N{args.N}.json").write_text(json.dumps(to_jsonable({"args": vars(args), "table": table}),
                                                            indent=1))


if __name__ == "__main__":
    main()
