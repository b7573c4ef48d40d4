"""The period each printed amount refers to, as a closed vocabulary.

Tables print other periods beside the budget year's figures: the previous year's
column (``上年执行数``, ``2025年预算数`` in a 2026 budget), the change between the two
(``增减变化情况``), or the same per row (a "三公" table may print ``2021年``,
``2022年`` and ``增减变化金额`` rows under each unit).  Only the budget year's amounts
may be summed into the budget year's figures, so every line carries its period.

- ``budget_year``: the document's fiscal year (in final accounts, the year accounted
  for; its 预算数 / 决算数 columns differ in measure, ``…:决算数``, not in period);
- ``previous_year``: an earlier year's figure (a year before the fiscal year, 上年…数);
- ``change``: a difference between two periods (增减, 比上年增减);
- ``carried_over``: money brought forward from earlier years, printed apart from the
  budget year's own figures: a 上年结转 / 上年结余 / 年初结转 column, or a table of the
  spending of carried-over funds (财政拨款结转资金支出表).  Those columns are already
  inside the 合计 printed beside them, so adding them to budget-year lines would count
  them twice.  A *row* labelled 上年结转 (the income line of the 收支总表) stays
  ``budget_year``: it is one of the budget year's sources, summed into 收入总计;
- ``other_year``: a year after the fiscal year, which a correctly dated document
  does not print: kept out of the budget year rather than guessed.

The period comes from the column's header (read unstripped: the grid drops a leading
``2021年`` from header texts), from the statement's title, and from row labels that
name only a period; such a label is taken out of the item name, and a row left
without a label belongs to the labelled row above it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from pipelines.extraction.grid import region_text
from pipelines.extraction.text import compact

if TYPE_CHECKING:
    from pipelines.extraction.lines import BudgetLine
    from pipelines.extraction.statements import StatementTable

BUDGET_YEAR = "budget_year"
PREVIOUS_YEAR = "previous_year"
CHANGE = "change"
CARRIED_OVER = "carried_over"
OTHER_YEAR = "other_year"
PERIODS = (BUDGET_YEAR, PREVIOUS_YEAR, CHANGE, CARRIED_OVER, OTHER_YEAR)

# Header words, tried in this order: 比上年增减 is a change, 上年结转 a carry-over,
# 上年执行数 the previous year.
_CHANGE = re.compile(r"增减|比上年|较上年|同比")
_CARRIED_OVER = re.compile(r"上年(度)?结[转余]|上年.*余额|年初结[转余]")
_PREVIOUS = re.compile(r"^上年(度)?")
_CURRENT = re.compile(r"^本年(度)?")
_YEAR = re.compile(r"(\d{4})年")
# A title naming a table of the spending of carried-over funds.
_CARRIED_OVER_TITLE = re.compile(r"结转(和结余)?(资金)?支出")
# Row labels that name nothing but a period.
_PERIOD_LABEL = re.compile(
    r"^(?:(?P<year>\d{4})年度?|(?P<previous>上年度?)|(?P<current>本年度?))"
    r"(?:预算|执行|决算|预计执行|预算执行)?数?$"
    r"|^(?P<change>(?:比上年|较上年|同比)?增减(?:变化|变动)?(?:金额|额|数|情况|率|%)?)$"
)


def _year_period(year: int, fiscal_year: int) -> str:
    if year == fiscal_year:
        return BUDGET_YEAR
    return PREVIOUS_YEAR if year < fiscal_year else OTHER_YEAR


def header_period(text: str, fiscal_year: int) -> str | None:
    """The period one header text names, or None when it names none."""
    text = compact(text)
    if _CHANGE.search(text):
        return CHANGE
    if _CARRIED_OVER.search(text):
        return CARRIED_OVER
    if _PREVIOUS.search(text):
        return PREVIOUS_YEAR
    if _CURRENT.search(text):
        return BUDGET_YEAR
    year = _YEAR.search(text)
    return _year_period(int(year.group(1)), fiscal_year) if year else None


def column_period(path: list[str], fiscal_year: int) -> str | None:
    """A column's period from its header texts, top-down: the deepest one naming a
    period decides (``2022年预算 | 上年结余、结转`` is carried over)."""
    found = None
    for text in path:
        found = header_period(text, fiscal_year) or found
    return found


def label_period(label: str, fiscal_year: int) -> str | None:
    """The period a row label names when it names nothing else (``2021年``, ``增减变化金额``)."""
    match = _PERIOD_LABEL.match(compact(label))
    if not match:
        return None
    if match.group("change"):
        return CHANGE
    if match.group("previous"):
        return PREVIOUS_YEAR
    if match.group("current"):
        return BUDGET_YEAR
    return _year_period(int(match.group("year")), fiscal_year)


def _column_periods(statement: StatementTable, fiscal_year: int) -> dict[int, str | None]:
    """Period of every master column, from the header texts as printed."""
    master = statement.master
    rows = range(statement.layout.header_rows)
    return {
        col: column_period([region_text(master, row, col) for row in rows], fiscal_year) for col in range(master.n_cols)
    }


def assign_periods(statement: StatementTable, lines: list[BudgetLine], fiscal_year: int) -> list[BudgetLine]:
    """The lines of one statement with their period, and period labels out of item names."""
    if not lines:
        return lines
    table_period = CARRIED_OVER if statement.title and _CARRIED_OVER_TITLE.search(compact(statement.title)) else None
    columns = _column_periods(statement, fiscal_year)
    pieces = {piece.table.index: piece for piece in statement.pieces}
    result: list[BudgetLine] = []
    row_label: tuple[str | None, str] | None = None  # (code, name) of the last labelled row
    for line in lines:
        piece = pieces[line.source_table]
        period = columns[piece.col_map[line.source_col][0]] or table_period
        names = line.item_name.split("/")
        kept = [name for name in names if label_period(name, fiscal_year) is None]
        labelled = [label_period(name, fiscal_year) for name in names if name not in kept]
        if labelled:
            period = labelled[-1]  # a row that names its period says it for each of its cells
            code, name = line.item_code, "/".join(kept)
            if not code and not name and row_label is not None:
                code, name = row_label  # the period rows under one unit's label
            line = replace(line, item_code=code, item_name=name)
        if line.item_code or line.item_name:
            row_label = (line.item_code, line.item_name)
        result.append(replace(line, period=period or BUDGET_YEAR))
    return result
