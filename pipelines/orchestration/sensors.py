"""Sensors: new or changed files under raw/, and failed runs.

The raw/ sensor keeps, in its cursor, the size, mtime and sha256 of every file
it has seen: a restart does not request anything again, an untouched file is
not hashed again, and a file whose bytes did not change (touched, copied back)
requests nothing.
"""

import json
import urllib.request
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    run_failure_sensor,
    sensor,
)

from pipelines.ingest.discovery import list_pdfs, sha256_file
from pipelines.orchestration.assets.partitioned import document_extraction
from pipelines.orchestration.partitions import documents
from pipelines.orchestration.resources import PipelinePaths
from pipelines.settings import Settings


def scan(raw_dir: Path, seen: dict[str, list]) -> tuple[dict[str, list], list[tuple[str, str]], list[str]]:
    """(new cursor, (path, sha256) to extract, paths never seen before)."""
    current: dict[str, list] = {}
    requests: list[tuple[str, str]] = []
    new_keys: list[str] = []
    for path in list_pdfs(raw_dir):
        key = path.relative_to(Path(raw_dir).resolve()).as_posix()
        stat = path.stat()
        previous = seen.get(key)
        if previous and previous[:2] == [stat.st_size, stat.st_mtime_ns]:
            current[key] = previous
            continue
        digest = sha256_file(path)
        current[key] = [stat.st_size, stat.st_mtime_ns, digest]
        if previous and previous[2] == digest:
            continue
        if previous is None:
            new_keys.append(key)
        requests.append((key, digest))
    return current, requests, new_keys


def build_raw_files_sensor(settings: Settings) -> SensorDefinition:
    @sensor(
        target=[document_extraction],
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description="Adds a partition per new PDF under raw/ and requests extraction of new or changed files.",
    )
    def raw_files_sensor(context: SensorEvaluationContext, paths: PipelinePaths) -> SensorResult:
        seen = json.loads(context.cursor) if context.cursor else {}
        cursor, requests, new_keys = scan(paths.raw, seen)
        return SensorResult(
            run_requests=[RunRequest(partition_key=key, run_key=f"{key}@{digest}") for key, digest in requests],
            dynamic_partitions_requests=[documents.build_add_request(new_keys)] if new_keys else [],
            cursor=json.dumps(cursor),
        )

    return raw_files_sensor


def build_failure_sensor(settings: Settings) -> SensorDefinition:
    @run_failure_sensor(
        default_status=DefaultSensorStatus.RUNNING,
        description="Logs every failed run; posts it to $YUSUAN_ALERT_WEBHOOK when that is set.",
    )
    def notify_on_run_failure(context: RunFailureSensorContext) -> None:
        message = (
            f"yusuan: run {context.dagster_run.run_id} of {context.dagster_run.job_name} failed: "
            f"{context.failure_event.message}"
        )
        context.log.error(message)
        if settings.alert_webhook:
            request = urllib.request.Request(
                settings.alert_webhook,
                data=json.dumps({"text": message}).encode(),
                headers={"Content-Type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=10)

    return notify_on_run_failure
