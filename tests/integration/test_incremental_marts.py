"""The incremental marts after a sequence of runs equal a full rebuild, row for row.

A warehouse of hand-made raw rows (tests/integration/test_dbt_project.py's documents)
goes through the changes a nightly meets, with ``dbt run`` after each: documents
added, a re-published version superseding its predecessor, a document removed, one
re-loaded with new figures, and a new document that renames a class another document
prints and brings the parent code of another's line (the names in fiscal_data_package_line
are the dimensions', so that document's rows change too).  A copy of the final warehouse is then rebuilt with
``--full-refresh``; every mart must hold the same rows in both.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.load import RAW_DDL, unload_document
from tests.integration.test_dbt_project import DOCUMENTS, EDU, _insert_document, _run_dbt

BY_ID = {document[0]: document for document in DOCUMENTS}


# Written over a column that holds one value in every row before a run (mart: column, value):
# the rows a run did not rebuild keep the mark.
UNTOUCHED = "(as before this run)"
MARKED = {
    "document_headline": ("statement", "expenditure_summary"),  # every headline here is printed there
    "fiscal_data_package_line": ("currency", "CNY"),
}


def _mark_rows(con: duckdb.DuckDBPyConnection) -> None:
    for mart, (column, _value) in MARKED.items():
        con.execute(f"update marts.{mart} set {column} = ?", [UNTOUCHED])


def _untouched(warehouse: Path) -> dict[str, set[str]]:
    """Per marked mart, the documents whose rows the run left as they were; their marks then come off."""
    untouched = {}
    with duckdb.connect(str(warehouse)) as con:
        for mart, (column, value) in MARKED.items():
            sql = f"select distinct document_id from marts.{mart} where {column} = ?"
            untouched[mart] = {row[0] for row in con.execute(sql, [UNTOUCHED]).fetchall()}
            con.execute(f"update marts.{mart} set {column} = ? where {column} = ?", [value, UNTOUCHED])
        pending = con.execute("select count(*) from intermediate.int_document_change").fetchone()[0]
    assert pending == 0, "a finished build leaves no change set behind"
    return untouched


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql).fetchall()


def _dbt_run(tmp: Path, *extra: str) -> None:
    result = _run_dbt(["run", *extra], tmp)
    assert result.success, f"dbt run failed: {result.exception or result.result}"


def _write(warehouse: Path, change) -> None:
    with duckdb.connect(str(warehouse)) as con:
        change(con)


def _add(*document_ids: str):
    def add(con: duckdb.DuckDBPyConnection) -> None:
        for document_id in document_ids:
            _insert_document(con, *BY_ID[document_id])
            con.execute(
                "INSERT INTO raw.reconciliation (document_id, check_name, statement, subject, expected_yuan, "
                "actual_yuan, difference_yuan, tolerance_yuan, status, source_page, source_row) "
                "VALUES (?, 'summary_total', 'expenditure_summary', '合计', 1, 1, 0, 0, 'pass', 5, 2)",
                [document_id],
            )

    return add


def _print_classes(document_id: str, classes: list[tuple[str, str]]):
    """Function-class lines of a document's by-function table: (code, name as printed) each."""

    def print_classes(con: duckdb.DuckDBPyConnection) -> None:
        for row, (code, name) in enumerate(classes, start=10):
            con.execute(
                "INSERT INTO raw.budget_line (document_id, statement, section, item_code, item_name, measure, "
                "amount_yuan, printed_amount, printed_unit, source_page, source_table, source_row, source_col) "
                "VALUES (?, 'general_budget_expenditure_by_function', NULL, ?, ?, 'total', 1000, '1,000.00', "
                "'元', 8, 0, ?, 1)",
                [document_id, code, name, row],
            )

    return print_classes


# EDU's 2025 budget: it names 项 2050101 anew (the latest year's name is the class's name)
# and prints its 款 20501, which a2023 does not print.
A2025 = ("a2025", EDU, 2025, "元", "2025-03-01 10:00:00", ("140,000,000.00", "90,000,000.00", "50,000,000.00"), 1)
RENAMED = "行政运行（新）"


def _reload_with_new_figures(con: duckdb.DuckDBPyConnection) -> None:
    """a2024 loaded again (a new parser read it differently): same id, new rows, new loaded_at."""
    unload_document(con, "a2024")
    document_id, department, year, unit, _loaded_at, _printed, multiplier = BY_ID["a2024"]
    printed = ("131,000,000.00", "86,000,000.00", "45,000,000.00")
    _insert_document(con, document_id, department, year, unit, "2025-03-01 10:00:00", printed, multiplier)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    warehouse = tmp / "incremental.duckdb"
    steps: dict[str, set[str]] = {}  # what each run left untouched
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YUSUAN_WAREHOUSE", str(warehouse))
        _write(warehouse, lambda con: con.execute(RAW_DDL))
        _write(warehouse, _add("a2023", "a2024", "b2023", "b2024old", "c2023"))
        _write(warehouse, _print_classes("a2023", [("2050101", "行政运行")]))
        assert _run_dbt(["seed"], tmp).success
        _dbt_run(tmp)
        # b2024 is loaded later than b2024old: it supersedes it.
        _write(warehouse, _add("c2024", "b2024"))
        _write(warehouse, _mark_rows)
        _dbt_run(tmp)
        steps["added and superseded"] = _untouched(warehouse)
        _write(warehouse, lambda con: unload_document(con, "c2023"))
        _write(warehouse, _reload_with_new_figures)
        _write(warehouse, _mark_rows)
        _dbt_run(tmp)
        steps["removed and reloaded"] = _untouched(warehouse)
        _write(warehouse, lambda con: _insert_document(con, *A2025))
        _write(warehouse, _print_classes("a2025", [("2050101", RENAMED), ("20501", "教育管理事务")]))
        _write(warehouse, _mark_rows)
        _dbt_run(tmp)
        steps["a class renamed by another document"] = _untouched(warehouse)

        _write(warehouse, lambda con: con.execute("CHECKPOINT"))  # dbt's connection may still hold the file
        rebuilt = tmp / "rebuilt" / warehouse.name
        rebuilt.parent.mkdir()
        shutil.copy(warehouse, rebuilt)
        mp.setenv("YUSUAN_WAREHOUSE", str(rebuilt))
        _dbt_run(tmp, "--full-refresh")
    return warehouse, rebuilt, steps


def _marts(warehouse: Path) -> dict[str, Counter]:
    """Every mart as a multiset of its rows (through dbt's own DuckDB instance, which holds the file)."""
    with duckdb.connect(str(warehouse)) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {name: Counter(map(repr, con.execute(f'select * from marts."{name}"').fetchall())) for name in names}


def test_each_run_leaves_the_rows_of_the_documents_it_did_not_change(runs):
    _warehouse, _rebuilt, steps = runs
    both = ("document_headline", "fiscal_data_package_line")
    assert steps == {
        # c2024 and b2024 rebuilt, the superseded b2024old's rows gone
        "added and superseded": dict.fromkeys(both, {"a2023", "a2024", "b2023", "c2023"}),
        # a2024 rebuilt, the removed c2023's rows gone
        "removed and reloaded": dict.fromkeys(both, {"a2023", "b2023", "b2024", "c2024"}),
        # a2025 built; a2023's Fiscal Data Package lines too, as its 项's name and 款 came from a2025
        "a class renamed by another document": {
            "document_headline": {"a2023", "a2024", "b2023", "b2024", "c2024"},
            "fiscal_data_package_line": {"a2024", "b2023", "b2024", "c2024"},
        },
    }


def test_marts_after_the_runs_equal_a_full_rebuild(runs):
    warehouse, rebuilt, _steps = runs
    incremental, full = _marts(warehouse), _marts(rebuilt)
    assert incremental.keys() == full.keys()
    assert "fct_budget_line" in incremental
    for name in full:
        assert incremental[name] == full[name], name


def test_the_marts_show_the_changes(runs):
    warehouse, _rebuilt, _steps = runs
    documents = {row[0] for row in _rows(warehouse, "select distinct document_id from marts.fct_budget_line")}
    assert documents == {"a2023", "a2024", "a2025", "b2023", "b2024", "c2024"}
    # The re-loaded a2024's total as printed in its second load: 131,000,000.00 yuan.
    total = _rows(
        warehouse,
        "select value_yuan from marts.document_headline where document_id = 'a2024' and metric = 'total_expenditure'",
    )
    assert [str(value) for (value,) in total] == ["131000000.00"]
    edu_2024 = _rows(
        warehouse,
        "select total_expenditure_yuan from marts.department_year_totals "
        f"where department = '{EDU}' and fiscal_year = 2024 and document_kind = 'budget'",
    )
    assert [str(value) for (value,) in edu_2024] == ["131000000.00"]
    # a2023's 项 2050101 under the name a2025 printed, and its 款 20501 that a2025 brought.
    classes = _rows(
        warehouse,
        "select function_item_code, function_item_name, function_subitem_code, function_subitem_name "
        "from marts.fiscal_data_package_line where document_id = 'a2023' and function_subitem_code is not null",
    )
    assert classes == [("20501", "教育管理事务", "2050101", RENAMED)]


def test_staging_tests_read_the_document_versions_loaded_since_the_last_build(runs, tmp_path):
    """A staging model's rows are its documents' own, fixed once loaded: an incremental build
    tests the new versions' rows only (macros/incremental_documents.sql), and still fails on them."""
    warehouse, _rebuilt, _steps = runs
    copy = tmp_path / warehouse.name
    shutil.copy(warehouse, copy)

    def plant(con: duckdb.DuckDBPyConnection) -> None:
        _insert_document(con, *BY_ID["b2021"])  # new: never built
        # The total's measure missing in the new document, and in a2023, which the last build tested.
        con.execute(
            "update raw.budget_line set measure = NULL where document_id in ('b2021', 'a2023') and source_col = 1"
        )

    _write(copy, plant)
    planted = dict(_rows(copy, "select document_id, count(*) from raw.budget_line where measure is null group by 1"))
    assert planted.keys() == {"b2021", "a2023"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YUSUAN_WAREHOUSE", str(copy))
        # An incremental build's scope (a pipeline run earlier in this process may have left "1").
        mp.setenv("YUSUAN_DBT_TEST_ALL_ROWS", "0")
        result = _run_dbt(["test", "--select", "stg_budget_line,test_name:row_rules"], tmp_path)
        [tested] = result.result.results
        assert (tested.status, tested.failures) == ("fail", planted["b2021"])
        # After a full build, the pipeline's `dbt test` reads every row again.
        mp.setenv("YUSUAN_DBT_TEST_ALL_ROWS", "1")
        result = _run_dbt(["test", "--select", "stg_budget_line,test_name:row_rules"], tmp_path)
        [tested] = result.result.results
        assert (tested.status, tested.failures) == ("fail", planted["b2021"] + planted["a2023"])


def test_a_key_without_document_id_meets_every_documents_rows(runs, tmp_path):
    """An incremental build tests the changed documents' rows, which hold every row of a key with
    document_id.  fiscal_data_package_line's budget_line_id has none: a changed document's id taken
    by another document's row must still fail (macros/incremental_documents.sql), and a duplicate
    within a document the build did not change is left to the build that tested it."""
    warehouse, _rebuilt, _steps = runs
    copy = tmp_path / warehouse.name
    shutil.copy(warehouse, copy)
    lines = "marts.fiscal_data_package_line"

    def plant(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("insert into intermediate.int_document_change values ('a2025')")  # what this build changed
        first_line = "order by budget_line_id limit 1"
        con.execute(
            f"insert into {lines} select * replace ('b2024' as document_id) from {lines} "
            f"where document_id = 'a2025' {first_line}"
        )
        con.execute(f"insert into {lines} select * from {lines} where document_id = 'c2024' {first_line}")

    _write(copy, plant)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YUSUAN_WAREHOUSE", str(copy))
        mp.setenv("YUSUAN_DBT_TEST_ALL_ROWS", "0")
        result = _run_dbt(
            ["test", "--store-failures", "--select", "fiscal_data_package_line,test_name:row_rules"], tmp_path
        )
    [tested] = result.result.results
    assert tested.status == "fail"
    failing = _rows(
        copy, "select document_id, broken_rules from dbt_test__audit.row_rules_fiscal_data_package_line order by 1"
    )
    assert failing == [("a2025", "unique(budget_line_id)"), ("b2024", "unique(budget_line_id)")]
