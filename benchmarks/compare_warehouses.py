"""Compare two warehouses table by table, row for row: are they the same data?

    python benchmarks/compare_warehouses.py A.duckdb B.duckdb [--schemas marts,raw]

For a change that must not change behaviour (a refactoring, a dependency
upgrade): build the warehouse from the same raw/ before and after, then compare.
Each table is compared as a multiset of rows (order does not matter, duplicates
do), leaving out TIMESTAMP columns, which say when a run loaded or built a row,
not what the row holds. Prints one line per table and exits 1 when any differs.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

SHOWN_ROWS = 3  # differing rows printed per side


def tables(con: duckdb.DuckDBPyConnection, catalog: str, schemas: list[str]) -> dict[str, list[tuple[str, str]]]:
    """``schema.table`` → [(column, type)] in column order."""
    rows = con.execute(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = ? AND list_contains(?, table_schema) "
        "ORDER BY table_schema, table_name, ordinal_position",
        [catalog, schemas],
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        found.setdefault(f"{schema}.{table}", []).append((column, data_type))
    return found


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class TableDifference:
    rows_a: int
    rows_b: int
    only_a: int  # rows of A that B lacks (counting duplicates)
    only_b: int
    sample_a: list[tuple]
    sample_b: list[tuple]


def compare_table(con: duckdb.DuckDBPyConnection, name: str, columns: list[str]) -> TableDifference:
    """The rows of table ``name`` in catalogs a and b, compared over ``columns``."""
    schema, table = name.split(".", 1)
    select = ", ".join(_quoted(c) for c in columns)
    a = f"SELECT {select} FROM a.{_quoted(schema)}.{_quoted(table)}"
    b = f"SELECT {select} FROM b.{_quoted(schema)}.{_quoted(table)}"

    def count(sql: str) -> int:
        return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]

    only_a, only_b = count(f"{a} EXCEPT ALL {b}"), count(f"{b} EXCEPT ALL {a}")
    return TableDifference(
        rows_a=count(a),
        rows_b=count(b),
        only_a=only_a,
        only_b=only_b,
        sample_a=con.execute(f"{a} EXCEPT ALL {b} LIMIT {SHOWN_ROWS}").fetchall() if only_a else [],
        sample_b=con.execute(f"{b} EXCEPT ALL {a} LIMIT {SHOWN_ROWS}").fetchall() if only_b else [],
    )


def compare(path_a: Path, path_b: Path, schemas: list[str]) -> bool:
    con = duckdb.connect()
    for alias, path in (("a", path_a), ("b", path_b)):
        literal = str(path).replace("'", "''")
        con.execute(f"ATTACH '{literal}' AS {alias} (READ_ONLY)")
    in_a, in_b = tables(con, "a", schemas), tables(con, "b", schemas)
    print(f"A: {path_a}\nB: {path_b}\nschemas: {', '.join(schemas)}")
    same = True
    for name in sorted(in_a.keys() | in_b.keys()):
        if name not in in_b or name not in in_a:
            print(f"  DIFFERS    {name}: only in {'A' if name in in_a else 'B'}")
            same = False
            continue
        if in_a[name] != in_b[name]:
            print(f"  DIFFERS    {name}: columns A {in_a[name]} ≠ B {in_b[name]}")
            same = False
            continue
        columns = [c for c, t in in_a[name] if not t.startswith("TIMESTAMP")]
        ignored = [c for c, t in in_a[name] if t.startswith("TIMESTAMP")]
        diff = compare_table(con, name, columns)
        note = f" (ignoring {', '.join(ignored)})" if ignored else ""
        if diff.only_a or diff.only_b:
            same = False
            print(
                f"  DIFFERS    {name}: {diff.rows_a} rows in A, {diff.rows_b} in B; "
                f"{diff.only_a} only in A, {diff.only_b} only in B{note}"
            )
            for side, sample in (("A", diff.sample_a), ("B", diff.sample_b)):
                for row in sample:
                    print(f"      only in {side}: {row}")
        else:
            print(f"  identical  {name}: {diff.rows_a} rows{note}")
    print("same data in every table" if same else "the warehouses differ")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--schemas", default="marts,raw", help="comma-separated (default: marts,raw)")
    args = parser.parse_args(argv)
    for path in (args.a, args.b):
        if not path.is_file():
            print(f"compare_warehouses: no warehouse at {path}", file=sys.stderr)
            return 2
    return 0 if compare(args.a.resolve(), args.b.resolve(), args.schemas.split(",")) else 1


if __name__ == "__main__":
    sys.exit(main())
