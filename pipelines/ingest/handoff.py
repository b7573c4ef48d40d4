"""Per-document extraction outputs: the hand-off from extraction to the loader.

Extraction never touches DuckDB; it writes one folder per document (named by
sha256) with the raw camelot cells as JSON and the parsed rows as Parquet.  The
folder is a local path, or an fsspec URL (s3://, gs://, file://, …) so that
workers on other machines can hand over to the loader.

A killed run never leaves half an output that a later run would trust: a local
folder appears atomically (written under a temporary name, then renamed); in
object storage, which has no rename, ``document.json`` is written last and is
what marks the folder complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from upath import UPath

from pipelines.extraction.document import PARSER_VERSION, ParsedDocument, RawDocument
from pipelines.extraction.identities import run_checks
from schemas.tables import (
    BUDGET_LINE,
    EXTRACTED_CELL,
    HEADLINE,
    NARRATIVE_CLAIM,
    RECONCILIATION,
    STATEMENT,
    arrow_schema,
)

# The Parquet files' schemas, as schemas/tables.py declares the tables they load into.
LINE_SCHEMA = arrow_schema(BUDGET_LINE)
HEADLINE_SCHEMA = arrow_schema(HEADLINE)
CELL_SCHEMA = arrow_schema(EXTRACTED_CELL)
CHECK_SCHEMA = arrow_schema(RECONCILIATION)
STATEMENT_SCHEMA = arrow_schema(STATEMENT)
CLAIM_SCHEMA = arrow_schema(NARRATIVE_CLAIM)


# A local folder, or a folder in object storage.
StoragePath = Path | UPath
COMPLETE_MARKER = "document.json"


def extraction_root(location: str | os.PathLike) -> StoragePath:
    text = str(location)
    return UPath(text) if "://" in text else Path(text)


def document_dir(extract_dir: StoragePath, sha256: str) -> StoragePath:
    return extract_dir / sha256


def is_extracted(extract_dir: StoragePath, sha256: str) -> bool:
    """The stored output was made by the current parser."""
    meta = document_dir(extract_dir, sha256) / COMPLETE_MARKER
    if not meta.exists():
        return False
    return json.loads(meta.read_text(encoding="utf-8")).get("parser_version") == PARSER_VERSION


def write_failure(extract_dir: StoragePath, sha256: str, failure: dict) -> None:
    """Remember that this parser could not read these bytes, so a nightly run does not retry."""
    folder = document_dir(extract_dir, sha256)
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps({**failure, "parser_version": PARSER_VERSION}, ensure_ascii=False)
    if isinstance(folder, UPath):  # one object put is atomic
        (folder / "failure.json").write_text(text, encoding="utf-8")
        return
    staging = folder / ".failure.json.tmp"
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, folder / "failure.json")


def read_failure(extract_dir: StoragePath, sha256: str) -> dict | None:
    path = document_dir(extract_dir, sha256) / "failure.json"
    if not path.exists():
        return None
    failure = json.loads(path.read_text(encoding="utf-8"))
    return failure if failure.get("parser_version") == PARSER_VERSION else None


def has_raw_tables(extract_dir: StoragePath, sha256: str) -> bool:
    """camelot's output is stored, so a newer parser can run without camelot."""
    return (document_dir(extract_dir, sha256) / "raw.json").exists()


def _parquet(rows: list[dict], schema: pa.Schema) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), sink)
    return sink.getvalue().to_pybytes()


def _outputs(file_path: Path, raw: RawDocument, parsed: ParsedDocument) -> dict[str, bytes]:
    """Every file of one document's folder, by name; the completion marker comes last."""
    doc_id = raw.sha256
    document = {
        "document_id": doc_id,
        "file_path": str(file_path),
        "file_name": Path(file_path).name,
        **asdict(parsed.metadata),
        "parser_version": PARSER_VERSION,
        "extracted_at": datetime.now(UTC).replace(tzinfo=None).isoformat(),
        "problems": [asdict(p) for p in parsed.problems],
    }
    return {
        "raw.json": json.dumps(raw.to_dict(), ensure_ascii=False).encode(),
        "lines.parquet": _parquet(
            [{"document_id": doc_id, **{k: getattr(l, k) for k in LINE_SCHEMA.names[1:]}} for l in parsed.lines],
            LINE_SCHEMA,
        ),
        "headlines.parquet": _parquet(
            [
                {
                    "document_id": doc_id,
                    "metric": h.metric,
                    "value_yuan": h.value_yuan,
                    "statement": h.line.statement,
                    "source_page": h.line.source_page,
                    "source_table": h.line.source_table,
                    "source_row": h.line.source_row,
                    "source_col": h.line.source_col,
                }
                for h in parsed.headlines
            ],
            HEADLINE_SCHEMA,
        ),
        "cells.parquet": _parquet(
            [
                {
                    "document_id": doc_id,
                    "page": t.page,
                    "table_index": t.index,
                    "row_index": r,
                    "col_index": c,
                    "text": text,
                }
                for t in raw.tables
                for r, row in enumerate(t.texts)
                for c, text in enumerate(row)
            ],
            CELL_SCHEMA,
        ),
        "checks.parquet": _parquet(
            [
                {
                    "document_id": doc_id,
                    "check_name": r.check,
                    "statement": r.statement,
                    "subject": r.subject,
                    "expected_yuan": r.expected,
                    "actual_yuan": r.actual,
                    "difference_yuan": r.difference,
                    "tolerance_yuan": r.tolerance,
                    "status": r.status,
                    "source_page": r.page,
                    "source_row": r.row,
                }
                for r in [*run_checks(parsed.lines, parsed.headlines), *parsed.withheld]
            ],
            CHECK_SCHEMA,
        ),
        "statements.parquet": _parquet(
            [
                {
                    "document_id": doc_id,
                    "statement": s.statement,
                    "printed_title": s.title,
                    "printed_unit": s.printed_unit,
                    "first_page": min(s.pages),
                    "last_page": max(s.pages),
                    "first_table": s.first_table,
                    "body_rows": s.rows,
                    "line_count": s.lines,
                    "is_empty": s.empty,
                }
                for s in parsed.statements
            ],
            STATEMENT_SCHEMA,
        ),
        "claims.parquet": _parquet(
            [
                {
                    "document_id": doc_id,
                    "subject": c.subject,
                    "subject_text": c.subject_text,
                    "amount_yuan": c.amount_yuan,
                    "change_yuan": c.change_yuan,
                    "direction": c.direction,
                    "change_pct": c.change_pct,
                    "basis": c.basis,
                    "basis_year": c.basis_year,
                    "source_page": c.page,
                    "claim_index": i,
                    "sentence": c.sentence,
                }
                for i, c in enumerate(parsed.claims)
            ],
            CLAIM_SCHEMA,
        ),
        COMPLETE_MARKER: json.dumps(document, ensure_ascii=False, indent=1).encode(),
    }


def write_extraction(
    extract_dir: StoragePath, file_path: Path, raw: RawDocument, parsed: ParsedDocument
) -> StoragePath:
    """Write one document's outputs so that no reader trusts a partial folder; returns the folder."""
    outputs = _outputs(file_path, raw, parsed)
    target = document_dir(extract_dir, raw.sha256)
    if isinstance(target, UPath):
        _write_to_object_storage(target, outputs)
    else:
        _write_local(target, outputs)
    return target


def _write_to_object_storage(target: UPath, outputs: dict[str, bytes]) -> None:
    (target / COMPLETE_MARKER).unlink(missing_ok=True)  # an older output stops counting first
    target.mkdir(parents=True, exist_ok=True)
    for name, content in outputs.items():  # the marker is the last item
        (target / name).write_bytes(content)


def _write_local(target: Path, outputs: dict[str, bytes]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name[:12]}-", dir=target.parent))
    try:
        for name, content in outputs.items():
            (staging / name).write_bytes(content)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_output(extract_dir: StoragePath, sha256: str, name: str) -> pa.Table:
    """One Parquet output of a document, wherever the extraction folder lives."""
    with (document_dir(extract_dir, sha256) / name).open("rb") as stream:
        return pq.read_table(stream)


def read_document_meta(extract_dir: StoragePath, sha256: str) -> dict:
    return json.loads((document_dir(extract_dir, sha256) / COMPLETE_MARKER).read_text(encoding="utf-8"))


def read_raw(extract_dir: StoragePath, sha256: str) -> RawDocument:
    data = json.loads((document_dir(extract_dir, sha256) / "raw.json").read_text(encoding="utf-8"))
    return RawDocument.from_dict(data)
