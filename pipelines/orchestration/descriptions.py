"""The data dictionary in the warehouse: every model's and seed's YAML descriptions as DuckDB
comments, written after each dbt build (the published copy is a byte copy, so BI tools see them).

dbt-duckdb's ``persist_docs`` writes the same comments, but through a macro call and a
statement per column, each a round trip in dbt: about 1 s of an incremental build that
creates 20 tables again, and their comments with them.  Here every comment is one statement
in one connection and one transaction: a few tens of milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from schemas.tables import quoted_identifier

_DESCRIBED = ("model", "seed")
# SQL here names relations and columns that dbt's manifest gives (the project's own
# identifiers); the descriptions are the project's YAML, quoted as SQL string literals.


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _comment_statements(manifest: dict, relations: dict[tuple[str, str], str], columns: set[tuple]) -> list[str]:
    """``COMMENT ON`` statements for the described models and seeds that exist.

    ``relations``: (schema, name) → ``TABLE`` or ``VIEW``; ``columns``: (schema, name, column)."""
    statements = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in _DESCRIBED:
            continue
        schema, name = node["schema"], node.get("alias") or node["name"]
        kind = relations.get((schema, name))
        if kind is None:  # not built (a disabled model, a seed left out)
            continue
        relation = f"{quoted_identifier(schema)}.{quoted_identifier(name)}"
        if node.get("description"):
            statements.append(f"COMMENT ON {kind} {relation} IS {_literal(node['description'])}")
        for column in node.get("columns", {}).values():
            if column.get("description") and (schema, name, column["name"]) in columns:
                target = f"{relation}.{quoted_identifier(column['name'])}"
                statements.append(f"COMMENT ON COLUMN {target} IS {_literal(column['description'])}")
    return statements


def write_descriptions(warehouse: Path, manifest: dict) -> int:
    """Write the descriptions of ``manifest`` (dbt's, as a dict) into ``warehouse``; how many."""
    with duckdb.connect(str(warehouse)) as con:
        relations = dict(
            ((schema, name), kind)
            for schema, name, kind in con.execute(
                "SELECT schema_name, table_name, 'TABLE' FROM duckdb_tables() WHERE NOT internal "
                "UNION ALL SELECT schema_name, view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        )
        columns = set(con.execute("SELECT schema_name, table_name, column_name FROM duckdb_columns()").fetchall())
        statements = _comment_statements(manifest, relations, columns)
        con.execute("BEGIN TRANSACTION")
        for statement in statements:
            con.execute(statement)
        con.execute("COMMIT")
    return len(statements)
