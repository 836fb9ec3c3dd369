"""Regenerate every figure of the paper: ``python paper_figures/make_figures.py [--quick|--full|--smoke]``.

Each figure module (``paper_figures/figures/``) names the ensembles it
needs; they are computed by the validation sweep engine
(:func:`validation.sweep.run_sweep`) into a resumable on-disk cache, so a
figure reuses ensembles computed for another figure or for a validation run
with the same ``--cache``, and an interrupted run loses nothing that has
finished. Output in ``--out``: ``<figure>.pdf``, ``<figure>.png`` and
``<figure>.json`` (caption data: parameters, N, numbers of realisations and
samples, seeds, package version, wall time), and the gallery page. That
folder is regenerated and not committed (default ``paper_figures/output/``);
each regenerated PNG is also copied to ``gallery/`` beside the gallery page
(``paper_figures/gallery/`` by default, committed), which is where the page's
images point.

Examples::

    python paper_figures/make_figures.py --quick                  # < 10 min on 2 cores
    python paper_figures/make_figures.py --full --workers 2       # hours; rerun to resume
    python paper_figures/make_figures.py --quick --only fig3_phase
    python paper_figures/make_figures.py --smoke --out /tmp/figs  # CI
    python paper_figures/make_figures.py --gallery-only           # rewrite README.md from the saved captions
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HERE = Path(__file__).resolve().parent
# In a source checkout the figures go beside the code, whose gallery is committed; an installed
# package (``meanfield figures`` after ``pip install .``) writes to the current folder, not site-packages.
IN_CHECKOUT = (HERE.parent / "pyproject.toml").is_file()
BASE = HERE if IN_CHECKOUT else Path.cwd() / "paper_figures"
DEFAULT_OUT = BASE / "output"
DEFAULT_CACHE = BASE / ".cache"


def build_parser(prog: str = "python paper_figures/make_figures.py") -> argparse.ArgumentParser:
    from paper_figures.figures import MODULES
    from validation.__main__ import OneLineParser  # a bad option is one line, not the usage block

    p = OneLineParser(prog=prog,
                      description="Regenerate the figures of the paper (PDF, PNG, JSON captions, gallery).")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="preset", action="store_const", const="quick",
                      help="small N, few samples: under 10 minutes on 2 cores (default)")
    size.add_argument("--full", dest="preset", action="store_const", const="full",
                      help="publication setting: hours; resumable through the cache")
    size.add_argument("--smoke", dest="preset", action="store_const", const="smoke",
                      help="tiny run for CI (tens of seconds)")
    p.add_argument("--only", nargs="+", metavar="NAME",
                   help=f"figures to make (default all): {', '.join(MODULES)}; a prefix such as fig3 is enough")
    p.add_argument("--out", default=None, help=f"output folder (default {DEFAULT_OUT}/<preset>)")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: 2 for quick/full, 1 for smoke; at most the cores)")
    p.add_argument("--cache", default=None,
                   help=f"ensemble cache (default {DEFAULT_CACHE}); share it with `python -m validation --cache`")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--gallery-only", action="store_true",
                   help="compute nothing: rewrite the gallery page from the JSON captions in the output folder")
    p.set_defaults(preset="quick")
    return p


def select_names(only) -> list[str]:
    """Figure module names matching ``--only`` (exact names or unique prefixes)."""
    from paper_figures.figures import MODULES

    if not only:
        return list(MODULES)
    out = []
    for name in only:
        # "fig1" names fig1_spectrum, not also fig10_benchmark: a figure number is matched whole
        hits = [m for m in MODULES if m == name] or [m for m in MODULES if m.startswith(name)
                                                      and (not name[-1:].isdigit() or not m[len(name):][:1].isdigit())]
        if len(hits) != 1:
            raise ValueError(f"--only {name!r} matches {hits or 'no figure'}; choose from {', '.join(MODULES)}")
        out.append(hits[0])
    return out


def count_cached(merged: dict, root_seed: int, cache_dir) -> int:
    """Realisations of the merged requests already in the cache (they will be loaded, not computed)."""
    from meanfield.runner import ResultStore, seed_record
    from validation.requests import n_items
    from validation.sweep import request_seed

    total = 0
    for key, req in merged.items():
        if not (Path(cache_dir) / key).exists():
            continue
        store = ResultStore(Path(cache_dir) / key, req.params(), seed_record(request_seed(root_seed, req)),
                            kind=f"validation.{req.kind}")
        total += sum(store.has(i) for i in range(n_items(req)))
    return total


def make_one(module, preset, *, out_dir, cache_dir, workers, progress, log, gallery_dir=None) -> dict:
    """Compute the ensembles of one figure, render it, write PDF/PNG/JSON; returns its caption.

    With ``gallery_dir`` the PNG is also copied there (the committed gallery).
    """
    from meanfield.runner import package_version
    from validation.checks.base import Data
    from validation.requests import n_items, seconds
    from validation.sweep import merge_requests, run_sweep

    from paper_figures.figures.common import ensemble_record, failed_note
    from paper_figures.output import copy_to_gallery, read_caption, save_figure, write_caption

    base = {"figure": module.NAME, "title": module.TITLE, "preset": preset.name,
            "package_version": package_version(), "root_seed": preset.root_seed}
    t0 = time.perf_counter()
    reqs = module.requests(preset)
    merged = merge_requests(reqs)
    est = sum(seconds(r) for r in merged.values())
    total = sum(n_items(r) for r in merged.values())
    cached = count_cached(merged, preset.root_seed, cache_dir)
    log(f"[{module.NAME}] {len(merged)} ensembles, {total} realisations ({cached} in the cache); cost model: "
        f"{est / max(1, workers) / 60:.1f} min on {workers} idle worker(s) without cache")
    ensembles = run_sweep(list(merged.values()), root_seed=preset.root_seed, cache_dir=cache_dir,
                          workers=workers, progress=progress)
    t_sweep = time.perf_counter() - t0
    data = Data(ensembles)
    rendered = module.render(data, preset)
    paths = save_figure(rendered.fig, out_dir, module.NAME)
    if gallery_dir is not None:
        copy_to_gallery(Path(paths["png"]), gallery_dir, module.NAME)
    records = [ensemble_record(data(r), r) for r in reqs]
    wall = time.perf_counter() - t0
    caption = {**base, "status": "ok", "reading": rendered.reading, "summary": rendered.summary,
               "parameters": rendered.parameters, "findings": rendered.notes + failed_note(data),
               "ensembles": records, "seeds": {r["key"]: r["seed"] for r in records},
               "files": {k: Path(v).name for k, v in paths.items()},
               "wall_seconds": wall, "sweep_seconds": t_sweep, "workers": workers,
               "realisations": total, "realisations_from_cache": cached,
               "created": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")}
    # the time it takes to compute the figure: this run if it computed anything, else the last run that did
    old = read_caption(out_dir, module.NAME)
    caption["compute_wall_seconds"] = wall
    if cached == total and old and old.get("preset") == preset.name and old.get("compute_wall_seconds"):
        caption["compute_wall_seconds"] = old["compute_wall_seconds"]
        caption["compute_realisations"] = old.get("compute_realisations", total)
    else:
        caption["compute_realisations"] = total - cached
    write_caption(out_dir, module.NAME, caption)
    log(f"[{module.NAME}] done in {wall:.1f} s" + "".join(f"\n    finding: {n}" for n in caption["findings"]))
    return caption


def gallery_paths(preset_name: str, out=None) -> tuple[Path, Path]:
    """(output folder, gallery page) of a run: the page is ``paper_figures/README.md`` unless ``--out`` is given."""
    out_dir = Path(out) if out is not None else DEFAULT_OUT / preset_name
    readme = HERE / "README.md" if out is None and IN_CHECKOUT else out_dir / "README.md"
    return out_dir, readme


def rewrite_gallery(preset_name: str, *, out=None, log=print) -> Path:
    """Rewrite the gallery page from the captions already in the output folder (computes nothing)."""
    from paper_figures.figures import MODULES
    from paper_figures.output import read_caption, write_gallery
    from paper_figures.presets import get_preset

    preset = get_preset(preset_name)
    out_dir, readme = gallery_paths(preset.name, out)
    entries = [c for c in (read_caption(out_dir, n) for n in MODULES) if c is not None]
    if not entries:
        raise ValueError(f"no figure captions in {out_dir}; run the figures first")
    versions = sorted({e["package_version"] for e in entries})
    # the run that wrote these captions finished when its last figure was made ("... HH:MM:SS UTC")
    created = [datetime.strptime(e["created"], "%Y-%m-%d %H:%M:%S UTC") for e in entries if e.get("created")]
    finished = max(created).strftime("%Y-%m-%d %H:%M UTC") if created else "unknown"
    header = {"preset": preset.name, "command": "python paper_figures/make_figures.py --" + preset.name,
              "package_version": ", ".join(versions), "finished": finished}
    write_gallery(readme, out_dir, entries, header)
    log(f"gallery {readme} from {len(entries)} caption(s) in {out_dir}")
    return readme


def run(preset_name: str, *, only=None, out=None, cache=None, workers=None, progress=True, log=print) -> list[dict]:
    """Make the selected figures at one preset and rewrite the gallery; returns the captions."""
    from meanfield.runner import package_version
    from validation.pipeline import warm_up

    from paper_figures.figures import MODULES, load
    from paper_figures.output import gallery_dir_of, read_caption, write_gallery
    from paper_figures.presets import get_preset
    from paper_figures.style import paper_style

    preset = get_preset(preset_name)
    names = select_names(only)
    if workers is None:
        workers = 1 if preset.name == "smoke" else max(1, min(2, os.cpu_count() or 1))
    if workers < 1:
        raise ValueError(f"--workers must be >= 1, got {workers}")
    out_dir, readme = gallery_paths(preset.name, out)
    cache_dir = Path(cache) if cache is not None else DEFAULT_CACHE
    t0 = time.perf_counter()
    modules = [load(n) for n in names]
    warm_up([r for m in modules for r in m.requests(preset)])  # compile Numba once, before the workers start
    captions = {}
    with paper_style():
        for m in modules:
            captions[m.NAME] = make_one(m, preset, out_dir=out_dir, cache_dir=cache_dir, workers=workers,
                                        progress=progress, log=log, gallery_dir=gallery_dir_of(readme))
    # the gallery lists every figure: those not made now from their last caption in out_dir
    entries = []
    for name in MODULES:
        cap = captions.get(name) or read_caption(out_dir, name)
        if cap is not None:
            entries.append(cap)
    header = {"preset": preset.name, "command": "python paper_figures/make_figures.py --" + preset.name,
              "package_version": package_version(),
              "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    write_gallery(readme, out_dir, entries, header)
    log(f"{len(captions)} figure(s) in {out_dir} ({time.perf_counter() - t0:.0f} s); gallery {readme}")
    return list(captions.values())


def main(argv=None, prog: str | None = None) -> int:
    """Run the script; ``prog`` names it in help and errors (``meanfield figures`` forwards here).

    Returns the exit status: 0 (also after ``--help``), or 2 after one line
    ``<prog>: error: ...`` on stderr for a bad option or argument.
    """
    parser = build_parser() if prog is None else build_parser(prog)
    args, status = parser.parse_or_status(argv)
    if args is None:
        return status
    try:
        from meanfield.arguments import writable_directory

        # output places are checked before any compute: a bad --out must not cost a run
        writable_directory("--out", args.out if args.out is not None else DEFAULT_OUT)
        if args.cache is not None:
            writable_directory("--cache", args.cache)
        if args.gallery_only:
            rewrite_gallery(args.preset, out=args.out)
        else:
            run(args.preset, only=args.only, out=args.out, cache=args.cache, workers=args.workers,
                progress=not args.no_progress)
    except ValueError as exc:
        print(f"{parser.prog}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
