"""dbt's declaration of the raw tables (``dbt/models/staging/_sources.yml``), written from
schemas/tables.py so that each column is described once.

    python -m schemas.dbt_sources

A unit test fails when the file is not what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from schemas.tables import RAW_TABLES, Column

SOURCES_YML = Path(__file__).resolve().parents[1] / "dbt" / "models" / "staging" / "_sources.yml"
HEADER = "# Generated from schemas/tables.py by `python -m schemas.dbt_sources`: edit the declaration there.\n"


class _Dumper(yaml.SafeDumper):
    """dbt's usual layout: list items indented under their key, quotes only where needed."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Double quotes read better than doubled single quotes around 'budget' and the like.
    style = '"' if "'" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _source_column(column: Column) -> dict:
    entry: dict = {"name": column.name, "description": column.description}
    if column.dbt_tests:
        entry["data_tests"] = list(column.dbt_tests)
    return entry


def dbt_sources() -> str:
    """The text ``_sources.yml`` must hold."""
    source = {
        "name": "raw",
        "description": "Tables written by the Python loader (pipelines/) into schema `raw` of the same "
        "DuckDB warehouse. dbt never writes to them; staging models only rename and cast.",
        "schema": "raw",
        "tables": [
            {
                "name": table.name,
                "description": table.description,
                "columns": [_source_column(column) for column in table.columns],
            }
            for table in RAW_TABLES
        ],
    }
    body = yaml.dump(
        {"version": 2, "sources": [source]}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )
    return HEADER + body


if __name__ == "__main__":
    SOURCES_YML.write_text(dbt_sources(), encoding="utf-8")
    print(f"wrote {SOURCES_YML}", file=sys.stderr)
