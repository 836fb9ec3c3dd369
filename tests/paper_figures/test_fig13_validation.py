"""Figure 13 and its record: one validation run's metrics.json kept as data, drawn without recomputing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from paper_figures.figures import MODULES
from paper_figures.figures import fig13_validation as fig13
from paper_figures.style import paper_style
from tests.scripts.test_scripts import load_script


def metrics_json() -> dict:
    """A metrics.json of two checks in the layout validation.pipeline writes."""
    N = [500, 1000, 2000]
    err = {"mean": [0.4, 0.4 / np.sqrt(2), 0.2], "se": [0.01, 0.01, 0.01], "exponent": 0.5, "exponent_se": 0.02}
    paired = {"N": N, "networks": [10, 10, 10], "sup_delta": err, "sup_chat": err,
              "variance_per_N": {str(n): {"own": [0.92, 0.9, 0.94], "control": [1.0, 0.97, 1.03]} for n in N}}
    conv = [{"metric": "max KS distance", "N": N, "discrepancy": [0.1, 0.07, 0.05], "se": [0.01] * 3}]
    checks = [{"name": "c", "title": "Delta and h", "verdict": "pass", "counts": {"pass": 3, "fail": 0, "inconclusive": 0},
               "summary": "3 pass", "findings": [], "convergence": conv, "metrics": {}, "comparisons": []},
              {"name": "j", "title": "paired", "verdict": "fail", "counts": {"pass": 3, "fail": 1, "inconclusive": 0},
               "summary": "3 pass, 1 fail", "findings": ["x"], "convergence": [], "metrics": paired, "comparisons": []}]
    meta = {"preset": {"name": "full"}, "sizes": N, "package_version": "0.1.0", "finished": "2026-12-01 20:00 UTC",
            "wall_seconds": 5400.0, "workers": 2, "ensembles": [{"n": 40}, {"n": 60}], "not_run": {}}
    return {"meta": meta, "checks": checks}


def test_record_keeps_verdicts_and_the_paired_metrics(tmp_path, capsys):
    report = tmp_path / "report"
    report.mkdir()
    (report / "metrics.json").write_text(json.dumps(metrics_json()))
    out = tmp_path / "record.json"
    assert load_script("validation_record").main([str(report), "--out", str(out)]) == 0
    rec = json.loads(out.read_text())
    assert rec["meta"]["preset"] == "full" and rec["meta"]["realisations"] == 100
    assert [c["verdict"] for c in rec["checks"]] == ["pass", "fail"]
    assert rec["checks"][1]["metrics"]["variance_per_N"]["1000"]["own"] == [0.92, 0.9, 0.94]
    table = capsys.readouterr().out
    assert "| (j) paired | fail | 3 pass, 1 fail, 0 inconclusive |" in table


def test_renders_from_the_record_and_notes_a_missing_one(tmp_path, monkeypatch):
    assert "fig13_validation" in MODULES and fig13.requests(None) == []
    path = tmp_path / "record.json"
    path.write_text(json.dumps(load_script("validation_record").record_of(metrics_json())))
    monkeypatch.setattr(fig13, "RECORD", path)
    with paper_style():
        r = fig13.render(None, None)
    assert r.parameters["verdicts"] == {"c": "pass", "j": "fail"}
    assert "1 pass, 1 fail, 0 inconclusive of 2 checks" in r.reading and "90 min on 2 workers" in r.reading
    # panel (a): the two error curves, their fits and the slope -1/2; panel (c): one ensemble curve and the slope
    assert len(r.fig.axes[0].get_lines()) >= 3 and len(r.fig.axes[2].get_lines()) == 2
    ys = r.fig.axes[2].get_lines()[0].get_ydata()
    np.testing.assert_allclose(ys, [1.0, 0.7, 0.5])
    monkeypatch.setattr(fig13, "RECORD", tmp_path / "absent.json")
    with paper_style():
        r = fig13.render(None, None)
    assert "missing" in r.reading and "validation_record.py" in r.notes[0]
