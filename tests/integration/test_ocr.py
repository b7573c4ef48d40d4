"""A scanned page read by OCR gives the printed figures, and a misprinted scan is quarantined.

The scan is made here from a sample's text PDF (tests/support/scans.py): its
收支总表 page at 200 dpi, an image with no text layer.  The expected figures are
the printed ones: the references' headlines (tests/support/references.py) and
the page's function classes as printed (``pdftotext -layout -f 10 -l 10``).
One page keeps the OCR to a few seconds.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.extraction.document import extract
from pipelines.ingest.discovery import SourceFile
from pipelines.ingest.processing import extract_source
from tests.support.references import RAW, sample_documents
from tests.support.scans import char_boxes, copy_glyph, image_pdf, page_images

SAMPLE = RAW / "shanghai" / "shanghai_putuo_wanli_street_2024_budget.pdf"
SUMMARY_PAGE = 10  # 2024年部门财务收支预算总表
DPI = 200
TOTAL = "156,211,123"  # 收入总计 and 支出总计, as printed
# The expenditure side of the page, as printed (元).
PRINTED_FUNCTIONS = {
    "一般公共服务支出": "2932700",
    "公共安全支出": "1633000",
    "教育支出": "250000",
    "科学技术支出": "100000",
    "文化旅游体育与传媒支出": "200000",
    "社会保障和就业支出": "19604064",
    "卫生健康支出": "3223657",
    "城乡社区支出": "119385303",
    "住房保障支出": "8882399",
}


@pytest.fixture(scope="module")
def scan() -> bytes:
    return image_pdf(page_images(SAMPLE, DPI, [SUMMARY_PAGE]), DPI)


def test_a_scanned_summary_page_gives_the_printed_figures_marked_as_ocr(scan: bytes) -> None:
    raw, parsed = extract(scan)  # the OCR gate runs: it passes or raises
    expected = next(d for d in sample_documents() if d.path == SAMPLE)
    assert raw.ocr_pages == [1]
    assert expected.department_matches(parsed.metadata.department_name)
    assert (parsed.metadata.fiscal_year, parsed.metadata.printed_unit) == (2024, "元")
    headlines = {h.metric: h.value_yuan for h in parsed.headlines}
    for metric in ("total_income", "total_expenditure", "fiscal_appropriation_income"):
        assert headlines[metric] == expected.figures[metric], metric
    by_name = {line.item_name.split("、")[-1]: line.amount_yuan for line in parsed.lines if line.item_code}
    assert by_name == {name: Decimal(amount) for name, amount in PRINTED_FUNCTIONS.items()}
    assert {line.text_source for line in parsed.lines} == {"ocr"}
    assert all(0 < line.ocr_confidence <= 1 for line in parsed.lines)
    assert [c.status for c in parsed.ocr_checks] == ["pass"]  # 收入总计 = 支出总计


def test_a_scan_with_a_misprinted_digit_is_quarantined_saying_which_identity_fails(tmp_path: Path) -> None:
    # 支出总计 (the right-hand 156,211,123) printed with its last digit 3 as a 2: 156,211,122.
    page = page_images(SAMPLE, DPI, [SUMMARY_PAGE])[0]
    spending_total = max(char_boxes(SAMPLE, SUMMARY_PAGE, TOTAL, DPI), key=lambda boxes: boxes[0][0])
    copy_glyph(page, source=spending_total[-2], target=spending_total[-1])
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf([page], DPI))

    status = extract_source(SourceFile(str(path), "f" * 64, path.stat().st_size), tmp_path / "extracted")

    assert (status.ok, status.stage) == (False, "extract")
    assert status.reason.startswith("OCR figures do not reconcile: ")
    # Both totals break 收入总计 = 支出总计, so neither is a headline (withheld) and nothing loads.
    assert "identities fail: headline_summary_balance income_expenditure_summary" in status.reason
    assert (
        "收入总计 = 支出总计 (page 1, row 15): expected 156211123.00, got 156211122.00, difference -1.00"
        in status.reason
    )


def test_yusuan_extract_prints_what_ocr_read_and_the_gates_verdict(scan: bytes, tmp_path: Path, capsys) -> None:
    from pipelines.cli import main

    path = tmp_path / "scan.pdf"
    path.write_bytes(scan)
    assert main(["extract", str(path)]) == 0
    printed = capsys.readouterr().out
    # the page's two totals and the nine function classes (PRINTED_FUNCTIONS) at least
    read = int(printed.split("OCR: 1 scanned page(s) without a text layer, ")[1].split(" figures read")[0])
    assert read >= 2 + len(PRINTED_FUNCTIONS)
    assert "OCR gate: reconciles: all 1 identities pass; it would load" in printed
