"""Export the warehouse as a Fiscal Data Package (FDP 1.0, the OpenSpending format).

Two CSV resources and a ``datapackage.json`` describing them:

- ``documents.csv``: one row per current document (department, year, budget or
  final accounts, scope, printed unit, pages);
- ``budget-lines.csv``: every printed amount of the current documents, one row
  each (the denormalised form the spec recommends), with the fiscal concepts as
  columns: fiscal year, direction (expenditure / revenue), phase (approved for a
  budget, executed for final accounts), currency CNY, the functional (类 / 款 / 项)
  and economic (类 / 款) classification with their current names, the
  administrative classification (department, budget unit) and provenance
  (document_id, page, table, row, column, the amount as printed).

Every column carries its FDP ``columnType``. Amounts are written as exact decimal
strings of yuan (``136490700.00``), straight from DECIMAL(18,2), never via a float.

The same spending is printed in several tables (支出总表, 一般公共预算支出表 …), and
tables print totals beside their parts: sum only within one ``statement`` and
``measure`` (the value kind), at one classification level.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.extraction.periods import PERIODS

PACKAGE_DIR = "fiscal-data-package"
BUDGET_TAXONOMY = "https://specs.frictionlessdata.io/taxonomies/fiscal/budgets.json"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    column_type: str | None
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()


# Types this package adds to the budget taxonomy (FDP "explicit typing").
CUSTOM_COLUMN_TYPES = [
    {"name": "value-kind:measure", "dataType": "string", "unique": True},
    {"name": "value-kind:section", "dataType": "string", "unique": True},
    {"name": "value-kind:period", "dataType": "string", "unique": True},
    {"name": "budget-line:label", "dataType": "string", "labelOf": "budget-line-id"},
    {"name": "administrative-classification:generic:scope", "dataType": "string"},
    {"name": "provenance:document-id", "dataType": "string"},
    {"name": "provenance:file-name", "dataType": "string"},
    {"name": "provenance:page", "dataType": "integer"},
    {"name": "provenance:table", "dataType": "integer"},
    {"name": "provenance:row", "dataType": "integer"},
    {"name": "provenance:column", "dataType": "integer"},
    {"name": "provenance:printed-amount", "dataType": "string"},
    {"name": "provenance:printed-unit", "dataType": "string"},
]

_ADMIN = "administrative-classification:generic"
_FUNCTION = "functional-classification:generic"
_ECONOMIC = "economic-classification:generic"

DOCUMENT_COLUMNS = [
    Column("document_id", "string", "provenance:document-id", "SHA-256 of the PDF file.", required=True),
    Column("file_name", "string", "provenance:file-name", "File name of the PDF."),
    Column("department_id", "string", f"{_ADMIN}:level1:code", "Stable department id.", required=True),
    Column("department", "string", f"{_ADMIN}:level1:label", "Canonical department name."),
    Column("department_as_printed", "string", None, "Department (or unit) name as printed in the document."),
    Column("fiscal_year", "integer", "date:fiscal-year", "Fiscal year (the calendar year).", required=True),
    Column(
        "document_kind",
        "string",
        None,
        "budget (部门预算) or final_accounts (部门决算).",
        required=True,
        enum=("budget", "final_accounts"),
    ),
    Column(
        "scope", "string", f"{_ADMIN}:scope", "department (部门) or unit (单位) document.", enum=("department", "unit")
    ),
    Column(
        "printed_unit",
        "string",
        "provenance:printed-unit",
        "Main unit the document prints amounts in.",
        enum=("万元", "元"),
    ),
    Column("pages", "integer", None, "Pages of the PDF."),
]

LINE_COLUMNS = [
    Column(
        "budget_line_id",
        "string",
        "budget-line-id",
        "document_id:page:table:row:column of the printed cell.",
        required=True,
    ),
    Column("fiscal_year", "integer", "date:fiscal-year", "Fiscal year.", required=True),
    Column(
        "direction",
        "string",
        "direction",
        "expenditure or revenue (income tables and income sections).",
        required=True,
        enum=("expenditure", "revenue"),
    ),
    Column(
        "phase",
        "string",
        "phase:id",
        "approved (a budget, or the 预算数 column of final accounts) or executed (final accounts).",
        required=True,
        enum=("approved", "executed"),
    ),
    Column("phase_label", "string", "phase:label", "预算 or 决算."),
    Column("amount", "number", "value", "Amount in yuan, exact to the fen.", required=True),
    Column("currency", "string", "value-currency:code", "Always CNY.", required=True, enum=("CNY",)),
    Column("department_id", "string", f"{_ADMIN}:level1:code", "Stable department id.", required=True),
    Column("department", "string", f"{_ADMIN}:level1:label", "Canonical department name."),
    Column(
        "budget_unit",
        "string",
        f"{_ADMIN}:level2:code",
        "The budget unit (单位) of a row of a by-unit table; empty for department-level rows.",
    ),
    Column("scope", "string", f"{_ADMIN}:scope", "department or unit document.", enum=("department", "unit")),
    Column("function_class_code", "string", f"{_FUNCTION}:level1:code", "Function 类 (3 digits)."),
    Column("function_class_name", "string", f"{_FUNCTION}:level1:label", "Current name of the 类."),
    Column("function_item_code", "string", f"{_FUNCTION}:level2:code", "Function 款 (5 digits)."),
    Column("function_item_name", "string", f"{_FUNCTION}:level2:label", "Current name of the 款."),
    Column("function_subitem_code", "string", f"{_FUNCTION}:level3:code", "Function 项 (7 digits)."),
    Column("function_subitem_name", "string", f"{_FUNCTION}:level3:label", "Current name of the 项."),
    Column("economic_class_code", "string", f"{_ECONOMIC}:level1:code", "Economic 类 (3 digits)."),
    Column("economic_class_name", "string", f"{_ECONOMIC}:level1:label", "Current name of the 类."),
    Column("economic_item_code", "string", f"{_ECONOMIC}:level2:code", "Economic 款 (5 digits)."),
    Column("economic_item_name", "string", f"{_ECONOMIC}:level2:label", "Current name of the 款."),
    Column("statement", "string", "value-kind:code", "The table the amount is printed in.", required=True),
    Column("statement_title", "string", "value-kind:label", "The table's usual title."),
    Column("section", "string", "value-kind:section", "Part of the table (income, expenditure, main …)."),
    Column(
        "measure",
        "string",
        "value-kind:measure",
        "The column: total, basic, project, amount …; ':决算数' marks the actual of final accounts.",
        required=True,
    ),
    Column(
        "period",
        "string",
        "value-kind:period",
        "The period the amount refers to: budget_year (the fiscal year), previous_year, change, "
        "carried_over (上年结转, already inside the 合计 beside it) or other_year.",
        required=True,
        enum=PERIODS,
    ),
    Column("item_name", "string", "budget-line:label", "Row name as printed."),
    Column("document_id", "string", "provenance:document-id", "The document (documents.csv).", required=True),
    Column("source_page", "integer", "provenance:page", "PDF page of the cell.", required=True),
    Column("source_table", "integer", "provenance:table", "Table index on the page.", required=True),
    Column("source_row", "integer", "provenance:row", "Row index in the table.", required=True),
    Column("source_col", "integer", "provenance:column", "Column index in the table.", required=True),
    Column("printed_amount", "string", "provenance:printed-amount", "The cell's text as printed."),
    Column("printed_unit", "string", "provenance:printed-unit", "万元 or 元, the unit printed.", enum=("万元", "元")),
]


def _csv_select(columns: list[Column]) -> str:
    """The select list of one CSV resource, its columns by name.  An empty text is written as
    nothing, as NULL is (DuckDB's CSV writer would quote it: "")."""
    return ", ".join(f"nullif({c.name}, '') as {c.name}" if c.type == "string" else c.name for c in columns)


_DOCUMENTS_SQL = f"""
with current_documents as (
    select
        documents.document_id, documents.file_name, documents.department_id,
        departments.department_name as department, documents.department_name as department_as_printed,
        documents.fiscal_year, documents.document_kind, documents.scope, documents.printed_unit, documents.pages
    from marts.dim_document as documents
    inner join marts.dim_department as departments
        on departments.department_id = documents.department_id
    where documents.is_current
)
select {_csv_select(DOCUMENT_COLUMNS)}
from current_documents as document
order by document.department, document.fiscal_year, document.document_kind, document.scope
"""

# The lines are the mart marts.fiscal_data_package_line (dbt/models/marts/exports),
# whose columns are named as LINE_COLUMNS.
_LINES_SQL = f"""
select {_csv_select(LINE_COLUMNS)}
from marts.fiscal_data_package_line as line
order by line.fiscal_year, line.department, line.document_id, line.source_page, line.source_table,
    line.source_row, line.source_col
"""

# DuckDB writes the CSVs as the rows stream (at 2,000 documents, 2 s of CPU where Python's csv
# module took 11): a header, commas, quotes only where a value holds a comma, a quote or a line
# break, DECIMAL(18,2) in plain notation (136490700.00, never an exponent), NULL as nothing.
_CSV = "(HEADER, DELIMITER ',', QUOTE '\"', NEW_LINE '\\n')"
_COPY_DOCUMENTS = f"COPY ({_DOCUMENTS_SQL}) TO ? {_CSV}"
_COPY_LINES = f"COPY ({_LINES_SQL}) TO ? {_CSV}"


def _write_csv(con: duckdb.DuckDBPyConnection, path: Path, copy_sql: str) -> dict:
    """Write one resource and return what the descriptor records of the file (bytes, hash)."""
    staging = path.with_name(f".{path.name}.tmp")
    con.execute(copy_sql, [str(staging)])
    digest, size = hashlib.sha256(), 0
    with open(staging, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    os.replace(staging, path)
    return {"bytes": size, "hash": f"sha256:{digest.hexdigest()}"}


def _field(column: Column) -> dict:
    field: dict = {"name": column.name, "type": column.type, "description": column.description}
    if column.column_type:
        field["columnType"] = column.column_type
    if column.type == "number":
        field["bareNumber"] = True
        field["decimalChar"] = "."
    constraints: dict = {}
    if column.required:
        constraints["required"] = True
    if column.enum:
        constraints["enum"] = list(column.enum)
    if constraints:
        field["constraints"] = constraints
    return field


def _resource(name: str, title: str, columns: list[Column], file_info: dict, schema_extra: dict) -> dict:
    return {
        "name": name,
        "title": title,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        **file_info,
        "schema": {"fields": [_field(c) for c in columns], "missingValues": [""], **schema_extra},
    }


def descriptor(documents: list[dict], files: dict[str, dict], created: datetime) -> dict:
    """The datapackage.json of the two resources; `files` holds each CSV's bytes and hash."""
    years = sorted({document["fiscal_year"] for document in documents})
    package: dict = {
        # FDP 1.0 is a Tabular Data Package with fiscal column types (its JSON
        # schema requires this profile), so any tabular tool reads it as is.
        "profile": "tabular-data-package",
        "name": "yusuan-department-budgets",
        "title": "Department budgets and final accounts (部门预算 / 部门决算), as printed",
        "description": __doc__.split("\n\n", 1)[1].strip(),
        "created": created.isoformat(timespec="seconds"),
        "countryCode": "CN",
        "columnTypes": [BUDGET_TAXONOMY, CUSTOM_COLUMN_TYPES],
        "sources": [{"title": document["file_name"]} for document in documents],
        "resources": [
            _resource(
                "documents", "Current documents", DOCUMENT_COLUMNS, files["documents"], {"primaryKey": ["document_id"]}
            ),
            _resource(
                "budget-lines",
                "Every printed amount",
                LINE_COLUMNS,
                files["budget-lines"],
                {
                    "primaryKey": ["budget_line_id"],
                    "foreignKeys": [
                        {"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}}
                    ],
                },
            ),
        ],
    }
    if years:  # China's fiscal year is the calendar year
        package["fiscalPeriod"] = {"start": f"{years[0]}-01-01", "end": f"{years[-1]}-12-31"}
    return package


def write_fiscal_data_package(warehouse: Path, out_dir: Path) -> Path:
    """Write documents.csv, budget-lines.csv and datapackage.json into out_dir; returns the descriptor's path.

    The descriptor is written last, so it never describes CSVs that are not there yet."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        documents = con.execute(_DOCUMENTS_SQL).fetchall()
        # One thread while writing: the sort and the writer then hold half the memory (680 MB
        # instead of 1.3 GB at 2,000 documents).  Set, not configured at connect: a process may
        # hold the file open already, and DuckDB opens a file once per configuration.
        con.execute("SET threads = 1")
        try:
            files = {
                "documents": _write_csv(con, out_dir / "documents.csv", _COPY_DOCUMENTS),
                "budget-lines": _write_csv(con, out_dir / "budget-lines.csv", _COPY_LINES),
            }
        finally:
            con.execute("RESET threads")
    names = [c.name for c in DOCUMENT_COLUMNS]
    package = descriptor([dict(zip(names, row)) for row in documents], files, datetime.now(UTC))
    target = out_dir / "datapackage.json"
    staging = target.with_name(f".{target.name}.tmp")
    staging.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(staging, target)
    return target
