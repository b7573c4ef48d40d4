"""Every publish is a release: an id, a row in the release log, Parquet exports kept for the
last N releases, the previous published DuckDB kept beside the current one.

Layout under the published copy's folder (``warehouse/published/``)::

    yusuan.duckdb             the current release (what BI tools open)
    yusuan.previous.duckdb    the release before it
    parquet/<release_id>/     every mart as Parquet, for the last N releases
    parquet/current           a symlink to the newest release's folder

A release is built aside (a hidden copy and a hidden folder) and only then renamed into
place, so a run killed while publishing leaves the previous release whole.  The release
log (``raw.release``, read by ``marts.release``) travels with the published copies: each one
holds the log of its predecessors plus its own row; the writer's warehouse holds none of it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from pipelines.extraction.document import PARSER_VERSION
from pipelines.outputs.release_diff import compare_documents, duckdb_config
from schemas.tables import RELEASE, create_table

PARQUET_DIR = "parquet"
CURRENT = "current"
RELEASE_MART = "release"
_RELEASE_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d+)$")


@dataclass(frozen=True)
class Release:
    release_id: str
    published: Path  # the published DuckDB
    exports: Path  # its Parquet folder
    pruned: list[str]  # releases whose exports were deleted by this publish


def release_order(release_id: str) -> tuple[str, int]:
    """Sort key: by day, then by sequence (2026-12-01.10 after 2026-12-01.9)."""
    day, sequence = _RELEASE_ID.match(release_id).groups()
    return day, int(sequence)


def next_release_id(existing: list[str], today: date) -> str:
    same_day = [release_order(r)[1] for r in existing if release_order(r)[0] == today.isoformat()]
    return f"{today.isoformat()}.{max(same_day, default=0) + 1}"


def exports_root(published: Path) -> Path:
    return Path(published).parent / PARQUET_DIR


def previous_copy(published: Path) -> Path:
    published = Path(published)
    return published.with_name(f"{published.stem}.previous{published.suffix}")


def release_folders(published: Path) -> list[str]:
    """Release ids with an export folder, oldest first."""
    root = exports_root(published)
    if not root.is_dir():
        return []
    names = [p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink() and _RELEASE_ID.match(p.name)]
    return sorted(names, key=release_order)


def current_release(published: Path) -> str | None:
    link = exports_root(published) / CURRENT
    return os.readlink(link) if link.is_symlink() else None


def publish_release(warehouse: Path, published: Path, keep: int, threads: int | None = None) -> Release:
    """Publish the warehouse as a new release, then prune the exports beyond the last ``keep``;
    ``threads``: DuckDB's, for the exports (YUSUAN_PUBLISH_THREADS; None: one a core)."""
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    root = exports_root(published)
    root.mkdir(exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CHECKPOINT")  # everything in the file itself, nothing left in the WAL
    staging = published.with_name(f".{published.name}.tmp")
    shutil.copyfile(warehouse, staging)

    log = _release_log(published)
    previous = log[-1][0] if log else None
    release_id = next_release_id([row[0] for row in log] + release_folders(published), datetime.now(UTC).date())
    folder = root / release_id
    building = root / f".{release_id}.tmp"
    shutil.rmtree(building, ignore_errors=True)  # a leftover of a killed publish
    building.mkdir()
    with duckdb.connect(str(staging), config=duckdb_config(threads)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw; " + create_table(RELEASE))
        if log:
            columns, placeholders = _LOG_COLUMNS, ", ".join("?" for _ in RELEASE.columns)
            con.executemany(f"INSERT INTO raw.release ({columns}) VALUES ({placeholders})", log)
        marts = [m for m in _marts(con) if m != RELEASE_MART]
        mart_rows = {mart: _export(con, mart, building) for mart in marts}
        changes = compare_documents(root / previous if previous else None, building, threads)
        con.execute(
            "INSERT INTO raw.release BY NAME SELECT ? AS release_id, ? AS published_at, ? AS previous_release_id, "
            "? AS documents_added, ? AS documents_superseded, ? AS documents_removed, ? AS mart_rows, "
            "? AS package_version, ? AS parser_version",
            [
                release_id,
                datetime.now(UTC).replace(tzinfo=None),
                previous,
                len(changes.added),
                len(changes.superseded),
                len(changes.removed),
                json.dumps(mart_rows),
                _package_version(),
                PARSER_VERSION,
            ],
        )
        if RELEASE_MART in _marts(con):
            _export(con, RELEASE_MART, building)
        con.execute("CHECKPOINT")
    os.chmod(staging, 0o444)
    os.replace(building, folder)

    # The switch: the current copy becomes the previous one (a hard link, so readers of either
    # name keep their file), then the new copy and the new exports become current.
    if published.exists():
        keeping = previous_copy(published).with_name(f".{previous_copy(published).name}.tmp")
        keeping.unlink(missing_ok=True)
        os.link(published, keeping)
        os.replace(keeping, previous_copy(published))
    os.replace(staging, published)
    _point_current(root, release_id)
    return Release(release_id, published, folder, prune(published, keep))


def _marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows]


def _export(con: duckdb.DuckDBPyConnection, mart: str, folder: Path) -> int:
    """One mart as ``folder/<mart>.parquet``; its row count."""
    # The mart name comes from the catalog, quoted as an identifier; the path is a parameter.
    con.execute(f'COPY marts."{mart}" TO ? (FORMAT parquet)', [str(folder / f"{mart}.parquet")])
    return con.execute(f'SELECT count(*) FROM marts."{mart}"').fetchone()[0]


_LOG_COLUMNS = ", ".join(column.name for column in RELEASE.columns)  # as declared in schemas/tables.py


def _release_log(published: Path) -> list[tuple]:
    """The release log of the current published copy, oldest first (the last row is the current
    release: the copy is switched in one rename, its Parquet ``current`` link just after)."""
    if not published.exists():
        return []
    with duckdb.connect(str(published), read_only=True) as con:
        if not con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'release'"
        ).fetchone()[0]:
            return []
        columns = _LOG_COLUMNS
        return con.execute(f"SELECT {columns} FROM raw.release ORDER BY published_at").fetchall()


def _package_version() -> str:
    try:
        return version("yusuan")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _point_current(root: Path, release_id: str) -> None:
    link = root / f".{CURRENT}.tmp"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(release_id)
    os.replace(link, root / CURRENT)  # one rename: a reader resolving `current` sees one whole release


def prune(published: Path, keep: int) -> list[str]:
    """Delete the exports of releases older than the last ``keep`` up to the current one, what
    publishes killed before their switch left (folders newer than the current release, hidden
    folders being built) and exports older than release ids, except any folder a process has a
    file open in."""
    root = exports_root(published)
    current = current_release(published)
    releases = release_folders(published)
    published_so_far = releases[: releases.index(current) + 1] if current in releases else releases
    unfinished = releases[len(published_so_far) :]
    doomed = [root / r for r in [*published_so_far[: max(len(published_so_far) - keep, 0)], *unfinished]]
    doomed += [p for p in root.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp") and p.is_dir()]
    # Exports written before releases had ids (one timestamped folder each): only the last one was kept.
    doomed += [
        p
        for p in root.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and not _RELEASE_ID.match(p.name)
    ]
    in_use = open_paths()
    pruned = []
    for path in doomed:
        if any(_is_within(open_path, path) for open_path in in_use):
            continue  # a reader has it open: a later publish tries again
        shutil.rmtree(path)
        pruned.append(path.name)
    return pruned


def open_paths() -> set[Path]:
    """Every file some process on this machine has open (that this process may see), from /proc."""
    found: set[Path] = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            fds = list(fd_dir.iterdir())
        except OSError:  # the process ended, or is not ours to look at
            continue
        for fd in fds:
            try:
                found.add(Path(os.readlink(fd)))
            except OSError:
                continue
    return found


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
