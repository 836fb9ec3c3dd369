"""Reproducible, resumable ensembles: seeds, a process pool, a progress bar and a result store.

This module holds no theory and no simulation. Every ensemble of the
theory and of the simulator runs through one function, :func:`map_seeds`,
so that the two sides are seeded, parallelised, resumed and described the
same way. Where the tasks run is a backend of :mod:`meanfield.backends`
(this process, a process pool, or a Dask cluster).

Reproducibility contract: realisation ``i`` always receives the ``i``-th child
of ``numpy.random.SeedSequence(seed)``, so its result does not depend on the
number of workers or on which realisations were already on disk.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import warnings
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from .arguments import count, ensemble_arguments, seed_from_record, seed_record, seed_sequence  # noqa: F401
from .backends import LocalBackend
from .jsonable import to_jsonable
from .results import Provenance, package_version  # noqa: F401 (re-exported)
from .store import ResultStore

try:  # pragma: no cover - tqdm is a declared dependency; the fallback keeps imports light
    from tqdm.auto import tqdm
except ImportError:  # pragma: no cover
    tqdm = None


def spawn_seeds(seed, n: int) -> list[np.random.SeedSequence]:
    """The first ``n`` children of ``SeedSequence(seed)``, one per realisation."""
    return seed_sequence(seed).spawn(count("the number of realisations", n, lo=0))


@dataclass
class _Progress:
    total: int
    desc: str
    enabled: bool
    initial: int = 0

    def __post_init__(self):
        self.bar = None
        if self.enabled and tqdm is not None:
            self.bar = tqdm(total=self.total, initial=self.initial, desc=self.desc, unit="run", leave=False)

    def update(self):
        if self.bar is not None:
            self.bar.update(1)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def run_ensemble(
    task: Callable[[int, np.random.SeedSequence], Mapping[str, np.ndarray]],
    seeds: Sequence[np.random.SeedSequence],
    *,
    workers: int = 1,
    progress: bool = True,
    store: ResultStore | None = None,
    desc: str = "ensemble",
    backend=None,
) -> list[dict[str, np.ndarray]]:
    """Run ``task(i, seeds[i])`` for every realisation and return the results in order.

    Parameters
    ----------
    task : callable
        A picklable (module-level or ``functools.partial``) function returning a
        mapping of arrays.
    seeds : sequence of SeedSequence
        One per realisation (see :func:`spawn_seeds`). Any picklable per-task
        object is accepted (e.g. a chunk of seeds, or a (spec, seed) pair).
    workers : int
        Number of processes of the default :class:`LocalBackend`; 1 runs in
        this process. Ignored when ``backend`` is given.
    progress : bool
        Show a progress bar.
    store : ResultStore, optional
        Realisations already in the store are loaded, not recomputed; new ones
        are saved as soon as they finish. Anything with ``load(i)`` (None when
        absent) and ``save(i, arrays)`` works.
    backend : LocalBackend or DaskBackend, optional
        Where the tasks run (default ``LocalBackend(workers)``). Results do not
        depend on the backend.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if backend is None:
        backend = LocalBackend(workers)
    elif not callable(getattr(backend, "run", None)):
        raise ValueError(f"backend must be a LocalBackend or DaskBackend, got {backend!r}")
    n = len(seeds)
    results: list[dict | None] = [None] * n
    todo = []
    for i in range(n):
        if store is not None:
            results[i] = store.load(i)  # None when absent or unusable (then recomputed)
        if results[i] is None:
            todo.append(i)
    bar = _Progress(total=n, desc=desc, enabled=progress and n > 1, initial=n - len(todo))
    try:
        stream = backend.run(task, todo, seeds)
        try:
            for i, out in stream:
                out = {k: np.asarray(v) for k, v in out.items()}
                if store is not None:
                    store.save(i, out)
                results[i] = out
                bar.update()
        finally:
            stream.close()
    finally:
        bar.close()
    return results  # type: ignore[return-value]


def describe(value):
    """The JSON form of one task argument, for a store manifest and a result's provenance.

    Model objects give their ``to_dict()``; long arrays (a readout vector)
    are summarised by shape and SHA-1 digest, so that two runs with
    different vectors never share a store.
    """
    if isinstance(value, np.ndarray) and value.size > 16:
        digest = hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest()
        return {"shape": list(value.shape), "dtype": value.dtype.name, "sha1": digest}
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type) \
            and not callable(getattr(value, "to_dict", None)):
        return {k: describe(v) for k, v in value.__dict__.items()}
    return to_jsonable(value)


@dataclass(frozen=True)
class SeedRun:
    """The per-sample results of :func:`map_seeds`, in sample order, with their provenance."""

    items: list
    provenance: Provenance

    def stack(self, key: str, dtype=None) -> np.ndarray:
        """``key`` of every item stacked along a new leading sample axis."""
        return np.stack([np.asarray(it[key], dtype=dtype) for it in self.items])

    def total(self, key: str) -> int:
        """Sum of an integer counter over the items (e.g. failed solves)."""
        return int(sum(int(it[key]) for it in self.items))


def map_seeds(
    task: Callable,
    n_samples: int,
    seed,
    *,
    function: str,
    context: Mapping | None = None,
    workers: int = 1,
    progress: bool = True,
    store_dir=None,
    desc: str | None = None,
    backend=None,
) -> SeedRun:
    """Run ``task(i, seed_i, **context)`` for sample i = 0..n_samples-1: the one ensemble path.

    Sample i receives the i-th child of ``SeedSequence(seed)`` whatever the
    number of workers, the backend, or what a store already holds.

    Parameters
    ----------
    task : callable
        A module-level function ``task(i, seed, **context)`` returning a
        mapping of arrays (picklable, for the process pool).
    n_samples : int
        Ensemble size (>= 1).
    seed : int or SeedSequence
        Root seed.
    function : str
        Public name of the caller (``"meanfield.sample"``), recorded in the
        provenance and in a store's manifest.
    context : mapping, optional
        Keyword arguments of every task; their :func:`describe` form is the
        provenance's ``params`` and identifies a store.
    workers : int
        Processes of the default local backend (1: this process).
    progress : bool
        Show a progress bar.
    store_dir : path, optional
        A :class:`ResultStore` directory: finished samples are saved as they
        complete and loaded, not recomputed, when the ensemble is run again.
    desc : str, optional
        Label of the progress bar (default: ``function``).
    backend : optional
        A backend of :mod:`meanfield.backends` (default ``LocalBackend(workers)``).

    Returns
    -------
    SeedRun
    """
    ensemble_arguments(n_samples, seed, workers, store_dir, progress)
    n, root = int(n_samples), seed_sequence(seed)
    context = dict(context or {})
    params = {k: describe(v) for k, v in context.items()}
    store = None
    if store_dir is not None:
        store = ResultStore(store_dir, params, seed_record(root), kind=function)
    items = run_ensemble(functools.partial(task, **context), root.spawn(n), workers=workers,
                         progress=progress, store=store, desc=desc or function, backend=backend)
    prov = Provenance(function=function, params=params, seed=seed_record(root), n_samples=n)
    return SeedRun(items=items, provenance=prov)


class FailedSampleWarning(RuntimeWarning):
    """Some samples of an ensemble failed and are recorded as NaN (the ensemble's ``failed`` marks them)."""


def warn_failed(function: str, what: str, items: Sequence[Mapping],
                category: type[Warning] = FailedSampleWarning) -> None:
    """One warning naming every failed item of an ensemble (items with ``failed = 1`` and an ``error``).

    Called by the ensemble function itself, so that the warning points at the user's call.
    """
    failed = [(i, str(it["error"])) for i, it in enumerate(items) if int(it.get("failed", 0))]
    if failed:
        lines = "\n".join(f"  {what} {i}: {msg}" for i, msg in failed)
        warnings.warn(f"{function}: {len(failed)} of {len(items)} {what}s failed; their arrays are NaN "
                      f"and the ensemble's `failed` marks them:\n{lines}", category, stacklevel=3)
