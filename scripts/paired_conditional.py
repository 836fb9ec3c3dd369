"""Paired checks on simulated networks: conditional moments and causal innovation whitening.

For each network (tanh, (g, J0) = (1.5, 1), dt = 0.1) the state of every
neuron is recorded at every Euler step; the script then

1. runs THEORY.md eqs. 4.1 and 4.5 along the network's own h
   (:func:`meanfield.conditional.conditional_moments`) and measures the sup and
   rms relative errors of its empirical Delta(t, s) and Chat(t, s)
   (:func:`validation.paired.relative_error`);
2. whitens r = m - lambda0 M - D with the causal factor of J0^2 Chat (pivot
   tol 1e-3): the network's empirical Chat, the theory's Chat given h, the
   empirical Chat with J0 x 1.2 (power check), the permutation control s'
   (a random permutation of the E/I vector) and, as a diagnostic of the E/I
   asymmetry, the s^2-weighted empirical covariance (1/N) sum_j s_j^2 (a_j - M)(a_j - M)'.

Per-network results go to one .npz each under --out (reruns skip existing
files); ``--summary`` prints the tables and fitted exponents from what is there.

Examples
--------
    python scripts/paired_conditional.py --case spont --sizes 250 500 1000 2000 4000 --networks 8 8 8 6 4
    python scripts/paired_conditional.py --case sparse --sizes 250 500 1000 2000 4000 --networks 8 8 8 6 4
    python scripts/paired_conditional.py --summary
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

import meanfield as mf
import simulate
from meanfield.conditional import conditional_moments
from validation import paired
from validation.convergence import fit_exponent

G, J0, DT, TOL = 1.5, 1.0, 0.1, 1e-3
BAND, COARSE = 5.0, 5   # short-lag band of the error (time units); stride of the stored signed error
SPARSE = mf.SparseInput(kappa=1.0, A=2.0)
CASES = {"spont": mf.Inputs(), "sparse": mf.Inputs(sparse=SPARSE)}


def one_network(case: str, N: int, seed: int, T: float, f: float = 0.8, g: float = G, J0: float = J0,
                phi: str = "tanh") -> dict:
    net = mf.Network(N=N, g=g, J0=J0, f=f, phi=phi)
    grid = mf.TimeGrid(dt=DT, T=T)
    inputs = CASES[case]
    ss = np.random.SeedSequence(1400 + (0 if case == "spont" else 1), spawn_key=(N, seed))
    res = simulate.run(net, inputs, grid, seed=ss, trace_neurons=np.arange(N), engine="blas")
    emp = paired.network_moments(res.traces, net)
    th = conditional_moments(net, emp.h, inputs, grid)
    out = {"N": N, "seed": seed, "T": T, "f": f, "g": g, "J0": J0, "phi": phi}
    for name, e, t in (("delta", emp.delta, th.delta), ("chat", emp.chat, th.chat)):
        err = paired.relative_error(e, t)
        tri = np.tril_indices(e.shape[0])
        ratio = np.abs(e - t) / np.sqrt(np.outer(np.diag(t), np.diag(t)))
        lag = np.abs(np.subtract.outer(np.arange(e.shape[0]), np.arange(e.shape[0]))) * DT
        out[f"sup_{name}"] = err.sup
        out[f"rms_{name}"] = float(np.sqrt(np.mean(ratio[tri] ** 2)))
        out[f"band_{name}"] = float(ratio[lag <= BAND].max())      # |t - s| <= BAND
        out[f"far_{name}"] = float(ratio[lag > BAND].max())        # long lags
        out[f"diag_{name}"] = float(err.diagonal.max())
        out[f"profile_{name}"] = err.profile
        signed = (e - t) / np.sqrt(np.outer(np.diag(t), np.diag(t)))
        out[f"dev_{name}"] = signed[::COARSE, ::COARSE]              # coarse two-time grid, signed
    if inputs.sparse is not None:
        # the theory's Delta is that of the undriven neurons; the driven set adds ~ kappa w^2 / sqrt(N)
        bulk = np.setdiff1d(np.arange(N), inputs.sparse.indices(net))
        xb = res.traces[:, bulk]
        yb = xb - xb.mean(axis=1, keepdims=True)
        ab = net.phi(xb)
        ab = ab - ab.mean(axis=1, keepdims=True)
        for name, e, t in (("delta", yb @ yb.T / bulk.size, th.delta), ("chat", ab @ ab.T / bulk.size, th.chat)):
            err = paired.relative_error(e, t)
            out[f"sup_{name}_bulk"] = err.sup
            out[f"diag_{name}_bulk"] = float(err.diagonal.max())
    r = paired.feedback_residual(emp.m, emp.M, th.D, net)
    scale_e = J0**2 * np.diag(emp.C)
    variants = {
        "emp": (r, emp.chat, J0, scale_e),
        "th": (r, th.chat, J0, J0**2 * np.diag(th.C)),
        "emp_j12": (r, emp.chat, 1.2 * J0, 1.44 * scale_e),
        "th_j12": (r, th.chat, 1.2 * J0, 1.44 * J0**2 * np.diag(th.C)),
    }
    rng = np.random.default_rng(ss.spawn(1)[0])
    a = net.phi(res.traces)
    variants["perm"] = (paired.permuted_feedback(a, net, rng, rates=True), emp.chat, J0, scale_e)
    s = net.ei_signs()
    ac = a - a.mean(axis=1, keepdims=True)
    chat_w = (ac * s**2) @ ac.T / N
    variants["emp_s2"] = (r, chat_w, J0, J0**2 * np.diag(chat_w))
    for name, (rr, chat, j0, scale) in variants.items():
        w = paired.whiten(rr, chat, j0, tol=TOL, scale=scale)
        out[f"xi_{name}"] = w.xi
        out[f"piv_{name}"] = w.pivot_steps
        out[f"hpiv_{name}"] = emp.h[w.pivot_steps]
    # E/I asymmetry of the rate fluctuations: Chat_I(t,t) / Chat_E(t,t) over time
    E = slice(0, net.N_E)
    I = slice(net.N_E, N)
    out["var_E"] = np.mean(ac[:, E] ** 2, axis=1)
    out["var_I"] = np.mean(ac[:, I] ** 2, axis=1)
    out["h"] = emp.h
    out["m"] = emp.m
    out["chat_emp"] = emp.chat[::COARSE, ::COARSE]
    out["chat_th"] = th.chat[::COARSE, ::COARSE]
    out["delta_th_tt"] = np.diag(th.delta)
    out["delta_tt"] = np.diag(emp.delta)
    return out


def path(out: Path, case: str, N: int, seed: int) -> Path:
    return out / f"{case}_N{N}_s{seed}.npz"


def load(out: Path, case: str) -> dict[int, list[dict]]:
    by_n: dict[int, list[dict]] = {}
    for f in sorted(out.glob(f"{case}_N*_s*.npz")):
        d = dict(np.load(f))
        by_n.setdefault(int(d["N"]), []).append(d)
    return dict(sorted(by_n.items()))


def mean_se(x):
    x = np.asarray(x, float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.inf


def summary(out: Path) -> None:
    for case in CASES:
        data = load(out, case)
        if not data:
            continue
        print(f"\n=== case {case}: conditional moments (sup / rms relative error over the two-time grid)")
        Ns = list(data)
        cols = {}
        extra = ("sup_delta_bulk", "diag_delta_bulk", "sup_chat_bulk", "diag_chat_bulk") if case == "sparse" else ()
        for metric in ("sup_delta", "sup_chat", "rms_delta", "rms_chat", "band_delta", "far_delta",
                       "diag_delta", "band_chat") + extra:
            vals = [mean_se([d[metric] for d in data[n]]) for n in Ns]
            cols[metric] = vals
        names = list(cols)
        for part in (names[:4], names[4:8], names[8:]):
            if not part:
                continue
            print("    N  nets   " + "  ".join(f"{m:>18s}" for m in part))
            for i, n in enumerate(Ns):
                print(f"{n:5d} {len(data[n]):5d}   " + "  ".join(
                    f"{cols[m][i][0]:.4f} +- {cols[m][i][1]:.4f}" for m in part))
        for m, vals in cols.items():
            fit = fit_exponent(Ns, [v[0] for v in vals], [v[1] for v in vals], metric=f"{case} {m}")
            lo, hi = fit.exponent - 1.96 * fit.exponent_se, fit.exponent + 1.96 * fit.exponent_se
            print(f"  {fit.describe()}  95% [{lo:.2f}, {hi:.2f}]")
        # time profile of the error at each N (quartiles of the horizon)
        K = data[Ns[0]][0]["profile_delta"].size
        q = [K // 4, K // 2, 3 * K // 4, K - 1]
        print("  time profile of the Delta error (mean over networks of max_{s<=t} err) at t =",
              [round(k * DT, 1) for k in q])
        for n in Ns:
            prof = np.mean([d["profile_delta"] for d in data[n]], axis=0)
            print(f"  N = {n:5d}: " + "  ".join(f"{prof[k]:.4f}" for k in q))

        print(f"\n=== case {case}: causal innovation whitening (pivot tol {TOL:g})")
        for variant in ("emp", "th", "emp_j12", "th_j12", "perm", "emp_s2"):
            print(f"-- {variant}")
            allxi, allh = [], []
            for n in Ns:
                xis = [d[f"xi_{variant}"] for d in data[n]]
                hs = [d[f"hpiv_{variant}"] for d in data[n]]
                allxi += xis
                allh += hs
                rep = paired.innovation_statistics(xis, hs)
                v = rep.get("variance")
                verdict = "PASS" if rep.passed else "FAIL " + ",".join(rep.failed)
                ks = rep.get("KS")
                print(f"   N = {n:5d}: var {v.estimate:.3f} [{v.low:.3f}, {v.high:.3f}] (n = {v.n}, "
                      f"{len(xis)} nets)  mean {rep.get('mean').estimate:+.3f}  lag1 "
                      f"{rep.get('lag1').estimate:+.3f}  corr_h z {rep.get('corr_h').z:+.2f}  KS {ks.estimate:.3f}"
                      f" (p-z {ks.z:.1f})  {verdict}")
            rep = paired.innovation_statistics(allxi, allh)
            print("   pooled:\n      " + rep.describe().replace("\n", "\n      "))
        # the deficit of the empirical whitening against N, the first innovation (t = 0) as internal control
        print("-- deficit 1 - var(emp) per N, first innovation and later ones separately")
        defs = []
        for n in Ns:
            xis = [d["xi_emp"] for d in data[n]]
            first = np.array([x[0] for x in xis])
            later = [x[1:] for x in xis]
            rep = paired.innovation_statistics(later) if sum(x.size for x in later) >= 10 else None
            v = rep.get("variance") if rep else None
            se = (v.high - v.low) / 3.92 if v else math.inf
            defs.append((n, 1 - v.estimate, se))
            print(f"   N = {n:5d}: var(first) {np.mean(first**2):.3f} (n = {first.size}), var(later) "
                  f"{v.estimate:.3f} [{v.low:.3f}, {v.high:.3f}]")
            late_t = np.concatenate([d["piv_emp"][1:] for d in data[n]]) * DT
            lx = np.concatenate(later)
            for lo_t, hi_t in ((0, 5), (5, 15), (15, 1e9)):
                sel = (late_t >= lo_t) & (late_t < hi_t)
                if sel.sum() > 5:
                    print(f"        pivots in t in [{lo_t}, {hi_t}): var {np.mean(lx[sel]**2):.3f} "
                          f"+- {math.sqrt(2 / sel.sum()):.3f} nominal (n = {sel.sum()})")
        ok = [(n, d, s) for n, d, s in defs if math.isfinite(s)]
        if len(ok) >= 3:
            fit = fit_exponent([o[0] for o in ok], [max(o[1], 1e-6) for o in ok], [o[2] for o in ok],
                               metric=f"{case} whitening deficit")
            lo, hi = fit.exponent - 1.96 * fit.exponent_se, fit.exponent + 1.96 * fit.exponent_se
            print(f"   {fit.describe()}  95% [{lo:.2f}, {hi:.2f}]")
        print("-- E/I asymmetry: time-averaged Chat_I(t,t) / Chat_E(t,t) (t >= 5)")
        for n in Ns:
            k0 = round(5 / DT)
            ratios = [np.mean(d["var_I"][k0:]) / np.mean(d["var_E"][k0:]) for d in data[n]]
            m, se = mean_se(ratios)
            print(f"   N = {n:5d}: {m:.4f} +- {se:.4f}  (1 - ratio) * sqrt(N) = {(1 - m) * math.sqrt(n):.2f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=sorted(CASES), default="spont")
    ap.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000, 4000])
    ap.add_argument("--networks", type=int, nargs="+", default=[8, 8, 8, 6, 4])
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--T", type=float, default=40.0)
    ap.add_argument("--f", type=float, default=0.8, help="fraction of excitatory neurons (use a separate --out)")
    ap.add_argument("--g", type=float, default=G, help="use a separate --out for each (g, J0, phi)")
    ap.add_argument("--J0", type=float, default=J0)
    ap.add_argument("--phi", choices=("tanh", "erf", "linear"), default="tanh")
    ap.add_argument("--out", type=Path, default=Path("paired_out"))
    ap.add_argument("--summary", action="store_true")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.summary:
        summary(args.out)
        return
    if len(args.networks) == 1:
        args.networks = args.networks * len(args.sizes)
    if len(args.networks) != len(args.sizes):
        raise SystemExit("--networks needs one count or one per size")
    for N, n_net in zip(args.sizes, args.networks):
        for seed in range(args.first_seed, args.first_seed + n_net):
            f = path(args.out, args.case, N, seed)
            if f.exists():
                continue
            t0 = time.time()
            d = one_network(args.case, N, seed, args.T, args.f, args.g, args.J0, args.phi)
            np.savez(f, **d)
            print(f"{args.case} N = {N} seed {seed}: supD {d['sup_delta']:.4f} supC {d['sup_chat']:.4f} "
                  f"var(xi emp) {np.mean(d['xi_emp']**2):.3f} rank {d['xi_emp'].size} ({time.time() - t0:.1f} s)",
                  flush=True)


if __name__ == "__main__":
    main()
