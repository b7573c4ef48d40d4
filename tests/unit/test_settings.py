"""The settings object: every YUSUAN_* variable read and checked in one place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dagster._utils.schedules import is_valid_cron_string

from pipelines.extraction.limits import DocumentLimits
from pipelines.settings import PROJECT_ROOT, SettingError, Settings


def test_defaults_when_nothing_is_set(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    settings = Settings.from_env({})
    assert settings.raw_dir == PROJECT_ROOT / "raw"
    assert settings.warehouse == PROJECT_ROOT / "warehouse" / "yusuan.duckdb"
    assert settings.extract_dir == str(PROJECT_ROOT / "warehouse" / "extracted")
    assert settings.published == PROJECT_ROOT / "warehouse" / "published" / "yusuan.duckdb"
    assert (settings.executor, settings.extract_workers, settings.max_concurrent) == ("in_process", 3, 2)
    assert settings.celery_broker == settings.celery_backend == "redis://127.0.0.1:6379/0"
    assert settings.limits == DocumentLimits(1000, 600.0)
    assert (settings.nightly_cron, settings.timezone) == ("0 2 * * *", "Asia/Shanghai")
    assert (settings.freshness_hours, settings.sensor_interval_seconds, settings.alert_webhook) == (26, 60, None)
    assert (settings.keep_releases, settings.publish_threads) == (7, 1)


def test_the_default_schedule_is_one_dagster_accepts():
    # Settings take the default without Dagster's check (see the next test).
    assert is_valid_cron_string(Settings.from_env({}).nightly_cron)


def test_the_settings_and_the_nothing_new_check_import_no_dagster():
    code = (
        "import sys; from pipelines.settings import Settings; import pipelines.ingest.noop; "
        "Settings.from_env({}); print('dagster' in sys.modules)"
    )
    imported = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert imported.stdout.strip() == "False"


def test_outputs_follow_the_warehouse_unless_set(tmp_path):
    settings = Settings.from_env({"YUSUAN_WAREHOUSE": str(tmp_path / "w" / "y.duckdb")})
    assert settings.extract_dir == str(tmp_path / "w" / "extracted")
    assert settings.published == tmp_path / "w" / "published" / "yusuan.duckdb"
    remote = Settings.from_env({"YUSUAN_EXTRACT_DIR": "s3://bucket/extracted", "YUSUAN_CELERY_BROKER": "redis://q:1/2"})
    assert remote.extract_dir == "s3://bucket/extracted"  # a URL is kept as written, not made a local path
    assert remote.celery_backend == "redis://q:1/2"


def test_relative_paths_are_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({"YUSUAN_RAW_DIR": "pdfs"}).raw_dir == tmp_path / "pdfs"


def test_values_are_parsed():
    settings = Settings.from_env(
        {
            "YUSUAN_EXTRACT_WORKERS": " 4 ",
            "YUSUAN_MAX_CONCURRENT": "3",
            "YUSUAN_FRESHNESS_HOURS": "50",
            "YUSUAN_SENSOR_INTERVAL": "30",
            "YUSUAN_NIGHTLY_CRON": "30 1 * * 1-5",
            "YUSUAN_TIMEZONE": "UTC",
            "YUSUAN_ALERT_WEBHOOK": "https://chat.example/hook",
            "YUSUAN_EXECUTOR": "celery",
            "YUSUAN_MAX_PAGES": "0",
            "YUSUAN_MAX_SECONDS_PER_DOCUMENT": "2.5",
            "YUSUAN_PUBLISH_THREADS": "2",
            "YUSUAN_DBT_MEMORY_MB": "800",
        }
    )
    assert (settings.extract_workers, settings.max_concurrent, settings.freshness_hours) == (4, 3, 50)
    assert (settings.sensor_interval_seconds, settings.nightly_cron, settings.timezone) == (30, "30 1 * * 1-5", "UTC")
    assert (settings.alert_webhook, settings.executor) == ("https://chat.example/hook", "celery")
    assert settings.limits == DocumentLimits(None, 2.5)
    assert (settings.publish_threads, settings.dbt_memory_mb) == (2, 800)
    assert Settings.from_env({}).dbt_memory_mb is None  # dbt/profiles.yml's default then


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("YUSUAN_EXECUTOR", "spark", "YUSUAN_EXECUTOR='spark': expected one of in_process, celery"),
        ("YUSUAN_EXTRACT_WORKERS", "0", "YUSUAN_EXTRACT_WORKERS='0' must be a whole number of processes, 1 or more"),
        ("YUSUAN_MAX_CONCURRENT", "two", "YUSUAN_MAX_CONCURRENT='two' must be a whole number of steps, 1 or more"),
        ("YUSUAN_FRESHNESS_HOURS", "-1", "YUSUAN_FRESHNESS_HOURS='-1' must be a whole number of hours, 1 or more"),
        ("YUSUAN_SENSOR_INTERVAL", "1.5", "YUSUAN_SENSOR_INTERVAL='1.5' must be a whole number of seconds, 1 or more"),
        ("YUSUAN_PUBLISH_THREADS", "0", "YUSUAN_PUBLISH_THREADS='0' must be a whole number of threads, 1 or more"),
        ("YUSUAN_DBT_MEMORY_MB", "1GB", "YUSUAN_DBT_MEMORY_MB='1GB' must be a whole number of megabytes, 1 or more"),
        ("YUSUAN_NIGHTLY_CRON", "at two", "YUSUAN_NIGHTLY_CRON='at two' is not a cron schedule"),
        ("YUSUAN_NIGHTLY_CRON", "0 25 * * *", "YUSUAN_NIGHTLY_CRON='0 25 * * *' is not a cron schedule"),
        ("YUSUAN_TIMEZONE", "Beijing", "YUSUAN_TIMEZONE='Beijing' is not an IANA time zone"),
        ("YUSUAN_ALERT_WEBHOOK", "chat.example/hook", "YUSUAN_ALERT_WEBHOOK='chat.example/hook' must be an http"),
        ("YUSUAN_MAX_PAGES", "lots", "YUSUAN_MAX_PAGES='lots' is not a whole number"),
        (
            "YUSUAN_MAX_SECONDS_PER_DOCUMENT",
            "-5",
            "YUSUAN_MAX_SECONDS_PER_DOCUMENT='-5' must be 0 (no limit) or a positive number",
        ),
    ],
)
def test_an_unusable_value_is_a_setting_error_naming_it(name, value, message):
    with pytest.raises(SettingError) as raised:
        Settings.from_env({name: value})
    assert str(raised.value).startswith(message)


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings.from_env({}).warehouse = Path("/elsewhere")  # type: ignore[misc]
