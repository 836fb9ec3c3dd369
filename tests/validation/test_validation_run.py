"""A validation run is a meanfield.results.LabelledResult: labelled table of comparisons, save and load."""

import numpy as np

from meanfield import results
from meanfield.jsonable import to_jsonable
from validation.checks import CHECKS
from validation.pipeline import ValidationRun

from test_validation_checks import LAWS, PRESET, FakeData


def _run():
    res = tuple(CHECKS[name].evaluate(FakeData(LAWS[name], wrong=name == "b"), PRESET) for name in ("a", "b", "d"))
    meta = {"preset": PRESET.to_dict(), "package_version": "0+test", "wall_seconds": float("nan"),
            "ensembles": [{"key": "k", "seed": {"entropy": 1, "spawn_key": [2]}}]}
    return ValidationRun(results=res, meta=meta, report=None)


def test_to_xarray_has_one_row_per_comparison_labelled_by_check_and_size():
    run = _run()
    ds = run.to_xarray()
    comps = [(r.name, c) for r in run.results for c in r.comparisons]
    assert ds.sizes["comparison"] == len(comps) and ds.sizes["check"] == 3
    assert list(ds["check"].values) == ["a", "b", "d"]
    np.testing.assert_array_equal(ds["discrepancy"].values, [c.discrepancy for _, c in comps])
    np.testing.assert_array_equal(ds["check_of_comparison"].values, [n for n, _ in comps])
    np.testing.assert_array_equal(ds["N"].values, [c.N for _, c in comps])
    assert list(ds["check_verdict"].values) == [r.verdict.value for r in run.results]
    assert ds["check_verdict"].values[1] == "fail"
    # select one check's comparisons at one size through the labels
    b500 = ds.where((ds["check_of_comparison"] == "b") & (ds["N"] == 500), drop=True)
    assert b500.sizes["comparison"] == sum(1 for n, c in comps if n == "b" and c.N == 500) > 0
    assert int(ds["n_fail"].sel(check="b")) == run.results[1].counts()["fail"]


def test_save_and_load_round_trip(tmp_path):
    run = _run()
    path = run.save(tmp_path / "run.nc")
    for back in (ValidationRun.load(path), results.load(path)):
        assert isinstance(back, ValidationRun)
        # everything of metrics.json survives (non-finite numbers as null, as in metrics.json)
        assert to_jsonable([r.to_dict() for r in back.results]) == to_jsonable([r.to_dict() for r in run.results])
        assert [r.verdict for r in back.results] == [r.verdict for r in run.results]
        for a, b in zip(back.results, run.results):
            assert [c.label for c in a.comparisons] == [c.label for c in b.comparisons]
            np.testing.assert_array_equal([c.discrepancy for c in a.comparisons], [c.discrepancy for c in b.comparisons])
            np.testing.assert_array_equal([c.p_value for c in a.comparisons], [c.p_value for c in b.comparisons])
            assert [c.interval for c in a.comparisons] == [c.interval for c in b.comparisons]
            assert a.summary() == b.summary() and a.findings == b.findings
        assert back.meta["ensembles"] == run.meta["ensembles"]
        assert back.meta["wall_seconds"] is None  # NaN is stored as null, as in every JSON of the project
        assert back.report is None
        # the labelled table is the same after the round trip
        a, b = back.to_xarray(), run.to_xarray()
        for name in ("discrepancy", "interval_low", "p_value", "verdict", "check_verdict", "N"):
            np.testing.assert_array_equal(a[name].values, b[name].values)
