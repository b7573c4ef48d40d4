"""BI connectivity: the published copy through SQLAlchemy and duckdb-engine, as Superset connects.

Every named query of docs/queries.sql runs over that connection (read-only, like a
BI tool's) and returns rows with the columns the query names.
"""

from __future__ import annotations

import re

import duckdb
import pytest
import sqlalchemy
from sqlalchemy import create_engine, inspect, text

from tests.integration.test_queries import EXPECTED_QUERIES, QUERIES


def select_columns(sql: str) -> list[str]:
    """The output column names of a query's outer SELECT list (`x as name`, or `table.column`)."""
    body = re.sub(r"--[^\n]*", "", sql)
    select_list = re.search(r"^select\s+(.*?)^from\s", body, flags=re.IGNORECASE | re.MULTILINE | re.DOTALL).group(1)
    parts, depth, current = [], 0, ""
    for char in select_list:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [re.split(r"\s+as\s+|\.", part.strip(), flags=re.IGNORECASE)[-1].strip() for part in parts]


@pytest.fixture(scope="module")
def native_rows(sample_warehouse) -> dict[str, list[tuple]]:
    """Each query's rows from DuckDB's own client, read before the engine opens the file
    (one process cannot hold the same file open with two configurations)."""
    with duckdb.connect(str(sample_warehouse.published), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in QUERIES.items()}


@pytest.fixture(scope="module")
def engine(sample_warehouse, native_rows):
    # The URI a Superset user types, opened read-only as docs/bi.md says.
    engine = create_engine(f"duckdb:///{sample_warehouse.published}", connect_args={"read_only": True})
    yield engine
    engine.dispose()


def test_the_marts_are_visible(engine):
    inspector = inspect(engine)
    assert {"dim_document", "fct_budget_line", "department_year_totals"} <= set(
        inspector.get_table_names(schema="marts")
    )


@pytest.mark.parametrize("name", sorted(EXPECTED_QUERIES))
def test_named_query_through_sqlalchemy(engine, native_rows, name):
    with engine.connect() as connection:
        result = connection.execute(text(QUERIES[name]))
        columns = list(result.keys())
        rows = [tuple(row) for row in result.fetchall()]
    assert columns == select_columns(QUERIES[name])
    assert rows and all(len(row) == len(columns) for row in rows)
    # the same rows, and the same exact types (Decimal amounts), as DuckDB's own client returns
    assert rows == native_rows[name]


def test_the_connection_is_read_only(engine):
    with engine.connect() as connection, pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
        connection.execute(text("CREATE TABLE marts.scratch (x INTEGER)"))
