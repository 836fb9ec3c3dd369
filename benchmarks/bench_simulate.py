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

The compact coupling model (``simulate.couplings.CompactCouplings``, int8,
1 byte per coupling) gets a row ``compact`` per (N, dtype, R), its bytes
per step N^2. Its targets, printed at the end as ratios of the same run:
the compact single trajectory at N = 8000 (float32) >= 2.5x the numpy
float32 loop, the compact R = 32 engine >= 2x the float32 batched engine
(``engine="auto"``); a missed target is printed with its roofline (bytes
per step over the probe's bandwidth, flops over the GEMM rate). Then the
largest N whose couplings and state fit in 20 GiB: dense float32
(about 73,000), compact (target >= 140,000), sparse c = 0.01 (target
>= 1,000,000; ``simulate.couplings_sparse.largest_network`` when that
module exists). ``--targets`` runs only what these targets need.
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
from simulate.couplings import CompactCouplings, GaussianCouplings, Int8Couplings
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
    N = z.N if hasattr(z, "N") else z.shape[0]
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


def compact_couplings(z) -> Int8Couplings:
    """z quantised on the compact law's grid (the int8 matrix a CompactCouplings draw of z would give)."""
    law = CompactCouplings()
    q = np.empty(z.shape, dtype=np.int8)
    rows = max(1, (1 << 22) // z.shape[1])
    for a in range(0, z.shape[0], rows):
        q[a:a + rows] = np.clip(np.rint(z[a:a + rows] / law.step), -127, 127)
    return Int8Couplings(q, law.scale, law, z.dtype)


GIB = float(1 << 30)
BUDGET = 20 * GIB


def largest_n(bytes_of_n, budget=BUDGET) -> int:
    """The largest N with bytes_of_n(N) <= budget (doubling, then bisection)."""
    lo, hi = 1, 2
    while bytes_of_n(hi) <= budget:
        lo, hi = hi, 2 * hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if bytes_of_n(mid) <= budget else (lo, mid)
    return lo


def state_bytes(N, itemsize=4) -> int:
    # x, phi(x), phi of the next step in the state dtype; v, p and the input mask in float64
    return N * (3 * itemsize + 3 * 8)


def capacity_lines() -> list[str]:
    lines = []
    dense = largest_n(lambda N: GaussianCouplings().storage_bytes(N, np.float32) + state_bytes(N))
    compact = largest_n(lambda N: CompactCouplings().storage_bytes(N, np.float32) + state_bytes(N))
    lines.append(f"  dense float32: N = {dense:,} (4 N^2 bytes)")
    lines.append(f"  compact int8:  N = {compact:,} (N^2 bytes; target >= 140,000: "
                 f"{'met' if compact >= 140_000 else 'MISSED'})")
    try:
        from simulate import couplings_sparse
        sparse = couplings_sparse.largest_network(BUDGET, 0.01, np.float32)
        how = "simulate.couplings_sparse.largest_network: ELL rows + state"
    except (ImportError, AttributeError):
        # fixed in-degree K = c N, int32 index + float32 value per synapse
        sparse = largest_n(lambda N: N * int(round(0.01 * N)) * 8 + state_bytes(N))
        how = "formula: c N^2 (4-byte index + 4-byte value)"
    lines.append(f"  sparse c = 0.01: N = {sparse:,} ({how}; target >= 1,000,000: "
                 f"{'met' if sparse >= 1_000_000 else 'MISSED'})")
    if sparse < 1_000_000:
        per = BUDGET / (1_000_000 * 0.01 * 1_000_000)
        lines.append(f"    N = 1,000,000 at c = 0.01 holds 1e10 synapses: 20 GiB leaves {per:.2f} bytes per "
                     "synapse, less than a plain index (20 bits for 1e6 neurons) plus a value")
    return lines


def compact_target_lines(compact: dict, bw: float, gemm: dict) -> list[str]:
    """The two compact targets as ratios, and the roofline of each one missed."""
    lines = []
    for (name, N, R), (t, t_np, t_auto) in sorted(compact.items()):
        if name != "float32" or R not in (1, 32):
            continue
        if R == 1:
            ratio, target, base = t_np / t, 2.5, "the numpy float32 loop"
        else:
            ratio, target, base = t_auto / t, 2.0, "the float32 batched engine (auto)"
        flag = "met" if ratio >= target else "MISSED"
        lines.append(f"  N = {N}, R = {R}: {ratio:.2f}x {base} (target >= {target}x at N = 8000: {flag})")
        if ratio >= target:
            continue
        if R == 1:
            floor_c, floor_np = N * N / bw, 4.0 * N * N / bw
            lines.append(
                f"    roofline: compact reads N^2 = {N * N / 1e6:.0f} MB per step, {1e3 * floor_c:.2f} ms at the "
                f"probe's {bw / 1e9:.1f} GB/s, the numpy loop 4 N^2 = {4 * N * N / 1e6:.0f} MB, "
                f"{1e3 * floor_np:.2f} ms; measured {1e3 * t:.2f} ms ({100 * floor_c / t:.0f} % of the compact "
                f"floor) against {1e3 * t_np:.2f} ms ({100 * floor_np / t_np:.0f} % of the numpy floor): the best "
                f"possible ratio here is t_numpy / floor = {t_np / floor_c:.2f}x")
        else:
            flops = 2.0 * N * N * R
            t_flop = flops / gemm[np.dtype(np.float32)]
            lines.append(
                f"    roofline: both do 2 N^2 R = {flops / 1e9:.1f} GFLOP per step and read z once "
                f"({N * N / 1e6:.0f} MB int8, {4 * N * N / 1e6:.0f} MB float32: {1e3 * N * N / bw:.2f} and "
                f"{4e3 * N * N / bw:.2f} ms at {bw / 1e9:.1f} GB/s), so both are bound by arithmetic: "
                f"{1e3 * t_flop:.2f} ms at the square float32 GEMM rate {gemm[np.dtype(np.float32)] / 1e9:.0f} "
                f"GFLOP/s. The float32 engine runs at {100 * t_flop / t_auto:.0f} % of that rate, compact at "
                f"{100 * t_flop / t:.0f} %; a 2x ratio needs the float32 engine below 50 %: fewer bytes do not "
                "buy flops")
    return lines


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="N up to 4000 only")
    p.add_argument("--sizes", type=int, nargs="+", default=None, help="network sizes (overrides --quick)")
    p.add_argument("--replicas", type=int, nargs="+", default=None, help="replica counts")
    p.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    p.add_argument("--threads", type=int, default=None, help="Numba threads (default: all cores)")
    p.add_argument("--targets", action="store_true",
                   help="only N = 8000, float32, R = 1 and 32 (the compact targets) and the 20 GiB capacities")
    p.add_argument("--no-compact", action="store_true", help="skip the compact coupling model")
    args = p.parse_args(argv)
    if args.threads is not None:
        numba.set_num_threads(args.threads)
    if args.targets:
        args.sizes, args.replicas, args.dtypes = args.sizes or [8000], args.replicas or [1, 32], ["float32"]
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

    head = (f"{'N':>6} {'dtype':>7} {'R':>3} {'engine':>7} {'ms/step':>9} {'steps/s':>8} "
            f"{'Z GB/s':>7} {'%stream':>7} {'numpy ms':>9} {'speedup':>7} {'GFLOP/s':>8} {'%gemm':>6}")
    print(head)
    print("-" * len(head))
    single = {}
    compact = {}  # (dtype, N, R) -> (t_compact, t_numpy, t_auto)
    for N in sizes:
        for dtype in args.dtypes:
            dtype = np.dtype(dtype)
            z = np.random.default_rng(N).standard_normal((N, N), dtype=dtype)
            zc = None if args.no_compact else compact_couplings(z)
            for R in replicas:
                auto = choose_engine("auto", R, True, N=N, dtype=dtype)
                # the auto engine first: a Numba parallel region leaves its OpenMP threads spinning, which
                # slows a BLAS call right after it on a loaded machine; the numpy loop is timed right
                # before each engine so that every ratio compares neighbours in time
                engines = (auto,) + tuple(e for e in ("rows", "blas") if e != auto)
                if args.targets:
                    engines = (auto,)
                if zc is not None:
                    engines += ("compact",)
                t_auto = np.nan
                for engine in engines:
                    t_np = numpy_step_time(z, R)
                    if engine == "compact":
                        t = simulator_step_time(zc, R, "rows")
                        compact[(dtype.name, N, R)] = (t, t_np, t_auto)
                        nbytes = zc.nbytes
                    else:
                        t = simulator_step_time(z, R, engine)
                        nbytes = z.nbytes
                    if engine == auto:
                        t_auto = t
                    if R == 1 and engine == auto:
                        single[(dtype.name, N)] = (t, t_np, engine)
                    zbw = nbytes / t
                    flops = 2.0 * N * N * R / t
                    gemm_col = f"{100 * flops / gemm[dtype]:>5.0f}%" if R > 1 else f"{'':>6}"
                    print(f"{N:>6} {dtype.name:>7} {R:>3} {engine[:7]:>7} {1e3 * t:>9.3f} {1 / t:>8.1f} "
                          f"{zbw / 1e9:>7.1f} {100 * zbw / bw:>6.0f}% {1e3 * t_np:>9.3f} "
                          f"{t_np / t:>6.2f}x {flops / 1e9:>8.1f} {gemm_col}", flush=True)
            del z, zc
    if single:
        print("\nsingle trajectory (R = 1), engine='auto' against the numpy loop of the same run "
              "(target >= 1.0x at every N):")
        for name in args.dtypes:
            cells = [f"N={N}: {t_np / t:.2f}x ({e})" for (dt, N), (t, t_np, e) in single.items() if dt == name]
            if cells:
                print(f"  {name}: " + ", ".join(cells))
    if compact:
        print("\ncompact couplings (int8) against the same run's float32 baselines:")
        print("\n".join(compact_target_lines(compact, bw, gemm)))
    print("\nlargest N whose couplings and state fit in 20 GiB:")
    print("\n".join(capacity_lines()))
    load1 = os.getloadavg()
    print(f"\nload average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
