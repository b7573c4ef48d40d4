"""Assets: discover the PDFs, extract each one, validate each extraction."""

from dagster import AssetExecutionContext, MetadataValue, Output, asset

from pipelines.ingest.discovery import SourceFile, discover
from pipelines.ingest.noop import raw_digests
from pipelines.ingest.processing import DocumentStatus, extract_sources, validate_source, validation_checks
from pipelines.ingest.progress import document_progress
from pipelines.orchestration.assets.partitioned import document_extraction
from pipelines.orchestration.resources import PipelinePaths
from pipelines.settings import Settings


@asset(group_name="ingest", description="Every distinct PDF under raw/ (by sha256), found recursively.")
def source_files(context: AssetExecutionContext, paths: PipelinePaths) -> Output[list[dict]]:
    sources = discover(paths.raw, raw_digests(paths.warehouse))
    context.log.info(f"{len(sources)} PDF(s) under {paths.raw}")
    return Output(
        [vars(s) for s in sources],
        metadata={"documents": len(sources), "raw_dir": str(paths.raw)},
    )


@asset(
    group_name="ingest",
    deps=[document_extraction],
    description="camelot tables and parsed rows per document, as files under the extraction folder "
    "(extraction never writes DuckDB; documents are extracted in parallel, YUSUAN_EXTRACT_WORKERS at a "
    "time; unchanged files, and files a per-document run already extracted, are not extracted again).",
)
def extracted_documents(
    context: AssetExecutionContext, paths: PipelinePaths, source_files: list[dict]
) -> Output[list[dict]]:
    def progress(status: DocumentStatus) -> None:
        document_progress(status.file_path, "extracted" if status.ok else f"extraction failed: {status.reason}")

    sources = [SourceFile(**s) for s in source_files]
    workers = Settings.from_env().extract_workers  # this step's process reads its own environment
    statuses = [s.to_dict() for s in extract_sources(sources, paths.extracted, workers, progress)]
    fresh = sum(1 for s in statuses if not s["reused"])
    return Output(
        statuses,
        metadata={
            "extracted": fresh,
            "reused": len(statuses) - fresh,
            "failed": sum(1 for s in statuses if not s["ok"]),
        },
    )


@asset(group_name="ingest", description="pandera schema verdict for every extracted document.")
def validated_documents(
    context: AssetExecutionContext, paths: PipelinePaths, extracted_documents: list[dict]
) -> Output[list[dict]]:
    checks = validation_checks()
    statuses = [validate_source(DocumentStatus(**s), paths.extracted, checks).to_dict() for s in extracted_documents]
    failed = [s for s in statuses if not s["ok"]]
    return Output(
        statuses,
        metadata={
            "valid": len(statuses) - len(failed),
            "invalid": len(failed),
            "failures": MetadataValue.md("\n".join(f"- {s['file_path']}: {s['reason']}" for s in failed) or "none"),
        },
    )


__all__ = ["source_files", "extracted_documents", "validated_documents"]
