"""The analysts' report: one self-contained HTML page built from the published warehouse.

``data`` reads the marts, ``render`` and ``svg`` turn those rows into HTML; this
module only ties them together and writes the file.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.outputs.report.data import read_report_data
from pipelines.outputs.report.render import render_report

REPORT_NAME = "report.html"


def build_report(warehouse: Path, out: Path) -> Path:
    """Write the report for `warehouse` to `out`, replacing it in one step (a reader never sees half a page)."""
    out = Path(out)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = read_report_data(con)
    html = render_report(data, out.parent.resolve(), datetime.now(), Path(warehouse).name)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.tmp")
    staging.write_text(html, encoding="utf-8")
    os.replace(staging, out)
    return out


__all__ = ["REPORT_NAME", "build_report"]
