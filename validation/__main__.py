"""Command line: ``python -m validation`` (console script ``meanfield-validate``).

Examples::

    python -m validation --quick                      # the README's main job, about 6 min on 2 cores
    python -m validation --full --cache .validation_cache --workers 2
    python -m validation --quick --only b d --out report_bd
    python -m validation --full --only k --cache .validation_cache   # check k is not run at --quick
    python -m validation --smoke --backend dask --workers 2
"""

from __future__ import annotations

import argparse
import os
import sys

from meanfield.arguments import writable_directory
from meanfield.backends import BACKENDS

from .checks import CHECKS
from .presets import get_preset


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, ``<prog>: error: <message>``, with exit status 2.

    argparse's own ``error`` prints the usage block first (five lines or
    more); every bad input of the programs is one line instead, as in
    ``meanfield``. ``paper_figures/make_figures.py`` uses it too.
    """

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(str(message).split())}\n")

    def parse_or_status(self, argv):
        """``(args, None)``, or ``(None, status)`` after ``--help`` (0) or a one-line error (2)."""
        try:
            return self.parse_args(argv), None
        except SystemExit as exc:
            return None, 0 if exc.code is None else int(exc.code)


def build_parser(prog: str = "python -m validation") -> argparse.ArgumentParser:
    p = OneLineParser(
        prog=prog,
        description="Mean-field theory against finite-N simulation: run the checks and write an HTML report "
                    "(index.html, PNG figures, metrics.json).")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="preset", action="store_const", const="quick",
                      help="default parameter set, N in {500, 1000}, about 6 minutes on 2 cores (default)")
    size.add_argument("--full", dest="preset", action="store_const", const="full",
                      help="publication setting, N in {500, 1000, 2000, 4000}: hours; use --cache to resume")
    size.add_argument("--smoke", dest="preset", action="store_const", const="smoke",
                      help="tiny end-to-end run for CI (< 40 s)")
    p.add_argument("--out", default=None, help="report folder (default: validation_report_<preset>)")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: 2 for quick/full, 1 for smoke; at most the cores)")
    p.add_argument("--cache", default=None,
                   help="ensemble cache folder; finished realisations are reused and an interrupted run resumes")
    p.add_argument("--backend", choices=BACKENDS, default="local",
                   help="local process pool (default) or Dask distributed (LocalCluster unless --scheduler)")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (with --backend dask)")
    p.add_argument("--only", nargs="+", metavar="CHECK", choices=sorted(CHECKS),
                   help=f"run only these checks ({', '.join(sorted(CHECKS))}); a check a preset does not run "
                        "(k at --quick) is an error")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(preset="quick")
    return p


def main(argv=None, prog: str | None = None) -> int:
    """Run the report; ``prog`` names the program in help and errors (``meanfield validate`` forwards here).

    Returns the exit status: 0 (also after ``--help``), or 2 after one line
    ``<prog>: error: ...`` on stderr for a bad option or argument.
    """
    parser = build_parser() if prog is None else build_parser(prog)
    args, status = parser.parse_or_status(argv)
    if args is None:
        return status

    def fail(message) -> int:
        print(f"{parser.prog}: error: {' '.join(str(message).split())}", file=sys.stderr)
        return 2

    preset = get_preset(args.preset)
    workers = args.workers
    if workers is None:
        workers = 1 if preset.name == "smoke" else max(1, min(2, os.cpu_count() or 1))
    if workers < 1:
        return fail(f"--workers must be >= 1, got {workers}")
    if args.scheduler is not None and args.backend != "dask":
        return fail("--scheduler needs --backend dask")
    out = args.out or f"validation_report_{preset.name}"
    from .pipeline import run_validation

    try:  # output places are checked before any compute: a bad --out must not cost a run
        writable_directory("--out", out)
        if args.cache is not None:
            writable_directory("--cache", args.cache)
        run = run_validation(preset, names=args.only, out_dir=out, cache_dir=args.cache, backend=args.backend,
                             workers=workers, scheduler=args.scheduler, progress=not args.no_progress)
    except ValueError as exc:
        return fail(exc)
    width = max(len(r.title) for r in run.results)
    print()
    for r in run.results:
        print(f"({r.name}) {r.title:<{width}}  {r.verdict.value.upper():<12} {r.summary()}")
        for f in r.convergence:
            print(f"      {f.describe()}")
    for name, why in run.meta.get("not_run", {}).items():
        print(f"({name}) {CHECKS[name].title:<{width}}  {'NOT RUN':<12} {why}")
    print(f"\nreport: {run.report}  ({run.meta['wall_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
