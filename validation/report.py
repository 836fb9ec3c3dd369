"""The report writer (the only module of ``validation`` that writes files).

``write_report(out_dir, results, meta)`` writes

* ``index.html``: the summary table (verdict per check and the numbers behind
  it, fitted discrepancy-versus-N exponents, findings), then one section per
  check (what is compared and how, its figure embedded as base64 PNG, every
  comparison), then the run's parameters, seeds and package version;
* one PNG per figure;
* ``metrics.json``: every number of every comparison and fit, the run
  metadata, and the parameters and seeds of every ensemble.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path

from meanfield.jsonable import to_jsonable

COLORS = {"pass": "#1a7f37", "fail": "#cf222e", "inconclusive": "#9a6700"}

CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1180px;
       color: #1f2328; line-height: 1.4; padding: 0 16px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.86em; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 7px; vertical-align: top; text-align: left; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: white; font-weight: 600;
         font-size: 0.85em; }
.meta { color: #57606a; font-size: 0.9em; } img { max-width: 100%; border: 1px solid #d0d7de; margin: 6px 0; }
details { margin: 0.5em 0; } summary { cursor: pointer; color: #0969da; }
.finding { background: #fff8c5; border-left: 4px solid #d4a72c; padding: 4px 8px; margin: 4px 0; font-size: 0.9em; }
dl { display: grid; grid-template-columns: 170px 1fr; gap: 2px 12px; font-size: 0.9em; }
dt { font-weight: 600; color: #57606a; } dd { margin: 0; } code { font-size: 0.9em; }
"""


def _badge(verdict: str) -> str:
    return f'<span class="badge" style="background:{COLORS.get(verdict, "#57606a")}">{html.escape(verdict)}</span>'


def _fmt(x, digits=3) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        if not math.isfinite(x):
            return "-"
        if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e4):
            return f"{x:.2e}"
        return f"{x:.{digits}f}"
    return html.escape(str(x))


def _side(d: dict) -> str:
    if "p" in d:
        return f"{d['p']:.3f} [{d['low']:.3f}, {d['high']:.3f}] ({d['k']}/{d['n']})"
    if "mean" in d:
        return f"mean {d['mean']:.3f}, sd {d['std']:.3f} (n={d['n']})"
    if "max_abs" in d:
        return f"max {d['max_abs']:.3g} (n={d['n']})"
    return html.escape(json.dumps(to_jsonable(d)))


def figure_png(fig) -> bytes:
    """PNG bytes of a matplotlib figure (and close it)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def _exponents(res) -> str:
    parts = []
    for f in res.convergence:
        parts.append(html.escape(f.describe()))
    return "<br>".join(parts) or "-"


def _summary_table(results) -> str:
    rows = []
    for r in results:
        c = r.counts()
        rows.append(
            f"<tr><td><a href='#check-{r.name}'>({r.name})</a></td><td>{html.escape(r.title)}</td>"
            f"<td>{_badge(r.verdict.value)}</td>"
            f"<td class='num'>{c['pass']} / {c['fail']} / {c['inconclusive']}</td>"
            f"<td>{html.escape(r.decisive().summary()) if r.decisive() else '-'}</td>"
            f"<td>{_exponents(r)}</td></tr>")
    return ("<table><tr><th>check</th><th>question</th><th>verdict</th><th>pass / fail / inconcl.</th>"
            "<th>largest discrepancy relative to its tolerance</th><th>discrepancy versus N (fit)</th></tr>"
            + "".join(rows) + "</table>")


def _comparisons_table(res) -> str:
    rows = []
    for c in res.comparisons:
        lo, hi = c.interval
        rows.append(
            f"<tr><td>{html.escape(c.label)}</td><td>{_side(c.theory)}</td><td>{_side(c.simulation)}</td>"
            f"<td class='num'>{_fmt(c.discrepancy)}</td><td class='num'>[{_fmt(lo)}, {_fmt(hi)}]</td>"
            f"<td class='num'>{_fmt(c.resolution)}</td><td class='num'>{_fmt(c.p_value)}</td>"
            f"<td class='num'>{_fmt(c.alpha, 4)}</td><td class='num'>{_fmt(c.tolerance)}</td>"
            f"<td>{_badge(c.verdict.value)}</td></tr>")
    return ("<table><tr><th>comparison</th><th>theory</th><th>simulation</th><th>d</th><th>95 % interval</th>"
            "<th>resolution</th><th>p (equality)</th><th>alpha</th><th>tol</th><th>verdict</th></tr>"
            + "".join(rows) + "</table>")


def _section(res, figures) -> str:
    d = res.description
    desc = "".join(f"<dt>{html.escape(k.replace('_', ' '))}</dt><dd>{html.escape(str(v))}</dd>"
                   for k, v in d.items())
    findings = "".join(f"<div class='finding'>{html.escape(f)}</div>" for f in res.findings)
    imgs = "".join(
        f"<img alt='{html.escape(name)}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>"
        for name, png in figures)
    fits = "".join(f"<li>{html.escape(f.describe())}: N = {list(f.N)}, d = "
                   f"{[round(x, 4) for x in f.discrepancy]}, se = {[round(x, 4) for x in f.se]}</li>"
                   for f in res.convergence)
    return (f"<h2 id='check-{res.name}'>({res.name}) {html.escape(res.title)} {_badge(res.verdict.value)}</h2>"
            f"<p>{html.escape(res.summary())}</p>{findings}<dl>{desc}</dl>{imgs}"
            f"<h3>Discrepancy versus N</h3><ul>{fits or '<li>-</li>'}</ul>"
            f"<details><summary>all {len(res.comparisons)} comparisons</summary>{_comparisons_table(res)}</details>")


VERDICT_RULE = (
    "Each comparison gives a discrepancy d with a 95 % interval, the test of equality's p-value and a "
    "tolerance tau (the largest discrepancy that is not a failure of the theory, with its reason). "
    "PASS: the interval lies inside [-tau, tau], or the test does not reject at alpha and the data resolve "
    "tau (interval half-width <= tau). FAIL: the test rejects at alpha and the whole interval lies beyond "
    "tau. INCONCLUSIVE: otherwise (too few samples, or a significant difference possibly within tau). "
    "alpha is 0.05 divided by the number of comparisons of the check (Bonferroni), so a correct theory "
    "fails a check with probability at most 5 %. A check fails if any comparison fails and passes if "
    "none fails and at least half pass.")


def _headline(headline) -> str:
    if not headline:
        return ""
    name, png = headline
    return (f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            "<figcaption>Paired discrepancies against N (check j): each network against the theory given its "
            "own population path, with the expected slope.</figcaption></figure>")


def _not_run(meta) -> str:
    """One line per check the preset left out, with why."""
    return "".join(f"<p class='meta'>({html.escape(n)}) {html.escape(why)}</p>"
                   for n, why in meta.get("not_run", {}).items())


def render_html(results, figures: dict, meta: dict, headline=None) -> str:
    """The whole page as a string (pure); ``headline`` = (name, PNG bytes) is shown under the summary table."""
    sections = "".join(_section(r, figures.get(r.name, [])) for r in results)
    totals = {v: sum(r.verdict.value == v for r in results) for v in ("pass", "fail", "inconclusive")}
    meta_rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td><code>{html.escape(json.dumps(to_jsonable(v)))}"
                        f"</code></td></tr>" for k, v in meta.items() if k != "ensembles")
    ens_rows = "".join(
        f"<tr><td><code>{html.escape(e['key'])}</code></td><td>{e['n']}</td>"
        f"<td><code>{html.escape(json.dumps(e['seed']))}</code></td>"
        f"<td><code>{html.escape(json.dumps(e['params']))}</code></td></tr>" for e in meta.get("ensembles", []))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>meanfield validation ({html.escape(meta['preset']['name'])})</title>
<style>{CSS}</style></head><body>
<h1>Mean-field theory against finite-N simulation</h1>
<p class="meta">preset <b>{html.escape(meta['preset']['name'])}</b> &middot; package {html.escape(meta['package_version'])}
&middot; root seed {meta['preset']['root_seed']} &middot; sizes N = {html.escape(str(list(meta['sizes'])))}
&middot; {meta['wall_seconds']:.0f} s wall on {html.escape(meta['backend'])} backend with {meta['workers']} worker(s)
&middot; {html.escape(meta['finished'])}</p>
<p><b>{totals['pass']} pass, {totals['fail']} fail, {totals['inconclusive']} inconclusive</b>
of {len(results)} checks. The equations are THEORY.md; every number below is in <code>metrics.json</code>.</p>
{_not_run(meta)}
{_summary_table(results)}
{_headline(headline)}
<details><summary>how verdicts are decided</summary><p>{html.escape(VERDICT_RULE)}</p></details>
{sections}
<h2>Run parameters, seeds and version</h2>
<table>{meta_rows}</table>
<details><summary>{len(meta.get('ensembles', []))} ensembles (parameters and root seeds; realisation i uses the
i-th child of the root SeedSequence)</summary>
<table><tr><th>key</th><th>n</th><th>root seed</th><th>parameters</th></tr>{ens_rows}</table></details>
</body></html>
"""


def write_report(out_dir, results, checks, meta: dict) -> Path:
    """Write index.html, the PNG figures and metrics.json into ``out_dir``; return the HTML path."""
    import time

    import matplotlib

    matplotlib.use("Agg")
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures, headline = {}, None
    by_name = {c.name: c for c in checks}
    for res in results:
        pngs = []
        for name, fig in by_name[res.name].figures(res):
            png = figure_png(fig)
            (out / f"{name}.png").write_bytes(png)
            pngs.append((name, png))
        figures[res.name] = pngs
        if by_name[res.name].headline and pngs and headline is None:
            headline = pngs[0]
    spent = time.perf_counter() - t0
    meta = {**meta, "wall_seconds": meta.get("wall_seconds", 0.0) + spent,
            "timings_seconds": {**meta.get("timings_seconds", {}), "figures": spent}}
    metrics = {"meta": to_jsonable(meta), "checks": [r.to_dict() for r in results]}
    (out / "metrics.json").write_text(json.dumps(to_jsonable(metrics), indent=1, allow_nan=False))
    page = out / "index.html"
    page.write_text(render_html(results, figures, meta, headline), encoding="utf-8")
    return page
