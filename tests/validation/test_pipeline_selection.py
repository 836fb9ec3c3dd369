"""Which checks a preset runs: a check that requests nothing at a preset is left out, and says why.

Check k (learning curves) has no reservoirs at ``quick`` (one realisation costs more than that
job's budget): it is out of quick's default selection, named in the run's ``not_run`` with its
reason, and asking for it there is an error that points to ``--full`` and the script. ``full``
and ``smoke`` run it; the smoke preset's check k runs end to end here.
"""

from __future__ import annotations

import dataclasses
import html
import json

import pytest

from validation.__main__ import build_parser, main
from validation.checks import CHECKS, not_run, select
from validation.checks.learning_curve import LearningCurveRequest
from validation.pipeline import plan, run_validation
from validation.presets import FULL, QUICK, SMOKE, Sizes


def test_quick_leaves_k_out_and_says_why():
    names = [c.name for c in select(None, QUICK)]
    assert names == [n for n in CHECKS if n != "k"]
    (why,) = not_run(QUICK).values()
    assert list(not_run(QUICK)) == ["k"]
    assert why.startswith("not run at the quick preset: ") and "--full" in why and "scripts/learning_curves.py" in why
    checks, merged = plan(QUICK)
    assert "k" not in [c.name for c in checks]
    assert not any(isinstance(r, LearningCurveRequest) for r in merged.values())


@pytest.mark.parametrize("preset", [FULL, SMOKE], ids=lambda p: p.name)
def test_full_and_smoke_run_k(preset):
    assert [c.name for c in select(None, preset)] == list(CHECKS)
    assert not_run(preset) == {}
    _, merged = plan(preset)
    (req,) = [r for r in merged.values() if isinstance(r, LearningCurveRequest)]
    ((N, n),) = preset.learning_networks.per_N
    assert (req.reservoir.network.N, req.n, req.P, req.draws) == (N, n, preset.learning_P, preset.learning_draws)


def test_asking_for_k_at_quick_is_an_error_pointing_to_full_and_the_script(capsys):
    for call in (lambda: select(["k"], QUICK), lambda: select(["b", "k"], QUICK), lambda: plan(QUICK, ["k"]),
                 lambda: run_validation(QUICK, names=["k"], log=lambda *a: None)):
        with pytest.raises(ValueError, match=r"check k is not run at the quick preset: .*--full.*"
                                             r"scripts/learning_curves\.py"):
            call()
    assert main(["--quick", "--only", "k", "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "check k is not run at the quick preset" in err and "--full" in err
    # without a preset every registered check can be named, as before
    assert [c.name for c in select(["k"])] == ["k"]
    with pytest.raises(ValueError, match="unknown check"):
        select(["z"], QUICK)


def test_help_lists_k():
    text = " ".join(build_parser().format_help().split())
    assert "(a, b, c, d, e, f, g, h, i, j, k)" in text


def test_a_run_without_k_names_it_in_metrics_report_and_summary(tmp_path, monkeypatch, capsys):
    # only checks a and k registered, and a preset without learning reservoirs: check a is run, k is not
    for name in [n for n in CHECKS if n not in ("a", "k")]:
        monkeypatch.delitem(CHECKS, name)
    preset = dataclasses.replace(SMOKE, name="smoke", learning_networks=Sizes(()))
    monkeypatch.setattr("validation.__main__.get_preset", lambda name: preset)
    out = tmp_path / "report"
    assert main(["--smoke", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    why = metrics["meta"]["not_run"]["k"]
    assert why.startswith("not run at the smoke preset: ") and "--full" in why
    assert [c["name"] for c in metrics["checks"]] == ["a"]
    assert f"(k) {html.escape(why)}" in (out / "index.html").read_text()
    (line,) = [ln for ln in printed.splitlines() if ln.startswith("(k)")]
    assert "NOT RUN" in line and why in line


@pytest.mark.slow
def test_smoke_check_k_end_to_end(tmp_path):
    run = run_validation(SMOKE, names=["k"], out_dir=tmp_path, progress=False, log=lambda *a: None)
    (res,) = run.results
    assert res.name == "k" and res.verdict.value in ("pass", "fail", "inconclusive")
    # judged: n >= 50 of the grid at both noise variances
    assert len(res.comparisons) == 2 * sum(n >= 50 for n in (10, 20, 50, 100, 200, 500, 1000, 2000))
    assert len(res.convergence) == 1 and res.metrics["ratio"]
    page = (tmp_path / "index.html").read_text()
    assert "id='check-k'" in page and "alt='k_learning_curve'" in page and (tmp_path / "k_learning_curve.png").exists()
    assert "theory-regularised SGD minus CV ridge" in page
    assert run.meta["not_run"] == {}
