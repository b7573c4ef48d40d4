"""The YAML descriptions become DuckDB comments: relations and columns that exist, quotes kept."""

from __future__ import annotations

import duckdb

from pipelines.orchestration.descriptions import write_descriptions


def _node(kind: str, schema: str, name: str, description: str, columns: dict[str, str]) -> dict:
    return {
        "resource_type": kind,
        "schema": schema,
        "name": name,
        "alias": name,
        "description": description,
        "columns": {column: {"name": column, "description": text} for column, text in columns.items()},
    }


QUOTED = "Yuan, as '元' says"
MANIFEST = {
    "nodes": {
        "model.p.facts": _node(
            "model", "marts", "facts", "One row per printed amount.", {"amount": "Yuan, as '元' says"}
        ),
        "model.p.recent": _node("model", "staging", "recent", "The newest rows.", {"amount": "Yuan.", "gone": "x"}),
        "seed.p.unit": _node("seed", "seeds", "unit", "Units.", {"unit": "万元 or 元."}),
        "model.p.never_built": _node("model", "marts", "never_built", "Not in the warehouse.", {"a": "b"}),
        "test.p.unique_facts_amount": _node("test", "marts", "unique_facts_amount", "a test", {}),
    }
}


def _warehouse(tmp_path, sql: str):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(sql)
    return warehouse


def test_every_existing_relation_and_column_gets_its_description(tmp_path):
    warehouse = _warehouse(
        tmp_path,
        "CREATE SCHEMA marts; CREATE SCHEMA staging; CREATE SCHEMA seeds;"
        "CREATE TABLE marts.facts (amount DECIMAL(18,2), undescribed INTEGER);"
        "CREATE VIEW staging.recent AS SELECT amount FROM marts.facts;"
        "CREATE TABLE seeds.unit (unit VARCHAR)",
    )
    written = write_descriptions(warehouse, MANIFEST)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
            "WHERE schema_name IN ('marts', 'staging', 'seeds') ORDER BY ALL"
        ).fetchall()
        relations = con.execute(
            "SELECT schema_name, table_name, comment FROM duckdb_tables() "
            "UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() WHERE NOT internal ORDER BY ALL"
        ).fetchall()
    assert columns == [
        ("marts", "facts", "amount", QUOTED),
        ("marts", "facts", "undescribed", None),
        ("seeds", "unit", "unit", "万元 or 元."),
        ("staging", "recent", "amount", "Yuan."),
    ]
    assert relations == [
        ("marts", "facts", "One row per printed amount."),
        ("seeds", "unit", "Units."),
        ("staging", "recent", "The newest rows."),
    ]
    assert written == 6  # 3 relations, 3 columns: nothing for what the warehouse lacks


def test_writing_again_replaces_the_comments(tmp_path):
    warehouse = _warehouse(tmp_path, "CREATE SCHEMA marts; CREATE TABLE marts.facts (amount DECIMAL(18,2))")
    write_descriptions(warehouse, MANIFEST)
    changed = {"nodes": {"model.p.facts": _node("model", "marts", "facts", "Reworded.", {"amount": "In yuan."})}}
    write_descriptions(warehouse, changed)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'facts'").fetchone() == (
            "Reworded.",
        )
        assert con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'facts'").fetchone() == (
            "In yuan.",
        )


def test_only_a_replaced_relation_is_written_again(tmp_path):
    """A build replaces some tables, which lose their comments; the others keep theirs."""
    warehouse = _warehouse(
        tmp_path,
        "CREATE SCHEMA marts; CREATE SCHEMA seeds;"
        "CREATE TABLE marts.facts (amount DECIMAL(18,2)); CREATE TABLE seeds.unit (unit VARCHAR)",
    )
    assert write_descriptions(warehouse, MANIFEST) == 4
    assert write_descriptions(warehouse, MANIFEST) == 0
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE OR REPLACE TABLE marts.facts (amount DECIMAL(18,2))")
    assert write_descriptions(warehouse, MANIFEST) == 2  # the table and its column
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'facts'").fetchone() == (
            "One row per printed amount.",
        )
