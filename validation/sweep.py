"""The sweep engine: parameter points x realisations, for theory and simulation alike.

:func:`run_sweep` takes a list of requests (:mod:`validation.requests`),
merges identical ones, and runs every realisation of every request through
ONE call of ``meanfield.runner.run_ensemble``: one process pool (or one Dask
cluster) for the whole sweep, one progress bar, tasks ordered longest first so
that the workers finish together.

Resumable: each request has its own ``ResultStore`` directory
``<cache>/<request.key()>`` with a manifest (kind, parameters, root seed,
package version); finished realisations are never recomputed, an
interrupted sweep resumes from what is on disk, and a larger preset extends a
smaller one.

Seeds: the root SeedSequence of a request is
``SeedSequence(root_seed, spawn_key=(crc32(request.key()),))`` and realisation i uses its
i-th spawned child, so results do not depend on the other requests, on the
backend or on the number of workers; ``meanfield.sample(..., seed=root)`` and
``simulate.sample(..., seed=root)`` reproduce them.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from meanfield.runner import ResultStore, run_ensemble, seed_record, spawn_seeds

from .requests import n_items
from .threads import single_thread, single_threaded


def request_seed(root_seed: int, request) -> np.random.SeedSequence:
    """Root SeedSequence of one request (module docstring)."""
    if isinstance(root_seed, bool) or not isinstance(root_seed, (int, np.integer)) or root_seed < 0:
        raise ValueError(f"root_seed must be a non-negative integer, got {root_seed!r}")
    return np.random.SeedSequence(int(root_seed), spawn_key=(zlib.crc32(request.key().encode()),))


@dataclass(frozen=True, eq=False)
class EnsembleData:
    """The realisations of one request, in order."""

    request: object
    key: str
    seed: dict
    items: tuple

    def __len__(self) -> int:
        return len(self.items)

    def stack(self, name: str) -> np.ndarray:
        """``np.stack`` of one array over the realisations (the first ``request.n``)."""
        return np.stack([it[name] for it in self.items])

    def concat(self, name: str) -> np.ndarray:
        return np.concatenate([np.atleast_1d(it[name]) for it in self.items])

    def failures(self) -> list[tuple[int, str]]:
        """(index, message) of the realisations whose computation failed."""
        return [(i, str(it.get("error", ""))) for i, it in enumerate(self.items) if "failed" in it]


def merge_requests(requests) -> dict:
    """Identical requests (same key) merged into one with the largest n, in first-seen order."""
    merged: dict = {}
    for r in requests:
        k = r.key()
        if k in merged:
            if r.n > merged[k].n:
                merged[k] = merged[k].with_n(r.n)
        else:
            merged[k] = r
    return merged


class _SweepStore:
    """Adapter: flat sweep index j -> (ResultStore of its request, local index)."""

    def __init__(self, where):
        self.where = where

    def load(self, j):
        store, i = self.where[j]
        return None if store is None else store.load(i)

    def save(self, j, arrays):
        store, i = self.where[j]
        if store is not None and "failed" not in arrays:  # failures are recomputed, never cached
            store.save(i, arrays)


def _execute(j, item):
    """Run one realisation (module level: picklable for process pools and Dask)."""
    request, seed = item
    single_thread()
    return request.compute(seed)


def run_sweep(requests, *, root_seed: int = 0, cache_dir=None, backend=None, workers: int = 1,
              progress: bool = True) -> dict[str, EnsembleData]:
    """Compute every realisation of every request (module docstring).

    Parameters
    ----------
    requests : iterable of requests
    root_seed : int
        Root of all seeds (:func:`request_seed`).
    cache_dir : path, optional
        Resumable on-disk cache; None keeps results in memory only.
    backend : meanfield.backends.LocalBackend or DaskBackend, optional
        Default ``LocalBackend(workers)``.
    workers : int
        Processes of the default backend.
    progress : bool
        One progress bar for the whole sweep.

    Returns
    -------
    dict
        ``request.key()`` -> :class:`EnsembleData` (for every merged request).
    """
    merged = merge_requests(requests)
    items, where, spans = [], [], {}
    for key, req in merged.items():
        root = request_seed(root_seed, req)
        store = None
        if cache_dir is not None:
            store = ResultStore(Path(cache_dir) / key, req.params(), seed_record(root),
                                kind=f"validation.{req.kind}")
        seeds = spawn_seeds(root, n_items(req))
        start = len(items)
        for i, ss in enumerate(seeds):
            items.append((req, ss))
            where.append((store, i))
        spans[key] = (start, len(items), root)
    # longest tasks first: the flat order only affects scheduling, never results
    order = sorted(range(len(items)), key=lambda j: -items[j][0].cost())
    ordered_items = [items[j] for j in order]
    ordered_where = [where[j] for j in order]
    # tasks switch their process to one Numba and one BLAS thread (validation.threads); when they
    # run in this process, the caller's thread counts are restored afterwards
    with single_threaded():
        results = run_ensemble(_execute, ordered_items, workers=workers, progress=progress,
                               store=_SweepStore(ordered_where), desc="validation sweep", backend=backend)
    flat: list = [None] * len(items)
    for pos, j in enumerate(order):
        flat[j] = results[pos]
    out = {}
    for key, (a, b, root) in spans.items():
        out[key] = EnsembleData(request=merged[key], key=key, seed=seed_record(root), items=tuple(flat[a:b]))
    return out
