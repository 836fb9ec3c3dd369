"""Selection of reservoirs by their macroscopic FTLE (the project's research result (i)).

For M candidate realisations at fixed (N, g, J0), measure each one's macro
finite-time Lyapunov exponent under the task's own input
(:meth:`simulate.reservoir.ReservoirRealisation.macro_ftle`), then train a
ridge readout on the lowest fraction q of them, on a random fraction q and on
the highest q, each from ``--initial-states`` initial states. Prints, per
group, the mean test performance and its spread over initial states with
bootstrap intervals over realisations, and the rank correlation between FTLE
and performance over all M; writes everything to ``--out`` (JSON).

Run:  python scripts/reservoir_ftle_selection.py [--task flip-flop|delayed-recall] [--M 50] ...
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy import stats

import meanfield as mf
from meanfield.arguments import writable_file
from meanfield.jsonable import to_jsonable
from simulate import tasks
from simulate.metrics import sign_accuracy
from simulate.readouts import RidgeReadout
from simulate.reservoir import Reservoir


def task_data(args):
    if args.task == "flip-flop":
        return tasks.flip_flop(T=args.T, p=args.p, seed=args.task_seed)
    return tasks.delayed_recall(T=args.T, D=args.delay, p=args.p, seed=args.task_seed)


def performance(states, data, ridge: float, recall_only: bool) -> np.ndarray:
    """Test sign accuracy of a ridge readout fitted separately for every initial state (replica).

    Flip-flop: every test step; delayed recall: the recall times only.
    """
    F = states.features()
    y = np.asarray(data.targets)[:, 0]
    out = []
    for r in range(F.shape[0]):
        readout = RidgeReadout(ridge=ridge).fit(F[r, data.train], y[data.train])
        pred = readout.predict(F[r, data.test])
        out.append(sign_accuracy(pred, y[data.test], nonzero_only=recall_only))
    return np.array(out)


def bootstrap_mean(values, n_boot=4000, seed=0, level=0.95):
    rng = np.random.default_rng(seed)
    values = np.asarray(values, dtype=float)
    means = rng.choice(values, (n_boot, values.size)).mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(values.mean()), float(lo), float(hi)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", choices=["flip-flop", "delayed-recall"], default="flip-flop")
    p.add_argument("--N", type=int, default=100)
    p.add_argument("--g", type=float, default=1.5)
    p.add_argument("--J0", type=float, default=1.0)
    p.add_argument("--input-scaling", type=float, default=1.0)
    p.add_argument("--input-mode", choices=["dense", "sparse"], default="sparse")
    p.add_argument("--substeps", type=int, default=1)
    p.add_argument("--dt", type=float, default=0.1)
    p.add_argument("--ridge", type=float, default=1e-6)
    p.add_argument("--T", type=int, default=12_000)
    p.add_argument("--p", type=float, default=0.01, help="pulse probability per step")
    p.add_argument("--delay", type=int, default=30, help="delayed recall: D")
    p.add_argument("--M", type=int, default=50, help="candidate realisations")
    p.add_argument("--q", type=float, default=0.2, help="fraction selected per group")
    p.add_argument("--initial-states", type=int, default=10)
    p.add_argument("--seed", type=int, default=1000, help="root seed of the realisations")
    p.add_argument("--task-seed", type=int, default=1)
    p.add_argument("--out", default="ftle_selection.json")
    args = p.parse_args(argv)
    out = writable_file("--out", args.out)

    net = mf.Network(N=args.N, g=args.g, J0=args.J0)
    res = Reservoir(net, input_scaling=args.input_scaling, input_mode=args.input_mode,
                    substeps=args.substeps, dt=args.dt, include_h=True)
    data = task_data(args)
    u = np.asarray(data.inputs)[:, 0]
    seeds = np.random.SeedSequence(args.seed).spawn(args.M)
    t0 = time.perf_counter()
    ftle, perf = [], []
    for i, ss in enumerate(seeds):
        rr = res.realise(ss)
        ftle.append(rr.macro_ftle(u))
        perf.append(performance(rr.run(u, n_initial=args.initial_states), data, args.ridge,
                                args.task == "delayed-recall"))
        print(f"realisation {i:3d}: macro FTLE {ftle[-1]:+.4f}, accuracy {perf[-1].mean():.3f} "
              f"(sd {perf[-1].std():.3f} over {args.initial_states} initial states)", flush=True)
    ftle, perf = np.array(ftle), np.array(perf)
    n_sel = max(1, int(round(args.q * args.M)))
    order = np.argsort(ftle)
    rng = np.random.default_rng(args.seed + 1)
    groups = {"lowest FTLE": order[:n_sel], "random": rng.choice(args.M, n_sel, replace=False),
              "highest FTLE": order[-n_sel:]}
    rho = stats.spearmanr(ftle, perf.mean(axis=1))
    summary = {}
    print(f"\n{args.task}, N = {args.N}, (g, J0) = ({args.g}, {args.J0}), M = {args.M}, q = {args.q}, "
          f"{args.initial_states} initial states ({time.perf_counter() - t0:.0f} s)")
    for name, idx in groups.items():
        mean = bootstrap_mean(perf[idx].mean(axis=1))
        spread = bootstrap_mean(perf[idx].std(axis=1))
        above = float(np.mean(perf[idx].mean(axis=1) > 0.95))
        summary[name] = {"realisations": idx.tolist(), "accuracy": mean, "spread_over_initial_states": spread,
                         "fraction_above_0.95": above, "macro_ftle": ftle[idx].tolist()}
        print(f"  {name:13s}: accuracy {mean[0]:.3f} [{mean[1]:.3f}, {mean[2]:.3f}], spread over initial "
              f"states {spread[0]:.3f} [{spread[1]:.3f}, {spread[2]:.3f}], {above:.0%} above 0.95")
    print(f"  Spearman rank correlation of FTLE and accuracy over all {args.M}: {rho.statistic:+.2f} "
          f"(p = {rho.pvalue:.2g})")
    record = {"args": vars(args), "reservoir": res.to_dict(), "task": data.params, "macro_ftle": ftle,
              "accuracy": perf, "groups": summary,
              "spearman": {"rho": float(rho.statistic), "p": float(rho.pvalue)},
              "package_version": mf.results.package_version()}
    Path(out).write_text(json.dumps(to_jsonable(record), indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
