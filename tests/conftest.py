"""Fixtures shared by the test modules."""

import numba
import pytest


@pytest.fixture
def one_numba_thread():
    """Run a simulation test with one Numba thread.

    The 2-core CI machine may be shared: Numba's parallel row kernel is ~10x
    slower under contention than on one thread for N = 1000.
    """
    n = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(n)


@pytest.fixture
def round_trip(tmp_path):
    """Save a result, load it back (by its class and by ``meanfield.results.load``) and compare every field.

    Arrays must come back with the same shape, dtype and values (NaN where NaN); every other field
    (parameters, counters, provenance) must compare equal. Returns the loaded result.
    """
    import dataclasses

    import numpy as np

    from meanfield.results import load

    def check(result, name="result.nc"):
        path = result.save(tmp_path / name)
        for loaded in (type(result).load(path), load(path)):
            assert type(loaded) is type(result)
            for f in dataclasses.fields(result):
                a, b = getattr(result, f.name), getattr(loaded, f.name)
                if isinstance(a, np.ndarray):
                    assert isinstance(b, np.ndarray) and b.dtype == a.dtype, f.name
                    np.testing.assert_array_equal(b, a, err_msg=f.name)
                else:
                    assert b == a, f.name
        return loaded

    return check


@pytest.fixture(scope="module")
def bench():
    """``benchmarks/bench_reservoir.py`` imported as a module (``benchmarks/`` is not a package)."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_reservoir.py"
    spec = importlib.util.spec_from_file_location("bench_reservoir", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)
