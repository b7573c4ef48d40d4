"""The README's Layout table names every module under pipelines/, one line each."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pipelines.settings import PROJECT_ROOT

PIPELINES = PROJECT_ROOT / "pipelines"


def _holds_code(path: Path) -> bool:
    """More than a docstring: an __init__.py that is only a docstring is no module to describe."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return any(not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) for node in body)


def test_every_module_has_a_line_in_the_readme_layout():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `([\w/]+\.py)` \|", layout, flags=re.MULTILINE))
    modules = {
        path.relative_to(PIPELINES).as_posix()
        for path in PIPELINES.rglob("*.py")
        if path.name != "__init__.py" or _holds_code(path)
    }
    assert sorted(modules - named) == [], "modules missing from the README's Layout table"
    assert sorted(named - modules) == [], "lines in the README's Layout table naming no module"
