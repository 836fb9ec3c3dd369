"""The ``meanfield`` command line (meanfield_cli.main) on tiny networks: files, numbers, exit codes, errors."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from meanfield_cli.main import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STATES = {"quiescent", "coherent", "oscillatory", "irregular"}
TINY = ["--N", "50", "--T", "2"]


def one_error_line(capsys, command: str) -> str:
    """The single stderr line of a refused command (no usage block, no traceback)."""
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"meanfield {command}: error: "), err
    return lines[0]


def table_rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if re.match(r"^\s+\d+\s+-?\d", line)]


# --------------------------------------------------------------------------- forwarded subcommands
def test_validate_help_is_the_validation_parser(capsys):
    assert main(["validate", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: meanfield validate") and "--quick" in out and "--only" in out


def test_figures_help_names_the_subcommand(capsys):
    assert main(["figures", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: meanfield figures") and "--smoke" in out and "--gallery-only" in out


def test_figures_refuses_an_unknown_figure_in_one_line(capsys):
    assert main(["figures", "--smoke", "--only", "fig99", "--out", "unused"]) == 2
    assert "fig99" in one_error_line(capsys, "figures")


def test_validate_refuses_a_bad_option_in_one_line(capsys):
    assert main(["validate", "--only", "no-such-check"]) == 2
    assert "invalid choice" in one_error_line(capsys, "validate")


def test_figures_refuses_an_unknown_option_in_one_line(capsys):
    assert main(["figures", "--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in one_error_line(capsys, "figures")


# --------------------------------------------------------------------------- argument errors
def test_no_subcommand_is_an_error(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("meanfield: error: choose a subcommand")


def test_top_level_help_lists_every_subcommand(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for sub in ("solve", "sample", "simulate", "validate", "figures", "plot"):
        assert sub in out


@pytest.mark.parametrize("command, args, field", [
    ("solve", ["--N", "0"], "Network.N"),
    ("solve", ["--dt", "-1"], "TimeGrid.dt"),
    ("solve", ["--T", "2.05"], "TimeGrid.T"),
    ("solve", ["--seed", "-1"], "seed"),
    ("solve", ["--kappa", "2"], "--A"),
    ("solve", ["--A", "1", "--kappa", "100"], "kappa"),
    ("sample", ["--n-samples", "0"], "n_samples"),
    ("sample", ["--g", "-1"], "Network.g"),
    ("simulate", ["--N", "1"], "N"),
    ("simulate", ["--f", "1.5"], "Network.f"),
])
def test_bad_values_exit_2_with_one_line(tmp_path, capsys, command, args, field):
    out = tmp_path / "never.nc"
    assert main([command, *TINY, *args, "--out", str(out)]) == 2
    assert field in one_error_line(capsys, command)
    assert not out.exists()


@pytest.mark.parametrize("command, args, text", [
    ("solve", ["--N", "many"], "invalid int value"),
    ("solve", ["--phi", "relu"], "invalid choice"),
    ("sample", ["--no-such-option"], "unrecognized arguments"),
    ("plot", [], "the following arguments are required"),
])
def test_parse_errors_exit_2_with_one_line(capsys, command, args, text):
    assert main([command, *args]) == 2
    assert text in one_error_line(capsys, command)


def test_plot_of_a_missing_file_is_one_line(tmp_path, capsys):
    assert main(["plot", str(tmp_path / "nothing.nc")]) == 2
    assert "nothing.nc" in one_error_line(capsys, "plot")


def test_plot_of_a_file_that_is_not_a_result_is_one_line(tmp_path, capsys):
    (tmp_path / "notes.nc").write_text("not netCDF")
    assert main(["plot", str(tmp_path / "notes.nc")]) == 2
    assert "cannot read" in one_error_line(capsys, "plot")


def test_a_real_process_prints_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "meanfield_cli", "solve", "--N", "0"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("meanfield solve: error: Network.N")


# --------------------------------------------------------------------------- theory end to end
def test_solve_saves_the_path_of_a_direct_call(tmp_path, capsys):
    import meanfield as mf
    from meanfield.results import load

    out = tmp_path / "path.nc"
    assert main(["solve", *TINY, "--g", "1.2", "--J0", "1.5", "--seed", "3", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert out.exists()
    path = load(out)
    assert isinstance(path, mf.PopulationPath)
    direct = mf.solve(mf.Network(N=50, g=1.2, J0=1.5), grid=mf.TimeGrid(0.1, 2.0), seed=3)
    np.testing.assert_array_equal(path.h, direct.h)
    np.testing.assert_array_equal(path.delta, direct.delta)
    assert path.rank == direct.rank
    assert f"h(T) = {direct.h[-1]:+.4f}" in text and f"rank = {direct.rank}" in text
    assert f"Delta(T,T) = {direct.delta[-1, -1]:.4f}" in text


def test_solve_passes_the_inputs(tmp_path):
    import meanfield as mf
    from meanfield.results import load

    out = tmp_path / "driven.nc"
    assert main(["solve", *TINY, "--I0", "0.3", "--A", "0.5", "--kappa", "2", "--seed", "4", "--out", str(out)]) == 0
    inputs = mf.Inputs(uniform=mf.UniformInput(I0=0.3), sparse=mf.SparseInput(kappa=2.0, A=0.5))
    direct = mf.solve(mf.Network(N=50, g=0.8, J0=2.0), inputs, mf.TimeGrid(0.1, 2.0), seed=4)
    np.testing.assert_array_equal(load(out).h, direct.h)
    undriven = mf.solve(mf.Network(N=50, g=0.8, J0=2.0), grid=mf.TimeGrid(0.1, 2.0), seed=4)
    assert not np.array_equal(direct.h, undriven.h)


def test_sample_saves_the_ensemble_of_a_direct_call_and_prints_probabilities(tmp_path, capsys):
    import meanfield as mf
    from meanfield.results import load

    out = tmp_path / "theory.nc"
    assert main(["sample", *TINY, "--n-samples", "4", "--seed", "5", "--no-progress", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    ens = load(out)
    assert isinstance(ens, mf.TheoryEnsemble) and ens.n_samples == 4
    direct = mf.sample(mf.Network(N=50, g=0.8, J0=2.0), grid=mf.TimeGrid(0.1, 2.0), n_samples=4, seed=5,
                       progress=False)
    np.testing.assert_array_equal(ens.h, direct.h)
    np.testing.assert_array_equal(ens.delta_tt, direct.delta_tt)
    rows = [line.split() for line in text.splitlines() if line.strip().split(" ")[0] in STATES]
    assert {r[0] for r in rows} == STATES
    for r in rows:
        p, low, high = float(r[1]), float(r[2].strip("[,")), float(r[3].strip("]"))
        assert 0.0 <= low <= p <= high <= 1.0
    assert sum(int(r[4].strip("()").split("/")[0]) for r in rows) == 4


# --------------------------------------------------------------------------- simulation end to end
def test_simulate_prints_a_row_per_network_and_writes_the_png(tmp_path, capsys, one_numba_thread):
    import simulate
    from meanfield.results import load

    out = tmp_path / "networks.nc"
    assert main(["simulate", *TINY, "--n-samples", "3", "--seed", "7", "--plot", "--no-progress",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    rows = table_rows(text)
    assert [r[0] for r in rows] == ["0", "1", "2"]
    assert all(r[2] in STATES for r in rows)
    png = out.with_suffix(".png")
    assert png.exists() and png.read_bytes()[:8] == PNG_MAGIC
    ens = load(out)
    assert isinstance(ens, simulate.SimulationEnsemble) and ens.n_samples == 3
    import meanfield as mf

    direct = simulate.sample(mf.Network(N=50, g=0.8, J0=2.0), grid=mf.TimeGrid(0.1, 2.0), n_samples=3, seed=7,
                             progress=False)
    np.testing.assert_array_equal(ens.h, direct.h)
    assert [float(r[1]) for r in rows] == pytest.approx(direct.h[:, -1], abs=5e-5)
    counts = dict(re.findall(r"(\w+) (\d+)", text.split("state counts:")[1].splitlines()[0]))
    assert sum(int(v) for v in counts.values()) == 3


def test_simulate_one_network_is_simulate_run(tmp_path, capsys, one_numba_thread):
    import meanfield as mf
    import simulate
    from meanfield.results import load

    out = tmp_path / "one.nc"
    assert main(["simulate", *TINY, "--seed", "8", "--dtype", "float32", "--out", str(out)]) == 0
    assert len(table_rows(capsys.readouterr().out)) == 1
    res = load(out)
    assert isinstance(res, simulate.SimulationResult)
    direct = simulate.run(mf.Network(N=50, g=0.8, J0=2.0), grid=mf.TimeGrid(0.1, 2.0), seed=8, dtype=np.float32)
    np.testing.assert_array_equal(res.h, direct.h)


def test_simulate_rejects_bad_parameters(tmp_path, capsys):
    assert main(["simulate", "--out", str(tmp_path / "x.nc"), "--N", "1"]) == 2
    assert "N" in capsys.readouterr().err


# --------------------------------------------------------------------------- plot
def test_plot_draws_h_per_sample_of_a_saved_ensemble(tmp_path, capsys):
    out = tmp_path / "theory.nc"
    assert main(["sample", *TINY, "--n-samples", "3", "--no-progress", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["plot", str(out)]) == 0
    png = out.with_suffix(".png")
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert "paths plot" in capsys.readouterr().out


def test_plot_draws_histograms_of_an_exponent_ensemble(tmp_path, capsys):
    import meanfield as mf

    lyap = mf.lyapunov.lyapunov_ensemble(mf.Network(N=50, g=0.8, J0=2.0), grid=mf.TimeGrid(0.1, 2.0), n_samples=3,
                                         seed=1, micro_window=(0.5, 2.0), progress=False)
    src = lyap.save(tmp_path / "lyap.nc")
    png = tmp_path / "lyap.png"
    assert main(["plot", str(src), "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert "histograms plot" in capsys.readouterr().out


def test_plot_falls_back_to_every_variable(tmp_path):
    import xarray as xr

    from meanfield_cli.plots import classify, plot_dataset

    ds = xr.Dataset({"chi": (("sample", "time"), np.ones((2, 5))), "w": (("node",), np.arange(4.0)),
                     "flag": (("node",), np.zeros(4, dtype=bool))},
                    coords={"time": np.linspace(0, 1, 5), "sample": [0, 1], "node": np.arange(4)},
                    attrs={"result_class": "somewhere.Unknown"})
    assert classify(ds) == "generic"
    assert plot_dataset(ds, tmp_path / "g.png") == "generic"
    assert (tmp_path / "g.png").read_bytes()[:8] == PNG_MAGIC
    with pytest.raises(ValueError, match="nothing|no 1-D"):
        plot_dataset(xr.Dataset({"flag": (("node",), np.zeros(3, dtype=bool))}), tmp_path / "n.png")


def test_two_stimuli_over_samples_are_histograms_and_many_columns_are_not(tmp_path):
    import xarray as xr

    from meanfield_cli.plots import classify, plot_dataset

    pair = xr.Dataset({"h_T": (("sample", "stimulus"), np.random.default_rng(0).normal(size=(10, 2)))})
    assert classify(pair) == "histograms"
    assert plot_dataset(pair, tmp_path / "pair.png") == "histograms"
    wide = xr.Dataset({"x": (("sample", "neuron"), np.zeros((3, 50)))})
    assert classify(wide) == "generic"


def test_plot_draws_the_comparisons_of_a_validation_run(tmp_path, capsys):
    # a synthetic run: two checks, three comparisons with known verdicts (no ensembles computed)
    from validation.checks.base import CheckResult
    from validation.pipeline import ValidationRun
    from validation.statistics import compare_proportions

    from meanfield_cli.plots import classify

    comps = [compare_proportions(k, 100, 50, 100, tolerance=0.1, tolerance_reason="test", alpha=0.01,
                                 label=f"P, k={k}", N=500) for k in (50, 52, 90)]
    results = tuple(CheckResult(name=name, title=name, description={}, comparisons=tuple(c), convergence=(),
                                verdict=c[0].verdict, findings=(), metrics={}, plot_data={})
                    for name, c in (("x", comps[:2]), ("y", comps[2:])))
    path = ValidationRun(results=results, meta={"package_version": "0"}).save(tmp_path / "run.nc")
    from meanfield.results import load

    assert classify(load(path).to_xarray()) == "comparisons"
    assert main(["plot", str(path)]) == 0
    assert path.with_suffix(".png").read_bytes()[:8] == PNG_MAGIC
    assert "comparisons plot" in capsys.readouterr().out
    assert [c.verdict.value for c in comps][2] == "fail"  # 0.9 against 0.5 is decisively outside 0.1


def test_output_places_are_checked_before_any_compute(tmp_path, capsys, monkeypatch):
    import meanfield as mf
    import meanfield.arguments

    def no_compute(*args, **kwargs):
        raise AssertionError("computed although the output place is unusable")

    monkeypatch.setattr(mf, "sample", no_compute)
    monkeypatch.setattr(meanfield.arguments, "_free_bytes", lambda folder: 1024)  # a full disk
    assert main(["sample", *TINY, "--out", str(tmp_path / "theory.nc")]) == 2
    assert "is full" in capsys.readouterr().err
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    monkeypatch.undo()
    assert main(["figures", "--smoke", "--out", str(a_file)]) == 2
    assert capsys.readouterr().err.startswith(f"meanfield figures: error: --out {a_file} is a file")
    assert main(["validate", "--smoke", "--cache", str(a_file)]) == 2
    assert capsys.readouterr().err.startswith(f"meanfield validate: error: --cache {a_file} is a file")
