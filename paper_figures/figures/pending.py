"""Figures whose theory or simulation API is written elsewhere: import lazily, report what is missing."""

from __future__ import annotations

from importlib import import_module


def missing_api(needs: dict) -> str | None:
    """None when every ``module: (names...)`` in ``needs`` imports, else a message naming what is missing."""
    absent = []
    for mod, names in needs.items():
        try:
            m = import_module(mod)
        except ImportError:
            absent.append(f"module {mod}")
            continue
        absent += [f"{mod}.{n}" for n in names if not hasattr(m, n)]
    if not absent:
        return None
    return ("pending: this figure needs " + ", ".join(absent) + ", which do not exist yet in this checkout "
            "(being written in another session); rerun `python paper_figures/make_figures.py --only "
            "<figure>` once they are merged")
