"""Releases on small hand-made warehouses (no dbt): ids, the log each release carries, retention
that keeps the current release and any release a reader holds open, a publish killed before its
switch, and what `diff_releases` calls added, superseded and changed."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import releases
from pipelines.ingest.releases import (
    current_release,
    exports_root,
    next_release_id,
    previous_copy,
    prune,
    publish_release,
    release_folders,
)
from pipelines.outputs.release_diff import diff_releases


def test_release_ids_count_up_within_a_day_and_restart_the_next():
    assert next_release_id([], date(2026, 12, 1)) == "2026-12-01.1"
    existing = ["2026-11-30.4", *(f"2026-12-01.{n}" for n in range(1, 10))]
    assert next_release_id(existing, date(2026, 12, 1)) == "2026-12-01.10"  # numerically, not as text
    assert next_release_id(existing, date(2026, 12, 2)) == "2026-12-02.1"


def _warehouse(path: Path, documents: list[tuple[str, int]]) -> Path:
    """A writer's warehouse whose only mart lists (document, amount)."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t (document VARCHAR, amount INTEGER)")
        con.executemany("INSERT INTO marts.t VALUES (?, ?)", documents)
    return path


def _published_rows(published: Path) -> list[tuple]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("SELECT * FROM marts.t ORDER BY 1").fetchall()


def test_each_publish_is_a_release_that_carries_the_log(tmp_path):
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "published" / "yusuan.duckdb"
    ids = []
    for amount in (1, 2, 3):
        ids.append(publish_release(_warehouse(warehouse, [("a", amount)]), published, keep=7).release_id)
    assert release_folders(published) == ids and current_release(published) == ids[-1]
    assert _published_rows(published) == [("a", 3)] and _published_rows(previous_copy(published)) == [("a", 2)]
    assert not published.stat().st_mode & 0o222
    with duckdb.connect(str(published), read_only=True) as con:
        log = con.execute("SELECT release_id, previous_release_id, mart_rows FROM raw.release ORDER BY 1").fetchall()
    assert [(r, p) for r, p, _ in log] == [(ids[0], None), (ids[1], ids[0]), (ids[2], ids[1])]
    assert {rows for *_, rows in log} == {'{"t": 1}'}
    with duckdb.connect(str(warehouse), read_only=True) as con:  # the writer's file holds no release
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'").fetchone() == (
            0,
        )


def test_pruning_keeps_the_last_n_the_current_one_and_any_a_reader_holds(tmp_path):
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "yusuan.duckdb"
    ids = [publish_release(_warehouse(warehouse, [("a", n)]), published, keep=10).release_id for n in range(4)]
    held = open(exports_root(published) / ids[1] / "t.parquet", "rb")  # noqa: SIM115
    try:
        assert prune(published, keep=2) == [ids[0]]  # ids[1] is open
        assert release_folders(published) == ids[1:]
    finally:
        held.close()
    assert prune(published, keep=2) == [ids[1]]
    assert release_folders(published) == ids[2:]
    # `current` is never pruned; folders newer than it were left by publishes killed before their switch.
    (exports_root(published) / "current").unlink()
    (exports_root(published) / "current").symlink_to(ids[2])
    (exports_root(published) / "2999-01-01.1").mkdir()
    (exports_root(published) / "20261130T020000123456").mkdir()  # an export from before release ids
    assert prune(published, keep=1) == [ids[3], "2999-01-01.1", "20261130T020000123456"]
    assert release_folders(published) == [ids[2]]


def test_a_publish_killed_before_its_switch_leaves_the_previous_release_whole(tmp_path, monkeypatch):
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "yusuan.duckdb"
    first = publish_release(_warehouse(warehouse, [("a", 1)]), published, keep=7).release_id
    real_replace = os.replace

    def killed_at_the_switch(source, target):
        if Path(target) == published:
            raise KeyboardInterrupt("killed")
        real_replace(source, target)

    monkeypatch.setattr(releases.os, "replace", killed_at_the_switch)
    with pytest.raises(KeyboardInterrupt):
        publish_release(_warehouse(warehouse, [("a", 2)]), published, keep=7)
    monkeypatch.undo()
    assert _published_rows(published) == [("a", 1)] and current_release(published) == first
    # The next publish goes on from release 1 and clears what the killed one left.
    second = publish_release(warehouse, published, keep=1)
    assert _published_rows(published) == [("a", 2)]
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT list(release_id ORDER BY release_id) FROM raw.release").fetchone()[0] == [
            first,
            second.release_id,
        ]
    assert release_folders(published) == [second.release_id]
    assert sorted(p.name for p in exports_root(published).iterdir()) == sorted(["current", second.release_id])


DOCUMENT_COLUMNS = "document_id, file_name, department_name, department_id, fiscal_year, document_kind, scope"


def _release(folder: Path, documents: list[tuple], headlines: list[tuple], totals: list[tuple]) -> Path:
    """A release folder with dim_document (current documents), document_headline and department_year_totals."""
    folder.mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE dim_document (document_id VARCHAR, file_name VARCHAR, department_name VARCHAR, "
            "department_id VARCHAR, fiscal_year INTEGER, document_kind VARCHAR, scope VARCHAR, is_current BOOLEAN)"
        )
        con.executemany("INSERT INTO dim_document VALUES (?, ?, ?, ?, ?, 'budget', 'department', true)", documents)
        con.execute(
            "CREATE TABLE document_headline (document_id VARCHAR, department_id VARCHAR, metric VARCHAR, "
            "value_yuan DECIMAL(18,2))"
        )
        con.executemany("INSERT INTO document_headline VALUES (?, ?, ?, ?)", headlines)
        con.execute(
            "CREATE TABLE department_year_totals (department VARCHAR, department_id VARCHAR, fiscal_year INTEGER, "
            "document_kind VARCHAR, scope VARCHAR, change_yuan DECIMAL(18,2), change_pct DECIMAL(18,2))"
        )
        con.executemany("INSERT INTO department_year_totals VALUES (?, ?, ?, 'budget', 'department', ?, ?)", totals)
        for table in ("dim_document", "document_headline", "department_year_totals"):
            con.execute(f"COPY {table} TO ? (FORMAT parquet)", [str(folder / f"{table}.parquet")])
    return folder


def test_diff_tells_added_from_superseded_and_lists_changed_figures_only(tmp_path):
    old = _release(
        tmp_path / "2026-12-01.1",
        [("a18", "a18.pdf", "A", "dA", 2018), ("b18", "b18.pdf", "B", "dB", 2018), ("gone", "c.pdf", "C", "dC", 2018)],
        [("a18", "dA", "total_expenditure", Decimal("100")), ("b18", "dB", "total_expenditure", Decimal("50"))],
        [("A", "dA", 2018, None, None), ("B", "dB", 2018, Decimal("5"), Decimal("11.11"))],
    )
    new = _release(
        tmp_path / "2026-12-01.2",
        [("a18v2", "a18 again.pdf", "A", "dA", 2018), ("b18", "b18.pdf", "B", "dB", 2018)]
        + [("a17", "a17.pdf", "A", "dA", 2017)],
        [
            ("a18v2", "dA", "total_expenditure", Decimal("120")),  # changed by the re-published version
            ("a17", "dA", "total_expenditure", Decimal("80")),  # a new document's figure: not a change
            ("b18", "dB", "total_expenditure", Decimal("50")),
        ],
        [
            ("A", "dA", 2017, None, None),
            ("A", "dA", 2018, Decimal("40"), Decimal("50.00")),  # its previous year arrived: moved
            ("B", "dB", 2018, Decimal("5"), Decimal("11.11")),
        ],
    )
    diff = diff_releases(old, new)
    assert [(d["department_name"], d["fiscal_year"], d["file_name"]) for d in diff.documents.added] == [
        ("A", 2017, "a17.pdf")
    ]
    assert [(d["old_file_name"], d["new_file_name"]) for d in diff.documents.superseded] == [
        ("a18.pdf", "a18 again.pdf")
    ]
    assert [d["file_name"] for d in diff.documents.removed] == ["c.pdf"]
    assert [(h["metric"], h["old_value_yuan"], h["new_value_yuan"], h["new_file_name"]) for h in diff.headlines] == [
        ("total_expenditure", Decimal("100"), Decimal("120"), "a18 again.pdf")
    ]
    assert [
        (y["department"], y["fiscal_year"], y["old_change_pct"], y["new_change_pct"]) for y in diff.year_over_year
    ] == [("A", 2018, None, Decimal("50.00"))]
    rows = {m["mart"]: (m["old_rows"], m["new_rows"], m["rows_added"], m["rows_removed"]) for m in diff.mart_rows}
    assert rows["dim_document"] == (3, 3, 2, 2)
    assert diff.as_json()["headlines"][0]["new_value_yuan"] == "120.00"
    assert diff_releases(None, new).documents.added and not diff_releases(new, new).headlines


def _parquet(folder: Path, mart: str, ddl: str, rows: list[tuple]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(f"CREATE TABLE {mart} ({ddl})")
        if rows:
            con.executemany(f"INSERT INTO {mart} VALUES ({', '.join('?' for _ in rows[0])})", rows)
        con.execute(f"COPY {mart} TO ? (FORMAT parquet)", [str(folder / f"{mart}.parquet")])


def test_mart_rows_count_repeated_rows_and_nulls_over_the_columns_both_releases_have(tmp_path):
    old, new = tmp_path / "2026-12-01.1", tmp_path / "2026-12-01.2"
    _parquet(
        old, "t", "k VARCHAR, amount DECIMAL(18,2)", [("a", Decimal("1")), ("a", Decimal("1")), ("b", Decimal("2"))]
    )
    # The new release adds a column (ignored), keeps one ("a", 1) of two, changes b, and adds c twice with no amount.
    _parquet(
        new,
        "t",
        "k VARCHAR, amount DECIMAL(18,2), note VARCHAR",
        [("a", Decimal("1"), "x"), ("b", Decimal("3"), None), ("c", None, None), ("c", None, None)],
    )
    _parquet(new, "only_new", "k VARCHAR", [("a",), ("b",)])
    rows = {
        m["mart"]: (m["old_rows"], m["new_rows"], m["rows_added"], m["rows_removed"])
        for m in diff_releases(old, new).mart_rows
    }
    assert rows == {"t": (3, 4, 3, 2), "only_new": (0, 2, 2, 0)}
    assert {m["mart"]: m["rows_added"] for m in diff_releases(None, new).mart_rows} == {"t": 4, "only_new": 2}
