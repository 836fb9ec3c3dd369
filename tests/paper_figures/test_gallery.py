"""The gallery page links committed PNGs in ``gallery/``; PDFs and captions stay in the regenerated output folder."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from paper_figures import make_figures  # noqa: E402
from paper_figures.figures import MODULES  # noqa: E402
from paper_figures.output import copy_to_gallery, write_caption, write_gallery  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def caption(name: str, status: str = "ok") -> dict:
    base = {"figure": name, "title": f"Title of {name}", "preset": "smoke", "package_version": "0.1.0",
            "status": status, "reading": f"reading of {name}", "wall_seconds": 1.0}
    if status == "ok":
        base.update(summary="tiny.", findings=[], created="2026-01-02 03:04:05 UTC")
    return base


def image_links(text: str) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)


def test_gallery_links_the_committed_pngs_and_copies_missing_ones(tmp_path):
    out_dir = tmp_path / "output" / "smoke"
    out_dir.mkdir(parents=True)
    (out_dir / "fig_a.png").write_bytes(PNG)
    readme = tmp_path / "README.md"
    entries = [caption("fig_a"), caption("fig_b")]
    write_gallery(readme, out_dir, entries, {"preset": "smoke", "command": "c", "package_version": "0.1.0",
                                             "finished": "now"})
    text = readme.read_text()
    assert image_links(text) == ["gallery/fig_a.png", "gallery/fig_b.png"]
    assert (tmp_path / "gallery" / "fig_a.png").read_bytes() == PNG
    assert "(output/smoke/fig_a.pdf)" in text and "(output/smoke/fig_a.json)" in text
    assert "reading of fig_b" in text


def test_copy_to_gallery_overwrites_the_old_png(tmp_path):
    (tmp_path / "new.png").write_bytes(PNG + b"new")
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    (gallery / "fig.png").write_bytes(PNG)
    assert copy_to_gallery(tmp_path / "new.png", gallery, "fig") == gallery / "fig.png"
    assert (gallery / "fig.png").read_bytes().endswith(b"new")


def test_gallery_only_rewrites_the_page_from_saved_captions(tmp_path, capsys):
    out = tmp_path / "figs"
    for name in MODULES[:2]:
        write_caption(out, name, caption(name))
        (out / f"{name}.png").write_bytes(PNG)
    assert make_figures.main(["--smoke", "--gallery-only", "--out", str(out)]) == 0
    text = (out / "README.md").read_text()
    assert image_links(text) == [f"gallery/{n}.png" for n in MODULES[:2]]
    assert all((out / "gallery" / f"{n}.png").exists() for n in MODULES[:2])
    assert "finished 2026-01-02 03:04 UTC" in text


def test_gallery_only_without_captions_is_an_error(tmp_path, capsys):
    assert make_figures.main(["--smoke", "--gallery-only", "--out", str(tmp_path / "empty")]) == 2
    assert "no figure captions" in capsys.readouterr().err


def test_committed_gallery_matches_the_readme():
    """Every image of paper_figures/README.md is a committed PNG in paper_figures/gallery/."""
    readme = ROOT / "paper_figures" / "README.md"
    links = image_links(readme.read_text())
    assert links and all(link.startswith("gallery/") for link in links)
    for link in links:
        path = readme.parent / link
        assert path.exists() and path.read_bytes()[:8] == PNG[:8], link


def test_a_regenerated_figure_is_copied_to_the_gallery(tmp_path):
    out, cache = tmp_path / "figs", tmp_path / "cache"
    caps = make_figures.run("smoke", only=["fig1"], out=out, cache=cache, progress=False, log=lambda *a: None)
    assert caps[0]["status"] == "ok"
    made, copied = out / "fig1_spectrum.png", out / "gallery" / "fig1_spectrum.png"
    assert copied.read_bytes() == made.read_bytes()
    assert json.loads((out / "fig1_spectrum.json").read_text())["files"]["png"] == "fig1_spectrum.png"
    assert "gallery/fig1_spectrum.png" in (out / "README.md").read_text()
