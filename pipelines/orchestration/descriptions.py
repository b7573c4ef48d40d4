"""The data dictionary in the warehouse: every model's and seed's YAML descriptions as DuckDB
comments, written after each dbt build where a relation lacks them (the published copy is a
byte copy, so BI tools see them).

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


def _comment_statements(
    manifest: dict, relations: dict[tuple[str, str], tuple[str, str | None]], columns: dict[tuple, str | None]
) -> list[str]:
    """``COMMENT ON`` statements for the described models and seeds that exist, where the
    comment is not already the description: a build replaces only some relations, and
    the others keep theirs.

    ``relations``: (schema, name) → (``TABLE`` or ``VIEW``, its comment);
    ``columns``: (schema, name, column) → its comment."""
    statements = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in _DESCRIBED:
            continue
        schema, name = node["schema"], node.get("alias") or node["name"]
        if (schema, name) not in relations:  # not built (a disabled model, a seed left out)
            continue
        kind, comment = relations[(schema, name)]
        relation = f"{quoted_identifier(schema)}.{quoted_identifier(name)}"
        if node.get("description") and node["description"] != comment:
            statements.append(f"COMMENT ON {kind} {relation} IS {_literal(node['description'])}")
        for column in node.get("columns", {}).values():
            key = (schema, name, column["name"])
            if column.get("description") and key in columns and column["description"] != columns[key]:
                target = f"{relation}.{quoted_identifier(column['name'])}"
                statements.append(f"COMMENT ON COLUMN {target} IS {_literal(column['description'])}")
    return statements


def write_descriptions(warehouse: Path, manifest: dict) -> int:
    """Write the descriptions of ``manifest`` (dbt's, as a dict) into ``warehouse``; how many
    comments were written."""
    with duckdb.connect(str(warehouse)) as con:
        relations = {
            (schema, name): (kind, comment)
            for schema, name, kind, comment in con.execute(
                "SELECT schema_name, table_name, 'TABLE', comment FROM duckdb_tables() WHERE NOT internal "
                "UNION ALL SELECT schema_name, view_name, 'VIEW', comment FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
        columns = {
            (schema, name, column): comment
            for schema, name, column, comment in con.execute(
                "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()"
            ).fetchall()
        }
        statements = _comment_statements(manifest, relations, columns)
        if statements:
            con.execute("BEGIN TRANSACTION")
            for statement in statements:
                con.execute(statement)
            con.execute("COMMIT")
    return len(statements)
