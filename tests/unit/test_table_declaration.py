"""Each raw table is declared once (schemas/tables.py): the warehouse, the Parquet hand-off,
the pandera models and dbt must all agree with that declaration."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from pipelines.ingest.load import MIGRATIONS, RAW_DDL
from schemas.budget import BudgetLineSchema, DocumentSchema, ExtractedCellSchema, HeadlineSchema
from schemas.dbt_sources import SOURCES_YML, dbt_sources
from schemas.tables import RAW_TABLES, Table, arrow_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
STAGING = REPO_ROOT / "dbt" / "models" / "staging"


def test_dbt_sources_yml_is_written_from_the_declaration():
    assert SOURCES_YML.read_text(encoding="utf-8") == dbt_sources(), (
        "dbt/models/staging/_sources.yml differs from schemas/tables.py: run `python -m schemas.dbt_sources`"
    )


_CAST = re.compile(r"^cast\((?P<column>\w+) as (?P<type>.+)\) as (?P<alias>\w+)$", re.IGNORECASE)


def _staging_casts(sql: str) -> list[tuple[str, str, str]]:
    """(raw column, type, staged name) of each column the staging model selects, in order."""
    selected = re.search(r"renamed as \(\s*select\s+(?P<list>.*?)\s+from source\s*\)", sql, re.DOTALL)
    assert selected, "a staging model selects from its `source` CTE in a `renamed` CTE"
    casts = []
    for item in re.split(r",\s*\n", selected.group("list")):
        match = _CAST.match(item.strip())
        assert match, f"not a cast of a raw column: {item.strip()!r}"
        casts.append((match["column"], match["type"], match["alias"]))
    return casts


def _normalised(sql_type: str) -> str:
    return re.sub(r"\s+", "", sql_type).upper()


@pytest.mark.parametrize("table", RAW_TABLES, ids=lambda table: table.name)
def test_staging_model_casts_each_declared_column(table: Table):
    sql = (STAGING / f"stg_{table.name}.sql").read_text(encoding="utf-8")
    assert f"{{{{ source('raw', '{table.name}') }}}}" in sql
    got = [(column, _normalised(sql_type), alias) for column, sql_type, alias in _staging_casts(sql)]
    declared = [
        (column.name, _normalised(column.kind.duckdb), column.staging_name) for column in table.columns if column.staged
    ]
    assert got == declared


def test_the_warehouse_has_the_declared_columns():
    con = duckdb.connect()
    con.execute(RAW_DDL)
    for statement in MIGRATIONS:  # run again on a warehouse that has every column: no change
        con.execute(statement)
    rows = con.execute(
        "SELECT table_name, column_name, data_type, column_default FROM duckdb_columns() "
        "WHERE schema_name = 'raw' ORDER BY table_name, column_index"
    ).fetchall()
    declared = [
        (table.name, column.name, column.kind.duckdb, column.default)
        for table in sorted(RAW_TABLES, key=lambda table: table.name)
        for column in table.columns
    ]
    assert [(t, c, _normalised(d), default) for t, c, d, default in rows] == [
        (t, c, _normalised(d), default) for t, c, d, default in declared
    ]


def test_an_older_warehouse_gets_the_added_columns():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.budget_line (document_id VARCHAR, statement VARCHAR, section VARCHAR, item_code VARCHAR, "
        "item_name VARCHAR, measure VARCHAR, amount_yuan DECIMAL(18,2), printed_amount VARCHAR, "
        "printed_unit VARCHAR, source_page INTEGER, source_table INTEGER, source_row INTEGER, source_col INTEGER)"
    )
    con.execute("INSERT INTO raw.budget_line (document_id) VALUES ('old')")
    for statement in MIGRATIONS:
        con.execute(statement)
    # Lines loaded before periods were read count as the budget year's.
    assert con.execute("SELECT budget_unit, period FROM raw.budget_line").fetchall() == [(None, "budget_year")]


SHA = "ab" * 32
_ROWS = {
    "budget_line": {
        "document_id": SHA,
        "statement": "expenditure_summary",
        "section": "expenditure",
        "item_code": None,
        "item_name": "合计",
        "measure": "total",
        "amount_yuan": Decimal("123456700.00"),
        "printed_amount": "12,345.67",
        "printed_unit": "万元",
        "source_page": 5,
        "source_table": 0,
        "source_row": 2,
        "source_col": 1,
        "budget_unit": None,
        "period": "budget_year",
        "text_source": "ocr",
        "ocr_confidence": 0.97,
    },
    "headline": {
        "document_id": SHA,
        "metric": "total_expenditure",
        "value_yuan": Decimal("123456700.00"),
        "statement": "expenditure_summary",
        "source_page": 5,
        "source_table": 0,
        "source_row": 2,
        "source_col": 1,
    },
    "extracted_cell": {"document_id": SHA, "page": 5, "table_index": 0, "row_index": 2, "col_index": 1, "text": None},
}


@pytest.mark.parametrize(
    ("table", "model"),
    [("budget_line", BudgetLineSchema), ("headline", HeadlineSchema), ("extracted_cell", ExtractedCellSchema)],
)
def test_a_parquet_hand_off_read_into_pandas_has_the_types_its_model_checks(table: str, model):
    """The Arrow type and the pandas dtype declared for each kind of value agree: a row written
    with the table's Arrow schema and read back the way validation reads it passes its model."""
    declaration = next(t for t in RAW_TABLES if t.name == table)
    frame = pa.Table.from_pylist([_ROWS[table]], schema=arrow_schema(declaration)).to_pandas()
    model.validate(frame)


def test_the_document_model_checks_document_json_as_written():
    meta = {
        "document_id": SHA,
        "file_path": "/data/a.pdf",
        "file_name": "a.pdf",
        "department_name": "某某市教育局",
        "fiscal_year": 2024,
        "document_kind": "budget",
        "scope": "department",
        "printed_unit": "万元",
        "pages": 20,
        "parser_version": "12",
        "extracted_at": datetime(2025, 1, 1, 10).isoformat(),
        "problems": [],
    }
    DocumentSchema.validate(pd.DataFrame([meta]))


def test_schemas_do_not_import_pipelines():
    code = (
        "import sys, schemas, schemas.dbt_sources; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pipelines'))"
    )
    imported = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]"
