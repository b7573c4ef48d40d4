"""The raw tables the loader writes, each column declared once.

Everything else that names these columns is made from this module: the DuckDB DDL
(``pipelines.ingest.load.RAW_DDL``), the Arrow schemas of the Parquet hand-off
(``pipelines.ingest.handoff``), the pandera models' column types and nullability
(``schemas.budget``) and dbt's source declaration ``dbt/models/staging/_sources.yml``
(written by ``python -m schemas.dbt_sources``).  Unit tests fail when that file or a
staging model's casts drift from here.

Adding a column: declare it below (``added=True`` when existing warehouses must get it
by ``ALTER TABLE``), run ``python -m schemas.dbt_sources``, then cast it in its staging model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class Kind:
    """One kind of value, as each place it passes through stores it."""

    arrow: pa.DataType  # in the Parquet hand-off
    duckdb: str  # in the warehouse (and the staging models' casts)
    pandas: type  # in pandas, once a Parquet hand-off is read: the dtype pandera checks
    json: type  # in document.json, the one hand-off that is not Parquet


TEXT = Kind(pa.string(), "VARCHAR", str, str)
INTEGER = Kind(pa.int32(), "INTEGER", np.int32, int)
# Exact money: Decimal objects in pandas, never floats.
YUAN = Kind(pa.decimal128(18, 2), "DECIMAL(18,2)", object, str)
FLAG = Kind(pa.bool_(), "BOOLEAN", bool, bool)
# A measured quantity that is no money (a recogniser's confidence).
RATIO = Kind(pa.float64(), "DOUBLE", np.float64, float)
# Handed over as ISO text (document.json); the loader parses it.
MOMENT = Kind(pa.timestamp("us"), "TIMESTAMP", np.datetime64, str)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    # Whether the hand-off may leave it empty: validation enforces this.  Warehouse and
    # Arrow columns accept NULL all the same, so whatever validation lets through loads.
    nullable: bool = False
    default: str | None = None  # a SQL literal, for rows loaded before the column existed
    added: bool = False  # added after the table was first created: existing warehouses get it by ALTER TABLE
    handed_off: bool = True  # False: the loader sets it, no extraction output carries it
    staged: bool = True  # selected by the table's staging model
    staged_as: str | None = None  # its name in the staging model, when renamed there
    dbt_tests: tuple[str, ...] = ()  # generic tests on the dbt source column

    @property
    def staging_name(self) -> str:
        return self.staged_as or self.name

    @property
    def duckdb_definition(self) -> str:
        default = f" DEFAULT {self.default}" if self.default is not None else ""
        return f"{self.name} {self.kind.duckdb}{default}"


@dataclass(frozen=True)
class Table:
    name: str  # in schema ``raw``
    description: str
    columns: tuple[Column, ...]
    handoff: str | None  # the extraction output it loads from; None: the loader writes it
    primary_key: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"raw.{self.name}"

    @property
    def handed_off_columns(self) -> list[Column]:
        return [column for column in self.columns if column.handed_off]


def _cell(what: str) -> tuple[Column, ...]:
    """Where a figure was printed: the four columns that locate one cell."""
    return (
        Column("source_page", INTEGER, f"PDF page of {what}."),
        Column("source_table", INTEGER, "Index of the table on the page."),
        Column("source_row", INTEGER, f"Row index of {what} in the table."),
        Column("source_col", INTEGER, f"Column index of {what} in the table."),
    )


DOCUMENT = Table(
    "document",
    "One row per loaded budget / final-accounts PDF.",
    (
        Column("document_id", TEXT, "SHA-256 of the PDF file bytes.", dbt_tests=("unique", "not_null")),
        Column("file_path", TEXT, "Path of the PDF when it was loaded."),
        Column("file_name", TEXT, "File name of the PDF."),
        Column("department_name", TEXT, "Department (or unit) name as printed in the document."),
        Column("fiscal_year", INTEGER, "Fiscal year the document covers."),
        Column("document_kind", TEXT, "'budget' (预算) or 'final_accounts' (决算)."),
        Column("scope", TEXT, "'department' (部门) or 'unit' (单位)."),
        Column("printed_unit", TEXT, "Main amount unit printed in the document: '万元' or '元'."),
        Column("pages", INTEGER, "Number of pages of the PDF."),
        Column(
            "parser_version",
            TEXT,
            "Version of the parser that extracted the document; a newer parser loads it again.",
            staged=False,
        ),
        Column("extracted_at", MOMENT, "When the tables were extracted from the PDF."),
        Column("loaded_at", MOMENT, "When the document was loaded into the warehouse.", handed_off=False),
    ),
    handoff="document.json",
    primary_key="document_id",
)

BUDGET_LINE = Table(
    "budget_line",
    "One row per amount cell extracted from a statement table.",
    (
        Column("document_id", TEXT, "Document the cell comes from (raw.document.document_id)."),
        Column("statement", TEXT, "Canonical statement name (e.g. expenditure_summary)."),
        Column("section", TEXT, "Section of the statement (e.g. income, expenditure_by_function)."),
        Column(
            "item_code",
            TEXT,
            "Function (3/5/7-digit) or economic (3/5-digit) classification code, or NULL.",
            nullable=True,
        ),
        Column("item_name", TEXT, "Item name as printed."),
        Column("measure", TEXT, "Column measure (e.g. total, basic, project, reserve, carry_forward)."),
        Column("amount_yuan", YUAN, "Amount converted to yuan."),
        Column("printed_amount", TEXT, "Amount text as printed in the cell."),
        Column("printed_unit", TEXT, "Unit the amount was printed in ('万元' or '元')."),
        *_cell("the cell"),
        Column(
            "budget_unit",
            TEXT,
            "Budget unit of a row of a by-unit table; NULL at department level.",
            nullable=True,
            added=True,
        ),
        # Lines loaded before periods were read were all taken as the budget year's.
        Column(
            "period",
            TEXT,
            "The period the amount refers to: budget_year (the document's fiscal year), "
            "previous_year, change (增减), carried_over (上年结转 columns and tables of "
            "carried-over funds) or other_year (a later year).",
            default="'budget_year'",
            added=True,
        ),
        # Lines loaded before OCR existed were all read from a text layer.
        Column(
            "text_source",
            TEXT,
            "Where the amount was read: text (the PDF's text layer) or ocr (a scanned page, "
            "read by OCR; its document passed the OCR gate: every identity reconciles).",
            default="'text'",
            added=True,
        ),
        Column(
            "ocr_confidence",
            RATIO,
            "The recogniser's confidence (0-1) in the amount's cell, the lowest of its printed "
            "lines; NULL for an amount read from the text layer.",
            nullable=True,
            added=True,
        ),
    ),
    handoff="lines.parquet",
)

HEADLINE = Table(
    "headline",
    "Headline figures of a document, each picked from one budget line cell.",
    (
        Column("document_id", TEXT, "Document the figure belongs to."),
        Column("metric", TEXT, "Metric name (total_income, total_expenditure, function:NNN, ...)."),
        Column("value_yuan", YUAN, "Value in yuan."),
        Column("statement", TEXT, "Statement the figure was picked from."),
        *_cell("the source cell"),
    ),
    handoff="headlines.parquet",
)

EXTRACTED_CELL = Table(
    "extracted_cell",
    "Every text cell extracted from the PDF tables (for audit / re-parsing).",
    (
        Column("document_id", TEXT, "Document the cell comes from."),
        Column("page", INTEGER, "PDF page.", staged_as="source_page"),
        Column("table_index", INTEGER, "Index of the table on the page.", staged_as="source_table"),
        Column("row_index", INTEGER, "Row index in the table.", staged_as="source_row"),
        Column("col_index", INTEGER, "Column index in the table.", staged_as="source_col"),
        Column("text", TEXT, "Cell text as extracted.", nullable=True, staged_as="cell_text"),
    ),
    handoff="cells.parquet",
)

STATEMENT = Table(
    "statement",
    "The statements found in each document, with printed title, pages and row counts.",
    (
        Column("document_id", TEXT, "SHA-256 of the PDF."),
        Column(
            "statement",
            TEXT,
            "Canonical statement name, or 'unknown' for a table of no known kind (kept as raw cells).",
        ),
        Column("printed_title", TEXT, "The title printed above the table, NULL when none was found.", nullable=True),
        Column("printed_unit", TEXT, "Unit printed for this table ('万元' or '元')."),
        Column("first_page", INTEGER, "First page of the statement."),
        Column("last_page", INTEGER, "Last page of the statement (multi-page tables are stitched)."),
        Column("first_table", INTEGER, "Document-wide index of the statement's first table."),
        Column("body_rows", INTEGER, "Rows below the header, over all pages."),
        Column("line_count", INTEGER, "Budget lines (printed amounts) read from the statement."),
        Column("is_empty", FLAG, "True when the statement has no amounts (e.g. 本表本年无发生额)."),
    ),
    handoff="statements.parquet",
)

RECONCILIATION = Table(
    "reconciliation",
    "Every accounting identity checked per document, with expected, actual and difference.",
    (
        Column("document_id", TEXT, "SHA-256 of the PDF."),
        Column(
            "check_name",
            TEXT,
            "summary_balance, expenditure_split, classification_hierarchy, classification_total, "
            "summary_vs_income_summary, summary_vs_expenditure_summary, three_public_parts, "
            "unit_rows_sum, unit_income_vs_expenditure, unit_general_budget; headline_<identity> "
            "for a withheld headline (headline_period, headline_expenditure_split, "
            "headline_summary_balance, headline_three_public_parts, headline_three_public_unit, "
            "headline_function_table).",
        ),
        Column("statement", TEXT, "Statement the compared figure is printed in."),
        Column("subject", TEXT, "What was compared (an item, a code and measure, a unit)."),
        Column("expected_yuan", YUAN, "The figure the identity says it should be."),
        Column("actual_yuan", YUAN, "The printed figure (or sum of printed figures)."),
        Column("difference_yuan", YUAN, "actual - expected."),
        Column("tolerance_yuan", YUAN, "Rounding room (0.01 of the printed unit per summed line)."),
        Column(
            "status",
            TEXT,
            "pass (within tolerance), warn (a break under 1 %), fail (a larger break), or "
            "withheld: a headline candidate that broke its identity and was not published "
            "(check_name headline_<identity>, subject names the metric and the reason).",
        ),
        Column("source_page", INTEGER, "Page of the figure checked."),
        Column("source_row", INTEGER, "Table row of the figure checked."),
    ),
    handoff="checks.parquet",
)

NARRATIVE_CLAIM = Table(
    "narrative_claim",
    "What the document's prose (说明) states about its figures: one row per claim and subject.",
    (
        Column("document_id", TEXT, "SHA-256 of the PDF."),
        Column(
            "subject",
            TEXT,
            "What the claim is about: a headline metric (total_income, total_expenditure, "
            "fiscal_appropriation_income, basic_expenditure, project_expenditure, three_public_total), "
            "fiscal_appropriation_expenditure, a 三公 part or other measure (outbound_travel, official_reception, "
            "official_vehicles, vehicle_purchase, vehicle_operation, operating_costs, meetings, training), "
            "or function:CODE / economic:CODE.",
        ),
        Column("subject_text", TEXT, "The subject as printed."),
        Column(
            "amount_yuan", YUAN, "The stated amount in yuan; NULL when the claim states a change only.", nullable=True
        ),
        Column(
            "change_yuan", YUAN, "The stated change in yuan, negative for a decrease; NULL when none.", nullable=True
        ),
        Column("direction", TEXT, "increase | decrease | unchanged, as worded; NULL when no change.", nullable=True),
        Column("change_pct", YUAN, "The stated percentage change, signed; NULL when none.", nullable=True),
        Column(
            "basis",
            TEXT,
            "What the change is against: budget (上年预算数, 20XX年预算), execution (上年执行数), "
            "final_accounts (上年决算数) or unspecified (比上年); NULL when no change.",
            nullable=True,
        ),
        Column("basis_year", INTEGER, "The year the basis names (比2025年预算); NULL for 上年.", nullable=True),
        Column("source_page", INTEGER, "PDF page of the claim's subject."),
        Column("claim_index", INTEGER, "Order of the claim in the document (0-based)."),
        Column("sentence", TEXT, "The clause that states the claim, as printed (whitespace removed)."),
    ),
    handoff="claims.parquet",
)

QUARANTINE = Table(
    "quarantine",
    "Files or documents the pipeline refused to load, with the reason.",
    (
        Column("document_id", TEXT, "SHA-256 of the file bytes when known.", nullable=True),
        Column("file_path", TEXT, "Path of the quarantined file."),
        Column("stage", TEXT, "Pipeline stage that quarantined the file."),
        Column("reason", TEXT, "Short machine-readable reason."),
        Column("details", TEXT, "Free-text details."),
        Column("first_seen", MOMENT, "First time the problem was seen."),
        Column("last_seen", MOMENT, "Last time the problem was seen."),
    ),
    handoff=None,
)

# Written by the publisher into each published copy, not by the loader: the writer's warehouse
# holds no row; each release carries the log of the releases before it (pipelines/ingest/releases.py).
RELEASE = Table(
    "release",
    "One row per published release: what changed against the release before, and the code that built it.",
    (
        Column("release_id", TEXT, "UTC date of the publish and its sequence that day (2026-12-01.2)."),
        Column("published_at", MOMENT, "When the release was published (UTC)."),
        Column(
            "previous_release_id", TEXT, "The release this one is compared with; NULL for the first.", nullable=True
        ),
        Column("documents_added", INTEGER, "Current documents that are new, not a re-publication."),
        Column(
            "documents_superseded", INTEGER, "Documents of the previous release replaced by a re-published version."
        ),
        Column("documents_removed", INTEGER, "Documents of the previous release no longer current, and not replaced."),
        Column("mart_rows", TEXT, "Rows per mart of this release, as a JSON object {mart: rows}."),
        Column("package_version", TEXT, "Version of the yusuan package that published it."),
        Column("parser_version", TEXT, "PARSER_VERSION of the extraction that read the documents."),
    ),
    handoff=None,
)

RAW_TABLES = (
    DOCUMENT,
    BUDGET_LINE,
    HEADLINE,
    EXTRACTED_CELL,
    STATEMENT,
    RECONCILIATION,
    NARRATIVE_CLAIM,
    QUARANTINE,
    RELEASE,
)
# Tables loaded from a Parquet file of the hand-off, by file name.
PARQUET_TABLES = {table.handoff: table for table in RAW_TABLES if table.handoff and table.handoff.endswith(".parquet")}


def quoted_identifier(name: str) -> str:
    """A schema, table or column name as a DuckDB identifier, whatever it holds."""
    return '"' + name.replace('"', '""') + '"'


def create_table(table: Table) -> str:
    columns = [
        column.duckdb_definition + (" PRIMARY KEY" if column.name == table.primary_key else "")
        for column in table.columns
    ]
    return f"CREATE TABLE IF NOT EXISTS {table.qualified_name} (\n  " + ",\n  ".join(columns) + ");"


def raw_ddl() -> str:
    """Creates schema ``raw`` and every raw table that does not exist yet."""
    return "\n".join(["CREATE SCHEMA IF NOT EXISTS raw;", *(create_table(table) for table in RAW_TABLES)]) + "\n"


def migrations() -> list[str]:
    """Columns added after a table was first created, for warehouses made before them."""
    return [
        f"ALTER TABLE {table.qualified_name} ADD COLUMN IF NOT EXISTS {column.duckdb_definition}"
        for table in RAW_TABLES
        for column in table.columns
        if column.added
    ]


def arrow_schema(table: Table) -> pa.Schema:
    """The schema of the table's Parquet hand-off."""
    return pa.schema([(column.name, column.kind.arrow) for column in table.handed_off_columns])
