"""Validate one document's extraction outputs before it reaches the warehouse.

Every check that one document's content can fail runs here, on that document:
the pandera schemas (types, formats, one line per cell, one headline per metric),
the vocabularies of dbt/seeds (statements, measures, units) and the link from each
headline to its budget line.  The dbt tests assert the same over all documents, so
content that passes here cannot fail the build for everyone.

Validation is lazy: every failing check of every layer is reported at once, so
a quarantine record says everything that is wrong with a document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.errors

from pipelines.ingest.handoff import StoragePath, read_document_meta, read_output
from pipelines.vocabulary import CHECKED_COLUMNS, load_vocabularies, seed_file
from schemas.budget import BudgetLineSchema, DocumentSchema, ExtractedCellSchema, HeadlineSchema

# Parser findings that mean the numbers cannot be trusted: the document is quarantined.
_BLOCKING_PROBLEMS = {"non_numeric_amount", "unknown_unit", "unlabelled_amount"}
_MAX_REPORTED = 20


@dataclass
class ValidationResult:
    document_id: str
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _schema_errors(name: str, schema, frame: pd.DataFrame) -> list[str]:
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        # A check on whole rows is reported once per column by pandera: once per row here.
        row_checks = cases["schema_context"] == "DataFrameSchema"
        cases = pd.concat([cases[~row_checks], cases[row_checks].drop_duplicates(["check", "index"])])
        return [
            f"{name}: {row.check} failed (row {row.index})"
            if row.schema_context == "DataFrameSchema"
            else f"{name}: {row.check} failed on column {row.column} (row {row.index}): {row.failure_case!r}"
            for row in cases.head(_MAX_REPORTED).itertuples()
        ]
    return []


def _vocabulary_errors(layers: dict[str, pd.DataFrame]) -> list[str]:
    """Values outside the seeds' vocabularies, one message per unknown value."""
    vocabularies = load_vocabularies()
    errors = []
    for checked in CHECKED_COLUMNS:
        frame = layers[checked.output]
        if checked.column not in frame.columns:
            continue  # a missing column is the schema's finding
        values = frame[checked.column].dropna().astype(str)
        if checked.qualified:
            values = values.str.split(":").str[0]
        unknown = values[~values.isin(vocabularies[checked.vocabulary])]
        errors += [
            f"{checked.output}: vocabulary check failed on column {checked.column}: {value!r} is not in "
            f"{seed_file(checked.vocabulary)} ({count} row(s))"
            for value, count in unknown.value_counts().items()
        ]
    return errors


_CELL = ["source_page", "source_table", "source_row", "source_col"]


def _unlinked_headlines(headlines: pd.DataFrame, lines: pd.DataFrame) -> list[str]:
    """Each headline must be the amount of a budget line in the cell it names
    (the dbt test assert_headline_matches_budget_line, for one document)."""
    if headlines.empty:
        return []
    cells = lines[[*_CELL, "amount_yuan"]].rename(columns={"amount_yuan": "line_amount"})
    joined = headlines.merge(cells, on=_CELL, how="left")
    linked = set(joined.loc[joined["line_amount"] == joined["value_yuan"], "metric"])
    unlinked = headlines[~headlines["metric"].isin(linked)]
    return [
        f"headline: headline_matches_budget_line failed for {row.metric}: no budget line of "
        f"{row.value_yuan} at page {row.source_page} table {row.source_table} row {row.source_row} "
        f"col {row.source_col}"
        for row in unlinked.head(_MAX_REPORTED).itertuples()
    ]


def validate_extraction(extract_dir: StoragePath, document_id: str) -> ValidationResult:
    def frame(name: str) -> pd.DataFrame:
        return read_output(extract_dir, document_id, name).to_pandas()

    meta = read_document_meta(extract_dir, document_id)
    result = ValidationResult(document_id)
    layers = {
        "document": pd.DataFrame([meta]),
        "budget_line": frame("lines.parquet"),
        "headline": frame("headlines.parquet"),
        "statement": frame("statements.parquet"),
    }

    result.errors += _schema_errors("document", DocumentSchema, layers["document"])
    result.errors += _schema_errors("budget_line", BudgetLineSchema, layers["budget_line"])
    result.errors += _schema_errors("headline", HeadlineSchema, layers["headline"])
    result.errors += _schema_errors("extracted_cell", ExtractedCellSchema, frame("cells.parquet"))
    result.errors += _vocabulary_errors(layers)
    result.errors += _unlinked_headlines(layers["headline"], layers["budget_line"])

    statements = layers["statement"]
    if not (statements["statement"] != "unknown").any():
        result.errors.append("document: no budget statement found (no ruled table with a known title)")
    blocking = [p for p in meta.get("problems", []) if p["kind"] in _BLOCKING_PROBLEMS]
    result.errors += [
        f"{problem['statement']} page {problem['page']} table {problem['table']} "
        f"row {problem['row']} col {problem['col']}: {problem['kind']}: {problem['detail']}"
        for problem in blocking[:_MAX_REPORTED]
    ]
    if len(blocking) > _MAX_REPORTED:
        result.errors.append(f"… and {len(blocking) - _MAX_REPORTED} more cells like these")
    return result
