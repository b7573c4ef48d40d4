"""The nightly schedule: load what is new, then dbt and publish (cron and zone from the environment)."""

import os

from dagster import ScheduleDefinition

from pipelines.orchestration.jobs import nightly_job

nightly_schedule = ScheduleDefinition(
    job=nightly_job,
    cron_schedule=os.environ.get("YUSUAN_NIGHTLY_CRON", "0 2 * * *"),
    execution_timezone=os.environ.get("YUSUAN_TIMEZONE", "Asia/Shanghai"),
    description="Every night: discover raw/, extract what is new (reusing what per-document runs "
    "extracted), load, dbt build, publish.",
)
