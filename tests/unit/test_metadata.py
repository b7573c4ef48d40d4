"""Department, year, kind and scope read from what a document prints, on text typed from real pages.

Names are compared as the code normalises all text (NFKC): a printed ``（本级）`` reads ``(本级)``.
"""

from __future__ import annotations

import pytest

from pipelines.extraction.metadata import MetadataError, is_organisation_name, read_metadata
from pipelines.extraction.text import compact


@pytest.mark.parametrize(
    "printed",
    [
        "江苏省高级人民法院",
        "泉州市公安局（本级）",
        "西安市行政审批服务局（汇总）",
        "上海市普陀区人民政府万里街道办事处",
        "北京市人民政府国有资产监督管理委员会",
        "中共西安市委宣传部",
        "福州市公安局巡特警支队",
        "珠海市政府投资交通市政项目工务中心",
        "江苏省人大常委会办公厅",
        "财政部",
        "中共某市委“两新”工作委员会",  # a quoted programme inside a name
    ],
)
def test_organisation_names(printed):
    assert is_organisation_name(compact(printed))


@pytest.mark.parametrize(
    "printed",
    [
        "第二部分",
        "三、部门主要工作任务.........................2第二部分",
        "目录第一部分广州市气象局概况一、主要职责二、部门机构设置三、部门预算构成第二部分",
        "年度苏州市自然资源和规划局单位预算公开苏州市自然资源和规划局",
        "机构设置二、2020年度部门工作任务三、部门预算单位构成四、部门人员情况说明五、",
        "（一）主要职能",
        "一、收支预算总表",
        "收支总表",
        "上海市普陀区",  # a region, printed before the year of 上海市普陀区2025年区级部门预算
        "江苏省人大",  # a name cut by a line break
        "福州市鼓楼生态环境局的主要职责是",
        "办公室",
        "……",
        "- 1 -",
        "",
    ],
)
def test_headings_contents_lines_and_fragments_are_not_names(printed):
    assert not is_organisation_name(compact(printed))


def metadata(pages, context=(), titles=(), units=(), rows=()):
    return read_metadata(list(pages), list(context), list(titles), list(units), table_rows=list(rows))


def test_cover_title_wrapped_over_two_lines():
    meta = metadata(["1\n2018 年度江苏省高级\n人民法院预算公开\n", "目 录\n第一部分 部门概况\n"])
    assert (meta.department_name, meta.fiscal_year, meta.document_kind, meta.scope) == (
        "江苏省高级人民法院",
        2018,
        "budget",
        "department",
    )


def test_cover_title_over_four_lines_of_a_unit_budget():
    meta = metadata(["2026 年度\n泉州市市场监管综合监测\n与技术保障中心\n单位预算\n"])
    assert (meta.department_name, meta.fiscal_year, meta.scope) == (
        "泉州市市场监管综合监测与技术保障中心",
        2026,
        "unit",
    )


def test_cover_title_with_the_name_before_the_year():
    meta = metadata(["湖州市交通运输局 2026 年部门预算\n"])
    assert (meta.department_name, meta.fiscal_year, meta.scope) == ("湖州市交通运输局", 2026, "department")


def test_contents_lines_are_not_taken_for_the_department():
    cover = "2026年\n广州市气象局部门预算\n"
    contents = (
        "目 录\n第一部分 广州市气象局概况\n一、主要职责\n二、部门机构设置\n三、部门预算构成\n"
        "第二部分 2026年部门预算表\n一、收支总体情况表\n"
    )
    assert metadata([cover, contents]).department_name == "广州市气象局"


def test_dotted_contents_lines_give_no_name_and_the_cover_does():
    contents = (
        "目 录\n第一部分 部门概况......................... 1 \n"
        "三、部门主要工作任务.........................2\n"
        "第二部分 2026 年度部门预算表 ............... 6 \n"
    )
    meta = metadata(["2026 年度\n泉州市公安局\n部门预算\n", contents])
    assert (meta.department_name, meta.fiscal_year) == ("泉州市公安局", 2026)


def test_a_table_only_attachment_names_its_department_in_a_late_table():
    """北京's 附件2: no cover; 预算13表 prints 部门名称 and the year in its cells."""
    first_page = "预算01表 收支总表\n金额单位:万元\n收 入 支 出\n项 目 预算数 项 目 预算数\n"
    rows = [
        ["", "预算13表 部门整体支出绩效目标表\n", "", ""],
        ["", "(2026年度)\n", "", ""],
        ["", "部门名称\n", "", "北京市重大项目建设指挥部办公室\n"],
    ]
    meta = metadata([first_page, ""], units=["万元"], rows=rows)
    assert (meta.department_name, meta.fiscal_year, meta.scope) == (
        "北京市重大项目建设指挥部办公室",
        2026,
        "department",
    )


def test_a_supervising_department_cell_does_not_name_a_units_document():
    """In a unit's 绩效目标表, 主管部门 is the department above the unit."""
    rows = [["单位名称", "福州市公安局巡特警支队"]] + [["主管部门", "福州市公安局"]] * 6
    meta = metadata(["2026 年度单位预算\n"], rows=rows)
    assert (meta.department_name, meta.scope) == ("福州市公安局巡特警支队", "unit")


def test_a_header_repeated_on_every_page_does_not_outvote_the_cover_and_the_contents():
    cover = "上海市普陀区规划和自然\n资源局 \n2024 年度部门决算 \n"
    contents = (
        "目 录 \n第一部分 上海市普陀区规划和自然资源局概况\n"
        "第二部分 上海市普陀区规划和自然资源局 2024 年度部门决算\n表\n"
        "第三部分 上海市普陀区规划和自然资源局 2024 年度部门决算\n情况说明\n"
    )
    header = "上海市规划和自然资源局 2024 年度部门决算表"
    meta = metadata([cover, contents], context=[header] * 10, titles=["收入支出决算总表", "支出决算表"])
    assert (meta.department_name, meta.fiscal_year, meta.document_kind) == (
        "上海市普陀区规划和自然资源局",
        2024,
        "final_accounts",
    )


def test_labels_above_the_tables_name_the_department_when_the_cover_names_a_region():
    cover = "上海市2026年市级单位预算\n预算单位:上海市审计局\n"
    context = ["2026年预算单位财务收支预算总表", "编制单位:上海市审计局 单位:元"]
    meta = metadata([cover], context=context, titles=["2026年预算单位财务收支预算总表"], units=["元"])
    assert (meta.department_name, meta.fiscal_year, meta.scope, meta.printed_unit) == (
        "上海市审计局",
        2026,
        "unit",
        "元",
    )


def test_a_unit_label_and_page_headers_of_a_unit_budget():
    header = "苏州市自然资源和规划局 2026 年度单位预算公开"
    context = [header, "公开 01 表", "收支总表", "单位:苏州市自然资源和规划局 单位:万元"]
    meta = metadata(["2026 年度 \n苏州市自然资源和规划局 \n单位预算公开\n", header], context=context)
    assert (meta.department_name, meta.scope) == ("苏州市自然资源和规划局", "unit")


def test_scope_notes_stay_in_the_name_as_printed():
    consolidated = metadata(
        ["西安市审计局（汇总）\n2026年部门预算公开说明\n"],
        rows=[["部门(单位)名称", "西安市审计局"]],
    )
    assert (consolidated.department_name, consolidated.scope) == ("西安市审计局(汇总)", "department")
    own_unit = metadata(["2026 年度\n泉州市公安局（本级）\n单位预算\n"])
    assert (own_unit.department_name, own_unit.scope) == ("泉州市公安局(本级)", "unit")


def test_a_department_budget_of_a_benji_department_stays_a_department_budget():
    """深圳's cover prints 部门预算: the (本级) in the name does not make it a unit's budget."""
    meta = metadata(
        ["2026 年深圳市公安局交通管理局(本\n级)部门预算\n"],
        context=["表 1", "收支总表", "部门名称:深圳市公安局交通管理局（本级） 单位:万元"],
        titles=["表1收支总表"],
    )
    assert (meta.department_name, meta.fiscal_year, meta.scope) == ("深圳市公安局交通管理局(本级)", 2026, "department")


def test_a_benji_name_makes_a_units_budget_where_no_scope_word_is_printed():
    meta = metadata(["收支总表\n"], context=["部门名称:无锡市教育局（本级） 单位:万元", "(2026年度)"])
    assert (meta.department_name, meta.fiscal_year, meta.scope) == ("无锡市教育局(本级)", 2026, "unit")


def test_without_a_cover_the_year_is_voted_over_titles_and_period_lines():
    context = [
        "部门:中国共产党江苏省委员会办公厅 单位:万元",
        "2017年政府采购预算表",
    ] + ["编制日期:2016年12月"] * 3  # a date, not a budget year
    titles = ["收支预算总表", "2017年政府采购预算表", "2016年预算执行情况表"]
    meta = metadata(["部门:中国共产党江苏省委员会办公厅 单位:万元\n"], context=context, titles=titles)
    assert (meta.department_name, meta.fiscal_year) == ("中国共产党江苏省委员会办公厅", 2017)


def test_a_document_that_names_no_organisation_is_refused_with_the_reason():
    contents = "目 录\n第一部分 部门概况\n三、部门主要工作任务.........2\n第二部分 2026 年度部门预算表\n"
    with pytest.raises(MetadataError, match="no department printed"):
        metadata(["2026 年度部门预算\n", contents], context=["部门: 单位:万元"])


def test_a_date_alone_is_no_fiscal_year():
    with pytest.raises(MetadataError, match="no fiscal year"):
        metadata(["部门:江苏省人民检察院\n"], context=["2026年1月"], titles=["收支预算总表"])
