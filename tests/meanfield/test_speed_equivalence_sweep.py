"""The compiled forward sweep and the fused tangent kernel against the checked per-step implementation.

The compiled sweep (meanfield.population._compiled_steps) must give the numbers of the step-by-step
Python path through the checked engine calls (the former implementation) bit for bit, raise the same
errors, and the tangent's fused kernel must give the ten derivative products of the direct n x n
quadrature (GaussianEngine.derivative_row) and the C row of GaussianEngine.row.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import meanfield as mf
from meanfield import population
from meanfield.cholesky import NegativePivotError
from meanfield.gaussian import GaussianEngine
from meanfield.gaussian.adaptive import EngineLadder
from meanfield.gaussian.derivative_kernels import TANGENT_PRODUCTS


def python_sweep(network, drives, grid, initials, c0, xi, settings):
    """Every step through population._python_step (the checked engine calls)."""
    st = population._SweepState(network, drives, grid, initials, c0, xi, settings)
    ladder = EngineLadder(network.phi, settings)
    R = len(drives)
    for k in range(grid.n_steps + 1):
        population._python_step(k, st, ladder.at(float(st.diag[k * R:(k + 1) * R].max())))
    return st


CASES = {
    "tanh chaotic": (dict(g=1.5, J0=1.0), mf.Inputs(), mf.InitialState()),
    "tanh coherent": (dict(g=1.5, J0=3.0), mf.Inputs(), mf.InitialState()),
    # g = 0: Delta_kl meets Cauchy-Schwarz at rounding level on most steps (the clip path)
    "tanh g = 0": (dict(g=0.0, J0=1.0), mf.Inputs(), mf.InitialState()),
    "tanh rungs": (dict(g=3.0, J0=10.0), mf.Inputs(), mf.InitialState()),
    "tanh sparse": (dict(g=1.5, J0=1.0), mf.Inputs(sparse=mf.SparseInput(kappa=2.0, A=1.5, profile=mf.Sine(0.7, 0.3))),
                    mf.InitialState()),
    "tanh quiescent": (dict(g=1.5, J0=1.0), mf.Inputs(), mf.InitialState(0.0, 0.0)),
    "erf pattern": (dict(g=1.5, J0=2.0, phi="erf"),
                    mf.Inputs(pattern=mf.PatternInput(0.8, mf.Sine(1.1, 0.2)), uniform=mf.UniformInput(0.4)),
                    mf.InitialState()),
    "linear": (dict(g=0.9, J0=1.0, phi="linear"), mf.Inputs(), mf.InitialState()),
}


@pytest.mark.parametrize("name", list(CASES))
def test_compiled_sweep_is_the_checked_python_sweep_bit_for_bit(name):
    net_kw, inputs, initial = CASES[name]
    net = mf.Network(N=1000, **net_kw)
    grid = mf.TimeGrid(0.1, 12.0)
    settings = mf.SolverSettings()
    xi = mf.draw_innovations(5, grid.n_steps)
    drive = population.Drive.on_grid(net, inputs, grid)
    fast = population.forward_sweep(net, [drive], grid, [initial], 1.0, xi, settings)
    ref = python_sweep(net, [drive], grid, [initial], 1.0, xi, settings)
    for field in ("h", "m", "M", "w", "delta", "C"):
        np.testing.assert_array_equal(getattr(fast, field), getattr(ref, field), err_msg=field)
    np.testing.assert_array_equal(fast.factor, ref.chol.factor())
    np.testing.assert_array_equal(fast.pivots, ref.chol.pivot_times)


def test_compiled_replica_sweep_is_the_checked_python_sweep_bit_for_bit():
    net = mf.Network(N=1000, g=1.5, J0=1.0)
    grid = mf.TimeGrid(0.1, 8.0)
    R = 3
    drives = [population.Drive.on_grid(net, mf.Inputs(sparse=mf.SparseInput(kappa=1.0, A=float(a))), grid)
              for a in range(R)]
    initials = [mf.InitialState(0.1 * a, 1.0) for a in range(R)]
    xi = mf.draw_innovations(2, grid.n_steps, R).reshape(-1)
    fast = population.forward_sweep(net, drives, grid, initials, 0.3, xi, mf.SolverSettings())
    ref = python_sweep(net, drives, grid, initials, 0.3, xi, mf.SolverSettings())
    for field in ("h", "m", "delta", "C"):
        np.testing.assert_array_equal(getattr(fast, field), getattr(ref, field), err_msg=field)


def test_compiled_sweep_raises_the_negative_pivot_of_the_checked_sweep():
    # 40 Gauss-Hermite nodes at g = 3: THEORY.md section 4 measures failures on most seeds
    net = mf.Network(N=1000, g=3.0, J0=1.0)
    grid = mf.TimeGrid(0.1, 30.0)
    settings = mf.SolverSettings(quadrature_order=40)
    drive = population.Drive.on_grid(net, mf.Inputs(), grid)
    xi = mf.draw_innovations(1, grid.n_steps)
    with pytest.raises(NegativePivotError) as ref:
        python_sweep(net, [drive], grid, [mf.InitialState()], 1.0, xi, settings)
    with pytest.raises(NegativePivotError) as fast:
        population.forward_sweep(net, [drive], grid, [mf.InitialState()], 1.0, xi, settings)
    assert str(fast.value) == str(ref.value)


def test_compiled_sweep_hands_bad_values_to_the_checked_calls():
    # a non-finite state must raise the checks' ValueError, as every step did before
    net = mf.Network(N=1000, g=1.5, J0=1e10)
    grid = mf.TimeGrid(0.1, 2.0)
    drive = population.Drive.on_grid(net, mf.Inputs(), grid)
    xi = np.full(grid.n_steps + 1, 1e308)   # m overflows to inf at the first pivot
    with pytest.raises((ValueError, FloatingPointError)) as ref:
        python_sweep(net, [drive], grid, [mf.InitialState()], 1.0, xi, mf.SolverSettings())
    with pytest.raises((ValueError, FloatingPointError)) as fast:
        population.forward_sweep(net, [drive], grid, [mf.InitialState()], 1.0, xi, mf.SolverSettings())
    assert type(fast.value) is type(ref.value) and str(fast.value) == str(ref.value)


@pytest.mark.parametrize("engine", [GaussianEngine("tanh", order=60),
                                    GaussianEngine("tanh", accuracy=1e-7, d_max=2.0, rule="trapezoid")])
def test_fused_tangent_products_are_the_direct_quadrature(engine):
    rng = np.random.default_rng(3)
    K = 25
    A = rng.normal(size=(K, K))
    S = A @ A.T / K * 1.5
    h = rng.normal(scale=1.2, size=K)
    d = np.diag(S).copy()
    k = K - 1
    c = S[k].copy()
    c[2] = 0.0                                  # the kernel's special paths: zero covariance,
    c[5] = np.sqrt(d[k] * d[5])                 # perfect correlation
    h[7] = 60.0                                 # and huge arguments
    c_row, products = engine.tangent_row(h[k], d[k], h, d, c)
    np.testing.assert_array_equal(c_row, engine.row(h[k], d[k], h, d, c))
    table = engine.derivative_row(h[k], d[k], h, d, c)   # f_q summed node by node on the full rule
    for r, (p, q) in enumerate(TANGENT_PRODUCTS):
        np.testing.assert_allclose(products[r], table[p, q], rtol=0, atol=1e-14, err_msg=str((p, q)))


def test_a_cached_kernel_recompiles_when_a_module_it_calls_changes(tmp_path):
    # numba's own cache key is the caller's file only; meanfield.compiled.depends_on adds the callee's
    (tmp_path / "callee.py").write_text("from numba import njit\n\n@njit(cache=True)\ndef f():\n    return 1.0\n")
    (tmp_path / "caller.py").write_text(textwrap.dedent("""
        from numba import njit
        import callee
        from meanfield.compiled import depends_on

        @depends_on(callee)
        @njit(cache=True)
        def g():
            return callee.f()
    """))
    run = [sys.executable, "-c", "import caller; print(caller.g())"]
    first = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    (tmp_path / "callee.py").write_text("from numba import njit\n\n@njit(cache=True)\ndef f():\n    return 2.0\n")
    second = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert (first.strip(), second.strip()) == ("1.0", "2.0")
