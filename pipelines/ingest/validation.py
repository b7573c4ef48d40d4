"""Validate one document's extraction outputs against the pandera schemas.

Validation is lazy: every failing check of every layer is reported at once, so
a quarantine record says everything that is wrong with a document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.errors

from pipelines.ingest.handoff import StoragePath, read_document_meta, read_output
from schemas import BudgetLineSchema, DocumentSchema, ExtractedCellSchema, HeadlineSchema

# Parser findings that mean the numbers cannot be trusted: the document is quarantined.
_BLOCKING_PROBLEMS = {"non_numeric_amount", "unlabelled_amount"}
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
        cases = exc.failure_cases.head(_MAX_REPORTED)
        return [
            f"{name}: {row.check} failed on column {row.column} (row {row.index}): {row.failure_case!r}"
            for row in cases.itertuples()
        ]
    return []


def validate_extraction(extract_dir: StoragePath, document_id: str) -> ValidationResult:
    def frame(name: str) -> pd.DataFrame:
        return read_output(extract_dir, document_id, name).to_pandas()

    meta = read_document_meta(extract_dir, document_id)
    result = ValidationResult(document_id)

    result.errors += _schema_errors("document", DocumentSchema, pd.DataFrame([meta]))
    lines = frame("lines.parquet")
    result.errors += _schema_errors("budget_line", BudgetLineSchema, lines)
    result.errors += _schema_errors("headline", HeadlineSchema, frame("headlines.parquet"))
    result.errors += _schema_errors("extracted_cell", ExtractedCellSchema, frame("cells.parquet"))

    statements = frame("statements.parquet")
    if not (statements["statement"] != "unknown").any():
        result.errors.append("document: no budget statement found (no ruled table with a known title)")
    for problem in meta.get("problems", []):
        if problem["kind"] in _BLOCKING_PROBLEMS:
            result.errors.append(
                f"{problem['statement']} page {problem['page']} table {problem['table']} "
                f"row {problem['row']} col {problem['col']}: {problem['kind']}: {problem['detail']}"
            )
    return result
