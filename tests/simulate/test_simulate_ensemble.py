"""simulate.sample: realisation seeding, worker-count independence and resume (meanfield.runner)."""

import numpy as np
import pytest

import meanfield as mf
import simulate
from meanfield.runner import spawn_seeds

NET = mf.Network(N=150, g=1.5, J0=1.0)
GRID = mf.TimeGrid(dt=0.1, T=4.0, stride=2)
INPUTS = mf.Inputs(pattern=mf.PatternInput(sigma_in=0.3))


def assert_same(a, b):
    arrays_a, arrays_b = a.to_arrays(), b.to_arrays()
    assert arrays_a.keys() == arrays_b.keys()
    for k in arrays_a:
        np.testing.assert_array_equal(arrays_a[k], arrays_b[k], err_msg=k)


def test_realisation_i_is_run_with_the_ith_child_seed():
    ens = simulate.sample(NET, INPUTS, GRID, mf.InitialState(), n_samples=3, seed=11,
                            progress=False, keep_final_state=True)
    assert ens.h.shape == (3, GRID.n_steps // GRID.stride + 1)
    for i, ss in enumerate(spawn_seeds(11, 3)):
        single = simulate.run(NET, INPUTS, GRID, seed=ss, keep_final_state=True)
        assert_same(ens.realisation(i), single)
        assert ens.seeds[i]["spawn_key"] == [i]


@pytest.mark.slow
def test_one_and_two_workers_give_bit_identical_results():
    # both engines: the row kernel (Numba threads differ: 2 vs 1 per worker)
    # and the BLAS-3 engine (BLAS threads are inherited by the workers)
    for kwargs in ({"replicas": 2, "engine": "rows", "dtype": np.float32},
                   {"replicas": 8, "engine": "blas", "delta_every": 4}):
        one = simulate.sample(NET, INPUTS, GRID, mf.InitialState(), n_samples=4, seed=3, workers=1,
                                progress=False, keep_final_state=True, **kwargs)
        two = simulate.sample(NET, INPUTS, GRID, mf.InitialState(), n_samples=4, seed=3, workers=2,
                                progress=False, keep_final_state=True, **kwargs)
        assert_same(one, two)


def test_interrupted_ensemble_resumes_to_the_fresh_result(tmp_path):
    store = tmp_path / "store"
    part = simulate.sample(NET, INPUTS, GRID, mf.InitialState(), n_samples=2, seed=5, store_dir=store,
                             progress=False, delta_every=5)
    first_item = store / "item_000000.npz"
    stamp = first_item.stat().st_mtime_ns
    full = simulate.sample(NET, INPUTS, GRID, mf.InitialState(), n_samples=5, seed=5, store_dir=store,
                             progress=False, delta_every=5)
    fresh = simulate.sample(NET, INPUTS, GRID, mf.InitialState(), n_samples=5, seed=5, progress=False,
                              delta_every=5)
    assert first_item.stat().st_mtime_ns == stamp  # loaded, not recomputed
    assert len(list(store.glob("item_*.npz"))) == 5
    assert_same(full, fresh)
    np.testing.assert_array_equal(part.h, fresh.h[:2])


def test_store_refuses_a_different_ensemble(tmp_path):
    simulate.sample(NET, INPUTS, GRID, mf.InitialState(), n_samples=1, seed=5, store_dir=tmp_path, progress=False)
    with pytest.raises(ValueError, match="different ensemble"):
        simulate.sample(NET.replace(g=1.4), INPUTS, GRID, mf.InitialState(), n_samples=1, seed=5,
                          store_dir=tmp_path, progress=False)
    with pytest.raises(ValueError, match="different ensemble"):
        simulate.sample(NET, INPUTS, GRID, mf.InitialState(), n_samples=1, seed=6, store_dir=tmp_path,
                          progress=False)


def test_state_counts_cover_every_trajectory():
    ens = simulate.sample(mf.Network(N=100, g=0.5, J0=0.2), grid=mf.TimeGrid(dt=0.1, T=60.0),
                          n_samples=2, seed=0, replicas=2, progress=False)
    counts = ens.state_counts()
    assert sum(counts.values()) == 4 and counts["quiescent"] == 4


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"workers": 0}, "workers"),
        ({"replicas": -2}, "replicas"),
        ({"inputs": mf.Inputs(sparse=mf.SparseInput(kappa=20.0, A=1.0))}, "population E"),
    ],
)
def test_bad_ensemble_input_raises(kwargs, match):
    kw = {"grid": GRID, "n_samples": 1, "seed": 0, "progress": False, **kwargs}
    with pytest.raises(ValueError, match=match):
        simulate.sample(NET, **kw)
