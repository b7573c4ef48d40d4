"""A headline is published only when it reconciles with the figures printed beside it.

``pick_headlines`` says which printed line each metric is; this gate checks every
candidate against the identity that ties it to its neighbours and keeps out of the
headlines any candidate that breaks it.  A wrong headline is the worst outcome, an
absent one is honest.  Each withheld candidate leaves a check with status
``withheld`` and its reason (checks.parquet → ``marts.reconciliation``).

The identity of each metric:

- every headline is a budget-year amount (periods.py);
- basic / project / reserve expenditure: its row adds up, total = basic + project
  (+ reserve, carry-over and the other expenditure columns printed).  A candidate
  printed on a row without its total is checked with the other split candidates
  against the summary's expenditure totals; with neither printed it is withheld;
- total_income = total_expenditure when both are read (one alone is published:
  nothing printed contradicts it);
- three_public_total = 因公出国 + 公务接待 + 公务用车 printed beside it (on its row, of
  the same fund source where each item is split by source, or in its column when the
  table lists the items by row), read in the unit printed with its table: documents
  print this one table in another unit than the rest;
- function:NNN: a function class (2xx) of the general-public-budget table by
  function, never of a table that also spends other funds (政府性基金, 单位资金 …).

Rounding: a candidate whose own identity is off by no more than the printed
rounding (identities.py: 0.01 of the printed unit per summed figure) is published,
as printed: a 支出总表 whose basic + project add to 10,737.68 万元 against a printed
total of 10,737.69, with a 尾数误差 note under the table.  Beyond
that the candidate is withheld, even if the document printed the break itself,
because it cannot then be told from a misread figure.  Breaks between statements
(the same figure printed differently in two tables) never withhold a headline:
``identities.run_checks`` lists them as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from pipelines.extraction.headline import Headline
from pipelines.extraction.identities import (
    PASS,
    CheckResult,
    expenditure_splits,
    is_final_figure,
    make_check,
    summary_balances,
    three_public_sum,
)
from pipelines.extraction.lines import BudgetLine, fund_source
from pipelines.extraction.measures import base_measure
from pipelines.extraction.periods import BUDGET_YEAR
from pipelines.extraction.statements import StatementTable
from pipelines.extraction.text import strip_ordinal

_SPLIT_METRICS = ("basic_expenditure", "project_expenditure", "reserve_expenditure")
_SUMMARY_EXPENDITURE_TOTALS = {"本年支出合计", "当年支出小计", "支出合计", "支出总计", "总计"}
_FUNCTION_TABLE = "general_budget_expenditure_by_function"
# Columns of funds other than the general public budget: a table printing them is of all funds.
_OTHER_FUNDS = {
    "government_fund",
    "state_capital",
    "special_account_funds",
    "unit_funds",
    "other_funds",
    "business_income",
    "operating_income",
    "other_income",
    "superior_subsidy_income",
    "affiliated_remittance_income",
}


@dataclass(frozen=True)
class PrintedTable:
    """What the gate needs to know of the table a line was read from."""

    statement: int  # the printed statement it belongs to, by its order in the document
    unit: str | None  # the unit printed with that statement; None when it prints none


def printed_tables(statements: list[StatementTable]) -> dict[int, PrintedTable]:
    """Per table index: its statement, and the unit printed with it, above it or inside its
    header rows (``金额单位：万元`` printed in a header cell)."""
    tables: dict[int, PrintedTable] = {}
    for number, statement in enumerate(statements):
        for piece in statement.pieces:
            tables[piece.table.index] = PrintedTable(number, statement.printed_unit)
    return tables


def gate_headlines(
    candidates: list[Headline], lines: list[BudgetLine], tables: dict[int, PrintedTable]
) -> tuple[list[Headline], list[CheckResult]]:
    """The candidates that reconcile, and a withheld check for each one that does not."""
    published: list[Headline] = []
    withheld: list[CheckResult] = []
    for headline in candidates:
        broken = [r for r in _identities(headline, candidates, lines, tables) if r.status != PASS]
        if broken:
            withheld.extend(
                replace(r, check=f"headline_{r.check}", subject=f"{headline.metric}: {r.subject}", withheld=True)
                for r in broken
            )
        else:
            published.append(headline)
    return published, withheld


def _refused(check: str, headline: Headline, reason: str) -> CheckResult:
    """A candidate withheld for what it is, not for a sum: nothing to compare."""
    line = headline.line
    return CheckResult(
        check,
        line.statement,
        reason,
        headline.value_yuan,
        headline.value_yuan,
        Decimal(0),
        line.source_page,
        line.source_row,
        withheld=True,
    )


def _identities(
    headline: Headline, candidates: list[Headline], lines: list[BudgetLine], tables: dict[int, PrintedTable]
) -> list[CheckResult]:
    line = headline.line
    if line.period != BUDGET_YEAR:
        return [_refused("period", headline, f"a {line.period} amount, not the budget year's")]
    if headline.metric in _SPLIT_METRICS:
        return _expenditure_split(headline, candidates, lines)
    if headline.metric in ("total_income", "total_expenditure"):
        return summary_balances(candidates)
    if headline.metric == "three_public_total":
        return _three_public(headline, lines, tables)
    if headline.metric.startswith("function:"):
        return _function_class(headline, candidates, lines, tables)
    return []


def _same_row(line: BudgetLine, lines: list[BudgetLine]) -> list[BudgetLine]:
    return [
        l
        for l in lines
        if (l.source_table, l.source_row, l.period) == (line.source_table, line.source_row, line.period)
    ]


def _expenditure_split(headline: Headline, candidates: list[Headline], lines: list[BudgetLine]) -> list[CheckResult]:
    """total = basic + project (+ …) on the candidate's row; else the split candidates
    against the closest of the summary's expenditure totals."""
    row = _same_row(headline.line, lines)
    on_row = expenditure_splits(row)
    if on_row and on_row[0].status != PASS and headline.metric != "basic_expenditure":
        # The split does not add up, but every column of the row does: a column read as
        # basic is only part of it (人员支出 beside 公用支出); the other parts are confirmed.
        whole = _every_column(row)
        return [whole] if whole.status == PASS else on_row
    if on_row:
        return on_row
    splits = [h for h in candidates if h.metric in _SPLIT_METRICS]
    totals = [
        l
        for l in lines
        if l.statement == "income_expenditure_summary"
        and l.section != "income"
        and l.budget_unit is None
        and l.period == BUDGET_YEAR
        and strip_ordinal(l.item_name.split("/")[-1]) in _SUMMARY_EXPENDITURE_TOTALS
    ]
    if not totals:
        return [_refused("expenditure_split", headline, "no total printed beside it to add up to")]
    spent = sum((h.value_yuan for h in splits), Decimal(0))
    total = min(totals, key=lambda t: abs(t.amount_yuan - spent))
    return [
        make_check(
            "expenditure_split", total, f"{total.item_name} = Σ split headlines", total.amount_yuan, spent, len(splits)
        )
    ]


def _every_column(row: list[BudgetLine]) -> CheckResult:
    """total = the sum of every other amount printed on the row."""
    total = next(l for l in row if l.measure == "total")
    parts = [l for l in row if base_measure(l.measure) != "total"]
    return make_check(
        "expenditure_split",
        total,
        f"{total.item_name}: every column",
        total.amount_yuan,
        sum((p.amount_yuan for p in parts), Decimal(0)),
        len(parts),
    )


def _three_public(headline: Headline, lines: list[BudgetLine], tables: dict[int, PrintedTable]) -> list[CheckResult]:
    line = headline.line
    printed = tables[line.source_table].unit
    if printed is None:
        return [_refused("three_public_unit", headline, "no unit printed with its table")]
    if printed != line.printed_unit:
        return [_refused("three_public_unit", headline, f"read in {line.printed_unit}, its table prints {printed}")]
    # the parts printed beside it: of the same kind of figure and, in a table splitting each
    # item by fund source, of the same source
    row = [
        l
        for l in _same_row(line, lines)
        if is_final_figure(l) == is_final_figure(line) and fund_source(l.measure) == fund_source(line.measure)
    ]
    column = [
        l
        for l in lines
        if l.statement == line.statement
        and l.measure == line.measure
        and l.period == line.period
        and l.budget_unit == line.budget_unit
    ]
    result = three_public_sum(line, row, by_label=False) or three_public_sum(line, column, by_label=True)
    if result is None:
        return [_refused("three_public_parts", headline, "no 因公出国 / 公务接待 / 公务用车 printed beside it")]
    return [result]


def _function_class(
    headline: Headline, candidates: list[Headline], lines: list[BudgetLine], tables: dict[int, PrintedTable]
) -> list[CheckResult]:
    """A 2xx class from the total column of the general-public-budget table by function,
    printed once at the department's level of that table."""
    line = headline.line
    code = headline.metric.split(":")[1]
    if line.statement != _FUNCTION_TABLE:
        return [
            _refused(
                "function_table", headline, f"from {line.statement}, not the general-public-budget table by function"
            )
        ]
    if not (len(code) == 3 and code.startswith("2")):
        return [_refused("function_table", headline, f"{code} is not a function class (2xx)")]
    statement = tables[line.source_table].statement
    table = [l for l in lines if tables[l.source_table].statement == statement]
    measures = {base_measure(l.measure) for l in table}
    if other_funds := sorted(measures & _OTHER_FUNDS):
        return [_refused("function_table", headline, f"its table also spends {', '.join(other_funds)}")]
    if base_measure(line.measure) != "total" and "total" in measures:
        # the row's 合计 cell was not read: another column is a part of the class, not its total
        return [_refused("function_table", headline, f"from the {line.measure} column, not the table's 合计")]
    printed = [
        l
        for l in table
        if l.item_code == code and l.measure == line.measure and l.budget_unit is None and l.period == BUDGET_YEAR
    ]
    if len(printed) > 1:
        return [
            _refused(
                "function_table",
                headline,
                f"{code} is printed {len(printed)} times in its table: "
                "rows of its units, none told apart as the department's",
            )
        ]
    return []
