"""Where the tasks of an ensemble run: this process, a local process pool, or a Dask cluster.

Every backend has ``run(task, todo, items)``, which yields ``(i, task(i,
items[i]))`` in order of completion. Results do not depend on the backend,
because every task draws only from its own SeedSequence.
:func:`open_backend` is the one place that creates a backend by name and
tears down what it started (a Dask ``LocalCluster``).
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Callable, Iterator, Mapping, Sequence

from .arguments import count


def _limit_threads(n_threads: int) -> None:
    """Process-pool initializer: give each worker its share of the cores."""
    try:
        import numba

        numba.set_num_threads(max(1, min(n_threads, numba.config.NUMBA_NUM_THREADS)))
    except Exception:  # pragma: no cover - numba missing or already configured
        pass


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
        self.workers = count("workers", workers)

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


BACKENDS = ("local", "dask")

#: Seconds to wait for a Dask scheduler before giving up with a message (not dask's default 30).
SCHEDULER_TIMEOUT = 5


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
    count("workers", workers)
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
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError) as exc:  # refused, unknown host, or nobody answers in time
            raise ValueError(f"cannot reach the Dask scheduler at {scheduler} within {SCHEDULER_TIMEOUT} s "
                             f"({type(exc).__name__}); start it or check the address") from None
        with client:
            yield DaskBackend(client)
        return
    threads = max(1, (os.cpu_count() or 1) // workers)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=40) as cluster, Client(cluster) as client:
        yield DaskBackend(client, threads_per_worker=threads)
