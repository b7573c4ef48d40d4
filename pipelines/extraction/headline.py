"""Headline figures picked from the parsed lines (so each keeps its provenance).

The rules follow docs/domain.md: grand totals where printed (收入总计 / 支出总计, in final
accounts the 总计 of each side), otherwise 收入合计 / 支出合计; basic and project
expenditure from the 合计 row of the expenditure summary; function classes from
the general-public-budget table by function; "三公" as the budget-year subtotal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipelines.extraction.lines import BudgetLine
from pipelines.extraction.measures import base_measure, three_public_subtotal_measure
from pipelines.extraction.numbers import UNIT_FACTORS
from pipelines.extraction.text import strip_ordinal


@dataclass(frozen=True)
class Headline:
    metric: str
    value_yuan: Decimal
    line: BudgetLine


_TOTAL_INCOME = ["收入总计", "总计", "收入合计", "本年收入合计", "当年收入小计"]
_TOTAL_EXPENDITURE = ["支出总计", "总计", "支出合计", "本年支出合计", "当年支出小计"]
_APPROPRIATION = ["财政拨款", "财政拨款收入", "政府预算拨款", "财政拨款(补助)收入", "预算拨款"]
# Summaries that split appropriations by budget (final accounts; the 2020s national
# template's 一般公共预算拨款收入 / 政府性基金预算拨款收入 / 国有资本经营预算拨款收入)
_GENERAL_APPROPRIATION = [
    "一般公共预算财政拨款收入",
    "一般公共预算财政拨款",
    "一般公共预算拨款收入",
    "一般公共预算拨款",
]
_OTHER_APPROPRIATIONS = [
    "政府性基金预算财政拨款收入",
    "国有资本经营预算财政拨款收入",
    "政府性基金预算拨款收入",
    "国有资本经营预算拨款收入",
    "政府性基金收入",
    "政府性基金拨款",
    "国有资本经营预算收入",
]
_TOTAL_ROWS = ("合计", "总计", "支出总计")
# Statements split into basic and project whose department total row can stand in for
# the expenditure summary's, when it equals the document's total expenditure.
_SPLIT_ELSEWHERE = ("general_budget_expenditure_by_function", "fiscal_appropriation_expenditure_by_function")
_PRINTED_ROUNDING = Decimal("0.01")  # per summed printed figure, in the printed unit
# A 三公 table with the items as rows: the subtotal row, and the rows that are 三公 items.
_THREE_PUBLIC_ROW = re.compile(r"^三公经费(支出)?(预算)?(合计|小计)?(数)?$")
_THREE_PUBLIC_ITEM = re.compile(r"因公出国|出国|公务接待|公务用车|购置费|运行(维护)?费")
_EXPENDITURE_MEASURES = {
    "basic": "basic_expenditure",
    "project": "project_expenditure",
    "reserve": "reserve_expenditure",
}


def _name(line: BudgetLine) -> str:
    return strip_ordinal(line.item_name.split("/")[-1])


def _first_by_name(lines: list[BudgetLine], names: list[str]) -> BudgetLine | None:
    for name in names:
        for line in lines:
            if _name(line) == name:
                return line
    return None


def pick_headlines(lines: list[BudgetLine], final_accounts: bool = False) -> list[Headline]:
    result: list[Headline] = []

    # By-unit tables repeat figures per unit: headlines are the department's own.
    all_lines, lines = lines, [l for l in lines if l.budget_unit is None]
    summary = [l for l in lines if l.statement == "income_expenditure_summary"]
    income = [l for l in summary if l.section == "income"]
    expenditure = [l for l in summary if l.section != "income"]
    total_income = _first_by_name(income, _TOTAL_INCOME)
    total_expenditure = _first_by_name(expenditure, _TOTAL_EXPENDITURE)
    if total_income is None and total_expenditure is not None:
        total_income = _income_summary_total(lines, total_expenditure.amount_yuan)
    for metric, line in (("total_income", total_income), ("total_expenditure", total_expenditure)):
        if line:
            result.append(Headline(metric, line.amount_yuan, line))

    appropriation = _first_by_name(income, _APPROPRIATION)
    if appropriation is None:
        # Appropriations split by budget: take the general-budget line only when the
        # other appropriation lines are blank or zero.
        others = [l for l in income if _name(l) in _OTHER_APPROPRIATIONS and l.amount_yuan != 0]
        if not others:
            appropriation = _first_by_name(income, _GENERAL_APPROPRIATION)
    if appropriation:
        result.append(Headline("fiscal_appropriation_income", appropriation.amount_yuan, appropriation))

    totals = _expenditure_total_row(all_lines, "expenditure_summary")
    if not any(l.measure in _EXPENDITURE_MEASURES for l in totals) and total_expenditure is not None:
        # The summary prints no basic total: another statement's department total row
        # whose total is the document's total expenditure (a by-function table over its units).
        for statement in _SPLIT_ELSEWHERE:
            row = _expenditure_total_row(all_lines, statement)
            if _amount(row, "total") == total_expenditure.amount_yuan:
                totals = row
                break
    for measure, metric in _EXPENDITURE_MEASURES.items():
        line = next((l for l in totals if l.measure == measure), None)
        if line:
            result.append(Headline(metric, line.amount_yuan, line))

    seen: set[str] = set()
    for line in lines:
        if (
            line.statement == "general_budget_expenditure_by_function"
            and line.item_code
            and len(line.item_code) == 3
            and line.measure in ("total", "amount")
            and line.item_code not in seen
        ):
            seen.add(line.item_code)
            result.append(Headline(f"function:{line.item_code}", line.amount_yuan, line))

    three_public = _three_public_total([l for l in lines if l.statement == "three_public"], final_accounts)
    if three_public:
        result.append(Headline("three_public_total", three_public.amount_yuan, three_public))
    return result


def _income_summary_total(lines: list[BudgetLine], total_expenditure: Decimal) -> BudgetLine | None:
    """The income summary's 合计, for a summary whose 收入总计 cell is left blank.

    Taken only when it equals the summary's 支出总计: income and expenditure totals
    of a budget are equal, so the figure is the printed income total, not a guess.
    """
    line = next(
        (
            l
            for l in lines
            if l.statement == "income_summary"
            and not l.item_code
            and _name(l) in ("合计", "总计", "收入总计")
            and l.measure in ("total", "amount")
        ),
        None,
    )
    return line if line is not None and line.amount_yuan == total_expenditure else None


def _expenditure_total_row(lines: list[BudgetLine], statement: str) -> list[BudgetLine]:
    """The department's total row of a statement split into basic and project: its 合计
    row, or where it prints none, the department's own row (see ``_department_total_row``)."""
    rows = [l for l in lines if l.statement == statement]
    totals = [l for l in rows if _name(l) in _TOTAL_ROWS and not l.item_code and l.budget_unit is None]
    return totals or _department_total_row(rows)


def _department_total_row(lines: list[BudgetLine]) -> list[BudgetLine]:
    """The row a summary without a 合计 row prints its total on: the department's own row,
    labelled with its name above its 类 rows.

    It is taken only when it is a total: its amount equals the sum of the 类 rows printed
    under it (each within printed rounding), or the sum of the unit rows that follow it.
    """
    rows: dict[tuple[int, int], list[BudgetLine]] = {}
    for line in lines:
        rows.setdefault((line.source_table, line.source_row), []).append(line)
    ordered = list(rows.values())
    uncoded = [i for i, row in enumerate(ordered) if not row[0].item_code]
    if not uncoded or ordered[uncoded[0]][0].budget_unit is not None:
        return []
    first = uncoded[0]
    total = _amount(ordered[first], "total")
    if total is None:
        return []
    end = uncoded[1] if len(uncoded) > 1 else len(ordered)
    classes = [row for row in ordered[first + 1 : end] if len(row[0].item_code or "") == 3]
    units = [ordered[i] for i in uncoded[1:]]
    unit = ordered[first][0].printed_unit
    for parts in (classes, units):
        amounts = [a for row in parts if (a := _amount(row, "total")) is not None]
        if amounts and abs(sum(amounts) - total) <= _PRINTED_ROUNDING * UNIT_FACTORS[unit] * len(amounts):
            return ordered[first]
    return []


def _amount(row: list[BudgetLine], measure: str) -> Decimal | None:
    return next((l.amount_yuan for l in row if l.measure == measure), None)


def _three_public_total(lines: list[BudgetLine], final_accounts: bool) -> BudgetLine | None:
    """The "三公" subtotal; a table of 三公 items only prints it as its 合计.

    Final accounts print 预算数 and 决算数 side by side: their figure is the 决算数.
    Tables that list the items as rows (行政经费 / “三公”经费 / 其中：…) print it
    on the “三公”经费 row.
    """
    by_row = _three_public_row(lines)
    if by_row is not None:
        return by_row
    wanted = three_public_subtotal_measure({base_measure(l.measure) for l in lines})
    candidates = [l for l in lines if base_measure(l.measure) == wanted]
    actual = [l for l in candidates if "决算" in l.measure]
    if final_accounts and actual:
        return actual[0]
    planned = [l for l in candidates if "决算" not in l.measure]
    if not planned:
        return None
    first = planned[0]
    same_row = [l for l in planned if (l.source_table, l.source_row) == (first.source_table, first.source_row)]
    if len(same_row) > 1:
        # split by fund source: the general budget's column is the subtotal when the
        # other sources are blank or zero (a printed figure, not a sum)
        general = [l for l in same_row if l.measure.endswith(":一般公共预算")]
        if len(general) == 1 and all(l.amount_yuan == 0 for l in same_row if l is not general[0]):
            return general[0]
        # the subtotal printed for several periods side by side (上年 | 当年 | 增减):
        # which column is the budget year is not this rule's to guess
        return None
    return first


def _three_public_row(lines: list[BudgetLine]) -> BudgetLine | None:
    rows = [l for l in lines if l.measure in ("total", "amount") and not l.item_code]
    named = [l for l in rows if _THREE_PUBLIC_ROW.match(_unquoted(l))]
    if named:
        return named[0]
    items = {_unquoted(l) for l in rows} - set(_TOTAL_ROWS)
    if items and all(_THREE_PUBLIC_ITEM.search(item) for item in items):
        return next((l for l in rows if _name(l) in _TOTAL_ROWS), None)
    return None


def _unquoted(line: BudgetLine) -> str:
    return strip_ordinal(re.sub(r"[\"“”'‘’]|^其中[:：]", "", _name(line)))
