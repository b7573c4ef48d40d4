"""Every ``YUSUAN_*`` setting, read from the environment and validated in one place.

``Settings.from_env()`` is called where a process starts: each `yusuan` command,
the Dagster code location (``orchestration/definitions.py``), the celery app,
and the Dagster steps that need a setting (they may run in other processes).
A value the pipeline cannot use raises ``SettingError`` naming the variable,
which the CLI reports as a configuration error (exit 2) before anything is read
or written.  No other module reads a ``YUSUAN_*`` variable, and none at import
time, with one exception: the two per-document limits are parsed by
``extraction/limits.py`` (extraction imports nothing from the rest of the
package), which this validates at start-up and each extraction reads again, so
that a changed limit applies to the next document.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.extraction.limits import DocumentLimits, LimitConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
EXECUTORS = ("in_process", "celery")
_DBT_SOURCES = ("models", "seeds", "macros", "tests", "dbt_project.yml")


class SettingError(ValueError):
    """A setting in the environment that the pipeline cannot use."""


@dataclass(frozen=True)
class Settings:
    raw_dir: Path  # YUSUAN_RAW_DIR: the PDFs, in any folders
    warehouse: Path  # YUSUAN_WAREHOUSE: the DuckDB file the loader writes
    extract_dir: str  # YUSUAN_EXTRACT_DIR: extraction outputs, a path or an fsspec URL (s3://…)
    published: Path  # YUSUAN_PUBLISHED: the read-only copy analysts open
    executor: str  # YUSUAN_EXECUTOR: where per-document extraction runs, one of EXECUTORS
    celery_broker: str  # YUSUAN_CELERY_BROKER
    celery_backend: str  # YUSUAN_CELERY_BACKEND: step results, through the broker unless told otherwise
    extract_workers: int  # YUSUAN_EXTRACT_WORKERS: documents extracted at once by a run
    limits: DocumentLimits  # YUSUAN_MAX_PAGES, YUSUAN_MAX_SECONDS_PER_DOCUMENT
    max_concurrent: int  # YUSUAN_MAX_CONCURRENT: steps at once in a Dagster run
    freshness_hours: int  # YUSUAN_FRESHNESS_HOURS: how old the marts may get before a check fails
    nightly_cron: str  # YUSUAN_NIGHTLY_CRON
    timezone: str  # YUSUAN_TIMEZONE: the zone the cron is read in
    sensor_interval_seconds: int  # YUSUAN_SENSOR_INTERVAL: how often the raw/ sensor looks
    alert_webhook: str | None  # YUSUAN_ALERT_WEBHOOK: where failed runs are posted, if anywhere
    dbt_project: Path  # YUSUAN_DBT_PROJECT_DIR: the dbt project the run builds (a copy, in tests)
    keep_releases: int  # YUSUAN_KEEP_RELEASES: releases whose Parquet exports are kept
    # YUSUAN_PUBLISH_THREADS: DuckDB threads of the publish (its Parquet exports) and of the report.
    # One by default: at 2,000 documents it exports in a quarter less CPU and less than half the
    # memory of two, in the same time on a busy machine.
    publish_threads: int
    # YUSUAN_DBT_MEMORY_MB: the memory_limit of dbt's DuckDB, read by dbt/profiles.yml (which
    # holds the default); None when not set.
    dbt_memory_mb: int | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        warehouse = _path(env, "YUSUAN_WAREHOUSE", PROJECT_ROOT / "warehouse" / "yusuan.duckdb")
        extract_dir = env.get("YUSUAN_EXTRACT_DIR", "")
        if "://" not in extract_dir:
            extract_dir = str(_path(env, "YUSUAN_EXTRACT_DIR", warehouse.parent / "extracted"))
        executor = env.get("YUSUAN_EXECUTOR", "in_process")
        if executor not in EXECUTORS:
            raise SettingError(f"YUSUAN_EXECUTOR={executor!r}: expected one of {', '.join(EXECUTORS)}")
        broker = env.get("YUSUAN_CELERY_BROKER", "redis://127.0.0.1:6379/0")
        try:
            limits = DocumentLimits.from_env(env)
        except LimitConfigError as exc:
            raise SettingError(str(exc)) from None
        return cls(
            raw_dir=_path(env, "YUSUAN_RAW_DIR", PROJECT_ROOT / "raw"),
            warehouse=warehouse,
            extract_dir=extract_dir,
            published=_path(env, "YUSUAN_PUBLISHED", warehouse.parent / "published" / "yusuan.duckdb"),
            executor=executor,
            celery_broker=broker,
            celery_backend=env.get("YUSUAN_CELERY_BACKEND", broker),
            extract_workers=_count(env, "YUSUAN_EXTRACT_WORKERS", os.cpu_count() or 1, "processes"),
            limits=limits,
            max_concurrent=_count(env, "YUSUAN_MAX_CONCURRENT", 2, "steps"),
            freshness_hours=_count(env, "YUSUAN_FRESHNESS_HOURS", 26, "hours"),
            nightly_cron=_cron(env, "YUSUAN_NIGHTLY_CRON", "0 2 * * *"),
            timezone=_timezone(env, "YUSUAN_TIMEZONE", "Asia/Shanghai"),
            sensor_interval_seconds=_count(env, "YUSUAN_SENSOR_INTERVAL", 60, "seconds"),
            alert_webhook=_webhook(env, "YUSUAN_ALERT_WEBHOOK"),
            dbt_project=_path(env, "YUSUAN_DBT_PROJECT_DIR", DBT_PROJECT_DIR),
            keep_releases=_count(env, "YUSUAN_KEEP_RELEASES", 7, "releases"),
            publish_threads=_count(env, "YUSUAN_PUBLISH_THREADS", 1, "threads"),
            dbt_memory_mb=_count(env, "YUSUAN_DBT_MEMORY_MB", None, "megabytes"),
        )


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name)
    return Path(value).expanduser().resolve() if value else default


def _count(env: Mapping[str, str], name: str, default: int | None, of_what: str) -> int | None:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not (text.isdigit() and int(text) > 0):
        raise SettingError(f"{name}={text!r} must be a whole number of {of_what}, 1 or more")
    return int(text)


def _cron(env: Mapping[str, str], name: str, default: str) -> str:
    text = env.get(name, "").strip() or default
    if text == default:
        # Checking needs Dagster's own rule, and importing Dagster costs half a second: the
        # whole of a run with nothing new, which never needs Dagster otherwise.
        return text
    from dagster._utils.schedules import is_valid_cron_string

    if not is_valid_cron_string(text):
        raise SettingError(f"{name}={text!r} is not a cron schedule (five fields, e.g. '0 2 * * *')")
    return text


def _timezone(env: Mapping[str, str], name: str, default: str) -> str:
    text = env.get(name, "").strip() or default
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(f"{name}={text!r} is not an IANA time zone (e.g. 'Asia/Shanghai')") from None
    return text


def _webhook(env: Mapping[str, str], name: str) -> str | None:
    text = env.get(name, "").strip()
    if text and not text.startswith(("http://", "https://")):
        raise SettingError(f"{name}={text!r} must be an http:// or https:// URL")
    return text or None


def dbt_sources_changed_at(project_dir: Path) -> float:
    """When any file of the dbt project last changed (mtime): marts built before are stale."""
    newest = 0.0
    for name in _DBT_SOURCES:
        path = project_dir / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest
