"""Jobs: the nightly run over raw/, and per-document extraction (partitioned)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dagster import AssetSelection, define_asset_job

from pipelines.orchestration.assets.partitioned import document_extraction
from pipelines.orchestration.executors import extraction_executor
from pipelines.settings import Settings

if TYPE_CHECKING:  # what define_asset_job returns; Dagster does not export the name
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

nightly_job = define_asset_job(
    "nightly",
    selection=AssetSelection.all() - AssetSelection.assets(document_extraction),
    description="raw/ → warehouse, end to end (what `yusuan run` runs)",
)


def build_extract_documents_job(settings: Settings) -> UnresolvedAssetJobDefinition:
    return define_asset_job(
        "extract_documents",
        selection=AssetSelection.assets(document_extraction),
        partitions_def=document_extraction.partitions_def,
        # One step per run: runs are what goes in parallel (run queue, `yusuan backfill`),
        # and with YUSUAN_EXECUTOR=celery the step itself runs on a celery worker.
        executor_def=extraction_executor(settings),
        description="Extraction of documents (partitions), in parallel or on workers; loads happen nightly.",
    )
