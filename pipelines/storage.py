"""Per-document extraction outputs on disk: the hand-off from extraction to the loader.

Extraction never touches DuckDB; it writes one folder per document (named by
sha256) with the raw camelot cells as JSON and the parsed rows as Parquet.  The
folder appears atomically (written under a temporary name, then renamed), so a
killed run never leaves half an output that a later run would trust.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.extraction.document import PARSER_VERSION, ParsedDocument, RawDocument
from pipelines.extraction.identities import run_checks

AMOUNT_TYPE = pa.decimal128(18, 2)

LINE_SCHEMA = pa.schema(
    [
        ("document_id", pa.string()), ("statement", pa.string()), ("section", pa.string()),
        ("item_code", pa.string()), ("item_name", pa.string()), ("measure", pa.string()),
        ("amount_yuan", AMOUNT_TYPE), ("printed_amount", pa.string()), ("printed_unit", pa.string()),
        ("source_page", pa.int32()), ("source_table", pa.int32()), ("source_row", pa.int32()),
        ("source_col", pa.int32()), ("budget_unit", pa.string()),
    ]
)
HEADLINE_SCHEMA = pa.schema(
    [
        ("document_id", pa.string()), ("metric", pa.string()), ("value_yuan", AMOUNT_TYPE),
        ("statement", pa.string()), ("source_page", pa.int32()), ("source_table", pa.int32()),
        ("source_row", pa.int32()), ("source_col", pa.int32()),
    ]
)
CELL_SCHEMA = pa.schema(
    [
        ("document_id", pa.string()), ("page", pa.int32()), ("table_index", pa.int32()),
        ("row_index", pa.int32()), ("col_index", pa.int32()), ("text", pa.string()),
    ]
)
CHECK_SCHEMA = pa.schema(
    [
        ("document_id", pa.string()), ("check_name", pa.string()), ("statement", pa.string()),
        ("subject", pa.string()), ("expected_yuan", AMOUNT_TYPE), ("actual_yuan", AMOUNT_TYPE),
        ("difference_yuan", AMOUNT_TYPE), ("tolerance_yuan", AMOUNT_TYPE), ("status", pa.string()),
        ("source_page", pa.int32()), ("source_row", pa.int32()),
    ]
)
STATEMENT_SCHEMA = pa.schema(
    [
        ("document_id", pa.string()), ("statement", pa.string()), ("printed_title", pa.string()),
        ("printed_unit", pa.string()), ("first_page", pa.int32()), ("last_page", pa.int32()),
        ("first_table", pa.int32()), ("body_rows", pa.int32()), ("line_count", pa.int32()),
        ("is_empty", pa.bool_()),
    ]
)


def document_dir(extract_dir: Path, sha256: str) -> Path:
    return Path(extract_dir) / sha256


def is_extracted(extract_dir: Path, sha256: str) -> bool:
    """The stored output was made by the current parser."""
    meta = document_dir(extract_dir, sha256) / "document.json"
    if not meta.exists():
        return False
    return json.loads(meta.read_text(encoding="utf-8")).get("parser_version") == PARSER_VERSION


def write_failure(extract_dir: Path, sha256: str, failure: dict) -> None:
    """Remember that this parser could not read these bytes, so a nightly run does not retry."""
    folder = document_dir(extract_dir, sha256)
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / ".failure.json.tmp"
    staging.write_text(json.dumps({**failure, "parser_version": PARSER_VERSION}, ensure_ascii=False), encoding="utf-8")
    os.replace(staging, folder / "failure.json")


def read_failure(extract_dir: Path, sha256: str) -> dict | None:
    path = document_dir(extract_dir, sha256) / "failure.json"
    if not path.exists():
        return None
    failure = json.loads(path.read_text(encoding="utf-8"))
    return failure if failure.get("parser_version") == PARSER_VERSION else None


def has_raw_tables(extract_dir: Path, sha256: str) -> bool:
    """camelot's output is stored, so a newer parser can run without camelot."""
    return (document_dir(extract_dir, sha256) / "raw.json").exists()


def write_extraction(
    extract_dir: Path, file_path: Path, raw: RawDocument, parsed: ParsedDocument
) -> Path:
    """Write one document's outputs atomically; returns the folder."""
    doc_id = raw.sha256
    target = document_dir(extract_dir, doc_id)
    Path(extract_dir).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{doc_id[:12]}-", dir=extract_dir))
    try:
        (staging / "raw.json").write_text(json.dumps(raw.to_dict(), ensure_ascii=False), encoding="utf-8")
        pq.write_table(
            pa.Table.from_pylist(
                [{"document_id": doc_id, **{k: getattr(l, k) for k in LINE_SCHEMA.names[1:]}} for l in parsed.lines],
                schema=LINE_SCHEMA,
            ),
            staging / "lines.parquet",
        )
        pq.write_table(
            pa.Table.from_pylist(
                [
                    {
                        "document_id": doc_id, "metric": h.metric, "value_yuan": h.value_yuan,
                        "statement": h.line.statement, "source_page": h.line.source_page,
                        "source_table": h.line.source_table, "source_row": h.line.source_row,
                        "source_col": h.line.source_col,
                    }
                    for h in parsed.headlines
                ],
                schema=HEADLINE_SCHEMA,
            ),
            staging / "headlines.parquet",
        )
        pq.write_table(
            pa.Table.from_pylist(
                [
                    {"document_id": doc_id, "page": t.page, "table_index": t.index,
                     "row_index": r, "col_index": c, "text": text}
                    for t in raw.tables for r, row in enumerate(t.texts) for c, text in enumerate(row)
                ],
                schema=CELL_SCHEMA,
            ),
            staging / "cells.parquet",
        )
        pq.write_table(
            pa.Table.from_pylist(
                [
                    {"document_id": doc_id, "check_name": r.check, "statement": r.statement, "subject": r.subject,
                     "expected_yuan": r.expected, "actual_yuan": r.actual, "difference_yuan": r.difference,
                     "tolerance_yuan": r.tolerance, "status": r.status, "source_page": r.page, "source_row": r.row}
                    for r in run_checks(parsed.lines, parsed.headlines)
                ],
                schema=CHECK_SCHEMA,
            ),
            staging / "checks.parquet",
        )
        pq.write_table(
            pa.Table.from_pylist(
                [
                    {"document_id": doc_id, "statement": s.statement, "printed_title": s.title,
                     "printed_unit": s.printed_unit, "first_page": min(s.pages), "last_page": max(s.pages),
                     "first_table": s.first_table, "body_rows": s.rows, "line_count": s.lines, "is_empty": s.empty}
                    for s in parsed.statements
                ],
                schema=STATEMENT_SCHEMA,
            ),
            staging / "statements.parquet",
        )
        document = {
            "document_id": doc_id,
            "file_path": str(file_path),
            "file_name": Path(file_path).name,
            **asdict(parsed.metadata),
            "parser_version": PARSER_VERSION,
            "problems": [asdict(p) for p in parsed.problems],
        }
        (staging / "document.json").write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def read_document_meta(extract_dir: Path, sha256: str) -> dict:
    return json.loads((document_dir(extract_dir, sha256) / "document.json").read_text(encoding="utf-8"))


def read_raw(extract_dir: Path, sha256: str) -> RawDocument:
    data = json.loads((document_dir(extract_dir, sha256) / "raw.json").read_text(encoding="utf-8"))
    return RawDocument.from_dict(data)
