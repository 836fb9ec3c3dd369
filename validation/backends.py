"""Execution backends for the sweep: a local process pool (default) or Dask distributed.

Both implement ``run(task, todo, items)`` of ``meanfield.runner`` and give
identical results (every task draws only from its own SeedSequence).
:func:`open_backend` is the one place that creates and tears them down.
"""

from __future__ import annotations

import contextlib
import os

from meanfield.runner import DaskBackend, LocalBackend

BACKENDS = ("local", "dask")


@contextlib.contextmanager
def open_backend(name: str = "local", workers: int = 1, scheduler: str | None = None):
    """Yield a ready backend and close what it started.

    Parameters
    ----------
    name : {"local", "dask"}
        ``local``: ``LocalBackend(workers)``. ``dask``: a
        ``distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
        processes=True)`` with its ``Client``, or a client of the scheduler at
        ``scheduler`` when given.
    workers : int
        Worker processes (>= 1).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``).
    """
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if name == "local":
        if scheduler is not None:
            raise ValueError("a scheduler address only makes sense with backend 'dask'")
        yield LocalBackend(workers)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ValueError("backend 'dask' needs dask.distributed: pip install 'meanfield[dask]'") from exc
    if scheduler is not None:
        with Client(scheduler) as client:
            yield DaskBackend(client)
        return
    threads = max(1, (os.cpu_count() or 1) // workers)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=40) as cluster, Client(cluster) as client:
        yield DaskBackend(client, threads_per_worker=threads)
