"""engine='auto' reads this machine's measured crossovers (simulate.engine), and the R = 1 BLAS path."""

import json

import numpy as np
import pytest

import meanfield as mf
import simulate
from simulate import engine


@pytest.fixture
def calibration(tmp_path, monkeypatch):
    path = tmp_path / "crossovers.json"
    monkeypatch.setenv("SIMULATE_ENGINE_CALIBRATION", str(path))
    engine._load_crossovers.cache_clear()
    yield path
    engine._load_crossovers.cache_clear()


def test_default_table_without_calibration(calibration):
    assert engine.rows_crossovers() == engine.DEFAULT_ROWS_FROM_N
    assert engine.choose_engine("auto", 1, True, N=16000, dtype=np.float32) == "blas"
    assert engine.choose_engine("auto", 2, True, N=3999, dtype=np.float32) == "blas"
    assert engine.choose_engine("auto", 2, True, N=4000, dtype=np.float32) == "rows"
    assert engine.choose_engine("auto", 4, True, N=8000, dtype=np.float32) == "blas"
    assert engine.choose_engine("auto", 2, True, N=8000, dtype=np.float64) == "blas"


def test_written_calibration_is_used_on_this_machine_only(calibration):
    engine.write_calibration({"float64": {1: 3000}}, [{"note": "test"}])
    assert engine.choose_engine("auto", 1, True, N=3000, dtype=np.float64) == "rows"
    assert engine.choose_engine("auto", 1, True, N=2999, dtype=np.float64) == "blas"
    assert engine.choose_engine("auto", 2, True, N=4000, dtype=np.float32) == "blas"  # not in the table
    data = json.loads(calibration.read_text())
    data["machine"]["cpu"] = "another machine"
    calibration.write_text(json.dumps(data))
    engine._load_crossovers.cache_clear()
    assert engine.rows_crossovers() == engine.DEFAULT_ROWS_FROM_N


def test_crossovers_from_measurements():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "bench_engine_choice", Path(__file__).resolve().parents[2] / "benchmarks" / "bench_engine_choice.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    m = [{"threads": 2, "dtype": "float32", "N": N, "R": R, "t_rows": tr, "t_blas": 1.0}
         for N, R, tr in ((500, 2, 1.2), (1000, 2, 0.9), (2000, 2, 0.8), (500, 4, 0.5), (1000, 4, 1.1),
                          (2000, 4, 0.7), (1000, 1, 1.5))]
    m.append({"threads": 1, "dtype": "float32", "N": 500, "R": 2, "t_rows": 0.1, "t_blas": 1.0})
    assert bench.crossovers(m) == {"float32": {2: 1000, 4: 2000}}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_single_trajectory_blas_is_deterministic_and_matches_rows(dtype, one_numba_thread):
    """R = 1 through gemv: the same bits twice, and the rows engine's trajectory to rounding."""
    net = mf.Network(N=301, g=1.5, J0=1.0, lambda0=0.3)
    inputs = mf.Inputs(uniform=mf.UniformInput(I0=0.2, profile=mf.Sine(omega=0.5)))
    grid = mf.TimeGrid(dt=0.1, T=4.0)
    runs = [simulate.run(net, inputs, grid, seed=4, dtype=dtype, engine=e, keep_final_state=True)
            for e in ("blas", "blas", "rows")]
    np.testing.assert_array_equal(runs[0].final_state, runs[1].final_state)
    np.testing.assert_array_equal(runs[0].h, runs[1].h)
    tol = 2e-5 if dtype == np.float32 else 1e-11
    np.testing.assert_allclose(runs[0].h, runs[2].h, rtol=0, atol=tol)
    np.testing.assert_allclose(runs[0].delta_tt, runs[2].delta_tt, rtol=tol)
