"""The accounting identities a correct extraction satisfies, as named checks.

Published tables are rounded, so each check allows 0.01 of the printed unit per
summed line.  Documents also break identities themselves (the Shenzhen seed
prints 5,318.01 in one table against 5,318.00 in another); a break is reported
with its exact difference, never "fixed" and never fatal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from pipelines.extraction.headline import Headline
from pipelines.extraction.lines import BudgetLine, fund_source
from pipelines.extraction.measures import base_measure, measure_for, three_public_subtotal_measure
from pipelines.extraction.numbers import UNIT_FACTORS
from pipelines.extraction.text import strip_ordinal

PRINTED_ROUNDING = Decimal("0.01")  # per summed line, in the printed unit; 0 for a plain comparison
GROSS_BREAK = Decimal("0.01")  # beyond 1 % a break is an extraction suspect, not rounding
PASS, WARN, FAIL = "pass", "warn", "fail"
WITHHELD = "withheld"  # a headline candidate kept out of the headlines (see headline_gate.py)

_FUNCTION_TABLES = {
    "general_budget_expenditure_by_function",
    "fiscal_appropriation_expenditure_by_function",
    "income_summary",
    "expenditure_summary",
    "government_fund_expenditure",
    "state_capital_expenditure",
}
_ECONOMIC_TABLES = {
    "basic_expenditure_by_economic_class",
    "general_budget_basic_expenditure_by_economic_class",
    "fiscal_appropriation_basic_expenditure_by_economic_class",
    "operating_costs",
}
_TOTAL_NAMES = {"合计", "总计", "收入总计", "支出总计", "金额合计"}
# The columns a 支出总表 splits its total into (personnel and public-use costs are parts of basic).
SPLIT_MEASURES = (
    "basic",
    "project",
    "reserve",
    "carry_forward",
    "operating_expenditure",
    "remitted_to_superior",
    "affiliated_subsidy",
)
# The parts of basic expenditure: added in its place when a table prints them without it.
BASIC_PARTS = ("personnel", "public_use")
# "三公" = 因公出国（境）+ 公务接待 + 公务用车 (printed whole, or as 购置 + 运行).
_THREE_PUBLIC_PARTS = ("outbound_travel", "official_reception")
_VEHICLES, _VEHICLE_PARTS = "official_vehicles", ("vehicle_purchase", "vehicle_operation")


@dataclass(frozen=True)
class CheckResult:
    check: str
    statement: str
    subject: str  # what was compared: an item, a code, a unit
    expected: Decimal
    actual: Decimal
    tolerance: Decimal
    page: int
    row: int
    withheld: bool = False  # the headline this identity guards was not published
    # The printed figures compared (the OCR gate asks whether each was read elsewhere too).
    figures: tuple[BudgetLine, ...] = field(default=(), compare=False, repr=False)

    @property
    def difference(self) -> Decimal:
        return self.actual - self.expected

    @property
    def status(self) -> str:
        if self.withheld:
            return WITHHELD
        gap = abs(self.difference)
        if gap <= self.tolerance:
            return PASS
        if gap <= abs(self.expected) * GROSS_BREAK:
            return WARN
        return FAIL

    def describe(self) -> str:
        return (
            f"{self.check} {self.statement} {self.subject} (page {self.page}, row {self.row}): "
            f"expected {self.expected}, got {self.actual}, difference {self.difference}"
        )


def _tolerance(unit: str, terms: int) -> Decimal:
    """Rounding room: each summed printed figure may be off by half a cent of its unit;
    two printed figures that should be equal must be equal."""
    return PRINTED_ROUNDING * UNIT_FACTORS[unit] * terms


def _name(line: BudgetLine) -> str:
    return strip_ordinal(line.item_name.split("/")[-1])


def _is_total(line: BudgetLine) -> bool:
    return not line.item_code and _name(line) in _TOTAL_NAMES


def make_check(
    check: str,
    anchor: BudgetLine,
    subject: str,
    expected: Decimal,
    actual: Decimal,
    terms: int,
    figures: Sequence[BudgetLine] = (),
) -> CheckResult:
    """A comparison of ``figures`` anchored at a printed line, with the rounding room of
    ``terms`` summed figures."""
    return CheckResult(
        check,
        anchor.statement,
        subject,
        expected,
        actual,
        _tolerance(anchor.printed_unit, terms),
        anchor.source_page,
        anchor.source_row,
        figures=tuple(figures),
    )


def summary_balances(headlines: list[Headline]) -> list[CheckResult]:
    """收入总计 = 支出总计 in the income & expenditure summary."""
    by_metric = {h.metric: h for h in headlines}
    income, spending = by_metric.get("total_income"), by_metric.get("total_expenditure")
    if not (income and spending):
        return []
    return [
        make_check(
            "summary_balance",
            spending.line,
            "收入总计 = 支出总计",
            income.value_yuan,
            spending.value_yuan,
            0,
            (income.line, spending.line),
        )
    ]


def expenditure_splits(lines: list[BudgetLine]) -> list[CheckResult]:
    """Each row of the expenditure summary: total = basic + project (+ reserve, carry-over and
    the other expenditure columns printed), per period.  A table printing 人员支出 | 公用支出
    with no 基本支出 column splits its total into those instead."""
    rows: dict[tuple, dict[str, BudgetLine]] = defaultdict(dict)
    with_basic: set[int] = set()  # the tables printing a 基本支出 column
    for line in lines:
        if line.statement == "expenditure_summary":
            rows[(line.source_table, line.source_row, line.period)][line.measure] = line
            if line.measure == "basic":
                with_basic.add(line.source_table)
    results = []
    for (table, _row, _period), measures in rows.items():
        total = measures.get("total")
        split = SPLIT_MEASURES if table in with_basic else (*SPLIT_MEASURES, *BASIC_PARTS)
        parts = [measures[m] for m in split if m in measures]
        if total and parts:
            subject = total.item_code or _name(total)
            results.append(
                make_check(
                    "expenditure_split",
                    total,
                    subject,
                    total.amount_yuan,
                    sum((p.amount_yuan for p in parts), Decimal(0)),
                    len(parts),
                    (total, *parts),
                )
            )
    return results


def _code_tables(lines: list[BudgetLine], statements: set[str]) -> dict[tuple, list[BudgetLine]]:
    tables: dict[tuple, list[BudgetLine]] = defaultdict(list)
    for line in lines:
        if line.statement in statements and line.section in ("main", "expenditure"):
            tables[(line.statement, line.measure, line.budget_unit, line.period)].append(line)
    return tables


def _sum(lines: list[BudgetLine]) -> Decimal:
    return sum((l.amount_yuan for l in lines), Decimal(0))


def _children(code: str, codes: dict[str, list[BudgetLine]]) -> list[str]:
    """The codes printed right under ``code``: its descendants with no printed code between.
    A 款 may be left out, its 项 printed under the 类 (301 | 3010201 with no 30102)."""
    descendants = [c for c in codes if len(c) > len(code) and c.startswith(code)]
    return [d for d in descendants if not any(len(c) < len(d) and d.startswith(c) for c in descendants)]


def classification_hierarchy(lines: list[BudgetLine]) -> list[CheckResult]:
    """类 = Σ 款 = Σ 项 by code prefix, and Σ 类 = the table's 合计, per measure and unit."""
    results = []
    for (_statement, measure, unit, _period), group in _code_tables(lines, _FUNCTION_TABLES | _ECONOMIC_TABLES).items():
        # A code may head several rows: a table printing only 项 codes lists each unit's rows
        # one after the other without the unit's name, and a table printing two economic
        # classifications side by side (政府 50101 | 部门 30101) repeats the first on each of
        # its rows.  The code's amount is then the sum of its rows.
        coded: dict[str, list[BudgetLine]] = defaultdict(list)
        for line in group:
            if line.item_code:
                coded[line.item_code].append(line)
        if not coded:
            continue
        for code, parents in coded.items():
            children = [l for c in _children(code, coded) for l in coded[c]]
            if children:
                results.append(
                    make_check(
                        "classification_hierarchy",
                        parents[0],
                        f"{code} ({measure})",
                        _sum(parents),
                        _sum(children),
                        len(parents) + len(children),
                        (*parents, *children),
                    )
                )
        top_length = min(len(c) for c in coded)
        tops = [l for c, rows in coded.items() if len(c) == top_length for l in rows]
        # The table's 合计, or in a by-unit table the unit's own row.
        total = next((l for l in group if _is_total(l) or (unit and not l.item_code and _name(l) == unit)), None)
        # An item printed before the first top-level code is a top-level item left without a
        # code (a class printed by a name no list knows): the coded ones are then not all of it.
        first_top = next(i for i, l in enumerate(group) if l.item_code and len(l.item_code) == top_length)
        uncoded_top = any(not l.item_code and l is not total and not _is_total(l) for l in group[:first_top])
        if total is not None and not uncoded_top:
            results.append(
                make_check(
                    "classification_total",
                    total,
                    f"Σ top-level codes ({measure})",
                    total.amount_yuan,
                    _sum(tops),
                    len(tops),
                    (total, *tops),
                )
            )
    return results


def _summary_total(lines: list[BudgetLine], income: bool, names: list[str]) -> BudgetLine | None:
    side = [
        l
        for l in lines
        if l.statement == "income_expenditure_summary" and l.budget_unit is None and (l.section == "income") == income
    ]
    for name in names:
        for line in side:
            if _name(line) == name:
                return line
    return None


def cross_statement_totals(lines: list[BudgetLine]) -> list[CheckResult]:
    """The summary's totals equal the 合计 of the income summary, of the expenditure summary
    and of the performance-target form.

    Each side prints several totals (this year's, with or without carry-overs);
    the statement's 合计 must equal one of them, compared with the closest.  Two figures
    printed in different units agree to the rounding of the coarser one.

    The performance-target form lists the year's tasks: its 金额合计 covers the year's
    whole expenditure, or only the tasks it lists (a department passing most of its
    budget on prints the tasks of its own work).  A 金额合计 short of every total by
    more than a gross break is such a part, not a figure to compare.
    """
    results = []
    for statement, income, names in (
        ("income_summary", True, ["本年收入合计", "当年收入小计", "收入合计", "收入总计", "总计"]),
        ("expenditure_summary", False, ["本年支出合计", "当年支出小计", "支出合计", "支出总计", "总计"]),
        ("performance_targets", False, ["本年支出合计", "当年支出小计", "支出合计", "支出总计", "总计"]),
    ):
        totals = [
            l
            for l in lines
            if l.statement == statement and l.budget_unit is None and _is_total(l) and l.measure in ("total", "amount")
        ]
        candidates = [c for c in (_summary_total(lines, income, [n]) for n in names) if c]
        if not totals or not candidates:
            continue
        total = totals[0]
        closest = min(candidates, key=lambda c: abs(c.amount_yuan - total.amount_yuan))
        if statement == "performance_targets" and total.amount_yuan < closest.amount_yuan * (1 - GROSS_BREAK):
            continue
        check = make_check(
            "summary_vs_" + statement,
            total,
            f"{_name(closest)} = {statement} 合计",
            closest.amount_yuan,
            total.amount_yuan,
            0,
            (closest, total),
        )
        if total.printed_unit != closest.printed_unit:
            coarser = max(total.printed_unit, closest.printed_unit, key=lambda unit: UNIT_FACTORS[unit])
            check = replace(check, tolerance=_tolerance(coarser, 1))
        results.append(check)
    return results


def unit_rows(lines: list[BudgetLine]) -> list[CheckResult]:
    """In by-unit tables the department's row equals the sum of its units' rows.

    A table listing its units under each of several groups (货物 | 服务 in a 政府采购
    table) prints a unit's row once per group: its first row is a group's, not the
    department's, and is not compared."""
    results = []
    by_statement: dict[tuple[str, str, str], list[BudgetLine]] = defaultdict(list)
    for line in lines:
        by_statement[(line.statement, line.measure, line.period)].append(line)
    for (_statement, measure, _period), group in by_statement.items():
        units = [l for l in group if l.budget_unit and not l.item_code and _name(l) == l.budget_unit.split("/")[-1]]
        department = next((l for l in group if l.budget_unit is None and not l.item_code and not _is_total(l)), None)
        once_each = len({u.budget_unit for u in units}) == len(units)
        if units and once_each and department is not None and any(l.budget_unit for l in group):
            results.append(
                make_check(
                    "unit_rows_sum",
                    department,
                    f"units ({measure})",
                    department.amount_yuan,
                    sum((u.amount_yuan for u in units), Decimal(0)),
                    len(units),
                    (department, *units),
                )
            )
    return results


def _unit_row(lines: list[BudgetLine], statement: str, unit: str, measures: tuple[str, ...]) -> BudgetLine | None:
    for line in lines:
        if (
            line.statement == statement
            and line.budget_unit == unit
            and not line.item_code
            and _name(line) == unit
            and line.measure in measures
        ):
            return line
    return None


def unit_totals_agree(lines: list[BudgetLine]) -> list[CheckResult]:
    """A unit's figures agree across statements: its income equals its expenditure, and
    its general-public-budget expenditure equals its general-public-budget income."""
    results = []
    for unit in sorted({l.budget_unit for l in lines if l.budget_unit}):
        for check, (a_statement, a_measures), (b_statement, b_measures) in (
            ("unit_income_vs_expenditure", ("income_summary", ("total",)), ("expenditure_summary", ("total",))),
            (
                "unit_general_budget",
                ("income_summary", ("general_budget",)),
                ("general_budget_expenditure_by_function", ("total", "amount")),
            ),
        ):
            a = _unit_row(lines, a_statement, unit, a_measures)
            b = _unit_row(lines, b_statement, unit, b_measures)
            if a and b:
                results.append(make_check(check, b, unit, a.amount_yuan, b.amount_yuan, 0, (a, b)))
    return results


def _part_kind(line: BudgetLine, by_label: bool) -> str:
    """What a 三公 figure is: its column's measure, or in a table of items by row, its label's."""
    return base_measure(measure_for([_name(line)], False)) if by_label else base_measure(line.measure)


def three_public_sum(subtotal: BudgetLine, neighbours: list[BudgetLine], by_label: bool) -> CheckResult | None:
    """subtotal = 因公出国 + 公务接待 + 公务用车 among ``neighbours`` (the figures printed on its
    row, or in its column when the table lists the items by row); None when no part is printed
    or one is printed twice (the parts cannot be told apart)."""
    kinds: dict[str, list[BudgetLine]] = defaultdict(list)
    for line in neighbours:
        if line is not subtotal:
            kinds[_part_kind(line, by_label)].append(line)
    wanted = [*_THREE_PUBLIC_PARTS, *((_VEHICLES,) if kinds.get(_VEHICLES) else _VEHICLE_PARTS)]
    if any(len(kinds[k]) > 1 for k in wanted) or not any(kinds[k] for k in wanted):
        return None
    parts = [kinds[k][0] for k in wanted if kinds[k]]
    return make_check(
        "three_public_parts",
        subtotal,
        _name(subtotal) or subtotal.measure,
        subtotal.amount_yuan,
        sum((p.amount_yuan for p in parts), Decimal(0)),
        len(parts),
        (subtotal, *parts),
    )


def is_final_figure(line: BudgetLine) -> bool:
    """Final accounts print 预算数 and 决算数 side by side: each adds up on its own."""
    return "决算" in line.measure


def three_public_parts(lines: list[BudgetLine]) -> list[CheckResult]:
    """Each row of the "三公" table: the "三公" subtotal is the sum of its printed parts,
    per fund source when the table splits each item by source."""
    table = [l for l in lines if l.statement == "three_public"]
    wanted = three_public_subtotal_measure({base_measure(l.measure) for l in table})
    rows: dict[tuple, list[BudgetLine]] = defaultdict(list)
    for line in table:
        rows[
            (line.source_table, line.source_row, line.period, is_final_figure(line), fund_source(line.measure))
        ].append(line)
    results = []
    for row in rows.values():
        subtotals = [l for l in row if base_measure(l.measure) == wanted]
        if len(subtotals) == 1 and (result := three_public_sum(subtotals[0], row, by_label=False)):
            results.append(result)
    return results


def run_checks(lines: list[BudgetLine], headlines: list[Headline]) -> list[CheckResult]:
    return [
        *summary_balances(headlines),
        *expenditure_splits(lines),
        *three_public_parts(lines),
        *classification_hierarchy(lines),
        *cross_statement_totals(lines),
        *unit_rows(lines),
        *unit_totals_agree(lines),
    ]
