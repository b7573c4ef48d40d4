"""What changed between two releases, read from their Parquet exports
(``warehouse/published/parquet/<release_id>/``): ``yusuan diff``, the report's
"what changed" section, and the counts of the release log.

Documents are matched by what they are (department, year, kind, scope), so a re-published
version of a document is a supersession, not an addition; headline figures and
year-over-year changes are matched the same way, whatever the document's sha256.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class DocumentChanges:
    added: list[dict] = field(default_factory=list)  # file_name, department_name, fiscal_year, kind, scope
    superseded: list[dict] = field(default_factory=list)  # … with old_file_name and new_file_name
    removed: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class ReleaseDiff:
    old: str | None
    new: str
    documents: DocumentChanges
    mart_rows: list[dict]  # mart, old_rows, new_rows, rows_added, rows_removed
    headlines: list[dict]  # department, fiscal_year, kind, scope, metric, old/new value and file
    year_over_year: list[dict]  # department, fiscal_year, kind, scope, old/new change_yuan and change_pct

    def as_json(self) -> dict:
        """Plain JSON types; amounts as exact decimal strings."""
        return _plain(asdict(self))


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


# The marts the detailed comparisons join (small: one row per document or department-year).
# The other marts are only counted, straight from their Parquet files.
_COMPARED_MARTS = {"dim_document", "document_headline", "department_year_totals"}


def duckdb_config(threads: int | None) -> dict:
    """A DuckDB connection's configuration: ``threads`` of them, or DuckDB's own default (one a core)."""
    return {"threads": threads} if threads else {}


class _Releases:
    """The two release folders, with the marts ``only`` names (or every small mart the detailed
    comparisons join) loaded into an in-memory DuckDB as tables old_<mart> / new_<mart>; a mart
    missing from the old release (or no old release) is an empty copy of the new one."""

    def __init__(self, old: Path | None, new: Path, only: set[str] | None = None, threads: int | None = None) -> None:
        self.con = duckdb.connect(config=duckdb_config(threads))
        self.old, self.new = (Path(old) if old else None), Path(new)
        self.marts = sorted(p.stem for p in self.new.glob("*.parquet"))
        self.old_marts = {p.stem for p in self.old.glob("*.parquet")} if self.old else set()
        # Mart names come from the file names of a release folder the publisher wrote; paths are parameters.
        for mart in (m for m in self.marts if m in (only or _COMPARED_MARTS)):
            self.con.execute(f"CREATE TABLE new_{mart} AS SELECT * FROM read_parquet(?)", [self.file(mart, "new")])
            if mart in self.old_marts:
                self.con.execute(f"CREATE TABLE old_{mart} AS SELECT * FROM read_parquet(?)", [self.file(mart, "old")])
            else:
                self.con.execute(f"CREATE TABLE old_{mart} AS SELECT * FROM new_{mart} LIMIT 0")

    def file(self, mart: str, side: str) -> str:
        return str((self.new if side == "new" else self.old) / f"{mart}.parquet")

    def rows(self, sql: str) -> list[dict]:
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def column_types(self, mart: str, side: str) -> dict[str, str]:
        return dict(
            self.con.execute(
                "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", [self.file(mart, side)]
            ).fetchall()
        )


def compare_documents(old: Path | None, new: Path, threads: int | None = None) -> DocumentChanges:
    releases = _Releases(old, new, only={"dim_document"}, threads=threads)
    try:
        return _documents(releases)
    finally:
        releases.con.close()


def _documents(releases: _Releases) -> DocumentChanges:
    if "dim_document" not in releases.marts:
        return DocumentChanges()
    changed = releases.rows("""
        WITH old AS (SELECT * FROM old_dim_document WHERE is_current),
             new AS (SELECT * FROM new_dim_document WHERE is_current)
        SELECT coalesce(new.department_name, old.department_name) AS department_name,
               coalesce(new.fiscal_year, old.fiscal_year) AS fiscal_year,
               coalesce(new.document_kind, old.document_kind) AS document_kind,
               coalesce(new.scope, old.scope) AS scope,
               old.file_name AS old_file_name, new.file_name AS new_file_name,
               old.document_id AS old_document_id, new.document_id AS new_document_id
        FROM old FULL JOIN new USING (department_id, fiscal_year, document_kind, scope)
        WHERE old.document_id IS DISTINCT FROM new.document_id
        ORDER BY department_name, fiscal_year, document_kind, scope, old_file_name, new_file_name
    """)
    return DocumentChanges(
        added=[_document(c, "new") for c in changed if c["old_document_id"] is None],
        superseded=[c for c in changed if c["old_document_id"] is not None and c["new_document_id"] is not None],
        removed=[_document(c, "old") for c in changed if c["new_document_id"] is None],
    )


def _document(change: dict, side: str) -> dict:
    kept = ("department_name", "fiscal_year", "document_kind", "scope")
    return {**{k: change[k] for k in kept}, "file_name": change[f"{side}_file_name"]}


def diff_releases(old: Path | None, new: Path, threads: int | None = None) -> ReleaseDiff:
    """Everything that changed from release folder ``old`` (None: nothing before) to ``new``;
    ``threads``: DuckDB's (see ``duckdb_config``)."""
    releases = _Releases(old, new, threads=threads)
    try:
        return ReleaseDiff(
            old=Path(old).name if old else None,
            new=Path(new).name,
            documents=_documents(releases),
            mart_rows=[_mart_rows(releases, mart) for mart in releases.marts],
            headlines=_headlines(releases) if {"document_headline", "dim_document"} <= set(releases.marts) else [],
            year_over_year=_year_over_year(releases) if "department_year_totals" in releases.marts else [],
        )
    finally:
        releases.con.close()


def _mart_rows(releases: _Releases, mart: str) -> dict:
    """Rows in one release and not in the other, over the columns both have (a row whose
    document was re-published counts as removed and added).

    Read from the Parquet files as they stream, never held whole: each row is reduced to a
    64-bit hash of its values, and the rows of each hash are counted on both sides.  Equal
    rows have equal hashes, so nothing unchanged is counted; a changed row goes uncounted only
    if its hash equals another row's with the same count, odds below 1 in 10^10 at
    millions of rows.  (An exact EXCEPT ALL hashed every column of every row into memory:
    seconds and gigabytes at 2,000 documents.)"""
    new_file = releases.file(mart, "new")
    if mart not in releases.old_marts:
        new_rows = releases.con.execute("SELECT count(*) FROM read_parquet(?)", [new_file]).fetchone()[0]
        return {"mart": mart, "old_rows": 0, "new_rows": new_rows, "rows_added": new_rows, "rows_removed": 0}
    old_types = releases.column_types(mart, "old")
    # MAP columns are left out, as they only ever summarise the other columns.
    shared = [
        column
        for column, type_name in releases.column_types(mart, "new").items()
        if column in old_types and not type_name.startswith("MAP")
    ]
    columns = ", ".join(f'"{c}"' for c in shared)
    counts = releases.con.execute(
        f"""
        WITH new AS (SELECT hash({columns}) AS row_hash, count(*) AS rows FROM read_parquet($new) GROUP BY 1),
             old AS (SELECT hash({columns}) AS row_hash, count(*) AS rows FROM read_parquet($old) GROUP BY 1)
        SELECT coalesce(sum(old.rows), 0), coalesce(sum(new.rows), 0),
               coalesce(sum(greatest(coalesce(new.rows, 0) - coalesce(old.rows, 0), 0)), 0),
               coalesce(sum(greatest(coalesce(old.rows, 0) - coalesce(new.rows, 0), 0)), 0)
        FROM new FULL JOIN old USING (row_hash)
        """,
        {"new": new_file, "old": releases.file(mart, "old")},
    ).fetchone()
    return dict(zip(("mart", "old_rows", "new_rows", "rows_added", "rows_removed"), (mart, *map(int, counts))))


def _headlines(releases: _Releases) -> list[dict]:
    """Headline figures that changed for a document in both releases (a figure that appeared or
    went, e.g. withheld by a re-published version, too); an added document's figures are new, not changed."""
    return releases.rows("""
        WITH old AS (
            SELECT d.department_name, d.fiscal_year, d.document_kind, d.scope, d.file_name, h.*
            FROM old_document_headline h JOIN old_dim_document d USING (document_id, department_id)
        ), new AS (
            SELECT d.department_name, d.fiscal_year, d.document_kind, d.scope, d.file_name, h.*
            FROM new_document_headline h JOIN new_dim_document d USING (document_id, department_id)
        ), in_both AS (
            SELECT department_id, fiscal_year, document_kind, scope,
                   old.file_name AS old_file_name, new.file_name AS new_file_name
            FROM (SELECT * FROM old_dim_document WHERE is_current) old
            JOIN (SELECT * FROM new_dim_document WHERE is_current) new
                USING (department_id, fiscal_year, document_kind, scope)
        )
        SELECT coalesce(new.department_name, old.department_name) AS department_name,
               department_id, fiscal_year, document_kind, scope,
               coalesce(new.metric, old.metric) AS metric,
               old.value_yuan AS old_value_yuan, new.value_yuan AS new_value_yuan,
               in_both.old_file_name, in_both.new_file_name
        FROM old FULL JOIN new USING (department_id, fiscal_year, document_kind, scope, metric)
        JOIN in_both USING (department_id, fiscal_year, document_kind, scope)
        WHERE old.value_yuan IS DISTINCT FROM new.value_yuan
        ORDER BY department_name, fiscal_year, document_kind, scope, metric
    """)


def _year_over_year(releases: _Releases) -> list[dict]:
    """Department-years in both releases whose change against the year before moved (a new
    department-year is not a move; a year whose previous year arrived is)."""
    return releases.rows("""
        SELECT new.department, department_id, fiscal_year, document_kind, scope,
               old.change_yuan AS old_change_yuan, new.change_yuan AS new_change_yuan,
               old.change_pct AS old_change_pct, new.change_pct AS new_change_pct
        FROM old_department_year_totals old
        JOIN new_department_year_totals new USING (department_id, fiscal_year, document_kind, scope)
        WHERE old.change_yuan IS DISTINCT FROM new.change_yuan OR old.change_pct IS DISTINCT FROM new.change_pct
        ORDER BY new.department, fiscal_year, document_kind, scope
    """)


def _amount(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,}"


def change_label(change: dict) -> str:
    """The department-year a change is about (diff rows name the department either way)."""
    department = change.get("department_name") or change.get("department")
    return f"{department} {change['fiscal_year']} {change['document_kind']}/{change['scope']}"


def format_diff(diff: ReleaseDiff) -> str:
    """``yusuan diff``'s text: one section per kind of change, each line naming its document."""
    lines = [f"yusuan diff: {diff.old or '(nothing before)'} → {diff.new}"]
    documents = diff.documents
    lines.append(f"documents added: {len(documents.added)}")
    lines += [f"  {change_label(d)}: {d['file_name']}" for d in documents.added]
    lines.append(f"documents superseded: {len(documents.superseded)}")
    lines += [f"  {change_label(d)}: {d['old_file_name']} → {d['new_file_name']}" for d in documents.superseded]
    lines.append(f"documents removed: {len(documents.removed)}")
    lines += [f"  {change_label(d)}: {d['file_name']}" for d in documents.removed]
    lines.append("rows per mart (old → new, rows added, rows removed):")
    lines += [
        f"  {m['mart']:28s} {m['old_rows']:>8} → {m['new_rows']:<8} +{m['rows_added']} -{m['rows_removed']}"
        for m in diff.mart_rows
        if m["rows_added"] or m["rows_removed"]
    ] or ["  no mart changed"]
    lines.append(f"headline figures changed: {len(diff.headlines)}")
    lines += [
        f"  {change_label(h)} {h['metric']}: "
        f"{_amount(h['old_value_yuan'])} → {_amount(h['new_value_yuan'])} yuan "
        f"({h['old_file_name'] or '—'} → {h['new_file_name'] or '—'})"
        for h in diff.headlines
    ]
    lines.append(f"year-over-year changes moved: {len(diff.year_over_year)}")
    lines += [
        f"  {change_label(y)}: change "
        f"{_amount(y['old_change_yuan'])} → {_amount(y['new_change_yuan'])} yuan, "
        f"{_amount(y['old_change_pct'])} → {_amount(y['new_change_pct'])} %"
        for y in diff.year_over_year
    ]
    return "\n".join(lines)
