"""Joint solution of several replicas of one network (THEORY.md section 5)."""

import numpy as np
import pytest

import meanfield as mf
from meanfield.replicas import solve_replicas

NET = mf.Network(N=1000, g=1.2, J0=1.5)
GRID = mf.TimeGrid(0.1, 6.0)


def test_identical_replicas_reproduce_the_single_path():
    # Two copies of the same condition with a shared initial state: the second replica adds no new
    # pivot (its Schur complements vanish), so both follow the R = 1 path driven by xi[:, 0].
    xi = mf.draw_innovations(5, GRID.n_steps, replicas=2)
    inputs = mf.Inputs(pattern=mf.PatternInput(0.5, mf.Sine(1.0)), uniform=mf.UniformInput(0.2))
    joint = solve_replicas(NET, inputs, grid=GRID, replicas=2, c0=1.0, xi=xi)
    single = mf.solve(NET, inputs, grid=GRID, xi=xi[:, 0])
    np.testing.assert_allclose(joint.h[0], single.h, atol=1e-12)
    np.testing.assert_allclose(joint.h[1], single.h, atol=1e-12)
    np.testing.assert_allclose(joint.delta_between(0, 1), single.delta, atol=1e-12)
    assert joint.rank == single.rank
    np.testing.assert_allclose(joint.distance(0, 1), 0.0, atol=1e-12)


def test_one_replica_is_the_single_solver():
    xi = mf.draw_innovations(2, GRID.n_steps)
    joint = solve_replicas(NET, grid=GRID, replicas=1, xi=xi[:, None])
    single = mf.solve(NET, grid=GRID, xi=xi)
    np.testing.assert_array_equal(joint.h[0], single.h)


def test_independent_initial_states_for_a_linear_network_decorrelate_exactly():
    # phi linear, J0 = 0, different initial microscopic states (c0 = 0): Delta^(12) obeys the same
    # recursion as Delta^(11) from a zero start, so it stays exactly 0 while Delta^(11) evolves.
    net = mf.Network(N=100, g=0.9, J0=0.0, phi="linear")
    paths = solve_replicas(net, grid=GRID, replicas=2, c0=0.0, seed=1)
    np.testing.assert_array_equal(paths.delta_between(0, 1), 0.0)
    assert paths.delta[-1, 0, -1, 0] > 0


def test_replica_arguments_are_checked():
    with pytest.raises(ValueError, match="replicas"):
        solve_replicas(NET, grid=GRID, replicas=0, seed=1)
    with pytest.raises(ValueError, match="inputs has 3 entries but replicas = 2"):
        solve_replicas(NET, [mf.Inputs()] * 3, grid=GRID, replicas=2, seed=1)
    with pytest.raises(ValueError, match="c0"):
        solve_replicas(NET, grid=GRID, c0=1.5, seed=1)
    with pytest.raises(ValueError, match=r"\(61, 2\)"):
        solve_replicas(NET, grid=GRID, xi=np.zeros(61))
