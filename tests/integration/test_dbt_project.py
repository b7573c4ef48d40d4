"""End-to-end test of the dbt project in dbt/.

Builds a throw-away DuckDB warehouse containing the raw.* tables the loader writes
(the DDL made from schemas/tables.py) with a few hand-made rows, runs ``dbt build`` and ``dbt docs generate``
through dbtRunner, and checks marts.department_year_totals against values computed
by hand.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt.cli import main as dbt_main

from pipelines.cli import main
from pipelines.ingest.load import RAW_DDL

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = REPO_ROOT / "dbt"


EDU = "北京市教育委员会"  # department A: 2023 printed in 万元, 2024 in 元
FIN = "北京市财政局"  # department B: 2021, (no 2022), 2023, and two 2024 versions
RELICS = "北京市文物局"  # department C: small amounts to check half-up rounding

# document_id, department, fiscal_year, printed_unit, loaded_at,
# (total, basic, project) as printed, multiplier to yuan
DOCUMENTS = [
    ("a2023", EDU, 2023, "万元", "2025-01-01 10:00:00", ("12,345.67", "8,000.00", "4,345.67"), 10000),
    ("a2024", EDU, 2024, "元", "2025-01-01 10:00:00", ("130,000,000.00", "85,000,000.00", "45,000,000.00"), 1),
    ("b2021", FIN, 2021, "元", "2025-01-01 10:00:00", ("40,000,000.00", "30,000,000.00", "10,000,000.00"), 1),
    ("b2023", FIN, 2023, "元", "2025-01-01 10:00:00", ("50,000,000.00", "30,000,000.00", "20,000,000.00"), 1),
    # An older version of FIN 2024 (e.g. a superseded PDF): must be ignored.
    ("b2024old", FIN, 2024, "元", "2025-01-01 10:00:00", ("99,999,999.99", "50,000,000.00", "49,999,999.99"), 1),
    # The most recently loaded FIN 2024 document: this one counts.
    ("b2024", FIN, 2024, "元", "2025-02-01 10:00:00", ("47,500,001.00", "30,000,000.00", "17,500,001.00"), 1),
    ("c2023", RELICS, 2023, "元", "2025-01-01 10:00:00", ("8,000.00", "8,000.00", "0.00"), 1),
    ("c2024", RELICS, 2024, "元", "2025-01-01 10:00:00", ("8,010.00", "8,010.00", "0.00"), 1),
]


def _to_yuan(printed: str, multiplier: int) -> Decimal:
    return (Decimal(printed.replace(",", "")) * multiplier).quantize(Decimal("0.01"))


# A final-accounts document (决算) for EDU 2024, to set against its budget.
FINAL_DOCUMENTS = [
    ("a2024final", EDU, 2024, "元", "2025-06-01 10:00:00", ("120,000,000.00", "84,000,000.00", "36,000,000.00"), 1),
]


def _insert_document(con, doc_id, dept, year, unit, loaded_at, printed, mult, kind="budget") -> None:
    con.execute(
        "INSERT INTO raw.document (document_id, file_path, file_name, department_name, fiscal_year, "
        "document_kind, scope, printed_unit, pages, extracted_at, loaded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'department', ?, 20, ?, ?)",
        [doc_id, f"/data/{doc_id}.pdf", f"{doc_id}.pdf", dept, year, kind, unit, loaded_at, loaded_at],
    )
    # expenditure_summary 合计 row: cols 1..3 = total / basic / project
    for col, (measure, text) in enumerate(zip(("total", "basic", "project"), printed), start=1):
        amount = _to_yuan(text, mult)
        con.execute(
            "INSERT INTO raw.budget_line (document_id, statement, section, item_code, item_name, measure, amount_yuan, "
            "printed_amount, printed_unit, source_page, source_table, source_row, source_col) VALUES "
            "(?, 'expenditure_summary', 'expenditure', NULL, '合计', ?, ?, ?, ?, 5, 0, 2, ?)",
            [doc_id, measure, amount, text, unit, col],
        )
        con.execute(
            "INSERT INTO raw.headline (document_id, metric, value_yuan, statement, source_page, source_table, "
            "source_row, source_col) VALUES (?, ?, ?, 'expenditure_summary', 5, 0, 2, ?)",
            [doc_id, f"{measure}_expenditure", amount, col],
        )
        con.execute(
            "INSERT INTO raw.extracted_cell (document_id, page, table_index, row_index, col_index, text) "
            "VALUES (?, 5, 0, 2, ?, ?)",
            [doc_id, col, text],
        )
    # one function-class line (类 205 教育支出 / 201 一般公共服务支出) + its headline
    code, name = ("205", "教育支出") if dept == EDU else ("201", "一般公共服务支出")
    amount = _to_yuan(printed[0], mult)
    con.execute(
        "INSERT INTO raw.budget_line (document_id, statement, section, item_code, item_name, measure, amount_yuan, "
        "printed_amount, printed_unit, source_page, source_table, source_row, source_col) VALUES "
        "(?, 'expenditure_summary', 'expenditure_by_function', ?, ?, 'total', ?, ?, ?, 5, 0, 3, 1)",
        [doc_id, code, name, amount, printed[0], unit],
    )
    con.execute(
        "INSERT INTO raw.headline (document_id, metric, value_yuan, statement, source_page, source_table, "
        "source_row, source_col) VALUES (?, ?, ?, 'expenditure_summary', 5, 0, 3, 1)",
        [doc_id, f"function:{code}", amount],
    )


def _populate(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(RAW_DDL)
        for document in DOCUMENTS:
            _insert_document(con, *document)
        for document in FINAL_DOCUMENTS:
            _insert_document(con, *document, kind="final_accounts")
        # c2024's function table and 三公 table print a unit's rows that the parser could not
        # tell from the department's own (budget_unit NULL): the department's row comes first.
        for statement, code, name, measure, row, amount in [
            ("general_budget_expenditure_by_function", "201", "一般公共服务支出", "total", 3, "8010.00"),
            ("general_budget_expenditure_by_function", "201", "一般公共服务支出", "total", 9, "2000.00"),
            ("three_public", None, "合计", "three_public_subtotal", 4, "300.00"),
            ("three_public", None, "合计", "three_public_subtotal", 8, "100.00"),
        ]:
            con.execute(
                "INSERT INTO raw.budget_line (document_id, statement, section, item_code, item_name, measure, "
                "amount_yuan, printed_amount, printed_unit, source_page, source_table, source_row, source_col) "
                "VALUES ('c2024', ?, NULL, ?, ?, ?, ?, ?, '元', 9, 4, ?, 1)",
                [statement, code, name, measure, Decimal(amount), amount, row],
            )
        # Checks: the superseded b2024old keeps its own (a warn among them), b2024 has
        # a withheld headline; a2023 was checked on pages 5 and 7, all passing.
        for document_id, status, page in [
            ("b2024old", "pass", 5),
            ("b2024old", "warn", 6),
            ("b2024", "pass", 5),
            ("b2024", "pass", 5),
            ("b2024", "withheld", 8),
            ("a2023", "pass", 7),
            ("a2023", "pass", 5),
        ]:
            con.execute(
                "INSERT INTO raw.reconciliation (document_id, check_name, statement, subject, expected_yuan, "
                "actual_yuan, difference_yuan, tolerance_yuan, status, source_page, source_row) "
                "VALUES (?, 'summary_total', 'expenditure_summary', '合计', 1, 1, 0, 0, ?, ?, 2)",
                [document_id, status, page],
            )
        con.execute(
            "INSERT INTO raw.quarantine (document_id, file_path, stage, reason, details, first_seen, last_seen) "
            "VALUES ('deadbeef', '/data/broken.pdf', 'extract', "
            "'no_tables', 'no statement tables found', '2025-01-01 09:00:00', '2025-01-02 09:00:00')"
        )
    finally:
        con.close()


def _run_dbt(args: list[str], tmp: Path):
    runner = dbt_main.dbtRunner()
    return runner.invoke(
        [
            *args,
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ]
    )


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt")
    warehouse = tmp / "warehouse.duckdb"
    _populate(warehouse)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YUSUAN_WAREHOUSE", str(warehouse))
        result = _run_dbt(["build"], tmp)
        assert result.success, f"dbt build failed: {result.exception or result.result}"
        docs = _run_dbt(["docs", "generate"], tmp)
        assert docs.success, f"dbt docs generate failed: {docs.exception}"
    assert (tmp / "target" / "catalog.json").exists()
    return warehouse


def _query(warehouse: Path, sql: str):
    # Default config: dbt-duckdb may still hold this file open in-process (dbtRunner),
    # and DuckDB refuses a second connection with a different configuration.
    con = duckdb.connect(str(warehouse))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_department_year_totals(built_warehouse):
    rows = _query(
        built_warehouse,
        """
        select department, fiscal_year, total_expenditure_yuan, previous_total_expenditure_yuan,
               change_yuan, change_pct
        from marts.department_year_totals
        where document_kind = 'budget' and scope = 'department'
        order by department, fiscal_year
        """,
    )
    got = {(r[0], r[1]): r[2:] for r in rows}
    D = Decimal
    expected = {
        # 12,345.67 万元 = 123,456,700.00 yuan; no 2022 document -> no previous year
        (EDU, 2023): (D("123456700.00"), None, None, None),
        # 130,000,000.00 - 123,456,700.00 = 6,543,300.00
        # 6,543,300 / 123,456,700 * 100 = 5.30007686... -> 5.30
        (EDU, 2024): (D("130000000.00"), D("123456700.00"), D("6543300.00"), D("5.30")),
        (FIN, 2021): (D("40000000.00"), None, None, None),
        # 2022 is missing: previous must be NULL, not the 2021 figure
        (FIN, 2023): (D("50000000.00"), None, None, None),
        # the newest FIN 2024 document (47,500,001.00) wins over the older 99,999,999.99
        # 47,500,001.00 - 50,000,000.00 = -2,499,999.00; / 50,000,000 * 100 = -4.999998 -> -5.00
        (FIN, 2024): (D("47500001.00"), D("50000000.00"), D("-2499999.00"), D("-5.00")),
        (RELICS, 2023): (D("8000.00"), None, None, None),
        # 10.00 / 8,000.00 * 100 = 0.125 exactly -> rounded half away from zero: 0.13
        (RELICS, 2024): (D("8010.00"), D("8000.00"), D("10.00"), D("0.13")),
    }
    assert got == expected


def test_marts_types_and_schemas(built_warehouse):
    types = dict(
        _query(
            built_warehouse,
            """
            select column_name, data_type from information_schema.columns
            where table_schema = 'marts' and table_name = 'department_year_totals'
            """,
        )
    )
    for col in (
        "total_expenditure_yuan",
        "basic_expenditure_yuan",
        "project_expenditure_yuan",
        "previous_total_expenditure_yuan",
        "change_yuan",
        "change_pct",
    ):
        assert types[col] == "DECIMAL(18,2)", (col, types[col])

    schemas = {r[0] for r in _query(built_warehouse, "select distinct table_schema from information_schema.tables")}
    assert {"raw", "staging", "intermediate", "marts"} <= schemas
    assert "main_marts" not in schemas

    marts = {
        r[0]
        for r in _query(
            built_warehouse, "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    assert {"dim_document", "fct_budget_line", "document_headline", "department_year_totals", "quarantine"} <= marts

    # fct_budget_line: the 万元 document is converted to yuan, provenance kept
    row = _query(
        built_warehouse,
        """
        select amount_yuan, printed_amount, printed_unit, fiscal_year, department_name
        from marts.fct_budget_line
        where document_id = 'a2023' and source_row = 2 and source_col = 1
        """,
    )
    assert row == [(Decimal("123456700.00"), "12,345.67", "万元", 2023, EDU)]

    assert _query(built_warehouse, "select count(*) from marts.quarantine") == [(1,)]


def test_superseded_versions_stay_in_dim_document_only(built_warehouse):
    rows = _query(
        built_warehouse,
        "select document_id, is_current, superseded_by from marts.dim_document "
        "where document_id in ('b2024', 'b2024old') order by document_id",
    )
    # b2024 was loaded a month after b2024old: it replaces it
    assert rows == [("b2024", True, None), ("b2024old", False, "b2024")]
    for mart in ("fct_budget_line", "document_headline"):
        assert _query(built_warehouse, f"select count(*) from marts.{mart} where document_id = 'b2024old'") == [(0,)]
        assert _query(built_warehouse, f"select count(*) from marts.{mart} where document_id = 'b2024'") != [(0,)]


def test_department_identity_and_region(built_warehouse):
    rows = _query(
        built_warehouse,
        "select department_name, department_id, province, city, district, names_as_printed, first_year, last_year "
        "from marts.dim_department order by department_name",
    )
    import hashlib

    expected = [
        (name, hashlib.md5(name.encode()).hexdigest()[:16], "北京市", "北京市", None, [name], first, last)
        for name, first, last in sorted([(EDU, 2023, 2024), (FIN, 2021, 2024), (RELICS, 2023, 2024)])
    ]
    assert rows == expected
    # every fct row carries its document's department
    assert _query(
        built_warehouse,
        "select count(*) from marts.fct_budget_line f join marts.dim_document d using (document_id) "
        "where f.department_id is distinct from d.department_id",
    ) == [(0,)]


def test_budget_vs_final(built_warehouse):
    rows = _query(
        built_warehouse,
        "select metric, budget_yuan, final_yuan, difference_yuan, execution_rate_pct from marts.budget_vs_final "
        "where department = '北京市教育委员会' and fiscal_year = 2024 order by metric",
    )
    D = Decimal
    assert rows == [
        # 84,000,000 / 85,000,000 = 98.8235… %
        ("basic_expenditure", D("85000000.00"), D("84000000.00"), D("-1000000.00"), D("98.82")),
        ("function:205", D("130000000.00"), D("120000000.00"), D("-10000000.00"), D("92.31")),
        # 36,000,000 / 45,000,000 = 80 %
        ("project_expenditure", D("45000000.00"), D("36000000.00"), D("-9000000.00"), D("80.00")),
        # 120,000,000 / 130,000,000 = 92.3077 %
        ("total_expenditure", D("130000000.00"), D("120000000.00"), D("-10000000.00"), D("92.31")),
    ]
    # one-sided: EDU 2023 has a budget only
    assert _query(
        built_warehouse,
        "select budget_yuan, final_yuan, execution_rate_pct from marts.budget_vs_final "
        "where department = '北京市教育委员会' and fiscal_year = 2023 and metric = 'total_expenditure'",
    ) == [(D("123456700.00"), None, None)]


def test_department_year_coverage(built_warehouse):
    rows = _query(
        built_warehouse,
        "select department, fiscal_year, document_kind, present, document_id from marts.department_year_coverage "
        "order by department, fiscal_year, document_kind",
    )
    # 3 departments × 2021..2024 × 2 kinds
    assert len(rows) == 3 * 4 * 2
    present = {(d, y, k): doc for d, y, k, p, doc in rows if p}
    assert present == {
        (EDU, 2023, "budget"): "a2023",
        (EDU, 2024, "budget"): "a2024",
        (EDU, 2024, "final_accounts"): "a2024final",
        (FIN, 2021, "budget"): "b2021",
        (FIN, 2023, "budget"): "b2023",
        (FIN, 2024, "budget"): "b2024",
        (RELICS, 2023, "budget"): "c2023",
        (RELICS, 2024, "budget"): "c2024",
    }


def test_growth_rank_in_region(built_warehouse):
    rows = _query(
        built_warehouse,
        "select department, ranking_region, growth_rank_in_region from marts.department_year_totals "
        "where fiscal_year = 2024 and document_kind = 'budget' order by growth_rank_in_region",
    )
    # 2024 change_pct: EDU +5.30, RELICS +0.13, FIN -5.00 (see test_department_year_totals); all 北京市
    assert rows == [(EDU, "北京市", 1), (RELICS, "北京市", 2), (FIN, "北京市", 3)]
    # no previous year: no rank
    assert _query(
        built_warehouse,
        "select count(*) from marts.department_year_totals where fiscal_year = 2023 and department = '北京市财政局' "
        "and growth_rank_in_region is not null",
    ) == [(0,)]


def test_a_code_printed_twice_at_department_level_keeps_its_first_row(built_warehouse):
    function = _query(
        built_warehouse,
        "select code, amount_yuan from marts.function_class_yoy where document_id = 'c2024'",
    )
    assert function == [("201", Decimal("8010.00"))]
    three_public = _query(
        built_warehouse,
        "select measure, amount_yuan from marts.three_public_yoy where document_id = 'c2024'",
    )
    assert three_public == [("three_public_subtotal", Decimal("300.00"))]


def test_reconciliation_holds_current_documents_only(built_warehouse):
    rows = _query(
        built_warehouse,
        "select document_id, status, source_page from marts.reconciliation order by document_id, source_page, status",
    )
    assert rows == [
        ("a2023", "pass", 5),
        ("a2023", "pass", 7),
        ("b2024", "pass", 5),
        ("b2024", "pass", 5),
        ("b2024", "withheld", 8),
    ]


def test_document_checks(built_warehouse):
    rows = _query(
        built_warehouse,
        "select document_id, file_name, outcome, is_current, checks_passed, checks_warned, checks_failed, "
        "checks_withheld, source_page, stage, reason from marts.document_checks "
        "where document_id in ('a2023', 'b2024', 'b2024old', 'c2023', 'deadbeef') order by document_id",
    )
    assert rows == [
        # all passing: the first page checked
        ("a2023", "a2023.pdf", "loaded", True, 2, 0, 0, 0, 5, None, None),
        # the withheld headline's page comes first
        ("b2024", "b2024.pdf", "loaded", True, 2, 0, 0, 1, 8, None, None),
        # a superseded version keeps its checks here, though reconciliation drops them
        ("b2024old", "b2024old.pdf", "loaded", False, 1, 1, 0, 0, 6, None, None),
        # loaded, never checked
        ("c2023", "c2023.pdf", "loaded", True, 0, 0, 0, 0, None, None, None),
        ("deadbeef", "broken.pdf", "quarantined", None, 0, 0, 0, 0, None, "extract", "no_tables"),
    ]
    # every document loaded (superseded versions included) and every quarantined file, once each
    assert _query(built_warehouse, "select outcome, count(*) from marts.document_checks group by 1 order by 1") == [
        ("loaded", len(DOCUMENTS) + len(FINAL_DOCUMENTS)),
        ("quarantined", 1),
    ]


def test_yusuan_status_reads_document_checks(built_warehouse, tmp_path, capsys):
    # a copy, checkpointed first: dbtRunner may still hold the built file open in this process
    _query(built_warehouse, "checkpoint")
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse, warehouse)
    assert main(["status", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{warehouse}: {len(DOCUMENTS) + len(FINAL_DOCUMENTS)} loaded, 1 quarantined"
    assert (
        f"  loaded       b2024old.pdf  {FIN} 2024 budget/department  checks: 1 passed, 1 warned, 0 failed, 0 withheld"
        in out
    )
    assert (
        f"  loaded       b2024.pdf  {FIN} 2024 budget/department  checks: 2 passed, 0 warned, 0 failed, 1 withheld"
        in out
    )
    assert out[-1] == "  quarantined  broken.pdf  at extract since 2025-01-01 09:00: no_tables"


def test_no_intermediate_model_reads_a_mart(built_warehouse):
    manifest = json.loads((built_warehouse.parent / "target" / "manifest.json").read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    for node in nodes.values():
        if node["resource_type"] == "model" and node["config"]["schema"] == "intermediate":
            parents = [nodes[parent] for parent in node["depends_on"]["nodes"] if parent in nodes]
            assert not [p["name"] for p in parents if p["config"].get("schema") == "marts"], node["name"]


def test_the_build_state_waits_for_every_test_of_what_it_is_built_from(built_warehouse):
    """dbt build runs a model after a test, and skips it when the test fails, only when all the
    test reads is upstream of the model.  A test on a per-document mart or a staging model that
    could fail after state.document_build_state is built would leave no change set for the
    failing rows to be read from (dbt_build.set_aside) and let the state pass over them."""
    manifest = json.loads((built_warehouse.parent / "target" / "manifest.json").read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    upstream: set[str] = set()
    pending = ["model.yusuan.document_build_state"]
    while pending:
        for parent in nodes.get(pending.pop(), {}).get("depends_on", {}).get("nodes", []):
            if parent not in upstream:
                upstream.add(parent)
                pending.append(parent)
    tests = [
        node for node in nodes.values() if node["resource_type"] == "test" and node.get("attached_node") in upstream
    ]
    assert {"row_rules_fct_budget_line", "row_rules_stg_budget_line"} <= {test["name"] for test in tests}
    assert [test["name"] for test in tests if not set(test["depends_on"]["nodes"]) <= upstream] == []


def test_dbts_duckdb_keeps_no_more_memory_than_it_is_given(built_warehouse, tmp_path, monkeypatch):
    """dbt/profiles.yml sets DuckDB's memory_limit from YUSUAN_DBT_MEMORY_MB (500 MB by
    default): unbounded, a build of 2,000 documents kept 1 GB of the warehouse's blocks."""
    monkeypatch.setenv("YUSUAN_WAREHOUSE", str(built_warehouse))
    limits = {}
    for megabytes in (None, "123"):
        if megabytes:
            monkeypatch.setenv("YUSUAN_DBT_MEMORY_MB", megabytes)
        else:
            monkeypatch.delenv("YUSUAN_DBT_MEMORY_MB", raising=False)
        shown = _run_dbt(["show", "--inline", "select current_setting('memory_limit') as memory_limit"], tmp_path)
        assert shown.success, shown.exception
        limits[megabytes] = shown.result.results[0].agate_table.rows[0]["memory_limit"]
    with duckdb.connect() as con:  # DuckDB's own rendering of the two limits
        expected = {}
        for megabytes, setting in ((None, "500MB"), ("123", "123MB")):
            con.execute(f"SET memory_limit = '{setting}'")
            expected[megabytes] = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limits == expected
