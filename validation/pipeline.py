"""One validation run: requests of the selected checks -> one sweep -> evaluations -> report.

:func:`run_validation` is what ``python -m validation`` calls; it is also the
Python entry point::

    from validation import run_validation, QUICK
    run = run_validation(QUICK, out_dir="validation_report", workers=2)
    print(run.results[0].verdict)
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from meanfield.backends import open_backend
from meanfield.jsonable import to_jsonable
from meanfield.results import FORMAT, LabelledResult, package_version

from .checks import Data, not_run, select
from .requests import SimulationRequest, TheoryRequest, n_items, seconds
from .requests_paired import PairedRequest
from .sweep import merge_requests, run_sweep


@dataclass(frozen=True, eq=False)
class ValidationRun(LabelledResult):
    """Results of :func:`run_validation`: every check's result, the run's metadata and the report path.

    A :class:`meanfield.results.LabelledResult`: :meth:`to_xarray` gives one
    row per comparison (dimension ``comparison``; each labelled with its
    ``check``, network size ``N`` (-1 where none) and ``kind``) holding the
    numbers behind every verdict (``discrepancy``, its interval, ``resolution``,
    ``se``, ``p_value``, ``tolerance``, ``alpha``, ``verdict``), and one row per
    check (dimension ``check``: ``check_verdict`` and the counts of each
    verdict). The comparisons are the natural table of a run: every metric is
    defined per comparison, and a comparison belongs to one check and one N,
    so selecting a check or a size is a ``where`` on these labels. The full
    results (findings, convergence fits, metrics) and ``meta`` (preset,
    seeds and parameters of every ensemble, timings) are JSON attributes, so
    :meth:`save` / :meth:`load` restore them; the figure data
    (``CheckResult.plot_data``) is not saved.

    Attributes
    ----------
    results : tuple of validation.checks.CheckResult
    meta : dict
    report : path or None
        The index.html written, or None.
    """

    results: tuple
    meta: dict
    report: object = None

    _COMPARISON_NUMBERS = ("discrepancy", "resolution", "se", "p_value", "tolerance", "alpha")

    def to_xarray(self):
        import json

        import xarray as xr

        comps = [(r.name, c) for r in self.results for c in r.comparisons]
        on_c = ("comparison",)
        data = {
            "check_of_comparison": (on_c, np.array([n for n, _ in comps], dtype=object).astype(str)),
            "label": (on_c, np.array([c.label for _, c in comps], dtype=object).astype(str)),
            "kind": (on_c, np.array([c.kind for _, c in comps], dtype=object).astype(str)),
            "N": (on_c, np.array([-1 if c.N is None else int(c.N) for _, c in comps], dtype=np.int64)),
            "interval_low": (on_c, np.array([c.interval[0] for _, c in comps], dtype=float)),
            "interval_high": (on_c, np.array([c.interval[1] for _, c in comps], dtype=float)),
            "verdict": (on_c, np.array([c.verdict.value for _, c in comps], dtype=object).astype(str)),
            **{k: (on_c, np.array([getattr(c, k) for _, c in comps], dtype=float))
               for k in self._COMPARISON_NUMBERS},
            "check_verdict": (("check",), np.array([r.verdict.value for r in self.results], dtype=object).astype(str)),
            **{f"n_{v}": (("check",), np.array([r.counts()[v] for r in self.results], dtype=np.int64))
               for v in ("pass", "fail", "inconclusive")},
        }
        attrs = {
            "result_class": f"{type(self).__module__}.{type(self).__qualname__}",
            "format": FORMAT,
            "package_version": self.meta.get("package_version", package_version()),
            "provenance": json.dumps(None),
            "field:results": json.dumps(to_jsonable([r.to_dict() for r in self.results])),
            "field:meta": json.dumps(to_jsonable(self.meta)),
            "field:report": json.dumps(None if self.report is None else str(self.report)),
        }
        coords = {"comparison": np.arange(len(comps)), "check": np.array([r.name for r in self.results], dtype=str)}
        return xr.Dataset(data, coords=coords, attrs=attrs)

    @classmethod
    def from_xarray(cls, ds):
        import json

        from .checks import CheckResult

        stored = ds.attrs.get("result_class")
        if stored != f"{cls.__module__}.{cls.__qualname__}":
            raise ValueError(f"this dataset holds a {stored}, not a validation run")
        results = tuple(CheckResult.from_dict(d) for d in json.loads(ds.attrs["field:results"]))
        return cls(results=results, meta=json.loads(ds.attrs["field:meta"]),
                   report=json.loads(ds.attrs["field:report"]))


def warm_up(requests) -> None:
    """Compile the Numba kernels once in this process (and fill Numba's on-disk cache).

    Worker processes then load compiled code instead of each compiling it at
    the same time, which on 2 cores costs more than a quick run's budget.
    """
    from meanfield.model import InitialState, Inputs, Network, TimeGrid

    tiny = TimeGrid(dt=0.1, T=0.3)
    dtypes, theory = set(), False
    for r in requests:
        if isinstance(r, SimulationRequest):
            dtypes.add(r.dtype)
        theory = theory or isinstance(r, TheoryRequest)
    net = Network(N=8, g=0.8, J0=1.0, f=0.5)
    ss = np.random.SeedSequence(0)
    if theory:
        TheoryRequest(net, Inputs(), tiny, n=1, initial=InitialState()).compute(ss)
    for dt in sorted(dtypes):
        SimulationRequest(net, Inputs(), tiny, n=1, dtype=dt).compute(ss)
    if any(isinstance(r, PairedRequest) for r in requests):
        PairedRequest(net, Inputs(), tiny, n=1).compute(ss)


def _evaluate(check, ensembles, preset):
    """Evaluate one check; realisations that failed are excluded and reported as findings."""
    data = Data(ensembles)
    result = check.evaluate(data, preset)
    notes = []
    for key, bad in data.excluded.items():
        n = len(ensembles[key].items)
        notes.append(f"{len(bad)} of {n} realisations of {key} failed and were excluded "
                     f"(indices {[i for i, _ in bad][:10]}); first error: {bad[0][1][:300]}")
    if notes:
        result = dataclasses.replace(result, findings=tuple(notes) + result.findings)
    return result


def plan(preset, names=None) -> tuple[list, dict]:
    """The selected checks and their merged requests (key -> request).

    A check that requests nothing at ``preset`` is left out (``validation.checks.select``).
    """
    checks = select(names, preset)
    merged = merge_requests([r for c in checks for r in c.requests(preset)])
    return checks, merged


def estimate_seconds(merged: dict) -> float:
    """Single-core seconds of all realisations (rough, from the requests' cost models)."""
    return float(sum(seconds(r) for r in merged.values()))


def run_validation(preset, *, names=None, out_dir=None, cache_dir=None, backend: str = "local",
                   workers: int = 1, scheduler: str | None = None, progress: bool = True,
                   log=print) -> ValidationRun:
    """Run the selected checks at one preset and (optionally) write the report.

    Parameters
    ----------
    preset : validation.presets.Preset
    names : list of str, optional
        Check names (default: all registered).
    out_dir : path, optional
        Report folder (index.html, PNGs, metrics.json); None writes nothing.
    cache_dir : path, optional
        Resumable ensemble cache; None keeps everything in memory.
    backend : {"local", "dask"}
    workers : int
    scheduler : str, optional
        Address of a running Dask scheduler (backend "dask" only).
    progress : bool
    log : callable
        Receives one-line progress messages (``print`` by default).
    """
    t0 = time.perf_counter()
    checks, merged = plan(preset, names)
    skipped = not_run(preset) if not names else {}
    est = estimate_seconds(merged)
    n_real = sum(n_items(r) for r in merged.values())
    log(f"validation [{preset.name}]: checks {', '.join(c.name for c in checks)}; {len(merged)} ensembles, "
        f"{n_real} realisations, about {est / max(1, workers) / 60:.1f} min of compute on {workers} worker(s)")
    for name, why in skipped.items():
        log(f"check {name} is {why}")
    warm_up(merged.values())
    t_warm = time.perf_counter()
    with open_backend(backend, workers, scheduler) as be:
        ensembles = run_sweep(list(merged.values()), root_seed=preset.root_seed, cache_dir=cache_dir,
                              backend=be, workers=workers, progress=progress)
    t_sweep = time.perf_counter()
    results = tuple(_evaluate(c, ensembles, preset) for c in checks)
    t_eval = time.perf_counter()
    meta = {
        "preset": preset.to_dict(), "sizes": list(preset.sizes), "package_version": package_version(),
        "backend": backend, "workers": workers, "checks": [c.name for c in checks],
        "not_run": skipped,
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "timings_seconds": {"warm_up": t_warm - t0, "sweep": t_sweep - t_warm, "evaluate": t_eval - t_sweep},
        "ensembles": [{"key": k, "kind": e.request.kind, "n": len(e.items), "seed": e.seed,
                       "failed": [i for i, _ in e.failures()], "params": e.request.params()}
                      for k, e in ensembles.items()],
    }
    report = None
    if out_dir is not None:
        from .report import write_report

        meta["wall_seconds"] = time.perf_counter() - t0
        report = write_report(out_dir, results, checks, meta)
        meta["timings_seconds"]["report"] = time.perf_counter() - t_eval
    meta["wall_seconds"] = time.perf_counter() - t0
    run = ValidationRun(results=tuple(results), meta=meta, report=report)
    if out_dir is not None:
        run.save(Path(out_dir) / "run.nc")  # the same numbers as metrics.json, as labelled arrays
    return run
