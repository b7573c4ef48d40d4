"""The DuckDB warehouse: raw tables, one transaction per document, quarantine (publishing: releases.py).

Only the loader step writes here (a single writer); extraction hands over files.
Every statement is parameterised: department names and file names are data.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.ingest.handoff import StoragePath, read_document_meta, read_output
from schemas.tables import DOCUMENT, PARQUET_TABLES, migrations, raw_ddl

# The raw tables, as schemas/tables.py declares them.
RAW_DDL = raw_ddl()
# Parquet file in the extraction folder -> raw table it loads into.
_PARQUET_TABLES = {name: table.qualified_name for name, table in PARQUET_TABLES.items()}
_DOCUMENT_TABLES = [DOCUMENT.qualified_name, *_PARQUET_TABLES.values()]
# Columns added after a table was first created: applied to existing warehouses.
MIGRATIONS = migrations()


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# How long a run waits for a process that still holds the warehouse (a leftover of a killed run).
LOCK_WAIT_SECONDS = 300
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


class WarehouseLocked(Exception):
    """Another process kept the warehouse file locked for longer than the run waits."""


def _command_line(pid: str, program: str) -> str:
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return program
    return " ".join(arguments.replace("\0", " ").split())  # one line, whatever the arguments hold


def open_writer(path: Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """The warehouse opened for writing; while another process holds DuckDB's lock on it,
    say once which process (pid and command), then wait for it to end."""
    deadline = time.monotonic() + wait_seconds
    said = False
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            holder = _LOCK_HOLDER.search(str(exc))
            if holder is None:
                raise
            program, pid = holder.groups()
            who = f"process {pid} ({_command_line(pid, program)[:120]})"
            if time.monotonic() > deadline:
                raise WarehouseLocked(f"{path} is still locked by {who} after {wait_seconds:.0f} s") from None
            if not said:
                logging.getLogger("yusuan.progress").warning(
                    "yusuan: %s holds the warehouse lock; waiting up to %.0f s for it to end", who, wait_seconds
                )
                said = True
            time.sleep(0.5)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = open_writer(path)
    con.execute(RAW_DDL)
    for statement in MIGRATIONS:
        con.execute(statement)
    return con


def loaded_document_ids(con: duckdb.DuckDBPyConnection, parser_version: str) -> set[str]:
    """Documents loaded by the current parser; older loads are reloaded from re-parsed output."""
    rows = con.execute("SELECT document_id FROM raw.document WHERE parser_version = ?", [parser_version])
    return {row[0] for row in rows.fetchall()}


def load_document(con: duckdb.DuckDBPyConnection, extract_dir: StoragePath, document_id: str, file_path: str) -> int:
    """Replace one document's rows in a single transaction; returns the budget lines loaded."""
    meta = read_document_meta(extract_dir, document_id)
    # Read before the transaction, through fsspec when the folder is in object storage.
    outputs = {table: read_output(extract_dir, document_id, name) for name, table in _PARQUET_TABLES.items()}
    con.execute("BEGIN TRANSACTION")
    try:
        for table in _DOCUMENT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
        con.execute(
            "INSERT INTO raw.document VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                document_id,
                file_path,
                Path(file_path).name,
                meta["department_name"],
                meta["fiscal_year"],
                meta["document_kind"],
                meta["scope"],
                meta["printed_unit"],
                meta["pages"],
                meta["parser_version"],
                datetime.fromisoformat(meta["extracted_at"]),
                now(),
            ],
        )
        for table, rows in outputs.items():
            con.register("document_rows", rows)
            con.execute(f"INSERT INTO {table} SELECT * FROM document_rows")
            con.unregister("document_rows")
        # A fixed file (new bytes at the same path) takes its broken version out of quarantine.
        con.execute("DELETE FROM raw.quarantine WHERE document_id = ? OR file_path = ?", [document_id, file_path])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return con.execute("SELECT count(*) FROM raw.budget_line WHERE document_id = ?", [document_id]).fetchone()[0]


def unload_document(con: duckdb.DuckDBPyConnection, document_id: str) -> None:
    """Take a loaded document's rows out of every raw table, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for table in _DOCUMENT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def record_quarantine(
    con: duckdb.DuckDBPyConnection, document_id: str, file_path: str, stage: str, reason: str, details: str = ""
) -> None:
    """Upsert a quarantine record; first_seen survives repeated failures."""
    seen = now()
    con.execute("BEGIN TRANSACTION")
    try:
        existing = con.execute(
            "SELECT min(first_seen) FROM raw.quarantine WHERE document_id = ?", [document_id]
        ).fetchone()[0]
        con.execute("DELETE FROM raw.quarantine WHERE document_id = ?", [document_id])
        con.execute(
            "INSERT INTO raw.quarantine VALUES (?, ?, ?, ?, ?, ?, ?)",
            [document_id, file_path, stage, reason, details, existing or seen, seen],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def quarantined_document_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT document_id FROM raw.quarantine").fetchall()}


def set_aside_by_dbt(con: duckdb.DuckDBPyConnection, dbt_changed_at: float) -> dict[str, str]:
    """Documents a dbt test set aside since the dbt project last changed, with the reason:
    loading them again would fail the same test.  A changed seed or model gives them a new try."""
    since = datetime.fromtimestamp(dbt_changed_at, UTC).replace(tzinfo=None)
    rows = con.execute(
        "SELECT document_id, reason FROM raw.quarantine WHERE stage = 'dbt' AND last_seen >= ?", [since]
    ).fetchall()
    return dict(rows)
