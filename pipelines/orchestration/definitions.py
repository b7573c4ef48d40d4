"""The Dagster code location: assets, checks, jobs, schedule, sensors and resources.

Loading it is the code location's start-up: the settings are read here, once.
"""

from datetime import timedelta

from dagster import (
    AssetKey,
    Definitions,
    build_last_update_freshness_checks,
    build_sensor_for_freshness_checks,
    multiprocess_executor,
)

from pipelines.orchestration.assets import INGEST_ASSETS
from pipelines.orchestration.assets.checks import ALL_CHECKS
from pipelines.orchestration.assets.dbt import dbt_models
from pipelines.orchestration.assets.partitioned import document_extraction
from pipelines.orchestration.assets.publish import published_warehouse
from pipelines.orchestration.assets.published_report import published_report
from pipelines.orchestration.dbt_project import dbt_resource
from pipelines.orchestration.jobs import build_extract_documents_job, nightly_job
from pipelines.orchestration.resources import PipelinePaths
from pipelines.orchestration.schedules import build_nightly_schedule
from pipelines.orchestration.sensors import build_failure_sensor, build_raw_files_sensor
from pipelines.settings import Settings

TRANSFORM_ASSETS = [dbt_models, published_warehouse, published_report]
ALL_ASSETS = [*INGEST_ASSETS, *TRANSFORM_ASSETS]


def build_definitions(settings: Settings) -> Definitions:
    # The marts analysts read must have been rebuilt within a day and a bit.
    freshness_checks = build_last_update_freshness_checks(
        assets=[
            AssetKey(["marts", name]) for name in ("fct_budget_line", "document_headline", "department_year_totals")
        ],
        lower_bound_delta=timedelta(hours=settings.freshness_hours),
    )
    return Definitions(
        assets=[*ALL_ASSETS, document_extraction],
        asset_checks=[*ALL_CHECKS, *freshness_checks],
        jobs=[nightly_job, build_extract_documents_job(settings)],
        schedules=[build_nightly_schedule(settings)],
        sensors=[
            build_raw_files_sensor(settings),
            build_failure_sensor(settings),
            build_sensor_for_freshness_checks(freshness_checks=freshness_checks),
        ],
        resources={"paths": PipelinePaths.from_settings(settings), "dbt": dbt_resource()},
        # Documents extract in parallel; every DuckDB step is in the "duckdb" pool (limit 1).
        executor=multiprocess_executor.configured({"max_concurrent": settings.max_concurrent}),
    )


defs = build_definitions(Settings.from_env())
