"""Does a realisation's own zeta predict its macro FTLE?  (THEORY.md sections 3 and 9)

For ``--M`` realisations at fixed (N, g, J0), compute each one's zeta_k
(:func:`simulate.zeta.realisation_zeta`, k_max products with z) and the
linearised macro stability score of :func:`meanfield.learning.macro_stability_score`
(the zero-frequency loop gain of the population mode under the mean-field
slope c = E phi'), and measure the macro finite-time Lyapunov exponent under
the task's own input (a flip-flop input, as in
``scripts/reservoir_ftle_selection.py``). Prints the Spearman rank
correlation of each predictor with the measured exponent, with a bootstrap
interval over realisations, and the cost of the predictor as a ratio to the
cost of measuring the exponent; writes everything to ``--out`` (JSON).

Run:  python scripts/reservoir_zeta_predictor.py [--N 100] [--M 200] ...
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
from meanfield.learning import effective_gain, effective_outliers, macro_stability_score
from simulate.reservoir import Reservoir
from validation.requests_reservoir import flip_flop_input
from simulate.zeta import realisation_zeta


def spearman_interval(x, y, n_boot=4000, seed=0, level=0.95):
    """Spearman rho with a percentile bootstrap interval over (x, y) pairs."""
    x, y = np.asarray(x), np.asarray(y)
    rho = float(stats.spearmanr(x, y).statistic)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, (n_boot, x.size))
    boot = np.array([stats.spearmanr(x[i], y[i]).statistic for i in idx])
    lo, hi = np.nanquantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return rho, float(lo), float(hi)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--N", type=int, default=100)
    p.add_argument("--g", type=float, default=1.5)
    p.add_argument("--J0", type=float, default=1.0)
    p.add_argument("--input-scaling", type=float, default=1.0)
    p.add_argument("--input-mode", choices=["dense", "sparse"], default="sparse")
    p.add_argument("--dt", type=float, default=0.1)
    p.add_argument("--steps", type=int, default=400, help="input samples of the FTLE measurement")
    p.add_argument("--p", type=float, default=0.01, help="flip-flop pulse probability per step")
    p.add_argument("--M", type=int, default=200)
    p.add_argument("--k-max", type=int, default=None,
                   help="zeta_k used (default ceil(2 sqrt N): a finite network's zeta_k are close to iid only "
                        "for k of order sqrt N)")
    p.add_argument("--seed", type=int, default=1000)
    p.add_argument("--task-seed", type=int, default=1)
    p.add_argument("--out", default="zeta_predictor.json")
    args = p.parse_args(argv)
    out = writable_file("--out", args.out)

    u = flip_flop_input(args.steps, args.p, args.task_seed)
    net = mf.Network(N=args.N, g=args.g, J0=args.J0)
    res = Reservoir(net, input_scaling=args.input_scaling, input_mode=args.input_mode, dt=args.dt)
    k_max = args.k_max if args.k_max is not None else int(np.ceil(2 * np.sqrt(args.N)))
    c = effective_gain(args.g)
    seeds = np.random.SeedSequence(args.seed).spawn(args.M)
    ftle, score, zeta1, growth = [], [], [], []
    zetas = []
    t_zeta = t_ftle = 0.0
    for i, ss in enumerate(seeds):
        rr = res.realise(ss)
        t0 = time.perf_counter()
        zeta = realisation_zeta(rr.realisation, k_max)
        score.append(float(macro_stability_score(zeta, args.g, args.J0)))
        t_zeta += time.perf_counter() - t0
        zeta1.append(zeta[0])
        zetas.append(zeta)
        out_eff = effective_outliers(zeta, args.g, args.J0)
        growth.append(float(out_eff[0].real - 1.0) if out_eff.size else c * args.g - 1.0)
        t0 = time.perf_counter()
        ftle.append(rr.macro_ftle(u))
        t_ftle += time.perf_counter() - t0
        if i % 20 == 0:
            print(f"realisation {i:3d}: score {score[-1]:+.3f}, zeta_1 {zeta1[-1]:+.3f}, FTLE {ftle[-1]:+.4f}",
                  flush=True)
    ftle = np.array(ftle)
    predictors = {"loop gain Khat_c(0)": np.array(score), "zeta_1": np.array(zeta1),
                  "effective outlier growth rate": np.array(growth)}
    print(f"\nN = {args.N}, (g, J0) = ({args.g}, {args.J0}), {args.input_mode} input x {args.input_scaling}, "
          f"{args.steps} steps, M = {args.M}; c = {c:.4f}, c g = {c * args.g:.4f}, k_max = {k_max}")
    summary = {}
    for name, x in predictors.items():
        if np.ptp(x) == 0:
            print(f"  {name:30s}: the same for every realisation (no effective outlier beyond c g); no ranking")
            continue
        rho = spearman_interval(x, ftle)
        summary[name] = {"spearman": rho}
        print(f"  {name:30s}: Spearman rho with the measured macro FTLE {rho[0]:+.3f} [{rho[1]:+.3f}, {rho[2]:+.3f}]")
    ratio = t_zeta / t_ftle
    print(f"  cost: zeta and score {1e3 * t_zeta / args.M:.2f} ms, FTLE {1e3 * t_ftle / args.M:.2f} ms per "
          f"realisation (ratio {ratio:.3f})")
    record = {"args": vars(args), "reservoir": res.to_dict(), "c": c, "k_max": k_max, "macro_ftle": ftle,
              "predictors": predictors, "zeta": np.array(zetas), "summary": summary, "cost_ratio": ratio,
              "package_version": mf.results.package_version()}
    Path(out).write_text(json.dumps(to_jsonable(record), indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
