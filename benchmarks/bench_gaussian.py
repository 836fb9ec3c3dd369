"""Speed and accuracy of meanfield.gaussian (THEORY.md section 4, step 1).

    python benchmarks/bench_gaussian.py            # timings (a few seconds)
    python benchmarks/bench_gaussian.py --errors   # + quadrature error table vs mpmath (~1 min)

Timings: ``GaussianEngine.row`` for k + 1 = 600 entries and a whole K = 600
sample (180,300 pairs), against a straightforward numpy implementation of the
same 2-D Gauss-Hermite sum (full n x n node grid, one vectorised call per row)
measured in the same run; then the tangent's fused derivative products
(``GaussianEngine.tangent_row``) against the C row and the full derivative
table. One core (BLAS threads pinned to 1).
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
from scipy import special  # noqa: E402

from meanfield.gaussian import GaussianEngine, rules  # noqa: E402

K = 600
ORDERS = (40, 60, 80)


def stationary_delta(K: int, dt: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """A smooth covariance and mean path resembling a chaotic DMFT sample."""
    t = np.arange(K) * dt
    d = 1.5 + 0.3 * np.cos(t / 7.0)
    corr = np.exp(-np.abs(t[:, None] - t[None, :]) / 3.0)
    delta = corr * np.sqrt(d[:, None] * d[None, :])
    h = 0.5 * np.sin(t / 5.0)
    return h, delta


def numpy_row(f, hk, dkk, h, d, c, z, w):
    """Plain 2-D quadrature: sum_ij w_i w_j f(hk + sqrt(dkk) z_i) f(h + a z_i + b z_j)."""
    sk = math.sqrt(dkk)
    outer = w * f(hk + sk * z)                                   # (n,)
    a = c / sk if sk > 0 else np.zeros_like(c)
    b = np.sqrt(np.maximum(d - a * a, 0.0))
    args = (h[:, None] + a[:, None] * z)[:, :, None] + b[:, None, None] * z   # (L, n, n)
    return f(args) @ w @ outer


def best_time(fn, repeat: int = 5, number: int = 1) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - t0) / number)
    return best


def bench_speed() -> None:
    h, delta = stationary_delta(K)
    d = np.diag(delta).copy()
    k = K - 1
    funcs = {"tanh": np.tanh, "erf": lambda x: special.erf(math.sqrt(math.pi) / 2 * x)}
    print(f"row of k+1 = {K} entries; whole sample = rows k = 0..{K - 1} ({K * (K + 1) // 2} pairs)")
    print(f"{'phi':5} {'n':>3} {'nodes':>5} {'row [ms]':>9} {'ns/pair':>8} {'sample [s]':>10} "
          f"{'numpy row [ms]':>14} {'speed-up':>8} {'max |diff|':>10}")
    for name in ("tanh", "erf"):
        for n in ORDERS:
            eng = GaussianEngine(name, order=n)
            out = np.empty(K)
            eng.row(h[k], d[k], h, d, delta[k], out=out)  # compile / warm up
            t_row = best_time(lambda: eng.row(h[k], d[k], h, d, delta[k], out=out), 7, 20)

            def sample():
                for kk in range(K):
                    eng.row(h[kk], d[kk], h[:kk + 1], d[:kk + 1], delta[kk, :kk + 1])

            t_sample = best_time(sample, 2)
            z, w = rules.hermite_rule(n)  # the full, unpruned rule
            ref = numpy_row(funcs[name], h[k], d[k], h, d, delta[k], z, w)
            t_np = best_time(lambda: numpy_row(funcs[name], h[k], d[k], h, d, delta[k], z, w), 3)
            print(f"{name:5} {n:3d} {eng.nodes.size:5d} {t_row * 1e3:9.3f} {t_row / K * 1e9:8.0f} "
                  f"{t_sample:10.3f} {t_np * 1e3:14.2f} {t_np / t_row:8.0f} "
                  f"{np.max(np.abs(out - ref)):10.1e}")
    print("(erf: closed form, independent of n; its max |diff| is the Gauss-Hermite error of the numpy sum)")
    print(f"\ntangent products of one row of {K} (tanh): C row plus the ten products the tangent uses, against "
          "the C row alone and the 4 x 4 table summed node by node")
    print(f"{'n':>3} {'row [ms]':>9} {'tangent_row [ms]':>16} {'ratio':>6} {'derivative_row [ms]':>19} {'ratio':>6}")
    for n in ORDERS:
        eng = GaussianEngine("tanh", order=n)
        args = (h[k], d[k], h, d, delta[k])
        eng.tangent_row(*args)
        eng.derivative_row(*args)
        t_row = best_time(lambda: eng.row(*args), 5, 10)
        t_tan = best_time(lambda: eng.tangent_row(*args), 5, 5)
        t_tab = best_time(lambda: eng.derivative_row(*args), 2)
        print(f"{n:3d} {t_row * 1e3:9.3f} {t_tan * 1e3:16.3f} {t_tan / t_row:6.1f} {t_tab * 1e3:19.2f} "
              f"{t_tab / t_row:6.0f}")


def bench_errors() -> None:
    import mpmath as mp

    def pts(d):
        n = max(8, math.ceil(2 * 10 * math.sqrt(d) / (math.pi / 2)))
        return [-10 + 20 * i / n for i in range(n + 1)]

    def ref_mean(h, d):
        with mp.workdps(30):
            s = mp.sqrt(d)
            v = mp.quad(lambda x: mp.tanh(h + s * x) * mp.exp(-x * x / 2), pts(d))
            return float(v / mp.sqrt(2 * mp.pi))

    def ref_corr(h1, h2, d, rho):
        s = math.sqrt(d)
        a, b = rho * s, math.sqrt(max(d - (rho * s) ** 2, 0.0))

        def inner(x):
            return mp.fp.quad(lambda z: math.tanh(h2 + a * x + b * z) * math.exp(-z * z / 2), pts(d))

        return mp.fp.quad(lambda x: math.tanh(h1 + s * x) * math.exp(-x * x / 2) * inner(x),
                          pts(d)) / (2 * math.pi)

    orders = (10, 20, 30, 40, 60, 80, 120)
    hs = (0.0, 0.3, 1.0, 2.5)
    cases = [(h1, h2, rho) for h1, h2 in ((0.0, 0.0), (0.3, -0.5), (1.0, 1.0), (2.5, 0.2))
             for rho in (0.3, 0.8, -0.6, 1.0)]
    print("\nmax |error| of tanh averages vs mpmath; M over h in", hs, "; C over 16 (h1, h2, rho),"
          " d1 = d2 = d, rho in {0.3, 0.8, -0.6, 1}")
    print(f"{'order n':21}" + "".join(f"{n:>9d}" for n in orders))
    print(f"{'GH nodes after pruning':21}"
          + "".join(f"{GaussianEngine('tanh', order=n).nodes.size:>9d}" for n in orders))
    print("(trapezoid: n + 1 - n % 2 nodes, none pruned)")
    for d in (1.0, 2.0, 5.0):
        m_ref = [ref_mean(hh, d) for hh in hs]
        c_ref = [ref_corr(h1, h2, d, rho) for h1, h2, rho in cases]
        trap = f"C trap(d_max={d:g})"
        rows = {"M GH": [], "C GH": [], "model GH": [], trap: []}
        for n in orders:
            gh = GaussianEngine("tanh", order=n)
            tr = GaussianEngine("tanh", order=n + 1 - n % 2, rule="trapezoid", d_max=d)
            rows["M GH"].append(max(abs(float(gh.mean(hh, d)) - r) for hh, r in zip(hs, m_ref)))
            rows["C GH"].append(max(abs(float(gh.correlation(h1, d, h2, d, rho * d)) - r)
                                    for (h1, h2, rho), r in zip(cases, c_ref)))
            rows["model GH"].append(rules.hermite_error(n, d))
            rows[trap].append(max(abs(float(tr.correlation(h1, d, h2, d, rho * d)) - r)
                                  for (h1, h2, rho), r in zip(cases, c_ref)))
        for label, vals in rows.items():
            print(f"d={d:g} {label:17}" + "".join(f"{v:9.1e}" for v in vals))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="also print the error table vs mpmath")
    args = parser.parse_args()
    bench_speed()
    if args.errors:
        bench_errors()


if __name__ == "__main__":
    main()
