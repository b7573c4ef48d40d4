"""The prose's claims in the sample warehouse, against the printed tables.

Expected figures are read off the pages (pdftotext -layout) and from the Jiangsu
reference CSVs (tests/data/reference, an independent parser), never from the warehouse.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from tests.integration.test_yoy_reference import PROSE_PREVIOUS_TOTAL, REFERENCE, canonical, wan

# The later Jiangsu budgets whose prose states the change of the totals, with the page and
# the figures as printed (收、支预算总计 X 万元，与上年相比收、支预算总计各增加 Y 万元).
PROSE_TOTALS = {
    ("jiangsu_npc_office_2018_budget.pdf", "江苏省人大办公厅", 2018): ("15897.44", "2248.37"),
    ("jiangsu_procuratorate_2018_budget.pdf", "江苏省人民检察院", 2018): ("21955.35", "3958.67"),
    ("jiangsu_procuratorate_2019_budget.pdf", "江苏省人民检察院", 2019): ("24169.74", "2214.39"),
}
REFERENCE_COLUMN = {"total_income": "收入合计", "total_expenditure": "支出合计"}


def _checks(con, file_name: str, subject: str, check_name: str) -> list[dict]:
    cursor = con.execute(
        "SELECT * FROM marts.narrative_check WHERE file_name = ? AND subject = ? AND check_name = ?",
        [file_name, subject, check_name],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def test_implied_previous_totals_equal_the_previous_documents_or_are_listed_with_their_difference(con):
    for (file_name, department, year), (total, change) in PROSE_TOTALS.items():
        implied = wan(total) - wan(change)
        for subject, column in REFERENCE_COLUMN.items():
            printed_previous = wan(REFERENCE[(department, year - 1)][column])
            [check] = _checks(con, file_name, subject, "previous_year")
            assert (check["stated_yuan"], check["actual_yuan"]) == (implied, printed_previous), (file_name, subject)
            assert check["difference_yuan"] == implied - printed_previous
            # Jiangsu's prose and tables agree to the cent on these totals: a difference would be listed
            assert (check["status"], check["difference_yuan"]) == ("agree", 0), (file_name, subject)


def test_a_stated_amount_that_differs_from_the_table_is_a_disagreement_with_its_difference(con):
    # jiangsu_procuratorate_2017_budget.pdf p19: 此外，基本支出预算数为 12323.46 万元; the table prints 12323.48.
    table = wan(REFERENCE[("江苏省人民检察院", 2017)]["基本支出"])
    checks = _checks(con, "jiangsu_procuratorate_2017_budget.pdf", "basic_expenditure", "amount")
    # the same page also says 基本支出 12323.48 万元, as the table prints it
    assert {(c["stated_yuan"], c["status"]) for c in checks} == {(wan("12323.46"), "disagree"), (table, "agree")}
    [check] = [c for c in checks if c["status"] == "disagree"]
    assert check["actual_yuan"] == table
    assert check["difference_yuan"] == wan("12323.46") - table == Decimal("-200.00")
    assert check["source_page"] == 19


def test_the_disagreement_query_lists_it(con):
    from tests.integration.test_queries import QUERIES

    cursor = con.execute(QUERIES["prose_table_disagreements"])
    names = [d[0] for d in cursor.description]
    listed = [dict(zip(names, row)) for row in cursor.fetchall()]
    assert any(
        r["department"] == canonical("江苏省人民检察院")
        and r["fiscal_year"] == 2017
        and r["subject"] == "basic_expenditure"
        and r["difference_yuan"] == Decimal("-200.00")
        for r in listed
    )
    assert all(r["difference_yuan"] != 0 for r in listed)


def test_every_claim_of_the_later_jiangsu_documents_about_the_totals_states_the_printed_figures(con):
    """No claim about the totals with a wrong amount: each equals the page's figure."""
    for (file_name, _department, _year), (total, change) in PROSE_TOTALS.items():
        rows = con.execute(
            "SELECT subject, amount_yuan, change_yuan FROM marts.narrative_claim "
            "WHERE file_name = ? AND subject IN ('total_income', 'total_expenditure')",
            [file_name],
        ).fetchall()
        assert {subject for subject, _a, _c in rows} == set(REFERENCE_COLUMN), file_name
        for subject, amount, stated_change in rows:
            assert amount in (None, wan(total)), (file_name, subject, amount)
            assert stated_change in (None, wan(change)), (file_name, subject, stated_change)


def _query(con, name: str) -> list[dict]:
    from tests.integration.test_queries import QUERIES

    cursor = con.execute(QUERIES[name])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def test_yoy_including_narrative_marks_the_years_the_prose_gives(con):
    rows = {
        (r["department"], r["fiscal_year"]): r
        for r in _query(con, "yoy_including_narrative")
        if r["scope"] == "department"
    }
    for department, prose_total in PROSE_PREVIOUS_TOTAL.items():
        row = rows[(canonical(department), 2017)]
        assert (row["previous_total_expenditure_yuan"], row["previous_source"], row["previous_basis"]) == (
            prose_total,
            "narrative",
            "unspecified",
        )
    assert rows[(canonical("江苏省委办公厅"), 2018)]["previous_source"] == "document"
    assert (canonical("江苏省委办公厅"), 2017) not in rows  # tables only in 2017: no previous figure at all


# National CPI, previous year = 100 (国家统计局, 国民经济和社会发展统计公报 2018 and 2019).
CPI = {2018: Decimal("102.1"), 2019: Decimal("102.9")}


def test_real_terms_growth_deflates_by_the_year_s_price_index(con):
    rows = {
        (r["department"], r["fiscal_year"]): r for r in _query(con, "real_terms_growth") if r["scope"] == "department"
    }
    for department in ("江苏省人大办公厅", "江苏省人民检察院", "江苏省委办公厅"):
        for year, cpi in CPI.items():
            now, before = (wan(REFERENCE[(department, y)]["支出合计"]) for y in (year, year - 1))
            real = ((now * 100 / cpi - before) * 100 / before).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert rows[(canonical(department), year)]["change_pct_real"] == real, (department, year)


def test_a_three_public_part_without_a_previous_document_takes_the_amount_its_prose_states(con):
    # jiangsu_npc_office_2017_budget.pdf, 说明 of the 三公 table: 因公出国（境）费预算支出222.5万元，
    # 与上年预算数持平; 公务接待费预算支出427.5万元，与上年预算数持平. No 2016 document is loaded.
    rows = con.execute(
        "SELECT measure, amount_yuan, previous_amount_yuan, change_yuan, previous_source, previous_basis "
        "FROM marts.three_public_yoy AS three JOIN marts.dim_document AS documents USING (document_id) "
        "WHERE documents.file_name = 'jiangsu_npc_office_2017_budget.pdf' "
        "AND measure IN ('outbound_travel', 'official_reception') ORDER BY measure"
    ).fetchall()
    assert rows == [
        ("official_reception", wan("427.5"), wan("427.5"), Decimal("0.00"), "narrative", "budget"),
        ("outbound_travel", wan("222.5"), wan("222.5"), Decimal("0.00"), "narrative", "budget"),
    ]
