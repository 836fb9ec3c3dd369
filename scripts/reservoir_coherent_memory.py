"""Do coherent states make the flip-flop easy?  (THEORY.md sections 4, 7 and 9)

A coherent state's sign is a one-bit memory, and a sparse input can set it
(figure 5). This script drives reservoirs at several (g, J0) and sparse-input
amplitudes with the flip-flop input and compares three readouts of the same
runs: a ridge readout of all features, a ridge readout of the population
state h alone, and the sign of h itself (the better of the two orientations).
If the pulses set the coherent state, the h-only readouts reach the
all-features accuracy. Prints medians over ``--M`` realisations and writes
them to ``--out`` (JSON).

Run:  python scripts/reservoir_coherent_memory.py [--N 200] [--M 8] ...
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import meanfield as mf
from meanfield.arguments import writable_file
from meanfield.jsonable import to_jsonable
from simulate import tasks
from simulate.metrics import sign_accuracy
from simulate.readouts import RidgeReadout
from simulate.reservoir import Reservoir


def readout_accuracies(states, data, ridge: float) -> dict:
    """Test sign accuracy of the three readouts of one run (module docstring)."""
    y = np.asarray(data.targets)[:, 0]
    F, h = states.features()[0], states.h[0]
    H = np.c_[h, np.ones_like(h)]

    def ridge_acc(X):
        fit = RidgeReadout(ridge=ridge).fit(X[data.train], y[data.train])
        return sign_accuracy(fit.predict(X[data.test]), y[data.test])

    sign = np.sign(h[data.test])
    return {"all features": ridge_acc(F), "h only": ridge_acc(H),
            "sign of h": float(max(np.mean(sign == y[data.test]), np.mean(-sign == y[data.test])))}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--N", type=int, default=200)
    p.add_argument("--points", type=float, nargs="+", default=[0.8, 2.0, 1.5, 3.0, 1.5, 1.0],
                   help="(g, J0) pairs, flattened")
    p.add_argument("--amplitudes", type=float, nargs="+", default=[1.0, 5.0, 20.0])
    p.add_argument("--M", type=int, default=8, help="realisations per point")
    p.add_argument("--T", type=int, default=6000)
    p.add_argument("--p", type=float, default=0.01)
    p.add_argument("--ridge", type=float, default=1e-6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="coherent_memory.json")
    args = p.parse_args(argv)
    out = writable_file("--out", args.out)
    if len(args.points) % 2:
        p.error("--points takes (g, J0) pairs")
    data = tasks.flip_flop(T=args.T, p=args.p, seed=1, test_start=2 * args.T // 3)
    u = np.asarray(data.inputs)[:, 0]
    rows = []
    for g, J0 in zip(args.points[::2], args.points[1::2]):
        for A in args.amplitudes:
            res = Reservoir(mf.Network(N=args.N, g=g, J0=J0), input_mode="sparse", input_scaling=A, dt=0.1,
                            include_h=True)
            runs = []
            for ss in np.random.SeedSequence(args.seed).spawn(args.M):
                st = res.realise(ss).run(u)
                runs.append({**readout_accuracies(st, data, args.ridge), "mean |h|": float(np.abs(st.h).mean())})
            med = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
            rows.append({"g": g, "J0": J0, "A": A, "median": med, "runs": runs})
            print(f"N={args.N} (g, J0) = ({g}, {J0}), A = {A}: " + ", ".join(f"{k} {v:.3f}" for k, v in med.items()),
                  flush=True)
    Path(out).write_text(json.dumps(to_jsonable({"args": vars(args), "task": data.params, "rows": rows,
                                                 "package_version": mf.results.package_version()}), indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
