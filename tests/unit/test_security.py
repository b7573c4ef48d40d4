"""Document text is data: it is never evaluated, and it reaches SQL only as parameters.

The scenario loads department and file names built to break string-built SQL
(test_bad_inputs.py); these tests guard the code itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.releases import publish_release

PROJECT = Path(__file__).resolve().parents[2]
CODE = sorted([*(PROJECT / "pipelines").rglob("*.py"), *(PROJECT / "schemas").rglob("*.py")])
# Calls that run text as code or rebuild objects from bytes.
EVALUATING = {"eval", "exec", "compile", "__import__", "literal_eval", "loads", "load", "unsafe_load"}
EVALUATING_MODULES = {"pickle", "marshal", "shelve", "yaml", "dill", "ast"}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                yield None, func.id, node
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                yield func.value.id, func.attr, node


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(PROJECT)))
def test_no_code_evaluates_text(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [
        f"{path.name}:{node.lineno} {module + '.' if module else ''}{name}"
        for module, name, node in _calls(tree)
        if (module is None and name in {"eval", "exec", "compile", "__import__"})
        or (module in EVALUATING_MODULES and name in EVALUATING)
    ]
    assert found == []


def _execute_calls_with_fstrings(tree: ast.AST):
    """``con.execute(f"…{x}…")`` and ``con.sql(f"…")``: SQL built from values."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"execute", "sql", "query"}
            and node.args
            and isinstance(node.args[0], ast.JoinedStr)
        ):
            yield node


# Interpolations that are identifiers from code or the catalog, never document data:
# table and mart names; the relations, columns and audit schema that dbt's manifest and
# result events name when a failing test's rows are read (pipelines/orchestration/dbt_build.py).
# `columns`: a mart's column names from its Parquet schema, each quoted as an identifier.
ALLOWED_INTERPOLATIONS = {"table", "mart", "relation", "model", "value", "stored_value", "AUDIT_SCHEMA", "columns"}


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(PROJECT)))
def test_sql_takes_values_as_parameters(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for call in _execute_calls_with_fstrings(tree):
        names = {ast.unparse(part.value) for part in call.args[0].values if isinstance(part, ast.FormattedValue)}
        assert names <= ALLOWED_INTERPOLATIONS, (
            f"{path.name}:{call.lineno} interpolates {names - ALLOWED_INTERPOLATIONS}"
        )


def test_export_to_a_path_with_quotes(tmp_path):
    folder = tmp_path / 'it\'s "here"; DROP TABLE marts.t; --'
    folder.mkdir()
    warehouse = folder / "writer.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 'O''Brien' AS name")
    current = publish_release(warehouse, folder / "published.duckdb", keep=7).exports
    assert duckdb.sql(
        f"SELECT name FROM read_parquet('{str(current / 't.parquet').replace(chr(39), chr(39) * 2)}')"
    ).fetchall() == [("O'Brien",)]
