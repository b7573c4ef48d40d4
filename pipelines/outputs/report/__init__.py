"""The analysts' report: one self-contained HTML page built from the published warehouse.

``data`` reads the marts, ``render`` and ``svg`` turn those rows into HTML; this
module only ties them together and writes the file.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.ingest.releases import exports_root
from pipelines.outputs.release_diff import ReleaseDiff, diff_releases
from pipelines.outputs.report.data import read_report_data
from pipelines.outputs.report.render import render_report

REPORT_NAME = "report.html"


def build_report(warehouse: Path, out: Path, threads: int | None = None) -> Path:
    """Write the report for `warehouse` to `out`, replacing it in one step (a reader never sees half a page);
    ``threads``: DuckDB's for the comparison of the releases' exports, the report's heavy query
    (YUSUAN_PUBLISH_THREADS in the nightly; None: one a core).  The warehouse is opened as DuckDB
    is configured already: a process may hold it open, and DuckDB opens a file once per configuration."""
    out = Path(out)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = read_report_data(con)
        changes = latest_changes(con, Path(warehouse), threads)
    html = render_report(data, out.parent.resolve(), datetime.now(), Path(warehouse).name, changes)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.tmp")
    staging.write_text(html, encoding="utf-8")
    os.replace(staging, out)
    return out


def latest_changes(con: duckdb.DuckDBPyConnection, warehouse: Path, threads: int | None = None) -> ReleaseDiff | None:
    """What the warehouse's latest release changed against the one before, when the warehouse
    is a published release and the exports of both are still kept; else None."""
    has_log = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = 'release'"
    ).fetchone()[0]
    latest = (
        has_log
        and con.execute(
            "SELECT release_id, previous_release_id FROM marts.release ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
    )
    if not latest:
        return None
    root = exports_root(warehouse)
    new, old = (root / release if release else None for release in latest)
    if not new.is_dir() or (old is not None and not old.is_dir()):
        return None
    return diff_releases(old, new, threads)


__all__ = ["REPORT_NAME", "build_report"]
