"""Jobs: the nightly run over raw/, and per-document extraction (partitioned)."""

from dagster import AssetSelection, define_asset_job

from pipelines.orchestration.assets.partitioned import document_extraction
from pipelines.orchestration.executors import extraction_executor

nightly_job = define_asset_job(
    "nightly",
    selection=AssetSelection.all() - AssetSelection.assets(document_extraction),
    description="raw/ → warehouse, end to end (what `yusuan run` runs)",
)
extract_documents_job = define_asset_job(
    "extract_documents",
    selection=AssetSelection.assets(document_extraction),
    partitions_def=document_extraction.partitions_def,
    # One step per run: runs are what goes in parallel (run queue, `yusuan backfill`),
    # and with YUSUAN_EXECUTOR=celery the step itself runs on a celery worker.
    executor_def=extraction_executor(),
    description="Extraction of documents (partitions), in parallel or on workers; loads happen nightly.",
)
