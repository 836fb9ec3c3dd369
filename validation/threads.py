"""One thread per task: the sweep parallelises over realisations, never inside one.

Two thread pools can fight inside a task: Numba's (the simulator's parallel
kernels) and OpenBLAS's (numpy.linalg.eigvals of the spectrum tasks). On the
2-core machine, with the default two threads each, a spectrum task at N = 400
was measured 20x slower than single-threaded while other processes ran, and a
Numba parallel region right after a LAPACK call 100x slower (OpenBLAS threads
keep spinning). Every task therefore runs with one Numba thread and one
OpenBLAS thread; results do not depend on it (the simulator's row kernel
reduces each row serially; LAPACK with one thread is deterministic).

OpenBLAS's thread count is set through its C API (``openblas_set_num_threads``
and its 64-bit-interface aliases) in the OpenBLAS libraries this process has
loaded (numpy's and scipy's wheels each bundle one). ``threadpoolctl`` would
do the same but is not a dependency of this project; on other BLAS libraries
(MKL, Accelerate) this is a no-op.
"""

from __future__ import annotations

import contextlib
import ctypes

_SETTERS = ("openblas_set_num_threads", "openblas_set_num_threads64_", "scipy_openblas_set_num_threads64_",
            "scipy_openblas_set_num_threads")
_GETTERS = ("openblas_get_num_threads", "openblas_get_num_threads64_", "scipy_openblas_get_num_threads64_",
            "scipy_openblas_get_num_threads")
_LIBS: dict = {}  # path -> (setter, getter) or None


def _openblas_libraries() -> list:
    """(setter, getter) pairs of the OpenBLAS libraries mapped into this process now (Linux)."""
    paths = set()
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                path = line.rsplit(" ", 1)[-1].strip()
                if "openblas" in path.lower() and ".so" in path:
                    paths.add(path)
    except OSError:  # not Linux
        pass
    for path in sorted(paths - set(_LIBS)):
        _LIBS[path] = None
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        setter = next((getattr(lib, s) for s in _SETTERS if hasattr(lib, s)), None)
        getter = next((getattr(lib, g) for g in _GETTERS if hasattr(lib, g)), None)
        if setter is not None and getter is not None:
            setter.argtypes, setter.restype, getter.restype = [ctypes.c_int], None, ctypes.c_int
            _LIBS[path] = (setter, getter)
    return [_LIBS[p] for p in sorted(paths) if _LIBS[p] is not None]


def blas_threads() -> list[int]:
    """Current thread count of every loaded OpenBLAS."""
    return [int(get()) for _, get in _openblas_libraries()]


def set_blas_threads(n) -> None:
    """Set every loaded OpenBLAS to ``n`` threads (an int, or one per library as from :func:`blas_threads`)."""
    libs = _openblas_libraries()
    counts = [n] * len(libs) if isinstance(n, int) else list(n)
    for (setter, _), k in zip(libs, counts):
        setter(max(1, int(k)))


def single_thread() -> None:
    """One Numba and one OpenBLAS thread in this process (called by every sweep task)."""
    import numba

    if numba.get_num_threads() != 1:
        numba.set_num_threads(1)
    if any(k != 1 for k in blas_threads()):
        set_blas_threads(1)


@contextlib.contextmanager
def single_threaded():
    """Run a block with :func:`single_thread` and restore the previous thread counts afterwards."""
    import numba

    old_numba, old_blas = numba.get_num_threads(), blas_threads()
    try:
        yield
    finally:
        numba.set_num_threads(old_numba)
        set_blas_threads(old_blas)
