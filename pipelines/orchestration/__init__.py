"""Dagster wiring: the code location, assets, jobs, schedules, sensors, partitions,
executors, resources, the celery app and backfill. Thin: the work is in ingest/ and outputs/."""
