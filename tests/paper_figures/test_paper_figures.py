"""paper_figures: the smoke preset end to end, and the pieces that need no ensembles."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from paper_figures import make_figures  # noqa: E402
from paper_figures.figures import MODULES, load  # noqa: E402
from paper_figures.presets import get_preset  # noqa: E402


def test_select_names_accepts_prefixes_and_rejects_unknown():
    assert make_figures.select_names(["fig3"]) == ["fig3_phase"]
    assert make_figures.select_names(None) == list(MODULES)
    with pytest.raises(ValueError, match="choose from"):
        make_figures.select_names(["fig99"])


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="preset must be one of"):
        get_preset("huge")


def test_requests_have_stable_keys_and_shared_root_seed():
    from validation.presets import QUICK as VQUICK

    preset = get_preset("quick")
    assert preset.root_seed == VQUICK.root_seed  # caches are shared with `python -m validation`
    for name in MODULES:
        m = load(name)
        keys = [r.key() for r in m.requests(preset)]
        # a figure of benchmark measurements (figure 10) renders a committed record, not ensembles
        assert (keys or hasattr(m, "RECORD")) and keys == [r.key() for r in m.requests(preset)]


@pytest.mark.slow
def test_smoke_preset_writes_every_figure(tmp_path):
    out, cache = tmp_path / "figs", tmp_path / "cache"
    captions = make_figures.run("smoke", out=out, cache=cache, progress=False, log=lambda *a: None)
    assert [c["figure"] for c in captions] == list(MODULES)
    made = [c for c in captions if c["status"] == "ok"]
    assert len(made) == len(MODULES)  # every figure imports its API directly: none is pending
    for c in captions:
        cap = json.loads((out / f"{c['figure']}.json").read_text())
        assert cap["package_version"] and cap["preset"] == "smoke"
        assert cap["reading"] and "pending" not in cap["reading"]
        for ext in ("pdf", "png"):
            path = out / f"{c['figure']}.{ext}"
            assert path.exists() and path.stat().st_size > 1000, path
        assert cap["parameters"], c["figure"]
        if hasattr(load(c["figure"]), "RECORD"):   # rendered from a committed record: its provenance
            params = cap["parameters"]
            assert params.get("versions", {}).get("reservoirpy") or params.get("meta", {}).get("package_version"), \
                c["figure"]
            continue
        assert cap["ensembles"] and cap["seeds"]
        for e in cap["ensembles"]:
            assert e["n_used"] >= 1 and "entropy" in json.dumps(e["seed"]), e
        assert cap["wall_seconds"] > 0
    gallery = (out / "README.md").read_text()
    for c in made:
        assert f"{c['figure']}.png" in gallery
    # a second run is served from the cache
    again = make_figures.run("smoke", only=["fig3"], out=out, cache=cache, progress=False, log=lambda *a: None)
    assert again[0]["sweep_seconds"] < captions[2]["sweep_seconds"] + 5
