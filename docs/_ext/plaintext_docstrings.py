"""Render the project's plain-text equations in docstrings legibly (a local Sphinx extension).

The docstrings follow THEORY.md's notation: equations are plain text, often an
indented block of their own or an indented continuation line, and absolute
values are written ``|x|``. reStructuredText reads those as block quotes,
definition lists, substitution references (``|x|``) and hyperlink references
(``D_``), which garbles the formulas and fails a ``-W`` build. This extension
runs on every docstring before numpydoc (``autodoc-process-docstring`` with a
higher priority) and, without changing any word:

* turns every indented block of free text (summary, extended summary, Notes,
  parameter descriptions) that is not already a literal block, directive or
  doctest into a literal block, so equations keep their alignment;
* turns a paragraph whose lines continue with deeper indentation (an
  equation continued on the next line, an aligned two-column list) into a
  literal block, or, inside a list item, the deeper lines only;
* renders an aligned two-column paragraph ("solve        one theory sample")
  as a definition list, one entry per line;
* escapes ``|`` and word-final ``_`` in prose (never inside ``literals`` or
  roles), which are never meant as substitutions or links here;
* moves a closing sentence of a Parameters section ("Use :meth:`x` for
  ...") before the section, where numpydoc does not mistake it for a
  parameter;
* maps a section header that qualifies a known numpydoc section, e.g.
  "Attributes (arrays over h*)", to the known section, keeping the
  qualifier as a sentence, so that numpydoc does not drop the section.
"""

from __future__ import annotations

import re

_BULLET = re.compile(r"^([*+-]|\d+[.)]|\(?[a-zA-Z0-9]\)|#\.) +(?=\S)")
_TABLE = re.compile(r"^(=+( +=+)+|\+[-=+]+\+)$")
_TITLE_UNDERLINE = re.compile(r"^([-=~^\"'`#*+])\1{2,}$")
_COLUMNS = re.compile(r"^\S+ {2,}\S")
_ROLE = re.compile(r":[a-z:]+:`")
_WORD_FINAL_UNDERSCORE = re.compile(r"(?<=\w)_(?=[^\w`]|$)")

PARAM_SECTIONS = {
    "parameters", "other parameters", "returns", "yields", "receives", "raises", "warns",
    "attributes", "methods",
}
KNOWN_SECTIONS = PARAM_SECTIONS | {"see also", "notes", "warnings", "references", "examples", "index"}
VERBATIM_SECTIONS = {"see also", "examples", "index"}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _escape(line: str) -> str:
    """Escape ``|`` and word-final ``_`` outside backquoted text of one line of prose."""
    parts = re.split(r"(``.*?``|`[^`]*`_{0,2})", line)
    for i in range(0, len(parts), 2):
        parts[i] = _WORD_FINAL_UNDERSCORE.sub(r"\\_", parts[i].replace("|", r"\|"))
    return "".join(parts)


def _literal(block: list[str], indent: int) -> list[str]:
    """``block`` as a literal block whose text starts at ``indent + 4``."""
    rows = [r.rstrip() for r in block]
    while rows and not rows[-1].strip():
        rows.pop()
    cut = min(_indent(r) for r in rows if r.strip())
    pad = " " * (indent + 4)
    return [" " * indent + "::", ""] + [(pad + r[cut:]) if r.strip() else "" for r in rows] + [""]


def _ends_literal(out: list[str]) -> bool:
    for line in reversed(out):
        if line.strip():
            return line.rstrip().endswith("::")
    return False


def _blank_before(out: list[str]) -> None:
    if out and out[-1].strip():
        out.append("")


def process_free(lines: list[str], base: int = 0) -> list[str]:
    """Free text whose paragraphs start at column ``base``."""
    out: list[str] = []
    content = base  # text column of the enclosing list item
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            out.append("")
            i += 1
            continue
        ind = _indent(line)
        text = line.strip()
        if ind < content:
            content = base if ind <= base else ind
        # directives and comments (with their bodies), doctests and tables: copied unchanged
        if text.startswith(".. ") or text == "..":
            j = i + 1
            while j < n and (not lines[j].strip() or _indent(lines[j]) > ind):
                j += 1
            out.extend(lines[i:j])
            i = j
            continue
        if text.startswith(">>>") or _TABLE.match(text):
            j = i + 1
            while j < n and lines[j].strip():
                j += 1
            out.extend(lines[i:j])
            i = j
            continue
        if ind > content:
            # an indented block: literal unless the text before it already made it one
            j = i
            while j < n and (not lines[j].strip() or _indent(lines[j]) > content):
                if not lines[j].strip() and (j + 1 >= n or (lines[j + 1].strip() and _indent(lines[j + 1]) <= content)):
                    break
                j += 1
            block = lines[i:j]
            if _ends_literal(out):
                out.extend(block)
            else:
                _blank_before(out)
                out.extend(_literal(block, content))
            i = j
            continue
        # a paragraph at the current text column
        j = i + 1
        while j < n and lines[j].strip():
            j += 1
        para = lines[i:j]
        i = j
        if len(para) >= 2 and _TITLE_UNDERLINE.match(para[1].strip()) and len(para[1].strip()) >= len(text):
            out.extend(para[:2])  # a section title of a module docstring
            para = para[2:]
            if not para:
                continue
            line, ind, text = para[0], _indent(para[0]), para[0].strip()
        marker = _BULLET.match(text) if ind == content else None
        item_col = ind + len(marker.group(0)) if marker else ind
        deeper = [k for k, r in enumerate(para[1:], 1) if _indent(r) > item_col]
        if not deeper and not marker and len(para) >= 3 and \
                sum(bool(_COLUMNS.match(r[ind:])) for r in para) >= 0.75 * len(para):
            # an aligned two-column list ("solve        one theory sample ..."): a definition list
            _blank_before(out)
            for r in para:
                term, _, rest = r.strip().partition(" ")
                out.extend([" " * ind + _escape(term), " " * (ind + 4) + _escape(rest.strip())])
            out.append("")
        elif not deeper:
            out.extend(_escape(r) for r in para)
        elif _ROLE.search(" ".join(para)):
            # prose with cross-references, laid out in columns: keep the links, join the lines
            joined: list[str] = []
            for r in para:
                if joined and _indent(r) > item_col:
                    joined[-1] = joined[-1].rstrip() + " " + r.strip()
                else:
                    joined.append(r)
            out.extend(_escape(r) for r in joined)
        elif marker:
            # a list item with equations on its continuation lines
            k = 0
            while k < len(para):
                if k == 0 or _indent(para[k]) <= item_col:
                    out.append(_escape(para[k]))
                    k += 1
                    continue
                m = k
                while m < len(para) and _indent(para[m]) > item_col:
                    m += 1
                _blank_before(out)
                out.extend(_literal(para[k:m], item_col))
                k = m
        else:
            _blank_before(out)
            out.extend(_literal(para, ind))
        if marker:
            content = item_col
    return out


def process_params(lines: list[str]) -> list[str]:
    """A Parameters-like section: "name : type" lines and their indented descriptions."""
    out: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip() or _indent(line) == 0:
            out.append(_escape(line) if line.strip() else "")
            i += 1
            continue
        j = i
        while j < n and (not lines[j].strip() or _indent(lines[j]) > 0):
            j += 1
        desc = lines[i:j]
        trailing = 0
        while desc and not desc[-1].strip():
            desc.pop()
            trailing += 1
        cut = min(_indent(r) for r in desc if r.strip())
        body = process_free([r[cut:] if r.strip() else "" for r in desc])
        while body and not body[-1].strip():
            body.pop()
        out.extend((" " * cut + r) if r.strip() else "" for r in body)
        out.extend([""] * trailing)
        i = j
    return out


def _split_trailing_prose(content: list[str]) -> tuple[list[str], list[str]]:
    """A closing sentence of a Parameters-like section ("Use :meth:`x` for ...") split off."""
    rows = list(content)
    while rows and not rows[-1].strip():
        rows.pop()
    k = len(rows)
    while k > 0 and rows[k - 1].strip() and _indent(rows[k - 1]) == 0:
        k -= 1
    para = rows[k:]
    if (not para or k == 0 or rows[k - 1].strip() or " : " in " ".join(para)
            or not para[0][:1].isupper() or len(" ".join(para).split()) < 5
            or not para[-1].rstrip().endswith(".")):
        return content, []
    return rows[:k], [_escape(r) for r in para]


def _sections(lines: list[str]):
    """Split numpydoc-style: [(header or None, content lines)]."""
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    i = 0
    while i < len(lines):
        line = lines[i]
        if (line.strip() and _indent(line) == 0 and i + 1 < len(lines) and
                re.match(r"^-{3,}\s*$", lines[i + 1]) and (i == 0 or not lines[i - 1].strip())):
            sections.append((line.strip(), []))
            i += 2
            continue
        sections[-1][1].append(line)
        i += 1
    return sections


def process_docstring(app, what, name, obj, options, lines):
    if not lines:
        return
    new: list[str] = []
    for header, content in _sections(list(lines)):
        key = None if header is None else header.lower()
        if header is not None and what != "module" and key not in KNOWN_SECTIONS:
            qualified = re.match(r"^(.*?)\s*\((.+)\)$", header)
            if qualified and qualified.group(1).lower() in KNOWN_SECTIONS:
                # "Attributes (arrays over h*)": numpydoc would drop the section
                _blank_before(new)
                new.extend([_escape(f"{qualified.group(1)}: {qualified.group(2)}."), ""])
                header, key = qualified.group(1), qualified.group(1).lower()
        if header is not None:
            _blank_before(new)
            new.extend([header, "-" * len(header)])
        if key in ("parameters", "other parameters", "attributes"):
            content, prose = _split_trailing_prose(content)
            if prose:
                # numpydoc would render it as a parameter name: put it before the section
                at = len(new) - 2
                new[at:at] = prose + [""]
        if key in VERBATIM_SECTIONS:
            new.extend(content)
        elif key in PARAM_SECTIONS:
            new.extend(process_params(content))
        else:
            new.extend(process_free(content))
    lines[:] = new


def drop_object_base(app, name, obj, options, bases):
    """No "Bases: object" line under every dataclass (the empty line left is removed below)."""
    bases[:] = [b for b in bases if b is not object]


def drop_empty_bases(app, domain, objtype, contentnode):
    from docutils import nodes

    for para in list(contentnode.findall(nodes.paragraph)):
        if para.astext().strip() == "Bases:":
            para.parent.remove(para)


def skip_foreign_members(app, what, name, obj, skip, options):
    """Skip members that a class takes from a third-party base (scikit-learn's metadata-routing methods
    ``set_fit_request`` etc. and its mixins): their docstrings are written for that library's own docs
    and do not belong to this API."""
    module = getattr(obj, "__module__", None) or ""
    if what == "class" and module and not module.startswith(("meanfield", "simulate", "validation",
                                                             "paper_figures", "meanfield_cli")):
        return True
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("autodoc-process-bases", drop_object_base)
    app.connect("object-description-transform", drop_empty_bases)
    # before numpydoc (priority 500): numpydoc must see the rewritten text
    app.connect("autodoc-process-docstring", process_docstring, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
