"""The analyst queries of docs/queries.sql, run on the warehouse built from every sample.

Each "-- name:" block is one query; each must read marts.* only and return the
figures a person can check: the Jiangsu reference CSVs (tests/data/reference, 万元,
an independent parser) and the Shanghai figures read off the pages
(tests/support/references.SHANGHAI). Expected values are computed here from those
figures, never from the warehouse.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.integration.test_yoy_reference import REFERENCE, canonical, percent, wan
from tests.support.references import JIANGSU, SHANGHAI
from tests.support.references import SAMPLE_METADATA as METADATA

QUERIES_SQL = Path(__file__).resolve().parents[2] / "docs" / "queries.sql"
EXPECTED_QUERIES = {
    "total_budget_change",
    "basic_vs_project",
    "function_class_spending",
    "three_public_by_year",
    "budget_vs_final",
    "figure_provenance",
    "prose_table_disagreements",
    "yoy_including_narrative",
    "real_terms_growth",
}
WANLI = "上海市普陀区人民政府万里街道办事处"
GOV_OFFICE = "上海市普陀区人民政府办公室"
PLANNING = "上海市普陀区规划和自然资源局"
WANLI_FILES = {year: f"shanghai_putuo_wanli_street_{year}_budget.pdf" for year in (2023, 2024, 2025)}
PLANNING_FILE = "shanghai_putuo_planning_resources_2024_final_accounts.pdf"
GOV_OFFICE_FILE = "shanghai_putuo_gov_office_2025_budget.pdf"
JIANGSU_YEARS = (2017, 2018, 2019)
JIANGSU_DEPARTMENTS = sorted({department for department, _year in REFERENCE})


def parse_queries(text: str) -> dict[str, str]:
    """'-- name: x' starts query x; its body runs to the next name line (trailing ';' dropped)."""
    parts = re.split(r"^--\s*name:\s*(\S+)\s*$", text, flags=re.MULTILINE)
    queries = {}
    for name, body in zip(parts[1::2], parts[2::2]):
        assert name not in queries, f"query {name} defined twice"
        queries[name] = body.strip().rstrip(";").strip()
    return queries


QUERIES = parse_queries(QUERIES_SQL.read_text(encoding="utf-8"))


def rows_of(con, name: str) -> list[dict]:
    cursor = con.execute(QUERIES[name])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def one(rows: list[dict], **where) -> dict:
    found = [row for row in rows if all(row[k] == v for k, v in where.items())]
    assert len(found) == 1, f"{where}: {len(found)} rows"
    return found[0]


@pytest.fixture(scope="module")
def results(con) -> dict[str, list[dict]]:
    return {name: rows_of(con, name) for name in QUERIES}


# ---------------------------------------------------------------- the file itself


def test_one_query_per_question():
    assert set(QUERIES) == EXPECTED_QUERIES
    text = QUERIES_SQL.read_text(encoding="utf-8")
    for name in QUERIES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        # the name line is followed by a comment stating the question
        following = text.split(f"-- name: {name}\n", 1)[1].splitlines()[0]
        assert following.startswith("-- ") and len(following) > 20, name


@pytest.mark.parametrize("name", sorted(EXPECTED_QUERIES))
def test_query_reads_marts_only(name):
    sql = re.sub(r"--[^\n]*", "", QUERIES[name])
    tables = re.findall(r"\b(?:from|join)\s+([\w.]+)", sql, flags=re.IGNORECASE)
    assert tables, name
    assert all(table.startswith("marts.") for table in tables), (name, tables)


@pytest.mark.parametrize("name", sorted(EXPECTED_QUERIES))
def test_query_runs_and_returns_rows(results, name):
    assert results[name], name


# ---------------------------------------------------------------- (a) total budget change


def test_total_budget_change_jiangsu(results):
    rows = results["total_budget_change"]
    for department in JIANGSU_DEPARTMENTS:
        for year in JIANGSU_YEARS:
            row = one(rows, department=canonical(department), fiscal_year=year)
            total = wan(REFERENCE[(department, year)]["支出合计"])
            assert row["total_expenditure_yuan"] == total
            if year == 2017:
                assert (row["change_yuan"], row["change_pct"], row["growth_rank_in_year"]) == (None, None, None)
            else:
                previous = wan(REFERENCE[(department, year - 1)]["支出合计"])
                assert row["previous_total_expenditure_yuan"] == previous
                assert row["change_yuan"] == total - previous
                assert row["change_pct"] == percent(total - previous, previous)
            assert row["province"] == "江苏省"


def test_total_budget_change_names_who_grew_most(results):
    rows = results["total_budget_change"]
    for year in (2018, 2019):
        growth = {
            canonical(d): percent(
                wan(REFERENCE[(d, year)]["支出合计"]) - wan(REFERENCE[(d, year - 1)]["支出合计"]),
                wan(REFERENCE[(d, year - 1)]["支出合计"]),
            )
            for d in JIANGSU_DEPARTMENTS
        }
        fastest = max(growth, key=growth.get)
        year_rows = [row for row in rows if row["fiscal_year"] == year]
        # the query orders each year by its growth rank: the first row grew most
        assert year_rows[0]["department"] == fastest
        assert year_rows[0]["growth_rank_in_year"] == 1
        assert [row["department"] for row in year_rows] == sorted(growth, key=growth.get, reverse=True)


def test_total_budget_change_shanghai(results):
    rows = results["total_budget_change"]
    totals = {year: SHANGHAI[WANLI_FILES[year]]["total_expenditure"] for year in WANLI_FILES}
    first = one(rows, department=WANLI, fiscal_year=2023)
    assert first["total_expenditure_yuan"] == Decimal("164978640.00")
    assert first["change_yuan"] is None
    for year in (2024, 2025):
        row = one(rows, department=WANLI, fiscal_year=year)
        change = totals[year] - totals[year - 1]
        assert row["total_expenditure_yuan"] == totals[year]
        assert row["change_yuan"] == change
        assert row["change_pct"] == percent(change, totals[year - 1])
        # the only department with a previous year in 2024 and 2025
        assert row["growth_rank_in_year"] == 1
        assert (row["province"], row["city"], row["district"]) == ("上海市", "上海市", "普陀区")
    # 156,211,123 − 164,978,640 = −8,767,517 (−5.31 %); 189,767,551 − 156,211,123 = 33,556,428 (21.48 %)
    assert one(rows, department=WANLI, fiscal_year=2024)["change_yuan"] == Decimal("-8767517.00")
    assert one(rows, department=WANLI, fiscal_year=2024)["change_pct"] == Decimal("-5.31")
    assert one(rows, department=WANLI, fiscal_year=2025)["change_pct"] == Decimal("21.48")


# ---------------------------------------------------------------- (b) basic vs project


def test_basic_vs_project_jiangsu(results):
    rows = results["basic_vs_project"]
    for department in JIANGSU_DEPARTMENTS:
        for year in JIANGSU_YEARS:
            row = one(rows, department=canonical(department), fiscal_year=year, document_kind="budget")
            ref = REFERENCE[(department, year)]
            total, basic, project = (wan(ref[c]) for c in ("支出合计", "基本支出", "项目支出"))
            assert (row["total_expenditure_yuan"], row["basic_expenditure_yuan"], row["project_expenditure_yuan"]) == (
                total,
                basic,
                project,
            )
            assert row["basic_share_pct"] == percent(basic, total)
            assert row["project_share_pct"] == percent(project, total)
            if year > 2017:
                previous_basic = wan(REFERENCE[(department, year - 1)]["基本支出"])
                previous_project = wan(REFERENCE[(department, year - 1)]["项目支出"])
                assert row["basic_change_yuan"] == basic - previous_basic
                assert row["basic_change_pct"] == percent(basic - previous_basic, previous_basic)
                assert row["project_change_yuan"] == project - previous_project
                assert row["project_change_pct"] == percent(project - previous_project, previous_project)


@pytest.mark.parametrize("file_name", [*WANLI_FILES.values(), GOV_OFFICE_FILE, PLANNING_FILE])
def test_basic_vs_project_shanghai(results, file_name):
    department, year, kind, _scope, _unit = METADATA[file_name]
    printed = SHANGHAI[file_name]
    row = one(results["basic_vs_project"], department=department, fiscal_year=year, document_kind=kind)
    assert row["total_expenditure_yuan"] == printed["total_expenditure"]
    assert row["basic_expenditure_yuan"] == printed["basic_expenditure"]
    assert row["project_expenditure_yuan"] == printed["project_expenditure"]


def test_basic_vs_project_shanghai_changes(results):
    rows = results["basic_vs_project"]
    for year in (2024, 2025):
        row = one(rows, department=WANLI, fiscal_year=year, document_kind="budget")
        for part in ("basic", "project"):
            now = SHANGHAI[WANLI_FILES[year]][f"{part}_expenditure"]
            before = SHANGHAI[WANLI_FILES[year - 1]][f"{part}_expenditure"]
            assert row[f"{part}_change_yuan"] == now - before
            assert row[f"{part}_change_pct"] == percent(now - before, before)


# ---------------------------------------------------------------- (c) function classes

# reference column → function class (类) code
REFERENCE_FUNCTIONS = {
    "一般公共服务支出": "201",
    "公共安全支出": "204",
    "社会保障和就业支出": "208",
    "住房保障支出": "221",
}


def jiangsu_function_years() -> list[tuple[str, int]]:
    """Documents whose summary function column equals the general-budget table: no other funds."""
    return [
        (department, year)
        for (department, year), row in sorted(REFERENCE.items())
        if row["财政拨款"] == row["收入合计"]
    ]


def test_function_class_spending_jiangsu(results):
    rows = results["function_class_spending"]
    checked = jiangsu_function_years()
    assert len(checked) >= 6  # 人大 2017–2019, 省委办公厅 2018–2019, 检察院 2019
    for department, year in checked:
        for column, code in REFERENCE_FUNCTIONS.items():
            if not REFERENCE[(department, year)].get(column):
                continue
            row = one(rows, department=canonical(department), fiscal_year=year, code=code, document_kind="budget")
            amount = wan(REFERENCE[(department, year)][column])
            assert row["level"] == "类"
            assert row["amount_yuan"] == amount, (department, year, code)
            if (department, year - 1) in checked:
                previous = wan(REFERENCE[(department, year - 1)][column])
                assert row["previous_amount_yuan"] == previous
                assert row["change_yuan"] == amount - previous
                assert row["change_pct"] == percent(amount - previous, previous)


def test_function_class_spending_shanghai(results):
    rows = results["function_class_spending"]
    by_year = {year: SHANGHAI[WANLI_FILES[year]] for year in WANLI_FILES}
    row_2023 = one(rows, department=WANLI, fiscal_year=2023, code="201")
    row_2024 = one(rows, department=WANLI, fiscal_year=2024, code="201")
    assert row_2023["amount_yuan"] == by_year[2023]["function:201"]  # 2,976,800
    assert row_2024["amount_yuan"] == by_year[2024]["function:201"]  # 2,932,700
    change = by_year[2024]["function:201"] - by_year[2023]["function:201"]
    assert (row_2024["previous_amount_yuan"], row_2024["change_yuan"], row_2024["change_pct"]) == (
        by_year[2023]["function:201"],
        change,
        percent(change, by_year[2023]["function:201"]),
    )
    assert change == Decimal("-44100.00")
    assert one(rows, department=WANLI, fiscal_year=2024, code="212")["amount_yuan"] == by_year[2024]["function:212"]
    assert row_2024["name"] == "一般公共服务支出"


def test_function_class_spending_levels_and_names(results):
    rows = results["function_class_spending"]
    assert {row["level"] for row in rows} == {"类", "款"}
    assert all(len(row["code"]) == (3 if row["level"] == "类" else 5) for row in rows)
    names = {}
    for row in rows:
        names.setdefault(row["code"], set()).add(row["name"])
    # one current name per code over every department and year
    assert all(len(n) == 1 for n in names.values()), {c: n for c, n in names.items() if len(n) > 1}


# ---------------------------------------------------------------- (d) 三公


def test_three_public_by_year_shanghai(results):
    rows = results["three_public_by_year"]
    printed = {year: SHANGHAI[WANLI_FILES[year]]["three_public_total"] for year in WANLI_FILES}
    assert printed == {2023: wan("22.91"), 2024: wan("47.91"), 2025: wan("37.91")}
    for year in WANLI_FILES:
        row = one(rows, department=WANLI, fiscal_year=year, measure="three_public_subtotal")
        assert row["amount_yuan"] == printed[year]
        if year == 2023:
            assert row["previous_amount_yuan"] is None
        else:
            change = printed[year] - printed[year - 1]
            assert (row["previous_amount_yuan"], row["change_yuan"], row["change_pct"]) == (
                printed[year - 1],
                change,
                percent(change, printed[year - 1]),
            )
    # 47.91 − 22.91 = 25.00 万元 (+109.12 %); 37.91 − 47.91 = −10.00 万元 (−20.87 %)
    assert one(rows, department=WANLI, fiscal_year=2024, measure="three_public_subtotal")["change_pct"] == Decimal(
        "109.12"
    )
    assert one(rows, department=WANLI, fiscal_year=2025, measure="three_public_subtotal")["change_yuan"] == wan(
        "-10.00"
    )
    office = one(rows, department=GOV_OFFICE, fiscal_year=2025, measure="three_public_subtotal")
    assert office["amount_yuan"] == SHANGHAI[GOV_OFFICE_FILE]["three_public_total"]  # 867.50 万元


def test_three_public_parts_add_up(results):
    """出国（境）+ 公务接待 + 公务用车 = the 三公 subtotal, as the tables print it."""
    rows = results["three_public_by_year"]
    keys = {(r["department"], r["fiscal_year"], r["document_kind"]) for r in rows}
    subtotals = 0
    for key in keys:
        got = {
            r["measure"]: r["amount_yuan"]
            for r in rows
            if (r["department"], r["fiscal_year"], r["document_kind"]) == key
        }
        if "three_public_subtotal" in got:
            subtotals += 1
            parts = sum(got.get(m, Decimal(0)) for m in ("outbound_travel", "official_reception", "official_vehicles"))
            assert parts == got["three_public_subtotal"], key
    assert subtotals >= 10


# ---------------------------------------------------------------- (e) budget vs final


def test_budget_vs_final_one_sided_final(results):
    rows = results["budget_vs_final"]
    printed = SHANGHAI[PLANNING_FILE]
    for metric in (
        "total_income",
        "total_expenditure",
        "basic_expenditure",
        "project_expenditure",
        "fiscal_appropriation_income",
    ):
        row = one(rows, department=PLANNING, fiscal_year=2024, metric=metric)
        # the corpus has no 2024 budget of this department: the budget side is empty
        assert (row["budget_yuan"], row["final_yuan"], row["difference_yuan"], row["execution_rate_pct"]) == (
            None,
            printed[metric],
            None,
            None,
        ), metric


def test_budget_vs_final_one_sided_budget(results):
    rows = results["budget_vs_final"]
    for department in JIANGSU_DEPARTMENTS:
        for year in JIANGSU_YEARS:
            for column, metric in (
                ("支出合计", "total_expenditure"),
                ("基本支出", "basic_expenditure"),
                ("项目支出", "project_expenditure"),
            ):
                row = one(rows, department=canonical(department), fiscal_year=year, metric=metric)
                assert (row["budget_yuan"], row["final_yuan"], row["execution_rate_pct"]) == (
                    wan(REFERENCE[(department, year)][column]),
                    None,
                    None,
                )
    row = one(rows, department=WANLI, fiscal_year=2024, metric="total_expenditure")
    assert (row["budget_yuan"], row["final_yuan"]) == (SHANGHAI[WANLI_FILES[2024]]["total_expenditure"], None)


# ---------------------------------------------------------------- (f) provenance


def test_figure_provenance_points_at_the_printed_cell(con, results):
    rows = results["figure_provenance"]
    expected = {  # (department as printed, year) → (file, value)
        (WANLI, 2023): (WANLI_FILES[2023], SHANGHAI[WANLI_FILES[2023]]["function:201"]),
        (WANLI, 2024): (WANLI_FILES[2024], SHANGHAI[WANLI_FILES[2024]]["function:201"]),
    }
    for department, year in jiangsu_function_years():
        if REFERENCE[(department, year)].get("一般公共服务支出"):  # the procuratorate has no 201
            file_name = JIANGSU[(department, year)]
            expected[(METADATA[file_name][0], year)] = (
                file_name,
                wan(REFERENCE[(department, year)]["一般公共服务支出"]),
            )
    assert len(expected) >= 7
    for (printed_name, year), (file_name, value) in expected.items():
        row = one(rows, department_as_printed=printed_name, fiscal_year=year)
        assert (row["file_name"], row["value_yuan"], row["item_code"]) == (file_name, value, "201")
        assert row["statement"] == "general_budget_expenditure_by_function"
        unit = {"万元": Decimal(10000), "元": Decimal(1)}[row["printed_unit"]]
        assert Decimal(row["printed_amount"].replace(",", "")) * unit == value
        # the page / table / row / column hold that text in the extracted PDF cells
        (cell,) = con.execute(
            "SELECT text FROM raw.extracted_cell WHERE document_id = ? AND page = ? AND table_index = ? "
            "AND row_index = ? AND col_index = ?",
            [row["document_id"], row["source_page"], row["source_table"], row["source_row"], row["source_col"]],
        ).fetchone()
        assert cell.strip() == row["printed_amount"]
    # Putuo 2024's 一般公共服务支出 is printed on page 22
    assert one(rows, department_as_printed=WANLI, fiscal_year=2024)["source_page"] == 22
    # the party office's 2017 figure is filed under its canonical name
    assert one(rows, department_as_printed="中国共产党江苏省委员会办公厅", fiscal_year=2017)["department"] == canonical(
        "江苏省委办公厅"
    )
