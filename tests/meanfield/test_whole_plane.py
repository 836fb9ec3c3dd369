"""The theory on the whole (g, J0) plane: quadrature chosen from the Delta it meets (THEORY.md section 4).

With one fixed Gauss-Hermite rule, tanh solves fail at g >= 2 with negative
pivots (the rule's error grows with Delta); the adaptive default must solve
them. ``benchmarks/bench_theory.py --plane`` runs the full plane (20 seeds x
7 g x 5 J0 x 2 phi); here a corner of it where the fixed rule fails on most
seeds.
"""

import warnings

import numpy as np
import pytest

import meanfield as mf
from meanfield.cholesky import NegativePivotError

GRID = mf.TimeGrid(dt=0.1, T=40.0)
FIXED_40 = mf.SolverSettings(quadrature_order=40)   # the default before the adaptive rule


@pytest.mark.parametrize("g, J0", [(2.0, 1.0), (3.0, 1.0), (3.0, 10.0)])
def test_the_fixed_rule_fails_where_the_adaptive_default_solves(g, J0):
    net = mf.Network(N=1000, g=g, J0=J0)
    fixed_failures = 0
    for seed in range(5):
        try:
            mf.solve(net, grid=GRID, seed=seed, settings=FIXED_40)
        except NegativePivotError:
            fixed_failures += 1
        path = mf.solve(net, grid=GRID, seed=seed)
        assert np.all(np.isfinite(path.h)) and np.all(np.isfinite(path.delta))
        assert path.delta_diag.max() > 2.0          # the large-Delta regime the fixed rule cannot handle
    assert fixed_failures >= 3                       # measured 18/20 at (2, 1), 20/20 at g = 3


def test_results_do_not_move_when_the_accuracy_is_tightened():
    # THEORY.md section 4: results must not move when the quadrature is refined; at (1.5, 1) the
    # population mode is not chaotic, so the path itself is comparable (measured max |dh| ~ 1e-4)
    net = mf.Network(N=1000, g=1.5, J0=1.0)
    fine = mf.SolverSettings(quadrature_accuracy=1e-9, pivot_tol=1e-3)
    for seed in range(3):
        a = mf.solve(net, grid=GRID, seed=seed)
        b = mf.solve(net, grid=GRID, seed=seed, settings=fine)
        assert a.rank == b.rank
        assert np.max(np.abs(a.h - b.h)) < 1e-3
        assert np.max(np.abs(a.delta - b.delta)) < 1e-3


def test_an_unsafe_accuracy_is_refused_naming_both_fields():
    # measured: accuracy 1e-4 with pivot_tol 1e-3 (ratio 10) fails all 20 seeds at (g, J0) = (2, 0);
    # ratio 100 passes the whole plane
    with pytest.raises(ValueError, match=r"pivot_tol must be at least 100 x quadrature_accuracy"):
        mf.solve(mf.Network(N=100, g=1.0, J0=1.0), grid=GRID, seed=0,
                 settings=mf.SolverSettings(quadrature_accuracy=1e-4, pivot_tol=1e-3))
    with pytest.raises(ValueError, match=r"quadrature_order >= 40 or leave quadrature_order=None"):
        mf.solve(mf.Network(N=100, g=1.0, J0=1.0), grid=GRID, seed=0, settings=mf.SolverSettings(2))
    with pytest.raises(ValueError, match=r"SolverSettings\.quadrature_accuracy"):
        mf.SolverSettings(quadrature_accuracy=0.5)


def test_a_failed_sample_is_recorded_not_fatal(tmp_path):
    # the fixed 40-node rule fails some seeds at (2, 6) (measured 5 of 20): the ensemble must finish,
    # mark exactly the seeds whose own solve fails, and keep the others bit for bit
    net = mf.Network(N=1000, g=2.0, J0=6.0)
    kw = dict(grid=GRID, n_samples=8, seed=3, settings=FIXED_40, progress=False)
    with pytest.warns(mf.sampling.FailedSampleWarning, match=r"meanfield.sample: \d of 8 samples failed"):
        ens = mf.sample(net, store_dir=tmp_path / "store", **kw)
    expect = []
    for i, ss in enumerate(ens.provenance.seeds()):
        try:
            path = mf.solve(net, grid=GRID, seed=ss, settings=FIXED_40)
        except NegativePivotError:
            expect.append(True)
            continue
        expect.append(False)
        np.testing.assert_array_equal(ens.h[i], path.recorded()["h"])
    assert ens.failed.tolist() == expect and 0 < ens.n_failed < 8
    assert np.all(np.isnan(ens.h[ens.failed])) and np.all(ens.ranks[ens.failed] == -1)
    with pytest.raises(ValueError, match=r"failed .* have no state"):
        ens.states()
    back = mf.load(ens.save(tmp_path / "ens.nc"))
    assert back.failed.tolist() == expect
    with warnings.catch_warnings(record=True):      # resumed from the store: the same failures
        again = mf.sample(net, store_dir=tmp_path / "store", **kw)
    assert again.failed.tolist() == expect


def test_the_default_solves_a_sample_that_used_to_fail():
    net = mf.Network(N=1000, g=2.0, J0=6.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")               # no FailedSampleWarning
        ens = mf.sample(net, grid=GRID, n_samples=8, seed=3, progress=False)
    assert ens.n_failed == 0 and np.all(np.isfinite(ens.h))
