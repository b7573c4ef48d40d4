"""The nightly schedule: load what is new, then dbt and publish (cron and zone from the settings)."""

from dagster import ScheduleDefinition

from pipelines.orchestration.jobs import nightly_job
from pipelines.settings import Settings


def build_nightly_schedule(settings: Settings) -> ScheduleDefinition:
    return ScheduleDefinition(
        job=nightly_job,
        cron_schedule=settings.nightly_cron,
        execution_timezone=settings.timezone,
        description="Every night: discover raw/, extract what is new (reusing what per-document runs "
        "extracted), load, dbt build, publish.",
    )
