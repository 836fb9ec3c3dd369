"""User callables of the model: a custom phi and a Custom input profile s(t) are checked when built.

Before: phi was tried on the three points -1, 0, 1 only (a phi that is NaN or
overflows at |x| = 5 or 30 passed), a non-vectorised phi failed with numpy's
own TypeError or ValueError, and a Custom profile was not tried at all until
a run used it.
"""

import math

import numpy as np
import pytest

import meanfield as mf
import simulate
from meanfield.model.nonlinearity import CHECK_GRID, Nonlinearity
from meanfield.model.profiles import Custom


def math_tanh(x):
    return math.tanh(x)


def relu_if(x):
    return x if x > 0 else 0.0


def total(x):
    return float(np.sum(np.tanh(x)))


def flat(x):
    return np.tanh(np.ravel(x))  # right on 1-D arrays only; the simulator passes (R, N) states


def band(x):
    return np.where(np.abs(x) < 5.0, np.tanh(x), np.nan)


def gauss_exp(x):
    return np.exp(x**2)  # overflows from |x| ~ 26.6


def complex_phi(x):
    return np.tanh(x) + 0j


def _net(phi):
    return mf.Network(N=20, g=1.0, J0=1.0, phi=phi)


@pytest.mark.parametrize("phi", [math_tanh, relu_if, total, flat], ids=lambda f: f.__name__)
def test_non_vectorised_phi_is_rejected_with_what_to_do(phi):
    with pytest.raises(ValueError) as info:
        _net(phi)
    msg = str(info.value)
    assert f"Network.phi = {phi.__name__!r}" in msg
    assert "vectorise it" in msg and "np.vectorize" in msg and "np.tanh, not math.tanh" in msg


@pytest.mark.parametrize("phi,where", [(band, "phi(-50) = nan"), (gauss_exp, "phi(-50) = inf")],
                         ids=["nan-beyond-5", "overflow-beyond-26"])
def test_phi_must_be_finite_on_the_wide_grid(phi, where):
    assert np.all(np.isfinite(phi(np.array([-1.0, 0.0, 1.0]))))  # the old three-point check passed
    with pytest.raises(ValueError, match=r"is not finite on \[-50, 50\]") as info:
        _net(phi)
    assert where in str(info.value)


def test_phi_must_return_real_numbers():
    with pytest.raises(ValueError, match="complex128 values; phi must return real numbers"):
        _net(complex_phi)


def test_a_user_nonlinearity_is_checked_too():
    with pytest.raises(ValueError, match="'band' is not finite"):
        _net(Nonlinearity("band", band))


def test_good_callables_pass_and_are_not_modified_by_the_check():
    seen = []

    def spy(x):
        seen.append(x)
        x *= 2.0  # a phi that writes into its argument must not damage the check grid
        return np.tanh(x)

    for phi in (lambda x: np.maximum(x, 0.0), np.vectorize(math.tanh), lambda x: x > 0, spy):
        assert not _net(phi).phi.builtin
    assert [s.shape for s in seen] == [(1001,), (7, 143)]
    np.testing.assert_array_equal(CHECK_GRID, np.linspace(-50.0, 50.0, 1001))


def s_if(t):
    return 1.0 if t > 1 else 0.0


def constant_scalar(t):
    return 1.0


def text(t):
    return np.array(["on"] * len(t))


@pytest.mark.parametrize("func", [math.sin, s_if, constant_scalar], ids=["math.sin", "if", "scalar"])
def test_non_vectorised_profile_is_rejected_when_built(func):
    with pytest.raises(ValueError) as info:
        Custom(func)
    msg = str(info.value)
    assert msg.startswith(f"Custom.func = {func.__name__!r}")
    assert "vectorise it" in msg and "np.vectorize" in msg and "np.sin, not math.sin" in msg


def test_profile_must_be_a_real_valued_callable():
    with pytest.raises(ValueError, match="Custom.func must be a callable"):
        Custom(3.0)
    with pytest.raises(ValueError, match="Custom.func = 'text' returned <U2 values"):
        Custom(text)


def test_a_bare_function_as_profile_says_to_wrap_it():
    with pytest.raises(ValueError, match=r"UniformInput.profile must be a profile object; wrap .* as Custom\(s_if\)"):
        mf.UniformInput(I0=1.0, profile=s_if)


def test_vectorised_profile_runs_and_non_finite_values_name_the_time():
    inputs = mf.Inputs(uniform=mf.UniformInput(I0=0.5, profile=Custom(np.vectorize(s_if))))
    res = simulate.run(mf.Network(N=20, g=1.0, J0=1.0), inputs, grid=mf.TimeGrid(dt=0.1, T=2.0))
    assert np.all(np.isfinite(res.h))

    def late_nan(t):
        return np.where(t > 1.25, np.nan, 1.0)

    with pytest.raises(ValueError, match=r"Custom profile 'late_nan' is not finite at t = 1.3"):
        Custom(late_nan).values(np.arange(21) * 0.1)
