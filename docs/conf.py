"""Sphinx configuration of the meanfield documentation.

Build (from the repository root)::

    sphinx-build -W --keep-going -q -b html docs docs/_build/html

At build time this file writes two kinds of generated sources (both
gitignored, rewritten only when their text changes so that incremental
builds stay incremental):

* ``docs/theory.md``: a rendering copy of ``../shared/THEORY.md`` (the
  mathematical contract, outside the repository). Its plain-text equations
  become ``text`` code blocks; nothing else in it changes.
* ``docs/api/generated/*.rst``: one page per public module of ``meanfield``,
  ``simulate`` and ``validation``, found by walking the packages, so that a
  module added or renamed by a refactor appears without editing the docs.
  Every object is documented once, on the page of the module that defines it
  (``:ignore-module-all:``); the packages' re-exports link there.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from pathlib import Path

from sphinx.errors import ConfigError

DOCS = Path(__file__).resolve().parent
REPO = Path(__file__).resolve().parents[1]
THEORY_SOURCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "THEORY.md"
THEORY_COPY = DOCS / "theory.md"  # gitignored
API_DIR = DOCS / "api" / "generated"  # gitignored

# Document the working tree, not whatever copy happens to be installed.
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(DOCS / "_ext"))  # local extensions

# -- project ------------------------------------------------------------------------------------
project = "meanfield"
author = "the meanfield developers"
copyright = "the meanfield developers, MIT licence"
try:
    from importlib.metadata import version as _version

    release = _version("meanfield")
except Exception:  # not installed: read the source tree's version
    release = "0.1.0"
version = release

# -- extensions ---------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",  # API pages from the docstrings
    "numpydoc",  # the docstrings are numpydoc (Parameters / Returns / Attributes sections)
    "sphinx.ext.viewcode",  # "[source]" links next to every object
    "myst_parser",  # the user guide and THEORY.md are Markdown
    "plaintext_docstrings",  # docs/_ext: the docstrings' plain-text equations as literal blocks
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

# Formulas in this project are plain text (THEORY.md's ASCII notation), not LaTeX.
highlight_language = "none"
pygments_style = "sphinx"

# -- autodoc ------------------------------------------------------------------------------------
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    "member-order": "bysource",
}
autodoc_preserve_defaults = True  # signatures show "inputs=Inputs()", as written
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types; signatures stay short
autodoc_class_signature = "mixed"
autoclass_content = "class"
add_module_names = False

# -- numpydoc -----------------------------------------------------------------------------------
numpydoc_show_class_members = False  # autodoc lists the members; numpydoc's tables would duplicate them
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()  # no style linting in the build
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# -- MyST ---------------------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- warnings -----------------------------------------------------------------------------------
nitpicky = False  # docstrings name objects in prose (``mf.sample``, THEORY.md symbols), not as links
suppress_warnings: list[str] = []  # nothing is suppressed: each object is documented once

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"meanfield {release}"
html_theme_options = {
    "description": "Mean-field theory of critically balanced neuronal networks",
    "page_width": "1180px",
    "sidebar_width": "240px",
    "fixed_sidebar": True,
}
html_static_path = ["_static"]
html_css_files = ["side-by-side.css"]
html_show_sourcelink = False


# =============================================================================================
# generated sources
# =============================================================================================
def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


# -- THEORY.md -----------------------------------------------------------------------------------
_LIST_MARKER = re.compile(r"^( *)([*+-]|\d+[.)]) +")
_SECTION = re.compile(r"^## (\d+)\. ")
_LETTER_ITEM = re.compile(r"^\(([a-z])\) ")


def render_theory(text: str) -> str:
    """THEORY.md with its plain-text equations as fenced ``text`` blocks.

    THEORY.md writes equations as indented plain text, sometimes inside a
    list item right after a line of prose. Markdown would flow the latter
    into the paragraph; here every run of lines indented four or more columns
    beyond the text of the enclosing block becomes a fenced block at that
    block's indentation, keeping the equations' own alignment. The lettered
    input kinds "(a) ...", "(b) ..." become list items so that each keeps its
    line, and every numbered section gets the label ``theory-section-N`` for
    cross-references. The words are not changed.
    """
    lines = text.splitlines()
    out: list[str] = []
    content = 0  # text indentation of the enclosing list item (0 outside lists)
    prev_blank = True
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            out.append("")
            prev_blank = True
            i += 1
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0 and _LETTER_ITEM.match(line):
            line = "- " + line
        marker = _LIST_MARKER.match(line)
        if indent >= content + 4 and not (marker and len(marker.group(1)) < content + 4):
            # a run of equation lines: indented code, or equations continuing a paragraph
            run = []
            while i < len(lines) and lines[i].strip():
                ind = len(lines[i]) - len(lines[i].lstrip(" "))
                if ind < content + 4:
                    break
                run.append(lines[i])
                i += 1
            cut = min(len(r) - len(r.lstrip(" ")) for r in run)
            pad = " " * content
            if out and out[-1] != "":
                out.append("")
            out.append(pad + "```text")
            out.extend(pad + r[cut:].rstrip() for r in run)
            out.append(pad + "```")
            if i < len(lines) and lines[i].strip():
                out.append("")  # the prose after the block is a new paragraph of the same item
            prev_blank = False
            continue
        if marker:
            content = len(marker.group(0))
        elif indent < content and prev_blank:
            content = 0  # the list has ended
        section = _SECTION.match(line)
        if section:
            if out and out[-1] != "":
                out.append("")
            out.append(f"(theory-section-{section.group(1)})=")
        out.append(line.rstrip())
        prev_blank = False
        i += 1
    return "\n".join(out) + "\n"


def copy_theory() -> None:
    if not THEORY_SOURCE.is_file():
        message = (
            f"THEORY.md not found at {THEORY_SOURCE.resolve()}. "
            "The documentation renders the mathematical contract ../shared/THEORY.md, which lives "
            "beside the repository clone (not inside it): put shared/ next to the clone, as CI does, "
            "and build again."
        )
        print(f"docs: error: {message}", file=sys.stderr)
        raise ConfigError(message)
    body = render_theory(THEORY_SOURCE.read_text(encoding="utf-8"))
    header = (
        "<!-- Generated by docs/conf.py from ../shared/THEORY.md at build time; do not edit. -->\n\n"
        "(theory)=\n\n"
    )
    _write_if_changed(THEORY_COPY, header + body)


# -- API pages -----------------------------------------------------------------------------------
API_PACKAGES = ("meanfield", "simulate", "validation")
_MODULE_OPTIONS = "   :members:\n   :show-inheritance:\n   :ignore-module-all:\n"


def _public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


def _modules(package: str) -> tuple[list[str], list[str]]:
    """Public direct submodules and subpackages of ``package``."""
    pkg = importlib.import_module(package)
    mods, pkgs = [], []
    for info in pkgutil.iter_modules(pkg.__path__, package + "."):
        if _public(info.name):
            (pkgs if info.ispkg else mods).append(info.name)
    return sorted(mods), sorted(pkgs)


def _title(name: str) -> str:
    return f"``{name}``\n" + "=" * (len(name) + 4) + "\n"


def _package_page(package: str, written: set[str]) -> None:
    try:
        mods, pkgs = _modules(package)
    except Exception as exc:  # an import that fails mid-refactor: report it, autodoc will too
        print(f"docs: could not import {package}: {exc!r}", file=sys.stderr)
        mods, pkgs = [], []
    text = _title(package) + f"\n.. automodule:: {package}\n{_MODULE_OPTIONS}"
    children = pkgs + mods
    if children:
        text += "\n.. toctree::\n   :maxdepth: 1\n   :caption: Modules\n\n"
        text += "".join(f"   {c}\n" for c in children)
    _write_if_changed(API_DIR / f"{package}.rst", text)
    written.add(f"{package}.rst")
    for sub in pkgs:
        _package_page(sub, written)
    for mod in mods:
        _write_if_changed(API_DIR / f"{mod}.rst", _title(mod) + f"\n.. automodule:: {mod}\n{_MODULE_OPTIONS}")
        written.add(f"{mod}.rst")


def write_api_pages() -> None:
    written: set[str] = set()
    for package in API_PACKAGES:
        _package_page(package, written)
    for stale in API_DIR.glob("*.rst"):  # modules that were renamed or removed
        if stale.name not in written:
            stale.unlink()


copy_theory()
write_api_pages()
