"""Tables into statements: titles, continuation pieces across pages, header layout."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.extraction.grid import (
    Layout,
    Piece,
    column_roles,
    columns_compatible,
    count_header_rows,
    header_paths,
    make_piece,
    same_outline,
)
from pipelines.extraction.numbers import find_unit
from pipelines.extraction.pdf import RawTable
from pipelines.extraction.registry import classify_title, find_title
from pipelines.extraction.text import compact

# Forms rather than grids: their inner columns change from page to page.
FORM_STATEMENTS = {"performance_targets"}
_EMPTY_NOTE = re.compile(r"本表(本年)?无(发生额|数据|内容)|无此项|本(部门|单位)无")
# Words in the first rows that identify a table printed without a title.
_HEADER_SIGNATURES: list[tuple[str, str]] = [
    ("机关运行经费支出", "operating_costs"),
    ("采购品目", "procurement"),
    ("三公", "three_public"),
    ("绩效目标", "performance_targets"),
]


@dataclass
class StatementTable:
    """One printed statement, possibly spread over several tables and pages."""

    statement: str
    title: str | None
    unit: str | None
    pieces: list[Piece]
    layout: Layout
    empty_note: bool = False

    @property
    def master(self) -> RawTable:
        return self.pieces[0].table

    @property
    def pages(self) -> list[int]:
        return sorted({p.table.page for p in self.pieces})


def _row_key(cells: list[str]) -> str:
    return compact("".join(cells))


def _by_header_signature(table: RawTable) -> tuple[str, str] | None:
    head = compact("".join("".join(row) for row in table.texts[:3]))
    first_row = compact("".join(table.texts[0])) if table.texts else ""
    statement = classify_title(first_row)
    if statement:
        return first_row, statement
    for word, name in _HEADER_SIGNATURES:
        if word in head:
            return "", name
    return None


def _new_statement(table: RawTable, found: tuple[str, str] | None, unit: str | None) -> StatementTable:
    header_rows = count_header_rows(table)
    paths = header_paths(table, header_rows)
    piece = make_piece(table, table.cols)
    piece.first_body_row = header_rows
    layout = Layout(header_rows=header_rows, paths=paths)
    statement = StatementTable(
        statement=found[1] if found else "unknown",
        title=(found[0] or None) if found else None,
        unit=unit,
        pieces=[piece],
        layout=layout,
    )
    return statement


def _continue(statement: StatementTable, table: RawTable) -> None:
    piece = make_piece(table, statement.master.cols)
    header_keys = {_row_key(row) for row in statement.master.texts[: statement.layout.header_rows]}
    skip = 0
    while skip < table.n_rows and _row_key(piece.texts[skip]) in header_keys | {""}:
        skip += 1
    piece.first_body_row = skip
    statement.pieces.append(piece)


def assemble(tables: list[RawTable]) -> list[StatementTable]:
    """Group camelot tables into statements, in document order."""
    statements: list[StatementTable] = []
    previous: RawTable | None = None
    for table in tables:
        found = find_title(table.context)
        first_on_page = previous is None or previous.page != table.page
        if found is None and first_on_page and previous is not None and previous.page == table.page - 1:
            found = find_title(previous.trailing)
        unit = find_unit(" ".join(table.context))
        current = statements[-1] if statements else None
        adjacent = current is not None and 0 <= table.page - current.pieces[-1].table.page <= 1
        compatible = adjacent and (
            columns_compatible(table, current.master.cols)
            or (current.statement in FORM_STATEMENTS and same_outline(table, current.master))
        )
        repeated_page_header = (
            found is not None
            and current is not None
            and found[1] == current.statement
            and table.page == current.pieces[-1].table.page + 1
            and compatible
            and table.n_rows > 0
            and _row_key(table.texts[0]) == _row_key(current.master.texts[0])
        )
        # A note such as 本表本年无发生额 is printed under its table: in the context
        # of the next table on the page, or in the page's trailing lines.
        if current is not None and _EMPTY_NOTE.search(compact(" ".join(table.context))):
            current.empty_note = True
        if (found is None and unit is None and compatible) or repeated_page_header:
            _continue(current, table)
        else:
            statements.append(_new_statement(table, found or _by_header_signature(table), unit))
        if _EMPTY_NOTE.search(compact(" ".join(table.trailing))):
            statements[-1].empty_note = True
        previous = table

    for statement in statements:
        body = [row for piece in statement.pieces for row in piece.texts[piece.first_body_row :]]
        statement.layout.roles = column_roles(statement.layout.paths, body)
        if any(_EMPTY_NOTE.search(compact(cell)) for row in body for cell in row):
            statement.empty_note = True
    return statements
