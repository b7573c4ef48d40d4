"""Planting faults in the Futian transcription before it is rendered.

Each function returns a modified deep copy of the tables, so a test renders a
broken document that differs from the good one in exactly one way.
"""

from __future__ import annotations

import copy

from tests.support.renderers.futian import load_tables


def _table(tables: list[dict], number: int) -> dict:
    return next(t for t in tables if t["number"] == number)


def set_cell(number: int, row: int, col: int, text: str, tables: list[dict] | None = None) -> list[dict]:
    """Print ``text`` in one body cell (a wrong amount, garbage in an amount cell)."""
    tables = copy.deepcopy(tables or load_tables())
    table = _table(tables, number)
    table["body_rows"][row][col] = text
    table["wraps"] = [w for w in table["wraps"] if (w["row"], w["col"]) != (row, col)]
    return tables


def drop_row(number: int, row: int, tables: list[dict] | None = None) -> list[dict]:
    """Leave one body row out, as if the page had lost it."""
    tables = copy.deepcopy(tables or load_tables())
    table = _table(tables, number)
    del table["body_rows"][row]
    del table["levels"][row]
    table["wraps"] = [{**w, "row": w["row"] - (w["row"] > row)} for w in table["wraps"] if w["row"] != row]
    table["page_breaks"] = [b - (b > row) for b in table["page_breaks"]]
    return tables


def drop_column(number: int, col: int, tables: list[dict] | None = None) -> list[dict]:
    """Leave one column out of a table whose header cell for it spans no other column."""
    tables = copy.deepcopy(tables or load_tables())
    table = _table(tables, number)
    from tests.support.renderers.futian import COL_WIDTHS

    widths = list(table.get("col_widths") or COL_WIDTHS[number])
    widths[0] += widths.pop(col)
    table["col_widths"] = widths
    table["ncols"] -= 1
    for header in table["header_rows"]:
        header[:] = [{**h, "col": h["col"] - (h["col"] > col)} for h in header if h["col"] != col]
    for cells in table["body_rows"]:
        del cells[col]
    for levels in table["levels"]:
        del levels[col]
    table["wraps"] = [{**w, "col": w["col"] - (w["col"] > col)} for w in table["wraps"] if w["col"] != col]
    return tables


def set_unit(number: int, unit: str, tables: list[dict] | None = None) -> list[dict]:
    """Print the wrong unit line (单位：元 over figures in 万元)."""
    tables = copy.deepcopy(tables or load_tables())
    _table(tables, number)["unit"] = unit
    return tables


def plant_in_output(extract_dir: str, document_id: str, name: str, change) -> None:
    """Change one stored extraction output (``lines.parquet`` …) of an extracted document, as
    output from an extractor that knows more than this warehouse would be: ``change`` takes
    and returns the rows as a DataFrame; the column types stay those of the file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.ingest.handoff import document_dir

    path = document_dir(extract_dir, document_id) / name
    table = pq.read_table(path)
    changed = change(table.to_pandas())
    pq.write_table(pa.Table.from_pandas(changed, schema=table.schema, preserve_index=False), path)
