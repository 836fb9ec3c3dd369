"""scripts/plasticity_digits.py: its multi-channel exponents and its intervals, on the smallest settings."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import meanfield as mf
from simulate import Reservoir
from simulate.lyapunov import lyapunov_run

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "plasticity_digits.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("scripts_plasticity_digits", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_exponents_match_simulate_lyapunov_on_one_channel(script):
    assert script.check_exponents() < 1e-10


def test_exponents_of_two_channels_equal_one_channel_of_their_sum(script):
    # two channels whose inputs sum, through the weights, to a one-channel drive: same map, same exponents
    res2 = Reservoir(mf.Network(N=40, g=1.6, J0=0.5), n_inputs=2, input_scaling=0.7, dt=0.5, dtype="float64")
    rr = res2.realise(3)
    u = np.sin(0.3 * np.arange(120))
    U = np.stack([u, np.zeros_like(u)], axis=1)          # only channel 0, the realisation's pattern p
    res1 = Reservoir(res2.network, n_inputs=1, input_scaling=0.7, dt=0.5, dtype="float64")
    inputs, grid = res1.network_inputs(u)
    ref = lyapunov_run(rr.realisation, inputs, grid)
    got = script.exponents(rr, U, washout=5.0)
    window = (5.0, grid.times[-1])
    assert got["maximal"] == pytest.approx(ref.maximal_exponent(window), abs=1e-10)
    assert got["macro"] == pytest.approx(ref.macro_exponent(window), abs=1e-10)
    # channel 1 matters: driving it changes the exponents
    other = script.exponents(rr, np.stack([u, u], axis=1), washout=5.0)
    assert abs(other["maximal"] - got["maximal"]) > 1e-6


def test_interval_is_student_t(script):
    v = [1.0, 2.0, 4.0]
    est = script.interval(v)
    t975 = 0.95 / math.sqrt(2 * 0.975 * 0.025)    # closed-form quantile of Student t with 2 degrees of freedom
    half = t975 * np.std(v, ddof=1) / math.sqrt(3)
    assert est["mean"] == pytest.approx(7 / 3)
    assert est["high"] - est["mean"] == pytest.approx(half, rel=1e-12)
    assert est["mean"] - est["low"] == pytest.approx(half, rel=1e-12) and est["n"] == 3
