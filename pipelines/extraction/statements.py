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
from pipelines.extraction.numbers import find_header_unit, find_unit, is_amount
from pipelines.extraction.pdf import RawTable
from pipelines.extraction.registry import classify_title, find_title, is_caption
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
# Income only a department's own summary lists; the appropriation summary lists
# appropriations alone (一般公共预算 / 政府性基金 / 国有资本经营).
_OWN_INCOME = re.compile(r"事业收入|经营收入|其他收入|上级补助收入|附属单位上缴收入|财政专户|单位资金")
_APPROPRIATION_INCOME = re.compile(r"一般公共预算|政府性基金|国有资本经营|财政拨款|预算拨款")
_INCOME_HEADER = re.compile(r"^(本年)?收入$")
_EXPENDITURE_HEADER = re.compile(r"^(本年)?支出$")
# The summaries a standard set prints once, first: recognised by their header alone,
# a later table with the same header (a 政府性基金 or 国有资本 table prints the
# 支出总表's columns) is not taken for a second one.
_ONCE_BY_HEADER = {
    "income_expenditure_summary",
    "fiscal_appropriation_summary",
    "income_summary",
    "expenditure_summary",
}


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

    @property
    def printed_unit(self) -> str | None:
        """The unit printed with the statement, above it or inside its header rows;
        None when it prints none."""
        header = self.master.texts[: self.layout.header_rows]
        return self.unit or find_header_unit(" ".join(cell for row in header for cell in row))


def _row_key(cells: list[str]) -> str:
    return compact("".join(cells))


def caption_rows(table: RawTable) -> int:
    """Rows at the top of a ruled frame that print the title or the unit line (some
    templates draw the frame around them): the header starts below them."""
    count = 0
    for row in table.texts:
        texts = {compact(cell) for cell in row} - {""}
        if len(texts) > 1 or (texts and not is_caption(texts.pop())):
            break
        count += 1
    return count if count < table.n_rows else 0


def _caption_lines(table: RawTable, captions: int) -> list[str]:
    return [compact("".join(row)) for row in table.texts[:captions] if compact("".join(row))]


def _by_header_signature(table: RawTable, first_row: int) -> tuple[str, str] | None:
    """The statement a table without a title is, from its header vocabulary and row labels."""
    header_rows = count_header_rows(table)
    first_row_text = compact("".join(table.texts[first_row])) if first_row < table.n_rows else ""
    statement = classify_title(first_row_text) if is_caption(first_row_text) else None
    if statement:
        return first_row_text, statement
    head = compact("".join("".join(row) for row in table.texts[first_row : first_row + 3]))
    for word, name in _HEADER_SIGNATURES:
        if word in head:
            return "", name
    header = [[compact(cell) for cell in row] for row in table.texts[first_row:header_rows]]
    labels = " ".join(
        compact(cell) for row in table.texts[header_rows:] for cell in row if compact(cell) and not is_amount(cell)
    )
    statement = _by_vocabulary(header, labels)
    return ("", statement) if statement else None


def _by_vocabulary(header: list[list[str]], labels: str) -> str | None:
    """收入 beside 支出 is a summary (its own income or appropriations only); 科目 with
    基本支出 and 项目支出 the expenditure summary; 人员经费 with 公用经费 a basic-expenditure
    table; 本年收入 or own income without 支出 the income summary."""
    words = " ".join(cell for row in header for cell in row if cell)
    side_by_side = any(
        any(_INCOME_HEADER.match(cell) for cell in row) and any(_EXPENDITURE_HEADER.match(cell) for cell in row)
        for row in header
    )
    if side_by_side:
        if _OWN_INCOME.search(labels):
            return "income_expenditure_summary"
        return "fiscal_appropriation_summary" if _APPROPRIATION_INCOME.search(labels) else None
    if all(word in words for word in ("基本支出", "项目支出", "科目")):
        return "expenditure_summary"
    if "人员经费" in words and "公用经费" in words:
        return "basic_expenditure_by_economic_class"
    if "收入" in words and "支出" not in words and ("本年收入" in words or _OWN_INCOME.search(words)):
        return "income_summary"
    return None


def _new_statement(
    table: RawTable, found: tuple[str, str] | None, unit: str | None, captions: int = 0
) -> StatementTable:
    header_rows = count_header_rows(table)
    paths = header_paths(table, header_rows, first_row=min(captions, header_rows))
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
        captions = caption_rows(table)
        above = table.context + _caption_lines(table, captions)
        found = find_title(above)
        first_on_page = previous is None or previous.page != table.page
        if found is None and first_on_page and previous is not None and previous.page == table.page - 1:
            found = find_title(previous.trailing)
        unit = find_unit(" ".join(above))
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
            if found is None:
                found = _by_header_signature(table, captions)
                if found and found[1] in _ONCE_BY_HEADER and any(s.statement == found[1] for s in statements):
                    found = None
            statements.append(_new_statement(table, found, unit, captions))
        if _EMPTY_NOTE.search(compact(" ".join(table.trailing))):
            statements[-1].empty_note = True
        previous = table

    for statement in statements:
        body = [row for piece in statement.pieces for row in piece.texts[piece.first_body_row :]]
        statement.layout.roles = column_roles(statement.layout.paths, body)
        if any(_EMPTY_NOTE.search(compact(cell)) for row in body for cell in row):
            statement.empty_note = True
    return statements
