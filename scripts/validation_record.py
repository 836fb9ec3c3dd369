"""Keep one validation run as a committed record: ``paper_figures/data/validation_full.json``.

Reads ``REPORT/metrics.json`` of a ``meanfield validate`` run and writes the
summary of every check (verdict, counts, summary line, convergence fits,
metrics) with the run's preset, sizes, package version, date and wall time;
figure 13 is drawn from it, and its summary table is printed as Markdown.

Example
-------
    meanfield validate --full --cache .validation_cache --out validation_report_full
    python scripts/validation_record.py validation_report_full
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RECORD = Path(__file__).resolve().parents[1] / "paper_figures" / "data" / "validation_full.json"


def record_of(metrics: dict, wall_seconds: float | None = None) -> dict:
    """The committed record of one run, from its metrics.json (pure).

    ``wall_seconds`` replaces the run's own wall time: a run resumed from a
    cache reports only the time it spent itself.
    """
    meta = metrics["meta"]
    keep = {
        "preset": meta["preset"]["name"], "sizes": meta["sizes"], "package_version": meta["package_version"],
        "finished": meta["finished"], "workers": meta["workers"],
        "wall_seconds": meta["wall_seconds"] if wall_seconds is None else float(wall_seconds),
        "timings_seconds": meta.get("timings_seconds", {}), "not_run": meta.get("not_run", {}),
        "realisations": sum(e["n"] for e in meta.get("ensembles", [])),
    }
    checks = [{k: c[k] for k in ("name", "title", "verdict", "counts", "summary", "findings", "convergence",
                                 "metrics")} for c in metrics["checks"]]
    return {"meta": keep, "checks": checks}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", type=Path, help="report folder of a meanfield validate run (holds metrics.json)")
    ap.add_argument("--out", type=Path, default=RECORD)
    ap.add_argument("--wall-seconds", type=float, default=None,
                    help="wall time of the runs that computed the ensembles, when the report comes from a resumed run")
    args = ap.parse_args(argv)
    src = args.report / "metrics.json"
    if not src.exists():
        raise SystemExit(f"{src} does not exist: give the folder that `meanfield validate --out` wrote")
    record = record_of(json.loads(src.read_text()), args.wall_seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=1, allow_nan=True))
    from paper_figures.figures.fig13_validation import summary_table

    print(summary_table(record))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
