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
