"""The theory's law of a reservoir's macro FTLE against the measured law over realisations.

At fixed (N, g, J0) and a fixed task input (the first ``--steps`` samples of
a flip-flop input), the macroscopic finite-time Lyapunov exponent varies from
realisation to realisation. The theory gives its law without simulating a
network: the tangent recursion of THEORY.md section 5 over the innovations
(:func:`meanfield.lyapunov.lyapunov_ensemble`, the same input through
:meth:`simulate.reservoir.ReservoirRealisation.network_inputs`). This script
measures the exponent of ``--M`` realisations (``macro_ftle``), compares the
two laws (two-sample KS test) and the predicted fraction of realisations
below a threshold against the measured one (Wilson intervals), and writes
the numbers to ``--out`` (JSON).

Run:  python scripts/reservoir_ftle_theory.py [--M 50] [--theory-samples 50] ...
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
from meanfield.stats import event_proportion
from simulate.reservoir import Reservoir
from validation.requests_reservoir import flip_flop_input


def _proportion(est) -> dict:
    return {"p": est.p, "low": est.low, "high": est.high, "k": est.k, "n": est.n}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--N", type=int, nargs="+", default=[100],
                   help="network sizes measured (the theory is the N -> infinity law, computed once)")
    p.add_argument("--g", type=float, default=1.5)
    p.add_argument("--J0", type=float, default=1.0)
    p.add_argument("--input-scaling", type=float, default=1.0)
    p.add_argument("--input-mode", choices=["dense", "sparse"], default="sparse")
    p.add_argument("--dt", type=float, default=0.1)
    p.add_argument("--steps", type=int, default=400, help="input samples (one Euler step each)")
    p.add_argument("--p", type=float, default=0.01, help="flip-flop pulse probability per step")
    p.add_argument("--M", type=int, default=50, help="measured realisations")
    p.add_argument("--theory-samples", type=int, default=50)
    p.add_argument("--threshold", type=float, default=None,
                   help="FTLE threshold of the fraction compared (default: the theory's median)")
    p.add_argument("--seed", type=int, default=1000)
    p.add_argument("--task-seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--out", default="ftle_theory.json")
    args = p.parse_args(argv)
    out = writable_file("--out", args.out)

    u = flip_flop_input(args.steps, args.p, args.task_seed)

    def reservoir(N):
        return Reservoir(mf.Network(N=N, g=args.g, J0=args.J0), input_scaling=args.input_scaling,
                         input_mode=args.input_mode, dt=args.dt)

    # N enters the theory only through the sparse set (|S| = kappa sqrt N, rho_S independent of N)
    res = reservoir(args.N[0])
    inputs, grid = res.network_inputs(u)
    t0 = time.perf_counter()
    theory = mf.lyapunov.lyapunov_ensemble(res.network, inputs, grid, n_samples=args.theory_samples,
                                           seed=args.seed + 1, workers=args.workers)
    t_theory = time.perf_counter() - t0
    pred = theory.macro[np.isfinite(theory.macro)]
    thr = float(np.median(pred)) if args.threshold is None else args.threshold
    p_theory = event_proportion(pred < thr)
    print(f"(g, J0) = ({args.g}, {args.J0}), {args.input_mode} input x {args.input_scaling}, {args.steps} steps")
    print(f"  theory over {pred.size} samples ({theory.failures} failed): median {np.median(pred):+.4f}, "
          f"quartiles {np.quantile(pred, 0.25):+.4f} {np.quantile(pred, 0.75):+.4f} ({t_theory:.0f} s); "
          f"P(FTLE < {thr:+.4f}) = {p_theory.p:.3f} [{p_theory.low:.3f}, {p_theory.high:.3f}]")
    sizes = []
    for N in args.N:
        t0 = time.perf_counter()
        seeds = np.random.SeedSequence(args.seed).spawn(args.M)
        measured = np.array([reservoir(N).realise(ss).macro_ftle(u) for ss in seeds])
        ks = stats.ks_2samp(measured, pred)
        p_measured = event_proportion(measured < thr)
        print(f"  N = {N:5d}: measured over {args.M} realisations: median {np.median(measured):+.4f}, quartiles "
              f"{np.quantile(measured, 0.25):+.4f} {np.quantile(measured, 0.75):+.4f}; KS D = {ks.statistic:.3f} "
              f"(p = {ks.pvalue:.3g}); P(FTLE < thr) = {p_measured.p:.3f} [{p_measured.low:.3f}, "
              f"{p_measured.high:.3f}] ({time.perf_counter() - t0:.0f} s)", flush=True)
        sizes.append({"N": N, "measured": measured, "ks": {"D": float(ks.statistic), "p": float(ks.pvalue)},
                      "p_measured": _proportion(p_measured)})
    record = {"args": vars(args), "reservoir": res.to_dict(), "theory": theory.macro,
              "theory_failures": int(theory.failures), "threshold": thr, "p_theory": _proportion(p_theory),
              "sizes": sizes, "theory_seconds": t_theory, "package_version": mf.results.package_version()}
    Path(out).write_text(json.dumps(to_jsonable(record), indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
