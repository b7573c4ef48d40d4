"""Asset: the read-only copy of the warehouse that BI tools and analysts open."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from pipelines.ingest.load import export_marts, publish, unpublished_marker
from pipelines.orchestration.assets.dbt import dbt_models
from pipelines.orchestration.resources import PipelinePaths


@asset(
    group_name="warehouse",
    deps=list(dbt_models.keys),
    description="warehouse/published/yusuan.duckdb, atomically replaced after a successful dbt build, "
    "and Parquet exports of every mart under warehouse/published/parquet/current/.",
    pool="duckdb",
)
def published_warehouse(context: AssetExecutionContext, paths: PipelinePaths) -> MaterializeResult:
    target = publish(paths.warehouse, paths.published)
    exports = export_marts(target, target.parent / "parquet")
    unpublished_marker(paths.warehouse).unlink(missing_ok=True)  # the published copy is current
    return MaterializeResult(metadata={"path": str(target), "bytes": target.stat().st_size, "parquet": str(exports)})
