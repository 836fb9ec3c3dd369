"""The sweep engine: seeding, resumability, request merging, and the Dask backend equal to the local one."""

import numpy as np
import pytest

import meanfield as mf
import simulate
from meanfield.model import Inputs, Network, SparseInput, TimeGrid
from validation import sweep as sweep_module
from validation.requests import EigenRequest, LinearTheoryRequest, SimulationRequest, TheoryRequest
from validation.sweep import merge_requests, request_seed, run_sweep

NET = Network(N=120, g=0.8, J0=2.0)
GRID = TimeGrid(dt=0.1, T=6.0)


def _requests(n=3):
    return [
        TheoryRequest(NET, Inputs(), GRID, n=n),
        SimulationRequest(NET, Inputs(), GRID, n=n),
        SimulationRequest(NET, Inputs(sparse=SparseInput(kappa=1.0, A=1.0)), GRID, n=n, dtype="float32"),
        EigenRequest(NET, n=2),
        LinearTheoryRequest(0.8, 2.0, n=20),
    ]


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert len(a[k].items) == len(b[k].items)
        for x, y in zip(a[k].items, b[k].items):
            assert x.keys() == y.keys()
            for name in x:
                np.testing.assert_array_equal(x[name], y[name], err_msg=f"{k}:{name}")


def test_sweep_reproduces_meanfield_sample_and_simulate_ensemble():
    # independent reference for the seeding contract: the public ensemble functions with the same root
    reqs = _requests()
    out = run_sweep(reqs, root_seed=9, progress=False)
    th = mf.sample(NET, Inputs(), GRID, n_samples=3, seed=request_seed(9, reqs[0]), criteria=None, progress=False)
    np.testing.assert_array_equal(out[reqs[0].key()].stack("h"), th.h)
    np.testing.assert_array_equal(out[reqs[0].key()].stack("delta_tt"), th.delta_tt)
    sim = simulate.sample(NET, Inputs(), GRID, n_samples=3, seed=request_seed(9, reqs[1]), progress=False)
    np.testing.assert_array_equal(out[reqs[1].key()].stack("h"), sim.h)
    eig = simulate.outlier_eigenvalues(NET, seed=request_seed(9, reqs[3]).spawn(2)[1])
    np.testing.assert_allclose(out[reqs[3].key()].items[1]["outliers"], eig)


def test_theory_without_sparse_input_is_shared_across_N():
    a = TheoryRequest(NET, Inputs(), GRID, n=2)
    b = TheoryRequest(NET.replace(N=4000), Inputs(), GRID, n=5)
    assert a.key() == b.key()
    merged = merge_requests([a, b])
    assert list(merged.values())[0].n == 5
    sparse = Inputs(sparse=SparseInput(kappa=1.0, A=1.0))
    assert TheoryRequest(NET, sparse, GRID, n=2).key() != TheoryRequest(NET.replace(N=4000), sparse, GRID, n=2).key()


def test_sweep_resumes_without_recomputing(tmp_path, monkeypatch):
    reqs = _requests(n=2)
    first = run_sweep(reqs, root_seed=1, cache_dir=tmp_path, progress=False)
    calls = []
    real = sweep_module._execute

    def counting(j, item):
        calls.append(item[0].kind)
        return real(j, item)

    monkeypatch.setattr(sweep_module, "_execute", counting)
    again = run_sweep(reqs, root_seed=1, cache_dir=tmp_path, progress=False)
    assert calls == []
    _assert_same(first, again)
    # a larger ensemble computes only the new realisations, and its first ones are unchanged
    bigger = [r.with_n(3) if r.kind == "theory" else r for r in reqs]
    grown = run_sweep(bigger, root_seed=1, cache_dir=tmp_path, progress=False)
    assert calls == ["theory"]
    key = reqs[0].key()
    np.testing.assert_array_equal(grown[key].items[1]["h"], first[key].items[1]["h"])
    # every store carries parameters, seed and package version
    import json
    manifest = json.loads((tmp_path / key / "manifest.json").read_text())
    assert manifest["params"]["network"]["g"] == 0.8
    assert manifest["seed"] == first[key].seed
    assert manifest["package_version"]


def test_bad_requests_raise():
    with pytest.raises(ValueError, match="TheoryRequest.n must be an integer >= 1"):
        TheoryRequest(NET, Inputs(), GRID, n=0)
    with pytest.raises(ValueError, match="dtype"):
        SimulationRequest(NET, Inputs(), GRID, n=1, dtype="float16")
    with pytest.raises(ValueError, match="root_seed"):
        run_sweep(_requests(), root_seed=-1, progress=False)


@pytest.mark.slow
def test_dask_backend_equals_local_backend():
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from meanfield.backends import DaskBackend, LocalBackend

    reqs = _requests()
    local = run_sweep(reqs, root_seed=4, backend=LocalBackend(2), progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as client:
        dask = run_sweep(reqs, root_seed=4, backend=DaskBackend(client), progress=False)
    _assert_same(local, dask)


def test_failed_realisations_are_excluded_reported_and_not_cached(tmp_path, monkeypatch):
    import meanfield

    from validation.checks import Data

    real = meanfield.solve

    def flaky(*args, seed=None, **kw):
        if seed.spawn_key[-1] == 1:
            raise ValueError("GaussianEngine.row: covariance exceeds")
        return real(*args, seed=seed, **kw)

    monkeypatch.setattr(meanfield, "solve", flaky)
    req = TheoryRequest(NET, Inputs(), GRID, n=3)
    out = run_sweep([req], root_seed=2, cache_dir=tmp_path, progress=False)
    assert out[req.key()].failures() == [(1, "GaussianEngine.row: covariance exceeds")]
    assert (tmp_path / req.key() / "item_000000.npz").exists()
    assert not (tmp_path / req.key() / "item_000001.npz").exists()  # recomputed next time, never cached
    data = Data(out)
    view = data(req)
    assert len(view) == 2 and np.all(np.isfinite(view.stack("h")))
    assert data.excluded == {req.key(): [(1, "GaussianEngine.row: covariance exceeds")]}


def test_a_negative_pivot_is_a_failed_item_not_an_aborted_sweep(monkeypatch):
    from meanfield.cholesky import NegativePivotError

    def pivot_fails(*args, **kwargs):
        raise NegativePivotError("Cholesky pivot -1e-3 at step 7")

    monkeypatch.setattr(mf, "solve", pivot_fails)
    req = TheoryRequest(Network(N=1000, g=1.5, J0=1.0), Inputs(), TimeGrid(0.1, 2.0), n=1)
    item = req.compute(np.random.SeedSequence(0))
    assert item["failed"] == 1 and "pivot" in str(item["error"])
    assert np.all(np.isnan(item["h"]))


def test_an_unreachable_dask_scheduler_fails_in_seconds_naming_the_address():
    pytest.importorskip("distributed")
    import time

    from meanfield.backends import SCHEDULER_TIMEOUT, open_backend

    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:1 "):
        with open_backend("dask", workers=1, scheduler="tcp://127.0.0.1:1"):
            pass
    assert time.perf_counter() - t0 < SCHEDULER_TIMEOUT + 10  # not dask's default of 30 s per attempt
