"""benchmarks/compare_warehouses.py: same rows in any order are the same data; a changed,
missing or duplicated row is not; when a row was loaded is not part of the data."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location(
    "compare_warehouses", PROJECT_ROOT / "benchmarks" / "compare_warehouses.py"
)
compare_warehouses = importlib.util.module_from_spec(_spec)
sys.modules["compare_warehouses"] = compare_warehouses  # benchmarks/ is scripts, not a package
_spec.loader.exec_module(compare_warehouses)


def warehouse(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.fct (id VARCHAR, amount DECIMAL(18,2), loaded_at TIMESTAMP)")
        con.executemany("INSERT INTO marts.fct VALUES (?, ?, ?)", rows)
    return path


BEFORE = [("a", "1.00", "2026-01-01 02:00"), ("b", "2.50", "2026-01-01 02:00")]


def test_same_rows_loaded_at_other_times_in_another_order_are_the_same(tmp_path, capsys):
    a = warehouse(tmp_path / "a.duckdb", BEFORE)
    b = warehouse(tmp_path / "b.duckdb", [("b", "2.50", "2026-12-01 03:00"), ("a", "1.00", "2026-12-01 03:00")])
    assert compare_warehouses.main([str(a), str(b), "--schemas", "marts"]) == 0
    out = capsys.readouterr().out
    assert "identical  marts.fct: 2 rows (ignoring loaded_at)" in out


@pytest.mark.parametrize(
    "after,expected",
    [
        ([("a", "1.00", "2026-01-01 02:00"), ("b", "2.51", "2026-01-01 02:00")], "1 only in A, 1 only in B"),
        ([("a", "1.00", "2026-01-01 02:00")], "1 only in A, 0 only in B"),
        ([*BEFORE, ("a", "1.00", "2026-01-01 02:00")], "0 only in A, 1 only in B"),
    ],
)
def test_a_changed_missing_or_duplicated_row_differs(tmp_path, capsys, after, expected):
    a, b = warehouse(tmp_path / "a.duckdb", BEFORE), warehouse(tmp_path / "b.duckdb", after)
    assert compare_warehouses.main([str(a), str(b), "--schemas", "marts"]) == 1
    assert expected in capsys.readouterr().out
