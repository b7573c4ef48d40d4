"""The load loop and the change detection of one run, as plain functions.

The Dagster asset that writes DuckDB only calls ``load_documents`` and reports the
summary; the in-process runner reads the same summary to decide whether dbt and
publish have anything to do.  Nothing here imports Dagster.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.extraction.document import PARSER_VERSION
from pipelines.ingest.handoff import StoragePath
from pipelines.ingest.load import (
    connect,
    load_document,
    loaded_document_ids,
    quarantined_document_ids,
    record_quarantine,
    set_aside_by_dbt,
    unload_document,
)
from pipelines.ingest.noop import LOADED_DOCUMENTS_SQL, removed, unpublished_marker
from pipelines.ingest.progress import document_progress


@dataclass(frozen=True)
class LoadSummary:
    """What one load did, and what the warehouse holds after it."""

    loaded: int = 0
    unchanged: int = 0  # loaded before by the current parser: skipped
    quarantined: int = 0
    rows: int = 0  # budget lines loaded by this run
    # Changes to the warehouse that the marts do not show yet (loads, quarantine
    # comings and goings, a load an earlier run did not publish): 0 means dbt has nothing new.
    changed: int = 0
    total_documents: int = 0
    total_lines: int = 0

    def as_metadata(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_metadata(cls, metadata: dict) -> LoadSummary:
        """The summary back from the values a Dagster materialisation recorded."""
        return cls(**{f.name: int(metadata[f.name]) for f in fields(cls) if f.name in metadata})

    def with_set_aside_by_dbt(self, warehouse: Path, since: datetime) -> LoadSummary:
        """Documents a dbt test set aside (after ``since``) were loaded, then quarantined: count them
        as quarantined, and take the warehouse totals after dbt removed them."""
        with duckdb.connect(str(warehouse), read_only=True) as con:
            set_aside = con.execute(
                "SELECT count(*) FROM raw.quarantine WHERE stage = 'dbt' AND last_seen >= ?", [since]
            ).fetchone()[0]
            totals = _totals(con)
        # Usually loaded by this run; a document loaded before fails a test only after the dbt project changed.
        from_loaded = min(set_aside, self.loaded)
        return replace(
            self,
            loaded=self.loaded - from_loaded,
            unchanged=self.unchanged - (set_aside - from_loaded),
            quarantined=self.quarantined + set_aside,
            **totals,
        )


def load_documents(
    warehouse: Path, extract_dir: StoragePath, statuses: list[dict], dbt_changed_at: float
) -> LoadSummary:
    """Load every validated document (a ``DocumentStatus`` dict each), one transaction per
    document: skip what the current parser already loaded, quarantine what failed extraction,
    validation or its own load, and leave out what a dbt test set aside since ``dbt_changed_at``
    (the dbt project's last change).  A quarantined document never blocks the rest."""
    loaded = unchanged = quarantined = rows = unloaded = 0
    pending = unpublished_marker(warehouse)
    carried_over = pending.exists()  # an earlier run changed the warehouse and did not publish
    con = connect(warehouse)
    try:
        already = loaded_document_ids(con, PARSER_VERSION)
        held_back = quarantined_document_ids(con)
        set_aside = set_aside_by_dbt(con, dbt_changed_at)
        for status in statuses:
            doc_id, file_path = status["document_id"], status["file_path"]
            if doc_id in already:
                document_progress(file_path, "unchanged")
                unchanged += 1
                continue
            if status["ok"] and doc_id in set_aside:
                document_progress(file_path, f"quarantined at dbt: {set_aside[doc_id]}")
                quarantined += 1
                continue
            if not status["ok"]:
                if doc_id not in held_back:
                    pending.touch()
                record_quarantine(con, doc_id, file_path, status["stage"], status["reason"], status["details"])
                document_progress(file_path, f"quarantined at {status['stage']}: {status['reason']}")
                quarantined += 1
                continue
            try:
                pending.touch()  # before the commit: a kill after it still leaves the marker
                lines = load_document(con, extract_dir, doc_id, file_path)
            except Exception as exc:  # a load failure quarantines this document only
                record_quarantine(con, doc_id, file_path, "load", f"{type(exc).__name__}: {exc}")
                document_progress(file_path, f"quarantined at load: {exc}")
                quarantined += 1
                continue
            document_progress(file_path, f"loaded {lines} lines")
            loaded += 1
            rows += lines
        for document_id, file_path in removed_documents(con, statuses):
            pending.touch()
            unload_document(con, document_id)
            document_progress(file_path, "removed: the file is no longer in raw/")
            unloaded += 1
        # Did anything reach the warehouse that the marts do not show yet?
        newly_held = {s["document_id"] for s in statuses if not s["ok"]} - held_back
        released = held_back - quarantined_document_ids(con)
        changed = loaded + unloaded + len(newly_held) + len(released) + int(carried_over)
        return LoadSummary(loaded, unchanged, quarantined, rows, changed, **_totals(con))
    finally:
        con.close()


def removed_documents(con: duckdb.DuckDBPyConnection, statuses: list[dict]) -> list[tuple[str, str]]:
    """Loaded documents whose file was taken out of raw/ (see ``noop.removed``)."""
    loaded = con.execute(LOADED_DOCUMENTS_SQL).fetchall()
    return removed(loaded, [(s["document_id"], s["file_path"]) for s in statuses])


def needs_transform(summary: LoadSummary, published: Path, dbt_changed_at: float, force: bool = False) -> bool:
    """dbt and publish run when the load changed the warehouse, or the published copy is
    missing or older than the dbt project; otherwise the marts are current."""
    marts_current = published.exists() and published.stat().st_mtime >= dbt_changed_at
    return force or bool(summary.changed) or not marts_current


def _totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        "total_documents": con.execute("SELECT count(*) FROM raw.document").fetchone()[0],
        "total_lines": con.execute("SELECT count(*) FROM raw.budget_line").fetchone()[0],
    }
