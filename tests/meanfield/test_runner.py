"""Seeding, ordering, resuming and worker-independence of the ensemble runner."""

import functools
import os

import numpy as np
import pytest

from meanfield.runner import ResultStore, run_ensemble, seed_from_record, seed_record, spawn_seeds


def _draw(i, ss, *, n):
    return {"x": np.random.default_rng(ss).standard_normal(n), "i": np.int64(i)}


def test_seeds_do_not_depend_on_how_many_are_spawned():
    a = spawn_seeds(7, 3)
    b = spawn_seeds(7, 10)
    for x, y in zip(a, b):
        assert x.generate_state(4).tolist() == y.generate_state(4).tolist()
    assert seed_from_record(seed_record(b[5])).generate_state(4).tolist() == b[5].generate_state(4).tolist()


def test_results_identical_for_one_and_two_workers():
    task = functools.partial(_draw, n=5)
    seeds = spawn_seeds(123, 6)
    one = run_ensemble(task, seeds, workers=1, progress=False)
    two = run_ensemble(task, seeds, workers=2, progress=False)
    for r1, r2 in zip(one, two):
        np.testing.assert_array_equal(r1["x"], r2["x"])
    assert [int(r["i"]) for r in two] == list(range(6))


def test_store_resumes_without_recomputing(tmp_path):
    task = functools.partial(_draw, n=3)
    seeds = spawn_seeds(5, 4)
    params = {"n": 3}
    store = ResultStore(tmp_path, params, seed_record(np.random.SeedSequence(5)), kind="demo")
    partial = run_ensemble(task, seeds[:2], store=store, progress=False)
    calls = []

    def counting(i, ss):
        calls.append(i)
        return task(i, ss)

    full = run_ensemble(counting, seeds, store=store, progress=False)
    assert calls == [2, 3]
    fresh = run_ensemble(task, seeds, progress=False)
    for a, b in zip(full, fresh):
        np.testing.assert_array_equal(a["x"], b["x"])
    np.testing.assert_array_equal(partial[1]["x"], full[1]["x"])


def test_store_refuses_a_different_ensemble(tmp_path):
    ResultStore(tmp_path, {"g": 1.0}, {"entropy": 1, "spawn_key": []}, kind="demo")
    with pytest.raises(ValueError, match="different ensemble"):
        ResultStore(tmp_path, {"g": 2.0}, {"entropy": 1, "spawn_key": []}, kind="demo")


def test_bad_worker_count():
    with pytest.raises(ValueError, match="workers"):
        run_ensemble(functools.partial(_draw, n=1), spawn_seeds(0, 2), workers=0)


def _die(i, seed):
    os._exit(3)  # a worker that crashes, as an unguarded spawning script or an OOM kill does


def test_a_dead_worker_raises_an_error_that_says_what_to_fix():
    with pytest.raises(RuntimeError, match="__main__"):
        run_ensemble(_die, spawn_seeds(0, 2), workers=2, progress=False)


def test_map_seeds_is_the_spawn_run_stack_of_every_ensemble(tmp_path):
    # sample i gets the i-th child of SeedSequence(seed), for any worker count, and the items come back in order
    from meanfield.runner import map_seeds

    one = map_seeds(_draw, 5, 11, function="demo.draw", context={"n": 4}, progress=False)
    two = map_seeds(_draw, 5, 11, function="demo.draw", context={"n": 4}, workers=2, progress=False)
    expected = np.stack([np.random.default_rng(ss).standard_normal(4) for ss in np.random.SeedSequence(11).spawn(5)])
    np.testing.assert_array_equal(one.stack("x"), expected)
    np.testing.assert_array_equal(two.stack("x"), expected)
    assert one.total("i") == 0 + 1 + 2 + 3 + 4
    assert one.provenance.function == "demo.draw" and one.provenance.params == {"n": 4}
    assert one.provenance.n_samples == 5 and one.provenance.seed == seed_record(np.random.SeedSequence(11))


def test_map_seeds_resumes_from_its_store_and_refuses_other_parameters(tmp_path):
    from meanfield.runner import map_seeds

    map_seeds(_draw, 2, 3, function="demo.draw", context={"n": 2}, store_dir=tmp_path, progress=False)
    stamp = (tmp_path / "item_000000.npz").stat().st_mtime_ns
    full = map_seeds(_draw, 4, 3, function="demo.draw", context={"n": 2}, store_dir=tmp_path, progress=False)
    assert (tmp_path / "item_000000.npz").stat().st_mtime_ns == stamp  # loaded, not recomputed
    fresh = map_seeds(_draw, 4, 3, function="demo.draw", context={"n": 2}, progress=False)
    np.testing.assert_array_equal(full.stack("x"), fresh.stack("x"))
    with pytest.raises(ValueError, match="different ensemble"):
        map_seeds(_draw, 4, 3, function="demo.draw", context={"n": 3}, store_dir=tmp_path, progress=False)
    with pytest.raises(ValueError, match="n_samples"):
        map_seeds(_draw, 0, 3, function="demo.draw", context={"n": 2}, progress=False)


def test_long_arrays_are_described_by_a_digest():
    from meanfield.runner import describe

    w = np.arange(100.0)
    d = describe(w)
    assert d["shape"] == [100] and len(d["sha1"]) == 40
    assert describe(w + 1e-12)["sha1"] != d["sha1"]  # another readout vector is another ensemble
    assert describe(np.arange(3.0)) == [0.0, 1.0, 2.0]
