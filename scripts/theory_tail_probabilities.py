"""The theory's P(|h(T)| > theta) with Wilson intervals (THEORY.md sections 4 and 7).

Run::

    python scripts/theory_tail_probabilities.py [--samples 2000] [--T 60] [--points "0.8,2;0.5,3"] [--out FILE]
    python scripts/theory_tail_probabilities.py --quick --out /tmp/tail.json   # seconds: does it run?

For each (g, J0) it draws ``--samples`` theory samples (default settings:
40 Gauss-Hermite nodes, pivot tolerance 1e-3, dt = 0.1, tanh, N = 1000 only
enters through rho_S and is irrelevant without input) and prints the
probability that the population state ends farther than theta from the
balanced fixed point, with its 95 % Wilson interval. With ``--out`` the
numbers, parameters, seeds and package version are written as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

import meanfield as mf

#: The (g, J0) pairs of the default run.
DEFAULT_POINTS = ((0.8, 2.0), (0.5, 3.0))

#: A tiny setting that runs in seconds: checks the script, says nothing about the tails.
QUICK = {"samples": 8, "T": 2.0, "workers": 1}


def _points(text: str) -> list[tuple[float, float]]:
    """``"g,J0;g,J0"`` -> [(g, J0), ...]."""
    try:
        points = [tuple(float(x) for x in item.split(",")) for item in text.split(";") if item.strip()]
    except ValueError:
        points = []
    if not points or any(len(pt) != 2 for pt in points):
        raise argparse.ArgumentTypeError(f"expected 'g,J0;g,J0;...', got {text!r}")
    return points


def tail_probability(g: float, J0: float, *, T: float, dt: float, theta: float, samples: int,
                     seed: int, workers: int, progress: bool = True) -> dict:
    """P(|h(T)| > theta) over ``samples`` theory samples, as a JSON-ready dict."""
    network = mf.Network(N=1000, g=g, J0=J0)
    start = time.perf_counter()
    ens = mf.sample(network, grid=mf.TimeGrid(dt, T), n_samples=samples, seed=seed,
                    workers=workers, criteria=None, progress=progress)
    p = mf.proportion(int(np.sum(np.abs(ens.h[:, -1]) > theta)), ens.n_samples)
    return {"g": g, "J0": J0, "T": T, "dt": dt, "theta": theta, "seed": seed,
            "probability": p.to_dict(), "seconds": time.perf_counter() - start,
            "settings": ens.settings.to_dict()}


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=_points, default=list(DEFAULT_POINTS), help="'g,J0;g,J0;...'")
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--T", type=float, default=60.0)
    ap.add_argument("--dt", type=float, default=0.1)
    ap.add_argument("--theta", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=None, help="write the results as JSON to this file")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")
    ap.add_argument("--quick", action="store_true",
                    help="tiny setting (8 samples, T = 2, one worker): seconds, for checking the script")
    return ap


def main(argv=None) -> int:
    ap = build_parser()
    if ap.parse_args(argv).quick:  # the quick values are defaults: options given explicitly still win
        ap.set_defaults(**QUICK)
    args = ap.parse_args(argv)

    rows = []
    for g, J0 in args.points:
        row = tail_probability(g, J0, T=args.T, dt=args.dt, theta=args.theta, samples=args.samples,
                               seed=args.seed, workers=args.workers, progress=not args.no_progress)
        p = row["probability"]
        print(f"g = {g:<4} J0 = {J0:<4} P(|h({args.T:g})| > {args.theta:g}) = {p['p']:.4f} "
              f"[{p['low']:.4f}, {p['high']:.4f}]  ({args.samples} samples, {row['seconds']:.0f} s)")
        rows.append(row)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"version": mf.__version__, "results": rows}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
