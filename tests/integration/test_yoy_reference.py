"""Year-over-year changes in marts.department_year_totals against the reference CSVs.

The three Jiangsu departments, 2017 → 2018 → 2019: the expected changes are computed
here from tests/data/reference (an independent parser's figures, in 万元), never from
the warehouse. The CSV file names carry the departments' short names; they are mapped
to the warehouse's canonical names through the analysts' alias seed
(dbt/seeds/department_alias.csv), which is what that seed is for.
"""

from __future__ import annotations

import csv
import hashlib
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import DATA

ALIAS_SEED = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "department_alias.csv"
WAN = Decimal(10000)
CENT = Decimal("0.01")

# reference column → department_year_totals columns (amount, previous, change, change %)
MEASURES = {
    "支出合计": ("total_expenditure_yuan", "previous_total_expenditure_yuan", "change_yuan", "change_pct"),
    "基本支出": ("basic_expenditure_yuan", "previous_basic_expenditure_yuan", "basic_change_yuan", "basic_change_pct"),
    "项目支出": (
        "project_expenditure_yuan",
        "previous_project_expenditure_yuan",
        "project_change_yuan",
        "project_change_pct",
    ),
}


def nospace(name: str) -> str:
    return re.sub(r"\s+", "", name)


def aliases() -> dict[str, str]:
    with ALIAS_SEED.open(encoding="utf-8") as handle:
        return {nospace(row["alias"]): nospace(row["canonical_name"]) for row in csv.DictReader(handle)}


def canonical(name: str) -> str:
    """A department name as the warehouse's canonical name: whitespace out, then the alias seed."""
    name = nospace(name)
    return aliases().get(name, name)


def wan(value: str) -> Decimal:
    return (Decimal(value) * WAN).quantize(CENT)


def percent(change: Decimal, base: Decimal) -> Decimal:
    """100 × change / base, rounded half away from zero to 2 decimals (None when base is 0)."""
    if not base:
        return None
    return (change * 100 / base).quantize(CENT, rounding=ROUND_HALF_UP)


def reference() -> dict[tuple[str, int], dict[str, str]]:
    """(department name in the CSV file name, fiscal year) → the CSV row (万元 strings)."""
    rows = {}
    for path in sorted((DATA / "reference").glob("*.csv")):
        department = path.stem.split("_")[0]
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows[(department, int(row[""][:4]))] = row
    return rows


REFERENCE = reference()
DEPARTMENTS = sorted({department for department, _year in REFERENCE})
# No 2016 document is loaded: the 2016 total is the one the 2017 prose implies (stated total
# minus stated change), read off the page with pdftotext -layout. The 委办公厅's 2017 file
# prints the tables only, so it has no 2016 total.
PROSE_PREVIOUS_TOTAL = {
    # p23: 收入、支出预算总计 13649.07 万元,与上年相比收、支预算总计各增加 844.15 万元
    "江苏省人大办公厅": wan("13649.07") - wan("844.15"),
    # p18: 收入、支出预算总计 17996.68 万元，与上年相比收、支预算总计各增加 1463.8 万元
    "江苏省人民检察院": wan("17996.68") - wan("1463.8"),
}


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def test_reference_covers_three_departments_three_years():
    assert len(DEPARTMENTS) == 3
    assert {year for _d, year in REFERENCE} == {2017, 2018, 2019}


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_year_over_year_matches_reference(con, department):
    rows = fetch_dicts(
        con,
        "SELECT * FROM marts.department_year_totals "
        "WHERE department = ? AND document_kind = 'budget' AND scope = 'department' ORDER BY fiscal_year",
        [canonical(department)],
    )
    got = {row["fiscal_year"]: row for row in rows}
    assert sorted(got) == [2017, 2018, 2019], f"{department} → {canonical(department)}"

    for year in (2017, 2018, 2019):
        row = got[year]
        for column, (amount, previous, change, change_pct) in MEASURES.items():
            current_yuan = wan(REFERENCE[(department, year)][column])
            assert row[amount] == current_yuan, (department, year, amount)
            if year == 2017:  # no 2016 document: only the total the prose implies, marked as such
                prose_total = PROSE_PREVIOUS_TOTAL.get(department) if column == "支出合计" else None
                expected = (None, None, None)
                if prose_total is not None:
                    prose_change = current_yuan - prose_total
                    expected = (prose_total, prose_change, percent(prose_change, prose_total))
                    assert (row["previous_source"], row["previous_basis"]) == ("narrative", "unspecified")
                assert (row[previous], row[change], row[change_pct]) == expected, (department, year, column)
                continue
            assert row["previous_source"] == "document", (department, year)
            previous_yuan = wan(REFERENCE[(department, year - 1)][column])
            expected_change = current_yuan - previous_yuan
            assert row[previous] == previous_yuan, (department, year, previous)
            assert row[change] == expected_change, (department, year, change)
            assert row[change_pct] == percent(expected_change, previous_yuan), (department, year, change_pct)


def test_growth_rank_in_region_matches_reference(con):
    """All three are 江苏省 departments: the rank is their order by the reference's growth."""
    for year in (2018, 2019):
        growth = {
            canonical(d): percent(
                wan(REFERENCE[(d, year)]["支出合计"]) - wan(REFERENCE[(d, year - 1)]["支出合计"]),
                wan(REFERENCE[(d, year - 1)]["支出合计"]),
            )
            for d in DEPARTMENTS
        }
        expected = {name: 1 + sum(other > pct for other in growth.values()) for name, pct in growth.items()}
        rows = con.execute(
            "SELECT department, province, growth_rank_in_region FROM marts.department_year_totals "
            "WHERE fiscal_year = ? AND document_kind = 'budget' AND scope = 'department' AND province = '江苏省'",
            [year],
        ).fetchall()
        assert {name: rank for name, _province, rank in rows} == expected, year


def test_renamed_party_office_is_one_department(con):
    """Printed 中国共产党江苏省委员会办公厅 in 2017 and 中共江苏省委办公厅 in 2018 and 2019 (read off the pages)."""
    rows = con.execute(
        "SELECT department_name, fiscal_year, department_id FROM marts.dim_document "
        "WHERE department_name IN ('中国共产党江苏省委员会办公厅', '中共江苏省委办公厅') ORDER BY fiscal_year"
    ).fetchall()
    assert [(name, year) for name, year, _id in rows] == [
        ("中国共产党江苏省委员会办公厅", 2017),
        ("中共江苏省委办公厅", 2018),
        ("中共江苏省委办公厅", 2019),
    ]
    ids = {department_id for _name, _year, department_id in rows}
    assert len(ids) == 1
    # the id is left(md5(canonical name), 16), the canonical name the alias seed gives
    name = canonical("江苏省委办公厅")
    assert ids == {hashlib.md5(name.encode("utf-8")).hexdigest()[:16]}
    (dim,) = con.execute(
        "SELECT department_name, province, city, district, names_as_printed, first_year, last_year "
        "FROM marts.dim_department WHERE department_id = ?",
        [ids.pop()],
    ).fetchall()
    assert dim == (name, "江苏省", None, None, ["中共江苏省委办公厅", "中国共产党江苏省委员会办公厅"], 2017, 2019)
