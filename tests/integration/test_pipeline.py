"""The Dagster assets materialised in process on real PDFs: raw/ → DuckDB → dbt → published copy."""

from __future__ import annotations

import shutil
from decimal import Decimal

import duckdb
import pytest

from pipelines.ingest.loading import LoadSummary
from pipelines.ingest.runner import run_pipeline
from pipelines.orchestration.resources import PipelinePaths
from tests.conftest import sample

SAMPLES = ["jiangsu_npc_office_2019_budget_tables.pdf", "shanghai_putuo_wanli_street_2024_budget.pdf"]


def run(paths: PipelinePaths) -> LoadSummary:
    outcome = run_pipeline(paths)
    assert outcome.success, outcome.failed_steps
    return outcome.load


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    raw = root / "raw" / "nested folder"
    raw.mkdir(parents=True)
    for name in SAMPLES:
        shutil.copy(sample(name), raw / f"renamed {name}")  # names say nothing to the pipeline
    shutil.copy(sample(SAMPLES[0]), raw / "same bytes twice.pdf")  # deduplicated by sha256
    paths = PipelinePaths(
        raw_dir=str(root / "raw"),
        warehouse_path=str(root / "warehouse" / "yusuan.duckdb"),
        extract_dir=str(root / "warehouse" / "extracted"),
        published_path=str(root / "warehouse" / "published" / "yusuan.duckdb"),
    )
    first = run(paths)
    return paths, first


def query(paths: PipelinePaths, sql: str, params=None):
    with duckdb.connect(str(paths.published), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_first_run_loads_both_documents(pipeline):
    _paths, summary = pipeline
    assert (summary.loaded, summary.unchanged, summary.quarantined) == (2, 0, 0)


def test_dim_document_reads_the_pages(pipeline):
    paths, _ = pipeline
    rows = query(
        paths,
        "SELECT department_name, fiscal_year, document_kind, scope, printed_unit "
        "FROM marts.dim_document ORDER BY fiscal_year",
    )
    assert rows == [
        ("江苏省人大常委会办公厅", 2019, "budget", "department", "万元"),
        ("上海市普陀区人民政府万里街道办事处", 2024, "budget", "department", "元"),
    ]


def test_headlines_in_the_marts(pipeline):
    paths, _ = pipeline
    rows = dict(
        ((dept, metric), value)
        for dept, metric, value in query(
            paths,
            "SELECT d.department_name, h.metric, h.value_yuan FROM marts.document_headline h "
            "JOIN marts.dim_document d USING (document_id)",
        )
    )
    # Printed: 公开表一 收入合计 18,330.37 万元, 公开表三 基本支出 9,312.90 万元; Putuo p10 收入总计 156,211,123 元.
    assert rows[("江苏省人大常委会办公厅", "total_income")] == Decimal("183303700.00")
    assert rows[("江苏省人大常委会办公厅", "basic_expenditure")] == Decimal("93129000.00")
    assert rows[("上海市普陀区人民政府万里街道办事处", "total_expenditure")] == Decimal("156211123.00")
    assert rows[("上海市普陀区人民政府万里街道办事处", "project_expenditure")] == Decimal("56505103.00")


def test_every_amount_is_decimal_and_traceable(pipeline):
    paths, _ = pipeline
    types = dict(
        query(
            paths,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name = 'fct_budget_line'",
        )
    )
    assert types["amount_yuan"] == "DECIMAL(18,2)"
    # The headline of Putuo's 一般公共服务支出 points at the page and cell it was printed in.
    (row,) = query(
        paths,
        "SELECT f.source_page, f.item_code, f.item_name, trim(c.text, ' ' || chr(10)) FROM marts.document_headline h "
        "JOIN marts.fct_budget_line f ON f.document_id = h.document_id AND f.source_page = h.source_page "
        " AND f.source_table = h.source_table AND f.source_row = h.source_row AND f.source_col = h.source_col "
        "JOIN raw.extracted_cell c ON c.document_id = f.document_id AND c.table_index = f.source_table "
        " AND c.row_index = f.source_row AND c.col_index = f.source_col "
        "WHERE h.metric = 'function:201' AND f.department_name LIKE '%万里街道%'",
    )
    assert row == (22, "201", "一般公共服务支出", "2,932,700")


def test_second_run_skips_unchanged_files_and_keeps_row_counts(pipeline):
    paths, _ = pipeline
    counts = "SELECT (SELECT count(*) FROM raw.document), (SELECT count(*) FROM raw.budget_line)"
    before = query(paths, counts)
    extracted_at = query(paths, "SELECT document_id, extracted_at FROM raw.document ORDER BY 1")
    summary = run(paths)
    assert (summary.loaded, summary.unchanged, summary.quarantined) == (0, 2, 0)
    assert query(paths, counts) == before
    assert query(paths, "SELECT document_id, extracted_at FROM raw.document ORDER BY 1") == extracted_at


def test_published_copy_is_read_only(pipeline):
    paths, _ = pipeline
    with pytest.raises(duckdb.Error):
        with duckdb.connect(str(paths.published), read_only=True) as con:
            con.execute("CREATE TABLE marts.scratch (x INTEGER)")
    assert not (paths.published.stat().st_mode & 0o222)
