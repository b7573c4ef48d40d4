"""Deciding that a run has nothing to do, before Dagster, dbt and pandas are imported.

Importing Dagster alone takes seconds; a nightly over an unchanged raw/ should not pay
it.  A run has nothing to do when every PDF under raw/ is loaded by the current
parser, no loaded document lost its file, the last load was published, and the
published copy is newer than the dbt project.  Anything else (a new or changed file,
a quarantined one to look at again, a removed one, an unpublished load) goes through
the whole job, which decides per document.  Only light modules are imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.extraction.document import PARSER_VERSION
from pipelines.ingest.discovery import discover


def unpublished_marker(warehouse_path: Path) -> Path:
    """A file that exists from a load's first change to the warehouse until the published
    copy has it.  A run killed or failed between load and publish leaves it behind, so the
    next run builds and publishes even though it has nothing new to load."""
    warehouse_path = Path(warehouse_path)
    return warehouse_path.with_name(f"{warehouse_path.name}.unpublished")


def raw_digests(warehouse_path: Path) -> Path:
    """Where the digests of raw/'s files are kept between runs (``discovery.discover``)."""
    warehouse_path = Path(warehouse_path)
    return warehouse_path.with_name(f"{warehouse_path.name}.digests.json")


@dataclass(frozen=True)
class Unchanged:
    """A run with nothing to do: the documents found, all loaded, and the warehouse's totals."""

    documents: int
    total_documents: int
    total_lines: int


def nothing_new(raw_dir: Path, warehouse: Path, published: Path, dbt_changed_at: float) -> Unchanged | None:
    """``Unchanged`` when the run has nothing to load, build or publish; None when it may."""
    if unpublished_marker(warehouse).exists() or not warehouse.exists():
        return None
    if not published.exists() or published.stat().st_mtime < dbt_changed_at:
        return None
    sources = discover(raw_dir, raw_digests(warehouse))
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            documents = con.execute(LOADED_DOCUMENTS_SQL).fetchall()
            versions = dict(con.execute("SELECT document_id, parser_version FROM raw.document").fetchall())
            total_lines = con.execute("SELECT count(*) FROM raw.budget_line").fetchone()[0]
    except duckdb.Error:  # no raw tables yet, or an older layout that the load migrates
        return None
    current = {document_id for document_id, version in versions.items() if version == PARSER_VERSION}
    found = [(source.document_id, source.path) for source in sources]
    if not {document_id for document_id, _path in found} <= current:
        return None
    if removed(documents, found):
        return None
    return Unchanged(documents=len(found), total_documents=len(documents), total_lines=total_lines)


# The columns of raw.document ``removed`` reads: a document and what it is a version of.
LOADED_DOCUMENTS_SQL = (
    "SELECT document_id, file_path, department_name, fiscal_year, document_kind, scope FROM raw.document "
    "ORDER BY file_path"
)


def removed(loaded: list[tuple], found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (document_id, file_path) of the ``loaded`` documents (rows of LOADED_DOCUMENTS_SQL)
    whose file was taken out of raw/: neither the content nor the path is among those ``found``
    now, and no document found is a version of the same department, year, kind and scope.  A
    version whose path now holds new bytes, or that a re-published file under another name
    supersedes, is history and stays.  An empty raw/ removes nothing: it is far likelier an
    unmounted or mistyped folder than a wish to empty the warehouse."""
    if not found:
        return []
    found_ids = {document_id for document_id, _path in found}
    found_paths = {path for _document_id, path in found}
    present = {tuple(version) for document_id, _path, *version in loaded if document_id in found_ids}
    return [
        (document_id, path)
        for document_id, path, *version in loaded
        if document_id not in found_ids and path not in found_paths and tuple(version) not in present
    ]
