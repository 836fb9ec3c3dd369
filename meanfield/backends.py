"""Where the tasks of an ensemble run: this process, a local process pool, or a Dask cluster.

Every backend has ``run(task, todo, items)``, which yields ``(i, task(i,
items[i]))`` in order of completion. Results do not depend on the backend,
because every task draws only from its own SeedSequence.
:func:`open_backend` is the one place that creates a backend by name and
tears down what it started (a Dask ``LocalCluster``).

Workers of the local pool never outlive the process that started them. On
Linux the kernel kills a worker when its parent dies (``PR_SET_PDEATHSIG``),
even while the worker is inside compiled code that holds the GIL; everywhere
a thread of each worker also watches a pipe from its parent and its parent's
pid and exits when the parent is gone (killed by SIGKILL or SIGTERM, or
crashed). A pool whose run is interrupted, fails or is abandoned stops its
workers at once instead of waiting for their tasks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
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


#: Seconds between two checks of a worker's parent pid (the pipe's EOF is seen at once).
PARENT_POLL = 0.5


def _watch_parent(parent_alive) -> None:
    """Exit this worker process when its parent is gone.

    ``parent_alive`` is the read end of a pipe whose only write end the
    parent holds: the kernel closes it when the parent dies, however it
    dies, and the read then hits EOF (Linux and macOS alike). A change of
    ``os.getppid()`` (reparenting) is the fallback for the case where a
    process forked by the parent keeps the write end open.
    """
    ppid = os.getppid()

    def watch():
        while True:
            try:
                if parent_alive.poll(PARENT_POLL):
                    parent_alive.recv()  # the parent never sends: only EOF gets here
            except (EOFError, OSError):
                os._exit(1)
            if os.getppid() != ppid:
                os._exit(1)

    threading.Thread(target=watch, name="meanfield-parent-watch", daemon=True).start()


def _die_with_parent() -> None:
    """Linux: have the kernel send SIGKILL to this process when its parent dies.

    The watcher thread of :func:`_watch_parent` needs the GIL, which a task in
    a long Numba or C call may hold for minutes; the kernel signal does not.
    (It fires when the parent's thread that started the worker ends: the
    thread that iterates :meth:`LocalBackend.run`, alive as long as the pool.)
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no usable libc: the watcher remains
        pass


def _init_worker(n_threads: int, parent_alive) -> None:
    """Process-pool initializer: die with the parent, then take this worker's share of the cores."""
    _die_with_parent()
    _watch_parent(parent_alive)  # also covers a parent that died before the line above
    _limit_threads(n_threads)


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
        ctx = get_context("spawn")
        parent_alive, keep_alive = ctx.Pipe(duplex=False)  # workers get the read end only
        pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_init_worker,
            initargs=(threads, parent_alive),
        )
        pending = {}
        finished = False
        # a bounded window of submitted tasks, refilled in the given order: waiting on every pending
        # future at each completion costs O(pending) per task, which for the thousands of short tasks
        # of a validation sweep made the parent process compete with the workers for the cores
        queue = iter(todo)
        window = 4 * self.workers

        def refill():
            for i in queue:
                pending[pool.submit(task, i, items[i])] = i
                if len(pending) >= window:
                    return

        try:
            refill()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield pending.pop(fut), fut.result()
                refill()
            finished = True
        except BrokenProcessPool as exc:
            raise RuntimeError(
                "a worker process died. Workers are started with 'spawn', which re-imports the "
                "calling script: put a script's top-level code under `if __name__ == \"__main__\":`, "
                "or run with workers=1. If the script is guarded, the worker ran out of memory "
                "or crashed in compiled code"
            ) from exc
        finally:
            for fut in pending:  # drop what has not started
                fut.cancel()
            if finished:
                pool.shutdown(wait=True)
            else:
                # error, interrupt or an abandoned generator: stop the running tasks now instead of
                # waiting for them (terminate, because a task in compiled code may hold the GIL
                # that the watcher needs to see the pipe close)
                keep_alive.close()
                for proc in list((getattr(pool, "_processes", None) or {}).values()):
                    proc.terminate()
                pool.shutdown(wait=True, cancel_futures=True)
            keep_alive.close()
            parent_alive.close()


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
