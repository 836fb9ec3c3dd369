"""Which simulator engine is faster, ``rows`` or ``blas``, as a function of N, R, dtype and threads.

Usage::

    python benchmarks/bench_engine_choice.py [--threads 1 2] [--sizes 250 500 1000 2000]
                                             [--replicas 1 2 4 8] [--steps 50] [--busy]
                                             [--write-calibration [PATH]]

For every (threads, dtype, N, R) it times ``simulate.engine.integrate`` on one
realised z over ``--steps`` Euler steps (default 50: T = 5 at dt = 0.1, tanh,
no input), rows and blas one after the other (never concurrently), best of
``--repeat`` runs after a warm-up call (no compilation in the timings), and
prints t_rows / t_blas measured in the same run (> 1: blas is faster). The
Numba and the OpenBLAS thread counts are both set to ``threads``, as a user
process (2 threads) or a sweep task (1 thread) runs them.

``--busy`` adds one busy-looping process for the duration of the run: the
situation of a second worker process on a 2-core machine, where a parallel
region's barrier waits for a descheduled thread.

The last lines print where :func:`simulate.engine.choose_engine` picks
``rows``, so that the rule can be compared with the ratios above them.

``--write-calibration`` turns the measurement into this machine's crossover
table and writes it where ``choose_engine`` reads it
(``simulate.engine.CALIBRATION_FILE`` unless a path is given): for each
dtype and R, rows from the smallest measured N from which rows is at least
5 % faster at every larger measured N, at the largest thread count measured
(a user process); blas everywhere else. The table and the measurements that
produced it are printed and stored together.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from meanfield.model import get_phi  # noqa: E402
from simulate.drive import Drive  # noqa: E402
from simulate.engine import choose_engine, integrate, write_calibration  # noqa: E402
from validation.threads import set_blas_threads  # noqa: E402

TANH = get_phi("tanh")
DT = 0.1


def _spin(stop):
    while not stop.is_set():
        pass


def time_engine(z, R, engine, steps, repeat) -> float:
    """Best wall time of ``steps`` Euler steps of ``engine`` for R replicas (seconds)."""
    N = z.shape[0]
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((R, N))
    v = rng.standard_normal(N) / np.sqrt(N)
    drive = Drive(np.zeros((steps, R)), np.zeros((steps, R)), np.zeros((steps, R)), np.zeros((R, N)))

    def go():
        integrate(z, x0, 0.8 / np.sqrt(N), v, np.zeros(N), drive, DT, TANH, stride=1, snap_every=0,
                  trace_idx=np.zeros(0, np.int64), engine=engine)

    go()  # compile / load from cache, warm the caches
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        go()
        best = min(best, time.perf_counter() - t)
    return best


def crossovers(measured, faster=0.95) -> dict:
    """{dtype: {R: smallest N from which t_rows / t_blas < faster at every larger N}} at the most threads."""
    threads = max(m["threads"] for m in measured)
    table = {}
    for dtype in sorted({m["dtype"] for m in measured}):
        table[dtype] = {}
        for R in sorted({m["R"] for m in measured}):
            rows = sorted((m["N"], m["t_rows"] / m["t_blas"]) for m in measured
                          if m["threads"] == threads and m["dtype"] == dtype and m["R"] == R)
            n_min = None
            for N, ratio in reversed(rows):
                if ratio >= faster:
                    break
                n_min = N
            if n_min is not None:
                table[dtype][R] = n_min
    return table


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    p.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 4, 8])
    p.add_argument("--dtypes", nargs="+", default=["float64", "float32"])
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--busy", action="store_true", help="one busy-looping process competes for the cores")
    p.add_argument("--write-calibration", nargs="?", const="", default=None, metavar="PATH",
                   help="write this machine's crossover table for choose_engine (default path if none given)")
    args = p.parse_args(argv)
    measured = []

    stop, busy = None, None
    if args.busy:
        stop = mp.Event()
        busy = mp.Process(target=_spin, args=(stop,), daemon=True)
        busy.start()
    load = os.getloadavg()
    print(f"cores {os.cpu_count()}, numba layer {numba.config.THREADING_LAYER}, {args.steps} steps, "
          f"best of {args.repeat}{', one busy process' if args.busy else ''}; load {load[0]:.2f}")
    print(f"{'thr':>3} {'dtype':>7} {'N':>5} {'R':>2} {'rows ms':>9} {'blas ms':>9} {'rows/blas':>9}")
    try:
        for threads in args.threads:
            numba.set_num_threads(threads)
            set_blas_threads(threads)
            for dtype in args.dtypes:
                for N in args.sizes:
                    z = np.random.default_rng(N).standard_normal((N, N)).astype(dtype)
                    for R in args.replicas:
                        t_rows = time_engine(z, R, "rows", args.steps, args.repeat)
                        t_blas = time_engine(z, R, "blas", args.steps, args.repeat)
                        print(f"{threads:>3} {dtype:>7} {N:>5} {R:>2} {1e3 * t_rows:>9.2f} {1e3 * t_blas:>9.2f} "
                              f"{t_rows / t_blas:>9.2f}", flush=True)
                        measured.append({"threads": threads, "dtype": dtype, "N": N, "R": R,
                                         "t_rows": t_rows, "t_blas": t_blas})
    finally:
        if busy is not None:
            stop.set()
            busy.join()
    if args.write_calibration is not None:
        table = crossovers(measured)
        path = write_calibration(table, measured, args.write_calibration or None)
        print(f"calibration written to {path}: rows from N = {table}")
    for dtype in args.dtypes:
        picks = {(N, R): choose_engine("auto", R, True, N=N, dtype=dtype) for N in args.sizes for R in args.replicas}
        rows = [f"N={N} R={R}" for (N, R), e in picks.items() if e == "rows"]
        print(f"choose_engine('auto', {dtype}): rows for {', '.join(rows) or 'none'}; blas for the others")
    return 0


if __name__ == "__main__":
    sys.exit(main())
