"""Statements recognised by what they are: the national variety of titles, and
tables whose page prints no title, by their header vocabulary and row labels.

Titles are as printed in the nationwide corpus (tests/data/nationwide MANIFEST.tsv).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.extraction.headline import pick_headlines
from pipelines.extraction.lines import parse_statement
from pipelines.extraction.numbers import to_yuan
from pipelines.extraction.pdf import RawTable
from pipelines.extraction.registry import classify_title, find_title
from pipelines.extraction.statements import assemble


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
        (
            "2021年部门综合预算一般公共预算支出明细表（按支出经济分类科目-不含上年结转）",
            "general_budget_expenditure_by_economic_class",
        ),
        (
            "部门综合预算一般公共预算基本支出明细表（按支出功能分类科目）",
            "general_budget_basic_expenditure_by_function",
        ),
        (
            "2022年部门综合预算一般公共预算基本支出明细表（支出经济分类科目-不含上年结转）",
            "general_budget_basic_expenditure_by_economic_class",
        ),
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
        "表1收支总体情况表",
        "income_expenditure_summary",
    )


def test_a_title_after_its_table_number_wraps_onto_the_next_line():
    """Jiangsu's 公开09表:一般公共预算“三公”经费、会议费、培训费 / 支出预算表 is one title."""
    lines = ["公开 09 表:一般公共预算“三公”经费、会议费、培训费", "支出预算表", "部门: 江苏省人民检察院 单位:万元"]
    assert find_title(lines) == ("公开09表:一般公共预算“三公”经费、会议费、培训费支出预算表", "three_public")


# --- tables built cell by cell, as camelot reports them -------------------------------


def table(rows: list[list[str]], page: int = 1, index: int = 0, context: list[str] | None = None) -> RawTable:
    """A fully ruled table: every cell its own box."""
    width = len(rows[0])
    return RawTable(
        page=page,
        index=index,
        bbox=(0.0, 0.0, 100.0 * width, 500.0),
        cols=[(100.0 * c, 100.0 * (c + 1)) for c in range(width)],
        texts=rows,
        borders=[["LRTB"] * width for _ in rows],
        context=context or [],
    )


def lines_of(tables: list[RawTable]):
    result = []
    for statement in assemble(tables):
        result += parse_statement(statement, statement.unit or "万元")[0]
    return result


# 北京 预算01表: the title and the unit line are rows inside the ruled frame.
BEIJING_SUMMARY = [
    ["", "", "", "", ""],
    ["", "预算01表 收支总表", "", "", ""],
    ["", "", "", "金额单位：万元", ""],
    ["", "收    入", "", "支    出", ""],
    ["", "项    目", "预算数", "项    目", "预算数"],
    ["", "一、一般公共预算拨款收入", "112,859.652716", "一、一般公共服务支出", ""],
    ["", "五、事业收入", "1,563.478391", "八、社会保障和就业支出", "86,063.699335"],
    ["", "本年收入合计", "118,370.071798", "本年支出合计", "131,905.904856"],
    ["", "上年结转结余", "15,763.256473", "年终结转结余", "2,227.423415"],
    ["", "收入总计", "134,133.328271", "支出总计", "134,133.328271"],
]


def test_a_title_and_unit_printed_inside_the_frame_name_the_statement():
    [statement] = assemble([table(BEIJING_SUMMARY)])
    assert statement.statement == "income_expenditure_summary"
    assert statement.unit == "万元"
    headlines = {h.metric: h.value_yuan for h in pick_headlines(lines_of([table(BEIJING_SUMMARY)]))}
    # six decimals of 万元 are exact yuan
    assert headlines["total_income"] == Decimal("1341333282.71")
    assert headlines["total_expenditure"] == Decimal("1341333282.71")


def test_six_decimal_wan_yuan_is_exact():
    assert to_yuan(Decimal("134133.328271"), "万元") == Decimal("1341333282.71")


def untitled(rows: list[list[str]]) -> list[list[str]]:
    """The same table with its title row blanked: only the unit line is left (北京 附件2)."""
    return [["" if "表" in cell else cell for cell in row] for row in rows]


def test_an_untitled_summary_is_recognised_by_its_side_by_side_header_and_own_income():
    [statement] = assemble([table(untitled(BEIJING_SUMMARY))])
    assert statement.statement == "income_expenditure_summary"


def test_an_untitled_side_by_side_table_of_appropriations_only_is_the_appropriation_summary():
    rows = [
        ["", "金额单位：万元", "", ""],
        ["收    入", "", "支    出", ""],
        ["项    目", "预算数", "项    目", "预算数"],
        ["一、一般公共预算资金", "19,756.656053", "一、一般公共服务支出", ""],
        ["二、政府性基金预算资金", "", "五、教育支出", "189.784243"],
        ["收入总计", "19,756.656053", "支出总计", "19,756.656053"],
    ]
    [statement] = assemble([table(rows)])
    assert statement.statement == "fiscal_appropriation_summary"


EXPENDITURE_HEADER = [
    ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
    ["", "合计", "3,944.08", "3,204.78", "739.30"],
    ["201", "一般公共服务支出", "2,570.71", "1,831.41", "739.30"],
]


def test_the_expenditure_summary_by_its_header_is_taken_once():
    # a later untitled table with the same columns (国有资本经营预算支出表) is not a second summary
    first = table([["单位：万元", "", "", "", ""], *EXPENDITURE_HEADER], page=1, index=0)
    second = table([["单位：万元", "", "", "", ""], *EXPENDITURE_HEADER], page=5, index=1)
    assert [s.statement for s in assemble([first, second])] == ["expenditure_summary", "unknown"]


def test_a_titled_table_is_never_recognised_by_its_header():
    titled = table(EXPENDITURE_HEADER, context=["表9", "国有资本经营预算支出情况表", "单位：万元"])
    assert [s.statement for s in assemble([titled])] == ["state_capital_expenditure"]


def test_label_tails_wrapped_into_amount_cells_leave_the_amount():
    # 西安 2022: (4)其中:专项资金列入部门预 | 算的项目 0.00 ; 对个人和家庭的补 | 助1839311.66
    rows = [
        ["项    目", "预算数"],
        ["工资福利支出", "1732620.66"],
        ["商品和服务支出", "106691.00"],
        ["机关工资福利支出", "3055700.00"],
        ["其中:专项资金列入部门预", "算的项目\n0.00"],
        ["对个人和家庭的补", "助1839311.66"],
        ["机关资本性支出(一", ")"],
        ["合计", "1839311.66\n出"],
    ]
    lines, problems = parse_statement(
        assemble([table(rows, context=["表6", "一般公共预算支出明细表", "单位：元"])])[0], "元"
    )
    assert problems == []
    assert [(l.item_name, l.amount) for l in lines][3:] == [
        ("其中:专项资金列入部门预", Decimal("0.00")),
        ("对个人和家庭的补", Decimal("1839311.66")),
        ("合计", Decimal("1839311.66")),
    ]


def test_codes_as_printed_in_the_national_variety():
    rows = [
        ["功能科目编码", "功能科目名称", "合计", "基本支出", "项目支出"],
        ["**", "**", "1", "2", "3"],  # the columns' numbers: header, not amounts
        ["125001", "西安市安全生产监督管理局", "2,080.32", "1,071.87", "1,008.45"],  # a unit's code
        ["208", "社会保障和就业支出", "115.11", "115.11", ""],
        ["05", "行政事业单位离退休", "113.28", "113.28", ""],  # 款 printed as its two digits
        ["2080505", "机关事业单位基本养老保险缴费支出", "81.23", "81.23", ""],
    ]
    lines = lines_of([table(rows, context=["表5", "一般公共预算支出明细表（按支出功能分类科目）", "单位：万元"])])
    codes = [(l.item_code, l.item_name) for l in lines if l.measure == "total"]
    assert codes == [
        (None, "西安市安全生产监督管理局"),
        ("208", "社会保障和就业支出"),
        ("20805", "行政事业单位离退休"),
        ("2080505", "机关事业单位基本养老保险缴费支出"),
    ]


def test_codes_printed_in_the_name_cell():
    rows = [
        ["功能科目名称", "一般公共预算支出"],
        ["合计", "3,944.08"],
        ["[201]一般公共服务支出", "2,570.71"],
        ["2050803-培训支出", "63.00"],
    ]
    lines = lines_of([table(rows, context=["表5", "一般公共预算支出情况表(按功能分类科目)", "单位：万元"])])
    assert [(l.item_code, l.item_name) for l in lines] == [
        (None, "合计"),
        ("201", "一般公共服务支出"),
        ("2050803", "培训支出"),
    ]


def test_a_unit_code_column_and_a_second_classification_are_not_the_rows_code():
    rows = [
        ["部门经济科目编码", "部门经济科目名称", "政府经济科目编码", "政府经济科目名称", "合计"],
        ["30101", "基本工资", "50101", "工资奖金津补贴", "7,059,565.80"],
    ]
    [line] = lines_of([table(rows, context=["表6", "一般公共预算支出明细表（按支出经济分类科目）", "单位：元"])])
    assert line.item_code == "30101"
    income = [
        ["单位编码", "单位名称", "合计"],
        ["117001", "西安市审计局", "42,034,723.58"],
    ]
    [line] = lines_of([table(income, context=["表2", "部门综合预算收入总表", "单位：元"])])
    assert (line.item_code, line.item_name) == (None, "西安市审计局")


def test_the_department_row_is_the_total_of_a_summary_without_a_total_row():
    # 深圳 表3: no 合计 row; the department's row is the sum of its 类 rows
    rows = [
        ["预算单位", "科目编码", "科目名称", "支出总计", "基本支出", "项目支出"],
        ["深圳市审计局", "", "", "10,737.69", "9,206.23", "1,531.45"],
        ["", "201", "一般公共服务支出", "6,960.90", "5,466.52", "1,494.38"],
        ["", "208", "社会保障和就业支出", "3,776.79", "3,739.71", "37.07"],
    ]
    lines = lines_of([table(rows, context=["表 3", "支出总表", "部门名称：深圳市审计局 单位：万元"])])
    got = {h.metric: h.value_yuan for h in pick_headlines(lines)}
    assert got["basic_expenditure"] == Decimal("92062300.00")
    assert got["project_expenditure"] == Decimal("15314500.00")


def test_a_first_row_that_is_not_the_sum_of_what_follows_is_no_total():
    rows = [
        ["预算单位", "科目编码", "科目名称", "支出总计", "基本支出", "项目支出"],
        ["某某单位", "", "", "100.00", "60.00", "40.00"],
        ["", "201", "一般公共服务支出", "70.00", "50.00", "20.00"],
    ]
    lines = lines_of([table(rows, context=["表 3", "支出总表", "单位：万元"])])
    assert not {"basic_expenditure", "project_expenditure"} & {h.metric for h in pick_headlines(lines)}


def test_three_public_as_rows():
    # 广东 表8: 行政经费 is printed above the 三公 subtotal, not part of it
    rows = [
        ["项目", "合计", "一般公共预算"],
        ["行政经费", "444.39", "444.39"],
        ["“三公”经费", "4.80", "4.80"],
        ["其中：（一）因公出国（境）支出", "0.00", "0.00"],
        ["（三）公务接待费支出", "2.30", "2.30"],
    ]
    lines = lines_of([table(rows, context=["表8", "财政拨款安排的行政经费及“三公”经费预算表", "单位：万元"])])
    got = {h.metric: h.value_yuan for h in pick_headlines(lines)}
    assert got["three_public_total"] == Decimal("48000.00")


def test_three_public_printed_for_several_years_side_by_side_is_withheld():
    rows = [
        ["单位名称", "2021年", "", "2022年", "", "增减变化情况", ""],
        ["", "合计", "“三公”经费小计", "合计", "“三公”经费小计", "合计", "“三公”经费小计"],
        ["合计", "12240", "2720", "0", "0", "-12240", "-2720"],
    ]
    lines = lines_of([table(rows, context=["表13", "一般公共预算拨款“三公”经费、会议费、培训费表", "金额单位：元"])])
    assert "three_public_total" not in {h.metric for h in pick_headlines(lines)}


def test_a_continuation_page_printed_with_another_margin_continues_the_statement():
    # 西安 表6 over three pages: the second page prints the same columns 4–9 points to the side
    header = ["部门经济科目编码", "部门经济科目名称", "合计"]
    first = table(
        [header, ["301", "工资福利支出", "100.00"]],
        page=35,
        index=0,
        context=["表6", "一般公共预算支出明细表（按支出经济分类科目）", "单位：万元"],
    )
    second = table([["30203", "咨询费", "4.50"]], page=36, index=1)
    second.cols = [(a + 9.0, b + 9.0) for a, b in second.cols]
    [statement] = assemble([first, second])
    assert statement.pages == [35, 36]
    lines, _ = parse_statement(statement, "万元")
    assert [(l.item_code, l.amount) for l in lines] == [("301", Decimal("100.00")), ("30203", Decimal("4.50"))]


def test_three_public_items_split_by_fund_source():
    # 深圳 表9: 总计 and each item over 一般公共预算 | 政府性基金预算 | 国有资本经营预算
    rows = [
        ["预算单位", "总计", "", "", "因公出国（境）费", "", ""],
        [
            "",
            "一般公共预算",
            "政府性基金预算",
            "国有资本经营预算",
            "一般公共预算",
            "政府性基金预算",
            "国有资本经营预算",
        ],
        ["深圳市审计局", "35.10", "0.00", "0.00", "28.00", "0.00", "0.00"],
    ]
    borders = [["LRTB"] * 7 for _ in rows]
    for row in (0,):  # 总计 and 因公出国（境）费 each span their three columns
        for col in (1, 2, 4, 5):
            borders[row][col] = borders[row][col].replace("R", "")
        for col in (2, 3, 5, 6):
            borders[row][col] = borders[row][col].replace("L", "")
    three_public = table(rows, context=["表 9", "财政拨款“三公”经费支出表", "单位：万元"])
    three_public.borders = borders
    lines = lines_of([three_public])
    assert [(l.measure, l.amount) for l in lines][:4] == [
        ("total:一般公共预算", Decimal("35.10")),
        ("total:政府性基金预算", Decimal("0.00")),
        ("total:国有资本经营预算", Decimal("0.00")),
        ("outbound_travel:一般公共预算", Decimal("28.00")),
    ]
    got = {h.metric: h.value_yuan for h in pick_headlines(lines)}
    assert got["three_public_total"] == Decimal("351000.00")  # the other funds print 0.00
