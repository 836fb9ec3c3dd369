"""Reproducible, resumable ensembles: seeds, a process pool, a progress bar and a result store.

This module holds no theory and no simulation; ``simulate`` and ``meanfield``
both run their ensembles through it so that the two sides are seeded,
parallelised and saved the same way. Where the tasks run is a pluggable
backend: :class:`LocalBackend` (this process or a process pool, the default)
or :class:`DaskBackend` (a ``dask.distributed`` cluster).

Reproducibility contract: realisation ``i`` always receives the ``i``-th child
of ``numpy.random.SeedSequence(seed)``, so its result does not depend on the
number of workers or on which realisations were already on disk.
"""

from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np

try:  # pragma: no cover - tqdm is a declared dependency; the fallback keeps imports light
    from tqdm.auto import tqdm
except ImportError:  # pragma: no cover
    tqdm = None


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("meanfield")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def spawn_seeds(seed, n: int) -> list[np.random.SeedSequence]:
    """The first ``n`` children of ``SeedSequence(seed)``, one per realisation."""
    if n < 0:
        raise ValueError(f"number of realisations must be >= 0, got {n}")
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return root.spawn(n)


def seed_record(ss: np.random.SeedSequence) -> dict:
    """JSON-serialisable description from which ``ss`` can be rebuilt exactly."""
    return {"entropy": int(ss.entropy), "spawn_key": [int(k) for k in ss.spawn_key]}


def seed_from_record(record: Mapping) -> np.random.SeedSequence:
    return np.random.SeedSequence(record["entropy"], spawn_key=tuple(record["spawn_key"]))


def _to_jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return repr(obj)
    return obj


class ResultStore:
    """A directory holding one ``.npz`` per realisation and a ``manifest.json``.

    The manifest carries the parameters, the root seed, the package version and
    the number of realisations. Opening a store whose manifest disagrees with
    the requested parameters raises instead of mixing two ensembles. Files are
    written atomically (temporary name, then rename), so an interrupted run
    leaves only complete realisations behind and resumes from them.
    """

    def __init__(self, directory, params: Mapping, seed_root: Mapping, n_items: int, kind: str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.manifest = {
            "kind": kind,
            "params": _to_jsonable(dict(params)),
            "seed": _to_jsonable(dict(seed_root)),
            "package_version": package_version(),
        }
        path = self.directory / "manifest.json"
        if path.exists():
            old = json.loads(path.read_text())
            for key in ("kind", "params", "seed"):
                if old.get(key) != self.manifest[key]:
                    raise ValueError(
                        f"{self.directory} holds a different ensemble ({key} differs); "
                        "choose another directory or delete it"
                    )
            self.manifest["n_items"] = max(int(old.get("n_items", 0)), n_items)
        else:
            self.manifest["n_items"] = n_items
        self._write_text(path, json.dumps(self.manifest, indent=2, sort_keys=True))

    def _item_path(self, i: int) -> Path:
        return self.directory / f"item_{i:06d}.npz"

    @staticmethod
    def _write_text(path: Path, text: str) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)

    def has(self, i: int) -> bool:
        return self._item_path(i).exists()

    def save(self, i: int, arrays: Mapping[str, np.ndarray]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, self._item_path(i))

    def load(self, i: int) -> dict[str, np.ndarray]:
        with np.load(self._item_path(i)) as data:
            return {k: data[k] for k in data.files}


def _limit_threads(n_threads: int) -> None:
    """Process-pool initializer: give each worker its share of the cores."""
    try:
        import numba

        numba.set_num_threads(max(1, min(n_threads, numba.config.NUMBA_NUM_THREADS)))
    except Exception:  # pragma: no cover - numba missing or already configured
        pass


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


class LocalBackend:
    """The default execution backend: this process (``workers == 1``) or a spawn-context process pool.

    Each pool worker gets ``cores // workers`` Numba threads, so that the
    workers do not oversubscribe the machine.

    Parameters
    ----------
    workers : int
        Number of processes (>= 1); 1 runs every task in the calling process.
    """

    name = "local"

    def __init__(self, workers: int = 1):
        if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.workers = int(workers)

    def run(self, task: Callable, todo: Sequence[int], items: Sequence) -> Iterator[tuple[int, Mapping]]:
        """Yield ``(i, task(i, items[i]))`` for every i in ``todo``, in order of completion."""
        if self.workers == 1 or len(todo) <= 1:
            for i in todo:
                yield i, task(i, items[i])
            return
        threads = max(1, (os.cpu_count() or 1) // self.workers)
        with ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=get_context("spawn"),
            initializer=_limit_threads,
            initargs=(threads,),
        ) as pool:
            pending = {pool.submit(task, i, items[i]): i for i in todo}
            try:
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        yield pending.pop(fut), fut.result()
            except BrokenProcessPool as exc:
                raise RuntimeError(
                    "a worker process died. Workers are started with 'spawn', which re-imports the "
                    "calling script: put a script's top-level code under `if __name__ == \"__main__\":`, "
                    "or run with workers=1. If the script is guarded, the worker ran out of memory "
                    "or crashed in compiled code"
                ) from exc
            finally:  # on error, interrupt or an abandoned generator: drop what has not started
                for fut in pending:
                    fut.cancel()


class DaskBackend:
    """Execution on a ``dask.distributed.Client`` (optional extra ``meanfield[dask]``).

    Tasks are submitted as futures (``pure=False``) and collected with
    ``distributed.as_completed``; the results are the same arrays as with
    :class:`LocalBackend` because every task draws only from its own
    SeedSequence. On construction each worker process is limited to
    ``threads_per_worker`` Numba threads (default: this machine's cores divided
    by the number of workers, right for a ``LocalCluster``), as the local pool
    does.

    Parameters
    ----------
    client : distributed.Client
        A connected client (e.g. on a ``LocalCluster`` or a remote scheduler).
    threads_per_worker : int, optional
        Numba threads per worker process.
    """

    name = "dask"

    def __init__(self, client, threads_per_worker: int | None = None):
        try:
            import distributed  # noqa: F401
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ValueError(
                "the Dask backend needs dask.distributed: pip install 'meanfield[dask]'"
            ) from exc
        if not hasattr(client, "submit"):
            raise ValueError(f"client must be a dask.distributed.Client, got {client!r}")
        self.client = client
        if threads_per_worker is None:
            n_workers = max(1, len(client.scheduler_info().get("workers", {})))
            threads_per_worker = max(1, (os.cpu_count() or 1) // n_workers)
        client.run(_limit_threads, int(threads_per_worker))

    def run(self, task: Callable, todo: Sequence[int], items: Sequence) -> Iterator[tuple[int, Mapping]]:
        """Yield ``(i, task(i, items[i]))`` for every i in ``todo``, in order of completion."""
        from distributed import as_completed

        futures = {self.client.submit(task, i, items[i], pure=False): i for i in todo}
        try:
            for fut in as_completed(list(futures)):
                yield futures[fut], fut.result()
        finally:
            pending = [f for f in futures if not f.done()]
            if pending:
                self.client.cancel(pending)


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
        are saved as soon as they finish. Anything with ``has(i)``,
        ``load(i)`` and ``save(i, arrays)`` works.
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
        if store is not None and store.has(i):
            results[i] = store.load(i)
        else:
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
