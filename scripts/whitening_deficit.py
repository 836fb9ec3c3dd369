"""Two diagnostics of the whitening deficit of the population feedback (README, "Where the code departs").

``tol``: simulate networks with every neuron recorded, whiten each network's
own feedback r = m - lambda0 M (no sparse input) with the causal factor of its
empirical J0^2 Chat (``validation.paired.whiten``) at several pivot
tolerances, and the permutation control s' alongside; print the pooled
variance of the innovations (1 under THEORY.md eq. 4.3), early and late in
the run, per tolerance. A deficit that came from the pivot rule would move
with the tolerance.

``ensemble``: what the measured deficit would do to the ensemble law of h. For
each theory sample (``meanfield.solve``, THEORY.md section 4) the same
innovations are used twice, once as drawn and once scaled by the square root
of the measured variance in their time window (``--profile``); print the std of
h(t) and P(|h(t)| > 0.5) of both, paired.

Examples
--------
    python scripts/whitening_deficit.py tol --N 1000 --networks 24
    python scripts/whitening_deficit.py ensemble --samples 600
"""

from __future__ import annotations

import argparse
import math

import numpy as np

import meanfield as mf
import simulate
from meanfield.cholesky import NegativePivotError
from validation import paired

DT = 0.1
TOLS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6)
#: measured innovation variance against t at (1.5, 1), 220 networks, N = 500-4000 (t0, t1, variance)
PROFILE = ((0.0, 5.0, 0.97), (5.0, 20.0, 0.95), (20.0, 45.0, 0.91), (45.0, math.inf, 0.84))


def tolerance_scan(N: int, networks: int, T: float, g: float, J0: float, tols=TOLS, seed: int = 1400) -> dict:
    """Innovations per tolerance: {tol: {"s": [xi per network], "perm": [...], "t": [pivot times]}}."""
    net = mf.Network(N=N, g=g, J0=J0)
    grid = mf.TimeGrid(dt=DT, T=T)
    out = {tol: {"s": [], "perm": [], "t": [], "skipped": 0} for tol in tols}
    for i in range(networks):
        ss = np.random.SeedSequence(seed, spawn_key=(N, i))
        res = simulate.run(net, mf.Inputs(), grid, seed=ss, trace_neurons=np.arange(N), engine="blas")
        emp = paired.network_moments(res.traces, net)
        rates = net.phi(res.traces)
        control = paired.permuted_feedback(rates, net, np.random.default_rng(ss.spawn(1)[0]), rates=True)
        r = paired.feedback_residual(emp.m, emp.M, np.zeros_like(emp.m), net)
        scale = J0**2 * np.diag(emp.C)
        for tol in tols:
            try:
                ws = paired.whiten(r, emp.chat, J0, tol=tol, scale=scale)
                wp = paired.whiten(control, emp.chat, J0, tol=tol, scale=scale)
            except NegativePivotError:      # the incremental factor's rounding at the smallest tolerances
                out[tol]["skipped"] += 1
                continue
            out[tol]["s"].append(ws.xi)
            out[tol]["perm"].append(wp.xi)
            out[tol]["t"].append(ws.pivot_steps * DT)
    return out


def pooled_variance(xis) -> tuple[float, float]:
    """Pooled mean of xi^2 over networks and its standard error with networks as clusters."""
    s2 = np.array([np.sum(np.square(x)) for x in xis])
    n = np.array([x.size for x in xis])
    est = float(s2.sum() / n.sum())
    return est, float(math.sqrt(np.sum((s2 - est * n) ** 2)) / n.sum())


def ensemble_effect(samples: int, g: float, J0: float, T: float, times, profile=PROFILE, seed: int = 777) -> dict:
    """Paired theory samples with the innovations as drawn and scaled by the measured profile."""
    net = mf.Network(N=1000, g=g, J0=J0)     # N does not enter the theory without sparse input
    grid = mf.TimeGrid(dt=DT, T=T)
    t = np.arange(grid.n_steps + 1) * DT
    factor = np.ones_like(t)
    for lo, hi, v in profile:
        factor[(t >= lo) & (t < hi)] = math.sqrt(v)
    steps = [round(s / DT) for s in times]
    h = np.empty((2, samples, len(steps)))
    for i in range(samples):
        xi = mf.draw_innovations(np.random.SeedSequence(seed, spawn_key=(i,)), grid.n_steps)
        for j, x in enumerate((xi, xi * factor)):
            h[j, i] = mf.solve(net, mf.Inputs(), grid, xi=x).h[steps]
    return {"times": list(times), "h_theory": h[0], "h_scaled": h[1]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    a = sub.add_parser("tol", help="innovation variance against the pivot tolerance")
    a.add_argument("--N", type=int, default=1000)
    a.add_argument("--networks", type=int, default=24)
    a.add_argument("--T", type=float, default=60.0)
    a.add_argument("--g", type=float, default=1.5)
    a.add_argument("--J0", type=float, default=1.0)
    b = sub.add_parser("ensemble", help="the measured deficit imposed on the theory's innovations")
    b.add_argument("--samples", type=int, default=600)
    b.add_argument("--g", type=float, default=1.5)
    b.add_argument("--J0", type=float, default=1.0)
    b.add_argument("--T", type=float, default=60.0)
    args = ap.parse_args(argv)
    if args.what == "tol":
        scan = tolerance_scan(args.N, args.networks, args.T, args.g, args.J0)
        for tol, d in scan.items():
            if not d["s"]:
                print(f"tol {tol:g}: every network skipped (negative pivot)")
                continue
            v, se = pooled_variance(d["s"])
            vp, sep = pooled_variance(d["perm"])
            late = [x[t >= args.T / 2] for x, t in zip(d["s"], d["t"])]
            early = [x[t < args.T / 2] for x, t in zip(d["s"], d["t"])]
            print(f"tol {tol:g}: rank {np.mean([x.size for x in d['s']]):.0f}, var(xi) {v:.3f} +- {se:.3f} "
                  f"(t < T/2: {pooled_variance(early)[0]:.3f}, t >= T/2: {pooled_variance(late)[0]:.3f}); "
                  f"permutation control {vp:.3f} +- {sep:.3f}; {len(d['s'])} networks, {d['skipped']} skipped")
    else:
        times = [t for t in (10.0, 20.0, 40.0, 60.0) if t <= args.T]
        res = ensemble_effect(args.samples, args.g, args.J0, args.T, times)
        for j, t in enumerate(times):
            a0, a1 = res["h_theory"][:, j], res["h_scaled"][:, j]
            print(f"t = {t:g}: std h {a0.std():.4f} -> {a1.std():.4f} (ratio {a1.std() / a0.std():.4f}); "
                  f"P(|h| > 0.5) {np.mean(np.abs(a0) > 0.5):.3f} -> {np.mean(np.abs(a1) > 0.5):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
