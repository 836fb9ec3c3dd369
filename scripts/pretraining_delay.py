"""Pretraining toward zero macro FTLE on temporally sparse tasks (the project's research result (ii)).

M realisations of one balanced reservoir (by default the reservoir of
validation check (i) and figure 9: N = 100, g = 1.5, J0 = 1, tanh, dt = 0.1,
the input on round(sqrt N) excitatory neurons) are compared on delayed
recall (D in 10, 30, 100, 300; pulse probability 0.01, pulses at least 10
steps apart) and the flip-flop (p in 0.01, 0.005, 0.002), T = 12,000 samples
each (washout 500, train to 2T/3, test after). Groups, each of M
reservoirs:

* random: realisations 0..M-1 as drawn (lambda0 = 0);
* pretrained: the same realisations after :func:`simulate.pretraining.pretrain_detuning`
  under the first ``--ftle-steps`` samples of the task's own input (the
  training rows' start; only lambda0 changes), so pretrained - random is a
  paired difference;
* FTLE-selected: from a pool of ``--pool`` x M realisations (the first M are
  the random group), the M whose measured macro FTLE under the same input
  samples is closest to zero (selection instead of a change of weights);
* ESN: ReservoirPy 0.4.2 ``Reservoir(units=N, lr, sr, input_scaling, seed)``
  (its defaults otherwise; default point: the one that benchmarks/bench_reservoir.py
  selected for the flip-flop at N = 100), seeds 0..M-1, states from 0.

Every group gets the same readout: ridge regression on the features (ours:
phi(x), h, 1; ESN: its states), the ridge chosen per reservoir from
``RIDGES`` on the last quarter of the training rows, refitted on all
training rows; score = sign accuracy on the test rows (delayed recall: the
recall times only). Intervals are percentile bootstraps over realisations
(4,000 resamples); pretrained - random is bootstrapped over the paired
differences.

Theory side: for each pretrained realisation the theory's macro FTLE
(``meanfield.lyapunov.macro_exponent``, THEORY.md section 5; one sample per
innovation draw) at the realisation's pretrained lambda0 under the same
delayed-recall input, ``--theory-samples`` draws each, against the measured
exponent; and the theory at lambda0 = 0 against the random group.

Shape: the measured FTLE of the first realisations on a grid of lambda0
(is it monotone? the choice of the root finder rests on it).

Cost: the number of FTLE evaluations per pretraining and the wall time of a
pretraining over that of one training (state run, ridge selection and fit)
of the same reservoir, measured in the same run.

Resumable: every unit of work is appended to ``<store>/items.jsonl`` and
skipped on a rerun with the same arguments. Writes ``--out`` (JSON).

Run:  python scripts/pretraining_delay.py [--M 40] [--N 100] ... [--out paper_figures/data/pretraining_delay.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import meanfield as mf  # noqa: E402
from meanfield.arguments import writable_file  # noqa: E402
from meanfield.jsonable import to_jsonable  # noqa: E402
from simulate import tasks  # noqa: E402
from simulate.metrics import sign_accuracy  # noqa: E402
from simulate.pretraining import pretrain_detuning, with_detuning  # noqa: E402
from simulate.readouts import RidgeReadout  # noqa: E402
from simulate.reservoir import Reservoir  # noqa: E402

DELAYS = (10, 30, 100, 300)
FLIP_P = (0.01, 0.005, 0.002)
RIDGES = (1e-8, 1e-6, 1e-4, 1e-2, 1.0)
GROUPS = ("random", "FTLE-selected", "pretrained", "ESN")
#: not one of the issue's four groups: the M lowest exponents of the pool (the selection of result (i))
EXTRA_GROUPS = ("lowest-FTLE",)
SCAN_REALISATIONS, SCAN_POINTS = 6, 33


def task_list(T: int, p_recall: float, seed: int) -> dict:
    out = {}
    for D in DELAYS:
        out[f"recall_D{D}"] = tasks.delayed_recall(T=T, D=D, p=p_recall, seed=seed)
    for p in FLIP_P:
        out[f"flipflop_p{p}"] = tasks.flip_flop(T=T, p=p, seed=seed)
    return out


def input_key(u: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(u, dtype=np.float64).tobytes()).hexdigest()[:12]


def score(F: np.ndarray, data) -> tuple[float, float]:
    """Test sign accuracy with the ridge chosen on the last quarter of the training rows; (accuracy, ridge)."""
    y = np.asarray(data.targets)[:, 0]
    recall = data.name == "delayed_recall"
    tr = np.arange(data.train.start, data.train.stop)
    cut = tr[: int(0.75 * tr.size)], tr[int(0.75 * tr.size):]
    ridge = 1e-6
    if not recall or np.any(y[cut[1]]):
        best = -1.0
        for beta in RIDGES:
            pred = RidgeReadout(ridge=beta).fit(F[cut[0]], y[cut[0]]).predict(F[cut[1]])
            acc = sign_accuracy(pred, y[cut[1]], nonzero_only=recall)
            if acc > best:
                best, ridge = acc, beta
    pred = RidgeReadout(ridge=ridge).fit(F[data.train], y[data.train]).predict(F[data.test])
    return sign_accuracy(pred, y[data.test], nonzero_only=recall), ridge


def bootstrap(values, n_boot: int = 4000, seed: int = 0) -> list[float]:
    """[mean, 2.5 %, 97.5 %] of the mean over realisations (percentile bootstrap)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return [float("nan")] * 3
    rng = np.random.default_rng(seed)
    means = rng.choice(v, (n_boot, v.size)).mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return [float(v.mean()), float(lo), float(hi)]


class Store:
    """Append-only record of finished units (one JSON object per line), keyed by a string."""

    def __init__(self, folder: Path, identity: dict):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "items.jsonl"
        ident = folder / "identity.json"
        text = json.dumps(identity, sort_keys=True)
        if ident.exists() and ident.read_text() != text:
            raise SystemExit(f"{folder} holds results of other arguments; pass another --store or delete it")
        ident.write_text(text)
        self.items = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                if line.strip():
                    rec = json.loads(line)
                    self.items[rec["key"]] = rec["value"]

    def get(self, key, compute):
        if key not in self.items:
            value = to_jsonable(compute())
            with self.path.open("a") as fh:
                fh.write(json.dumps({"key": key, "value": value}) + "\n")
            self.items[key] = value
        return self.items[key]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--N", type=int, default=100)
    p.add_argument("--g", type=float, default=1.5)
    p.add_argument("--J0", type=float, default=1.0)
    p.add_argument("--input-scaling", type=float, default=1.0)
    p.add_argument("--input-mode", choices=["dense", "sparse"], default="sparse")
    p.add_argument("--dt", type=float, default=0.1)
    p.add_argument("--T", type=int, default=12_000)
    p.add_argument("--p-recall", type=float, default=0.01)
    p.add_argument("--M", type=int, default=40, help="realisations per group")
    p.add_argument("--pool", type=int, default=3, help="FTLE-selected: candidates = pool x M")
    p.add_argument("--ftle-steps", type=int, default=1000, help="input samples of every FTLE evaluation")
    p.add_argument("--tol", type=float, default=0.01)
    p.add_argument("--max-evaluations", type=int, default=40)
    p.add_argument("--theory-samples", type=int, default=1, help="theory draws per pretrained realisation")
    p.add_argument("--theory-zero", type=int, default=20, help="theory draws at lambda0 = 0")
    p.add_argument("--cost-repeats", type=int, default=5, help="interleaved pretraining / training timings")
    p.add_argument("--esn", default="0.8,5.0,0.03", help="ReservoirPy sr,input_scaling,lr")
    p.add_argument("--seed", type=int, default=2000, help="root seed of the realisations")
    p.add_argument("--task-seed", type=int, default=1)
    p.add_argument("--store", default=str(Path(__file__).resolve().parents[1] / "runs" / "pretraining_delay"))
    p.add_argument("--out", default="paper_figures/data/pretraining_delay.json")
    args = p.parse_args(argv)
    out = writable_file("--out", args.out)
    sr, esn_scale, lr = (float(v) for v in args.esn.split(","))
    # the theory draws are keyed by their own seeds: their counts may change between reruns
    identity = {k: v for k, v in vars(args).items() if k not in ("store", "out", "theory_samples", "theory_zero",
                                                                 "cost_repeats")}
    store = Store(Path(args.store), identity)
    load_before = os.getloadavg()
    t_start = time.perf_counter()

    net = mf.Network(N=args.N, g=args.g, J0=args.J0)
    res = Reservoir(net, input_scaling=args.input_scaling, input_mode=args.input_mode, kappa=1.0, dt=args.dt,
                    include_h=True, dtype="float64")
    data = task_list(args.T, args.p_recall, args.task_seed)
    inputs = {name: np.asarray(d.inputs)[:, 0] for name, d in data.items()}
    ftle_inputs = {}
    for name, u in inputs.items():
        ftle_inputs.setdefault(input_key(u[: args.ftle_steps]), u[: args.ftle_steps])
    task_input = {name: input_key(u[: args.ftle_steps]) for name, u in inputs.items()}
    print(f"{len(data)} tasks, {len(ftle_inputs)} distinct pretraining inputs of {args.ftle_steps} samples",
          flush=True)
    seeds = np.random.SeedSequence(args.seed).spawn(args.pool * args.M)

    def realisation(i):
        return res.realise(seeds[i])

    # 1. macro FTLE at lambda0 = 0 of the whole pool, per pretraining input
    ftle0 = {}
    for k, uk in ftle_inputs.items():
        vals = []
        for i in range(args.pool * args.M):
            vals.append(store.get(f"ftle0/{k}/{i}", lambda: realisation(i).macro_ftle(uk)))
        ftle0[k] = np.array(vals)
        print(f"pool FTLE ({k}): median {np.median(vals):+.4f}, {np.mean(np.abs(vals) <= args.tol):.0%} within "
              f"tol at lambda0 = 0 ({time.perf_counter() - t_start:.0f} s)", flush=True)
    selected = {k: np.argsort(np.abs(v), kind="stable")[: args.M] for k, v in ftle0.items()}
    lowest = {k: np.argsort(v, kind="stable")[: args.M] for k, v in ftle0.items()}

    # 2. pretraining of realisations 0..M-1, per pretraining input
    pre = {}
    for k, uk in ftle_inputs.items():
        rows = []
        for i in range(args.M):
            rows.append(store.get(f"pretrain/{k}/{i}", lambda: pretrain_detuning(
                realisation(i), uk, tol=args.tol, max_evaluations=args.max_evaluations).to_dict()))
        pre[k] = rows
        ev = [r["evaluations"] for r in rows]
        print(f"pretraining ({k}): {sum(r['converged'] for r in rows)}/{args.M} within tol, evaluations median "
              f"{np.median(ev):.0f} (max {max(ev)}) ({time.perf_counter() - t_start:.0f} s)", flush=True)

    # 3. performance of every group on every task
    def ours_acc(rr, d):
        t0 = time.perf_counter()
        acc, ridge = score(rr.run(np.asarray(d.inputs)).features()[0], d)
        return {"accuracy": acc, "ridge": ridge, "seconds": time.perf_counter() - t0}

    def esn_acc(i, d):
        from reservoirpy.nodes import Reservoir as EsnReservoir

        t0 = time.perf_counter()
        states = np.asarray(EsnReservoir(units=args.N, lr=lr, sr=sr, input_scaling=esn_scale, seed=i)
                            .run(np.asarray(d.inputs)), dtype=np.float64)
        acc, ridge = score(states, d)
        return {"accuracy": acc, "ridge": ridge, "seconds": time.perf_counter() - t0}

    perf = {}
    for name, d in data.items():
        k = task_input[name]
        rows = {g: [] for g in GROUPS + EXTRA_GROUPS}

        def plain(j):
            """Realisation j of the pool at lambda0 = 0 (one computation, whichever group asked first)."""
            key = f"perf/{name}/random/{j}"
            return store.items[key] if key in store.items else store.get(
                f"perf/{name}/selected/{j}", lambda: ours_acc(realisation(j), d))

        for i in range(args.M):
            rows["random"].append(store.get(f"perf/{name}/random/{i}", lambda: ours_acc(realisation(i), d)))
            lam = pre[k][i]["lambda0_after"]
            rows["pretrained"].append(store.get(f"perf/{name}/pretrained/{i}",
                                                lambda: ours_acc(with_detuning(realisation(i), lam), d)))
            j = int(selected[k][i])
            rows["FTLE-selected"].append(store.get(f"perf/{name}/selected/{j}", lambda: ours_acc(realisation(j), d)))
            rows["ESN"].append(store.get(f"perf/{name}/esn/{i}", lambda: esn_acc(i, d)))
            rows["lowest-FTLE"].append(plain(int(lowest[k][i])))
        perf[name] = rows
        acc = {g: np.array([r["accuracy"] for r in rows[g]]) for g in GROUPS}
        diff = bootstrap(acc["pretrained"] - acc["random"])
        print(f"{name:16s} " + "  ".join(f"{g} {acc[g].mean():.3f}" for g in GROUPS)
              + f"  | pretrained - random {diff[0]:+.3f} [{diff[1]:+.3f}, {diff[2]:+.3f}] "
              f"({time.perf_counter() - t_start:.0f} s)", flush=True)

    # 4. theory: macro FTLE at the pretrained lambda0 (delayed-recall input), and at lambda0 = 0
    from meanfield.lyapunov import macro_exponent

    k_rec = task_input["recall_D100"]
    th_inputs, th_grid = res.network_inputs(ftle_inputs[k_rec])
    # draw s of realisation i: child (i, s) of one root; at lambda0 = 0: child s of another (stable under reruns
    # with other --theory-samples / --theory-zero)
    th_root, th0_root = np.random.SeedSequence(args.seed + 1), np.random.SeedSequence(args.seed + 2)

    def theory(lam, ss):
        try:
            return float(macro_exponent(net.replace(lambda0=lam), th_inputs, th_grid, seed=ss))
        except (ValueError, FloatingPointError):
            return float("nan")

    th_pre = [[store.get(f"theory/{k_rec}/{i}/{s}", lambda: theory(
                   pre[k_rec][i]["lambda0_after"], np.random.SeedSequence(th_root.entropy, spawn_key=(i, s))))
               for s in range(args.theory_samples)] for i in range(args.M)]
    th_zero = [store.get(f"theory0/{k_rec}/{s}", lambda: theory(
        0.0, np.random.SeedSequence(th0_root.entropy, spawn_key=(s,)))) for s in range(args.theory_zero)]
    print(f"theory ({time.perf_counter() - t_start:.0f} s)", flush=True)

    # 5. the shape of FTLE(lambda0): a scan of the first realisations under the delayed-recall input
    scan_l = np.linspace(-2.0, 2.0, SCAN_POINTS)
    scan = [[store.get(f"scan/{k_rec}/{i}/{j}", lambda: with_detuning(realisation(i), lam)
                       .macro_ftle(ftle_inputs[k_rec])) for j, lam in enumerate(scan_l)]
            for i in range(min(SCAN_REALISATIONS, args.M))]
    steps_sign = np.sign(np.diff(np.array(scan), axis=1))
    monotone = [bool(np.all(r >= 0) or np.all(r <= 0)) for r in steps_sign]
    print(f"scan: {sum(monotone)}/{len(scan)} realisations with FTLE monotone in lambda0 on [-2, 2] "
          f"({time.perf_counter() - t_start:.0f} s)", flush=True)

    # 6. cost, re-measured on every run (never stored): one pretraining and one training of the same reservoir,
    # interleaved, so that both see the same load
    cost = []
    for i in range(min(args.cost_repeats, args.M)):
        t0 = time.perf_counter()
        r = pretrain_detuning(realisation(i), ftle_inputs[k_rec], tol=args.tol, max_evaluations=args.max_evaluations)
        t1 = time.perf_counter()
        ours_acc(r.realisation, data["recall_D100"])
        t2 = time.perf_counter()
        cost.append({"pretraining_seconds": t1 - t0, "training_seconds": t2 - t1, "evaluations": r.evaluations,
                     "ratio": (t1 - t0) / (t2 - t1)})
    print(f"cost: pretraining / one training (D = 100) = "
          f"{np.median([c['ratio'] for c in cost]) if cost else float('nan'):.2f} (median of {len(cost)}, interleaved; "
          f"{time.perf_counter() - t_start:.0f} s)", flush=True)

    # 7. summary
    summary = {"tasks": {}, "pretraining": {}, "theory": {}, "cost": {
                   "items": cost, "ratio_median": float(np.median([c["ratio"] for c in cost])) if cost else None,
                   "evaluation_steps": args.ftle_steps, "training_steps": args.T},
               "scan": {"lambda0": scan_l, "ftle": scan, "monotone": monotone, "input": k_rec}}
    for name, rows in perf.items():
        acc = {g: np.array([r["accuracy"] for r in rows[g]]) for g in GROUPS + EXTRA_GROUPS}
        entry = {g: {"accuracy_ci95": bootstrap(acc[g]), "accuracy": acc[g]} for g in GROUPS + EXTRA_GROUPS}
        k = task_input[name]
        rho = stats.spearmanr(ftle0[k][: args.M], acc["random"])
        entry["spearman_ftle_accuracy_random"] = {"rho": float(rho.statistic), "p": float(rho.pvalue)}
        entry["pretrained_minus_random_paired_ci95"] = bootstrap(acc["pretrained"] - acc["random"])
        k = task_input[name]
        conv = np.array([r["converged"] for r in pre[k]])
        entry["pretrained_minus_random_converged_only_ci95"] = bootstrap((acc["pretrained"] - acc["random"])[conv])
        rng = np.random.default_rng(1)
        for g in ("FTLE-selected", "ESN", "lowest-FTLE"):
            # unpaired: independent resamples of the two groups
            a, b = acc[g], acc["random"]
            d = [rng.choice(a, a.size).mean() - rng.choice(b, b.size).mean() for _ in range(4000)]
            entry[f"{g}_minus_random_ci95"] = [float(a.mean() - b.mean()), *map(float, np.quantile(d, [0.025, 0.975]))]
        entry["pretraining_input"] = k
        entry["training_seconds_median"] = float(np.median([r["seconds"] for r in rows["random"]]))
        summary["tasks"][name] = entry
    for k, rows in pre.items():
        before = np.array([r["ftle_before"] for r in rows])
        after = np.array([r["ftle_after"] for r in rows])
        ev = np.array([r["evaluations"] for r in rows])
        secs = np.array([r["seconds"] for r in rows])
        train = np.median([summary["tasks"][n]["training_seconds_median"] for n, kk in task_input.items() if kk == k])
        summary["pretraining"][k] = {
            "tasks": [n for n, kk in task_input.items() if kk == k],
            "ftle_before": before, "ftle_after": after,
            "lambda0_after": [r["lambda0_after"] for r in rows], "converged": int(sum(r["converged"] for r in rows)),
            "methods": {m: int(sum(r["method"] == m for r in rows)) for m in {r["method"] for r in rows}},
            "evaluations": ev, "evaluations_mean_ci95": bootstrap(ev),
            "seconds_median": float(np.median(secs)), "training_seconds_median": float(train),
            "time_ratio_to_one_training_median": float(np.median(secs) / train),
            "abs_ftle_before_ci95": bootstrap(np.abs(before)), "abs_ftle_after_ci95": bootstrap(np.abs(after)),
            "selected_pool_ftle": ftle0[k][selected[k]], "pool_ftle": ftle0[k],
        }
    meas = np.array([r["ftle_after"] for r in pre[k_rec]])
    th = np.array(th_pre, dtype=float)
    th_mean = np.nanmean(th, axis=1)
    summary["theory"] = {
        "input": k_rec, "samples_per_realisation": args.theory_samples,
        "theory_at_pretrained_lambda0": th, "measured_at_pretrained_lambda0": meas,
        "theory_mean_ci95": bootstrap(th_mean), "measured_mean_ci95": bootstrap(meas),
        "theory_minus_measured_ci95": bootstrap(th_mean - meas),
        "theory_at_lambda0_0": th_zero, "theory_at_lambda0_0_ci95": bootstrap(th_zero),
        "measured_at_lambda0_0_ci95": bootstrap(np.array([r["ftle_before"] for r in pre[k_rec]])),
    }
    import reservoirpy

    record = {
        "args": vars(args), "reservoir": res.to_dict(), "groups": GROUPS, "ridges": RIDGES,
        "esn": {"sr": sr, "input_scaling": esn_scale, "lr": lr, "package": "reservoirpy",
                "defaults": "normal W density 0.1, Bernoulli input weights density 0.1, tanh, states from 0"},
        "task_params": {name: d.params for name, d in data.items()},
        "realisation_seed": {"entropy": args.seed, "pool": args.pool * args.M},
        "summary": summary, "performance": perf, "pretraining": pre,
        "versions": {"package": mf.results.package_version(), "numpy": np.__version__,
                     "reservoirpy": reservoirpy.__version__},
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "seconds_this_run": time.perf_counter() - t_start,   # a resumed run counts only what it computed
    }
    Path(out).write_text(json.dumps(to_jsonable(record), indent=1))
    print(f"\nN = {args.N}, (g, J0) = ({args.g}, {args.J0}), M = {args.M}; accuracy mean [95 % bootstrap]:")
    for name, e in summary["tasks"].items():
        line = "  ".join(f"{g} {e[g]['accuracy_ci95'][0]:.3f} [{e[g]['accuracy_ci95'][1]:.3f}, "
                         f"{e[g]['accuracy_ci95'][2]:.3f}]" for g in GROUPS + EXTRA_GROUPS)
        d = e["pretrained_minus_random_paired_ci95"]
        low = e["lowest-FTLE_minus_random_ci95"]
        rho = e["spearman_ftle_accuracy_random"]
        print(f"  {name:16s} {line}\n  {'':16s} pretrained - random (paired) {d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]; "
              f"lowest-FTLE - random {low[0]:+.3f} [{low[1]:+.3f}, {low[2]:+.3f}]; Spearman(FTLE, accuracy) of the "
              f"random group {rho['rho']:+.2f} (p = {rho['p']:.2g})")
    for k, e in summary["pretraining"].items():
        print(f"  pretraining {k} ({', '.join(e['tasks'])}): {e['converged']}/{args.M} within tol {args.tol}; "
              f"|FTLE| {e['abs_ftle_before_ci95'][0]:.4f} -> {e['abs_ftle_after_ci95'][0]:.4f}; evaluations "
              f"{e['evaluations_mean_ci95'][0]:.1f}; time / one training {e['time_ratio_to_one_training_median']:.1f}x")
    t = summary["theory"]
    print(f"  theory at pretrained lambda0: {t['theory_mean_ci95']}, measured {t['measured_mean_ci95']}, "
          f"theory - measured {t['theory_minus_measured_ci95']}; at lambda0 = 0: theory {t['theory_at_lambda0_0_ci95']}, "
          f"measured {t['measured_at_lambda0_0_ci95']}")
    print(f"saved {out} ({record['seconds_this_run']:.0f} s this run)")


if __name__ == "__main__":
    main()
