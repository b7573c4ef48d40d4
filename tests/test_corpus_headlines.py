"""Headline figures and metadata of every sample, against figures read off the pages.

Expected values: the Jiangsu figures come from the independent reference CSVs
(tests/data/reference, 万元); the Shanghai figures were read off the printed
pages by a person (page numbers in the comments).  None comes from this code.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from tests.conftest import DATA

WAN = Decimal(10000)


def wan(value: str) -> Decimal:
    return (Decimal(value) * WAN).quantize(Decimal("0.01"))


def yuan(value: str) -> Decimal:
    return Decimal(value.replace(",", "")).quantize(Decimal("0.01"))


# file → (department as printed, fiscal year, kind, scope, printed unit)
METADATA = {
    "jiangsu_npc_office_2017_budget.pdf": ("江苏省人大常委会办公厅", 2017, "budget", "department", "万元"),
    "jiangsu_npc_office_2018_budget.pdf": ("江苏省人大常委会办公厅", 2018, "budget", "department", "万元"),
    "jiangsu_npc_office_2019_budget_tables.pdf": ("江苏省人大常委会办公厅", 2019, "budget", "department", "万元"),
    "jiangsu_party_office_2017_budget_tables.pdf": ("中国共产党江苏省委员会办公厅", 2017, "budget", "department", "万元"),
    "jiangsu_party_office_2018_budget_tables.pdf": ("中共江苏省委办公厅", 2018, "budget", "department", "万元"),
    "jiangsu_party_office_2019_budget_tables.pdf": ("中共江苏省委办公厅", 2019, "budget", "department", "万元"),
    "jiangsu_procuratorate_2017_budget.pdf": ("江苏省人民检察院", 2017, "budget", "department", "万元"),
    "jiangsu_procuratorate_2018_budget.pdf": ("江苏省人民检察院", 2018, "budget", "department", "万元"),
    "jiangsu_procuratorate_2019_budget.pdf": ("江苏省人民检察院", 2019, "budget", "department", "万元"),
    "shanghai_putuo_gov_office_2025_budget.pdf": ("上海市普陀区人民政府办公室", 2025, "budget", "department", "元"),
    "shanghai_putuo_gov_office_2025_unit_budget.pdf": ("上海市普陀区人民政府办公室", 2025, "budget", "unit", "元"),
    "shanghai_putuo_planning_resources_2024_final_accounts.pdf": (
        "上海市普陀区规划和自然资源局", 2024, "final_accounts", "department", "万元"),
    "shanghai_putuo_wanli_street_2023_budget.pdf": ("上海市普陀区人民政府万里街道办事处", 2023, "budget", "department", "元"),
    "shanghai_putuo_wanli_street_2024_budget.pdf": ("上海市普陀区人民政府万里街道办事处", 2024, "budget", "department", "元"),
    "shanghai_putuo_wanli_street_2025_budget.pdf": ("上海市普陀区人民政府万里街道办事处", 2025, "budget", "department", "元"),
}

# Shanghai headline figures as printed.
SHANGHAI = {
    # p8 收支总表 收入总计/支出总计, 一、财政拨款收入; p12 支出预算总表 合计 row; p21 narrative 867.50万元
    "shanghai_putuo_gov_office_2025_budget.pdf": {
        "total_income": yuan("91,016,775.35"), "total_expenditure": yuan("91,016,775.35"),
        "fiscal_appropriation_income": yuan("91,016,775.35"),
        "basic_expenditure": yuan("24,606,775.35"), "project_expenditure": yuan("66,410,000.00"),
        "three_public_total": wan("867.50"),
    },
    "shanghai_putuo_gov_office_2025_unit_budget.pdf": {
        "total_income": yuan("91,016,775.35"), "total_expenditure": yuan("91,016,775.35"),
        "fiscal_appropriation_income": yuan("91,016,775.35"),
        "basic_expenditure": yuan("24,606,775.35"), "project_expenditure": yuan("66,410,000.00"),
        "three_public_total": wan("867.50"),
    },
    # p7 收入支出决算总表: 总计 9859.38 both sides, 一般公共预算财政拨款收入 9746.50; p10 支出决算表 合计
    "shanghai_putuo_planning_resources_2024_final_accounts.pdf": {
        "total_income": wan("9859.38"), "total_expenditure": wan("9859.38"),
        "fiscal_appropriation_income": wan("9746.50"),
        "basic_expenditure": wan("5377.64"), "project_expenditure": wan("4381.74"),
        # p17 财政拨款"三公"经费支出决算表: 预算数 2.85, 决算数 0.39 (p25: 支出决算为 0.39 万元)
        "three_public_total": wan("0.39"),
    },
    # p10 收支总表; p18 支出总表 合计; p28 三公 22.91万元
    "shanghai_putuo_wanli_street_2023_budget.pdf": {
        "total_income": yuan("164,978,640"), "total_expenditure": yuan("164,978,640"),
        "fiscal_appropriation_income": yuan("164,978,640"),
        "basic_expenditure": yuan("99,406,297"), "project_expenditure": yuan("65,572,343"),
        "three_public_total": wan("22.91"),
        "function:201": yuan("2,976,800"),
    },
    # p10; p20 合计 row; p31 三公 47.91万元
    "shanghai_putuo_wanli_street_2024_budget.pdf": {
        "total_income": yuan("156,211,123"), "total_expenditure": yuan("156,211,123"),
        "fiscal_appropriation_income": yuan("156,211,123"),
        "basic_expenditure": yuan("99,706,020"), "project_expenditure": yuan("56,505,103"),
        "three_public_total": wan("47.91"),
        "function:201": yuan("2,932,700"), "function:212": yuan("119,385,303"),
    },
    # p9; p18 合计 row; p29 三公 37.91万元
    "shanghai_putuo_wanli_street_2025_budget.pdf": {
        "total_income": yuan("189,767,551"), "total_expenditure": yuan("189,767,551"),
        "fiscal_appropriation_income": yuan("189,767,551"),
        "basic_expenditure": yuan("101,341,746"), "project_expenditure": yuan("88,425,805"),
        "three_public_total": wan("37.91"),
    },
}

# Reference CSV (department, fiscal year) → sample file.
JIANGSU = {
    ("江苏省人大办公厅", 2017): "jiangsu_npc_office_2017_budget.pdf",
    ("江苏省人大办公厅", 2018): "jiangsu_npc_office_2018_budget.pdf",
    ("江苏省人大办公厅", 2019): "jiangsu_npc_office_2019_budget_tables.pdf",
    ("江苏省委办公厅", 2017): "jiangsu_party_office_2017_budget_tables.pdf",
    ("江苏省委办公厅", 2018): "jiangsu_party_office_2018_budget_tables.pdf",
    ("江苏省委办公厅", 2019): "jiangsu_party_office_2019_budget_tables.pdf",
    ("江苏省人民检察院", 2017): "jiangsu_procuratorate_2017_budget.pdf",
    ("江苏省人民检察院", 2018): "jiangsu_procuratorate_2018_budget.pdf",
    ("江苏省人民检察院", 2019): "jiangsu_procuratorate_2019_budget.pdf",
}
REFERENCE_METRICS = {
    "收入合计": "total_income",
    "支出合计": "total_expenditure",
    "财政拨款": "fiscal_appropriation_income",
    "基本支出": "basic_expenditure",
    "项目支出": "project_expenditure",
    "单位预留机动经费": "reserve_expenditure",
}
# Function classes in the reference come from the summary's function column, which
# equals the general-public-budget table only when a department has no other funds.
REFERENCE_FUNCTIONS = {"一般公共服务支出": "201", "公共安全支出": "204", "社会保障和就业支出": "208", "住房保障支出": "221"}


def reference_rows() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for path in sorted((DATA / "reference").glob("*.csv")):
        department = path.stem.split("_")[0]
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                year = int(row[""][:4])
                rows.append((JIANGSU[(department, year)], row))
    return rows


def headlines(corpus, name: str) -> dict[str, Decimal]:
    _raw, parsed = corpus[name]
    return {h.metric: h.value_yuan for h in parsed.headlines}


def test_every_sample_is_covered(corpus):
    assert set(corpus) == set(METADATA)


@pytest.mark.parametrize("name", sorted(METADATA))
def test_metadata_read_from_the_page(corpus, name):
    meta = corpus[name][1].metadata
    assert (meta.department_name, meta.fiscal_year, meta.document_kind, meta.scope, meta.printed_unit) == METADATA[name]


@pytest.mark.parametrize("name,row", reference_rows(), ids=lambda v: v if isinstance(v, str) else "")
def test_jiangsu_headlines_match_reference(corpus, name, row):
    got = headlines(corpus, name)
    for column, metric in REFERENCE_METRICS.items():
        if row.get(column):
            assert got.get(metric) == wan(row[column]), f"{name} {metric}"
    if row["财政拨款"] == row["收入合计"]:  # no other funds: summary function column == 公开07表
        for column, code in REFERENCE_FUNCTIONS.items():
            if row.get(column):
                assert got.get(f"function:{code}") == wan(row[column]), f"{name} function:{code}"


@pytest.mark.parametrize("name", sorted(SHANGHAI))
def test_shanghai_headlines_match_the_page(corpus, name):
    got = headlines(corpus, name)
    for metric, expected in SHANGHAI[name].items():
        assert got.get(metric) == expected, f"{name} {metric}"


@pytest.mark.parametrize("name", sorted(METADATA))
def test_core_statements_found(corpus, name):
    statements = {s.statement for s in corpus[name][1].statements if s.lines}
    assert {"income_expenditure_summary", "expenditure_summary", "general_budget_expenditure_by_function"} <= statements


@pytest.mark.parametrize("name", sorted(METADATA))
def test_each_statement_found_once(corpus, name):
    """A statement found twice means a title was misread (e.g. a wrapped title cut in two)."""
    repeatable = {"unknown", "performance_targets"}
    found = [s.statement for s in corpus[name][1].statements if s.statement not in repeatable]
    assert len(found) == len(set(found))


@pytest.mark.parametrize("name", sorted(METADATA))
def test_no_parse_problems(corpus, name):
    assert corpus[name][1].problems == []
