"""``meanfield-demo``: a short ensemble on the default parameter set.

Simulates a few realisations of the network of THEORY.md section 1
(N = 1000, g = 1.5, J0 = 1, tanh, dt = 0.1, T = 60), prints per realisation
the final population state h(T), the state of section 7 and Delta(T,T), and
writes the population trajectories h(t) to ``h_trajectories.png``.
Different networks with the same parameters follow different population
paths (section 2): that spread is what the theory predicts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from meanfield.model import InitialState, Inputs, Network, TimeGrid

from .ensembles import ensemble


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="meanfield-demo",
        description="Simulate a few realisations of a critically balanced network and plot h(t).",
    )
    p.add_argument("--out", default="./meanfield_demo", help="output directory (default: %(default)s)")
    p.add_argument("--N", type=int, default=1000, help="number of neurons (default: %(default)s)")
    p.add_argument("--g", type=float, default=1.5, help="random coupling strength (default: %(default)s)")
    p.add_argument("--J0", type=float, default=1.0, help="E/I balance strength (default: %(default)s)")
    p.add_argument("--T", type=float, default=60.0, help="duration (default: %(default)s)")
    p.add_argument("--dt", type=float, default=0.1, help="Euler step (default: %(default)s)")
    p.add_argument("--realisations", type=int, default=8, help="number of networks (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default: %(default)s)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default: %(default)s)")
    return p.parse_args(argv)


def summary_table(result) -> str:
    """One line per realisation: index, h(T), state, Delta(T,T)."""
    lines = [f"{'network':>7}  {'h(T)':>9}  {'state':<12}  {'Delta(T,T)':>10}"]
    for i, state in enumerate(result.states()):
        lines.append(
            f"{i:>7d}  {result.h[i, -1]:>9.4f}  {state.value:<12}  {result.delta_tt[i, -1]:>10.4f}"
        )
    return "\n".join(lines)


def plot_trajectories(result, network: Network, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for i in range(len(result)):
        ax.plot(result.times, result.h[i], lw=1)
    ax.axhline(0.0, color="k", lw=0.5)
    ax.set_xlabel("t (units of the neuronal time constant)")
    ax.set_ylabel("population state h(t)")
    ax.set_title(
        f"{len(result)} networks, N = {network.N}, g = {network.g:g}, J0 = {network.J0:g}, "
        f"phi = {network.phi.name}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        network = Network(N=args.N, g=args.g, J0=args.J0)
        grid = TimeGrid(dt=args.dt, T=args.T)
    except ValueError as exc:
        print(f"meanfield-demo: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    result = ensemble(
        network, Inputs(), grid, InitialState(), n_realisations=args.realisations,
        seed=args.seed, workers=args.workers, progress=False,
    )
    elapsed = time.perf_counter() - start
    print(
        f"N = {network.N}, g = {network.g:g}, J0 = {network.J0:g}, lambda0 = 0, phi = tanh, "
        f"dt = {grid.dt:g}, T = {grid.T:g}; {len(result)} networks in {elapsed:.1f} s"
    )
    print(summary_table(result))
    h_T = result.h[:, -1]
    print(f"mean |h(T)| = {np.mean(np.abs(h_T)):.3f}, spread of h(T) across networks = {np.std(h_T):.3f}")
    path = out / "h_trajectories.png"
    plot_trajectories(result, network, path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
