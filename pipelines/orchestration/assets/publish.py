"""Asset: a new release: the read-only copy of the warehouse that BI tools and analysts open,
and the Parquet exports of every mart."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from pipelines.ingest.noop import unpublished_marker
from pipelines.ingest.releases import publish_release
from pipelines.orchestration.assets.dbt import model_asset_keys
from pipelines.orchestration.resources import PipelinePaths
from pipelines.settings import Settings


@asset(
    group_name="warehouse",
    deps=model_asset_keys(),
    description="A new release after a successful dbt build: warehouse/published/yusuan.duckdb atomically "
    "replaced (the one before kept as yusuan.previous.duckdb), Parquet exports of every mart under "
    "warehouse/published/parquet/<release_id>/ with `current` pointing at the newest, the last "
    "YUSUAN_KEEP_RELEASES releases kept.",
    pool="duckdb",
)
def published_warehouse(context: AssetExecutionContext, paths: PipelinePaths) -> MaterializeResult:
    settings = Settings.from_env()
    release = publish_release(paths.warehouse, paths.published, settings.keep_releases, settings.publish_threads)
    unpublished_marker(paths.warehouse).unlink(missing_ok=True)  # the published copy is current
    return MaterializeResult(
        metadata={
            "release": release.release_id,
            "path": str(release.published),
            "bytes": release.published.stat().st_size,
            "parquet": str(release.exports),
            "pruned": ", ".join(release.pruned) or "none",
        }
    )
