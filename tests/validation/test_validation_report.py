"""The report end to end: ``python -m validation --smoke`` writes a complete folder, and resumes from its cache."""

import html
import json
import time

import pytest

from validation.__main__ import build_parser, main
from validation.checks import CHECKS


@pytest.mark.slow
def test_smoke_report_end_to_end_and_resume(tmp_path):
    out, cache = tmp_path / "report", tmp_path / "cache"
    t0 = time.perf_counter()
    assert main(["--smoke", "--out", str(out), "--cache", str(cache), "--no-progress"]) == 0
    first = time.perf_counter() - t0
    page = (out / "index.html").read_text()
    metrics = json.loads((out / "metrics.json").read_text())
    # every registered check is in the summary table, the metrics and a figure
    for name, check in CHECKS.items():
        assert f"id='check-{name}'" in page
        assert html.escape(check.title) in page
    names = [c["name"] for c in metrics["checks"]]
    assert names == list(CHECKS)
    for c in metrics["checks"]:
        assert c["verdict"] in ("pass", "fail", "inconclusive")
        assert c["comparisons"] and c["convergence"]
        for comp in c["comparisons"]:
            lo, hi = comp["interval"]
            assert lo <= hi and comp["tolerance"] > 0 and comp["tolerance_reason"]
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) == len(CHECKS)
    # every check's figure, and the paired check's again under the summary table (the headline)
    assert page.count("data:image/png;base64,") == len(CHECKS) + 1
    assert page.index("Paired discrepancies against N") < page.index("id='check-a'")
    meta = metrics["meta"]
    assert meta["preset"]["name"] == "smoke" and meta["package_version"]
    assert all("seed" in e and "params" in e for e in meta["ensembles"])
    # the run is also saved as labelled arrays, with the verdicts of metrics.json
    from meanfield.results import load

    run = load(out / "run.nc")
    assert [r.verdict.value for r in run.results] == [c["verdict"] for c in metrics["checks"]]
    assert list(run.to_xarray()["check"].values) == names
    # a rerun on the same cache recomputes nothing and reproduces every number
    t0 = time.perf_counter()
    assert main(["--smoke", "--out", str(tmp_path / "again"), "--cache", str(cache), "--no-progress"]) == 0
    again = json.loads((tmp_path / "again" / "metrics.json").read_text())
    assert again["checks"] == metrics["checks"]
    assert again["meta"]["timings_seconds"]["sweep"] < max(2.0, 0.5 * meta["timings_seconds"]["sweep"])
    assert first < 60


def test_cli_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--only", "z"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--quick", "--full"])
    assert main(["--smoke", "--workers", "0"]) == 2  # one line and status 2, like every bad input
    assert "--workers must be >= 1" in capsys.readouterr().err
    assert main(["--smoke", "--backend", "local", "--scheduler", "tcp://127.0.0.1:1", "--out", "/nonexistent-x"]) == 2
    assert "scheduler" in capsys.readouterr().err


def test_bad_output_places_are_refused_before_any_compute(tmp_path, capsys, monkeypatch):
    import meanfield.arguments
    import validation.pipeline

    def no_compute(*args, **kwargs):
        raise AssertionError("computed although the output place is unusable")

    monkeypatch.setattr(validation.pipeline, "run_validation", no_compute)
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    assert main(["--smoke", "--out", str(a_file)]) == 2
    assert f"--out {a_file} is a file" in capsys.readouterr().err
    assert main(["--smoke", "--out", str(tmp_path / "report"), "--cache", str(a_file)]) == 2
    assert "--cache" in capsys.readouterr().err
    monkeypatch.setattr(meanfield.arguments, "_free_bytes", lambda folder: 1024)  # a full disk
    assert main(["--smoke", "--out", str(tmp_path / "report")]) == 2
    err = capsys.readouterr().err
    assert "disk holding" in err and "full" in err and err.count("\n") == 1
