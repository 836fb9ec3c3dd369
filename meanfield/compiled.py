"""On-disk caching of compiled functions that call compiled code of other modules.

Numba keys the cache of a ``cache=True`` function on the source of the file
that defines it, and on nothing else: a function that calls (and inlines)
kernels of another module keeps running the old kernels after that module is
edited, until its own file changes. :func:`depends_on` adds the source of the
named modules to the key, so an edit of any of them recompiles the function.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def source_digest(*modules) -> str:
    """SHA-256 of the source files of ``modules``, in the order given."""
    h = hashlib.sha256()
    for module in modules:
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()


def depends_on(*modules):
    """Decorator for a ``numba.njit(cache=True)`` dispatcher: key its cache on ``modules`` too.

    Apply it outside ``njit``::

        @depends_on(tanh_kernels, cholesky)
        @njit(cache=True)
        def step(...): ...

    A dispatcher without a file cache (``cache=False``, or a numba whose cache
    layout differs) is returned unchanged: it still compiles correctly, only
    without the extended key.
    """
    digest = source_digest(*modules)

    def mark(dispatcher):
        cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
        if cache_file is not None and hasattr(cache_file, "_source_stamp"):
            cache_file._source_stamp = (cache_file._source_stamp, digest)
        return dispatcher

    return mark
