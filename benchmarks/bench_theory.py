"""Cost of one theory sample (THEORY.md section 4) and of a probability curve.

Run:  python benchmarks/bench_theory.py [--quick] [--plane] [--targets]

First the targets section (``--targets`` prints only it), single core: one
theory sample at K = 600 (T = 60, dt = 0.1, tanh, default settings) at
(g, J0) = (1.5, 1) and (1.5, 3) against the targets 0.1 s and 0.25 s, beside
two baselines measured in the same run on the same innovations: the former
implementation (every step through the checked engine calls in Python; the
same numbers bit for bit, printed) and a plain numpy sweep on the same
quadrature rule (2-D node grid by broadcasting); then the cost of the tangent
recursion over a base sweep at K = 400 (T = 40) for the default tangent
settings and for 60 Gauss-Hermite nodes (target <= 5x). The machine's
single-core GEMM rate and streaming bandwidth are printed for scale.

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

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import meanfield as mf  # noqa: E402
from meanfield import population  # noqa: E402
from meanfield.cholesky import CausalCholesky  # noqa: E402
from meanfield.gaussian.adaptive import EngineLadder  # noqa: E402
from meanfield.population import solve  # noqa: E402
from meanfield.settings import TANGENT_SETTINGS  # noqa: E402
from meanfield.tangent import Perturbation, solve_tangent  # noqa: E402


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


def rule_sweep(network, grid, initial, xi, settings):
    """The forward sweep in plain numpy on the package's quadrature rules (the baseline of the targets).

    Same ladder of rules as the package (one rule per step, from the variance
    it meets), the 2-D sum over the full node grid by broadcasting, the same
    causal Cholesky; returns h.
    """
    ladder = EngineLadder(network.phi, settings)
    K, dt, g2 = grid.n_steps, grid.dt, network.g**2
    h = np.empty(K + 1)
    M = np.empty(K + 1)
    delta = np.zeros((K + 1, K + 1))
    chol = CausalCholesky(K + 1, settings.pivot_tol)
    h[0] = initial.h0
    delta[0, 0] = initial.sigma0**2
    for k in range(K + 1):
        dkk = delta[k, k]
        engine = ladder.at(dkk)
        x, w = engine.nodes, engine.weights
        dl = np.diag(delta)[: k + 1]
        c = delta[k, : k + 1]
        a = c / math.sqrt(dkk) if dkk > 0 else np.zeros(k + 1)
        b = np.sqrt(np.clip(dl - a * a, 0.0, None))
        outer = np.tanh(h[k] + math.sqrt(dkk) * x)
        inner = np.tanh(h[: k + 1, None, None] + a[:, None, None] * x[None, :, None]
                        + b[:, None, None] * x[None, None, :]) @ w
        c_row = inner @ (w * outer)
        M[k] = w @ np.tanh(h[k] + math.sqrt(dkk) * x)
        l_row = chol.add_row(c_row - M[k] * M[: k + 1], scale=c_row[k])
        m = network.J0 * float(l_row @ xi[chol.pivots[: chol.rank]])
        if k == K:
            break
        h[k + 1] = h[k] + dt * (-h[k] + m)
        numpy_delta_step(delta, k, c_row, dt, g2)
    return h


def former_sweep(network, grid, xi, settings=None):
    """The forward sweep with every step through the checked engine calls (the former implementation)."""
    settings = mf.SolverSettings() if settings is None else settings
    drive = population.Drive.on_grid(network, mf.Inputs(), grid)
    st = population._SweepState(network, [drive], grid, [mf.InitialState()], 1.0, xi, settings)
    ladder = EngineLadder(network.phi, settings)
    for k in range(grid.n_steps + 1):
        population._python_step(k, st, ladder.at(float(st.diag[k])))
    return st.h


def machine_rates():
    """(GEMM GFLOP/s, streaming copy GB/s) of one core, measured now."""
    a = np.random.default_rng(0).standard_normal((1000, 1000))
    t = time_call(lambda: a @ a, 3)
    big = np.ones(2**25)       # 256 MiB
    out = np.empty_like(big)
    t_copy = time_call(lambda: np.copyto(out, big), 3)
    return 2e9 / t / 1e9, 2 * big.nbytes / t_copy / 1e9


def print_targets(repeat=3):
    gemm, bandwidth = machine_rates()
    print(f"machine (one core): GEMM {gemm:.1f} GFLOP/s, streaming copy {bandwidth:.1f} GB/s")
    grid = mf.TimeGrid(0.1, 60.0)
    xi = mf.draw_innovations(1, grid.n_steps)
    print(f"theory sample, K = {grid.n_steps} (tanh, default settings, seed 1; best of {repeat}):")
    print(f"  {'(g, J0)':>9} {'rank':>5} {'nodes':>5} {'s/sample':>9} {'target':>7} {'former':>8} {'x':>5} "
          f"{'numpy':>7} {'x':>5} {'ns/node pair':>12}  former == new")
    for J0, target in ((1.0, 0.1), (3.0, 0.25)):
        net = mf.Network(N=1000, g=1.5, J0=J0)
        solve(net, grid=mf.TimeGrid(0.1, 2.0), seed=0)   # compile
        path = solve(net, grid=grid, xi=xi)
        t_new = time_call(lambda: solve(net, grid=grid, xi=xi), repeat)
        t_old = time_call(lambda: former_sweep(net, grid, xi), 1)
        same = bool(np.array_equal(former_sweep(net, grid, xi), path.h))
        t_np = time_call(lambda: rule_sweep(net, grid, mf.InitialState(), xi, mf.SolverSettings()), 1)
        engine = EngineLadder(net.phi, mf.SolverSettings()).at(float(path.delta_diag.max()))
        n, m = engine.nodes.size, (engine.nodes >= 0).sum()
        pairs = (grid.n_steps + 1) * (grid.n_steps + 2) / 2
        verdict = "met" if t_new < target else "MISSED"
        print(f"  ({1.5:.1f}, {J0:.0f}) {path.rank:5d} {n:5d} {t_new:9.3f} {'<' + format(target, 'g'):>7} "
              f"{t_old:8.3f} {t_old / t_new:5.1f} {t_np:7.2f} {t_np / t_new:5.0f} "
              f"{t_new / (pairs * n * m) * 1e9:12.2f}  {same}   -> {verdict}")
    print("  (ns/node pair: time per outer x inner half-rule node pair of the C rows, n x (n+1)/2 per pair; "
          "each costs one 4-term fraction update, ~3 flops and 1/4 division)")

    grid = mf.TimeGrid(0.1, 40.0)
    xi2 = np.random.default_rng(2).standard_normal((grid.n_steps + 1, 2))
    net = mf.Network(N=1000, g=1.5, J0=1.0)
    print(f"tangent recursion / base sweep, K = {grid.n_steps} ((1.5, 1), tanh, dh0 = 1; best of {repeat}; "
          "target <= 5x):")
    for label, settings in (("default tangent settings", TANGENT_SETTINGS),
                            ("60 Gauss-Hermite nodes", mf.SolverSettings(quadrature_order=60, pivot_tol=1e-5))):
        solve_tangent(net, grid=mf.TimeGrid(0.1, 2.0), seed=0, settings=settings)   # compile
        t_base = time_call(lambda: solve(net, grid=grid, xi=xi2[:, 0], settings=settings), repeat)
        t_tan = time_call(lambda: solve_tangent(net, grid=grid, xi=xi2, settings=settings,
                                                perturbation=Perturbation(dh0=1.0)), repeat)
        ratio = t_tan / t_base
        print(f"  {label:26s} sweep {t_base:.3f} s, tangent {t_tan:.3f} s: {ratio:.1f}x "
              f"-> {'met' if ratio <= 5 else 'MISSED'}")


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
    parser.add_argument("--targets", action="store_true",
                        help="only the targets: K = 600 samples at (1.5, 1), (1.5, 3); tangent / sweep at K = 400")
    args = parser.parse_args(argv)
    if args.plane:
        print_plane(20)
        return
    print_targets()
    if args.targets:
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
