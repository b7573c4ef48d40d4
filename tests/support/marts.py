"""Building a warehouse another way (a backfill, celery workers) from the same PDFs,
and what it must then agree on with `yusuan run`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb

from tests.conftest import PROJECT_ROOT, sample

YUSUAN = str(Path(sys.executable).with_name("yusuan"))

CONTENT_SQL = [
    "SELECT document_id, department_name, fiscal_year, document_kind, scope FROM marts.dim_document ORDER BY 1",
    "SELECT document_id, statement, item_code, item_name, measure, amount_yuan, source_page, source_row, source_col "
    "FROM marts.fct_budget_line ORDER BY ALL",
    "SELECT document_id, metric, value_yuan FROM marts.document_headline ORDER BY ALL",
    "SELECT department, fiscal_year, total_expenditure_yuan, change_yuan "
    "FROM marts.department_year_totals ORDER BY ALL",
]


def content(published: Path) -> list:
    with duckdb.connect(str(published), read_only=True) as con:
        return [con.execute(sql).fetchall() for sql in CONTENT_SQL]


def raw_and_dagster_home(tmp_path: Path, names: list[str]) -> tuple[Path, Path]:
    """A raw/ folder with the named samples, and a DAGSTER_HOME with the project's instance settings."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in names:
        shutil.copy(sample(name), raw / name)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "docs" / "dagster.yaml", home / "dagster.yaml")
    return raw, home
