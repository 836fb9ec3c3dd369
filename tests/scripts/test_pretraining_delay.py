"""scripts/pretraining_delay.py on its smallest settings: it runs, resumes, and writes what it says."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pretraining_delay.py"


@pytest.mark.slow
def test_pretraining_delay_smallest_run_and_resume(tmp_path, capsys):
    pytest.importorskip("reservoirpy")   # the ESN group of the comparison ("pip install .[bench]")
    spec = importlib.util.spec_from_file_location("scripts_pretraining_delay", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out, store = tmp_path / "rec.json", tmp_path / "store"
    argv = ["--N", "30", "--M", "2", "--pool", "2", "--T", "1500", "--ftle-steps", "200", "--theory-samples", "1",
            "--theory-zero", "1", "--store", str(store), "--out", str(out)]
    script.main(argv)
    rec = json.loads(out.read_text())
    assert rec["versions"]["reservoirpy"] and rec["versions"]["package"]
    tasks = rec["summary"]["tasks"]
    assert set(tasks) == {f"recall_D{D}" for D in script.DELAYS} | {f"flipflop_p{p}" for p in script.FLIP_P}
    for e in tasks.values():
        for g in script.GROUPS:
            m, lo, hi = e[g]["accuracy_ci95"]
            assert 0.0 <= lo <= m <= hi <= 1.0 and len(e[g]["accuracy"]) == 2
    for e in rec["summary"]["pretraining"].values():
        assert np.all(np.array(e["evaluations"]) >= 1) and len(e["ftle_after"]) == 2
        # the pretrained exponent is never further from zero than the starting one
        assert np.all(np.abs(e["ftle_after"]) <= np.abs(e["ftle_before"]) + 1e-12)
    # a rerun computes nothing new: every unit comes from the store
    n_lines = len((store / "items.jsonl").read_text().splitlines())
    script.main(argv)
    assert len((store / "items.jsonl").read_text().splitlines()) == n_lines
    with pytest.raises(SystemExit, match="other arguments"):
        script.main([*argv[:-4], "--tol", "0.5", "--store", str(store), "--out", str(out)])
