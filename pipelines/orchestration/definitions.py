"""The Dagster code location: assets, checks, jobs, schedule, sensors and resources."""

import os
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
from pipelines.orchestration.jobs import extract_documents_job, nightly_job
from pipelines.orchestration.dbt_project import dbt_resource
from pipelines.orchestration.resources import PipelinePaths
from pipelines.orchestration.schedules import nightly_schedule
from pipelines.orchestration.sensors import notify_on_run_failure, raw_files_sensor

TRANSFORM_ASSETS = [dbt_models, published_warehouse, published_report]
ALL_ASSETS = [*INGEST_ASSETS, *TRANSFORM_ASSETS]

# The marts analysts read must have been rebuilt within a day and a bit.
FRESHNESS_CHECKS = build_last_update_freshness_checks(
    assets=[AssetKey(["marts", name]) for name in ("fct_budget_line", "document_headline", "department_year_totals")],
    lower_bound_delta=timedelta(hours=int(os.environ.get("YUSUAN_FRESHNESS_HOURS", "26"))),
)

defs = Definitions(
    assets=[*ALL_ASSETS, document_extraction],
    asset_checks=[*ALL_CHECKS, *FRESHNESS_CHECKS],
    jobs=[nightly_job, extract_documents_job],
    schedules=[nightly_schedule],
    sensors=[raw_files_sensor, notify_on_run_failure, build_sensor_for_freshness_checks(freshness_checks=FRESHNESS_CHECKS)],
    resources={"paths": PipelinePaths.from_env(), "dbt": dbt_resource()},
    # Documents extract in parallel; every DuckDB step is in the "duckdb" pool (limit 1).
    executor=multiprocess_executor.configured(
        {"max_concurrent": int(os.environ.get("YUSUAN_MAX_CONCURRENT", "2"))}
    ),
)
