"""Crash safety and concurrent runs (see conftest.py, runs 2-4): a run killed with SIGKILL
inside the load, or between load and publish, costs nothing; the next run completes, and
its warehouse equals a clean ingest row for row; a second run waits for the first."""

from __future__ import annotations

import fcntl
import signal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.integration.reliability.conftest import BAD, LOADED_IN_RUN_1, NEW

RAW_TABLES = ["document", "budget_line", "headline", "extracted_cell", "statement", "reconciliation", "quarantine"]
CLOCK_COLUMNS = {"loaded_at", "first_seen", "last_seen"}  # when, not what
ALL_DOCUMENTS = len(LOADED_IN_RUN_1) + len(NEW)


def documents(database: Path) -> dict[str, int]:
    """Loaded documents of a warehouse file and their budget lines."""
    with duckdb.connect(str(database)) as con:
        return dict(
            con.execute(
                "SELECT d.document_id, (SELECT count(*) FROM raw.budget_line l WHERE l.document_id = d.document_id) "
                "FROM raw.document d"
            ).fetchall()
        )


def assert_whole_documents(scenario, database: Path) -> dict[str, int]:
    """Every loaded document has all its lines, and no line belongs to a document that is not loaded."""
    loaded = documents(database)
    for document_id, lines in loaded.items():
        assert lines == pq.read_metadata(scenario.extracted / document_id / "lines.parquet").num_rows
    with duckdb.connect(str(database)) as con:
        for table in RAW_TABLES[1:-1]:
            assert con.execute(
                f"SELECT count(*) FROM raw.{table} WHERE document_id NOT IN (SELECT document_id FROM raw.document)"
            ).fetchone() == (0,)
    return loaded


def test_a_run_killed_inside_the_load_leaves_whole_documents_only(scenario):
    assert scenario.run2.returncode == -signal.SIGKILL
    assert scenario.run2.killed_at is not None and "documents:" not in scenario.run2.output
    loaded = assert_whole_documents(scenario, scenario.after_run2)
    # Killed after the first new document and before the last: really inside the load.
    assert len(LOADED_IN_RUN_1) < len(loaded) < ALL_DOCUMENTS


def test_a_run_killed_between_load_and_publish_leaves_the_published_copy_as_it_was(scenario):
    assert scenario.run2b.returncode == -signal.SIGKILL
    assert len(assert_whole_documents(scenario, scenario.after_run2b)) == ALL_DOCUMENTS
    assert scenario.published_after_kills == scenario.run1_state
    assert scenario.marker_after_kills  # the warehouse knows it has changes the published copy lacks


def test_the_next_run_completes_and_publishes_what_the_killed_runs_loaded(scenario):
    assert scenario.run3.returncode == 0, scenario.run3.output
    assert f"documents: 0 loaded, {ALL_DOCUMENTS} skipped as unchanged, {len(BAD)} quarantined" in scenario.run3.output
    with duckdb.connect(str(scenario.published), read_only=True) as con:
        published = {row[0] for row in con.execute("SELECT document_id FROM marts.dim_document").fetchall()}
    assert published == set(documents(scenario.warehouse)) and len(published) == ALL_DOCUMENTS
    assert not scenario.warehouse.with_name(f"{scenario.warehouse.name}.unpublished").exists()


@pytest.mark.parametrize("table", RAW_TABLES)
def test_the_recovered_warehouse_equals_a_clean_ingest(scenario, table):
    with duckdb.connect(str(scenario.reference)) as con:
        con.execute("ATTACH ? AS recovered (READ_ONLY)", [str(scenario.warehouse)])
        columns = [
            name
            for (name,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'recovered' "
                "AND table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
            if name not in CLOCK_COLUMNS
        ]
        select = ", ".join(f'"{c}"' for c in columns)
        clean = f"SELECT {select} FROM raw.{table}"
        recovered = f"SELECT {select} FROM recovered.raw.{table}"
        counts = con.execute(
            f"SELECT (SELECT count(*) FROM raw.{table}), (SELECT count(*) FROM recovered.raw.{table})"
        ).fetchone()
        assert counts[0] == counts[1] > 0
        # Multiset difference both ways: no duplicate, missing or partial row.
        assert con.execute(f"{clean} EXCEPT ALL {recovered}").fetchall() == []
        assert con.execute(f"{recovered} EXCEPT ALL {clean}").fetchall() == []


def test_a_second_run_waits_for_the_first(scenario):
    run3, run4 = scenario.run3, scenario.run4
    assert (
        f"yusuan: another run (pid {run3.proc.pid}) is using {scenario.warehouse}; waiting for it to finish"
        in run4.output
    )
    # Run 4 started while run 3 ran, and began its work only after run 3's last line.
    assert run4.started < run3.lines[-1][0] < run4.line_at(lambda line: line.startswith("yusuan run:"))
    assert f"documents: 0 loaded, {ALL_DOCUMENTS} skipped as unchanged, {len(BAD)} quarantined" in run4.output
    # Both completed: run 3 published, run 4 had nothing new; the lock is free again.
    assert run3.returncode == 0 and "run failed" not in run4.output
    with open(scenario.warehouse.with_name(f"{scenario.warehouse.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_strict_exits_non_zero_when_anything_is_quarantined(scenario):
    assert scenario.run1.returncode == 0 and f"{len(BAD)} quarantined" in scenario.run1.output
    assert scenario.run4.returncode == 1
