"""BI readers of the published copy during a full `yusuan run`: no error, and always
either the old or the new warehouse, never a mix of the two; and no write gets through.

The reader polls while run 3 of the reliability scenario (conftest.py) rebuilds and
publishes, after two killed runs left the writer's file mid-change.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.releases import publish_release


def test_readers_see_old_or_new_never_a_mix(scenario):
    assert scenario.reader_errors == []
    assert len(scenario.observed) >= 20  # the reader really ran during the build
    old, new = scenario.run1_state, scenario.run3_state
    assert old != new and new[0] > old[0]
    assert set(scenario.observed) <= {old, new}
    assert old in scenario.observed and new in scenario.observed  # it saw the swap happen


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE marts.scratch (x INTEGER)",
        "INSERT INTO raw.quarantine (document_id) VALUES ('x')",
        "UPDATE marts.dim_document SET department_name = 'x'",
        "DELETE FROM marts.fct_budget_line",
        "DROP TABLE marts.quarantine",
    ],
)
def test_a_write_through_the_published_copy_fails(scenario, statement):
    with duckdb.connect(str(scenario.published), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM marts.fct_budget_line").fetchone()
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute(statement)
    assert not scenario.published.stat().st_mode & 0o222  # no write bit for anyone
    with duckdb.connect(str(scenario.published), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.fct_budget_line").fetchone() == before


def test_the_published_file_cannot_be_opened_for_writing_by_an_analyst():
    """The copy is published without write permission.  Root ignores file modes, so when the
    tests run as root the analyst is an unprivileged process (nobody)."""
    folder = Path(tempfile.mkdtemp(prefix="yusuan-published-"))  # not pytest's folder: 0700 for root
    try:
        folder.chmod(0o755)
        warehouse = folder / "writer.duckdb"
        with duckdb.connect(str(warehouse)) as con:
            con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 1 AS x")
        published = publish_release(warehouse, folder / "published.duckdb", keep=7).published
        analyst = textwrap.dedent(f"""
            import os, duckdb
            if os.geteuid() == 0:
                os.setgid(65534); os.setuid(65534)  # nobody
            print(duckdb.connect({str(published)!r}, read_only=True).execute("SELECT x FROM marts.t").fetchone())
            try:
                duckdb.connect({str(published)!r}).execute("INSERT INTO marts.t VALUES (2)")
            except duckdb.Error as exc:
                print("refused:", type(exc).__name__, exc)
            else:
                print("written")
        """)
        result = subprocess.run([sys.executable, "-c", analyst], capture_output=True, text=True, timeout=60)
        lines = result.stdout.splitlines()
        assert lines and lines[0] == "(1,)", result.stderr  # the analyst can read it
        assert lines[1].startswith("refused:") and "Permission denied" in lines[1]
        with duckdb.connect(str(published), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM marts.t").fetchone() == (1,)
    finally:
        shutil.rmtree(folder)
