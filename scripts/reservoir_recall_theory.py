"""The theory's probability that a reservoir recalls a pulse, against networks and trained readouts (sections 5, 6, 9).

A pulse of sign +-1 on the reservoir's sparse input set, then D silent
samples. Two replicas of one network (same z, same initial state) receive
the two signs. The readout of the driven set, w = 1_S (independent of z),
reports the sign correctly when r^+(D) > 0 > r^-(D).

* Theory: ``meanfield.readout.discriminate`` (two replicas with the same
  innovations, the Gaussian readout law of eq. 6.1 given the path); per
  sample P_correct = (P(r^+ > 0) + P(r^- < 0)) / 2 and the lower bound
  P(r^+ > 0) - P(r^- > 0) of the probability that both are right.
* Networks: ``simulate.readout.discriminate`` with the same readout; the
  fraction of networks for which both are right.
* Trained: the delayed-recall task (``simulate.tasks.delayed_recall``) with a
  ridge readout of all features, trained per realisation; the fraction of
  realisations above 0.95 test accuracy at the recall times.

The section 6 theory is about readouts independent of z; a trained readout
is not, so the first two columns test the theory, the third says how far a
readout fitted to the network gets beyond it. Writes ``--out`` (JSON).

Run:  python scripts/reservoir_recall_theory.py [--N 400] [--delays 1 10 30] ...
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import meanfield as mf
from meanfield.arguments import writable_file
from meanfield.jsonable import to_jsonable
from meanfield.model import Custom, SparseInput, TimeGrid
from meanfield.readout import discriminate as theory_discriminate
from meanfield.readout import sign_stimuli
from simulate import tasks
from simulate.metrics import sign_accuracy
from simulate.readout import discriminate as network_discriminate
from simulate.readouts import RidgeReadout
from simulate.reservoir import HeldInput, Reservoir


def pulse_stimuli(D: int, A: float, kappa: float, dt: float):
    """(+A, -A) pulses for one input sample (one Euler step) on the sparse set, then D silent samples."""
    u = np.zeros(D + 1)
    u[0] = 1.0
    return sign_stimuli(SparseInput(kappa=kappa, A=A, profile=Custom(HeldInput(u, dt))))


def trained_success(res: Reservoir, D: int, M: int, seed: int, p: float, T: int, ridge: float) -> np.ndarray:
    """Test accuracy at the recall times of a ridge readout trained per realisation (delayed recall)."""
    data = tasks.delayed_recall(T=T, D=D, p=p, seed=seed)
    u, y = np.asarray(data.inputs)[:, 0], np.asarray(data.targets)[:, 0]
    acc = []
    for ss in np.random.SeedSequence(seed).spawn(M):
        F = res.realise(ss).run(u).features()[0]
        fit = RidgeReadout(ridge=ridge).fit(F[data.train], y[data.train])
        acc.append(sign_accuracy(fit.predict(F[data.test]), y[data.test], nonzero_only=True))
    return np.array(acc)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--N", type=int, default=400)
    p.add_argument("--g", type=float, default=1.5)
    p.add_argument("--J0", type=float, default=1.0)
    p.add_argument("--A", type=float, default=1.0, help="pulse amplitude (the reservoir's input scaling)")
    p.add_argument("--kappa", type=float, default=1.0)
    p.add_argument("--delays", type=int, nargs="+", default=[1, 10, 30])
    p.add_argument("--theory-samples", type=int, default=100)
    p.add_argument("--networks", type=int, default=200)
    p.add_argument("--trained", type=int, default=20, help="realisations trained on the delayed-recall task")
    p.add_argument("--T", type=int, default=12_000, help="delayed-recall task length")
    p.add_argument("--p", type=float, default=0.02, help="delayed-recall pulse probability")
    p.add_argument("--ridge", type=float, default=1e-6)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="recall_theory.json")
    args = p.parse_args(argv)
    out = writable_file("--out", args.out)
    net = mf.Network(N=args.N, g=args.g, J0=args.J0)
    res = Reservoir(net, input_mode="sparse", input_scaling=args.A, kappa=args.kappa, dt=0.1)
    w = np.zeros(args.N)
    w[SparseInput(kappa=args.kappa).indices(net)] = 1.0
    rows = []
    for D in args.delays:
        stimuli = pulse_stimuli(D, args.A, args.kappa, res.dt)
        grid = TimeGrid(dt=res.dt, T=(D + 1) * res.dt)
        th = theory_discriminate(net, stimuli, grid, n_samples=args.theory_samples, seed=args.seed, weights=w,
                                 progress=False).p_exceed
        sim = network_discriminate(net, stimuli, grid, n_samples=args.networks, seed=args.seed + 1, weights=w,
                                   progress=False).p_exceed
        acc = trained_success(res, D, args.trained, args.seed + 2, args.p, args.T, args.ridge)
        row = {"D": D,
               "theory_p_correct": float(np.mean(0.5 * (th[:, 0] + 1.0 - th[:, 1]))),
               "theory_both_lower_bound": float(np.mean(np.clip(th[:, 0] - th[:, 1], 0.0, 1.0))),
               "networks_both": mf.stats.proportion(int(np.sum((sim[:, 0] > 0.5) & (sim[:, 1] < 0.5))),
                                                   sim.shape[0]),
               "networks_p_correct": float(np.mean(0.5 * (sim[:, 0] + 1.0 - sim[:, 1]))),
               "trained_above_0.95": mf.stats.proportion(int(np.sum(acc > 0.95)), acc.size),
               "trained_accuracy": acc}
        rows.append(row)
        nb, tr = row["networks_both"], row["trained_above_0.95"]
        print(f"D = {D:4d}: fixed readout of S: P_correct theory {row['theory_p_correct']:.3f} / networks "
              f"{row['networks_p_correct']:.3f}; both right: theory >= {row['theory_both_lower_bound']:.3f}, "
              f"networks {nb.p:.3f} [{nb.low:.3f}, {nb.high:.3f}]; trained readouts above 0.95: {tr.p:.2f} "
              f"[{tr.low:.2f}, {tr.high:.2f}] (median accuracy {np.median(acc):.3f})", flush=True)
    Path(out).write_text(json.dumps(to_jsonable({"args": vars(args), "rows": rows,
                                                 "package_version": mf.results.package_version()}), indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
