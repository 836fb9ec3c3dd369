"""Figure 11 (pretraining toward zero macro FTLE): rendered from the experiment's record, or a clear note without it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from paper_figures.figures import MODULES, fig11_pretraining as fig11  # noqa: E402
from paper_figures.style import paper_style  # noqa: E402


def test_registered_without_ensembles():
    assert "fig11_pretraining" in MODULES
    assert fig11.requests(None) == []


def test_curves_are_sorted_by_delay_and_by_pulse_interval():
    groups = {g: {"accuracy_ci95": [0.0, 0.0, 0.0]} for g in fig11.GROUPS}

    def entry(m):
        return {g: {"accuracy_ci95": [m, m - 0.1, m + 0.1]} for g in groups}

    record = {"summary": {"tasks": {"recall_D100": entry(0.7), "recall_D10": entry(1.0),
                                    "flipflop_p0.01": entry(0.9), "flipflop_p0.002": entry(0.8)}}}
    x, ys = fig11.curves(record, "recall_D")
    assert list(x) == [10.0, 100.0] and ys["pretrained"][:, 0].tolist() == [1.0, 0.7]
    x, ys = fig11.curves(record, "flipflop_p")
    assert x.tolist() == pytest.approx([100.0, 500.0]) and ys["ESN"][:, 0].tolist() == [0.9, 0.8]


def test_missing_record_gives_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(fig11, "RECORD", tmp_path / "absent.json")
    with paper_style():
        r = fig11.render(None, None)
    assert r.parameters == {} and "scripts/pretraining_delay.py" in r.notes[0]


@pytest.mark.skipif(not fig11.RECORD.exists(), reason="run scripts/pretraining_delay.py to produce the record")
def test_renders_the_committed_record(tmp_path):
    record = json.loads(fig11.RECORD.read_text())
    with paper_style():
        r = fig11.render(None, None)
        r.fig.savefig(tmp_path / "fig11.png")
    assert (tmp_path / "fig11.png").stat().st_size > 1000
    assert r.parameters["versions"]["reservoirpy"]
    assert set(r.parameters["tasks"]) == {f"recall_D{D}" for D in (10, 30, 100, 300)} | {
        f"flipflop_p{p}" for p in (0.01, 0.005, 0.002)}
    assert record["args"]["M"] >= 30 and f"{record['args']['M']} realisations" in r.reading
