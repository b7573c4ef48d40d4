"""The period of every printed amount, on tables built by hand with figures typed from real pages
(no camelot: a table is its cell texts and ruled edges)."""

from __future__ import annotations

from decimal import Decimal

from pipelines.extraction.lines import parse_statement
from pipelines.extraction.pdf import RawTable
from pipelines.extraction.periods import (
    BUDGET_YEAR,
    CARRIED_OVER,
    CHANGE,
    OTHER_YEAR,
    PREVIOUS_YEAR,
    assign_periods,
    column_period,
    label_period,
)
from pipelines.extraction.statements import assemble

_WIDTH = 60.0


def ruled_table(header: list[list[tuple[str, int]]], body: list[list[str]], context: list[str]) -> RawTable:
    """A ruled table: header rows as (text, columns spanned), body rows one text per column."""
    texts: list[list[str]] = []
    borders: list[list[str]] = []
    for row in header:
        texts.append([])
        borders.append([])
        for text, span in row:
            for i in range(span):
                texts[-1].append(text if i == 0 else "")
                borders[-1].append("TB" + ("L" if i == 0 else "") + ("R" if i == span - 1 else ""))
    for row in body:
        texts.append(list(row))
        borders.append(["LRTB"] * len(row))
    n_cols = len(texts[0])
    cols = [(i * _WIDTH, (i + 1) * _WIDTH) for i in range(n_cols)]
    return RawTable(
        page=1,
        index=0,
        bbox=(0.0, 0.0, n_cols * _WIDTH, 400.0),
        cols=cols,
        texts=texts,
        borders=borders,
        context=context,
    )


def read(table: RawTable, fiscal_year: int):
    statement = assemble([table])[0]
    lines, problems = parse_statement(statement, statement.unit)
    assert not problems
    return statement.statement, assign_periods(statement, lines, fiscal_year)


def test_header_texts_name_their_period():
    # 深圳市审计局 2026 收支总表 (p17): 收入 | 2026年预算数
    assert column_period(["收入", "2026年预算数"], 2026) == BUDGET_YEAR
    assert column_period(["2025年预算数"], 2026) == PREVIOUS_YEAR
    assert column_period(["2026年预算数"], 2025) == OTHER_YEAR  # never guessed into the budget year
    assert column_period(["上年执行数"], 2026) == PREVIOUS_YEAR
    # 西安 三公 table: 2021年 | 2022年 | 增减变化情况 over the same columns
    assert column_period(["增减变化情况", "合计"], 2022) == CHANGE
    assert column_period(["比上年增减"], 2022) == CHANGE
    # the deepest header naming a period decides: 福田 表5 2022年预算 | 上年结余、结转
    assert column_period(["2022年预算", "上年结余、结转"], 2022) == CARRIED_OVER
    assert column_period(["上年结转结余", "一般公共预算"], 2026) == CARRIED_OVER
    # the year-end balance of final accounts is the year's own figure, and most headers name no period
    assert column_period(["年末结转和结余"], 2024) is None
    assert column_period(["合计", "基本支出"], 2026) is None


def test_row_labels_that_name_only_a_period():
    assert label_period("2021 年", 2022) == PREVIOUS_YEAR
    assert label_period("2022年", 2022) == BUDGET_YEAR
    assert label_period("增减变化金额", 2022) == CHANGE
    # the 收支总表's income line 上年结转 is one of the budget year's sources, not a period
    assert label_period("上年结转", 2022) is None
    assert label_period("本年收入合计", 2022) is None


def test_three_public_rows_by_year_under_each_unit():
    """福田 2022 表8 prints a 2021 年, a 2022 年 and an 增减变化金额 row under each unit (万元)."""
    table = ruled_table(
        [
            [
                ("预算单位", 1),
                ("年度", 1),
                ("总计", 1),
                ("因公出国(境)费", 1),
                ("公务接待费", 1),
                ("公务用车购置及运行维护费", 1),
            ]
        ],
        [
            ["深圳市福田区政务服务数据管理局（本级）", "2021 年", "3.67", "0", "0", "3.67"],
            ["", "2022 年", "3.67", "0", "0", "3.67"],
            ["", "增减变化金额", "0", "0", "0", "0"],
            ["深圳市福田区政务服务中心", "2021 年", "5.67", "0", "2", "3.67"],
            ["", "2022 年", "5.67", "0", "2", "3.67"],
            ["", "增减变化金额", "0", "0", "0", "0"],
        ],
        ["表8", "一般公共预算“三公”经费支出表", "部门名称：深圳市福田区政务服务数据管理局 单位：万元"],
    )
    statement, lines = read(table, 2022)
    assert statement == "three_public"
    totals = {(l.item_name, l.period): l.amount for l in lines if l.measure == "total"}
    assert totals == {
        ("深圳市福田区政务服务数据管理局(本级)", PREVIOUS_YEAR): Decimal("3.67"),
        ("深圳市福田区政务服务数据管理局(本级)", BUDGET_YEAR): Decimal("3.67"),
        ("深圳市福田区政务服务数据管理局(本级)", CHANGE): Decimal("0"),
        ("深圳市福田区政务服务中心", PREVIOUS_YEAR): Decimal("5.67"),
        ("深圳市福田区政务服务中心", BUDGET_YEAR): Decimal("5.67"),
        ("深圳市福田区政务服务中心", CHANGE): Decimal("0"),
    }
    # the budget year's figures alone add up to the 2022 三公 budget the text prints (9.34 万元)
    assert sum(l.amount for l in lines if l.measure == "total" and l.period == BUDGET_YEAR) == Decimal("9.34")


def test_previous_year_and_change_columns():
    """西安市医疗保障局 2022 表13 (元) prints 2021年, 2022年 and 增减变化情况 column groups."""
    groups = ["2021年", "2022年", "增减变化情况"]
    items = ["合计", "“三公”经费小计", "因公出国(境)费用", "公务接待费", "公务用车购置及运行维护费"]
    table = ruled_table(
        [[("单位名称", 1), *((g, len(items)) for g in groups)], [("", 1), *((i, 1) for _g in groups for i in items)]],
        [
            [
                "西安市医疗保障局",
                "551800",
                "30400",
                "0",
                "30400",
                "0",
                "627300",
                "35000",
                "0",
                "10000",
                "25000",
                "75500",
                "4600",
                "0",
                "-20400",
                "25000",
            ]
        ],
        ["表13", "2022年部门综合预算一般公共预算拨款“三公”经费、会议费、培训费表(不含上年结转)", "金额单位:元"],
    )
    _statement, lines = read(table, 2022)
    subtotals = {l.period: l.amount for l in lines if l.measure.split(":")[0] == "three_public_subtotal"}
    assert subtotals == {PREVIOUS_YEAR: Decimal("30400"), BUDGET_YEAR: Decimal("35000"), CHANGE: Decimal("4600")}
    assert {l.item_name for l in lines} == {"西安市医疗保障局"}


def test_a_table_of_carried_over_funds():
    """西安市人力资源和社会保障局 2020 表11 财政拨款结转资金支出表 (万元): every amount is money
    carried over from earlier years; a project named after a year keeps its name."""
    table = ruled_table(
        [[("预算单位名称", 1), ("预算项目名称", 1), ("金额", 1)]],
        [
            ["西安市人力资源和社会保障局机", "2019年城乡居民养老保险经费", "7.70"],
            ["西安市人力资源和社会保障局机", "2019年就业工作经费", "47.51"],
        ],
        ["表11", "2020年部门综合预算财政拨款结转资金支出表", "单位:万元"],
    )
    _statement, lines = read(table, 2020)
    assert [(l.item_name.split("/")[-1], l.amount, l.period) for l in lines] == [
        ("2019年城乡居民养老保险经费", Decimal("7.70"), CARRIED_OVER),
        ("2019年就业工作经费", Decimal("47.51"), CARRIED_OVER),
    ]
