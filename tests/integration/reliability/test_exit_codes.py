"""Exit code 2 for a configuration error, before anything is read or written.

0 (completed, quarantines reported) and 1 (``--strict`` with quarantines) are asserted on
the scenario's real runs in test_bad_inputs.py and test_crash_and_concurrency.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.extraction.limits import MAX_PAGES_ENV, MAX_SECONDS_ENV

YUSUAN = str(Path(sys.executable).with_name("yusuan"))


def yusuan(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("YUSUAN_")} | env
    return subprocess.run([YUSUAN, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120)


def test_a_missing_raw_folder(tmp_path):
    result = yusuan(["run", "--raw", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "wh.duckdb")], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"yusuan: --raw {tmp_path / 'nowhere'} is not a directory"
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(
    "name,value,message",
    [
        (MAX_PAGES_ENV, "lots", f"yusuan: {MAX_PAGES_ENV}='lots' is not a whole number"),
        (MAX_SECONDS_ENV, "-5", f"yusuan: {MAX_SECONDS_ENV}='-5' must be 0 (no limit) or a positive number"),
        ("YUSUAN_EXECUTOR", "spark", "yusuan: YUSUAN_EXECUTOR='spark': expected one of in_process, celery"),
        (
            "YUSUAN_EXTRACT_WORKERS",
            "0",
            "yusuan: YUSUAN_EXTRACT_WORKERS='0' must be a whole number of processes, 1 or more",
        ),
        (
            "YUSUAN_TIMEZONE",
            "Mars/Olympus",
            "yusuan: YUSUAN_TIMEZONE='Mars/Olympus' is not an IANA time zone (e.g. 'Asia/Shanghai')",
        ),
    ],
)
def test_an_unusable_setting(tmp_path, name, value, message):
    raw = tmp_path / "raw"
    raw.mkdir()
    result = yusuan(
        ["run", "--raw", str(raw), "--warehouse", str(tmp_path / "wh" / "yusuan.duckdb")], tmp_path, **{name: value}
    )
    assert (result.returncode, result.stderr.strip(), result.stdout) == (2, message, "")
    assert not (tmp_path / "wh").exists()


def test_backfill_checks_the_limits_too(tmp_path):
    result = yusuan(
        ["backfill", "--raw", str(tmp_path)], tmp_path, DAGSTER_HOME=str(tmp_path), **{MAX_PAGES_ENV: "1e3"}
    )
    assert (result.returncode, result.stderr.strip()) == (2, f"yusuan: {MAX_PAGES_ENV}='1e3' is not a whole number")
