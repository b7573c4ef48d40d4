"""Asset: the raw schema of the DuckDB warehouse, written by this single step only."""

from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from pipelines.ingest.loading import load_documents
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
    dbt_changed_at = dbt_sources_changed_at(Settings.from_env().dbt_project)
    summary = load_documents(paths.warehouse, paths.extracted, validated_documents, dbt_changed_at)
    for name in RAW_TABLES:
        yield MaterializeResult(asset_key=AssetKey(["raw", name]), metadata=summary.as_metadata())
