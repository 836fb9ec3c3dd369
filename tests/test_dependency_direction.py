"""The dependency direction of the project: simulate -> meanfield, validation -> both, paper_figures -> validation.

Every import statement of every module (top level or inside a function) is
read with ``ast``; a package may import only the packages below it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"meanfield", "simulate", "validation", "paper_figures", "meanfield_cli"}
ALLOWED = {
    "meanfield": {"meanfield"},
    "simulate": {"meanfield", "simulate"},
    "validation": {"meanfield", "simulate", "validation"},
    "paper_figures": {"meanfield", "simulate", "validation", "paper_figures"},
    "meanfield_cli": OURS,
}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_packages_below_it(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, package
    wrong = {str(f.relative_to(ROOT)): sorted(imported_packages(f) - ALLOWED[package]) for f in files}
    assert {f: w for f, w in wrong.items() if w} == {}


def test_the_check_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import validation.checks\n    from paper_figures import figures\n")
    assert imported_packages(bad) == {"validation", "paper_figures"}
