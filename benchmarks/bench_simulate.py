"""Speed of the finite-N simulator (simulate/) against this machine's own limits.

Usage::

    python benchmarks/bench_simulate.py [--quick] [--sizes N ...] [--replicas R ...] [--dtypes ...]

For each N, dtype and number of replicas R it times one forward-Euler step
of simulate.engine.integrate (tanh, no input) and prints

* steps/s and ms per step;
* the effective bandwidth of reading z once per step, N^2 * bytes / step
  time, as a fraction of the streaming bandwidth measured in the same run
  (a Numba-parallel sum over a 1 GiB array);
* the speed-up over the plain numpy loop ``x += dt*(-x + J @ np.tanh(x))``
  (the same with an N x R state for R > 1), timed in the same run next to
  each engine (rows, blas, and for R = 1 also what ``engine="auto"`` picks);
* for R > 1 the flop rate 2 N^2 R / step time as a fraction of the square
  GEMM rate of the same dtype measured in the same run.

Targets (THEORY-independent engineering goals): the single trajectory
(R = 1, the auto engine) at >= 1.0x the numpy loop at every N (a summary
line per dtype at the end); R = 32 >= 50 % of the float32 GEMM rate. Both
the engine and the numpy loop read all N^2 couplings per step, so 1.0x is
the roofline: the two share the streaming bandwidth printed above. The machine may be shared: the load
average is printed before and after, and every time is the best of several
repetitions.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numba
import numpy as np
from numba import njit, prange

from meanfield.model import get_phi
from simulate.drive import Drive
from simulate.engine import choose_engine, integrate

TANH = get_phi("tanh")
DT = 0.1


@njit(parallel=True, cache=True)
def _parallel_sum(a):
    n_chunks = 64
    n = a.size
    part = np.zeros(n_chunks)
    for c in prange(n_chunks):
        lo, hi = c * n // n_chunks, (c + 1) * n // n_chunks
        acc = np.zeros(16)
        j = lo
        while j + 16 <= hi:
            for q in range(16):
                acc[q] += a[j + q]
            j += 16
        s = acc.sum()
        for q in range(j, hi):
            s += a[q]
        part[c] = s
    return part.sum()


def best_time(fn, repeat=5, min_time=0.0):
    fn()
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
        if best > 2.0 and min_time == 0.0:
            break
    return best


def streaming_bandwidth() -> float:
    a = np.ones(1 << 27)  # 1 GiB of float64
    t = best_time(lambda: _parallel_sum(a), repeat=7)
    return a.nbytes / t


def gemm_rate(dtype, n: int) -> float:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n), dtype=dtype)
    B = rng.standard_normal((n, n), dtype=dtype)
    C = np.empty_like(A)
    t = best_time(lambda: np.matmul(A, B, out=C), repeat=3)
    return 2.0 * n**3 / t


def simulator_step_time(z, R, engine) -> float:
    N = z.shape[0]
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((R, N))
    v = rng.standard_normal(N)
    pattern = np.zeros(N)

    def run(K):
        drive = Drive(np.zeros((K, R)), np.zeros((K, R)), np.zeros((K, R)), np.zeros((R, N)))
        return lambda: integrate(z, x0, 1.0 / np.sqrt(N), v, pattern, drive, DT, TANH,
                                 stride=K, snap_every=0, trace_idx=np.zeros(0, np.int64),
                                 engine=engine)

    t1 = best_time(run(2), repeat=1) / 2
    K = int(np.clip(1.0 / max(t1, 1e-6), 3, 300))
    # K steps minus 1 step cancels the per-call overhead (allocation, record)
    tK = best_time(run(K), repeat=3)
    t_once = best_time(run(1), repeat=7)
    return max(tK - t_once, 1e-9) / (K - 1)


def numpy_step_time(z, R) -> float:
    N = z.shape[0]
    J = z  # the values do not matter for the timing; saves an N x N copy
    x = np.random.default_rng(2).standard_normal((N, R) if R > 1 else N).astype(z.dtype) * 0.1
    dt = z.dtype.type(DT)

    def steps(K):
        def go():
            y = x.copy()
            for _ in range(K):
                y += dt * (-y + J @ np.tanh(y))
        return go

    t1 = best_time(steps(1), repeat=1)
    K = int(np.clip(0.5 / max(t1, 1e-6), 2, 200))
    return best_time(steps(K), repeat=3) / K


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="N up to 4000 only")
    p.add_argument("--sizes", type=int, nargs="+", default=None, help="network sizes (overrides --quick)")
    p.add_argument("--replicas", type=int, nargs="+", default=None, help="replica counts")
    p.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    p.add_argument("--threads", type=int, default=None, help="Numba threads (default: all cores)")
    args = p.parse_args(argv)
    if args.threads is not None:
        numba.set_num_threads(args.threads)
    sizes = args.sizes or ((1000, 2000, 4000) if args.quick else (1000, 2000, 4000, 8000, 16000))
    replicas = args.replicas or ((1, 8, 32) if args.quick else (1, 4, 8, 32))

    load0 = os.getloadavg()
    print(f"cores: {os.cpu_count()}, numba threads: {numba.get_num_threads()} "
          f"({numba.threading_layer() if hasattr(numba, 'threading_layer') else '?'}), "
          f"load average before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    bw = streaming_bandwidth()
    print(f"streaming bandwidth (Numba parallel sum, 1 GiB): {bw / 1e9:.1f} GB/s")
    n_gemm = 2000 if args.quick else 4000
    gemm = {np.dtype(d): gemm_rate(d, n_gemm) for d in (np.float32, np.float64)}
    print(f"square GEMM rate (n = {n_gemm}): float32 {gemm[np.dtype(np.float32)] / 1e9:.0f} GFLOP/s, "
          f"float64 {gemm[np.dtype(np.float64)] / 1e9:.0f} GFLOP/s\n")

    head = (f"{'N':>6} {'dtype':>7} {'R':>3} {'engine':>6} {'ms/step':>9} {'steps/s':>8} "
            f"{'Z GB/s':>7} {'%stream':>7} {'numpy ms':>9} {'speedup':>7} {'GFLOP/s':>8} {'%gemm':>6}")
    print(head)
    print("-" * len(head))
    single = {}
    for N in sizes:
        for dtype in args.dtypes:
            dtype = np.dtype(dtype)
            z = np.random.default_rng(N).standard_normal((N, N), dtype=dtype)
            for R in replicas:
                auto = choose_engine("auto", R, True, N=N, dtype=dtype)
                # the auto engine first: a Numba parallel region leaves its OpenMP threads spinning, which
                # slows a BLAS call right after it on a loaded machine; the numpy loop is timed right
                # before each engine so that every ratio compares neighbours in time
                engines = (auto,) + tuple(e for e in ("rows", "blas") if e != auto)
                for engine in engines:
                    t_np = numpy_step_time(z, R)
                    t = simulator_step_time(z, R, engine)
                    if R == 1 and engine == auto:
                        single[(dtype.name, N)] = (t, t_np, engine)
                    zbw = z.nbytes / t
                    flops = 2.0 * N * N * R / t
                    gemm_col = f"{100 * flops / gemm[dtype]:>5.0f}%" if R > 1 else f"{'':>6}"
                    print(f"{N:>6} {dtype.name:>7} {R:>3} {engine:>6} {1e3 * t:>9.3f} {1 / t:>8.1f} "
                          f"{zbw / 1e9:>7.1f} {100 * zbw / bw:>6.0f}% {1e3 * t_np:>9.3f} "
                          f"{t_np / t:>6.2f}x {flops / 1e9:>8.1f} {gemm_col}", flush=True)
            del z
    if single:
        print("\nsingle trajectory (R = 1), engine='auto' against the numpy loop of the same run "
              "(target >= 1.0x at every N):")
        for name in args.dtypes:
            cells = [f"N={N}: {t_np / t:.2f}x ({e})" for (dt, N), (t, t_np, e) in single.items() if dt == name]
            if cells:
                print(f"  {name}: " + ", ".join(cells))
    load1 = os.getloadavg()
    print(f"\nload average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
