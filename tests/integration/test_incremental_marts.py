"""The incremental marts after each of a sequence of runs equal a full rebuild, row for row.

A warehouse of hand-made raw rows (tests/integration/test_dbt_project.py's documents)
goes through the changes a nightly meets, with ``dbt run`` after each:
- documents added, a re-published version superseding its predecessor; the rank of an
  untouched department's change in its region moves;
- a document removed, one re-loaded with new figures that renames a class an untouched
  department prints;
- a document re-loaded under another department's name: its old department loses it;
- a new document that opens a fiscal year (the coverage grid grows for every department),
  renames a class another document prints and brings the parent code of another's line
  (the names in fiscal_data_package_line are the dimensions', so that document's rows
  change too).
After each run, a copy of the warehouse is rebuilt with ``--full-refresh``; every mart must
hold the same rows in both.  The per-document marts must have left the rows of the documents
the run did not change, and the per-department marts those of the departments.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.load import RAW_DDL, unload_document
from tests.integration.test_dbt_project import DOCUMENTS, EDU, FIN, _insert_document, _run_dbt

BY_ID = {document[0]: document for document in DOCUMENTS}
# c2024 read again under another department's name (a re-parsed title page).
HERITAGE = "北京市文化遗产局"


# Written over a column before a run (mart: column, value or None to suffix the row's own value):
# the rows a run did not rebuild keep the mark.
UNTOUCHED = "(as before this run)"
PER_DOCUMENT = {
    "document_headline": ("statement", "expenditure_summary"),  # every headline here is printed there
    "fiscal_data_package_line": ("currency", "CNY"),
}
# A column no model reads back from these marts (dim_department's name is read by
# fiscal_data_package_line's check for stale names, its city only by the changed departments').
PER_DEPARTMENT = {
    "dim_department": "city",
    "department_year_totals": "department",
    "department_year_coverage": "department",
    "function_class_yoy": "department",
    "budget_vs_final": "department",
}


def _mark_rows(con: duckdb.DuckDBPyConnection) -> None:
    for mart, (column, _value) in PER_DOCUMENT.items():
        con.execute(f"update marts.{mart} set {column} = ?", [UNTOUCHED])
    for mart, column in PER_DEPARTMENT.items():
        con.execute(f"update marts.{mart} set {column} = {column} || ?", [UNTOUCHED])


def _untouched(warehouse: Path) -> dict[str, set[str]]:
    """Per marked mart, the documents (or department names) whose rows the run left as they
    were; their marks then come off."""
    untouched = {}
    with duckdb.connect(str(warehouse)) as con:
        for mart, (column, value) in PER_DOCUMENT.items():
            sql = f"select distinct document_id from marts.{mart} where {column} = ?"
            untouched[mart] = {row[0] for row in con.execute(sql, [UNTOUCHED]).fetchall()}
            con.execute(f"update marts.{mart} set {column} = ? where {column} = ?", [value, UNTOUCHED])
        for mart, column in PER_DEPARTMENT.items():
            sql = (
                f"select distinct names.canonical_name from marts.{mart} as marked "
                "inner join intermediate.int_department as names using (department_id) "
                f"where marked.{column} like '%' || ?"
            )
            untouched[mart] = {row[0] for row in con.execute(sql, [UNTOUCHED]).fetchall()}
            con.execute(
                f"update marts.{mart} set {column} = left({column}, length({column}) - length(?)) "
                f"where {column} like '%' || ?",
                [UNTOUCHED, UNTOUCHED],
            )
        for change_set in ("int_document_change", "int_department_change"):
            pending = con.execute(f"select count(*) from intermediate.{change_set}").fetchone()[0]
            assert pending == 0, f"a finished build leaves no {change_set} behind"
    return untouched


def _rows(warehouse: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql, parameters).fetchall()


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
# 款 20101 as FIN's 2023 budget prints it, and as EDU's 2024 budget names it when loaded again.
LEGISLATURE = "人大事务"
LEGISLATURE_RENAMED = "人大事务（新）"


def _reload(document_id: str, department: str, printed: tuple[str, str, str], loaded_at: str):
    """A document loaded again (a new parser read it differently): same id, new rows, new loaded_at."""

    def reload(con: duckdb.DuckDBPyConnection) -> None:
        unload_document(con, document_id)
        _id, _department, year, unit, _loaded_at, _printed, multiplier = BY_ID[document_id]
        _insert_document(con, document_id, department, year, unit, loaded_at, printed, multiplier)

    return reload


def _differences_from_a_full_rebuild(warehouse: Path, tmp: Path, step: str) -> list[str]:
    """The marts in which this warehouse differs from a full rebuild of a copy of it."""
    _write(warehouse, lambda con: con.execute("CHECKPOINT"))  # dbt's connection may still hold the file
    rebuilt = tmp / f"rebuilt {step}" / warehouse.name
    rebuilt.parent.mkdir()
    shutil.copy(warehouse, rebuilt)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YUSUAN_WAREHOUSE", str(rebuilt))
        _dbt_run(tmp, "--full-refresh")
    incremental, full = _marts(warehouse), _marts(rebuilt)
    assert incremental.keys() == full.keys()
    assert {"fct_budget_line", *PER_DEPARTMENT} <= incremental.keys()
    return [name for name in full if incremental[name] != full[name]]


def _decided_elsewhere(warehouse: Path) -> tuple:
    """The 2024 budgets' ranks of EDU and FIN in their region, and the name of FIN's 款 20101."""
    [ranks] = _rows(
        warehouse,
        "select max(growth_rank_in_region) filter (where department = ?), "
        "max(growth_rank_in_region) filter (where department = ?) from marts.department_year_totals "
        "where fiscal_year = 2024 and document_kind = 'budget'",
        [EDU, FIN],
    )
    names = _rows(warehouse, "select name from marts.function_class_yoy where department = ? and code = '20101'", [FIN])
    return *ranks, *(name for (name,) in names)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    warehouse = tmp / "incremental.duckdb"
    steps: dict[str, dict[str, set[str]]] = {}  # what each run left untouched
    differences: dict[str, list[str]] = {}  # the marts each run left unlike a full rebuild
    decided_elsewhere: dict[str, tuple] = {}  # what other departments decide, after each run

    def run(step: str, *changes) -> None:
        for change in changes:
            _write(warehouse, change)
        _write(warehouse, _mark_rows)
        _dbt_run(tmp)
        steps[step] = _untouched(warehouse)
        decided_elsewhere[step] = _decided_elsewhere(warehouse)
        differences[step] = _differences_from_a_full_rebuild(warehouse, tmp, step)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YUSUAN_WAREHOUSE", str(warehouse))
        _write(warehouse, lambda con: con.execute(RAW_DDL))
        _write(warehouse, _add("a2023", "a2024", "b2023", "b2024old", "c2023"))
        _write(warehouse, _print_classes("a2023", [("2050101", "行政运行")]))
        _write(warehouse, _print_classes("b2023", [("20101", LEGISLATURE)]))
        assert _run_dbt(["seed"], tmp).success
        _dbt_run(tmp)
        decided_elsewhere["first build"] = _decided_elsewhere(warehouse)
        # b2024 is loaded later than b2024old: it supersedes it.
        run("added and superseded", _add("c2024", "b2024"))
        a2024_again = _reload("a2024", EDU, ("131,000,000.00", "86,000,000.00", "45,000,000.00"), "2025-03-01 10:00:00")
        run(
            "removed and reloaded",
            lambda con: unload_document(con, "c2023"),
            a2024_again,
            _print_classes("a2024", [("20101", LEGISLATURE_RENAMED)]),
        )
        c2024 = BY_ID["c2024"]
        run("reloaded under another department", _reload("c2024", HERITAGE, c2024[5], "2025-03-02 10:00:00"))
        run(
            "a new year, and a class renamed by another document",
            lambda con: _insert_document(con, *A2025),
            _print_classes("a2025", [("2050101", RENAMED), ("20501", "教育管理事务")]),
        )
    return warehouse, steps, differences, decided_elsewhere


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


def test_each_run_leaves_the_rows_of_what_it_did_not_change(runs):
    _warehouse, steps, _differences, _decided = runs
    per_document = ("document_headline", "fiscal_data_package_line")

    def per_department(*departments: str) -> dict[str, set[str]]:
        return dict.fromkeys(PER_DEPARTMENT, set(departments))

    assert steps == {
        # c2024 and b2024 rebuilt, the superseded b2024old's rows gone: FIN and RELICS rebuilt.
        # EDU has no function_class_yoy row yet (a2023 prints a 项, the mart holds 类 and 款).
        "added and superseded": {
            **dict.fromkeys(per_document, {"a2023", "a2024", "b2023", "c2023"}),
            **per_department(EDU),
            "function_class_yoy": set(),
        },
        # a2024 rebuilt, the removed c2023's rows gone; b2023's Fiscal Data Package lines too, as
        # a2024 renamed its 款 20101.  EDU and RELICS rebuilt: FIN's rows stay, its 20101 renamed.
        "removed and reloaded": {
            "document_headline": {"a2023", "b2023", "b2024", "c2024"},
            "fiscal_data_package_line": {"a2023", "b2024", "c2024"},
            **per_department(FIN),
        },
        # c2024 rebuilt; the department it left (RELICS) and the one it joined rebuilt.
        "reloaded under another department": {
            **dict.fromkeys(per_document, {"a2023", "a2024", "b2023", "b2024"}),
            **per_department(EDU, FIN),
        },
        # a2025 built; a2023's Fiscal Data Package lines too, as its 项's name and 款 came from a2025.
        # 2025 widens the years every department's coverage spans: every department rebuilt.
        "a new year, and a class renamed by another document": {
            "document_headline": {"a2023", "a2024", "b2023", "b2024", "c2024"},
            "fiscal_data_package_line": {"a2024", "b2023", "b2024", "c2024"},
            **per_department(),
        },
    }


def test_marts_after_each_run_equal_a_full_rebuild(runs):
    _warehouse, steps, differences, _decided = runs
    assert differences == dict.fromkeys(steps, [])


def test_what_other_departments_decide_reaches_the_rows_left_in_place(runs):
    """The runs above move an untouched department's rank in its region, and rename the class
    of an untouched department's row: a test that could not fail would prove nothing."""
    *_built, decided_elsewhere = runs
    # (EDU's rank, FIN's rank, FIN's 20101): 2024 changes of +5.3% (EDU), +100% (FIN's
    # b2024old), then -5.0% (FIN's b2024) and +0.1% (RELICS, until c2023 goes).
    assert decided_elsewhere["first build"] == (2, 1, LEGISLATURE)
    assert decided_elsewhere["added and superseded"] == (1, 3, LEGISLATURE)  # EDU's row left in place
    assert decided_elsewhere["removed and reloaded"] == (1, 2, LEGISLATURE_RENAMED)  # FIN's rows left in place


def test_the_marts_show_the_changes(runs):
    warehouse, *_results = runs
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
    warehouse, *_results = runs
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


def _row_rules_failing_after(runs, tmp_path: Path, mart: str, plant) -> Path:
    """``plant`` in a copy of the last run's warehouse, then the mart's row_rules as an
    incremental build's test reads them, the failing rows stored (dbt_test__audit); the copy."""
    warehouse, *_results = runs
    copy = tmp_path / warehouse.name
    shutil.copy(warehouse, copy)
    _write(copy, plant)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YUSUAN_WAREHOUSE", str(copy))
        mp.setenv("YUSUAN_DBT_TEST_ALL_ROWS", "0")
        result = _run_dbt(["test", "--store-failures", "--select", f"{mart},test_name:row_rules"], tmp_path)
    [tested] = result.result.results
    assert tested.status == "fail"
    return copy


def test_a_key_without_document_id_meets_every_documents_rows(runs, tmp_path):
    """An incremental build tests the changed documents' rows, which hold every row of a key with
    document_id.  fiscal_data_package_line's budget_line_id has none: a changed document's id taken
    by another document's row must still fail (macros/incremental_documents.sql), and a duplicate
    within a document the build did not change is left to the build that tested it."""
    lines = "marts.fiscal_data_package_line"

    def plant(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("insert into intermediate.int_document_change values ('a2025')")  # what this build changed
        first_line = "order by budget_line_id limit 1"
        con.execute(
            f"insert into {lines} select * replace ('b2024' as document_id) from {lines} "
            f"where document_id = 'a2025' {first_line}"
        )
        con.execute(f"insert into {lines} select * from {lines} where document_id = 'c2024' {first_line}")

    copy = _row_rules_failing_after(runs, tmp_path, "fiscal_data_package_line", plant)
    failing = _rows(
        copy, "select document_id, broken_rules from dbt_test__audit.row_rules_fiscal_data_package_line order by 1"
    )
    assert failing == [("a2025", "unique(budget_line_id)"), ("b2024", "unique(budget_line_id)")]


def _department_id(warehouse: Path, department: str) -> str:
    [(department_id,)] = _rows(
        warehouse, "select department_id from intermediate.int_department where canonical_name = ?", [department]
    )
    return department_id


def test_a_build_that_did_not_finish_leaves_its_departments_to_the_next(runs, tmp_path):
    """int_department_change keeps the departments of a build that stopped before the state
    (state.document_build_state empties it once the marts are built): the next run rebuilds them."""
    warehouse, *_results = runs
    copy = tmp_path / warehouse.name
    shutil.copy(warehouse, copy)
    fin = _department_id(copy, FIN)
    _write(copy, lambda con: con.execute("insert into intermediate.int_department_change values (?)", [fin]))
    _write(copy, _mark_rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YUSUAN_WAREHOUSE", str(copy))
        _dbt_run(tmp_path)
    assert _untouched(copy) == {
        **dict.fromkeys(PER_DOCUMENT, {"a2023", "a2024", "a2025", "b2023", "b2024", "c2024"}),
        **dict.fromkeys(PER_DEPARTMENT, {EDU, HERITAGE}),
        "function_class_yoy": {EDU},  # the others print no 类 or 款 in a table by function
    }


def test_a_per_department_mart_is_tested_on_the_changed_departments_rows(runs, tmp_path):
    """An incremental build tests the rows of the departments it rebuilt, and the rows that share
    a key without department_id with them (macros/incremental_documents.sql): a duplicate in a
    department the build did not change is left to the build that tested it."""
    warehouse, *_results = runs
    edu, fin = _department_id(warehouse, EDU), _department_id(warehouse, FIN)
    totals = "marts.department_year_totals"

    def plant(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("insert into intermediate.int_department_change values (?)", [edu])  # what this build changed
        # EDU's and FIN's 2024 budget rows twice each, and a FIN row under EDU's name for 2023.
        con.execute(
            f"insert into {totals} select * from {totals} where fiscal_year = 2024 and document_kind = 'budget'"
        )
        con.execute(
            f"insert into {totals} select * replace (? as department_id) from {totals} "
            "where department_id = ? and fiscal_year = 2023",
            [fin, edu],
        )

    copy = _row_rules_failing_after(runs, tmp_path, "department_year_totals", plant)
    failing = _rows(
        copy,
        "select department_id = ?, fiscal_year, broken_rules from dbt_test__audit.row_rules_department_year_totals "
        "order by all",
        [edu],
    )
    by_name = "unique(department, fiscal_year, document_kind, scope)"
    both_keys = f"{by_name}; unique(department_id, fiscal_year, document_kind, scope)"
    assert failing == [
        (False, 2023, by_name),
        (True, 2023, by_name),
        (True, 2024, both_keys),
        (True, 2024, both_keys),
    ]
