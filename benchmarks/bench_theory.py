"""Cost of one theory sample (THEORY.md section 4) and of a probability curve.

Run:  python benchmarks/bench_theory.py [--quick]

Prints, for K = 300, 600, 1200 Euler steps (tanh, 40 Gauss-Hermite nodes,
tol 1e-3): seconds per sample, the measured scaling exponent of the cost in K,
and the speed-up over a straightforward numpy implementation of the same
recursion (2-D Gauss-Hermite sums by broadcasting, the same causal Cholesky)
measured in the same run. Then it times a short ensemble on 2 workers and
extrapolates the cost of the 10-point P(coherent) versus J0 curve with 500
samples per point.

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller K and ensemble")
    args = parser.parse_args(argv)

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


if __name__ == "__main__":
    main()
