"""A parallel backfill (one run per document, two at a time, on a persistent instance with
the duckdb pool limited to one) gives the same warehouse as `yusuan run`, with no lock error."""

from __future__ import annotations

import os
import subprocess

from tests.conftest import RAW
from tests.support.marts import YUSUAN, content, raw_and_dagster_home

SAMPLES = sorted(path.name for path in RAW.rglob("*.pdf"))  # every sample


def test_parallel_backfill_matches_yusuan_run(tmp_path):
    raw, home = raw_and_dagster_home(tmp_path, SAMPLES)
    env = {**os.environ, "DAGSTER_HOME": str(home)}

    backfill = subprocess.run(
        [YUSUAN, "backfill", "--raw", str(raw), "--warehouse", str(tmp_path / "a" / "yusuan.duckdb"), "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    log = backfill.stdout + backfill.stderr
    assert backfill.returncode == 0, log
    assert f"backfill: {len(SAMPLES)} documents, 0 failed" in log
    assert "Could not set lock" not in log

    single = subprocess.run(
        [YUSUAN, "run", "--raw", str(raw), "--warehouse", str(tmp_path / "b" / "yusuan.duckdb")],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert single.returncode == 0, single.stdout + single.stderr

    backfilled = content(tmp_path / "a" / "published" / "yusuan.duckdb")
    assert backfilled[0] and len(backfilled[0]) == len(SAMPLES)
    assert backfilled == content(tmp_path / "b" / "published" / "yusuan.duckdb")
