"""Per-document extraction as a partitioned asset: the step Dagster can run in parallel,
or on other machines, because it only reads one PDF and writes its own output folder.

The single DuckDB writer (``raw_tables``) later loads what these runs extracted;
it reuses their output instead of extracting again.
"""

from dagster import AssetExecutionContext, MaterializeResult, asset

from pipelines.ingest.discovery import SourceFile, sha256_file
from pipelines.ingest.processing import extract_source, validate_source, validation_checks
from pipelines.orchestration.partitions import documents
from pipelines.orchestration.resources import PipelinePaths


@asset(
    partitions_def=documents,
    group_name="ingest",
    description="camelot tables, parsed rows and the pandera verdict of one document (a path under raw/), "
    "written to the extraction folder; stateless, so it runs on any executor or worker.",
)
def document_extraction(context: AssetExecutionContext, paths: PipelinePaths) -> MaterializeResult:
    path = (paths.raw / context.partition_key).resolve()
    if not path.is_relative_to(paths.raw.resolve()) or not path.is_file():
        raise FileNotFoundError(f"{context.partition_key} is not a file under {paths.raw}")
    source = SourceFile(str(path), sha256_file(path), path.stat().st_size)
    status = validate_source(extract_source(source, paths.extracted), paths.extracted, validation_checks())
    return MaterializeResult(
        metadata={
            "document_id": status.document_id,
            "ok": status.ok,
            "stage": status.stage,
            "reason": status.reason or "",
            "reused": status.reused,
        }
    )
