"""The one-off programs of ``scripts/`` on their smallest settings: they run and write what they say."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import meanfield as mf

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def load_script(name: str):
    """Import ``scripts/<name>.py`` as a module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_interval(est: dict, value: str = "p", lo: float = -float("inf"), hi: float = float("inf")):
    """An interval that contains its point estimate, all within [lo, hi]."""
    assert lo <= est["low"] <= est[value] <= est["high"] <= hi, est


def test_theory_tail_probabilities_quick(tmp_path, capsys):
    script = load_script("theory_tail_probabilities")
    out = tmp_path / "tail.json"
    assert script.main(["--quick", "--points", "0.8,2;0.5,3", "--out", str(out), "--no-progress"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "P(|h(2)| > 0.5)" in line]
    assert len(lines) == 2
    saved = json.loads(out.read_text())
    assert saved["version"]
    rows = saved["results"]
    assert [(r["g"], r["J0"]) for r in rows] == [(0.8, 2.0), (0.5, 3.0)]
    for r in rows:
        p = r["probability"]
        assert p["n"] == 8 and 0 <= p["k"] <= p["n"]
        check_interval(p, lo=0.0, hi=1.0)
        assert p["p"] == pytest.approx(p["k"] / p["n"])
        assert r["T"] == 2.0 and mf.SolverSettings(**r["settings"]) == mf.SolverSettings()


def test_theory_tail_probabilities_explicit_options_beat_quick(tmp_path):
    script = load_script("theory_tail_probabilities")
    out = tmp_path / "tail.json"
    assert script.main(["--quick", "--samples", "5", "--points", "0.8,2", "--out", str(out), "--no-progress"]) == 0
    assert json.loads(out.read_text())["results"][0]["probability"]["n"] == 5


def test_lyapunov_discrimination_numbers_quick(tmp_path, capsys):
    script = load_script("lyapunov_discrimination_numbers")
    out = tmp_path / "numbers.json"
    assert script.main(["--quick", "--out", str(out)]) == 0
    saved = json.loads(out.read_text())
    assert set(saved) == {"settings", "theory", "simulation", "seconds"}
    assert saved["settings"]["T"] == 2.0
    theory = saved["theory"]["g=0.8,J0=2.0"]
    sim = saved["simulation"]["N=60,g=0.8,J0=2.0"]
    for rec in (theory, sim):
        for key in ("macro_median", "maximal_median"):
            check_interval(rec[key], value="value")
        check_interval(rec["p_sign_correct"], value="value", lo=0.0, hi=1.0)
        assert set(rec["sign_scores"]) <= {0.0, 0.5, 1.0}
        assert len(rec["macro"]) == len(rec["maximal"]) == 2
    check_interval(theory["micro_median"], value="value")
    # --table re-reads the saved file and prints one row per case
    capsys.readouterr()
    assert script.main(["--table", str(out)]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 3 and rows[1].startswith("the g=0.8") and rows[2].startswith("sim N=60")


def test_square_root_ablation_quick(tmp_path):
    script = load_script("square_root_ablation")
    out = tmp_path / "ablation.json"
    assert script.main(["--quick", "--out", str(out)]) == 0
    saved = json.loads(out.read_text())
    assert {"params", "seconds", "causal", "symmetric", "simulation"} <= set(saved)
    assert saved["params"]["N"] == 60 and saved["params"]["samples"] == 6
    assert 0 <= saved["symmetric_converged"] <= 6
    for name in ("causal", "symmetric", "simulation"):
        rec = saved[name]
        check_interval(rec["P_abs_h_gt_theta"], lo=0.0, hi=1.0)
        lo, hi = rec["var_h_ci"]
        assert 0.0 <= lo <= hi and rec["var_h"] >= 0.0
        assert rec["delta_TT_mean"] >= 0.0 and rec["delta_TT_sem"] >= 0.0
    for name in ("causal", "symmetric"):
        assert 0.0 <= saved[name]["ks_vs_simulation_p"] <= 1.0


def test_reservoir_ftle_selection_small(tmp_path, capsys):
    script = load_script("reservoir_ftle_selection")
    out = tmp_path / "selection.json"
    script.main(["--N", "40", "--T", "1500", "--M", "6", "--q", "0.34", "--initial-states", "2",
                 "--out", str(out)])
    saved = json.loads(out.read_text())
    assert set(saved["groups"]) == {"lowest FTLE", "random", "highest FTLE"}
    ftle = np.array(saved["macro_ftle"])
    low, high = saved["groups"]["lowest FTLE"], saved["groups"]["highest FTLE"]
    assert len(low["realisations"]) == 2 and max(low["macro_ftle"]) <= min(high["macro_ftle"])
    assert sorted(low["macro_ftle"]) == sorted(np.sort(ftle)[:2].tolist())
    acc = np.array(saved["accuracy"])
    assert acc.shape == (6, 2) and np.all((0 <= acc) & (acc <= 1))
    mean, lo, hi = low["accuracy"]
    assert lo <= mean <= hi
    assert "Spearman" in capsys.readouterr().out


def test_reservoir_ftle_theory_small(tmp_path, capsys):
    script = load_script("reservoir_ftle_theory")
    out = tmp_path / "ftle_theory.json"
    script.main(["--N", "40", "80", "--steps", "60", "--M", "4", "--theory-samples", "2", "--out", str(out)])
    saved = json.loads(out.read_text())
    assert len(saved["theory"]) == 2 and [s["N"] for s in saved["sizes"]] == [40, 80]
    check_interval(saved["p_theory"], lo=0.0, hi=1.0)
    for size in saved["sizes"]:
        assert len(size["measured"]) == 4
        assert 0.0 <= size["ks"]["D"] <= 1.0 and 0.0 <= size["ks"]["p"] <= 1.0
        check_interval(size["p_measured"], lo=0.0, hi=1.0)
    assert "KS D = " in capsys.readouterr().out


def test_reservoir_zeta_predictor_small(tmp_path, capsys):
    script = load_script("reservoir_zeta_predictor")
    out = tmp_path / "zeta.json"
    script.main(["--N", "64", "--M", "8", "--steps", "40", "--out", str(out)])
    saved = json.loads(out.read_text())
    assert saved["k_max"] == 16 and np.array(saved["zeta"]).shape == (8, 16)
    rho, lo, hi = saved["summary"]["loop gain Khat_c(0)"]["spearman"]
    assert -1.0 <= lo <= rho <= hi <= 1.0
    # the score is the loop gain of the saved zeta (meanfield.learning, independent of the script's loop)
    c, g, J0 = saved["c"], 1.5, 1.0
    ref = c * J0 * (np.array(saved["zeta"]) * (c * g) ** np.arange(1, 17)).sum(axis=1)
    assert np.allclose(saved["predictors"]["loop gain Khat_c(0)"], ref, rtol=1e-10)
    assert "cost:" in capsys.readouterr().out


def test_reservoir_coherent_memory_small(tmp_path, capsys):
    script = load_script("reservoir_coherent_memory")
    out = tmp_path / "coherent.json"
    script.main(["--N", "40", "--points", "0.8", "2.0", "--amplitudes", "5", "--M", "2", "--T", "1200",
                 "--out", str(out)])
    saved = json.loads(out.read_text())
    (row,) = saved["rows"]
    assert len(row["runs"]) == 2 and set(row["median"]) == {"all features", "h only", "sign of h", "mean |h|"}
    # the sign readout takes the better orientation: never below one half
    assert all(0.5 <= r["sign of h"] <= 1.0 and 0.0 <= r["h only"] <= 1.0 for r in row["runs"])
    assert "h only" in capsys.readouterr().out


def test_reservoir_recall_theory_small(tmp_path, capsys):
    script = load_script("reservoir_recall_theory")
    out = tmp_path / "recall.json"
    script.main(["--N", "64", "--delays", "2", "--theory-samples", "4", "--networks", "6", "--trained", "2",
                 "--T", "1500", "--p", "0.05", "--out", str(out)])
    (row,) = json.loads(out.read_text())["rows"]
    assert row["D"] == 2 and 0.0 <= row["theory_both_lower_bound"] <= row["theory_p_correct"] <= 1.0
    check_interval(row["networks_both"], lo=0.0, hi=1.0)
    assert len(row["trained_accuracy"]) == 2
    assert "both right" in capsys.readouterr().out


def test_whitening_deficit_diagnostics():
    script = load_script("whitening_deficit")
    # pooled variance with networks as clusters: (3 * 1 + 1 * 4) / 4
    est, se = script.pooled_variance([np.ones(3), np.full(1, 2.0)])
    assert est == pytest.approx(7 / 4) and se > 0
    # a unit profile leaves the innovations, hence the paths, unchanged; a smaller one narrows h early on
    same = script.ensemble_effect(3, 1.5, 1.0, 4.0, [2.0, 4.0], profile=((0.0, np.inf, 1.0),))
    np.testing.assert_array_equal(same["h_theory"], same["h_scaled"])
    half = script.ensemble_effect(4, 1.5, 1.0, 2.0, [2.0], profile=((0.0, np.inf, 0.25),))
    assert np.all(np.abs(half["h_scaled"]) < np.abs(half["h_theory"]))
    scan = script.tolerance_scan(120, 2, 6.0, 1.5, 1.0, tols=(1e-2, 1e-4))
    for d in scan.values():
        assert len(d["s"]) + d["skipped"] == 2
        for xi, t in zip(d["s"], d["t"]):
            assert np.all(np.isfinite(xi)) and np.all(np.diff(t) > 0) and xi.size == t.size
    # a smaller tolerance keeps more pivots
    assert sum(x.size for x in scan[1e-4]["s"]) > sum(x.size for x in scan[1e-2]["s"])
