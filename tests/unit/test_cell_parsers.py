"""Cell-level parsers: amounts, units, labels, titles, measures."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from pipelines.extraction.lines import join_code
from pipelines.extraction.measures import measure_for
from pipelines.extraction.numbers import AmountError, find_header_unit, find_unit, parse_amount, to_yuan
from pipelines.extraction.registry import STATEMENTS, classify_title, find_title
from pipelines.extraction.text import compact, normalize, strip_ordinal
from pipelines.settings import DBT_PROJECT_DIR


@pytest.mark.parametrize(
    "printed,expected",
    [
        ("18,330.37", Decimal("18330.37")),
        ("156,211,123", Decimal("156211123")),
        ("9746.50", Decimal("9746.50")),
        ("0", Decimal("0")),
        ("0.00", Decimal("0.00")),
        ("12,510.0\n0", Decimal("12510.00")),  # a number wrapped inside a narrow cell
        (" 2,749.8\n8 ", Decimal("2749.88")),
        ("", None),
        ("无", None),
        ("-", None),
    ],
)
def test_parse_amount(printed, expected):
    assert parse_amount(printed) == expected


@pytest.mark.parametrize("garbage", ["一、基本支出", "12a", "1,2,3.4.5", "27,664.22 一、基本支出"])
def test_parse_amount_rejects_text(garbage):
    with pytest.raises(AmountError):
        parse_amount(garbage)


def test_to_yuan_is_exact():
    assert to_yuan(Decimal("18330.37"), "万元") == Decimal("183303700.00")
    assert to_yuan(Decimal("0.01"), "万元") == Decimal("100.00")
    assert to_yuan(Decimal("91016775.35"), "元") == Decimal("91016775.35")
    with pytest.raises(AmountError):
        to_yuan(Decimal(1), "千元")


def test_find_unit():
    assert find_unit("部门: 江苏省人大常委会办公厅 单位:万元") == "万元"
    assert find_unit("编制单位:上海市普陀区人民政府办公室 单位:元") == "元"
    assert find_unit("部门名称： 深圳市福田区政务服务数据管理局  单位：万元") == "万元"
    assert find_unit("预算单位:上海市普陀区人民政府办公室") is None


def test_find_header_unit():
    """A performance form prints its unit as a column heading (西安 表15)."""
    assert find_header_unit("任务名称 主要内容 预算金额（万元） 总额 财政拨款 其他资金") == "万元"
    assert find_header_unit("金额单位：万元 科目编码 科目名称") == "万元"
    assert find_header_unit("项目名称 预算金额 总额") is None


def test_text_normalisation():
    assert normalize("部⻔预算") == "部门预算"  # CJK radicals supplement
    assert normalize("公务用⻋") == "公务用车"
    assert normalize("（1）") == "(1)"  # full width folded by NFKC
    assert compact("事业单位\n经营收入") == "事业单位经营收入"
    assert compact("合    计") == "合计"
    assert strip_ordinal("一、财政拨款") == "财政拨款"
    assert strip_ordinal("1. 一般公共预算资金") == "一般公共预算资金"
    assert strip_ordinal("（一）机关运行") == "机关运行"
    assert strip_ordinal("2010507") == "2010507"


@pytest.mark.parametrize(
    "title,statement",
    [
        ("公开 01 表 收支预算总表", "income_expenditure_summary"),
        ("2024年部门财务收支预算总表", "income_expenditure_summary"),
        ("收入支出决算总表", "income_expenditure_summary"),
        ("收支总表", "income_expenditure_summary"),
        ("2025年预算单位财政拨款收支预算总表", "fiscal_appropriation_summary"),
        ("政府预算拨款收支总表", "fiscal_appropriation_summary"),
        ("财政拨款收入支出决算总表", "fiscal_appropriation_summary"),
        ("收入决算表", "income_summary"),
        ("支出预算总表", "expenditure_summary"),
        ("一般公共预算支出表（按功能分类）", "general_budget_expenditure_by_function"),
        ("一般公共预算财政拨款支出决算表", "general_budget_expenditure_by_function"),
        ("财政拨款支出预算表(功能科目)", "fiscal_appropriation_expenditure_by_function"),
        ("一般公共预算基本支出部门预算经济分类预算表", "general_budget_basic_expenditure_by_economic_class"),
        ("基本支出总表", "basic_expenditure_by_economic_class"),
        ("项目支出总表", "project_expenditure"),
        ("部门“三公”经费和机关运行经费预算表", "three_public"),
        ("一般公共预算机关运行经费支出预算表", "operating_costs"),
        ("政府性基金预算财政拨款收入支出决算表", "government_fund_expenditure"),
        ("2019年政府采购预算表", "procurement"),
        ("部门整体支出绩效目标表", "performance_targets"),
        ("公开 01 表", None),
        ("本部门2019年收入预算总表比上年增加，主要原因是人员增加和项目支出预算安排增加所致。", None),
    ],
)
def test_title_registry(title, statement):
    assert classify_title(title) == statement


def test_find_title_prefers_the_nearest_line_and_joins_wrapped_titles():
    assert find_title(["收支预算总表", "公开表一", "部门: X 单位:万元"]) == (
        "收支预算总表",
        "income_expenditure_summary",
    )
    assert (
        find_title(["十一、一般公共预算“三公”经费、会议费、培训费支出预", "算表", "部门: X 单位:万元"])[1]
        == "three_public"
    )
    assert find_title(["部门: X 单位:万元"]) is None


def test_registry_matches_the_dbt_statement_seed():
    with open(DBT_PROJECT_DIR / "seeds" / "statement.csv", encoding="utf-8") as handle:
        seeded = {row["statement"] for row in csv.DictReader(handle)}
    assert seeded == set(STATEMENTS)


@pytest.mark.parametrize(
    "path,single,measure",
    [
        (["收入", "金额"], True, "amount"),
        (["合计"], False, "total"),
        (["基本支出"], False, "basic"),
        (["基本支出", "人员支出"], False, "personnel"),  # 杭州: no basic total printed
        (["基本支出", "日常公用支出"], False, "public_use"),
        (["务用车购置及运行维护", "小计"], False, "official_vehicles"),  # 西安: 公 wrapped into the cell beside
        (["务用车购置及运行维护", "公务用车运行维护"], False, "vehicle_operation"),  # 费 wrapped away
        (["单位预留机动经费"], False, "reserve"),
        (["“三公”经费", "小计"], False, "three_public_subtotal"),
        (["“三公”经费", "公务用车购置及运行维护费", "小计"], False, "official_vehicles"),
        (["“三公”经费预算数", "公务用车购置及运行费", "购置费"], False, "vehicle_purchase"),
        (["收入预算", "事业单位经营收入"], False, "operating_income"),
    ],
)
def test_measure_vocabulary(path, single, measure):
    assert measure_for(path, single) == measure


def test_codes_split_over_columns_are_joined_with_two_digit_parts():
    assert join_code(["201", "05", "07"]) == "2010507"
    assert join_code(["301", "2"]) == "30102"
    assert join_code(["2010101"]) == "2010101"
    assert join_code([]) is None


def test_projects_named_after_the_region_are_not_units():
    """西安 2022 表10 (专项业务经费支出表, p27) lists the projects of 西安市气象局 under it: names that
    start with the region but end as an item (…专项, …业务费) stay the unit's rows."""
    from pipelines.extraction.classification import assign_budget_units
    from pipelines.extraction.lines import BudgetLine

    def row(number: int, name: str) -> BudgetLine:
        return BudgetLine(
            "project_expenditure", "main", None, name, "amount", Decimal(1), "1", "元", Decimal(1), 27, 12, number, 3
        )

    names = [
        "合计",
        "西安市气象局",
        "防雷及气象执法经费",
        "西安市气象局职工津补贴专项",
        "西安市人工影响天气常年作业项目维持业务费",
        "西安市气象服务中心",
    ]
    units = [l.budget_unit for l in assign_budget_units([row(i, n) for i, n in enumerate(names)], "西安市气象局")]
    assert units == [None, "西安市气象局", "西安市气象局", "西安市气象局", "西安市气象局", "西安市气象服务中心"]
