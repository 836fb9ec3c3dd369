"""The meanfield-demo console script (simulate/demo.py) on a small network."""

import re

from simulate import demo


def test_demo_prints_a_row_per_network_and_writes_the_png(tmp_path, capsys):
    out = tmp_path / "demo"
    assert demo.main(["--out", str(out), "--N", "200", "--T", "30", "--realisations", "3"]) == 0
    text = capsys.readouterr().out
    rows = [line.split() for line in text.splitlines() if re.match(r"^\s+\d+\s+-?\d", line)]
    assert [r[0] for r in rows] == ["0", "1", "2"]
    assert all(r[2] in {"quiescent", "coherent", "oscillatory", "irregular"} for r in rows)
    png = out / "h_trajectories.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_rejects_bad_parameters(tmp_path, capsys):
    assert demo.main(["--out", str(tmp_path), "--N", "1"]) == 2
    assert "N" in capsys.readouterr().err
