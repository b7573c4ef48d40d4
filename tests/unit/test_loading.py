"""The load loop and change detection on a tiny warehouse, from extraction outputs written by hand
(no camelot, no Dagster, no dbt)."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.extraction.document import PARSER_VERSION
from pipelines.ingest.discovery import sha256_file
from pipelines.ingest.handoff import COMPLETE_MARKER
from pipelines.ingest.load import connect, now, record_quarantine, unload_document
from pipelines.ingest.loading import LoadSummary, load_documents, needs_transform
from pipelines.ingest.noop import Unchanged, nothing_new, unpublished_marker
from schemas.tables import BUDGET_LINE, PARQUET_TABLES, arrow_schema


def write_extraction(extract_dir: Path, document_id: str, amounts: list[str], department: str | None = None) -> None:
    """One document's folder as the extraction hand-off leaves it: budget lines with these amounts."""
    folder = extract_dir / document_id
    folder.mkdir(parents=True)
    lines = [
        {"document_id": document_id, "statement": "income_expenditure", "item_name": f"line {i}", "amount_yuan": a}
        for i, a in enumerate(map(Decimal, amounts))
    ]
    for name, table in PARQUET_TABLES.items():  # every other output empty
        written = lines if table is BUDGET_LINE else []
        pq.write_table(pa.Table.from_pylist(written, schema=arrow_schema(table)), folder / name)
    meta = {
        "department_name": department or f"department {document_id}",
        "fiscal_year": 2024,
        "document_kind": "budget",
        "scope": "department",
        "printed_unit": "元",
        "pages": 3,
        "parser_version": PARSER_VERSION,
        "extracted_at": "2026-01-02T03:04:05",
    }
    (folder / COMPLETE_MARKER).write_text(json.dumps(meta), encoding="utf-8")


def status(document_id: str, ok: bool = True, stage: str = "validate", reason: str = "") -> dict:
    return {
        "document_id": document_id,
        "file_path": f"/raw/{document_id}.pdf",
        "ok": ok,
        "stage": stage,
        "reason": reason,
        "details": "",
    }


@pytest.fixture
def folders(tmp_path) -> tuple[Path, Path]:
    extract_dir = tmp_path / "extracted"
    write_extraction(extract_dir, "a", ["1.50", "2.25"])
    write_extraction(extract_dir, "b", ["1000000.00"])
    return tmp_path / "warehouse" / "yusuan.duckdb", extract_dir


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_first_load_loads_valid_documents_and_quarantines_the_rest(folders):
    warehouse, extract_dir = folders
    statuses = [status("a"), status("b"), status("c", ok=False, stage="extract", reason="no statements")]
    summary = load_documents(warehouse, extract_dir, statuses, dbt_changed_at=0.0)
    assert summary == LoadSummary(
        loaded=2, unchanged=0, quarantined=1, rows=3, changed=3, total_documents=2, total_lines=3
    )
    assert rows(warehouse, "SELECT document_id, sum(amount_yuan) FROM raw.budget_line GROUP BY 1 ORDER BY 1") == [
        ("a", Decimal("3.75")),
        ("b", Decimal("1000000.00")),
    ]
    assert rows(warehouse, "SELECT document_id, stage, reason FROM raw.quarantine") == [
        ("c", "extract", "no statements")
    ]
    assert unpublished_marker(warehouse).exists()  # publish has something to show


def test_second_load_over_the_same_files_changes_nothing(folders, tmp_path):
    warehouse, extract_dir = folders
    statuses = [status("a"), status("b"), status("c", ok=False, stage="extract", reason="no statements")]
    load_documents(warehouse, extract_dir, statuses, dbt_changed_at=0.0)
    unpublished_marker(warehouse).unlink()  # what publish does
    published = tmp_path / "published.duckdb"
    published.touch()

    summary = load_documents(warehouse, extract_dir, statuses, dbt_changed_at=0.0)
    assert summary == LoadSummary(
        loaded=0, unchanged=2, quarantined=1, rows=0, changed=0, total_documents=2, total_lines=3
    )
    assert not needs_transform(summary, published, dbt_changed_at=0.0)
    assert needs_transform(summary, published, dbt_changed_at=0.0, force=True)
    # The dbt project changed after the copy was published: the marts are stale.
    assert needs_transform(summary, published, dbt_changed_at=published.stat().st_mtime + 1)
    assert needs_transform(summary, tmp_path / "never published.duckdb", dbt_changed_at=0.0)


def test_an_unpublished_earlier_load_counts_as_a_change(folders):
    warehouse, extract_dir = folders
    load_documents(warehouse, extract_dir, [status("a")], dbt_changed_at=0.0)
    # The marker stays: that run was killed before publish.
    summary = load_documents(warehouse, extract_dir, [status("a")], dbt_changed_at=0.0)
    assert (summary.loaded, summary.unchanged, summary.changed) == (0, 1, 1)


def test_a_load_failure_quarantines_that_document_only(folders):
    warehouse, extract_dir = folders
    os.remove(extract_dir / "b" / BUDGET_LINE.handoff)
    summary = load_documents(warehouse, extract_dir, [status("a"), status("b")], dbt_changed_at=0.0)
    assert (summary.loaded, summary.quarantined, summary.total_documents) == (1, 1, 1)
    assert rows(warehouse, "SELECT document_id, stage FROM raw.quarantine") == [("b", "load")]


def test_a_fixed_document_leaves_quarantine(folders):
    warehouse, extract_dir = folders
    load_documents(warehouse, extract_dir, [status("a", ok=False, reason="bad")], dbt_changed_at=0.0)
    unpublished_marker(warehouse).unlink()
    summary = load_documents(warehouse, extract_dir, [status("a")], dbt_changed_at=0.0)
    assert (summary.loaded, summary.quarantined, summary.changed) == (1, 0, 2)  # loaded, and released
    assert rows(warehouse, "SELECT count(*) FROM raw.quarantine") == [(0,)]


def test_a_document_set_aside_by_dbt_is_not_loaded_again_until_dbt_changes(folders):
    warehouse, extract_dir = folders
    started = now()
    load_documents(warehouse, extract_dir, [status("a"), status("b")], dbt_changed_at=0.0)
    con = connect(warehouse)
    unload_document(con, "b")  # what dbt_build does with a document a test failed
    record_quarantine(con, "b", "/raw/b.pdf", "dbt", "a dbt test failed")
    con.close()
    summary = LoadSummary(loaded=2, rows=3, changed=2).with_set_aside_by_dbt(warehouse, started)
    assert (summary.loaded, summary.unchanged, summary.quarantined) == (1, 0, 1)
    assert (summary.total_documents, summary.total_lines) == (1, 2)

    again = load_documents(warehouse, extract_dir, [status("a"), status("b")], dbt_changed_at=0.0)
    assert (again.loaded, again.unchanged, again.quarantined) == (0, 1, 1)
    # The dbt project changed since: b gets a new try.
    retried = load_documents(warehouse, extract_dir, [status("a"), status("b")], dbt_changed_at=time.time() + 60)
    assert (retried.loaded, retried.unchanged, retried.quarantined) == (1, 1, 0)


def test_a_file_taken_out_of_raw_takes_its_document_out(folders):
    warehouse, extract_dir = folders
    load_documents(warehouse, extract_dir, [status("a"), status("b")], dbt_changed_at=0.0)
    unpublished_marker(warehouse).unlink()  # as publishing leaves it
    summary = load_documents(warehouse, extract_dir, [status("a")], dbt_changed_at=0.0)
    assert (summary.unchanged, summary.changed, summary.total_documents, summary.total_lines) == (1, 1, 1, 2)
    assert rows(warehouse, "SELECT DISTINCT document_id FROM raw.budget_line") == [("a",)]
    assert unpublished_marker(warehouse).exists()  # dbt and publish run to take it out of the marts


def test_a_version_republished_under_another_name_stays_as_history(tmp_path):
    warehouse, extract_dir = tmp_path / "warehouse.duckdb", tmp_path / "extracted"
    write_extraction(extract_dir, "old", ["1.00"], department="a department")
    write_extraction(extract_dir, "new", ["2.00"], department="a department")  # same department, year, kind
    load_documents(warehouse, extract_dir, [status("old")], dbt_changed_at=0.0)
    summary = load_documents(warehouse, extract_dir, [status("new")], dbt_changed_at=0.0)
    assert (summary.loaded, summary.total_documents) == (1, 2)


def test_a_version_whose_path_holds_new_bytes_stays_as_history(folders):
    warehouse, extract_dir = folders
    load_documents(warehouse, extract_dir, [status("a")], dbt_changed_at=0.0)
    republished = {**status("b"), "file_path": status("a")["file_path"]}  # new bytes at a's path
    summary = load_documents(warehouse, extract_dir, [republished], dbt_changed_at=0.0)
    assert (summary.loaded, summary.total_documents) == (1, 2)


def test_a_run_has_nothing_to_do_only_when_every_file_is_loaded_and_published(tmp_path):
    raw, extract_dir = tmp_path / "raw", tmp_path / "extracted"
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    raw.mkdir()
    (raw / "a.pdf").write_bytes(b"first file")
    document_id = sha256_file(raw / "a.pdf")
    statuses = [{**status(document_id), "file_path": str(raw / "a.pdf")}]
    write_extraction(extract_dir, document_id, ["1.00"])

    def check():
        return nothing_new(raw, warehouse, published, dbt_changed_at=0.0)

    assert check() is None  # no warehouse yet
    load_documents(warehouse, extract_dir, statuses, dbt_changed_at=0.0)
    assert check() is None  # loaded, not published
    unpublished_marker(warehouse).unlink()
    published.write_bytes(b"")
    assert check() == Unchanged(documents=1, total_documents=1, total_lines=1)
    assert nothing_new(raw, warehouse, published, dbt_changed_at=time.time() + 60) is None  # dbt project newer
    (raw / "b.pdf").write_bytes(b"a new file")
    assert check() is None
    (raw / "b.pdf").unlink()
    (raw / "a.pdf").rename(raw / "renamed.pdf")  # same bytes: still loaded
    assert check() == Unchanged(documents=1, total_documents=1, total_lines=1)
    (raw / "b.pdf").write_bytes(b"another file")
    other = {**status(sha256_file(raw / "b.pdf")), "file_path": str(raw / "b.pdf")}
    write_extraction(extract_dir, other["document_id"], ["2.00"])
    load_documents(warehouse, extract_dir, [*statuses, other], dbt_changed_at=0.0)
    unpublished_marker(warehouse).unlink()
    (raw / "renamed.pdf").unlink()
    assert check() is None  # the load takes the removed document out


def test_an_empty_raw_folder_removes_nothing(folders):
    warehouse, extract_dir = folders
    load_documents(warehouse, extract_dir, [status("a"), status("b")], dbt_changed_at=0.0)
    unpublished_marker(warehouse).unlink()  # as publishing leaves it
    summary = load_documents(warehouse, extract_dir, [], dbt_changed_at=0.0)
    assert (summary.changed, summary.total_documents) == (0, 2)
    assert rows(warehouse, "SELECT DISTINCT document_id FROM raw.budget_line ORDER BY 1") == [("a",), ("b",)]
