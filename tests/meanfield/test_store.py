"""Fault tests of the resumable store behind every ensemble (meanfield.store, through meanfield.runner.map_seeds).

Each test reproduces a way a store could return another run's results, or lose
a run to a damaged file, and asserts the rule of ``meanfield.store``.
"""

import json
import os
import threading

import numpy as np
import pytest

from meanfield.runner import map_seeds


def _draw(i, ss, *, n):
    return {"x": np.random.default_rng(ss).standard_normal(n)}


def run(store, n=3, samples=4, seed=5):
    return map_seeds(_draw, samples, seed, function="test.draw", context={"n": n}, store_dir=store,
                     progress=False).stack("x")


def fresh(n=3, samples=4, seed=5):
    return run(None, n, samples, seed)


def test_two_runs_started_at_once_on_one_empty_folder_cannot_both_own_it(tmp_path):
    # eight runs with different parameters race for one empty folder: exactly one may claim it
    store, barrier, outcome = tmp_path / "store", threading.Barrier(8), {}

    def start(n):
        barrier.wait()
        try:
            outcome[n] = run(store, n=n, samples=1)
        except ValueError as exc:
            outcome[n] = exc

    threads = [threading.Thread(target=start, args=(n,)) for n in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    owners = [n for n, r in outcome.items() if isinstance(r, np.ndarray)]
    assert len(owners) == 1
    assert all("different ensemble" in str(r) for n, r in outcome.items() if n not in owners)
    np.testing.assert_array_equal(run(store, n=owners[0], samples=1), fresh(n=owners[0], samples=1))


def test_items_of_other_parameters_are_not_reused_after_the_manifest_is_deleted(tmp_path):
    run(tmp_path, n=2)
    (tmp_path / "manifest.json").unlink()
    with pytest.warns(UserWarning, match="does not belong"):
        got = run(tmp_path, n=3)
    np.testing.assert_array_equal(got, fresh(n=3))


def test_swapped_items_are_not_returned_as_each_other(tmp_path):
    run(tmp_path)
    a, b = tmp_path / "item_000000.npz", tmp_path / "item_000001.npz"
    tmp = tmp_path / "swap"
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)
    with pytest.warns(UserWarning, match="item_00000[01].npz"):
        got = run(tmp_path)
    np.testing.assert_array_equal(got, fresh())


def test_a_store_of_another_package_version_is_refused(tmp_path, monkeypatch):
    import meanfield.store

    run(tmp_path)
    monkeypatch.setattr(meanfield.store, "package_version", lambda: "99.0")
    with pytest.raises(ValueError, match="computed by meanfield .* this is 99.0"):
        run(tmp_path)


@pytest.mark.parametrize("damage", ["truncated", "empty", "random bytes"])
def test_a_damaged_item_is_recomputed_with_a_warning_that_names_it(tmp_path, damage):
    run(tmp_path)
    item = tmp_path / "item_000002.npz"
    data = item.read_bytes()
    item.write_bytes({"truncated": data[: len(data) // 2], "empty": b"",
                      "random bytes": np.random.default_rng(0).bytes(len(data))}[damage])
    with pytest.warns(UserWarning, match="item_000002.npz: unreadable"):
        got = run(tmp_path)
    np.testing.assert_array_equal(got, fresh())
    assert run(tmp_path).shape == (4, 3)  # and the store is whole again


def test_a_damaged_manifest_says_which_file_and_what_to_do(tmp_path):
    run(tmp_path)
    (tmp_path / "manifest.json").write_text('{"kind": "test.dr')
    with pytest.raises(ValueError, match=r"manifest .*manifest.json is unreadable .*delete the folder"):
        run(tmp_path)


def test_a_temporary_file_left_by_a_dead_run_is_removed(tmp_path):
    run(tmp_path, samples=1)
    dead = 2**22 + 12345  # above the default pid_max of 4194304: no such process
    stale = tmp_path / f".tmp-{dead}-abc.tmp"
    stale.write_bytes(b"half a file, the disk was full")
    mine = tmp_path / f".tmp-{os.getpid()}-abc.tmp"  # this process's own: may still be written
    mine.write_bytes(b"")
    run(tmp_path, samples=1)
    assert not stale.exists() and mine.exists()


def test_files_get_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        run(tmp_path, samples=1)
    finally:
        os.umask(old)
    assert (tmp_path / "item_000000.npz").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "manifest.json").stat().st_mode & 0o777 == 0o644


def test_a_store_directory_that_is_a_file_is_refused_before_any_compute(tmp_path):
    calls = []

    def counting(i, ss, *, n):
        calls.append(i)
        return _draw(i, ss, n=n)

    path = tmp_path / "a_file"
    path.write_text("not a folder")
    with pytest.raises(ValueError, match="a_file is a file"):
        map_seeds(counting, 2, 0, function="test.draw", context={"n": 1}, store_dir=path, progress=False)
    assert calls == []


def test_every_item_carries_its_key_index_and_seed(tmp_path):
    run(tmp_path, samples=2)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    with np.load(tmp_path / "item_000001.npz") as item:
        assert str(item["__store_key__"]) == manifest["key"] and int(item["__index__"]) == 1
        assert json.loads(str(item["__seed__"])) == {"entropy": 5, "spawn_key": [1]}


def test_the_claim_works_without_hard_links(tmp_path, monkeypatch):
    # some network and FAT file systems refuse os.link: the manifest is then created exclusively
    def no_links(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    np.testing.assert_array_equal(run(tmp_path), fresh())
    np.testing.assert_array_equal(run(tmp_path), fresh())  # the second run finds and accepts it
    with pytest.raises(ValueError, match="different ensemble"):
        run(tmp_path, n=4)
