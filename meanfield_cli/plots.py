"""PNG plots of the command line: trajectories h(t), and any saved result from its labelled form.

:func:`plot_result` reads only ``result.to_xarray()`` (named dimensions and
coordinates), so it plots every result class, including those it has never
heard of:

* ``paths``: a variable ``h`` over ``time`` (one theory path, a path ensemble,
  networks): h(t) per sample, and Delta(t,t) beside it when recorded;
* ``histograms``: variables over ``sample`` (and at most a few conditions,
  e.g. ``stimulus``) with no ``time`` anywhere (exponent, readout,
  discrimination ensembles): one histogram per variable, one colour per condition;
* ``comparisons``: a validation run (variables over ``comparison``): every
  comparison's discrepancy and interval in units of its tolerance, coloured
  by verdict, grouped by check;
* ``generic``: every other 1-D/2-D numeric variable against its ``time``
  dimension if it has one, else against its first dimension.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

MAX_LINES = 60      # lines per panel: more draws a smear, not a plot
MAX_PANELS = 9
MAX_CONDITIONS = 4  # a second dimension this short is overlaid as histograms (e.g. the two stimuli)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only; no display on servers and CI
    import matplotlib.pyplot as plt

    return plt


def plot_trajectories(times, h, path: Path, *, title: str = "") -> Path:
    """h(t) of every trajectory (rows of ``h``) in one panel, written to ``path`` (PNG)."""
    plt = _pyplot()
    h = np.atleast_2d(h)
    fig, ax = plt.subplots(figsize=(7, 4))
    for row in h[:MAX_LINES]:
        ax.plot(times, row, lw=1)
    ax.axhline(0.0, color="k", lw=0.5)
    ax.set_xlabel("t (units of the neuronal time constant)")
    ax.set_ylabel("population state h(t)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _find_network(obj):
    """The first ``{"N", "g", "J0", ...}`` dictionary in a decoded attribute (depth first)."""
    if isinstance(obj, dict):
        if {"N", "g", "J0"} <= set(obj):
            return obj
        children = obj.values()
    elif isinstance(obj, list):
        children = obj
    else:
        return None
    for child in children:
        found = _find_network(child)
        if found is not None:
            return found
    return None


def _title(ds) -> str:
    """Class name and the network's parameters (from ``field:network`` or the provenance, when recorded)."""
    name = ds.attrs.get("result_class", "result").rsplit(".", 1)[-1]
    for key in ("field:network", "provenance"):
        try:
            net = _find_network(json.loads(ds.attrs.get(key) or "null"))
        except ValueError:
            net = None
        if net is not None:
            return f"{name}: N = {net['N']}, g = {net['g']}, J0 = {net['J0']}, phi = {net.get('phi', '?')}"
    return name


def _numeric(da) -> bool:
    return np.issubdtype(da.dtype, np.number) and da.dtype != bool and da.ndim in (1, 2) and da.size > 0


def _lines(ax, da, x_dim: str) -> None:
    """Plot ``da`` against ``x_dim``: one line per index of its other dimension (at most MAX_LINES)."""
    da = da.transpose(x_dim, ...)
    x = da[x_dim].values
    y = da.values.reshape(len(x), -1)[:, :MAX_LINES]
    ax.plot(x, y, lw=0.8)
    ax.set_xlabel(x_dim)
    ax.set_ylabel(da.name)


def _over_samples(da) -> bool:
    """A numeric variable over ``sample``, alone or with a short second dimension of conditions."""
    if not _numeric(da) or da.dims[0] != "sample":
        return False
    return da.ndim == 1 or da.shape[1] <= MAX_CONDITIONS


_COMPARISON_VARS = ("discrepancy", "interval_low", "interval_high", "tolerance", "verdict", "check_of_comparison")
_VERDICT_COLOURS = {"pass": "tab:green", "fail": "tab:red", "inconclusive": "tab:gray"}


def classify(ds) -> str:
    """Which plot a dataset gets: ``"paths"``, ``"histograms"``, ``"comparisons"`` or ``"generic"`` (module docstring)."""
    if "h" in ds.data_vars and "time" in ds["h"].dims:
        return "paths"
    if all(v in ds.data_vars for v in _COMPARISON_VARS):
        return "comparisons"
    over_sample = [v for v in ds.data_vars if _over_samples(ds[v])]
    if over_sample and not any("time" in ds[v].dims for v in ds.data_vars):
        return "histograms"
    return "generic"


def plot_dataset(ds, path: Path) -> str:
    """Plot a labelled result (an :class:`xarray.Dataset` from ``to_xarray()``) to ``path``; returns the kind.

    Raises
    ------
    ValueError
        When the dataset has no 1-D or 2-D numeric variable to plot.
    """
    plt = _pyplot()
    kind = classify(ds)
    if kind == "comparisons":
        _plot_comparisons(plt, ds, path)
        return kind
    if kind == "paths":
        names = ["h"] + [v for v in ("delta_tt",) if v in ds.data_vars and "time" in ds[v].dims]
    elif kind == "histograms":
        names = [v for v in ds.data_vars if _over_samples(ds[v])]
    else:
        names = [v for v in ds.data_vars if _numeric(ds[v])]
    names = names[:MAX_PANELS]
    if not names:
        raise ValueError(f"{_title(ds)} has no 1-D or 2-D numeric variable to plot")
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        da = ds[name]
        if kind == "histograms":
            values = da.values.astype(float).reshape(da.shape[0], -1)
            finite = values[np.isfinite(values)]
            edges = np.histogram_bin_edges(finite if finite.size else [0.0, 1.0],
                                           bins=max(5, min(40, 2 * int(np.sqrt(max(1, da.shape[0]))))))
            for j in range(values.shape[1]):
                label = None if da.ndim == 1 else f"{da.dims[1]} = {da[da.dims[1]].values[j]}"
                col = values[:, j]
                ax.hist(col[np.isfinite(col)], bins=edges, alpha=0.6 if values.shape[1] > 1 else 1.0, label=label)
            if da.ndim == 2:
                ax.legend(fontsize=7)
            ax.set_xlabel(name)
            ax.set_ylabel("samples")
        else:
            # paths: one line per sample (and replica) over time; generic: against time or the first dimension
            x_dim = "time" if "time" in da.dims else da.dims[0]
            _lines(ax, da, x_dim)
            if kind == "paths" and name == "h":
                ax.axhline(0.0, color="k", lw=0.5)
        ax.set_title(name, fontsize=9)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle(_title(ds), fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return kind


def _plot_comparisons(plt, ds, path: Path) -> None:
    """Discrepancy / tolerance with its interval for every comparison, one row per comparison."""
    tol = ds["tolerance"].values
    d, lo, hi = (ds[v].values / tol for v in ("discrepancy", "interval_low", "interval_high"))
    verdict, check = ds["verdict"].values.astype(str), ds["check_of_comparison"].values.astype(str)
    y = np.arange(d.size)[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.9 + 0.12 * d.size))
    for v, colour in _VERDICT_COLOURS.items():
        on = verdict == v
        if on.any():
            ax.errorbar(d[on], y[on], xerr=[d[on] - lo[on], hi[on] - d[on]], fmt="o", ms=3, lw=0.8,
                        color=colour, label=f"{v} ({int(on.sum())})")
    ax.axvspan(-1.0, 1.0, color="tab:green", alpha=0.08, lw=0)  # within the tolerance
    ax.axvline(0.0, color="k", lw=0.5)
    starts = [i for i in range(check.size) if i == 0 or check[i] != check[i - 1]]
    ax.set_yticks([y[i] for i in starts], [f"({check[i]})" for i in starts])
    for i in starts[1:]:
        ax.axhline(y[i] + 0.5, color="k", lw=0.3)
    ax.set_xlabel("discrepancy / tolerance (theory against networks), with its interval")
    ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(_title(ds), fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_result(result, path) -> str:
    """Plot any :class:`meanfield.results.LabelledResult` from ``result.to_xarray()``; returns the kind."""
    return plot_dataset(result.to_xarray(), Path(path))
