"""The executor of per-document extraction runs, chosen by YUSUAN_EXECUTOR.

"in_process" (the default) runs each partition's single step in its run's own
process; runs go in parallel through the run queue or `yusuan backfill`.
"celery" sends the step to celery workers (`yusuan worker`) through a Redis
broker, so extraction spreads over machines while the DuckDB writer stays one
step on the machine that runs the nightly job.
"""

from dagster import ExecutorDefinition, in_process_executor
from dagster_celery import celery_executor

from pipelines.settings import Settings


def extraction_executor(settings: Settings) -> ExecutorDefinition:
    if settings.executor == "in_process":
        return in_process_executor
    # The same settings build the workers' app (pipelines.orchestration.celery_app), so the
    # code location and the workers agree on the broker.
    return celery_executor.configured({"broker": settings.celery_broker, "backend": settings.celery_backend})
