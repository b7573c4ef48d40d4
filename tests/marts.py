"""What two warehouses must agree on when they are built from the same PDFs another way."""

from __future__ import annotations

from pathlib import Path

import duckdb

CONTENT_SQL = [
    "SELECT document_id, department_name, fiscal_year, document_kind, scope FROM marts.dim_document ORDER BY 1",
    "SELECT document_id, statement, item_code, item_name, measure, amount_yuan, source_page, source_row, source_col "
    "FROM marts.fct_budget_line ORDER BY ALL",
    "SELECT document_id, metric, value_yuan FROM marts.document_headline ORDER BY ALL",
    "SELECT department, fiscal_year, total_expenditure_yuan, change_yuan FROM marts.department_year_totals ORDER BY ALL",
]


def content(published: Path) -> list:
    with duckdb.connect(str(published), read_only=True) as con:
        return [con.execute(sql).fetchall() for sql in CONTENT_SQL]
