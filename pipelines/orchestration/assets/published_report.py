"""Asset: the analysts' HTML report, rebuilt from each new published copy."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from pipelines.orchestration.assets.publish import published_warehouse
from pipelines.orchestration.resources import PipelinePaths
from pipelines.outputs.report import REPORT_NAME, build_report
from pipelines.settings import Settings


# Reads the published copy read-only, so it needs no place in the "duckdb" pool.
@asset(
    group_name="warehouse",
    deps=[published_warehouse],
    description="warehouse/published/report.html: one self-contained page of charts, each figure "
    "linked to the PDF page it was read from, and the data-quality checks.",
)
def published_report(context: AssetExecutionContext, paths: PipelinePaths) -> MaterializeResult:
    out = build_report(paths.published, paths.published.parent / REPORT_NAME, Settings.from_env().publish_threads)
    return MaterializeResult(metadata={"path": str(out), "bytes": out.stat().st_size})
