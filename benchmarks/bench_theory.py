"""Cost of one theory sample (THEORY.md section 4) and of a probability curve.

Run:  python benchmarks/bench_theory.py [--quick] [--plane]

Prints, for K = 300, 600, 1200 Euler steps (tanh, default settings: the
adaptive quadrature at accuracy 1e-6, tol 1e-3): seconds per sample, the measured scaling exponent of the cost in K,
and the speed-up over a straightforward numpy implementation of the same
recursion (2-D Gauss-Hermite sums by broadcasting, the same causal Cholesky)
measured in the same run. Then it times a short ensemble on 2 workers and
extrapolates the cost of the 10-point P(coherent) versus J0 curve with 500
samples per point.

Then the cost per sample across the plane (T = 40) for the fixed 40-node
Gauss-Hermite rule (the former default) and the adaptive default, with the
failures of each. ``--plane`` runs the full reliability plane instead of a
few points: 20 seeds at every g in {0, 0.5, ..., 3} x J0 in {0, 1, 3, 6, 10}
x phi in {tanh, erf}, printing the failures per point and the cost.

Targets (issue 3): K = 600 under 0.3 s per sample on one core; the 10 x 500
curve under 15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import meanfield as mf
from meanfield.cholesky import CausalCholesky
from meanfield.population import solve


def numpy_delta_step(delta, k, c_row, dt, g2):
    """Row k+1 of Delta by THEORY.md eq. 4.5, written out in plain Python."""
    a = 1.0 - dt
    delta[k + 1, 0] = delta[0, k + 1] = a * delta[k, 0]
    for l in range(k + 1):
        v = a * (delta[k, l + 1] + delta[k + 1, l]) - a * a * delta[k, l] + dt * dt * g2 * c_row[l]
        delta[k + 1, l + 1] = delta[l + 1, k + 1] = v


def numpy_reference_solve(network, grid, initial, xi, order=40, tol=1e-3):
    """The same forward sweep with plain numpy broadcasting (the baseline)."""
    x, w = np.polynomial.hermite_e.hermegauss(order)
    w = w / w.sum()
    K, dt, g2 = grid.n_steps, grid.dt, network.g**2
    h = np.empty(K + 1)
    M = np.empty(K + 1)
    delta = np.zeros((K + 1, K + 1))
    chol = CausalCholesky(K + 1, tol)
    h[0] = initial.h0
    delta[0, 0] = initial.sigma0**2
    for k in range(K + 1):
        dkk = delta[k, k]
        dl = np.diag(delta)[: k + 1]
        c = delta[k, : k + 1]
        a = np.where(dkk > 0, c / math.sqrt(max(dkk, 1e-300)), 0.0)
        b = np.sqrt(np.clip(dl - a * a, 0.0, None))
        outer = np.tanh(h[k] + math.sqrt(dkk) * x)                            # (n,)
        inner = np.tanh(h[: k + 1, None, None] + a[:, None, None] * x[None, :, None]
                        + b[:, None, None] * x[None, None, :]) @ w            # (k+1, n)
        c_row = inner @ (w * outer)
        M[k] = w @ outer
        l_row = chol.add_row(c_row - M[k] * M[: k + 1], scale=c_row[k])
        m = network.J0 * float(l_row @ xi[chol.pivots[: chol.rank]])
        if k == K:
            break
        h[k + 1] = h[k] + dt * (-h[k] + m)
        numpy_delta_step(delta, k, c_row, dt, g2)
    return h


def time_call(fn, repeat):
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def plane_costs(gs, J0s, phis, n_seeds, settings):
    """Failures per (phi, g, J0) and the mean seconds per successful sample at T = 40."""
    grid = mf.TimeGrid(0.1, 40.0)
    failures, seconds, solved = {}, 0.0, 0
    for phi in phis:
        for g in gs:
            for J0 in J0s:
                net = mf.Network(N=1000, g=g, J0=J0, phi=phi)
                bad = 0
                for seed in range(n_seeds):
                    t0 = time.perf_counter()
                    try:
                        path = solve(net, grid=grid, seed=seed, settings=settings)
                    except FloatingPointError:
                        bad += 1
                        continue
                    seconds += time.perf_counter() - t0
                    solved += 1
                    bad += int(not np.all(np.isfinite(path.h)))
                failures[phi, g, J0] = bad
    return failures, seconds / max(solved, 1)


def print_plane(n_seeds):
    gs, J0s = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0), (0.0, 1.0, 3.0, 6.0, 10.0)
    for name, settings in (("fixed Gauss-Hermite 40", mf.SolverSettings(quadrature_order=40)),
                           ("adaptive 1e-6 (default)", mf.SolverSettings())):
        failures, cost = plane_costs(gs, J0s, ("tanh", "erf"), n_seeds, settings)
        print(f"\n{name}: failures of {n_seeds} seeds per point (rows g, columns J0 = {J0s})")
        for phi in ("tanh", "erf"):
            for g in gs:
                print(f"  {phi:4s} g = {g:3.1f}: " + " ".join(f"{failures[phi, g, J0]:3d}" for J0 in J0s))
        print(f"  total failures {sum(failures.values())} of {len(failures) * n_seeds}; "
              f"{cost:.3f} s per successful sample")


def print_cost_by_g():
    grid = mf.TimeGrid(0.1, 40.0)
    print(f"\ncost per sample at T = 40 (tanh, J0 = 1, 5 seeds): {'g':>4} {'fixed 40':>14} {'adaptive':>14}")
    for g in (1.0, 2.0, 3.0):
        row = []
        for settings in (mf.SolverSettings(quadrature_order=40), mf.SolverSettings()):
            failures, cost = plane_costs((g,), (1.0,), ("tanh",), 5, settings)
            n_bad = failures["tanh", g, 1.0]
            row.append(f"{cost:8.3f} s ({n_bad}/5 fail)" if n_bad < 5 else f"{'all 5 fail':>14}")
        print(f"{'':>50}{g:4.1f} " + " ".join(row))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller K and ensemble")
    parser.add_argument("--plane", action="store_true",
                        help="only the reliability plane: 20 seeds x 7 g x 5 J0 x {tanh, erf}, both rules")
    args = parser.parse_args(argv)
    if args.plane:
        print_plane(20)
        return

    net = mf.Network(N=1000, g=1.5, J0=1.0)
    initial = mf.InitialState()
    Ks = (150, 300, 600) if args.quick else (300, 600, 1200)
    solve(net, grid=mf.TimeGrid(0.1, 2.0), seed=0)  # compile

    print(f"{'K':>6} {'s/sample':>10} {'numpy s/sample':>15} {'speed-up':>9} {'rank':>5}")
    costs = []
    for K in Ks:
        grid = mf.TimeGrid(0.1, K * 0.1)
        xi = mf.draw_innovations(1, K)
        t_fast = time_call(lambda: solve(net, grid=grid, initial=initial, xi=xi), repeat=3)
        rank = solve(net, grid=grid, initial=initial, xi=xi).rank
        if K <= 600:
            t_ref = time_call(lambda: numpy_reference_solve(net, grid, initial, xi), repeat=1)
            if K == Ks[0]:
                gap = np.abs(numpy_reference_solve(net, grid, initial, xi)
                             - solve(net, grid=grid, initial=initial, xi=xi).h).max()
                print(f"(baseline and package agree on h to {gap:.1e})")
            ref = f"{t_ref:15.3f} {t_ref / t_fast:8.1f}x"
        else:
            ref = f"{'(skipped)':>15} {'':>9}"
        costs.append(t_fast)
        print(f"{K:6d} {t_fast:10.3f} {ref} {rank:5d}")
    slope = np.polyfit(np.log(Ks), np.log(costs), 1)[0]
    print(f"scaling exponent of cost in K: {slope:.2f} (2 = O(K^2) pairs dominate)")
    k600 = costs[Ks.index(600)]
    print(f"target K = 600 < 0.3 s/sample on one core: {k600:.3f} s -> {'met' if k600 < 0.3 else 'MISSED'}")

    n_ens = 20 if args.quick else 60
    grid = mf.TimeGrid(0.1, 60.0)
    t0 = time.perf_counter()
    mf.sample(net, grid=grid, n_samples=n_ens, seed=3, workers=2, progress=False)
    per_sample = (time.perf_counter() - t0) / n_ens
    curve = 10 * 500 * per_sample
    print(f"ensemble on 2 workers: {per_sample:.3f} s/sample (wall) -> 10 x 500 curve ~ {curve / 60:.1f} min "
          f"(target < 15 min: {'met' if curve < 900 else 'MISSED'})")
    print_cost_by_g()


if __name__ == "__main__":
    main()
