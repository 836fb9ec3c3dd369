"""Lyapunov exponents and stimulus discrimination, theory against simulated networks.

For each (g, J0) this prints and saves (THEORY.md sections 5 and 6):

* the median macroscopic finite-time Lyapunov exponent on (0, T): theory =
  tangent-linear recursion of two replicas for a unit shift of h0
  (meanfield.lyapunov, meanfield.tangent); simulation = tangent started along
  the uniform direction (simulate.lyapunov);
* the median maximal exponent on (t_micro, T): theory = the same recursion for
  a microscopic kick (population mode included) and, for comparison, the micro
  exponent along the fixed population path (eq. 5.L); simulation = Benettin;
* P(sign h(T) reports the stimulus) for the sparse pair (+A, -A) on the same
  set S (kappa, A): theory = two replicas with the same xi; simulation = two
  replicas on the same realisation with the same initial state.

Medians carry distribution-free 95% order-statistic intervals, probabilities
95% t intervals over networks (per network the score is 0, 1/2 or 1).

Usage::

    python scripts/lyapunov_discrimination_numbers.py --part theory --out theory.json
    python scripts/lyapunov_discrimination_numbers.py --part simulation --sizes 1000 2000 --out sim.json
    python scripts/lyapunov_discrimination_numbers.py --table theory.json sim.json
    python scripts/lyapunov_discrimination_numbers.py --quick --out /tmp/check.json   # seconds: does it run?

(``--part all`` does both in one process.)
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the tangent products are small; the machine is shared

import argparse
import json
import sys
import time



def _pairs(text: str) -> list[tuple[float, float]]:
    out = []
    for item in text.split(";"):
        g, j = item.split(",")
        out.append((float(g), float(j)))
    return out


def _estimate(e) -> dict:
    return {"value": e.value, "low": e.low, "high": e.high, "n": e.n}


def run_theory(args) -> dict:
    import meanfield as mf
    from meanfield import lyapunov as ly
    from meanfield import readout as ro

    grid = mf.TimeGrid(args.dt, args.T)
    stimuli = ro.sign_stimuli(mf.SparseInput(kappa=args.kappa, A=args.A))
    out = {}
    for g, J0 in _pairs(args.params):
        net = mf.Network(N=1000, g=g, J0=J0)      # N enters the theory only through |S| and rho_S
        t0 = time.time()
        lyap = ly.lyapunov_ensemble(net, grid=grid, n_samples=args.theory_samples, seed=args.seed,
                                    micro_window=(args.t_micro, args.T), quadrature_order=args.micro_order,
                                    settings=mf.SolverSettings(args.quadrature_order, args.pivot_tol, args.quadrature_accuracy),
                                    workers=args.workers, progress=args.progress)
        disc = ro.discriminate(net, stimuli, grid, n_samples=args.theory_samples, seed=args.seed + 1,
                               workers=args.workers, progress=args.progress)
        elapsed = time.time() - t0
        key = f"g={g},J0={J0}"
        out[key] = {
            "macro_median": _estimate(lyap.median_macro()),
            "micro_median": _estimate(lyap.median_micro()),
            "maximal_median": _estimate(lyap.median_maximal()),
            "p_sign_correct": _estimate(disc.p_sign_correct()),
            "macro": lyap.macro.tolist(), "micro": lyap.micro.tolist(), "maximal": lyap.maximal.tolist(),
            "tangent_failures": lyap.failures,
            "sign_scores": disc.sign_scores().tolist(), "seconds": elapsed,
        }
        print(f"[theory {key}] {elapsed:.0f} s", file=sys.stderr, flush=True)
        _save_partial(args, "theory", out)
    return out


def run_simulation(args) -> dict:
    import numba

    import meanfield as mf
    from meanfield import readout as ro
    from simulate import lyapunov as sl
    from simulate import readout as sro

    numba.set_num_threads(1)
    grid = mf.TimeGrid(args.dt, args.T)
    stimuli = ro.sign_stimuli(mf.SparseInput(kappa=args.kappa, A=args.A))
    out = {}
    for N in args.sizes:
        n_real = args.realisations if N <= 1000 else args.realisations_large
        for g, J0 in _pairs(args.params):
            net = mf.Network(N=N, g=g, J0=J0)
            t0 = time.time()
            lyap = sl.lyapunov_ensemble(net, grid=grid, n_samples=n_real, seed=args.seed + 10,
                                        micro_window=(args.t_micro, args.T), workers=args.workers,
                                        progress=args.progress)
            disc = sro.discriminate(net, stimuli, grid, n_samples=n_real, seed=args.seed + 10,
                                    workers=args.workers, progress=args.progress)
            elapsed = time.time() - t0
            key = f"N={N},g={g},J0={J0}"
            out[key] = {
                "macro_median": _estimate(lyap.median_macro()),
                "maximal_median": _estimate(lyap.median_maximal()),
                "p_sign_correct": _estimate(disc.p_sign_correct()),
                "macro": lyap.macro.tolist(), "maximal": lyap.maximal.tolist(),
                "sign_scores": disc.sign_scores().tolist(), "seconds": elapsed,
            }
            print(f"[simulation {key}] {elapsed:.0f} s", file=sys.stderr, flush=True)
            _save_partial(args, "simulation", out)
    return out


def _save_partial(args, part: str, out: dict) -> None:
    """Write what is done so far to ``<out>.partial`` (a long run that is stopped keeps its cases)."""
    with open(args.out + ".partial", "w") as f:
        json.dump({part: out}, f, indent=1)


def table(results: dict) -> str:
    keys = ("macro_median", "micro_median", "maximal_median", "p_sign_correct")
    heads = ("macro FTLE (median)", "micro, fixed h (median)", "maximal (median)", "P(sign h(T) correct)")
    lines = [f"{'case':<24} " + " ".join(f"{h:<30}" for h in heads)]
    fmt = lambda e: f"{e['value']:+.3f} [{e['low']:+.3f}, {e['high']:+.3f}] n={e['n']}"  # noqa: E731
    label = {"theory": "the", "simulation": "sim"}
    for part in ("theory", "simulation"):
        for key, r in results.get(part, {}).items():
            cells = [fmt(r[k]) if k in r else "-" for k in keys]
            lines.append(f"{label[part] + ' ' + key:<24} " + " ".join(f"{c:<30}" for c in cells))
    return "\n".join(lines)


#: A tiny setting that runs in seconds: checks the script, says nothing about the exponents.
QUICK = {"params": "0.8,2.0", "T": 2.0, "t_micro": 0.5, "micro_order": 6, "theory_samples": 2,
         "sizes": [60], "realisations": 2, "realisations_large": 2}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", choices=("theory", "simulation", "all"), default="all")
    p.add_argument("--params", default="0.8,2.0;1.5,1.0", help="'g,J0;g,J0;...'")
    p.add_argument("--T", type=float, default=40.0)
    p.add_argument("--dt", type=float, default=0.1)
    p.add_argument("--t-micro", type=float, default=10.0,
                   help="start of the window of the micro exponent (skips the initial transient)")
    p.add_argument("--micro-order", type=int, default=16,
                   help="Gauss-Hermite order per dimension of Cp = E phi' phi' in the micro recursion")
    from meanfield.tangent import TANGENT_SETTINGS

    p.add_argument("--quadrature-order", type=int, default=TANGENT_SETTINGS.quadrature_order,
                   help="theory: fixed Gauss-Hermite order of the tangent-linear solver "
                        "(default: the adaptive rule)")
    p.add_argument("--quadrature-accuracy", type=float, default=TANGENT_SETTINGS.quadrature_accuracy,
                   help="theory: accuracy of the adaptive quadrature of the tangent-linear solver")
    p.add_argument("--pivot-tol", type=float, default=TANGENT_SETTINGS.pivot_tol,
                   help="theory: pivot tolerance of the tangent-linear solver")
    p.add_argument("--kappa", type=float, default=1.0)
    p.add_argument("--A", type=float, default=0.2)
    p.add_argument("--theory-samples", type=int, default=200)
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000])
    p.add_argument("--realisations", type=int, default=100, help="per (g, J0) at N <= 1000")
    p.add_argument("--realisations-large", type=int, default=50, help="per (g, J0) at N > 1000")
    p.add_argument("--seed", type=int, default=4)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--progress", action="store_true")
    p.add_argument("--out", default="lyapunov_discrimination_numbers.json")
    p.add_argument("--table", nargs="+", metavar="JSON", help="only print the table of saved results")
    p.add_argument("--quick", action="store_true",
                   help="tiny setting (one (g, J0), T = 2, 2 samples, N = 60): seconds, for checking the script")
    return p


def main(argv=None) -> int:
    p = build_parser()
    if p.parse_args(argv).quick:  # the quick values are defaults: options given explicitly still win
        p.set_defaults(**QUICK)
    args = p.parse_args(argv)

    if args.table:
        merged = {}
        for path in args.table:
            with open(path) as f:
                for part, res in json.load(f).items():
                    if part in ("theory", "simulation"):
                        merged.setdefault(part, {}).update(res)
        print(table(merged))
        return 0
    t0 = time.time()
    results = {"settings": {k: v for k, v in vars(args).items() if k not in ("table", "quick")}}
    if args.part in ("theory", "all"):
        results["theory"] = run_theory(args)
    if args.part in ("simulation", "all"):
        results["simulation"] = run_simulation(args)
    results["seconds"] = time.time() - t0
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    print(table(results))
    print(f"total {results['seconds']:.0f} s; saved {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
