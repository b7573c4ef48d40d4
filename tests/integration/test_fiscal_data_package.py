"""The Fiscal Data Package export of the warehouse built from every sample.

frictionless validates it (schema, types, constraints, primary and foreign keys,
byte counts and hashes). The figures are checked against figures read off the
pages (Shanghai) and the reference CSVs (Jiangsu), found through the warehouse's
provenance of each headline figure.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from frictionless import Package, validate

from pipelines.cli import main
from pipelines.outputs.fiscal_data_package import write_fiscal_data_package
from tests.integration.test_yoy_reference import REFERENCE, wan
from tests.support.references import JIANGSU, REFERENCE_METRICS, SHANGHAI

PLANNING_FINAL = "shanghai_putuo_planning_resources_2024_final_accounts.pdf"


@pytest.fixture(scope="module")
def package(sample_warehouse, tmp_path_factory) -> Path:
    return write_fiscal_data_package(sample_warehouse.published, tmp_path_factory.mktemp("fdp"))


@pytest.fixture(scope="module")
def lines(package) -> dict[str, dict]:
    """budget-lines as frictionless reads them (typed: amount is a Decimal), by budget_line_id."""
    rows = Package(str(package)).get_resource("budget-lines").read_rows()
    return {row["budget_line_id"]: row for row in rows}


@pytest.fixture(scope="module")
def descriptor(package) -> dict:
    return json.loads(package.read_text(encoding="utf-8"))


def test_frictionless_validates_the_package(package):
    report = validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]


def test_a_changed_figure_fails_validation(package, tmp_path):
    # the descriptor pins each CSV's hash: an edited amount is caught
    for name in ("datapackage.json", "documents.csv", "budget-lines.csv"):
        (tmp_path / name).write_bytes((package.parent / name).read_bytes())
    edited = tmp_path / "budget-lines.csv"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(re.sub(r",(\d+)\.(\d\d),CNY,", r",\g<1>.99,CNY,", text, count=1), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != text
    assert not validate(str(tmp_path / "datapackage.json")).valid


def test_fiscal_concepts_are_mapped(descriptor):
    assert descriptor["profile"] == "tabular-data-package"
    lines = next(r for r in descriptor["resources"] if r["name"] == "budget-lines")
    column_types = {f["name"]: f.get("columnType") for f in lines["schema"]["fields"]}
    assert column_types["amount"] == "value"
    assert column_types["currency"] == "value-currency:code"
    assert column_types["fiscal_year"] == "date:fiscal-year"
    assert column_types["direction"] == "direction"
    assert column_types["phase"] == "phase:id"
    assert column_types["department_id"] == "administrative-classification:generic:level1:code"
    for level, code in enumerate(("function_class_code", "function_item_code", "function_subitem_code"), 1):
        assert column_types[code] == f"functional-classification:generic:level{level}:code"
        assert column_types[code.replace("_code", "_name")] == f"functional-classification:generic:level{level}:label"
    for level, code in enumerate(("economic_class_code", "economic_item_code"), 1):
        assert column_types[code] == f"economic-classification:generic:level{level}:code"
    assert {"document_id", "source_page", "source_table", "source_row", "source_col"} <= set(column_types)
    amount = next(f for f in lines["schema"]["fields"] if f["name"] == "amount")
    assert amount["type"] == "number"
    assert descriptor["fiscalPeriod"] == {"start": "2017-01-01", "end": "2025-12-31"}


def test_amounts_are_exact_decimal_strings(package):
    with open(package.parent / "budget-lines.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(re.fullmatch(r"-?\d+\.\d\d", row["amount"]) for row in rows)
    assert {row["currency"] for row in rows} == {"CNY"}


def test_every_budget_line_is_exported_once(lines, con):
    count, total = con.execute("SELECT count(*), sum(amount_yuan) FROM marts.fct_budget_line").fetchone()
    assert len(lines) == count
    assert sum(row["amount"] for row in lines.values()) == total
    assert all(isinstance(row["amount"], Decimal) for row in lines.values())


def headline_lines(con, file_name: str) -> dict[str, str]:
    """metric → budget_line_id of the cell the warehouse took the headline from."""
    rows = con.execute(
        "SELECT h.metric, concat_ws(':', h.document_id, h.source_page, h.source_table, h.source_row, h.source_col) "
        "FROM marts.document_headline h JOIN marts.dim_document d USING (document_id) WHERE d.file_name = ?",
        [file_name],
    ).fetchall()
    return dict(rows)


@pytest.mark.parametrize("file_name", sorted(SHANGHAI))
def test_shanghai_figures_read_off_the_pages(lines, con, file_name):
    at = headline_lines(con, file_name)
    for metric, value in SHANGHAI[file_name].items():
        assert lines[at[metric]]["amount"] == value, metric


@pytest.mark.parametrize(("department", "year"), sorted(JIANGSU))
def test_jiangsu_figures_of_the_reference(lines, con, department, year):
    at = headline_lines(con, JIANGSU[(department, year)])
    for column, metric in REFERENCE_METRICS.items():
        if REFERENCE[(department, year)].get(column) and metric in at:
            row = lines[at[metric]]
            assert row["amount"] == wan(REFERENCE[(department, year)][column]), metric
            assert (row["fiscal_year"], row["phase"], row["currency"]) == (year, "approved", "CNY")


def test_direction_and_phase(lines, con):
    by_statement: dict[str, set[str]] = {}
    for row in lines.values():
        by_statement.setdefault(row["statement"], set()).add(row["direction"])
    assert by_statement["income_summary"] == {"revenue"}
    assert by_statement["expenditure_summary"] == {"expenditure"}
    assert by_statement["income_expenditure_summary"] == {"revenue", "expenditure"}
    # the planning bureau's final accounts: the 三公 table prints 预算数 2.85 and 决算数 0.39 (万元, p17)
    (document_id,) = con.execute(
        "SELECT document_id FROM marts.dim_document WHERE file_name = ?", [PLANNING_FINAL]
    ).fetchone()
    final = [row for row in lines.values() if row["document_id"] == document_id]
    reception = {
        row["measure"]: row
        for row in final
        if row["statement"] == "three_public" and row["measure"].startswith("official_reception")
    }
    assert (reception["official_reception"]["phase"], reception["official_reception"]["amount"]) == (
        "approved",
        wan("2.85"),
    )
    assert (reception["official_reception:决算数"]["phase"], reception["official_reception:决算数"]["amount"]) == (
        "executed",
        wan("0.39"),
    )
    assert {row["phase"] for row in final if row["statement"] != "three_public"} == {"executed"}
    assert {row["phase_label"] for row in final if row["phase"] == "executed"} == {"决算"}


def test_classifications(lines):
    functional = [row for row in lines.values() if row["function_class_code"]]
    economic = [row for row in lines.values() if row["economic_class_code"]]
    assert functional and economic
    for row in functional:
        assert row["function_class_name"]
        if row["function_subitem_code"]:
            assert row["function_subitem_code"].startswith(row["function_item_code"])
            assert row["function_item_code"].startswith(row["function_class_code"])
    # labels are the classes' current names: 210 is 卫生健康支出 (医疗卫生与计划生育支出 until 2018)
    assert {row["function_class_name"] for row in functional if row["function_class_code"] == "210"} == {"卫生健康支出"}
    assert all(row["economic_class_code"].startswith("3") and row["economic_class_name"] for row in economic)
    assert {row["department"] for row in lines.values()} >= {"江苏省人民检察院", "上海市普陀区人民政府万里街道办事处"}


def test_cli(sample_warehouse, tmp_path):
    out = tmp_path / "fdp"
    assert main(["export-fdp", "--warehouse", str(sample_warehouse.published), "--out", str(out)]) == 0
    assert validate(str(out / "datapackage.json")).valid
