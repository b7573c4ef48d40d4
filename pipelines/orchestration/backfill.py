"""A backfill of every document from the command line, on a persistent Dagster instance.

Each document is one run of the partitioned extraction asset, started with
Dagster's own CLI in its own process, N at a time, so documents extract in
parallel and every run is recorded in $DAGSTER_HOME like a run started from
the UI.  Then the load through the single DuckDB writer, dbt and publishing run
once, in process, on the same instance.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance

from pipelines.ingest.discovery import list_pdfs
from pipelines.ingest.runner import run_pipeline
from pipelines.orchestration.partitions import documents
from pipelines.orchestration.resources import PipelinePaths
from pipelines.settings import Settings

_DAGSTER = str(Path(sys.executable).with_name("dagster"))


@dataclass
class BackfillOutcome:
    partitions: int
    failed_partitions: list[str]
    nightly_success: bool


def _extract_partition(key: str) -> bool:
    command = [
        _DAGSTER,
        "job",
        "execute",
        "-m",
        "pipelines.orchestration.definitions",
        "-j",
        "extract_documents",
        "--tags",
        json.dumps({"dagster/partition": key}),
    ]
    return subprocess.run(command, capture_output=True).returncode == 0


def backfill(instance: DagsterInstance, settings: Settings, workers: int = 2) -> BackfillOutcome:
    root = settings.raw_dir.resolve()
    keys = [path.relative_to(root).as_posix() for path in list_pdfs(root)]
    instance.add_dynamic_partitions(documents.name, keys)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # threads only wait on processes
        succeeded = list(pool.map(_extract_partition, keys))
    nightly = run_pipeline(PipelinePaths.from_settings(settings), instance=instance)
    return BackfillOutcome(len(keys), [k for k, ok in zip(keys, succeeded) if not ok], nightly.success)
