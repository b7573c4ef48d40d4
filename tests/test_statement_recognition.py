"""Statements recognised by what they are: the national variety of titles, and
tables whose page prints no title, by their header vocabulary and row labels.

Titles are as printed in the nationwide corpus (tests/data/nationwide MANIFEST.tsv).
"""

from __future__ import annotations

import pytest

from pipelines.extraction.registry import classify_title, find_title


@pytest.mark.parametrize(
    "title,statement",
    [
        # Guangdong 表1–表12
        ("收支总体情况表", "income_expenditure_summary"),
        ("收入总体情况表", "income_summary"),
        ("本年支出总体情况表", "expenditure_summary"),
        ("财政拨款收支总体情况表", "fiscal_appropriation_summary"),
        ("一般公共预算支出情况表（按功能分类科目）", "general_budget_expenditure_by_function"),
        ("一般公共预算基本支出情况表（按经济分类科目）", "general_budget_basic_expenditure_by_economic_class"),
        ("一般公共预算项目支出情况表（按经济分类科目）", "project_expenditure"),
        ("财政拨款安排的行政经费及“三公”经费预算表", "three_public"),
        ("部门预算基本支出预算表", "basic_expenditure_by_economic_class"),
        ("部门预算项目支出及其他支出预算表", "project_expenditure"),
        # 西安 部门综合预算 表1–表13, with year prefixes, qualifiers and a typo
        ("表1 部门综合预算收支总表", "income_expenditure_summary"),
        ("2021年部综合预算收入总表", "income_summary"),
        ("2019年部门综合预算支出总表", "expenditure_summary"),
        ("部门综合预算财政拨款收支总表", "fiscal_appropriation_summary"),
        ("部门综合预算一般公共预算支出明细表（按支出功能分类科目）", "general_budget_expenditure_by_function"),
        ("2021年部门综合预算一般公共预算支出明细表（按支出经济分类科目-不含上年结转）",
         "general_budget_expenditure_by_economic_class"),
        ("部门综合预算一般公共预算基本支出明细表（按支出功能分类科目）", "general_budget_basic_expenditure_by_function"),
        ("2022年部门综合预算一般公共预算基本支出明细表（支出经济分类科目-不含上年结转）",
         "general_budget_basic_expenditure_by_economic_class"),
        ("2022年部门综合预算政府性基金收支表（不含上年结转）", "government_fund_expenditure"),
        ("2019年部门综合预算政府性基金收支总表", "government_fund_expenditure"),
        ("部门综合预算专项业务经费支出表（不含上年结转）", "project_expenditure"),
        ("2021年部门综合预算财政拨款上年结转资金支出表", "carried_over_expenditure"),
        ("表11-财拨结转支出表", "carried_over_expenditure"),
        ("部门综合预算政府采购（资产配置、购买服务）预算表（不含上年结转）", "procurement"),
        ("2021年部门综合预算一般公共预算拨款“三公”经费及会议费、培训费支出预算表（不含上年结转）", "three_public"),
        # 福建 一–十
        ("一、收支预算总表", "income_expenditure_summary"),
        ("五、一般公共预算拨款支出预算表", "general_budget_expenditure_by_function"),
        ("六、政府性基金预算拨款支出预算表", "government_fund_expenditure"),
        ("八、一般公共预算支出经济分类情况表", "general_budget_expenditure_by_economic_class"),
        ("九、一般公共预算基本支出经济分类情况表", "general_budget_basic_expenditure_by_economic_class"),
        # 北京 预算NN表, 深圳 表N, 杭州 表N：, 湖州 表NN glued to the year
        ("预算01表 收支总表", "income_expenditure_summary"),
        ("预算04表 财政拨款收支总表", "fiscal_appropriation_summary"),
        ("表8 一般公共预算支出表（按经济分类）", "general_budget_expenditure_by_economic_class"),
        ("表1：2026年市级部门收支预算总表", "income_expenditure_summary"),
        ("表11：2026年市级部门项目支出绩效表", "performance_targets"),
        ("表022026年市级部门收入预算总表", "income_summary"),
        ("表062026年市级部门一般公共预算基本支出表", "general_budget_basic_expenditure_by_economic_class"),
        # a number alone names no statement
        ("表3", None),
        ("预算02表", None),
    ],
)
def test_national_titles(title, statement):
    assert classify_title(title) == statement


def test_a_title_printed_as_a_number_line_over_a_name_line():
    assert find_title(["表1", "收支总体情况表", "单位名称：广州市信访局 单位：万元"]) == (
        "表1收支总体情况表", "income_expenditure_summary")
