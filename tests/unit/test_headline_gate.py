"""The headline gate on hand-made budget lines, with figures typed from the printed pages
(no camelot): a candidate that breaks its identity is withheld with its reason."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from pipelines.extraction.headline import Headline
from pipelines.extraction.headline_gate import PrintedTable, gate_headlines
from pipelines.extraction.identities import WITHHELD
from pipelines.extraction.lines import BudgetLine
from pipelines.extraction.numbers import parse_amount, to_yuan
from pipelines.extraction.periods import BUDGET_YEAR, PREVIOUS_YEAR

TABLE = 7  # table index of the hand-made statements


def line(
    statement: str,
    name: str,
    measure: str,
    printed: str,
    unit: str,
    row: int,
    col: int,
    *,
    code: str | None = None,
    section: str = "main",
    period: str = BUDGET_YEAR,
    page: int = 1,
) -> BudgetLine:
    amount = parse_amount(printed)
    return BudgetLine(
        statement=statement,
        section=section,
        item_code=code,
        item_name=name,
        measure=measure,
        amount=amount,
        printed_amount=printed,
        printed_unit=unit,
        amount_yuan=to_yuan(amount, unit),
        source_page=page,
        source_table=TABLE,
        source_row=row,
        source_col=col,
        period=period,
    )


def headline(metric: str, chosen: BudgetLine) -> Headline:
    return Headline(metric, chosen.amount_yuan, chosen)


def gate(candidates: list[Headline], lines: list[BudgetLine], unit: str | None = None):
    published, withheld = gate_headlines(candidates, lines, {TABLE: PrintedTable(0, unit)})
    return {h.metric for h in published}, {r.subject.split(": ")[0]: r for r in withheld}


def summary_row(printed: list[tuple[str, str]], unit: str, name: str = "合计") -> list[BudgetLine]:
    return [
        line("expenditure_summary", name, measure, text, unit, 3, col)
        for col, (measure, text) in enumerate(printed, start=1)
    ]


def test_a_basic_expenditure_that_does_not_add_up_is_withheld():
    """杭州市气象局 2026 表3 支出预算总表 合计 row (p17, 万元) splits basic into 人员支出 2,906.80 and
    日常公用支出 838.27: the column read as basic is only 人员支出, so basic + project is not the total."""
    row = summary_row(
        [("total", "5,876.67"), ("basic", "2,906.80"), ("basic:日常公用支出", "838.27"), ("project", "2,131.61")],
        "万元",
    )
    basic, project = row[1], row[3]
    published, withheld = gate([headline("basic_expenditure", basic), headline("project_expenditure", project)], row)
    assert "basic_expenditure" not in published
    reason = withheld["basic_expenditure"]
    assert (reason.status, reason.check) == (WITHHELD, "headline_expenditure_split")
    assert (reason.expected, reason.actual) == (Decimal("58766700.00"), Decimal("50384100.00"))
    # every column of the row adds up to the total (5,876.68 against 5,876.67: printed rounding),
    # which confirms the project column
    assert "project_expenditure" in published


def test_a_split_that_adds_up_is_published():
    """江苏省人大常委会办公厅 2017 支出预算总表 合计 row (p10, 万元)."""
    row = summary_row(
        [("total", "13,649.07"), ("basic", "7,666.68"), ("project", "5,853.96"), ("reserve", "128.43")], "万元"
    )
    metrics = ["basic_expenditure", "project_expenditure", "reserve_expenditure"]
    published, withheld = gate([headline(m, l) for m, l in zip(metrics, row[1:])], row)
    assert published == set(metrics) and not withheld


def test_a_break_within_the_printed_rounding_is_published():
    """深圳市审计局 2026 表3 (p21, 万元): basic 9,206.23 + project 1,531.45 = 10,737.68 against the
    printed 10,737.69, with a 尾数误差 note under the table."""
    row = summary_row(
        [("total", "10,737.69"), ("basic", "9,206.23"), ("project", "1,531.45")], "万元", name="深圳市审计局"
    )
    published, withheld = gate([headline("basic_expenditure", row[1]), headline("project_expenditure", row[2])], row)
    assert published == {"basic_expenditure", "project_expenditure"} and not withheld


def test_a_split_without_its_total_is_checked_against_the_summary():
    """深圳市审计局 2026 prints its basic expenditure 9,206.23 in 表4 基本支出总表 (p24) and its project
    expenditure 1,531.45 in 表5 项目支出总表 (p26): together 10,737.68, the 支出总计 10,737.69 of 表1
    (p18) within rounding."""
    spending = line(
        "income_expenditure_summary", "支出总计", "amount", "10,737.69", "万元", 16, 3, section="expenditure", page=18
    )
    basic = line("basic_expenditure_by_economic_class", "深圳市审计局", "total", "9,206.23", "万元", 3, 2, page=24)
    project = line("project_expenditure", "深圳市审计局", "total", "1,531.45", "万元", 3, 1, page=26)
    candidates = [headline("basic_expenditure", basic), headline("project_expenditure", project)]
    published, _withheld = gate(candidates, [spending, basic, project])
    assert published == {"basic_expenditure", "project_expenditure"}
    # with nothing printed to add up to, the split is not published
    published, withheld = gate(candidates, [basic, project])
    assert not published and withheld["basic_expenditure"].status == WITHHELD


def test_income_and_expenditure_totals_must_agree():
    """珠海市商务局 2026 表1 (p7) prints 本年收入合计 46,403.97 and 收入总计 66,307.98 (上年结转 between):
    an income total read from the wrong line does not match 支出总计 66,307.98, and neither is published."""
    income = line("income_expenditure_summary", "本年收入合计", "amount", "46,403.97", "万元", 20, 1, section="income")
    spending = line(
        "income_expenditure_summary", "支出总计", "amount", "66,307.98", "万元", 30, 3, section="expenditure"
    )
    candidates = [headline("total_income", income), headline("total_expenditure", spending)]
    published, withheld = gate(candidates, [income, spending])
    assert not published
    assert withheld["total_income"].check == "headline_summary_balance"
    right = line("income_expenditure_summary", "收入总计", "amount", "66,307.98", "万元", 30, 1, section="income")
    published, _withheld = gate(
        [headline("total_income", right), headline("total_expenditure", spending)], [right, spending]
    )
    assert published == {"total_income", "total_expenditure"}


def three_public_row(printed: list[tuple[str, str]], row: int, name: str) -> list[BudgetLine]:
    return [
        line("three_public", name, measure, text, "万元", row, col)
        for col, (measure, text) in enumerate(printed, start=1)
    ]


def test_a_three_public_total_that_is_not_the_sum_of_its_parts_is_withheld():
    """杭州市气象局 2026 表7 (p21, 万元) numbers its columns 1–6 in a row above 合计: read as figures,
    that row's "三公" would be 1 万元 (10,000.00 yuan) while its parts add to 11."""
    numbers = three_public_row(
        [
            ("three_public_subtotal", "1"),
            ("outbound_travel", "2"),
            ("official_vehicles", "3"),
            ("vehicle_purchase", "4"),
            ("vehicle_operation", "5"),
            ("official_reception", "6"),
        ],
        2,
        "**",
    )
    total = three_public_row(
        [
            ("three_public_subtotal", "24.02"),
            ("official_vehicles", "18.00"),
            ("vehicle_operation", "18.00"),
            ("official_reception", "6.02"),
        ],
        3,
        "合计",
    )
    published, withheld = gate([headline("three_public_total", numbers[0])], numbers + total, unit="万元")
    assert not published
    reason = withheld["three_public_total"]
    assert (reason.check, reason.expected, reason.actual) == (
        "headline_three_public_parts",
        Decimal("10000.00"),
        Decimal("110000.00"),
    )
    # the 合计 row: 18.00 + 6.02 = 24.02
    published, withheld = gate([headline("three_public_total", total[0])], numbers + total, unit="万元")
    assert published == {"three_public_total"} and not withheld


def test_a_three_public_total_read_in_another_unit_than_its_table_prints_is_withheld():
    """北京市人力资源和社会保障局 2026 预算09表 (p24) prints 金额单位：万元 in its header:
    222.676050 read as yuan would be 10,000 times too small."""
    row = [
        line("three_public", "", measure, text, "元", 6, col)
        for col, (measure, text) in enumerate(
            [
                ("three_public_subtotal", "222.676050"),
                ("outbound_travel", "130.819050"),
                ("official_reception", "9.000000"),
                ("official_vehicles", "82.857000"),
            ],
            start=1,
        )
    ]
    published, withheld = gate([headline("three_public_total", row[0])], row, unit="万元")
    assert not published
    assert withheld["three_public_total"].check == "headline_three_public_unit"
    published, withheld = gate([headline("three_public_total", row[0])], row, unit=None)
    assert not published and "no unit printed" in withheld["three_public_total"].subject


def test_a_three_public_table_of_items_by_row():
    """福州市医疗保障局 2026 十、“三公”经费支出预算表 (p21, 万元) lists the items as rows."""
    rows = [
        line("three_public", name, "amount", text, "万元", row, 1)
        for row, (name, text) in enumerate(
            [
                ("合计", "5.00"),
                ("1、因公出国(境)费用", "0.00"),
                ("2、公务接待费", "5.00"),
                ("3、公务用车购置及运行费", "0.00"),
                ("其中:(1)公务用车购置费", "0.00"),
                ("(2)公务用车运行费", "0.00"),
            ],
            start=1,
        )
    ]
    published, withheld = gate([headline("three_public_total", rows[0])], rows, unit="万元")
    assert published == {"three_public_total"} and not withheld


def test_a_previous_year_amount_is_never_a_headline():
    """深圳市审计局 2026 表9 (p34, 万元): the 2025 row's "三公" total 40.31 is last year's."""
    row = three_public_row(
        [
            ("total", "40.31"),
            ("outbound_travel", "0.80"),
            ("official_reception", "3.51"),
            ("official_vehicles", "36.00"),
        ],
        3,
        "深圳市审计局",
    )
    row = [replace(l, period=PREVIOUS_YEAR) for l in row]
    published, withheld = gate([headline("three_public_total", row[0])], row, unit="万元")
    assert not published and withheld["three_public_total"].check == "headline_period"


def test_function_classes_only_from_the_general_budget_table_by_function():
    function_table = "general_budget_expenditure_by_function"
    # 江苏省人大常委会办公厅 2017 公开07表 一般公共预算支出预算表 (p16, 万元): 201 一般公共服务支出
    general = line(function_table, "一般公共服务支出", "amount", "10,528.33", "万元", 4, 2, code="201")
    published, withheld = gate([headline("function:201", general)], [general])
    assert published == {"function:201"} and not withheld
    # 福州市医疗保障局 2026 八、一般公共预算支出经济分类情况表 (p17): 301 is an economic class
    economic = line(function_table, "工资福利支出", "amount", "7070.34", "万元", 3, 2, code="301")
    published, withheld = gate([headline("function:301", economic)], [economic])
    assert not published and "not a function class" in withheld["function:301"].subject
    # 上海市普陀区万里街道 2025 部门收入预算总表 (p10, 元) by function code also prints 事业收入,
    # 经营收入 and 其他收入: its 201 total is all funds, not the general public budget
    printed = [
        ("total", "3,296,600"),
        ("fiscal_appropriation", "3,296,600"),
        ("business_income", "0"),
        ("operating_income", "0"),
        ("other_income", "0"),
    ]
    all_funds = [
        line(function_table, "一般公共服务支出", measure, text, "元", 3, col, code="201")
        for col, (measure, text) in enumerate(printed, start=4)
    ]
    published, withheld = gate([headline("function:201", all_funds[0])], all_funds)
    assert not published and "also spends" in withheld["function:201"].subject
    summary = line("expenditure_summary", "一般公共服务支出", "total", "10,528.33", "万元", 5, 1, code="201")
    published, withheld = gate([headline("function:201", summary)], [summary])
    assert not published and withheld["function:201"].status == WITHHELD


def test_a_function_class_from_another_column_than_the_total_is_withheld():
    """西安市气象局 2022 表5 (p22, 元): the 220 row's 合计 cell is glued to its name, so only its
    人员经费 1536932.32, 公用经费 106691 and 专项业务经费 17159700 columns were read."""
    function_table = "general_budget_expenditure_by_function"
    total = line(function_table, "合计", "total", "18999011.66", "元", 1, 3)
    row = [
        line(function_table, "自然资源海洋气象等支", measure, text, "元", 11, col, code="220")
        for col, (measure, text) in enumerate(
            [("personnel", "1536932.32"), ("public_use", "106691"), ("amount", "17159700")], start=4
        )
    ]
    published, withheld = gate([headline("function:220", row[2])], [total, *row])
    assert not published and "not the table's 合计" in withheld["function:220"].subject


def test_a_function_class_printed_under_each_unit_is_withheld():
    """西安市安全生产监督管理局 2019 表5 (p7–9, 万元) prints the classes under each of its four units
    and none for the department: 208 is 115.11, 22.62, 35.75 and 10.12."""
    function_table = "general_budget_expenditure_by_function"
    rows = [
        line(function_table, "社会保障和就业支出", "total", text, "万元", row, 2, code="208")
        for row, text in ((4, "115.11"), (30, "22.62"), (50, "35.75"), (70, "10.12"))
    ]
    published, withheld = gate([headline("function:208", rows[0])], rows)
    assert not published and "printed 4 times" in withheld["function:208"].subject
