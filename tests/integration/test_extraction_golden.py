"""Golden tests: every row of one multi-page statement per template family.

Expected rows: Jiangsu and Shanghai were transcribed from the printed page text
(tests/data/golden, read with pdfium, not camelot, and checked by eye);
Shenzhen comes from the person-made transcription of the seed
(tests/data/futian_2022).
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest

from pipelines.extraction.numbers import parse_amount
from pipelines.extraction.text import compact
from tests.conftest import DATA


def golden_rows(name: str) -> list[tuple]:
    with open(DATA / "golden" / name, encoding="utf-8") as handle:
        return [
            (row["item_code"] or None, row["item_name"], row["measure"], row["printed_amount"], int(row["source_page"]))
            for row in csv.DictReader(handle)
        ]


def extracted_rows(parsed, statement: str) -> list[tuple]:
    return [
        (l.item_code, l.item_name, l.measure, l.printed_amount, l.source_page)
        for l in parsed.lines
        if l.statement == statement
    ]


@pytest.mark.parametrize(
    "sample,golden",
    [
        ("jiangsu_npc_office_2017_budget.pdf", "jiangsu_npc_office_2017_general_budget_by_function.csv"),
        (
            "shanghai_putuo_wanli_street_2024_budget.pdf",
            "shanghai_putuo_wanli_street_2024_general_budget_by_function.csv",
        ),
    ],
)
def test_general_budget_by_function_every_row(corpus, sample, golden):
    """Jiangsu 公开07表 over two pages; Shanghai's five-page table whose last page is only 合计."""
    assert extracted_rows(corpus[sample][1], "general_budget_expenditure_by_function") == golden_rows(golden)


def test_shenzhen_table7_every_row(futian):
    """表7 over four pages with repeated page headers, by unit, codes and three amounts."""
    table = json.loads(next((DATA / "futian_2022").glob("table07_*.json")).read_text(encoding="utf-8"))
    expected = []
    unit = None
    for cells in table["body_rows"]:
        unit_cell, code, name, *amounts = cells
        if unit_cell:
            unit = compact(unit_cell)
        label = compact(unit_cell) or compact(name)
        for measure, printed in zip(("total", "basic", "project"), amounts):
            if parse_amount(printed) is not None:
                expected.append((code or None, label, measure, Decimal(printed.replace(",", ""))))
    got = [
        (l.item_code, l.item_name, l.measure, l.amount)
        for l in futian[1].lines
        if l.statement == "general_budget_expenditure_by_function"
    ]
    assert got == expected
    assert unit is not None and len(got) == 3 * len(table["body_rows"])
