"""Asset: the raw schema of the DuckDB warehouse, written by this single step only."""

from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from pipelines.extraction.document import PARSER_VERSION
from pipelines.ingest.load import (
    connect,
    load_document,
    loaded_document_ids,
    quarantined_document_ids,
    record_quarantine,
    set_aside_by_dbt,
    unpublished_marker,
)
from pipelines.ingest.progress import document_progress
from pipelines.orchestration.resources import PipelinePaths
from pipelines.settings import Settings, dbt_sources_changed_at

RAW_TABLES = {
    "document": "one row per loaded document: department, year, kind, scope, unit (as printed)",
    "budget_line": "one row per printed amount, in exact yuan, with page/table/row/column",
    "headline": "headline figures per document, each pointing at its budget line",
    "extracted_cell": "every camelot cell, so any figure can be traced and re-parsed",
    "statement": "the statements found per document, with printed title, pages and row counts",
    "reconciliation": "every accounting identity checked per document: expected, actual, difference",
    "quarantine": "documents that failed extraction, validation or load, with the reason",
}


@multi_asset(
    group_name="warehouse",
    specs=[
        AssetSpec(AssetKey(["raw", name]), description=text, deps=["validated_documents"])
        for name, text in RAW_TABLES.items()
    ],
    description="The single DuckDB writer: one transaction per document; a quarantined document never blocks the rest.",
    pool="duckdb",  # one DuckDB writer at a time, whatever the executor
)
def raw_tables(
    context: AssetExecutionContext, paths: PipelinePaths, validated_documents: list[dict]
) -> Iterator[MaterializeResult]:
    summary = {"loaded": 0, "unchanged": 0, "quarantined": 0, "rows": 0}
    pending = unpublished_marker(paths.warehouse)
    carried_over = pending.exists()  # an earlier run changed the warehouse and did not publish
    con = connect(paths.warehouse)
    try:
        already = loaded_document_ids(con, PARSER_VERSION)
        held_back = quarantined_document_ids(con)
        set_aside = set_aside_by_dbt(con, dbt_sources_changed_at(Settings.from_env().dbt_project))
        for status in validated_documents:
            doc_id, file_path = status["document_id"], status["file_path"]
            if doc_id in already:
                document_progress(file_path, "unchanged")
                summary["unchanged"] += 1
                continue
            if status["ok"] and doc_id in set_aside:
                document_progress(file_path, f"quarantined at dbt: {set_aside[doc_id]}")
                summary["quarantined"] += 1
                continue
            if not status["ok"]:
                if doc_id not in held_back:
                    pending.touch()
                record_quarantine(con, doc_id, file_path, status["stage"], status["reason"], status["details"])
                document_progress(file_path, f"quarantined at {status['stage']}: {status['reason']}")
                summary["quarantined"] += 1
                continue
            try:
                pending.touch()  # before the commit: a kill after it still leaves the marker
                rows = load_document(con, paths.extracted, doc_id, file_path)
            except Exception as exc:  # a load failure quarantines this document only
                record_quarantine(con, doc_id, file_path, "load", f"{type(exc).__name__}: {exc}")
                document_progress(file_path, f"quarantined at load: {exc}")
                summary["quarantined"] += 1
                continue
            document_progress(file_path, f"loaded {rows} lines")
            summary["loaded"] += 1
            summary["rows"] += rows
        # Did anything reach the warehouse that the marts do not show yet?
        newly_held = {s["document_id"] for s in validated_documents if not s["ok"]} - held_back
        summary["changed"] = (
            summary["loaded"] + len(newly_held) + len(held_back - quarantined_document_ids(con)) + int(carried_over)
        )
        summary["total_documents"] = con.execute("SELECT count(*) FROM raw.document").fetchone()[0]
        summary["total_lines"] = con.execute("SELECT count(*) FROM raw.budget_line").fetchone()[0]
    finally:
        con.close()
    for name in RAW_TABLES:
        yield MaterializeResult(asset_key=AssetKey(["raw", name]), metadata=summary)
