"""The compact (int8) coupling model against Gaussian networks and the theory at larger N.

The CI tests (tests/simulate/test_couplings_compact.py) run at N = 1000; this
program repeats them at any N (default 4000):

* laws of h(t) and Delta(t, t) at t = 5, 10 (g = 1.5, J0 = 1, no input):
  n compact against n float32 Gaussian networks (other seeds), two-sample
  KS tests and Fisher's test of P(Delta(10, 10) > 0.9);
* the outliers (g = 0.8, J0 = 2): P(max Re lambda > 1) of n compact networks
  (from each network's own zeta_k, exact for its matrix) against the
  theory's 0.460 [0.453, 0.467] (THEORY.md section 3), and the chi-square of
  zeta_1..4 against iid N(0, 1);
* with ``--eig``, the eigenvalues of one compact matrix outside the bulk
  against the roots of its own zeta_k (O(N^3): a minute or more at N = 4000).

``--wrong`` repeats every test on the compact law with variance 1.2, which
they should reject. Every test is at level 1e-3.

Usage::

    python scripts/compact_couplings_validation.py [--N 4000] [--n 40] [--eig] [--wrong]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import stats

import meanfield as mf
import simulate
from meanfield.linear.outliers import outlier_eigenvalues
from simulate.couplings import CompactCouplings, GaussianCouplings
from simulate.spectrum import bulk_radius
from simulate.zeta import realisation_zeta

ALPHA = 1e-3


@dataclass(frozen=True)
class WrongVariance(CompactCouplings):
    name: ClassVar[str] = "script_wrong_variance"

    @property
    def scale(self):
        return math.sqrt(1.2) * super().scale


def h_delta(N, law, seed, n):
    net = mf.Network(N=N, g=1.5, J0=1.0)
    grid = mf.TimeGrid(dt=0.1, T=10.0, stride=50)
    ens = simulate.sample(net, grid=grid, n_samples=n, seed=seed, progress=False, dtype=np.float32,
                          couplings=law)
    return ens.h[:, 1:], ens.delta_tt[:, 1:]


def zeta_sample(N, law, seed, n, k_max=130):
    net = mf.Network(N=N, g=0.8, J0=2.0)
    zetas, unstable = [], 0
    for ss in np.random.SeedSequence(seed).spawn(n):
        zeta = realisation_zeta(simulate.realise(net, ss, np.float32, law), k_max)
        zetas.append(zeta[:4])
        lam = outlier_eigenvalues(zeta, net.g, net.J0)
        unstable += bool(lam.size and lam.real.max() > 1.0)
    return np.array(zetas), unstable


def report(name, p):
    for k, v in p.items():
        print(f"  {name:>10s}  {k:<32s} p = {v:.3g}  {'reject' if v < ALPHA else 'pass'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--N", type=int, default=4000)
    ap.add_argument("--n", type=int, default=40, help="networks per group")
    ap.add_argument("--eig", action="store_true")
    ap.add_argument("--wrong", action="store_true")
    args = ap.parse_args(argv)
    N, n = args.N, args.n
    t0 = time.time()
    laws = [("compact", CompactCouplings(), 12)] + ([("wrong 1.2", WrongVariance(), 13)] if args.wrong else [])
    h_g, d_g = h_delta(N, GaussianCouplings(), 11, n)
    print(f"N = {N}, {n} networks per group; Gaussian float32 reference drawn ({time.time() - t0:.0f} s)")
    for name, law, seed in laws:
        h_c, d_c = h_delta(N, law, seed, n)
        p = {}
        for j, t in enumerate((5, 10)):
            p[f"KS h({t})"] = stats.ks_2samp(h_g[:, j], h_c[:, j]).pvalue
            p[f"KS Delta({t},{t})"] = stats.ks_2samp(d_g[:, j], d_c[:, j]).pvalue
        table = [[np.sum(d_g[:, 1] > 0.9), np.sum(d_g[:, 1] <= 0.9)], [np.sum(d_c[:, 1] > 0.9), np.sum(d_c[:, 1] <= 0.9)]]
        p["Fisher P(Delta(10,10) > 0.9)"] = stats.fisher_exact(table).pvalue
        print(f"  {name}: mean Delta(10,10) {d_c[:, 1].mean():.3f} (Gaussian {d_g[:, 1].mean():.3f})")
        report(name, p)
    for name, law, seed in laws:
        zetas, unstable = zeta_sample(N, law, seed + 10, n)
        chi2, dof = float(np.sum(zetas ** 2)), zetas.size
        p = {"P(max Re lambda > 1) vs 0.460": max(stats.binomtest(unstable, n, p0).pvalue
                                                  for p0 in (0.453, 0.460, 0.467)),
             "chi2 zeta_1..4": 2 * min(stats.chi2.sf(chi2, dof), stats.chi2.cdf(chi2, dof))}
        print(f"  {name}: P(max Re lambda > 1) = {unstable / n:.3f} ({unstable}/{n})")
        report(name, p)
    if args.eig:
        net = mf.Network(N=N, g=0.8, J0=2.0)
        real = simulate.realise(net, 2, np.float64, CompactCouplings())
        lam = np.linalg.eigvals(real.coupling_matrix())
        r_N = bulk_radius(net)
        eig = np.sort_complex(lam[np.abs(lam) > r_N])
        pred = np.sort_complex(outlier_eigenvalues(realisation_zeta(real, 250), net.g, net.J0, w_max=net.g / r_N))
        err = np.max(np.abs(eig - pred)) if eig.size == pred.size and eig.size else math.inf
        print(f"  eig: {eig.size} outliers, {pred.size} predicted from the network's zeta, max |difference| {err:.2e}")
    print(f"({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
