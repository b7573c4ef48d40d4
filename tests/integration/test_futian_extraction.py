"""The Shenzhen Futian template (表N), from the rendered seed: metadata, statements, figures."""

from __future__ import annotations

from decimal import Decimal

WAN = Decimal(10000)


def test_metadata(futian):
    meta = futian[1].metadata
    assert (meta.department_name, meta.fiscal_year, meta.document_kind, meta.scope, meta.printed_unit) == (
        "深圳市福田区政务服务数据管理局",
        2022,
        "budget",
        "department",
        "万元",
    )


def test_every_standard_table_is_recognised(futian):
    found = [s.statement for s in futian[1].statements]
    assert found[:10] == [
        "income_expenditure_summary",  # 表1 收支总表
        "income_summary",  # 表2 收入总表
        "expenditure_summary",  # 表3 支出总表
        "basic_expenditure_by_economic_class",  # 表4 基本支出总表
        "project_expenditure",  # 表5 项目支出总表
        "fiscal_appropriation_summary",  # 表6 政府预算拨款收支总表
        "general_budget_expenditure_by_function",  # 表7
        "three_public",  # 表8
        "government_fund_expenditure",  # 表9
        "state_capital_expenditure",  # 表10
    ]
    assert "performance_targets" in found  # 表11, kept as raw cells


def test_empty_statements_are_recorded_as_empty(futian):
    empty = {s.statement for s in futian[1].statements if s.empty}
    assert {"government_fund_expenditure", "state_capital_expenditure"} <= empty  # 注：本表本年无发生额


def test_headlines_as_printed(futian):
    got = {h.metric: h.value_yuan for h in futian[1].headlines}
    # 表1: 收入总计 12,510.00, 支出总计 12,510.00, 一、政府预算拨款 12,510.00 (万元)
    assert got["total_income"] == Decimal("12510.00") * WAN
    assert got["total_expenditure"] == Decimal("12510.00") * WAN
    assert got["fiscal_appropriation_income"] == Decimal("12510.00") * WAN


def test_basic_and_project_from_the_department_row_when_the_summary_prints_none(futian):
    # 表3 支出总表 lists the three units only; 表7 prints the department row
    # 12,510.00 = 基本支出 2,749.88 + 项目支出 9,760.12 (also 表4 and 表5's department rows).
    got = {h.metric: h.value_yuan for h in futian[1].headlines}
    assert got["basic_expenditure"] == Decimal("2749.88") * WAN
    assert got["project_expenditure"] == Decimal("9760.12") * WAN


def test_name_only_function_rows_get_codes(futian):
    """表1 lists 类/款/项 by name; the codes come from the classification lookup."""
    rows = {
        (l.item_code, l.item_name)
        for l in futian[1].lines
        if l.statement == "income_expenditure_summary" and l.section != "income" and l.item_code
    }
    assert ("201", "一、一般公共服务支出") in rows
    assert ("20103", "政府办公厅(室)及相关机构事务") in rows
    assert ("2010301", "行政运行") in rows
    assert ("20899", "其他社会保障和就业支出") in rows  # the 款 …
    assert ("2089999", "其他社会保障和就业支出") in rows  # … and the 项 of the same name
    assert ("221", "四、住房保障支出") in rows


def test_unit_rows_sit_under_the_department(futian):
    units = {l.budget_unit for l in futian[1].lines if l.statement == "income_summary" and l.measure == "total"}
    assert units == {
        None,
        "深圳市福田区政务服务数据管理局(本级)",
        "深圳市福田区政务服务中心",
        "深圳市福田区数据管理中心",
    }


def test_wrapped_numbers_are_joined(futian):
    """表2 prints 12,510.0 / 0 in a narrow cell: the line is 12,510.00."""
    amounts = {
        l.amount
        for l in futian[1].lines
        if l.statement == "income_summary" and l.budget_unit is None and l.measure == "general_budget"
    }
    assert amounts == {Decimal("12510.00")}


def test_name_only_economic_rows_get_codes(futian):
    """表4 lists economic classes by name under each unit; codes come from the economic seed."""
    rows = {
        (l.budget_unit, l.item_code, l.item_name)
        for l in futian[1].lines
        if l.statement == "basic_expenditure_by_economic_class" and l.measure == "total"
    }
    unit = "深圳市福田区政务服务数据管理局(本级)"
    assert (unit, "301", "工资福利支出") in rows
    assert (unit, "30101", "基本工资") in rows
    assert (unit, "30213", "维修(护)费") in rows
    assert (unit, "30399", "其他对个人和家庭的补助") in rows
    uncoded = {name for _unit, code, name in rows if code is None}
    assert uncoded == {"深圳市福田区政务服务数据管理局", unit, "深圳市福田区政务服务中心", "深圳市福田区数据管理中心"}


def test_three_public_rows_by_year_are_periods(futian):
    """表8 prints a 2021 年, a 2022 年 and an 增减变化金额 row under each unit: they are the previous
    year, the budget year and the change, not items named after a year. The 2022 rows add to the
    9.34 万元 第五部分 gives as the 2022 "三公" budget; the table prints no department row, so the
    headline is not published from a unit's row or from another year."""
    lines = [l for l in futian[1].lines if l.statement == "three_public" and l.measure == "total"]
    periods = {(l.budget_unit, l.period) for l in lines}
    units = {"深圳市福田区政务服务数据管理局(本级)", "深圳市福田区政务服务中心", "深圳市福田区数据管理中心"}
    assert periods == {(u, p) for u in units for p in ("previous_year", "budget_year", "change")}
    assert all(l.item_name == l.budget_unit for l in lines)
    assert sum(l.amount for l in lines if l.period == "budget_year") == Decimal("9.34")
    assert "three_public_total" not in {h.metric for h in futian[1].headlines}
