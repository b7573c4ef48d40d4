"""Planted faults: each kind is caught by the matching check, with a message that names the
document, statement, row and difference, while every other document loads."""

from __future__ import annotations

import shutil
from decimal import Decimal
from types import SimpleNamespace

import duckdb
import pytest

from pipelines.ingest.runner import run_pipeline
from pipelines.orchestration.resources import PipelinePaths
from tests.conftest import sample
from tests.support import faults
from tests.support.renderers.futian import render_futian_2022

WAN = Decimal(10000)
GOOD_SAMPLE = "jiangsu_npc_office_2019_budget_tables.pdf"
# 表7 row 4 is 行政运行 897.67 under 20103 (本级); 表3 row 1 is 政务服务中心 3,193.00 | 571.33 | 2,621.67.
FAULTS = {
    "wrong_amount.pdf": lambda: faults.set_cell(7, 4, 3, "997.67"),
    "missing_row.pdf": lambda: faults.drop_row(7, 4),
    "non_numeric_amount.pdf": lambda: faults.set_cell(3, 1, 1, "3,l93.00"),
    "wrong_unit_line.pdf": lambda: faults.set_unit(3, "元"),
    "missing_column.pdf": lambda: faults.drop_column(3, 2),
}
UNIT = "深圳市福田区政务服务数据管理局(本级)"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    raw = root / "raw"
    raw.mkdir()
    for name, plant in FAULTS.items():
        render_futian_2022(raw / name, tables=plant())
    shutil.copy(sample(GOOD_SAMPLE), raw / GOOD_SAMPLE)
    paths = PipelinePaths(
        raw_dir=str(raw),
        warehouse_path=str(root / "wh" / "yusuan.duckdb"),
        extract_dir=str(root / "wh" / "extracted"),
        published_path=str(root / "wh" / "published.duckdb"),
    )
    outcome = run_pipeline(paths)
    assert outcome.success, outcome.failed_steps
    result = outcome.ingest  # the asset checks run with the ingest part
    con = duckdb.connect(str(paths.published), read_only=True)
    yield SimpleNamespace(con=con, result=result)
    con.close()


def broken(warehouse, file_name: str) -> list[tuple]:
    # The planted documents are versions of one department's budget of one year, so all
    # but one are superseded: marts.reconciliation keeps current documents, raw.* every version.
    return warehouse.con.execute(
        "SELECT d.file_name, r.check_name, r.statement, r.subject, r.source_page, r.source_row, "
        "r.difference_yuan, r.status FROM raw.reconciliation r JOIN raw.document d USING (document_id) "
        "WHERE d.file_name = ? AND r.status <> 'pass'",
        [file_name],
    ).fetchall()


def test_every_readable_document_loads(warehouse):
    loaded = {row[0] for row in warehouse.con.execute("SELECT file_name FROM marts.dim_document").fetchall()}
    assert loaded == set(FAULTS) - {"non_numeric_amount.pdf"} | {GOOD_SAMPLE}
    assert broken(warehouse, GOOD_SAMPLE) == []


def test_wrong_amount(warehouse):
    # 行政运行 printed 997.67 instead of 897.67: 20103 no longer equals the sum of its 项.
    rows = broken(warehouse, "wrong_amount.pdf")
    assert (
        "wrong_amount.pdf",
        "classification_hierarchy",
        "general_budget_expenditure_by_function",
        "20103 (total)",
        Decimal("100.00") * WAN,
        "fail",
    ) in {(r[0], r[1], r[2], r[3], r[6], r[7]) for r in rows}


def test_missing_row(warehouse):
    rows = broken(warehouse, "missing_row.pdf")
    hit = [r for r in rows if r[1] == "classification_hierarchy" and r[3] == "20103 (total)"]
    assert hit and hit[0][6] == Decimal("-897.67") * WAN and hit[0][7] == "fail"
    assert hit[0][4] >= 1 and hit[0][5] >= 0  # page and row of the figure that no longer adds up


def test_non_numeric_amount_is_quarantined(warehouse):
    (file_path, stage, reason, details) = warehouse.con.execute(
        "SELECT file_path, stage, reason, details FROM marts.quarantine"
    ).fetchone()
    assert file_path.endswith("non_numeric_amount.pdf") and stage == "validate"
    assert "expenditure_summary" in details and "row 3 col 1" in details and "3,l93.00" in details


def test_wrong_unit_line(warehouse):
    # 表3 says 单位：元 over figures in 万元: each unit's expenditure no longer equals its income.
    rows = broken(warehouse, "wrong_unit_line.pdf")
    hit = {(r[1], r[3]): r for r in rows}[("unit_income_vs_expenditure", UNIT)]
    assert hit[6] == Decimal("3999.00") - Decimal("3999.00") * WAN and hit[7] == "fail"


def test_missing_column(warehouse):
    # 表3 without its 基本支出 column: total = basic + project breaks on every unit row.
    rows = broken(warehouse, "missing_column.pdf")
    splits = {r[3]: r[6] for r in rows if r[1] == "expenditure_split"}
    assert splits[UNIT] == (Decimal("2702.30") - Decimal("3999.00")) * WAN


def test_asset_checks_report_the_breaks_as_warnings(warehouse):
    evaluations = {e.asset_check_key.name: e for e in warehouse.result.get_asset_check_evaluations()}
    identities = evaluations["accounting_identities"]
    assert not identities.passed and identities.severity.value == "WARN"
    assert identities.metadata["fail"].value > 0
    quarantine = evaluations["nothing_quarantined"]
    assert not quarantine.passed and quarantine.metadata["quarantined"].value == 1
