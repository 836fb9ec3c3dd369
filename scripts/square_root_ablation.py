"""Ablation: causal Cholesky factor versus the symmetric square root of Chat (THEORY.md section 4).

Runs the same parameter set three ways and compares the law of h(T):
the causal forward sweep (the default theory), Picard iteration with the
symmetric square root Chat^(1/2) (m_k then depends on future times), and
finite-N simulation. Prints P(|h(T)| > theta), Var h(T) and Delta(T,T) with
95% intervals, and two-sample KS p-values against simulation.

Run::

    python scripts/square_root_ablation.py [--g 0.8] [--J0 2] [--T 20] [--samples 300] [--out FILE]
    python scripts/square_root_ablation.py --quick --out /tmp/ablation.json   # seconds: does it run?
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from scipy import stats

import meanfield as mf
import simulate
from meanfield.runner import map_seeds

#: A tiny setting that runs in seconds: checks the script, says nothing about the ablation.
QUICK = {"N": 60, "T": 2.0, "samples": 6, "workers": 1}


def _symmetric_sample(i, ss, *, network, grid, initial):
    res = mf.solve_picard(network, grid=grid, initial=initial, seed=ss, square_root="symmetric",
                          max_iter=400, tol=1e-8, damping=0.5)
    return {"h": res.h, "delta_tt": np.diag(res.delta).copy(), "converged": np.bool_(res.converged),
            "iterations": np.int64(res.iterations)}


def bootstrap_var_ci(x, rng, n_boot=2000):
    idx = rng.integers(0, len(x), (n_boot, len(x)))
    v = np.var(x[idx], axis=1, ddof=1)
    return np.percentile(v, [2.5, 97.5])


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--g", type=float, default=0.8)
    ap.add_argument("--J0", type=float, default=2.0)
    ap.add_argument("--T", type=float, default=20.0)
    ap.add_argument("--N", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--theta", type=float, default=0.5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=101,
                    help="root seed of the causal samples; the symmetric ones use seed + 101, networks seed + 202")
    ap.add_argument("--out", default=None, help="write the results as JSON to this file")
    ap.add_argument("--quick", action="store_true",
                    help="tiny setting (N = 60, T = 2, 6 samples, one worker): seconds, for checking the script")
    return ap


def main(argv=None) -> int:
    ap = build_parser()
    if ap.parse_args(argv).quick:  # the quick values are defaults: options given explicitly still win
        ap.set_defaults(**QUICK)
    args = ap.parse_args(argv)

    net = mf.Network(N=args.N, g=args.g, J0=args.J0)
    grid = mf.TimeGrid(0.1, args.T)
    initial = mf.InitialState()
    t0 = time.time()
    causal = mf.sample(net, grid=grid, initial=initial, n_samples=args.samples, seed=args.seed,
                       workers=args.workers, criteria=None, progress=False)
    t1 = time.time()
    sym = map_seeds(_symmetric_sample, args.samples, args.seed + 101, function="scripts.square_root_ablation",
                    context={"network": net, "grid": grid, "initial": initial}, workers=args.workers,
                    progress=False).items
    t2 = time.time()
    sim = simulate.sample(net, grid=grid, initial=initial, n_samples=args.samples, seed=args.seed + 202,
                          workers=args.workers, progress=False)
    t3 = time.time()
    hT = {
        "causal": causal.h[:, -1],
        "symmetric": np.array([r["h"][-1] for r in sym]),
        "simulation": sim.h[:, -1],
    }
    dT = {
        "causal": causal.delta_tt[:, -1],
        "symmetric": np.array([r["delta_tt"][-1] for r in sym]),
        "simulation": sim.delta_tt[:, -1],
    }
    rng = np.random.default_rng(0)
    out = {"params": {k: v for k, v in vars(args).items() if k != "quick"}, "seconds": {"causal": t1 - t0, "symmetric": t2 - t1, "simulation": t3 - t2},
           "symmetric_converged": int(sum(bool(r["converged"]) for r in sym)),
           "symmetric_mean_iterations": float(np.mean([int(r["iterations"]) for r in sym]))}
    for name, x in hT.items():
        p = mf.proportion(int(np.sum(np.abs(x) > args.theta)), len(x))
        lo, hi = bootstrap_var_ci(x, rng)
        d = dT[name]
        out[name] = {
            "P_abs_h_gt_theta": p.to_dict(), "var_h": float(np.var(x, ddof=1)), "var_h_ci": [float(lo), float(hi)],
            "delta_TT_mean": float(np.mean(d)), "delta_TT_sem": float(np.std(d, ddof=1) / np.sqrt(len(d))),
        }
        if name != "simulation":
            out[name]["ks_vs_simulation_p"] = float(stats.ks_2samp(x, hT["simulation"]).pvalue)
        print(f"{name:>10}: P(|h(T)|>{args.theta}) = {p}   var h(T) = {np.var(x, ddof=1):.4f} "
              f"[{lo:.4f}, {hi:.4f}]   Delta(T,T) = {np.mean(d):.4f} +- {np.std(d, ddof=1)/np.sqrt(len(d)):.4f}"
              + (f"   KS p vs sim = {out[name]['ks_vs_simulation_p']:.3g}" if name != "simulation" else ""))
    print(json.dumps({k: out[k] for k in ("seconds", "symmetric_converged", "symmetric_mean_iterations")}))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(out, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
